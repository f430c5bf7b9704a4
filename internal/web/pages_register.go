package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
)

// coRows is how many co-petitioner (联名) rows the form offers.
const coRows = 3

type registerView struct {
	base
	Form url.Values
	// Fresh: the form as first shown, which a kept draft may fill
	// (app.js); a form sent back with its errors keeps what was sent.
	Fresh       bool
	Units       []*xinfang.Unit
	Categories  []*category
	Reasons     []xinfang.DictEntry
	Ethnicities []xinfang.DictEntry
	Occupations []xinfang.DictEntry
	CoRows      []int
	// CrossFlags are the 三跨三分离 kinds: the form posts codes and shows labels.
	CrossFlags []xinfang.Label
	// AttachmentLimit says the largest file; FilesDropped that the form
	// came back without the files it was posted with (a browser cannot
	// keep them).
	AttachmentLimit string
	FilesDropped    bool
}

// Has reports whether the multi-valued field name holds value.
func (v *registerView) Has(name, value string) bool {
	for _, x := range v.Form[name] {
		if x == value {
			return true
		}
	}
	return false
}

// Co returns the form value of a co-petitioner row.
func (v *registerView) Co(i int, field string) string {
	return v.Form.Get("co_petitioners." + strconv.Itoa(i) + "." + field)
}

// CoErr returns the message for a co-petitioner row's field.
func (v *registerView) CoErr(i int, field string) string {
	return v.Fields["co_petitioners."+strconv.Itoa(i)+"."+field]
}

type createdView struct {
	base
	Petition *xinfang.Petition
}

func (s *Server) registerForm(r *http.Request, form url.Values) (*registerView, error) {
	v := &registerView{Form: form, CrossFlags: xinfang.CrossFlags, AttachmentLimit: strconv.FormatInt(s.attachmentLimit()>>20, 10) + " MB"}
	for i := 0; i < coRows; i++ {
		v.CoRows = append(v.CoRows, i)
	}
	v.Title, v.Nav = "信访登记", "new"
	s.fillBase(r, &v.base)
	s.noteIndex(r, &v.base) // the repeat check while typing
	var err error
	if v.Units, _, err = s.units(r); err != nil {
		return nil, err
	}
	if v.Categories, _, err = s.categories(r); err != nil {
		return nil, err
	}
	if v.Reasons, err = s.dict(r, xinfang.DictReason); err != nil {
		return nil, err
	}
	if v.Ethnicities, err = s.dict(r, xinfang.DictEthnicity); err != nil {
		return nil, err
	}
	if v.Occupations, err = s.dict(r, xinfang.DictOccupation); err != nil {
		return nil, err
	}
	return v, nil
}

func (s *Server) handleNewPetition(w http.ResponseWriter, r *http.Request) error {
	u := xinfang.UserFromContext(r.Context())
	form := url.Values{}
	form.Set("channel", string(xinfang.ChannelVisit))
	form.Set("received_at", s.Now().In(calendar.Location()).Format("2006-01-02T15:04"))
	form.Set("petitioner.id_type", string(xinfang.IDCard))
	form.Set("person_count", "1")
	// 问题属地 is where the matter lies. A town's or a department's
	// registrar mostly takes in matters of its own; a bureau's, or the
	// city's, takes in matters of every place, and its own unit as the
	// default would put them all there (and make every repeat check say
	// "问题属地不同"), so it chooses.
	if u.Unit == nil || (u.Unit.Kind != xinfang.UnitBureau && u.Unit.Kind != xinfang.UnitCity) {
		form.Set("locality_id", strconv.FormatInt(u.UnitID, 10))
	}
	form.Set("idempotency_key", newFormKey())
	v, err := s.registerForm(r, form)
	if err != nil {
		return err
	}
	v.Fresh = true
	return s.render(w, r, http.StatusOK, "register.html", v)
}

