package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"xinfang"
	"xinfang/internal/procedure"
)

// apiPage is one page of a petition list.
type apiPage struct {
	Items []*xinfang.Petition `json:"items"`
	Total int                 `json:"total"`
	// TotalCapped says the count stopped: there are more than Total items.
	TotalCapped bool `json:"total_capped"`
	Offset      int  `json:"offset"`
	Limit       int  `json:"limit"`
	// Index is there while the search index is built, when the list is
	// filtered by text (the list may miss older petitions), and while
	// database indexes an upgrade added are built (index.indexes: the list
	// is complete, and may be slow).
	Index *xinfang.IndexStatus `json:"index,omitempty"`
}

const apiDefaultLimit = 50

// apiMask hides ID numbers and phones in lists (security.md: lists show
// them masked); the detail of one item shows them in full.
func apiMask(items []*xinfang.Petition) {
	for _, p := range items {
		if pt := p.Petitioner; pt != nil {
			if pt.IDNumber != "" {
				pt.IDNumber = xinfang.MaskIDNumber(pt.IDNumber)
			}
			if pt.Phone != "" {
				pt.Phone = xinfang.MaskPhone(pt.Phone)
			}
		}
	}
}

// petitionFilter reads the filters of a petition list from q: the one
// parser of GET /api/v1/petitions and of the ledger page (信访台账), so that
// both accept and refuse the same. state may repeat or be a comma list;
// from and to are Shanghai calendar days, both ends included. Paging is
// the caller's; what q did not read, q.err refuses.
func petitionFilter(q *apiQuery) xinfang.PetitionFilter {
	var f xinfang.PetitionFilter
	for _, st := range q.list("state") {
		if !xinfang.State(st).Valid() {
			q.p.Add("state", "未知的状态："+st)
			continue
		}
		f.State = append(f.State, xinfang.State(st))
	}
	f.UnitID = q.id("unit_id")
	if f.Channel = xinfang.Channel(q.str("channel")); f.Channel != "" && !f.Channel.Valid() {
		q.p.Add("channel", "未知的信访形式")
	}
	// A code of the dictionary (at most 32 characters); storage matches
	// it as a prefix, with % and _ as themselves.
	if f.Category = q.str("category"); len(f.Category) > 32 {
		q.p.Add("category", "内容分类代码不超过 32 位")
	}
	if f.Warning = xinfang.Warning(q.str("warning")); f.Warning != "" && !f.Warning.Valid() {
		q.p.Add("warning", "未知的预警等级")
	}
	from, to := q.date("from"), q.date("to")
	if !from.IsZero() {
		f.From = from.Time()
	}
	if !to.IsZero() {
		f.To = to.AddDays(1).Time()
		if !from.IsZero() && to.Before(from) {
			q.p.Add("to", "结束日期不能早于开始日期")
		}
	}
	f.Text = q.str("q")
	f.Petitioner = q.id("petitioner_id")
	f.LegalCase = q.boolean("legal_case")
	f.Repeat = q.boolean("repeat")
	if open := q.boolean("open"); open != nil {
		f.Open = *open
	}
	f.Sort = q.str("sort")
	switch f.Sort {
	case "", "due", "received", "-received", "number":
	default:
		q.p.Add("sort", "排序方式须为 due、received、-received 或 number")
	}
	return f
}

// apiFilter reads the filter and page of GET /api/v1/petitions.
func apiFilter(r *http.Request) (xinfang.PetitionFilter, error) {
	q := newAPIQuery(r)
	f := petitionFilter(q)
	f.Offset = q.number("offset", 0, 1<<30)
	f.Limit = q.number("limit", 1, 500)
	if f.Limit == 0 {
		f.Limit = apiDefaultLimit
	}
	return f, q.err()
}

func (s *Server) apiPetitions(w http.ResponseWriter, r *http.Request) error {
	f, err := apiFilter(r)
	if err != nil {
		return err
	}
	items, total, err := s.Petitions.FindPetitions(r.Context(), f)
	if err != nil {
		return err
	}
	apiMask(items)
	capped := total > xinfang.MaxCount
	if capped {
		total = xinfang.MaxCount
	}
	page := apiPage{Items: items, Total: total, TotalCapped: capped, Offset: f.Offset, Limit: f.Limit}
	page.Index = s.listIndexStatus(r.Context(), f.Text != "")
	writeJSON(w, http.StatusOK, page)
	return nil
}

