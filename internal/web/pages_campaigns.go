package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/chart"
)

// The campaign pages (专项行动): the list with the form that opens one, a
// campaign's page — its targets, its progress by week or month as a table
// and as a server-drawn chart whose bars open the cases behind them, who
// is behind (by responsible unit and by 包案领导), its cases with the forms
// that add and remove them — and the list of the cases behind a figure.

type campaignsView struct {
	base
	Items     []*xinfang.Campaign
	CanManage bool
	Units     []*xinfang.Unit
	Form      url.Values
}

func (s *Server) handleCampaigns(w http.ResponseWriter, r *http.Request) error {
	return s.renderCampaigns(w, r, http.StatusOK, url.Values{}, nil)
}

func (s *Server) renderCampaigns(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	u := xinfang.UserFromContext(r.Context())
	v := &campaignsView{CanManage: xinfang.CanManageCampaigns(u), Form: form}
	v.Title, v.Nav = "专项行动", "campaigns"
	var err error
	if v.Items, err = s.Campaigns.FindCampaigns(r.Context()); err != nil {
		return err
	}
	if v.CanManage {
		if v.Units, _, err = s.units(r); err != nil {
			return err
		}
	}
	s.fillBase(r, &v.base)
	if ferr != nil {
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "campaigns.html", v)
}

// campaignFromForm reads a campaign's fields; targets are lines of "date
// count" (2024-06-30 60).
func campaignFromForm(form url.Values, probs xinfang.Problems) *xinfang.Campaign {
	g := &xinfang.Campaign{Name: form.Get("name"), UnitID: discFormID(form, "unit_id", "unit_id", probs),
		StartOn: formDate(form, "start_on", probs), EndOn: formDate(form, "end_on", probs), Note: form.Get("note")}
	if t := strings.TrimSpace(form.Get("resolve_target")); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil {
			probs.Add("resolve_target", "化解率目标须为 0–100 的整数")
		}
		g.ResolveTarget = n
	}
	for _, line := range strings.Split(form.Get("targets"), "\n") {
		f := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' || r == '，' || r == '\r' })
		if len(f) == 0 {
			continue
		}
		var t xinfang.CampaignTarget
		var err error
		if len(f) == 2 {
			if t.By, err = calendar.ParseDate(f[0]); err == nil {
				t.Closed, err = strconv.Atoi(f[1])
			}
		}
		if len(f) != 2 || err != nil {
			probs.Add("targets", "每行一个目标：日期 件数（如 2024-06-30 60）")
			continue
		}
		g.Targets = append(g.Targets, t)
	}
	return g
}

func (s *Server) handleCreateCampaign(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	probs := xinfang.Problems{}
	g := campaignFromForm(r.PostForm, probs)
	err := probs.Err()
	if err == nil {
		err = s.Campaigns.CreateCampaign(r.Context(), g)
	}
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		return s.renderCampaigns(w, r, http.StatusUnprocessableEntity, r.PostForm, err)
	}
	http.Redirect(w, r, "/campaigns/"+strconv.FormatInt(g.ID, 10)+"?done=create", http.StatusSeeOther)
	return nil
}

type campaignView struct {
	base
	G         *xinfang.Campaign
	P         *xinfang.CampaignProgress
	Cases     []*xinfang.CampaignCase // in it now
	Removed   []*xinfang.CampaignCase
	Chart     template.HTML
	By        string
	Buckets   []xinfang.Label
	CanManage bool
	Units     []*xinfang.Unit
	Form      url.Values
	Targets   string // the targets as the form writes them
	Step      string // the form the errors belong to
}

// Href is the page of the cases behind a figure of the campaign.
func (v *campaignView) Href(what string, from, to calendar.Date) string {
	q := url.Values{"what": {what}}
	if !from.IsZero() {
		q.Set("from", from.String())
	}
	if !to.IsZero() {
		q.Set("to", to.String())
	}
	return fmt.Sprintf("/campaigns/%d/cases?%s", v.G.ID, q.Encode())
}

// campaignFields is what the campaign's fields read: the form, its
// messages and the units.
type campaignFields struct {
	Form   url.Values
	Fields map[string]string
	Units  []*xinfang.Unit
}

// EditView is the edit form: what was sent when it failed, else the
// campaign as it is.
func (v *campaignView) EditView() campaignFields {
	if v.Step == "edit" {
		return campaignFields{v.Form, v.Fields, v.Units}
	}
	f := url.Values{"name": {v.G.Name}, "unit_id": {strconv.FormatInt(v.G.UnitID, 10)}, "start_on": {v.G.StartOn.String()}, "end_on": {v.G.EndOn.String()},
		"resolve_target": {strconv.Itoa(v.G.ResolveTarget)}, "targets": {v.Targets}, "note": {v.G.Note}}
	return campaignFields{f, nil, v.Units}
}

// BehindHref opens the unresolved cases of a unit or a leader.
func (v *campaignView) BehindHref(key string, id int64) string {
	return fmt.Sprintf("/campaigns/%d/cases?what=behind&%s=%d", v.G.ID, key, id)
}

func (s *Server) handleCampaign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderCampaign(w, r, http.StatusOK, id, "", url.Values{}, nil)
}

