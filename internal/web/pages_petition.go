package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/docs"
	"xinfang/internal/procedure"
)

// kv is one labelled value of an event's data, with a link when it names
// another item.
type kv struct {
	Label, Value, Href string
}

type eventView struct {
	*xinfang.Event
	UnitName string
	Data     []kv
}

// fieldView is one input of an action form, built from the transition's
// Fields so that the form always asks for what the procedure needs.
type fieldView struct {
	Name, Label, Kind string
	Required          bool
	Choices           []xinfang.Label
	Min, Max          int
	Value, Err        string
}

// Picked reports whether code is among the chosen of a "choices" field.
func (f fieldView) Picked(code string) bool {
	return slices.Contains(xinfang.SplitCodes(f.Value), code)
}

type actionView struct {
	Action  xinfang.Action
	Label   string
	Fields  []fieldView
	Note    string
	NoteErr string
	Open    bool
	Error   string
	Primary bool
	Hint    string // what the action is, where two are easily confused
	// Wide forms write a document's text (答复 → 信访处理意见书): they
	// take the main column's width. Becomes names the document.
	Wide    bool
	Becomes string
	// What the form needs of the page.
	P     *xinfang.Petition
	CSRF  string
	Units []*xinfang.Unit
}

// wideActions are the actions whose text becomes a document.
var wideActions = map[xinfang.Action]string{
	xinfang.ActReply:         "信访处理意见书",
	xinfang.ActReviewReply:   "复查意见书",
	xinfang.ActRereviewReply: "复核意见书",
}

// actionHints tell apart the actions that sound alike (第二十二条).
var actionHints = map[xinfang.Action]string{
	xinfang.ActTransfer: "转送：按属地管理、分级负责，谁主管、谁负责，把信访事项转给有权处理的机关、单位，由其受理、办理并答复信访人。",
	xinfang.ActAssign:   "交办：把重要信访事项交给有权处理的机关、单位办理，要求其在期限内报告办理结果（办结报告），本机关跟踪督促。",
}

type docLink struct {
	Doc, Label, Href string
}

type petitionView struct {
	base
	P           *xinfang.Petition
	Unmasked    bool // the petitioners' personal data shown in full (protectPersonal)
	MayUnmask   bool
	CatLabel    string
	ReasonLabel string
	FirstUnit   string
	Flags       []string
	Events      []*eventView
	Actions     []*actionView
	Units       []*xinfang.Unit
	Docs        []docLink
	Evaluation  string
	RepeatOf    string // the number of the item this one repeats
	Attachments *attachmentsView
	// CanSupervise: the user may issue a 督办单 (the page links to the form).
	CanSupervise bool
	// Intake is the record of an item submitted online (网上信访).
	Intake *xinfang.Intake
	// Messages are the messages sent (or to be sent) to the petitioner.
	Messages []*xinfang.OutMessage
	// Screening is the screening report the item came from (排查发现), and
	// Decisions the major decisions (稳评) it is linked to, that the reader sees.
	Screening *xinfang.ScreeningReport
	Decisions []*xinfang.RiskAssessment
	// Followups are the follow-up visits (跟踪回访) after its reply.
	Followups []*xinfang.Followup
	// Receptions are the matters leaders received about the item (领导接访).
	Receptions []xinfang.ReceptionMatter
}

// actionAttempt is a submitted action form that failed, to show again.
type actionAttempt struct {
	Action xinfang.Action
	Values url.Values
	Err    error
}

var evaluationLabels = []xinfang.Label{{Code: "pending", Label: "待评价"}, {Code: "done", Label: "已评价"}, {Code: "expired", Label: "超期未评价"}, {Code: "excluded", Label: "不参与评价"}}

// primaryActions are shown first and open: the step that usually comes next.
var primaryActions = map[xinfang.Action]bool{xinfang.ActSign: true, xinfang.ActAccept: true, xinfang.ActReply: true, xinfang.ActDeliver: true, xinfang.ActTransfer: true}

func (s *Server) handlePetition(w http.ResponseWriter, r *http.Request) error {
	id, err := petitionPathID(r)
	if err != nil {
		return err
	}
	v, err := s.petitionPage(r, id, nil)
	if err != nil {
		return err
	}
	if done := xinfang.Action(r.URL.Query().Get("done")); done != "" && xinfang.LabelOf(xinfang.Actions, string(done)) != string(done) {
		v.Notice = "已办理：" + done.Label()
	}
	return s.render(w, r, http.StatusOK, "petition.html", v)
}

