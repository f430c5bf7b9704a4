package sqldb_test

import (
	"testing"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
)

// Seats: experts and observers chosen for a case's consultation and for a
// 督办单 — bad input refused naming the field with nothing written, only
// the case's workers and the issuing side give them, the record's scope
// is the seat's, attendance and remarks recorded under the version, and
// the expert's and the observer's pages list them.
func TestSeats(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		handler := w.Ctx(w.HandlerA)
		e1 := &xinfang.Expert{Name: "吴教授", Field: "labor", Title: "教授", Employer: "市职业技术学院", Phone: "13900000001", Available: true}
		e2 := &xinfang.Expert{Name: "郑主任", Field: "health", Phone: "13900000002"}
		o1 := &xinfang.Observer{Name: "陈代表", Kind: "deputy", Affiliation: "市人大", Phone: "13900000003", Available: true}
		for _, err := range []error{db.Society.SaveExpert(handler, e1), db.Society.SaveExpert(handler, e2), db.Society.SaveObserver(handler, o1)} {
			if err != nil {
				t.Fatal(err)
			}
		}
		c := w.newCase(t, w.HandlerA, w.Leader)
		c, err := db.Cases.AddConsultation(handler, c.ID, c.Version, &xinfang.Consultation{Date: calendar.DateOf(db.Now()),
			Attendees: []xinfang.Attendee{{Name: "甲镇人社所", Kind: "unit"}}, Findings: "用工关系清楚", Decisions: "先行垫付"})
		if err != nil {
			t.Fatal(err)
		}
		k := c.Consultations[0].ID
		sup := supUser(t, db, "xfj.sup", w.Bureau, xinfang.RoleSupervisor)
		sv := &xinfang.Supervision{TargetUnitID: w.TownA.ID, CaseID: c.ID, Requirements: "限期化解", Deadline: calendar.DateOf(db.Now()).AddDays(10)}
		if err := db.Supervisions.CreateSupervision(w.Ctx(sup), sv); err != nil {
			t.Fatal(err)
		}
		lawyer := mkUser(t, db, "lawyer1", "周律师", w.City, xinfang.RoleLawyer)

		on := func(o xinfang.SeatOn, id int64, experts, observers []int64) xinfang.SeatInvitation {
			return xinfang.SeatInvitation{On: o, RecordID: id, ExpertIDs: experts, ObserverIDs: observers}
		}
		cons := xinfang.SeatConsultation
		for _, tt := range []struct {
			name, code, field string
			as                *xinfang.User
			in                xinfang.SeatInvitation
		}{
			{"nobody", xinfang.EINVALID, "expert_ids", w.HandlerA, on(cons, k, nil, nil)},
			{"no record kind", xinfang.EINVALID, "on", w.HandlerA, on("meeting", k, []int64{e1.ID}, nil)},
			{"an unknown expert beside a good observer", xinfang.EINVALID, "expert_ids", w.HandlerA, on(cons, k, []int64{99999}, []int64{o1.ID})},
			{"an expert not available", xinfang.EINVALID, "expert_ids", w.HandlerA, on(cons, k, []int64{e1.ID, e2.ID}, nil)},
			{"an unknown observer", xinfang.EINVALID, "observer_ids", w.HandlerA, on(cons, k, []int64{e1.ID}, []int64{99999})},
			{"a consultation out of scope", xinfang.EINVALID, "record_id", w.HandlerB, on(cons, k, []int64{e1.ID}, nil)},
			{"a lawyer", xinfang.EFORBIDDEN, "", lawyer, on(cons, k, []int64{e1.ID}, nil)},
			{"the target of a 督办单", xinfang.EFORBIDDEN, "", w.HandlerA, on(xinfang.SeatSupervision, sv.ID, []int64{e1.ID}, nil)},
		} {
			_, err := db.Seats.InviteSeats(w.Ctx(tt.as), tt.in)
			if xinfang.ErrorCode(err) != tt.code || (tt.field != "" && xinfang.ErrorFields(err)[tt.field] == "") {
				t.Errorf("%s: %v, want %s naming %q", tt.name, err, tt.code, tt.field)
			}
		}
		if n := count(t, db, "seats"); n != 0 {
			t.Fatalf("refused invitations wrote %d seats", n)
		}

		seats, err := db.Seats.InviteSeats(handler, on(cons, k, []int64{e1.ID}, []int64{o1.ID}))
		if err != nil || len(seats) != 2 {
			t.Fatalf("invite: %d, %v", len(seats), err)
		}
		if s := seats[0]; s.CaseID != c.ID || s.CaseNumber != c.Number || s.On != cons || s.Attendance != "" {
			t.Errorf("seat as read: %+v", s)
		}
		if _, err := db.Seats.InviteSeats(handler, on(cons, k, []int64{e1.ID}, nil)); xinfang.ErrorFields(err)["expert_ids"] == "" {
			t.Errorf("the same expert twice: %v", err)
		}
		if _, err := db.Seats.InviteSeats(w.Ctx(sup), on(xinfang.SeatSupervision, sv.ID, []int64{e1.ID}, nil)); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, "seats"); n != 3 {
			t.Fatalf("%d seats, want 3", n)
		}

		var expertSeat *xinfang.Seat
		for _, s := range seats {
			if s.ExpertID == e1.ID {
				expertSeat = s
			}
		}
		for _, tt := range []struct {
			rec   xinfang.SeatRecord
			field string
		}{
			{xinfang.SeatRecord{Remarks: "建议先行垫付"}, "attendance"},
			{xinfang.SeatRecord{Attendance: xinfang.Absent, Remarks: "建议先行垫付"}, "remarks"},
		} {
			_, err := db.Seats.RecordSeat(handler, expertSeat.ID, expertSeat.Version, tt.rec)
			wantErr(t, err, xinfang.EINVALID, tt.field)
		}
		got, err := db.Seats.RecordSeat(handler, expertSeat.ID, expertSeat.Version, xinfang.SeatRecord{Attendance: xinfang.Attended, Remarks: "用工关系清楚，建议先行垫付"})
		if err != nil || got.Version != expertSeat.Version+1 || got.Remarks == "" {
			t.Fatalf("record: %+v, %v", got, err)
		}
		_, err = db.Seats.RecordSeat(handler, expertSeat.ID, expertSeat.Version, xinfang.SeatRecord{Attendance: xinfang.Absent})
		wantErr(t, err, xinfang.ECONFLICT, "version")
		_, err = db.Seats.RecordSeat(w.Ctx(w.HandlerB), expertSeat.ID, got.Version, xinfang.SeatRecord{Attendance: xinfang.Absent})
		wantErr(t, err, xinfang.ENOTFOUND, "")

		// The expert's page: both seats for those who see the case and the
		// 督办单, none for town B.
		ex, err := db.Society.FindExpertByID(handler, e1.ID)
		if err != nil || len(ex.Seats) != 2 {
			t.Fatalf("expert's seats as town A: %d, %v", len(ex.Seats), err)
		}
		if ex, err = db.Society.FindExpertByID(w.Ctx(w.HandlerB), e1.ID); err != nil || len(ex.Seats) != 0 {
			t.Errorf("expert's seats as town B: %d, %v", len(ex.Seats), err)
		}
		ob, err := db.Society.FindObserverByID(handler, o1.ID)
		if err != nil || len(ob.Seats) != 1 || ob.Seats[0].On != cons {
			t.Errorf("observer's seats: %+v, %v", ob.Seats, err)
		}
		if _, _, err := db.Seats.FindSeats(w.Ctx(w.HandlerB), cons, k); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
			t.Errorf("town B reads the consultation's seats: %v", err)
		}
		if h, list, err := db.Seats.FindSeats(w.Ctx(sup), xinfang.SeatSupervision, sv.ID); err != nil || len(list) != 1 || list[0].Number != sv.Number || h.Number != sv.Number || h.CaseID != c.ID {
			t.Errorf("the 督办单's seats: %+v %+v, %v", h, list, err)
		}
		if h, _, err := db.Seats.FindSeats(handler, cons, k); err != nil || h.CaseNumber != c.Number || h.Date != calendar.DateOf(db.Now()) {
			t.Errorf("the consultation: %+v, %v", h, err)
		}
	})
}
