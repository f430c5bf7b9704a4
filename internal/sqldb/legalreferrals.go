package sqldb

import (
	"context"
	"strconv"

	"xinfang"
)

// LegalReferralStore is the 涉法涉诉 register (legalreferral.go): the
// screening and the transfer of a petition are its legal_screen and
// legal_transfer events, written with the register's row in one
// transaction; the judicial case is the row's alone.
type LegalReferralStore struct{ *core }

// The 政法机关 an item is transferred to learns it has it, as a unit an
// item is sent to does (action_notes.go).
func init() {
	actionNotes[xinfang.ActLegalTransfer] = actionNote{subject: "收到转送的涉法涉诉事项 %s"}
}

const referralCols = `lr.id, lr.petition_id, p.number, p.summary, p.state, lr.finding, lr.reason, lr.screened_by, lr.screened_by_name, lr.screened_at,
	COALESCE(lr.unit_id, 0), COALESCE(u.name, ''), lr.body, lr.route, lr.transfer_note, lr.transferred_by_name, lr.transferred_at,
	lr.status, lr.case_number, lr.filed_on, lr.decided_on, lr.result, lr.recorded_by_name, lr.version`

const referralFrom = ` FROM legal_referrals lr JOIN petitions p ON p.id = lr.petition_id LEFT JOIN units u ON u.id = lr.unit_id`

func scanReferral(s scanner) (*xinfang.LegalReferral, error) {
	r := &xinfang.LegalReferral{}
	var screened, transferred string
	if err := s.Scan(&r.ID, &r.PetitionID, &r.PetitionNumber, &r.PetitionSummary, &r.PetitionState, &r.Finding, &r.Reason, &r.ScreenedByID, &r.ScreenedByName, &screened,
		&r.UnitID, &r.UnitName, &r.Body, &r.Route, &r.TransferNote, &r.TransferredByName, &transferred,
		&r.Status, &r.CaseNumber, &r.FiledOn, &r.DecidedOn, &r.Result, &r.RecordedByName, &r.Version); err != nil {
		return nil, err
	}
	r.ScreenedAt, r.TransferredAt = parseTime(screened), parseTime(transferred)
	return r, nil
}

// referralScope is the scope of the register's rows lr: the whole city
// for city-wide roles; else the rows transferred to a 政法机关 in the
// subtree, or on a petition registered or handled there (not a 检举控告
// item) — a transferred item is handled by its 政法机关, so that body sees
// it and a town it never passed through does not.
func referralScope(ctx context.Context) (string, []any, error) {
	s, err := scopeOf(ctx)
	if err != nil {
		return "", nil, err
	}
	switch {
	case s.None:
		return none, nil, nil
	case s.All:
		return all, nil, nil
	}
	reg, args := s.registerRows("lr")
	return reg, args, nil
}

func (db *LegalReferralStore) findReferral(ctx context.Context, q rowQuerier, where string, arg any) (*xinfang.LegalReferral, error) {
	scope, args, err := referralScope(ctx)
	if err != nil {
		return nil, err
	}
	r, err := scanReferral(cq{db.core, q}.row(ctx, `SELECT `+referralCols+referralFrom+` WHERE `+where+` AND `+scope, append([]any{arg}, args...)...))
	if err != nil {
		return nil, db.notFound(err, "涉法涉诉甄别记录不存在或无权查看")
	}
	r.Wait(db.todayDate())
	return r, nil
}

// FindLegalReferralByID returns a row the reader may see.
func (db *LegalReferralStore) FindLegalReferralByID(ctx context.Context, id int64) (*xinfang.LegalReferral, error) {
	if _, err := allow(ctx, xinfang.CanReadLegalReferrals, "无权查看涉法涉诉事项"); err != nil {
		return nil, err
	}
	var r *xinfang.LegalReferral
	err := db.read(ctx, func(q rowQuerier) error {
		var err error
		r, err = db.findReferral(ctx, q, "lr.id = ?", id)
		return err
	})
	return r, err
}

