package sqldb

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"xinfang/internal/calendar"

	"xinfang"
)

// Raised investigations (提级调查) with their two tracks (一案双查).

const investigationCols = `i.id, i.number, i.version, COALESCE(i.petition_id, 0), COALESCE(p.number, ''), COALESCE(i.case_id, 0), i.unit_id, u.name, i.cause, i.summary,
	i.escalation, i.state, i.case_findings, i.case_measures, i.case_outcome, i.case_concluded_at, i.resp_findings, i.resp_outcome, i.resp_concluded_at,
	i.opened_by, i.opened_by_name, i.opened_at, i.closed_at, i.closing_note, i.updated_at`

const investigationFrom = ` FROM investigations i JOIN units u ON u.id = i.unit_id LEFT JOIN petitions p ON p.id = i.petition_id`

func scanInvestigation(s interface{ Scan(...any) error }) (*xinfang.Investigation, error) {
	iv := &xinfang.Investigation{Unit: &xinfang.UnitRef{}}
	var caseAt, respAt, opened, closed, updated string
	err := s.Scan(&iv.ID, &iv.Number, &iv.Version, &iv.PetitionID, &iv.PetitionNumber, &iv.CaseID, &iv.UnitID, &iv.Unit.Name, &iv.Cause, &iv.Summary,
		&iv.Escalation, &iv.State, &iv.MatterTrack.Findings, &iv.MatterTrack.Measures, &iv.MatterTrack.Outcome, &caseAt,
		&iv.ResponsibilityTrack.Findings, &iv.ResponsibilityTrack.Outcome, &respAt,
		&iv.OpenedByID, &iv.OpenedByName, &opened, &closed, &iv.ClosingNote, &updated)
	if err != nil {
		return nil, err
	}
	iv.Unit.ID = iv.UnitID
	iv.MatterTrack.ConcludedAt, iv.ResponsibilityTrack.ConcludedAt = parseTime(caseAt), parseTime(respAt)
	iv.OpenedAt, iv.ClosedAt, iv.UpdatedAt = parseTime(opened), parseTime(closed), parseTime(updated)
	if iv.CaseID != 0 {
		iv.Case = &xinfang.CaseRef{ID: iv.CaseID}
	}
	iv.Fill()
	return iv, nil
}

// FindInvestigationByNumber returns the id of a raised investigation in
// scope by its number (TJ-2026-0001), for a form that names one.
func (db *DisciplineStore) FindInvestigationByNumber(ctx context.Context, number string) (int64, error) {
	if _, err := requireDisciplineReader(ctx); err != nil {
		return 0, err
	}
	var id int64
	if err := db.queryRow(ctx, `SELECT id FROM investigations WHERE number = ?`, strings.ToUpper(strings.TrimSpace(number))).Scan(&id); err != nil {
		return 0, db.notFound(err, "提级调查不存在或无权查看")
	}
	var iv *xinfang.Investigation
	err := db.read(ctx, func(q rowQuerier) (err error) {
		iv, err = db.findInvestigation(ctx, q, id)
		return err
	})
	if err != nil {
		return 0, err
	}
	return iv.ID, nil
}

func (db *DisciplineStore) findInvestigation(ctx context.Context, q rowQuerier, id int64) (*xinfang.Investigation, error) {
	scope, args, err := investigationScope(ctx)
	if err != nil {
		return nil, err
	}
	iv, err := scanInvestigation(cq{db.core, q}.row(ctx, `SELECT `+investigationCols+investigationFrom+` WHERE i.id = ? AND `+scope, append([]any{id}, args...)...))
	if err != nil {
		return nil, db.notFound(err, "提级调查不存在或无权查看")
	}
	return iv, nil
}

// loadInvestigation fills the officials and the case of an investigation.
func (db *DisciplineStore) loadInvestigation(ctx context.Context, q rowQuerier, iv *xinfang.Investigation) error {
	rows, err := cq{db.core, q}.rows(ctx, `SELECT o.name, o.unit_id, u.name, o.position FROM investigation_officials o JOIN units u ON u.id = o.unit_id
		WHERE o.investigation_id = ? ORDER BY o.seq`, iv.ID)
	if iv.ResponsibilityTrack.Officials, err = scanAll(rows, err, func(r scanner) (xinfang.Official, error) {
		var o xinfang.Official
		err := r.Scan(&o.Name, &o.UnitID, &o.UnitName, &o.Position)
		return o, err
	}); err != nil {
		return err
	}
	if iv.CaseID != 0 {
		c, err := db.discCaseRef(ctx, q, iv.CaseID)
		if err != nil && xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
			return err
		}
		if c != nil {
			iv.Case = c
		}
	}
	return nil
}