// petitionPage builds the petition page; a failed action form is shown
// open, with its values and messages.
func (s *Server) petitionPage(r *http.Request, id int64, failed *actionAttempt) (*petitionView, error) {
	ctx := r.Context()
	u := xinfang.UserFromContext(ctx)
	p, err := s.Petitions.FindPetitionByID(ctx, id)
	if err != nil {
		return nil, err
	}
	events, err := s.Petitions.FindEvents(ctx, id)
	if err != nil {
		return nil, err
	}
	units, idx, err := s.units(r)
	if err != nil {
		return nil, err
	}
	_, cats, err := s.categories(r)
	if err != nil {
		return nil, err
	}
	v := &petitionView{P: p, Units: units, CatLabel: cats[p.Category], FirstUnit: idx.Name(p.FirstUnitID), CanSupervise: xinfang.CanIssueSupervision(u, nil)}
	if v.Unmasked, v.MayUnmask, err = protectPersonal(r, p); err != nil {
		return nil, err
	}
	if v.CatLabel == "" {
		v.CatLabel = p.Category
	}
	if p.Reason != "" {
		v.ReasonLabel = s.Directory.DictLabel(ctx, xinfang.DictReason, p.Reason)
	}
	v.Title, v.Nav = "信访件 "+p.Number, "ledger"
	s.fillBase(r, &v.base)
	parts := make([]partOption, 0, len(events))
	for _, e := range events {
		parts = append(parts, partOption{partValue(xinfang.PartEvent, e.ID), fmt.Sprintf("第 %d 条办理记录：%s %s", e.Seq, e.Action.Label(), calendar.DateOf(e.At).String())})
	}
	parts = append(parts, s.supervisionParts(ctx, xinfang.SupervisionFilter{PetitionID: id})...)
	if v.Attachments, err = s.attachmentsOf(r, xinfang.AttachPetition, id, "/petitions", xinfang.CanUnmask(u, p), v.CSRF, parts...); err != nil {
		return nil, err
	}
	if s.Outbox != nil {
		if v.Messages, err = s.Outbox.FindMessages(ctx, id); err != nil {
			return nil, err
		}
	}
	if s.Followups != nil && xinfang.CanReadFollowups(u) {
		if v.Followups, _, err = s.Followups.FindFollowups(ctx, id); err != nil {
			return nil, err
		}
	}
	if s.Receptions != nil {
		if v.Receptions, err = s.Receptions.FindPetitionReceptions(ctx, id); err != nil {
			return nil, err
		}
	}
	if s.Portal != nil && p.Channel == xinfang.ChannelOnline {
		if v.Intake, err = s.Portal.FindIntakeOf(ctx, id); err != nil && xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
			return nil, err
		}
	}
	if v.Screening, v.Decisions, err = s.screeningOf(ctx, id, false); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		on    bool
		label string
	}{{p.LegalCase, "涉法涉诉"}, {p.Urgent, "重大紧急"}, {p.Anonymous, "匿名"}, {p.Threat, "扬言"}, {p.Hot, "热点"}, {p.Public, "公开"}, {p.Group, "集体访"}, {p.Repeat, "重复件"}} {
		if f.on {
			v.Flags = append(v.Flags, f.label)
		}
	}
	if p.RepeatOfID != 0 {
		// Out of the user's scope the earlier item stays a bare id.
		if orig, err := s.Petitions.FindPetitionByID(ctx, p.RepeatOfID); err == nil {
			v.RepeatOf = orig.Number
		}
	}
	if p.Evaluation != "" {
		v.Evaluation = xinfang.LabelOf(evaluationLabels, p.Evaluation)
	}
	for _, e := range events {
		v.Events = append(v.Events, &eventView{Event: e, UnitName: idx.Name(e.ActorUnitID), Data: eventData(e, idx)})
	}
	for _, k := range docs.Available(&docs.Source{P: p, Events: events}) {
		v.Docs = append(v.Docs, docLink{Doc: string(k), Label: k.Title(), Href: "/petitions/" + strconv.FormatInt(p.ID, 10) + "/print/" + string(k)})
	}
	for _, t := range s.Procedure(ctx).Allowed(p, u) {
		a := &actionView{Action: t.Action, Label: t.Action.Label(), Primary: primaryActions[t.Action], Hint: actionHints[t.Action],
			Becomes: wideActions[t.Action], Wide: wideActions[t.Action] != "", P: p, Units: units, CSRF: v.CSRF}
		var values url.Values
		var fieldErrs map[string]string
		if failed != nil && failed.Action == t.Action {
			a.Open, values = true, failed.Values
			a.Error, fieldErrs = formMessage(failed.Err), xinfang.ErrorFields(failed.Err)
			a.Note, a.NoteErr = values.Get("note"), fieldErrs["note"]
		}
		for _, f := range t.Fields {
			fv := fieldView{Name: f.Name, Label: f.Label, Kind: fieldKind(f.Kind), Required: f.Required, Choices: f.Choices, Min: f.Min, Max: f.Max}
			if values != nil {
				fv.Value = values.Get(f.Name)
				if f.Kind == procedure.FieldChoices {
					fv.Value = strings.Join(values[f.Name], ",")
				}
			}
			fv.Err = fieldErrs[f.Name]
			a.Fields = append(a.Fields, fv)
		}
		v.Actions = append(v.Actions, a)
	}
	// The usual next steps first; the table's order otherwise.
	sort.SliceStable(v.Actions, func(i, j int) bool { return v.Actions[i].Primary && !v.Actions[j].Primary })
	return v, nil
}