// apiRegistration is what a client may send to register a petition: the
// registration fields of xinfang.Petition, nothing derived (number, state,
// clocks), so that sending a derived field is refused as unknown.
type apiRegistration struct {
	Channel       xinfang.Channel       `json:"channel"`
	ReceivedAt    string                `json:"received_at"`
	FirstUnitID   int64                 `json:"first_unit_id"`
	Petitioner    *xinfang.Petitioner   `json:"petitioner"`
	CoPetitioners []*xinfang.Petitioner `json:"co_petitioners"`
	PersonCount   int                   `json:"person_count"`
	InvolvedCount int                   `json:"involved_count"`
	Group         bool                  `json:"group"`
	Summary       string                `json:"summary"`
	Content       string                `json:"content"`
	Request       string                `json:"request"`
	Category      string                `json:"category"`
	Purpose       xinfang.Purpose       `json:"purpose"`
	Reason        string                `json:"reason"`
	LocalityID    int64                 `json:"locality_id"`
	Accused       string                `json:"accused"`
	System        string                `json:"system"`
	LegalCase     bool                  `json:"legal_case"`
	Urgent        bool                  `json:"urgent"`
	Anonymous     bool                  `json:"anonymous"`
	Threat        bool                  `json:"threat"`
	Hot           bool                  `json:"hot"`
	Public        bool                  `json:"public"`
	CrossFlags    string                `json:"cross_flags"`
	Escalation    xinfang.Escalation    `json:"escalation"`
	Repeat        bool                  `json:"repeat"`
	RepeatOfID    int64                 `json:"repeat_of_id"`
	RiskLevel     xinfang.RiskLevel     `json:"risk_level"`
	RiskReason    string                `json:"risk_reason"`
}

func (in *apiRegistration) petition() (*xinfang.Petition, error) {
	// received_at is read as text so that a malformed time is reported
	// against its field, not as an unreadable body.
	at, err := apiInstant("received_at", in.ReceivedAt)
	if err != nil {
		return nil, err
	}
	for _, c := range in.CoPetitioners {
		if c == nil {
			return nil, xinfang.FieldError("co_petitioners", "联名信访人不能为空")
		}
	}
	return &xinfang.Petition{
		Channel: in.Channel, ReceivedAt: at, FirstUnitID: in.FirstUnitID, Petitioner: in.Petitioner, CoPetitioners: in.CoPetitioners,
		PersonCount: in.PersonCount, InvolvedCount: in.InvolvedCount, Group: in.Group, Summary: in.Summary, Content: in.Content,
		Request: in.Request, Category: in.Category, Purpose: in.Purpose, Reason: in.Reason, LocalityID: in.LocalityID,
		Accused: in.Accused, System: in.System, LegalCase: in.LegalCase, Urgent: in.Urgent, Anonymous: in.Anonymous,
		Threat: in.Threat, Hot: in.Hot, Public: in.Public, CrossFlags: in.CrossFlags, Escalation: in.Escalation,
		Repeat: in.Repeat, RepeatOfID: in.RepeatOfID, RiskLevel: in.RiskLevel, RiskReason: in.RiskReason,
	}, nil
}