// FindLegalReferrals lists the rows the reader may see, the newest
// screening first.
func (db *LegalReferralStore) FindLegalReferrals(ctx context.Context, f xinfang.LegalReferralFilter) ([]*xinfang.LegalReferral, int, error) {
	if _, err := allow(ctx, xinfang.CanReadLegalReferrals, "无权查看涉法涉诉事项"); err != nil {
		return nil, 0, err
	}
	where, args, err := referralScope(ctx)
	if err != nil {
		return nil, 0, err
	}
	if f.UnitID != 0 {
		u, err := db.findUnit(ctx, f.UnitID)
		if err != nil {
			return nil, 0, db.notFoundField(err, "unit_id", "单位不存在")
		}
		c, a := subtree(u.Path, "lr.unit_path")
		where += " AND " + c
		args = append(args, a...)
	}
	if f.PetitionID != 0 {
		where += " AND lr.petition_id = ?"
		args = append(args, f.PetitionID)
	}
	switch f.Stage {
	case "":
	case "screened":
		where += " AND lr.unit_id IS NULL"
	case "transferred":
		where += " AND lr.unit_id IS NOT NULL"
	case string(xinfang.JudicialPending), string(xinfang.JudicialFiled), string(xinfang.JudicialNotFiled), string(xinfang.JudicialClosed):
		where += " AND lr.status = ?"
		args = append(args, f.Stage)
	default:
		return nil, 0, xinfang.FieldError("stage", "未知的阶段")
	}
	today := db.todayDate()
	if f.Overdue {
		// Transferred on a day before today − N: more than N days waiting.
		where += " AND lr.status = 'pending' AND lr.transferred_at < ?"
		args = append(args, fmtTime(today.AddDays(-xinfang.JudicialWaitDays).Time()))
	}
	if f.Limit, err = pageLimit(f.Limit, f.Offset); err != nil {
		return nil, 0, err
	}
	var total int
	var out []*xinfang.LegalReferral
	err = db.read(ctx, func(q rowQuerier) error {
		r := cq{db.core, q}
		if err := r.row(ctx, `SELECT COUNT(*)`+referralFrom+` WHERE `+where, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := r.rows(ctx, `SELECT `+referralCols+referralFrom+` WHERE `+where+` ORDER BY lr.screened_at DESC, lr.id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
		out, err = scanAll(rows, err, scanReferral)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	for _, x := range out {
		x.Wait(today)
	}
	return out, total, nil
}

// ScreenLegal records a screening of a petition the actor sees, at the
// version the actor saw: the petition's legal_screen event and the
// register's row (a later screening before the transfer replaces the
// row's finding; both stay in the petition's history).
func (db *LegalReferralStore) ScreenLegal(ctx context.Context, s xinfang.LegalScreening) (*xinfang.LegalReferral, error) {
	actor, err := allow(ctx, xinfang.CanScreenLegal, "涉法涉诉甄别须由登记员或单位负责人办理")
	if err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	var id int64
	err = db.write(ctx, func(tx *Tx) error {
		if _, err := db.findPetition(ctx, tx, s.PetitionID); err != nil {
			return db.notFoundField(err, "petition_id", "信访件不存在或无权查看")
		}
		ps := &PetitionStore{db.core}
		if _, err := ps.actIn(ctx, tx, db.Procedure(ctx), actor, s.PetitionID, xinfang.ActionInput{Action: xinfang.ActLegalScreen, Version: s.Version,
			Data: map[string]string{"finding": string(s.Finding), "reason": s.Reason}}); err != nil {
			return err
		}
		now := fmtTime(tx.now)
		err := tx.queryRow(ctx, `INSERT INTO legal_referrals (petition_id, finding, reason, screened_by, screened_by_name, screened_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (petition_id) DO UPDATE SET finding = excluded.finding, reason = excluded.reason, screened_by = excluded.screened_by,
				screened_by_name = excluded.screened_by_name, screened_at = excluded.screened_at, version = legal_referrals.version + 1, updated_at = excluded.updated_at
			RETURNING id`, s.PetitionID, string(s.Finding), s.Reason, actor.ID, actor.Name, now, now, now).Scan(&id)
		if err != nil {
			return err
		}
		tx.created("legal_referral", id)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.FindLegalReferralByID(ctx, id)
}

// changeReferral loads a row in scope in a write, checks its version and
// lets fn change it; the version moves on.
func (db *LegalReferralStore) changeReferral(ctx context.Context, id int64, version int, fn func(tx *Tx, actor *xinfang.User, r *xinfang.LegalReferral) error) (*xinfang.LegalReferral, error) {
	actor, err := allow(ctx, xinfang.CanReadLegalReferrals, "无权办理涉法涉诉事项")
	if err != nil {
		return nil, err
	}
	err = db.write(ctx, func(tx *Tx) error {
		r, err := db.findReferral(ctx, tx, "lr.id = ?", id)
		if err != nil {
			return err
		}
		if r.Version != version {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该记录已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
		}
		if err := fn(tx, actor, r); err != nil {
			return err
		}
		_, err = tx.exec(ctx, `UPDATE legal_referrals SET version = version + 1, updated_at = ? WHERE id = ?`, fmtTime(tx.now), id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.FindLegalReferralByID(ctx, id)
}

// TransferLegal transfers a screened item to a 政法机关: the petition's
// legal_transfer event (the item leaves the procedure into the route of
// that body, which becomes its handling unit) and the row, at once.
func (db *LegalReferralStore) TransferLegal(ctx context.Context, id int64, t xinfang.LegalTransfer) (*xinfang.LegalReferral, error) {
	if _, err := allow(ctx, xinfang.CanScreenLegal, "转送政法机关须由登记员或单位负责人办理"); err != nil {
		return nil, err
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return db.changeReferral(ctx, id, t.Version, func(tx *Tx, actor *xinfang.User, r *xinfang.LegalReferral) error {
		unit, err := scanUnit(tx.queryRow(ctx, `SELECT `+unitCols+` FROM units WHERE id = ?`, t.UnitID))
		if err != nil {
			return db.notFoundField(err, "unit_id", "单位不存在")
		}
		if err := xinfang.CheckTransfer(r, unit); err != nil {
			return err
		}
		body := xinfang.LegalBodyOf(unit)
		p, err := db.findPetition(ctx, tx, r.PetitionID)
		if err != nil {
			return err
		}
		ps := &PetitionStore{db.core}
		if _, err := ps.actIn(ctx, tx, db.Procedure(ctx), actor, p.ID, xinfang.ActionInput{Action: xinfang.ActLegalTransfer, Version: p.Version,
			Data: map[string]string{"unit_id": strconv.FormatInt(unit.ID, 10), "route": string(xinfang.RouteOf(body)), "note": t.Note}}); err != nil {
			return err
		}
		_, err = tx.exec(ctx, `UPDATE legal_referrals SET unit_id = ?, unit_path = ?, body = ?, route = ?, transfer_note = ?, transferred_by = ?, transferred_by_name = ?,
			transferred_at = ?, status = ? WHERE id = ?`, unit.ID, unit.Path, string(body), string(xinfang.RouteOf(body)), t.Note, actor.ID, actor.Name,
			fmtTime(tx.now), string(xinfang.JudicialPending), r.ID)
		return err
	})
}

// RecordJudicial links the judicial case of a transferred item: by the
// staff of its 政法机关 or the bureau (xinfang.CanRecordJudicial).
func (db *LegalReferralStore) RecordJudicial(ctx context.Context, id int64, j xinfang.JudicialRecord) (*xinfang.LegalReferral, error) {
	return db.changeReferral(ctx, id, j.Version, func(tx *Tx, actor *xinfang.User, r *xinfang.LegalReferral) error {
		var unit *xinfang.Unit
		if r.UnitID != 0 {
			u, err := scanUnit(tx.queryRow(ctx, `SELECT `+unitCols+` FROM units WHERE id = ?`, r.UnitID))
			if err != nil {
				return err
			}
			unit = u
		}
		if !xinfang.CanRecordJudicial(actor, unit) {
			return xinfang.Errorf(xinfang.EFORBIDDEN, "案号和办理结果由承办的政法机关或信访局登记")
		}
		if err := j.Validate(r, db.todayDate()); err != nil {
			return err
		}
		filed, number := r.FiledOn, r.CaseNumber
		decided := j.On
		if j.Status == xinfang.JudicialFiled {
			filed, number, decided = j.On, j.CaseNumber, r.DecidedOn
		}
		_, err := tx.exec(ctx, `UPDATE legal_referrals SET status = ?, case_number = ?, filed_on = ?, decided_on = ?, result = ?, recorded_by_name = ? WHERE id = ?`,
			string(j.Status), number, filed, decided, j.Result, actor.Name, r.ID)
		return err
	})
}