// caseRef returns the number, title, source and state of a backlog case.
func (db *DisciplineStore) discCaseRef(ctx context.Context, q rowQuerier, id int64) (*xinfang.CaseRef, error) {
	c := &xinfang.CaseRef{}
	err := cq{db.core, q}.row(ctx, `SELECT id, number, title, source, state FROM cases WHERE id = ?`, id).Scan(&c.ID, &c.Number, &c.Title, &c.Source, &c.State)
	if err != nil {
		return nil, db.notFound(err, "信访积案不存在")
	}
	c.SourceLabel = c.Source.Label()
	return c, nil
}

// FindInvestigationByID returns an investigation with both tracks, read
// as one view.
func (db *DisciplineStore) FindInvestigationByID(ctx context.Context, id int64) (*xinfang.Investigation, error) {
	if _, err := requireDisciplineReader(ctx); err != nil {
		return nil, err
	}
	var iv *xinfang.Investigation
	err := db.read(ctx, func(q rowQuerier) error {
		var err error
		if iv, err = db.findInvestigation(ctx, q, id); err != nil {
			return err
		}
		return db.loadInvestigation(ctx, q, iv)
	})
	if err != nil {
		return nil, err
	}
	return iv, nil
}

// FindInvestigations lists investigations, open ones first, newest first.
func (db *DisciplineStore) FindInvestigations(ctx context.Context, f xinfang.InvestigationFilter) ([]*xinfang.Investigation, int, error) {
	if _, err := requireDisciplineReader(ctx); err != nil {
		return nil, 0, err
	}
	scope, args, err := investigationScope(ctx)
	if err != nil {
		return nil, 0, err
	}
	where := scope
	if f.State != "" {
		if f.State != xinfang.InvestigationOpen && f.State != xinfang.InvestigationClosed {
			return nil, 0, xinfang.FieldError("state", "状态应为 open 或 closed")
		}
		where += " AND i.state = ?"
		args = append(args, f.State)
	}
	if f.PetitionID != 0 {
		where += " AND i.petition_id = ?"
		args = append(args, f.PetitionID)
	}
	if f.Limit, err = pageLimit(f.Limit, f.Offset); err != nil {
		return nil, 0, err
	}
	// The count, the page and the officials of each are one view.
	var total int
	var out []*xinfang.Investigation
	err = db.read(ctx, func(q rowQuerier) error {
		r := cq{db.core, q}
		if err := r.row(ctx, `SELECT COUNT(*)`+investigationFrom+` WHERE `+where, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := r.rows(ctx, `SELECT `+investigationCols+investigationFrom+` WHERE `+where+
			` ORDER BY CASE WHEN i.state IN `+openInvestigationState+` THEN 0 ELSE 1 END, i.opened_at DESC, i.id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
		if out, err = scanAll(rows, err, scanInvestigation); err != nil {
			return err
		}
		for _, iv := range out {
			if err := db.loadInvestigation(ctx, q, iv); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// CreateInvestigation opens a raised investigation (提级调查) on an escalated
// visit (赴省、进京) and/or a backlog case, naming the unit whose failure
// caused it. By default the unit is the one handling the petition.
func (db *DisciplineStore) CreateInvestigation(ctx context.Context, in xinfang.InvestigationInput) (*xinfang.Investigation, error) {
	actor, err := requireDisciplineWriter(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var id int64
	err = db.write(ctx, func(tx *Tx) error {
		var escalation xinfang.Escalation
		if in.PetitionID != 0 {
			p, err := db.findPetition(ctx, tx, in.PetitionID)
			if err != nil {
				return db.notFoundField(err, "petition_id", "信访件不存在或无权查看")
			}
			if p.Escalation != xinfang.EscalationProvince && p.Escalation != xinfang.EscalationBeijing {
				return xinfang.FieldError("petition_id", "只有赴省、进京越级访可以提级调查")
			}
			escalation = p.Escalation
			if in.UnitID == 0 {
				in.UnitID = p.HandlingUnitID
				if in.UnitID == 0 {
					in.UnitID = p.RegUnitID
				}
			}
			var open int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM investigations WHERE petition_id = ? AND state IN `+openInvestigationState, in.PetitionID).Scan(&open); err != nil {
				return err
			}
			if open > 0 {
				return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该信访件已有进行中的提级调查", Fields: map[string]string{"petition_id": "已有进行中的提级调查"}}
			}
		}
		if in.CaseID != 0 {
			if _, err := db.discCaseRef(ctx, tx, in.CaseID); err != nil {
				if xinfang.ErrorCode(err) == xinfang.ENOTFOUND {
					return xinfang.FieldError("case_id", "信访积案不存在")
				}
				return err
			}
		}
		if in.UnitID == 0 {
			return xinfang.FieldError("unit_id", "请选择责任单位")
		}
		if _, err := scanUnit(tx.queryRow(ctx, `SELECT `+unitCols+` FROM units WHERE id = ?`, in.UnitID)); err != nil {
			return db.notFoundField(err, "unit_id", "责任单位不存在")
		}
		now := fmtTime(tx.now)
		year := calendar.DateOf(tx.now).Year
		var seq int64
		if err := tx.queryRow(ctx, `INSERT INTO investigation_counters (year, next) VALUES (?, 1)
			ON CONFLICT (year) DO UPDATE SET next = investigation_counters.next + 1 RETURNING next`, year).Scan(&seq); err != nil {
			return err
		}
		id, err = tx.insert(ctx, `INSERT INTO investigations (number, petition_id, case_id, unit_id, cause, summary, escalation, state, opened_by, opened_by_name, opened_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, fmt.Sprintf(xinfang.InvestigationNumberFormat, year, seq), nullID(in.PetitionID), nullID(in.CaseID), in.UnitID, in.Cause, in.Summary, escalation, xinfang.InvestigationOpen,
			actor.ID, actor.Name, now, now)
		if db.dialect.unique(err) {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该信访件已有进行中的提级调查", Fields: map[string]string{"petition_id": "已有进行中的提级调查"}}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.FindInvestigationByID(ctx, id)
}

// changeInvestigation loads an investigation in the transaction, asks its
// life (xinfang.CheckInvestigationAction) whether action may be taken now,
// lets fn change it, and stores the new version and the state the action
// leads to; a version other than the stored one is ECONFLICT and writes
// nothing. The writer is checked before the load (403 before 404) and the
// version before the state (a stale form is told so whatever the state).
func (db *DisciplineStore) changeInvestigation(ctx context.Context, id int64, version int, action xinfang.InvestigationAction, fn func(tx *Tx, iv *xinfang.Investigation) (string, []any, error)) (*xinfang.Investigation, error) {
	actor, err := requireDisciplineWriter(ctx)
	if err != nil {
		return nil, err
	}
	err = db.write(ctx, func(tx *Tx) error {
		iv, err := db.investigationAt(ctx, tx, id, version)
		if err != nil {
			return err
		}
		to, err := xinfang.CheckInvestigationAction(iv, action, actor, 0)
		if err != nil {
			return err
		}
		set, args, err := fn(tx, iv)
		if err != nil {
			return err
		}
		n, err := tx.change(ctx, `UPDATE investigations SET `+set+`, state = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			append(args, to, fmtTime(tx.now), id, version)...)
		if err != nil {
			return err
		}
		if n != 1 {
			return staleInvestigation()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.FindInvestigationByID(ctx, id)
}

// investigationAt loads an investigation in scope with its officials
// inside tx, at the version the client read: another version is ECONFLICT.
func (db *DisciplineStore) investigationAt(ctx context.Context, tx *Tx, id int64, version int) (*xinfang.Investigation, error) {
	iv, err := db.findInvestigation(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if iv.Version != version {
		return nil, staleInvestigation()
	}
	if err := db.loadInvestigation(ctx, tx, iv); err != nil {
		return nil, err
	}
	return iv, nil
}

func staleInvestigation() error {
	return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该提级调查已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
}

// UpdateInvestigation changes the responsible unit, the cause or the
// summary of a running investigation.
func (db *DisciplineStore) UpdateInvestigation(ctx context.Context, id int64, up xinfang.InvestigationUpdate) (*xinfang.Investigation, error) {
	return db.changeInvestigation(ctx, id, up.Version, xinfang.InvestigationActUpdate, func(tx *Tx, iv *xinfang.Investigation) (string, []any, error) {
		in := xinfang.InvestigationInput{PetitionID: iv.PetitionID, CaseID: iv.CaseID, Cause: up.Cause, Summary: up.Summary}
		if err := in.Validate(); err != nil {
			return "", nil, err
		}
		if up.UnitID == 0 {
			up.UnitID = iv.UnitID
		}
		if _, err := scanUnit(tx.queryRow(ctx, `SELECT `+unitCols+` FROM units WHERE id = ?`, up.UnitID)); err != nil {
			return "", nil, db.notFoundField(err, "unit_id", "责任单位不存在")
		}
		return "unit_id = ?, cause = ?, summary = ?", []any{up.UnitID, in.Cause, in.Summary}, nil
	})
}

// UpdateMatterTrack records the 事 track; an outcome concludes it, an empty
// outcome reopens it.
func (db *DisciplineStore) UpdateMatterTrack(ctx context.Context, id int64, in xinfang.MatterTrackInput) (*xinfang.Investigation, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return db.changeInvestigation(ctx, id, in.Version, xinfang.InvestigationActMatterTrack, func(tx *Tx, iv *xinfang.Investigation) (string, []any, error) {
		at := ""
		if in.Outcome != "" {
			at = fmtTime(tx.now)
			if iv.MatterTrack.Outcome != "" {
				at = fmtTime(iv.MatterTrack.ConcludedAt)
			}
		}
		return "case_findings = ?, case_measures = ?, case_outcome = ?, case_concluded_at = ?", []any{in.Findings, in.Measures, in.Outcome, at}, nil
	})
}

// UpdateResponsibilityTrack records the 人 track with its officials; an
// outcome concludes it, an empty outcome reopens it.
func (db *DisciplineStore) UpdateResponsibilityTrack(ctx context.Context, id int64, in xinfang.ResponsibilityTrackInput) (*xinfang.Investigation, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return db.changeInvestigation(ctx, id, in.Version, xinfang.InvestigationActResponsibilityTrack, func(tx *Tx, iv *xinfang.Investigation) (string, []any, error) {
		for i, o := range in.Officials {
			if _, err := scanUnit(tx.queryRow(ctx, `SELECT `+unitCols+` FROM units WHERE id = ?`, o.UnitID)); err != nil {
				return "", nil, db.notFoundField(err, "officials."+strconv.Itoa(i)+".unit_id", "单位不存在")
			}
		}
		if _, err := tx.exec(ctx, `DELETE FROM investigation_officials WHERE investigation_id = ?`, id); err != nil {
			return "", nil, err
		}
		for i, o := range in.Officials {
			if _, err := tx.exec(ctx, `INSERT INTO investigation_officials (investigation_id, seq, name, unit_id, position) VALUES (?, ?, ?, ?, ?)`,
				id, i+1, o.Name, o.UnitID, o.Position); err != nil {
				return "", nil, err
			}
		}
		at := ""
		if in.Outcome != "" {
			at = fmtTime(tx.now)
			if iv.ResponsibilityTrack.Outcome != "" {
				at = fmtTime(iv.ResponsibilityTrack.ConcludedAt)
			}
		}
		return "resp_findings = ?, resp_outcome = ?, resp_concluded_at = ?", []any{in.Findings, in.Outcome, at}, nil
	})
}

// CloseInvestigation closes an investigation whose two tracks are both
// concluded; otherwise ECONFLICT names each missing track (the close row
// of xinfang.InvestigationTransitions).
func (db *DisciplineStore) CloseInvestigation(ctx context.Context, id int64, version int, note string) (*xinfang.Investigation, error) {
	note, err := xinfang.CheckNote("note", note)
	if err != nil {
		return nil, err
	}
	return db.changeInvestigation(ctx, id, version, xinfang.InvestigationActClose, func(tx *Tx, iv *xinfang.Investigation) (string, []any, error) {
		return "closed_at = ?, closing_note = ?", []any{fmtTime(tx.now), note}, nil
	})
}

// DeleteInvestigation removes an investigation opened by mistake: only a
// running one with nothing recorded on either track and no accountability
// record resting on it.
func (db *DisciplineStore) DeleteInvestigation(ctx context.Context, id int64, version int) error {
	actor, err := requireDisciplineWriter(ctx)
	if err != nil {
		return err
	}
	return db.write(ctx, func(tx *Tx) error {
		iv, err := db.investigationAt(ctx, tx, id, version)
		if err != nil {
			return err
		}
		var refs int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM accountabilities WHERE investigation_id = ?`, id).Scan(&refs); err != nil {
			return err
		}
		if _, err := xinfang.CheckInvestigationAction(iv, xinfang.InvestigationActDelete, actor, refs); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM investigation_officials WHERE investigation_id = ?`, id); err != nil {
			return err
		}
		_, err = tx.exec(ctx, `DELETE FROM investigations WHERE id = ?`, id)
		return err
	})
}
