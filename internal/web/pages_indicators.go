package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"xinfang"
)

// The indicator pages (统计指标): every figure of kpi.md for a unit and a
// period, each side of a figure a link to the items behind it; the list
// of those items; and the local definitions (三无, 满意率) for those who
// may change them.

type indicatorsView struct {
	base
	Q            url.Values
	Units        []*xinfang.Unit
	Result       *xinfang.Indicators
	Config       xinfang.IndicatorConfig
	CanConfigure bool
}

// ItemsURL is the link to the items of one side of a figure, with the
// page's unit and period.
func (v *indicatorsView) ItemsURL(kind xinfang.IndicatorKind, part xinfang.IndicatorPart) string {
	q := indicatorParams(v.Result)
	q.Set("part", string(part))
	return "/indicators/" + string(kind) + "/items?" + q.Encode()
}

// indicatorParams are the query of a result's unit and period.
func indicatorParams(r *xinfang.Indicators) url.Values {
	q := url.Values{"unit_id": {strconv.FormatInt(r.Unit.ID, 10)}, "from": {r.From.String()}, "to": {r.To.String()}}
	if r.Alone {
		q.Set("alone", "true")
	}
	return q
}

// Percent shows a rate with one decimal.
func (v *indicatorsView) Percent(f *float64) string {
	if f == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", *f*100)
}

// Pct shows a target with one decimal.
func (v *indicatorsView) Pct(f float64) string { return v.Percent(&f) }

// readableUnits are the units whose indicators u may read.
func readableUnits(u *xinfang.User, all []*xinfang.Unit) []*xinfang.Unit {
	var out []*xinfang.Unit
	for _, x := range all {
		if xinfang.CanReadIndicators(u, x) {
			out = append(out, x)
		}
	}
	return out
}

func (s *Server) handleIndicators(w http.ResponseWriter, r *http.Request) error {
	return s.renderIndicators(w, r, http.StatusOK, nil)
}

func (s *Server) renderIndicators(w http.ResponseWriter, r *http.Request, status int, ferr error) error {
	u := xinfang.UserFromContext(r.Context())
	v := &indicatorsView{CanConfigure: xinfang.CanConfigureIndicators(u)}
	v.Title, v.Nav = "统计指标", "indicators"
	s.fillBase(r, &v.base)
	var err error
	if v.Q, v.Units, err = s.figuresForm(r, "unit_id", "alone", "from", "to"); err != nil {
		return err
	}
	q := newQuery(v.Q)
	iq := indicatorQueryFrom(q, s.today())
	err = q.err()
	if err == nil {
		v.Result, err = s.Indicators.Indicators(r.Context(), iq)
	}
	if err = queryProblem(&v.base, err); err != nil {
		return err
	}
	if v.Result != nil {
		v.Q = indicatorParams(v.Result)
		v.IndexNotice = factsNotice(v.Result)
	}
	if v.Config, err = s.Indicators.IndicatorConfig(r.Context()); err != nil {
		return err
	}
	if ferr != nil {
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	} else if r.URL.Query().Get("done") == "config" {
		v.Notice = "指标定义已保存。"
	}
	return s.render(w, r, status, "indicators.html", v)
}

// handleIndicatorConfig saves the local definitions from the page's form.
func (s *Server) handleIndicatorConfig(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := r.PostForm
	probs := xinfang.Problems{}
	num := func(name string) int {
		n, err := strconv.Atoi(f.Get(name))
		if err != nil {
			probs.Add(name, "须为整数")
		}
		return n
	}
	c := xinfang.IndicatorConfig{BasicCounts: f.Get("basic_counts") != "", BeijingVisitsOnly: f.Get("beijing_visits_only") != "",
		ProvinceGroupMin: num("province_group_min"), MassMin: num("mass_min"), Version: num("version")}
	err := probs.Err()
	if err == nil {
		_, err = s.Indicators.SetIndicatorConfig(r.Context(), c)
	}
	if err != nil {
		if code := xinfang.ErrorCode(err); code != xinfang.EINVALID && code != xinfang.ECONFLICT {
			return err
		}
		return s.renderIndicators(w, r, http.StatusUnprocessableEntity, err)
	}
	http.Redirect(w, r, "/indicators?done=config", http.StatusSeeOther)
	return nil
}

