package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/chart"
)

// The dashboard (态势): for the viewer's scope, charts drawn on the server
// as SVG (internal/chart), every bar a link to the list of the items
// behind it — the ledger, the case ledger or an indicator's items with
// the same conditions — and every chart also a table.

// dashboardChart is one chart with its table.
type dashboardChart struct {
	ID    string
	Title string
	SVG   template.HTML
	Rows  []dashboardRow
	Head  []string // the table's column heads after the label
}

// dashboardRow is one line of a chart's table.
type dashboardRow struct {
	Label  string
	Values []string
	Href   string
}

type dashboardView struct {
	base
	Q      url.Values
	Units  []*xinfang.Unit
	D      *xinfang.Dashboard
	Charts []dashboardChart
}

func dashboardQueryFrom(q *apiQuery, today calendar.Date) xinfang.DashboardQuery {
	iq := indicatorQueryFrom(q, today)
	return xinfang.DashboardQuery{UnitID: iq.UnitID, From: iq.From, To: iq.To}
}

func (s *Server) apiDashboard(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	dq := dashboardQueryFrom(q, s.today())
	if err := q.err(); err != nil {
		return err
	}
	d, err := s.Indicators.Dashboard(r.Context(), dq)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) error {
	u := xinfang.UserFromContext(r.Context())
	v := &dashboardView{}
	v.Title, v.Nav = "态势", "dashboard"
	s.fillBase(r, &v.base)
	var err error
	if v.Q, v.Units, err = s.figuresForm(r, "unit_id", "from", "to"); err != nil {
		return err
	}
	q := newQuery(v.Q)
	dq := dashboardQueryFrom(q, s.today())
	err = q.err()
	if err == nil {
		v.D, err = s.Indicators.Dashboard(r.Context(), dq)
	}
	if err != nil {
		if err = queryProblem(&v.base, err); err != nil {
			return err
		}
		return s.render(w, r, http.StatusOK, "dashboard.html", v)
	}
	v.Q = url.Values{"unit_id": {strconv.FormatInt(v.D.Unit.ID, 10)}, "from": {v.D.From.String()}, "to": {v.D.To.String()}}
	v.Charts = dashboardCharts(v.D)
	v.IndexNotice = factsNotice(v.D.Indicators)
	// The watch list (关注名单) for those who read it: the city's matters
	// by kind, each bar opening its tab.
	if xinfang.CanReadDiscipline(u) && s.Discipline != nil {
		page, err := s.Discipline.FindWatchList(r.Context(), xinfang.WatchFilter{Limit: 1})
		if err != nil {
			return err
		}
		counts := make([]xinfang.Count, 0, len(xinfang.WatchKinds))
		for _, k := range xinfang.WatchKinds {
			counts = append(counts, xinfang.Count{Key: k.Code, Label: k.Label, Value: page.Counts[xinfang.WatchKind(k.Code)]})
		}
		v.Charts = append(v.Charts, countChart("chart-watch", "关注名单（全市，按类别）", counts, func(k string) string { return link("/discipline", "kind", k) }))
	}
	return s.render(w, r, http.StatusOK, "dashboard.html", v)
}

// link builds path?query from pairs of names and values.
func link(path string, pairs ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			q.Set(pairs[i], pairs[i+1])
		}
	}
	return path + "?" + q.Encode()
}

// countChart is a chart of counts, each bar leading to href(key).
func countChart(id, title string, counts []xinfang.Count, href func(key string) string) dashboardChart {
	c := dashboardChart{ID: id, Title: title, Head: []string{"件数"}}
	bars := make([]chart.Bar, len(counts))
	for i, n := range counts {
		h := href(n.Key)
		bars[i] = chart.Bar{Label: n.Label, Value: float64(n.Value), Href: h}
		c.Rows = append(c.Rows, dashboardRow{Label: n.Label, Values: []string{strconv.Itoa(n.Value)}, Href: h})
	}
	c.SVG = chart.HBars(title, bars, 460, 0)
	return c
}