func (s *Server) renderCampaign(w http.ResponseWriter, r *http.Request, status int, id int64, step string, form url.Values, ferr error) error {
	by := r.URL.Query().Get("by")
	if by != "week" {
		by = "month"
	}
	g, pr, list, err := s.Campaigns.CampaignProgress(r.Context(), id, by)
	if err != nil {
		return err
	}
	u := xinfang.UserFromContext(r.Context())
	v := &campaignView{G: g, P: pr, By: by, Buckets: xinfang.ProgressBuckets, CanManage: xinfang.CanManageCampaigns(u), Form: form, Step: step}
	v.Title, v.Nav = "专项行动 "+g.Name, "campaigns"
	for _, c := range list {
		if c.RemovedOn.IsZero() {
			v.Cases = append(v.Cases, c)
		} else {
			v.Removed = append(v.Removed, c)
		}
	}
	var lines []string
	for _, t := range g.Targets {
		lines = append(lines, fmt.Sprintf("%s %d", t.By, t.Closed))
	}
	v.Targets = strings.Join(lines, "\n")
	if v.CanManage {
		if v.Units, _, err = s.units(r); err != nil {
			return err
		}
	}
	labels := make([]string, len(pr.Periods))
	resolved := chart.Series{Name: "化解", Color: chart.Palette[0]}
	closed := chart.Series{Name: "销号", Color: chart.Palette[2]}
	for i, p := range pr.Periods {
		labels[i] = p.Label
		resolved.Bars = append(resolved.Bars, chart.Bar{Label: p.Label, Value: float64(p.Resolved), Href: v.Href("resolved", p.From, p.To)})
		closed.Bars = append(closed.Bars, chart.Bar{Label: p.Label, Value: float64(p.Closed), Href: v.Href("closed", p.From, p.To)})
	}
	if len(labels) > 0 {
		v.Chart = chart.Columns("化解与销号进度（"+labelOf(xinfang.ProgressBuckets, by)+"）", labels, []chart.Series{resolved, closed}, 760, 220)
	}
	s.fillBase(r, &v.base)
	v.formOutcome(r, map[string]string{
		"create": "专项行动已建立。",
		"edit":   "专项行动已保存。",
		"add":    "已纳入积案 " + r.URL.Query().Get("n") + " 件。",
		"remove": "已移出积案。",
	}, ferr)
	return s.render(w, r, status, "campaign.html", v)
}

func labelOf(list []xinfang.Label, code string) string { return xinfang.LabelOf(list, code) }

// campaignForm serves the forms of a campaign's page: edit, add cases,
// remove a case.
func campaignForm(step string) handler {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if err := parseForm(r); err != nil {
			return err
		}
		form := r.PostForm
		probs := xinfang.Problems{}
		version, verr := strconv.Atoi(form.Get("version"))
		if verr != nil {
			probs.Add("version", "版本号缺失，请刷新页面后重试")
		}
		ctx := r.Context()
		done := "?done=" + step
		switch step {
		case "edit":
			g := campaignFromForm(form, probs)
			if err = probs.Err(); err == nil {
				_, err = s.Campaigns.UpdateCampaign(ctx, id, version, g)
			}
		case "add":
			a := xinfang.CampaignAdd{Version: version, ByFilter: form.Get("mode") == "filter"}
			if a.ByFilter {
				a.UnitID = discFormID(form, "unit_id", "unit_id", probs)
			} else {
				a.CaseNumbers = strings.FieldsFunc(form.Get("case_numbers"), func(r rune) bool {
					return r == ' ' || r == '\n' || r == '\r' || r == ',' || r == '，' || r == '、' || r == '\t'
				})
			}
			var n int
			if err = probs.Err(); err == nil {
				_, n, err = s.Campaigns.AddCampaignCases(ctx, id, a)
			}
			done += "&n=" + strconv.Itoa(n)
		case "remove":
			var caseID int64
			if caseID, err = pathID(r, "case"); err != nil {
				return err
			}
			if err = probs.Err(); err == nil {
				_, err = s.Campaigns.RemoveCampaignCase(ctx, id, version, caseID, form.Get("reason"))
			}
		}
		if err != nil {
			switch xinfang.ErrorCode(err) {
			case xinfang.EINVALID:
				return s.renderCampaign(w, r, http.StatusUnprocessableEntity, id, step, form, err)
			case xinfang.ECONFLICT:
				return s.renderCampaign(w, r, http.StatusConflict, id, step, form, err)
			}
			return err
		}
		http.Redirect(w, r, "/campaigns/"+strconv.FormatInt(id, 10)+done, http.StatusSeeOther)
		return nil
	}
}

type campaignCasesView struct {
	base
	G       *xinfang.Campaign
	Items   []*xinfang.CampaignCase
	Heading string
}

// handleCampaignCases lists the cases behind a figure of a campaign: those
// resolved or struck off within dates, or not yet resolved (of a unit or a
// 包案领导), or all.
func (s *Server) handleCampaignCases(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q := newAPIQuery(r)
	f := xinfang.CampaignCaseFilter{What: q.str("what"), From: q.date("from"), To: q.date("to"), UnitID: q.id("unit_id"), LeaderID: q.id("leader_id")}
	if err := q.err(); err != nil {
		return err
	}
	g, _, list, err := s.Campaigns.CampaignProgress(r.Context(), id, "month")
	if err != nil {
		return err
	}
	v := &campaignCasesView{G: g, Items: f.Pick(g, list, s.today())}
	heading := map[string]string{"resolved": "化解的积案", "closed": "销号的积案", "behind": "尚未化解的积案"}[f.What]
	if heading == "" {
		heading = "纳入的积案"
	}
	if !f.From.IsZero() || !f.To.IsZero() {
		heading += "（" + f.From.String() + " 至 " + f.To.String() + "）"
	}
	v.Heading = heading
	v.Title, v.Nav = g.Name+" · "+heading, "campaigns"
	s.fillBase(r, &v.base)
	return s.render(w, r, http.StatusOK, "campaign_cases.html", v)
}
