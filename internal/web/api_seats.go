package web

import (
	"net/http"

	"xinfang"
)

// The API of seats (列席) of experts and observers on consultations and
// 督办单, openapi_seats.json.

// apiSeatList is a record with its seats.
type apiSeatList struct {
	Record *xinfang.SeatHolder `json:"record"`
	Items  []*xinfang.Seat     `json:"items"`
}

func (s *Server) apiSeats(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	on, id := xinfang.SeatOn(q.str("on")), q.id("record_id")
	if err := q.err(); err != nil {
		return err
	}
	p := xinfang.Problems{}
	if !on.Valid() {
		p.Add("on", "请指明 consultation 或 supervision")
	}
	if id <= 0 {
		p.Add("record_id", "请指明会诊或督办单")
	}
	if err := p.Err(); err != nil {
		return err
	}
	h, items, err := s.Seats.FindSeats(r.Context(), on, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiSeatList{Record: h, Items: items})
	return nil
}

func (s *Server) apiInviteSeats(w http.ResponseWriter, r *http.Request) error {
	var in xinfang.SeatInvitation
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	items, err := s.Seats.InviteSeats(r.Context(), in)
	if err != nil {
		return err
	}
	h, _, err := s.Seats.FindSeats(r.Context(), in.On, in.RecordID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, apiSeatList{Record: h, Items: items})
	return nil
}

func (s *Server) apiRecordSeat(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Version int `json:"version"`
		xinfang.SeatRecord
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	st, err := s.Seats.RecordSeat(r.Context(), id, in.Version, in.SeatRecord)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}
