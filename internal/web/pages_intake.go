package web

import (
	"net/http"
	"strconv"

	"xinfang"
)

// The registrar's list of items submitted online (网上信访待确认): take
// one in (确认登记), merge it into an earlier item of the same matter, or
// decline it with a reason the petitioner reads on the portal.

type intakeRow struct {
	P       *xinfang.Petition
	Repeats []xinfang.RepeatCandidate
}

type intakeView struct {
	base
	Rows  []intakeRow
	Total int
}

func (s *Server) handleIntake(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	items, total, err := s.Portal.FindIntake(ctx, 0, 100)
	if err != nil {
		return err
	}
	v := &intakeView{Total: total}
	v.Title, v.Nav = "网上信访", "intake"
	s.fillBase(r, &v.base)
	for _, p := range items {
		xinfang.MaskPetitioner(p.Petitioner)
		row := intakeRow{P: p}
		// The repeat check ran at registration (the index); its
		// candidates are listed for the merge.
		if row.Repeats, err = s.Repeats.FindRepeatCandidatesOf(ctx, p.ID, 5); err != nil && xinfang.ErrorCode(err) == xinfang.EINTERNAL {
			return err
		}
		v.Rows = append(v.Rows, row)
	}
	switch r.URL.Query().Get("done") {
	case "confirm":
		v.Notice = "已确认登记，该件已进入登记件办理。"
	}
	return s.render(w, r, http.StatusOK, "intake.html", v)
}

func (s *Server) handleConfirmIntake(w http.ResponseWriter, r *http.Request) error {
	id, err := petitionPathID(r)
	if err != nil {
		return err
	}
	if _, err := s.Portal.ConfirmIntake(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/intake?done=confirm&id="+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}
