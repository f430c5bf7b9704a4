package web

import (
	"net/http"
	"net/url"
	"strconv"

	"xinfang"
)

// The seats page (列席): the experts and observers of one backlog case's
// consultation or one 督办单 — who was chosen, whether he came and what he
// said — with the forms to choose more and to record each seat. The
// consultation's entry on the case page and the 督办单's page link here.

type seatsView struct {
	base
	Tabs      []societyTab
	H         *xinfang.SeatHolder
	Back      string // the case or the 督办单
	BackLabel string
	Seats     []*xinfang.Seat
	Experts   []*xinfang.Expert
	Observers []*xinfang.Observer
	CanManage bool
	Form      url.Values
	// SeatErr is the error of one seat's record form, by the seat's id.
	SeatErr map[int64]string
}

// Picked reports whether person id of the list name was chosen.
func (v *seatsView) Picked(name string, id int64) bool {
	for _, x := range v.Form[name] {
		if x == strconv.FormatInt(id, 10) {
			return true
		}
	}
	return false
}

// seatRecordRef reads the record a seats page is about from q.
func seatRecordRef(q url.Values) (xinfang.SeatOn, int64, error) {
	on := xinfang.SeatOn(q.Get("on"))
	id, err := strconv.ParseInt(q.Get("record_id"), 10, 64)
	p := xinfang.Problems{}
	if !on.Valid() {
		p.Add("on", "请指明会诊或督办单")
	}
	if err != nil || id <= 0 {
		p.Add("record_id", "请指明会诊或督办单")
	}
	return on, id, p.Err()
}

func seatsLink(on xinfang.SeatOn, id int64) string {
	return "/society/seats?on=" + string(on) + "&record_id=" + strconv.FormatInt(id, 10)
}

func (s *Server) handleSeats(w http.ResponseWriter, r *http.Request) error {
	on, id, err := seatRecordRef(r.URL.Query())
	if err != nil {
		return err
	}
	return s.renderSeats(w, r, http.StatusOK, on, id, url.Values{}, nil, 0)
}

// renderSeats shows the seats of one record; ferr is the error of the
// invitation (seat 0) or of one seat's record.
func (s *Server) renderSeats(w http.ResponseWriter, r *http.Request, status int, on xinfang.SeatOn, id int64, form url.Values, ferr error, seat int64) error {
	ctx := r.Context()
	h, seats, err := s.Seats.FindSeats(ctx, on, id)
	if err != nil {
		return err
	}
	u := xinfang.UserFromContext(ctx)
	v := &seatsView{H: h, Seats: seats, CanManage: xinfang.CanManageSociety(u), Form: form, SeatErr: map[int64]string{}}
	switch on {
	case xinfang.SeatConsultation:
		v.Title = "会诊 " + h.Date.String() + " 的专家和监督员"
		v.Back, v.BackLabel = "/cases/"+strconv.FormatInt(h.CaseID, 10)+"#consultations", "返回积案 "+h.CaseNumber
	case xinfang.SeatSupervision:
		v.Title = "督办单 " + h.Number + " 的专家和监督员"
		v.Back, v.BackLabel = "/supervisions/"+strconv.FormatInt(id, 10), "返回督办单"
	}
	v.Nav = "society"
	if v.CanManage {
		if v.Experts, err = s.Society.FindExperts(ctx, xinfang.ExpertFilter{Available: true}); err != nil {
			return err
		}
		if v.Observers, err = s.Society.FindObservers(ctx, xinfang.ObserverFilter{Available: true}); err != nil {
			return err
		}
	}
	s.fillBase(r, &v.base)
	v.Tabs = societyTabs(&v.base, "")
	if seat != 0 && ferr != nil {
		// A seat's own form shows its error beside it.
		v.SeatErr[seat], ferr = formMessage(ferr), nil
	}
	v.formOutcome(r, map[string]string{"invite": "已邀请。", "record": "列席情况已记录。"}, ferr)
	return s.render(w, r, status, "seats.html", v)
}

// seatForm reads a posted form of the seats page and the record it is on.
func seatForm(r *http.Request) (url.Values, xinfang.SeatOn, int64, error) {
	if err := parseForm(r); err != nil {
		return nil, "", 0, err
	}
	on, id, err := seatRecordRef(r.PostForm)
	return r.PostForm, on, id, err
}

// handleInviteSeats chooses experts and observers for the record.
func (s *Server) handleInviteSeats(w http.ResponseWriter, r *http.Request) error {
	form, on, id, err := seatForm(r)
	if err != nil {
		return err
	}
	probs := xinfang.Problems{}
	in := xinfang.SeatInvitation{On: on, RecordID: id, ExpertIDs: formIDs(form, "expert_ids", "expert_ids", probs), ObserverIDs: formIDs(form, "observer_ids", "observer_ids", probs)}
	err = probs.Err()
	if err == nil {
		_, err = s.Seats.InviteSeats(r.Context(), in)
	}
	if err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		return s.renderSeats(w, r, http.StatusUnprocessableEntity, on, id, form, err, 0)
	}
	http.Redirect(w, r, seatsLink(on, id)+"&done=invite", http.StatusSeeOther)
	return nil
}

// handleRecordSeat records whether one came and what he said.
func (s *Server) handleRecordSeat(w http.ResponseWriter, r *http.Request) error {
	seat, err := pathID(r, "id")
	if err != nil {
		return err
	}
	form, on, id, err := seatForm(r)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(form.Get("version"))
	_, err = s.Seats.RecordSeat(r.Context(), seat, version, xinfang.SeatRecord{Attendance: xinfang.HearingAttendance(form.Get("attendance")), Remarks: form.Get("remarks")})
	if err != nil {
		switch xinfang.ErrorCode(err) {
		case xinfang.EINVALID:
			return s.renderSeats(w, r, http.StatusUnprocessableEntity, on, id, form, err, seat)
		case xinfang.ECONFLICT:
			return s.renderSeats(w, r, http.StatusConflict, on, id, form, err, seat)
		}
		return err
	}
	http.Redirect(w, r, seatsLink(on, id)+"&done=record#seat-"+strconv.FormatInt(seat, 10), http.StatusSeeOther)
	return nil
}