// handleCreatePetition registers the form's petition. On bad input the
// form comes back with every value kept and each message beside its field;
// on success the browser is sent on (Post/Redirect/Get) to the page that
// shows the number and, once only, the 查询码, so that reloading it
// registers nothing. The form carries an idempotency key: the same form
// posted again — a reload of the POST, a double click — gives back the
// item the first post registered.
func (s *Server) handleCreatePetition(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	p, probs := s.petitionFromForm(r, form)
	files, err := formFiles(r, "files")
	if err != nil {
		return err
	}
	defer closeAll(files)
	for _, f := range files {
		p.Files = append(p.Files, f.Upload)
	}
	err = probs.Err()
	replayed := false
	if err == nil {
		p, replayed, err = s.Petitions.RegisterPetitionOnce(r.Context(), p, form.Get("idempotency_key"), formDigest(form))
	} else {
		// Report the domain's checks together with the form's own.
		if verr := p.Validate(s.Now()); verr != nil {
			for k, m := range xinfang.ErrorFields(verr) {
				probs.Add(k, m)
			}
			err = probs.Err()
		}
	}
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		v, ferr := s.registerForm(r, form)
		if ferr != nil {
			return ferr
		}
		v.Fields = map[string]string{}
		for k, m := range xinfang.ErrorFields(err) {
			v.Fields[k] = m
		}
		if m, ok := v.Fields["repeat_of_id"]; ok {
			v.Fields["repeat_of"] = m
		}
		v.Error = "登记未完成，请按各栏提示更正后重新提交。"
		v.FilesDropped = len(files) > 0
		if _, reused := v.Fields["idempotency_key"]; reused {
			// The form was registered before and has been changed since:
			// a new key makes the next post a new registration.
			form.Set("idempotency_key", newFormKey())
			v.Error = "此表单已经登记过一件，之后内容有改动。如确需另行登记，请核对后再次提交。"
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "register.html", v)
	}
	// The 查询码 travels to the next page in a cookie of that page alone,
	// which the page clears: it is shown once, to this browser, and not
	// again when the same form is posted again.
	created := "/petitions/" + strconv.FormatInt(p.ID, 10) + "/created"
	if !replayed {
		http.SetCookie(w, &http.Cookie{Name: queryCodeCookie, Value: p.QueryCode, Path: created, HttpOnly: true,
			Secure: s.Secure || s.isHTTPS(r), SameSite: http.SameSiteStrictMode, MaxAge: 600})
	}
	http.Redirect(w, r, created, http.StatusSeeOther)
	return nil
}

// queryCodeCookie carries a new item's 查询码 to the page that shows it.
const queryCodeCookie = "xf_query_code"

// handleCreated shows a registered item's number and, the first time
// only, its 查询码.
func (s *Server) handleCreated(w http.ResponseWriter, r *http.Request) error {
	id, err := petitionPathID(r)
	if err != nil {
		return err
	}
	p, err := s.Petitions.FindPetitionByID(r.Context(), id)
	if err != nil {
		return err
	}
	p.QueryCode = ""
	if c, err := r.Cookie(queryCodeCookie); err == nil {
		p.QueryCode = c.Value
		http.SetCookie(w, &http.Cookie{Name: queryCodeCookie, Path: r.URL.Path, HttpOnly: true, Secure: s.Secure || s.isHTTPS(r),
			SameSite: http.SameSiteStrictMode, MaxAge: -1})
	}
	w.Header().Set("Cache-Control", "no-store")
	v := &createdView{Petition: p}
	v.Title, v.Nav = "登记成功", "new"
	s.fillBase(r, &v.base)
	return s.render(w, r, http.StatusOK, "created.html", v)
}

// newFormKey is a fresh idempotency key for a form: 128 random bits.
func newFormKey() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// formDigest is the hash of a form's content: every field but the CSRF
// token and the idempotency key, in the order of their names.
func formDigest(form url.Values) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(form)) {
		if k == "csrf_token" || k == "idempotency_key" {
			continue
		}
		for _, v := range form[k] {
			fmt.Fprintf(&b, "%q=%q\n", k, v)
		}
	}
	return digestOf([]byte(b.String()))
}

