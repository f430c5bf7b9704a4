package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xinfang"
)

// The pages of leaders' receptions (领导接访、下访、约访): the published
// schedule every staff member reads, the records in the reader's scope,
// scheduling a reception day, and a reception's page where its matters
// are received (each one registered as a petition of the channel 领导接访,
// or joined to an existing one), its record written or the day cancelled.

func receptionTabs(b *base, on string) []societyTab {
	return openTabs(b, on, []tabDef{
		{"/receptions/schedule", "接访日程", "tab-schedule", "/receptions/schedule"},
		{"/receptions", "接访记录", "tab-receptions", "/receptions"},
		{"/receptions?kind=down", "领导下访", "tab-down", "/receptions"},
		{"/receptions/new", "安排接访", "tab-new-reception", "/receptions/new"},
	})
}

type receptionScheduleView struct {
	base
	Tabs     []societyTab
	Items    []xinfang.ScheduledReception
	From, To string
}

func (s *Server) handleReceptionSchedule(w http.ResponseWriter, r *http.Request) error {
	from, to := s.scheduleWindow(s.today(), s.today().AddDays(60))
	items, err := s.Receptions.ReceptionSchedule(r.Context(), from, to)
	if err != nil {
		return err
	}
	v := &receptionScheduleView{Items: items, From: from.String(), To: to.String()}
	v.Title, v.Nav = "领导接访日程", "receptions"
	s.fillBase(r, &v.base)
	v.Tabs = receptionTabs(&v.base, "tab-schedule")
	return s.render(w, r, http.StatusOK, "receptions_schedule.html", v)
}

type receptionsView struct {
	base
	Tabs      []societyTab
	Items     []*xinfang.Reception
	Total     int
	Kinds     []xinfang.Label
	States    []xinfang.Label
	Q         url.Values
	CanManage bool
}

func (s *Server) handleReceptions(w http.ResponseWriter, r *http.Request) error {
	u := xinfang.UserFromContext(r.Context())
	q := r.URL.Query()
	v := &receptionsView{Kinds: xinfang.ReceptionKinds, States: xinfang.ReceptionStates, Q: url.Values{}, CanManage: xinfang.CanManageReceptions(u)}
	v.Title, v.Nav = "领导接访记录", "receptions"
	f := xinfang.ReceptionFilter{Kind: xinfang.ReceptionKind(q.Get("kind")), State: xinfang.ReceptionState(q.Get("state")), Limit: 200}
	for _, k := range []string{"kind", "state"} {
		if val := q.Get(k); val != "" {
			v.Q.Set(k, val)
		}
	}
	var err error
	v.Items, v.Total, err = s.Receptions.FindReceptions(r.Context(), f)
	if err != nil && xinfang.ErrorCode(err) != xinfang.EINVALID {
		return err
	}
	s.fillBase(r, &v.base)
	on := "tab-receptions"
	if f.Kind == xinfang.ReceptionDown {
		on = "tab-down"
	}
	v.Tabs = receptionTabs(&v.base, on)
	if err != nil {
		v.Error = "查询条件有误：" + formMessage(err)
	}
	return s.render(w, r, http.StatusOK, "receptions.html", v)
}

type newReceptionView struct {
	base
	Tabs   []societyTab
	People *xinfang.ReceptionPeople
	Units  []*xinfang.Unit
	Kinds  []xinfang.Label
	Form   url.Values
}

// Picked reports whether value id was chosen in the form's list name.
func (v *newReceptionView) Picked(name string, id int64) bool {
	for _, x := range v.Form[name] {
		if x == strconv.FormatInt(id, 10) {
			return true
		}
	}
	return false
}

func (s *Server) handleNewReception(w http.ResponseWriter, r *http.Request) error {
	return s.renderNewReception(w, r, http.StatusOK, url.Values{"kind": {"visit"}, "on": {s.today().String()}}, nil)
}

func (s *Server) renderNewReception(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	v := &newReceptionView{Form: form, Kinds: xinfang.ReceptionKinds}
	v.Title, v.Nav = "安排领导接访", "receptions"
	var err error
	if v.People, err = s.Receptions.ReceptionPeople(r.Context()); err != nil {
		return err
	}
	if v.Units, _, err = s.units(r); err != nil {
		return err
	}
	s.fillBase(r, &v.base)
	v.Tabs = receptionTabs(&v.base, "tab-new-reception")
	if ferr != nil {
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
	}
	return s.render(w, r, status, "reception_new.html", v)
}

func (s *Server) handleScheduleReception(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	form := r.PostForm
	probs := xinfang.Problems{}
	in := apiReceptionInput{Kind: form.Get("kind"), LeaderID: discFormID(form, "leader_id", "leader_id", probs), On: formDate(form, "on", probs),
		Place: form.Get("place"), PlaceUnitID: discFormID(form, "place_unit_id", "place_unit_id", probs), Topic: form.Get("topic"),
		LawyerIDs: formIDs(form, "lawyer_ids", "participants", probs), ObserverIDs: formIDs(form, "observer_ids", "participants", probs)}
	rc := in.reception()
	err := probs.Err()
	if err == nil {
		err = s.Receptions.ScheduleReception(r.Context(), rc)
	}
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		return s.renderNewReception(w, r, http.StatusUnprocessableEntity, form, err)
	}
	http.Redirect(w, r, "/receptions/"+strconv.FormatInt(rc.ID, 10)+"?done=create", http.StatusSeeOther)
	return nil
}