type indicatorItemsView struct {
	base
	Def      xinfang.IndicatorDef
	Part     xinfang.IndicatorPart
	Result   *xinfang.Indicators
	Unit     *xinfang.Unit
	Query    xinfang.IndicatorItemsQuery
	Items    []xinfang.IndicatorItem
	Total    int
	Page     int
	Pages    int
	BackURL  string
	pageBase url.Values
}

// PageURL is the link to page n of the list.
func (v *indicatorItemsView) PageURL(n int) string {
	return pageURL("/indicators/"+string(v.Def.Kind)+"/items", v.pageBase, n)
}

// Link is where an item opens, "" for a hidden one.
func (v *indicatorItemsView) Link(it xinfang.IndicatorItem) string {
	if it.Hidden {
		return ""
	}
	switch it.Kind {
	case "case":
		return "/cases/" + strconv.FormatInt(it.ID, 10)
	case "supervision":
		return "/supervisions/" + strconv.FormatInt(it.ID, 10)
	}
	return "/petitions/" + strconv.FormatInt(it.ID, 10)
}

const indicatorPageSize = 100

func (s *Server) handleIndicatorItems(w http.ResponseWriter, r *http.Request) error {
	in := r.URL.Query()
	v := &indicatorItemsView{Page: 1, pageBase: url.Values{}}
	if n, err := strconv.Atoi(in.Get("page")); err == nil && n > 1 {
		v.Page = n
	}
	for _, k := range []string{"unit_id", "alone", "from", "to", "part"} {
		if val := in.Get(k); val != "" {
			v.pageBase.Set(k, val)
		}
	}
	q, err := indicatorItemsFrom(v.pageBase, r.PathValue("kind"), s.today(), false)
	if err != nil {
		return err
	}
	q.Limit, q.Offset = indicatorPageSize, (v.Page-1)*indicatorPageSize
	v.Items, v.Total, err = s.Indicators.IndicatorItems(r.Context(), q)
	if err != nil {
		return err
	}
	res, err := s.Indicators.Indicators(r.Context(), q.IndicatorQuery)
	if err != nil {
		return err
	}
	v.Def, _ = q.Kind.Def()
	v.Part, v.Query, v.Result, v.Unit = q.Part, q, res, res.Unit
	v.Pages = (v.Total + indicatorPageSize - 1) / indicatorPageSize
	v.BackURL = "/indicators?" + indicatorParams(res).Encode()
	side := "分子"
	if q.Part == xinfang.PartDenominator {
		side = "分母"
	}
	v.Title, v.Nav = v.Def.Label+" · "+side, "indicators"
	s.fillBase(r, &v.base)
	return s.render(w, r, http.StatusOK, "indicator_items.html", v)
}

// factsNotice is what a page of figures says while the facts of the
// petitions registered before an upgrade are still being derived.
func factsNotice(ind *xinfang.Indicators) string {
	if ind == nil || !ind.Incomplete {
		return ""
	}
	return "统计数据正在为升级前登记的信访件补算，完成前各项指标和图表不含这些信访件。"
}

// figuresForm reads the form of a page of figures: the parameters keys
// that the request sets, and the units the reader may choose.
func (s *Server) figuresForm(r *http.Request, keys ...string) (url.Values, []*xinfang.Unit, error) {
	q := url.Values{}
	for _, k := range keys {
		if val := r.URL.Query().Get(k); val != "" {
			q.Set(k, val)
		}
	}
	all, _, err := s.units(r)
	if err != nil {
		return nil, nil, err
	}
	return q, readableUnits(xinfang.UserFromContext(r.Context()), all), nil
}

// queryProblem shows a bad query on the page (b) and returns nil; any
// other error it returns.
func queryProblem(b *base, err error) error {
	if err == nil || xinfang.ErrorCode(err) != xinfang.EINVALID {
		return err
	}
	b.Error, b.Fields = "查询条件有误："+formMessage(err), xinfang.ErrorFields(err)
	return nil
}