func fieldKind(k procedure.FieldKind) string {
	switch k {
	case procedure.FieldChoices:
		return "choices"
	case procedure.FieldDate:
		return "date"
	case procedure.FieldInt:
		return "int"
	case procedure.FieldChoice:
		return "choice"
	case procedure.FieldUnit:
		return "unit"
	case procedure.FieldPetition:
		return "petition"
	}
	return "text"
}

// eventData renders an event's data with the labels of its action's
// fields, choices as their Chinese labels, units by name.
func eventData(e *xinfang.Event, idx unitIndex) []kv {
	if len(e.Data) == 0 {
		return nil
	}
	seen := map[string]bool{}
	var out []kv
	if e.Action == xinfang.ActRegister {
		if c, ok := e.Data["channel"]; ok {
			out = append(out, kv{Label: "信访形式", Value: xinfang.Channel(c).Label()})
			seen["channel"] = true
		}
		// The MAC of the registered content is for verification, not
		// for reading; the repeat link as registered is a link.
		seen["registered"], seen["repeat"], seen["repeat_of"] = true, true, true
		if of := e.Data["repeat_of"]; of != "" {
			out = append(out, kv{Label: "重复件", Value: "信访件 #" + of, Href: "/petitions/" + of})
		} else if e.Data["repeat"] == "1" {
			out = append(out, kv{Label: "重复件", Value: "是"})
		}
	}
	if e.Action == xinfang.ActImport {
		out, seen = importEventData(e, idx), map[string]bool{"channel": true, "unit_id": true, "outcome": true, "state_on": true,
			"import": true, "row": true, "registered": true, "received_on": true}
	}
	if t, ok := procedure.Find(e.Action); ok {
		for _, f := range t.Fields {
			val, ok := e.Data[f.Name]
			if !ok || val == "" {
				continue
			}
			seen[f.Name] = true
			item := kv{Label: f.Label, Value: val}
			switch f.Kind {
			case procedure.FieldChoice:
				item.Value = xinfang.LabelOf(f.Choices, val)
			case procedure.FieldChoices:
				var labels []string
				for _, c := range xinfang.SplitCodes(val) {
					labels = append(labels, xinfang.LabelOf(f.Choices, c))
				}
				item.Value = strings.Join(labels, "、")
			case procedure.FieldUnit:
				if id, err := strconv.ParseInt(val, 10, 64); err == nil && idx.Name(id) != "" {
					item.Value = idx.Name(id)
				}
			case procedure.FieldPetition:
				item.Value, item.Href = "信访件 #"+val, "/petitions/"+val
			case procedure.FieldInt:
				if f.Name == "days" {
					item.Value = val + " 日"
				}
			}
			out = append(out, item)
		}
	}
	var rest []string
	for k := range e.Data {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		label := k
		if l, ok := extraDataLabels[k]; ok {
			label = l
		}
		val := e.Data[k]
		if k == "source" {
			val = xinfang.LabelOf(eventSources, val)
		}
		out = append(out, kv{Label: label, Value: val})
	}
	return out
}