type receptionView struct {
	base
	Tabs        []societyTab
	R           *xinfang.Reception
	CanManage   bool
	CanRegister bool
	// Open: matters may be received (the day has come, not cancelled).
	Open       bool
	Units      []*xinfang.Unit
	Categories []*category
	Form       url.Values
	// Step is the form the error belongs to.
	Step  string
	Today string
}

func (s *Server) handleReception(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderReception(w, r, http.StatusOK, id, "", url.Values{"mode": {"register"}}, nil)
}

func (s *Server) renderReception(w http.ResponseWriter, r *http.Request, status int, id int64, step string, form url.Values, ferr error) error {
	rc, err := s.Receptions.FindReceptionByID(r.Context(), id)
	if err != nil {
		return err
	}
	u := xinfang.UserFromContext(r.Context())
	v := &receptionView{R: rc, CanManage: xinfang.CanManageReceptions(u), CanRegister: xinfang.CanRegister(u), Form: form, Step: step, Today: s.today().String()}
	v.Open = rc.State != xinfang.ReceptionCancelled && !rc.On.After(s.today())
	v.Title, v.Nav = "领导"+rc.KindLabel()+" "+rc.On.String(), "receptions"
	if v.CanManage && v.Open && v.CanRegister {
		if v.Units, _, err = s.units(r); err != nil {
			return err
		}
		if v.Categories, _, err = s.categories(r); err != nil {
			return err
		}
	}
	s.fillBase(r, &v.base)
	v.Tabs = receptionTabs(&v.base, "tab-receptions")
	switch r.URL.Query().Get("done") {
	case "create":
		v.Notice = "接访已安排。"
	case "matters":
		v.Notice = "接访事项已记录。"
	case "record":
		v.Notice = "接访情况已记录。"
	case "cancel":
		v.Notice = "接访已取消。"
	}
	if ferr != nil {
		v.Notice = ""
		v.Error, v.Fields = formMessage(ferr), xinfang.ErrorFields(ferr)
		// The record's and the cancellation's fields are named apart from
		// the matter form's (both have a summary).
		if step == "record" || step == "cancel" {
			named := map[string]string{}
			for k, m := range v.Fields {
				named[step+"."+k] = m
			}
			v.Fields = named
		}
	}
	return s.render(w, r, status, "reception.html", v)
}

// receptionForm serves a form of a reception's page: step matters,
// record or cancel.
func receptionForm(step string) handler {
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
		version, _ := strconv.Atoi(form.Get("version"))
		ctx := r.Context()
		switch step {
		case "matters":
			in := xinfang.ReceptionMatterInput{Version: version, Petitioners: form.Get("petitioners"), Raised: form.Get("raised"), Instruction: form.Get("instruction")}
			if form.Get("mode") == "join" {
				if ref := strings.TrimSpace(form.Get("petition")); ref != "" {
					if in.PetitionID, err = s.discFormPetition(r, ref); err != nil || in.PetitionID == 0 {
						probs.Add("petition_id", "信访件 "+ref+" 不存在或无权查看")
					}
				}
			} else {
				p, pp := s.petitionFromForm(r, form)
				for k, m := range pp {
					probs.Add(k, m)
				}
				in.Petition = p
			}
			if err = probs.Err(); err == nil {
				_, err = s.Receptions.AddReceptionMatter(ctx, id, in)
			}
		case "record":
			rec := xinfang.ReceptionRecord{Version: version, Summary: form.Get("summary")}
			for _, k := range form["participant"] {
				pid, _ := strconv.ParseInt(k, 10, 64)
				if a := form.Get("attendance." + k); a != "" {
					rec.Attendance = append(rec.Attendance, xinfang.AttendanceRecord{ParticipantID: pid, Attendance: xinfang.HearingAttendance(a), Remarks: form.Get("remarks." + k)})
				}
			}
			_, err = s.Receptions.RecordReception(ctx, id, rec)
		case "cancel":
			_, err = s.Receptions.CancelReception(ctx, id, version, form.Get("cancel_reason"))
		}
		if err != nil {
			switch xinfang.ErrorCode(err) {
			case xinfang.EINVALID:
				return s.renderReception(w, r, http.StatusUnprocessableEntity, id, step, form, err)
			case xinfang.ECONFLICT:
				return s.renderReception(w, r, http.StatusConflict, id, step, form, err)
			}
			return err
		}
		http.Redirect(w, r, "/receptions/"+strconv.FormatInt(id, 10)+"?done="+step+"#"+step, http.StatusSeeOther)
		return nil
	}
}

func (s *Server) handleReceptionMatter(w http.ResponseWriter, r *http.Request) error {
	return receptionForm("matters")(s, w, r)
}

func (s *Server) handleRecordReception(w http.ResponseWriter, r *http.Request) error {
	return receptionForm("record")(s, w, r)
}

func (s *Server) handleCancelReception(w http.ResponseWriter, r *http.Request) error {
	return receptionForm("cancel")(s, w, r)
}