func dashboardCharts(d *xinfang.Dashboard) []dashboardChart {
	unit := strconv.FormatInt(d.Unit.ID, 10)
	from, to := d.From.String(), d.To.String()
	ledger := func(pairs ...string) string {
		return link("/petitions", append([]string{"unit_id", unit, "from", from, "to", to}, pairs...)...)
	}
	var out []dashboardChart
	out = append(out, countChart("chart-states", "信访件按状态（本期登记）", d.States, func(k string) string { return ledger("state", k) }))
	out = append(out, countChart("chart-warnings", "在办件预警（今日）", d.Warnings, func(k string) string {
		return link("/petitions", "unit_id", unit, "warning", k)
	}))
	// Monthly trend as columns.
	months := dashboardChart{ID: "chart-months", Title: "登记量按月", Head: []string{"件数"}}
	var labels []string
	var bars []chart.Bar
	for _, m := range d.Months {
		a, b, _ := strings.Cut(m.Key, "/")
		h := link("/petitions", "unit_id", unit, "from", a, "to", b)
		labels = append(labels, m.Label)
		bars = append(bars, chart.Bar{Value: float64(m.Value), Href: h})
		months.Rows = append(months.Rows, dashboardRow{Label: m.Label, Values: []string{strconv.Itoa(m.Value)}, Href: h})
	}
	months.SVG = chart.Columns(months.Title, labels, []chart.Series{{Name: "登记量", Bars: bars}}, 460, 200)
	out = append(out, months)
	out = append(out, countChart("chart-categories", "按内容分类", d.Categories, func(k string) string { return ledger("category", k) }))
	out = append(out, countChart("chart-channels", "按信访形式", d.Channels, func(k string) string { return ledger("channel", k) }))
	out = append(out, countChart("chart-territories", "按下级单位（登记或承办）", d.Territories, func(k string) string {
		return link("/petitions", "unit_id", k, "from", from, "to", to)
	}))
	// Indicators against their targets.
	ind := dashboardChart{ID: "chart-indicators", Title: "指标与目标", Head: []string{"数值", "目标", "分子/分母"}}
	var ibars []chart.Bar
	for _, in := range d.Indicators.Items {
		if !in.Rate {
			continue
		}
		h := link("/indicators/"+string(in.Kind)+"/items", "unit_id", unit, "from", from, "to", to, "part", "denominator")
		val, text := 0.0, "—"
		if in.Value != nil {
			val, text = *in.Value*100, strconv.FormatFloat(*in.Value*100, 'f', 1, 64)+"%"
		}
		target := "—"
		if in.Target > 0 {
			target = strconv.FormatFloat(in.Target*100, 'f', 0, 64) + "%"
		}
		ibars = append(ibars, chart.Bar{Label: in.Label, Value: val, Text: text, Href: h, Mark: in.Target * 100})
		ind.Rows = append(ind.Rows, dashboardRow{Label: in.Label, Values: []string{text, target, strconv.Itoa(in.Numerator) + "/" + strconv.Itoa(in.Denominator)}, Href: h})
	}
	ind.SVG = chart.HBars(ind.Title, ibars, 460, 100)
	out = append(out, ind)
	out = append(out, countChart("chart-case-states", "积案按状态", d.CaseStates, func(k string) string {
		return link("/cases", "unit_id", unit, "state", k)
	}))
	out = append(out, countChart("chart-case-leaders", "积案按包案领导", d.CaseLeaders, func(k string) string {
		return link("/cases", "unit_id", unit, "leader_id", k)
	}))
	// 越级访 over time.
	esc := dashboardChart{ID: "chart-escalations", Title: "赴省进京越级访量", Head: []string{"赴省", "进京"}}
	var elabels []string
	var prov, bj []chart.Bar
	for _, m := range d.Indicators.Escalated {
		first, _ := calendar.ParseDate(m.Month + "-01")
		last := calendar.MakeDate(first.Year, first.Month+1, 0)
		if first.Before(d.From) {
			first = d.From
		}
		if last.After(d.To) {
			last = d.To
		}
		hp := link("/indicators/province/items", "unit_id", unit, "from", first.String(), "to", last.String())
		hb := link("/indicators/beijing/items", "unit_id", unit, "from", first.String(), "to", last.String())
		elabels = append(elabels, m.Month)
		prov = append(prov, chart.Bar{Value: float64(m.Province), Href: hp})
		bj = append(bj, chart.Bar{Value: float64(m.Beijing), Href: hb})
		esc.Rows = append(esc.Rows, dashboardRow{Label: m.Month, Values: []string{strconv.Itoa(m.Province), strconv.Itoa(m.Beijing)}, Href: hp})
	}
	esc.SVG = chart.Columns(esc.Title, elabels, []chart.Series{{Name: "赴省", Color: "#d9822b", Bars: prov}, {Name: "进京", Color: "#b03a2e", Bars: bj}}, 460, 200)
	out = append(out, esc)
	return out
}
