package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"xinfang"
)

// The registrar's side of the portal: the items submitted online that
// wait to be taken in. Taking one in (确认登记) is recorded here; merging
// it into an earlier item and declining it are the procedure's merge and
// decline, so that the petitioner sees them on the follow page.

const pendingIntake = `p.id IN (SELECT petition_id FROM portal_intake WHERE confirmed_at = '') AND p.state = '` + string(xinfang.StateRegistered) + `'`

// FindIntake lists the items submitted online that wait for the
// registrar, oldest first, in the acting user's scope.
func (db *PortalStore) FindIntake(ctx context.Context, offset, limit int) ([]*xinfang.Petition, int, error) {
	if _, err := allow(ctx, xinfang.CanRegister); err != nil {
		return nil, 0, err
	}
	scope, args, err := petitionScope(ctx)
	if err != nil {
		return nil, 0, err
	}
	where := pendingIntake + ` AND ` + scope
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM petitions p WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT `+petitionCols+petitionFrom+` WHERE `+where+` ORDER BY p.received_at, p.id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	out, err := scanAll(rows, err, db.scanPetition)
	return out, total, err
}

// FindIntakeOf returns the intake record of an item in scope, ENOTFOUND
// for an item not submitted online.
func (db *PortalStore) FindIntakeOf(ctx context.Context, petitionID int64) (*xinfang.Intake, error) {
	var in *xinfang.Intake
	err := db.read(ctx, func(q rowQuerier) error {
		if _, err := db.findPetition(ctx, q, petitionID); err != nil {
			return err
		}
		var err error
		in, err = scanIntake((cq{db.core, q}).row(ctx, `SELECT petition_id, submitted_at, confirmed_at, confirmed_by_name FROM portal_intake WHERE petition_id = ?`, petitionID))
		return db.notFound(err, "该信访件不是网上信访")
	})
	return in, err
}

func scanIntake(s scanner) (*xinfang.Intake, error) {
	in := &xinfang.Intake{}
	var submitted, confirmed string
	if err := s.Scan(&in.PetitionID, &submitted, &confirmed, &in.ConfirmedByName); err != nil {
		return nil, err
	}
	in.SubmittedAt, in.ConfirmedAt = parseTime(submitted), parseTime(confirmed)
	return in, nil
}

// ConfirmIntake takes an item submitted online in as a petition (确认登记):
// it leaves the list and goes on as any registered item.
func (db *PortalStore) ConfirmIntake(ctx context.Context, petitionID int64) (*xinfang.Intake, error) {
	actor, err := allow(ctx, xinfang.CanRegister)
	if err != nil {
		return nil, err
	}
	var in *xinfang.Intake
	err = db.write(ctx, func(tx *Tx) error {
		p, err := db.findPetition(ctx, tx, petitionID)
		if err != nil {
			return err
		}
		in, err = scanIntake(tx.queryRow(ctx, `SELECT petition_id, submitted_at, confirmed_at, confirmed_by_name FROM portal_intake WHERE petition_id = ?`, petitionID))
		if errors.Is(err, sql.ErrNoRows) {
			return xinfang.FieldError("petition_id", "该信访件不是网上信访")
		}
		if err != nil {
			return err
		}
		if !in.ConfirmedAt.IsZero() {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该网上信访已由" + in.ConfirmedByName + "确认登记", Fields: map[string]string{"petition_id": "已确认登记"}}
		}
		if p.State != xinfang.StateRegistered {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该网上信访已" + p.State.Label() + "，不能再确认登记", Fields: map[string]string{"petition_id": "已处理"}}
		}
		n, err := tx.change(ctx, `UPDATE portal_intake SET confirmed_by = ?, confirmed_by_name = ?, confirmed_at = ? WHERE petition_id = ? AND confirmed_at = ''`,
			actor.ID, actor.Name, fmtTime(tx.now), petitionID)
		if err != nil {
			return err
		}
		if n != 1 {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该网上信访已由他人确认登记", Fields: map[string]string{"petition_id": "已确认登记"}}
		}
		in.ConfirmedAt, in.ConfirmedByName = parseTime(fmtTime(tx.now)), actor.Name
		return nil
	})
	return in, err
}