// eventSources say who gave an evaluation or request: the petitioner on
// the portal, or staff entering one received on paper or in person.
var eventSources = []xinfang.Label{{Code: "portal", Label: "信访人网上提交"}, {Code: "staff", Label: "工作人员代录（纸质或当面）"}}

// extraDataLabels name event data that no transition field describes,
// such as what storage records with the register event.
var extraDataLabels = map[string]string{
	"received_on": "收到日期", "channel": "信访形式", "unit_id": "承办单位", "merged_from": "合并自", "by": "经办",
	"source": "来源", "comment": "评价意见",
}

// formError reports whether a page shows err beside the form that caused
// it, rather than as an error page: bad input, a conflict, a refusal.
func formError(err error) bool {
	switch xinfang.ErrorCode(err) {
	case xinfang.EINVALID, xinfang.ECONFLICT, xinfang.EFORBIDDEN:
		return true
	}
	return false
}

// formMessage is the message of a failed form for the page: the field
// messages in words, without the field names that the API shows.
func formMessage(err error) string {
	fields := xinfang.ErrorFields(err)
	if len(fields) == 0 || xinfang.ErrorCode(err) != xinfang.EINVALID {
		// A conflict or a refusal says it best in its own sentence.
		return xinfang.ErrorMessage(err)
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	msgs := make([]string, len(keys))
	for i, k := range keys {
		msgs[i] = fields[k]
	}
	return strings.Join(msgs, "；")
}

// handleAction applies one action from its form and goes back to the
// petition page (303), or shows the page again with the form's messages.
func (s *Server) handleAction(w http.ResponseWriter, r *http.Request) error {
	id, err := petitionPathID(r)
	if err != nil {
		return err
	}
	t, ok := procedure.Find(xinfang.Action(r.PathValue("action")))
	if !ok {
		return xinfang.Errorf(xinfang.ENOTFOUND, "未知的办理操作")
	}
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	in := xinfang.ActionInput{Action: t.Action, Note: form.Get("note"), Data: map[string]string{}}
	probs := xinfang.Problems{}
	if in.Version, err = strconv.Atoi(form.Get("version")); err != nil {
		probs.Add("version", "版本号缺失，请刷新页面后重试")
	}
	for _, f := range t.Fields {
		val := strings.TrimSpace(form.Get(f.Name))
		if f.Kind == procedure.FieldChoices {
			val = strings.Join(form[f.Name], ",")
		}
		if f.Kind == procedure.FieldPetition && val != "" {
			// Staff type an item's number; the procedure takes its id.
			pid, err := s.petitionRef(r, val)
			if err != nil {
				probs.Add(f.Name, f.Label+"不存在或无权查看")
				continue
			}
			val = strconv.FormatInt(pid, 10)
		}
		if val != "" {
			in.Data[f.Name] = val
		}
	}
	err = probs.Err()
	if err == nil {
		_, err = s.Petitions.Act(r.Context(), id, in)
	}
	if err == nil {
		http.Redirect(w, r, "/petitions/"+strconv.FormatInt(id, 10)+"?done="+url.QueryEscape(string(t.Action))+"#timeline", http.StatusSeeOther)
		return nil
	}
	if !formError(err) {
		return err
	}
	v, perr := s.petitionPage(r, id, &actionAttempt{Action: t.Action, Values: form, Err: err})
	if perr != nil {
		return perr
	}
	// The action may no longer be offered (someone else moved the item
	// on): say so at the top of the page.
	shown := false
	for _, a := range v.Actions {
		shown = shown || a.Action == t.Action
	}
	v.Error = "「" + t.Action.Label() + "」未完成：" + formMessage(err)
	if !shown {
		v.Error += "（该操作当前不可用）"
	}
	return s.render(w, r, statusOf(xinfang.ErrorCode(err)), "petition.html", v)
}