// digestOf is the hex SHA-256 of a request's content.
func digestOf(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// petitionFromForm reads the registration form. Problems holds what the
// form itself could not read (numbers, dates, references); the domain's
// Validate checks the rest.
func (s *Server) petitionFromForm(r *http.Request, f url.Values) (*xinfang.Petition, xinfang.Problems) {
	probs := xinfang.Problems{}
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	flag := func(k string) bool { return get(k) != "" }
	p := &xinfang.Petition{
		Channel: xinfang.Channel(get("channel")), Summary: get("summary"), Content: get("content"), Request: get("request"),
		Category: get("category"), Purpose: xinfang.Purpose(get("purpose")), Reason: get("reason"), Accused: get("accused"),
		LegalCase: flag("legal_case"), Urgent: flag("urgent"), Anonymous: flag("anonymous"), Threat: flag("threat"),
		Hot: flag("hot"), Public: flag("public"), Escalation: xinfang.Escalation(get("escalation")), RiskLevel: xinfang.RiskLevel(get("risk_level")), RiskReason: get("risk_reason"),
	}
	if v := get("received_at"); v != "" {
		t, ok := parseLocal(v)
		if !ok {
			probs.Add("received_at", "收到时间格式错误")
		}
		p.ReceivedAt = t
	}
	intField := func(k string) int {
		n, ok := formInt(get(k))
		if !ok || n < 0 {
			probs.Add(k, "须为非负整数")
		}
		return n
	}
	p.PersonCount, p.InvolvedCount = intField("person_count"), intField("involved_count")
	idField := func(k string) int64 {
		v := get(k)
		if v == "" {
			return 0
		}
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			probs.Add(k, "请从列表中选择")
		}
		return id
	}
	p.LocalityID, p.FirstUnitID = idField("locality_id"), idField("first_unit_id")
	// The codes as sent: Validate refuses an unknown one, as for the API.
	p.CrossFlags = strings.Join(f["cross_flags"], ",")
	if ref := get("repeat_of"); ref != "" {
		id, err := s.petitionRef(r, ref)
		if err != nil {
			probs.Add("repeat_of", "原信访件不存在或无权查看")
		}
		p.RepeatOfID = id
	}
	pt := petitionerFromForm(f, "petitioner.")
	if pt.Name != "" || !p.Anonymous {
		p.Petitioner = pt
	}
	for i := 0; i < coRows; i++ {
		c := petitionerFromForm(f, "co_petitioners."+strconv.Itoa(i)+".")
		if c.Name == "" && c.IDNumber == "" && c.Phone == "" {
			continue
		}
		p.CoPetitioners = append(p.CoPetitioners, c)
	}
	return p, probs
}

func petitionerFromForm(f url.Values, prefix string) *xinfang.Petitioner {
	get := func(k string) string { return strings.TrimSpace(f.Get(prefix + k)) }
	pt := &xinfang.Petitioner{
		Name: get("name"), IDType: xinfang.IDType(get("id_type")), IDNumber: get("id_number"), OrgCode: get("org_code"), Phone: get("phone"),
		Gender: get("gender"), Ethnicity: get("ethnicity"), Occupation: get("occupation"), HukouAddress: get("hukou_address"),
		Residence: get("residence"), Address: get("address"), KeyPerson: get("key_person") != "", KeyReason: get("key_reason"),
		Foreign: get("foreign") != "", Org: get("org") != "",
	}
	if pt.IDNumber == "" && pt.IDType == xinfang.IDCard {
		pt.IDType = "" // the select's default names no number
	}
	return pt
}

// petitionRef resolves a petition named by its number or its id, within
// the user's scope.
// caseRef resolves a backlog case a form names by its number
// (JZ-JA-2026-0001), in the user's scope; 0 for none.
func (s *Server) caseRef(r *http.Request, ref string) (int64, error) {
	if ref = strings.TrimSpace(ref); ref == "" {
		return 0, nil
	}
	c, err := s.Cases.FindCaseByNumber(r.Context(), ref)
	if err != nil {
		return 0, err
	}
	return c.ID, nil
}

func (s *Server) petitionRef(r *http.Request, ref string) (int64, error) {
	ref = strings.TrimSpace(ref)
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil && id > 0 {
		if _, err := s.Petitions.FindPetitionByID(r.Context(), id); err != nil {
			return 0, err
		}
		return id, nil
	}
	p, err := s.Petitions.FindPetitionByNumber(r.Context(), ref)
	if err != nil {
		return 0, err
	}
	return p.ID, nil
}