func (s *Server) apiRegister(w http.ResponseWriter, r *http.Request) error {
	var in apiRegistration
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	p, err := in.petition()
	if err != nil {
		return err
	}
	// Idempotency-Key: a repeat of the request under the same key gives
	// back the item the first one registered (200, Idempotent-Replayed),
	// with its 查询码, instead of registering it again.
	canonical, err := json.Marshal(in)
	if err != nil {
		return err
	}
	p, replayed, err := s.Petitions.RegisterPetitionOnce(r.Context(), p, r.Header.Get("Idempotency-Key"), digestOf(canonical))
	if err != nil {
		return err
	}
	// The answer is the petition as registration left it, not read back:
	// RegisterPetition fills in everything the detail shows (a test checks
	// it is what GET answers). The 查询码 exists in plain text only in
	// this reply (and, sealed, for a day under an idempotency key);
	// storage keeps its hash.
	w.Header().Set("Location", "/api/v1/petitions/"+strconv.FormatInt(p.ID, 10))
	d, err := s.apiDetail(r, p)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if replayed {
		status = http.StatusOK
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeJSON(w, status, d)
	return nil
}

// apiField describes one input of an action, for a client building the form.
type apiField struct {
	Name     string          `json:"name"`
	Label    string          `json:"label"`
	Kind     string          `json:"kind"` // text, date, int, choice, unit, petition
	Required bool            `json:"required"`
	Choices  []xinfang.Label `json:"choices,omitempty"`
	Min      int             `json:"min,omitempty"`
	Max      int             `json:"max,omitempty"`
}

// apiAction is an action the user may take now.
type apiAction struct {
	Code   string     `json:"code"`
	Label  string     `json:"label"`
	To     string     `json:"to,omitempty"` // the state it leads to; empty keeps the state
	Fields []apiField `json:"fields"`
}

var apiFieldKinds = map[procedure.FieldKind]string{
	procedure.FieldText: "text", procedure.FieldDate: "date", procedure.FieldInt: "int",
	procedure.FieldChoice: "choice", procedure.FieldUnit: "unit", procedure.FieldPetition: "petition",
	procedure.FieldChoices: "choices",
}

func apiActionOf(t *procedure.Transition) apiAction {
	a := apiAction{Code: string(t.Action), Label: t.Action.Label(), To: string(t.To), Fields: []apiField{}}
	for _, f := range t.Fields {
		af := apiField{Name: f.Name, Label: f.Label, Kind: apiFieldKinds[f.Kind], Required: f.Required, Choices: f.Choices}
		if f.Kind == procedure.FieldInt {
			af.Min, af.Max = f.Min, f.Max
		}
		a.Fields = append(a.Fields, af)
	}
	return a
}

// apiPetitionDetail is a petition with the actions the user may take now.
type apiPetitionDetail struct {
	*xinfang.Petition
	AllowedActions []apiAction `json:"allowed_actions"`
	// Unmasked says the petitioners' ID numbers, phones and addresses are
	// shown in full (?unmask=1, recorded in the audit log); MayUnmask that
	// the user may ask for them (xinfang.CanUnmask).
	Unmasked  bool `json:"unmasked"`
	MayUnmask bool `json:"may_unmask"`
}

// apiDetail is a petition as the API shows one, its personal data masked
// unless the request asks and may see it (protectPersonal).
func (s *Server) apiDetail(r *http.Request, p *xinfang.Petition) (apiPetitionDetail, error) {
	d := apiPetitionDetail{Petition: p, AllowedActions: []apiAction{}}
	var err error
	if d.Unmasked, d.MayUnmask, err = protectPersonal(r, p); err != nil {
		return d, err
	}
	for _, t := range s.Procedure(r.Context()).Allowed(p, xinfang.UserFromContext(r.Context())) {
		d.AllowedActions = append(d.AllowedActions, apiActionOf(t))
	}
	return d, nil
}

func (s *Server) apiPetition(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.Petitions.FindPetitionByID(r.Context(), id)
	if err != nil {
		return err
	}
	d, err := s.apiDetail(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) apiEvents(w http.ResponseWriter, r *http.Request) error {
	return serveListByID(w, r, s.Petitions.FindEvents)
}

// apiVerification is the result of checking a petition's tamper
// evidence: its hash chain, its registered content and its state.
type apiVerification struct {
	OK      bool   `json:"ok"`
	Message string `json:"message"`
}

func (s *Server) apiVerify(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	n, err := s.Petitions.VerifyEvents(r.Context(), id)
	v := apiVerification{OK: true, Message: "共 " + strconv.Itoa(n) + " 条办理记录，哈希链完整，登记内容和当前状态与记录相符"}
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.ECONFLICT {
			return err
		}
		v = apiVerification{OK: false, Message: xinfang.ErrorMessage(err)}
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// apiActionBody is the body of POST …/actions/{action}. Data values may be
// JSON strings, numbers or booleans; the procedure reads them as text.
type apiActionBody struct {
	Version *int           `json:"version"`
	Note    string         `json:"note"`
	At      string         `json:"at"`
	Data    map[string]any `json:"data"`
}

func (in *apiActionBody) input(action string) (xinfang.ActionInput, error) {
	p := xinfang.Problems{}
	out := xinfang.ActionInput{Action: xinfang.Action(action), Note: in.Note, Data: map[string]string{}}
	if in.Version == nil {
		p.Add("version", "请提供读取信访件时的版本号 version")
	} else {
		out.Version = *in.Version
	}
	at, err := apiInstant("at", in.At)
	if err != nil {
		p.Add("at", xinfang.ErrorFields(err)["at"])
	}
	out.At = at
	for k, v := range in.Data {
		switch x := v.(type) {
		case nil:
		case string:
			out.Data[k] = x
		case float64:
			out.Data[k] = strconv.FormatFloat(x, 'f', -1, 64)
		case bool:
			out.Data[k] = strconv.FormatBool(x)
		default:
			p.Add(k, "须为文字、数字或布尔值")
		}
	}
	return out, p.Err()
}

func (s *Server) apiAct(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var body apiActionBody
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	in, err := body.input(strings.TrimSpace(r.PathValue("action")))
	if err != nil {
		return err
	}
	p, err := s.Petitions.Act(r.Context(), id, in)
	if err != nil {
		return err
	}
	d, err := s.apiDetail(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) apiMatches(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	idNumber, phone, orgCode := q.str("id_number"), q.str("phone"), q.str("org_code")
	limit := q.number("limit", 1, 50)
	if idNumber != "" {
		if err := xinfang.ValidateIDNumber(idNumber, s.Now()); err != nil {
			q.p.Add("id_number", err.Error())
		}
	}
	if phone != "" {
		if err := xinfang.ValidatePhone(phone); err != nil {
			q.p.Add("phone", err.Error())
		}
	}
	if orgCode != "" {
		if err := xinfang.ValidateUSCC(orgCode); err != nil {
			q.p.Add("org_code", err.Error())
		}
	}
	if err := q.err(); err != nil {
		return err
	}
	matches, err := s.Petitioners.FindPersonMatches(r.Context(), idNumber, orgCode, phone, limit)
	if err != nil {
		return err
	}
	for _, m := range matches {
		apiMask([]*xinfang.Petition{m.Petition})
	}
	writeJSON(w, http.StatusOK, apiList[xinfang.PersonMatch]{Items: matches})
	return nil
}
