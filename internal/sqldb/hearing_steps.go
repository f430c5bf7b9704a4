package sqldb

import (
	"context"
	"slices"

	"xinfang"
)

// The steps of a hearing's life (xinfang.CheckHearingAction), each one
// write: the hearing's row, its participants' attendance, and — for a
// hearing on a petition in 复核 — the petition's event that pauses or
// resumes its clock on the hearing's own day.

// changeHearing loads hearing id in the actor's scope, checks the version
// and the action against the hearing's life, and lets fn change it in the
// same transaction; the new state and version are stored after fn.
func (db *HearingStore) changeHearing(ctx context.Context, id int64, version int, action xinfang.HearingAction, fn func(tx *Tx, actor *xinfang.User, h *xinfang.Hearing) error) (*xinfang.Hearing, error) {
	actor, err := requireSocietyWriter(ctx)
	if err != nil {
		return nil, err
	}
	err = db.write(ctx, func(tx *Tx) error {
		h, err := db.findHearing(ctx, tx, id)
		if err != nil {
			return err
		}
		if version != h.Version {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该听证已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
		}
		to, err := xinfang.CheckHearingAction(h.State, action)
		if err != nil {
			return err
		}
		if err := fn(tx, actor, h); err != nil {
			return err
		}
		n, err := tx.change(ctx, `UPDATE hearings SET state = ?, started_on = ?, ended_on = ?, record = ?, conclusion = ?, petitioner_attended = ?, cancel_reason = ?,
			pauses_clock = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			string(to), h.StartedOn, h.EndedOn, h.Record, h.Conclusion, b2i(h.PetitionerAttended), h.CancelReason, b2i(h.PausesClock), fmtTime(tx.now), id, version)
		if err != nil {
			return err
		}
		if n != 1 {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该听证已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.FindHearingByID(ctx, id)
}

// petitionStep applies the petition's hearing event in tx.
func (db *HearingStore) petitionStep(ctx context.Context, tx *Tx, actor *xinfang.User, p *xinfang.Petition, action xinfang.Action, data map[string]string) error {
	ps := &PetitionStore{db.core}
	_, err := ps.actIn(ctx, tx, db.Procedure(ctx), actor, p.ID, xinfang.ActionInput{Action: action, Version: p.Version, Data: data})
	return err
}

// StartHearing records that the hearing began on in.StartedOn. On a
// petition in 复核 it starts the pause of the 复核 clock on that day.
func (db *HearingStore) StartHearing(ctx context.Context, id int64, in xinfang.HearingStart) (*xinfang.Hearing, error) {
	return db.changeHearing(ctx, id, in.Version, xinfang.HearingActStart, func(tx *Tx, actor *xinfang.User, h *xinfang.Hearing) error {
		if err := in.Validate(h, db.todayDate()); err != nil {
			return err
		}
		h.StartedOn = in.StartedOn
		if h.PetitionID == 0 {
			return nil
		}
		p, err := db.findPetition(ctx, tx, h.PetitionID)
		if err != nil {
			return err
		}
		if p.State != xinfang.StateRereviewing {
			return nil // only the 复核 clock excludes hearing time
		}
		h.PausesClock = true
		return db.petitionStep(ctx, tx, actor, p, xinfang.ActHearingStart, map[string]string{"place": h.Place, "started_on": in.StartedOn.String(), "hearing": h.Number})
	})
}

// ConcludeHearing records the hearing's end, its record (笔录), its
// conclusion and each participant's attendance and remarks. A hearing
// that paused the 复核 clock resumes it after in.EndedOn.
func (db *HearingStore) ConcludeHearing(ctx context.Context, id int64, in xinfang.HearingConclusion) (*xinfang.Hearing, error) {
	return db.changeHearing(ctx, id, in.Version, xinfang.HearingActConclude, func(tx *Tx, actor *xinfang.User, h *xinfang.Hearing) error {
		if err := in.Validate(h, db.todayDate()); err != nil {
			return err
		}
		h.EndedOn, h.Record, h.Conclusion, h.PetitionerAttended = in.EndedOn, in.Record, in.Conclusion, in.PetitionerAttended
		for _, a := range in.Attendance {
			if _, err := tx.exec(ctx, `UPDATE hearing_participants SET attendance = ?, remarks = ? WHERE id = ? AND hearing_id = ?`,
				string(a.Attendance), a.Remarks, a.ParticipantID, id); err != nil {
				return err
			}
		}
		if !h.PausesClock {
			return nil
		}
		p, err := db.findPetition(ctx, tx, h.PetitionID)
		if err != nil {
			return err
		}
		if p.State != xinfang.StateRereviewing {
			return nil
		}
		return db.petitionStep(ctx, tx, actor, p, xinfang.ActHearingEnd, map[string]string{"conclusion": in.Conclusion, "ended_on": in.EndedOn.String(), "hearing": h.Number})
	})
}

// CancelHearing cancels a hearing that has not started, with the reason.
func (db *HearingStore) CancelHearing(ctx context.Context, id int64, version int, reason string) (*xinfang.Hearing, error) {
	reason, err := xinfang.CheckNote("reason", reason)
	if err != nil {
		return nil, err
	}
	if reason == "" {
		return nil, xinfang.FieldError("reason", "请填写取消理由")
	}
	return db.changeHearing(ctx, id, version, xinfang.HearingActCancel, func(tx *Tx, actor *xinfang.User, h *xinfang.Hearing) error {
		h.CancelReason = reason
		return nil
	})
}

// HearingPeople returns whom a hearing's form offers: the staff who may
// chair, the lawyers with accounts, the available experts and observers.
func (db *HearingStore) HearingPeople(ctx context.Context) (*xinfang.HearingPeople, error) {
	if _, err := requireSocietyWriter(ctx); err != nil {
		return nil, err
	}
	out := &xinfang.HearingPeople{Chairs: []xinfang.CaseUser{}, Lawyers: []xinfang.CaseUser{}}
	err := db.read(ctx, func(q rowQuerier) error {
		r := cq{db.core, q}
		rows, err := r.rows(ctx, `SELECT u.id, u.name, n.name, u.roles FROM users u JOIN units n ON n.id = u.unit_id WHERE u.disabled = 0 ORDER BY n.path, u.name, u.id`)
		err = eachRow(rows, err, func(s scanner) error {
			var u xinfang.CaseUser
			var roles string
			if err := s.Scan(&u.ID, &u.Name, &u.UnitName, &roles); err != nil {
				return err
			}
			rs := parseRoles(roles)
			if xinfang.CanManageSociety(&xinfang.User{Roles: rs}) {
				out.Chairs = append(out.Chairs, u)
			}
			if slices.Contains(rs, xinfang.RoleLawyer) {
				out.Lawyers = append(out.Lawyers, u)
			}
			return nil
		})
		if err != nil {
			return err
		}
		rows, err = r.rows(ctx, `SELECT `+expertCols+` FROM experts e WHERE e.available = 1 ORDER BY e.field, e.name, e.id`)
		if out.Experts, err = scanAll(rows, err, scanExpert); err != nil {
			return err
		}
		rows, err = r.rows(ctx, `SELECT `+observerCols+` FROM observers o WHERE o.available = 1 ORDER BY o.kind, o.name, o.id`)
		out.Observers, err = scanAll(rows, err, scanObserver)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
