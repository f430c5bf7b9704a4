package sqldb

import (
	"context"
	"fmt"

	"xinfang"
	"xinfang/internal/calendar"
)

// JudicialAidStore is the applications for judicial aid (司法救助).
type JudicialAidStore struct{ *core }

const aidCols = `j.id, j.number, j.petition_id, p.number, j.unit_id, u.name, j.applicant, j.by_petitioner, j.grounds, j.documents, j.applied_on, j.requested,
	j.state, j.review_opinion, j.reviewed_by_name, j.decided_on, j.amount, j.refusal_reason, j.decided_by_name, j.paid_on, j.payment_ref,
	j.version, j.created_by_name, j.created_at`

const aidFrom = ` FROM judicial_aid j JOIN units u ON u.id = j.unit_id JOIN petitions p ON p.id = j.petition_id`

func scanAid(s scanner) (*xinfang.JudicialAid, error) {
	a := &xinfang.JudicialAid{}
	var by int
	var created string
	if err := s.Scan(&a.ID, &a.Number, &a.PetitionID, &a.PetitionNumber, &a.UnitID, &a.UnitName, &a.Applicant, &by, &a.Grounds, &a.Documents, &a.AppliedOn, &a.Requested,
		&a.State, &a.ReviewOpinion, &a.ReviewedByName, &a.DecidedOn, &a.Amount, &a.RefusalReason, &a.DecidedByName, &a.PaidOn, &a.PaymentRef,
		&a.Version, &a.CreatedByName, &created); err != nil {
		return nil, err
	}
	a.ByPetitioner, a.CreatedAt = by != 0, parseTime(created)
	return a, nil
}

// aidClock fills the decision's due day (the configured working days
// after the application) and, while undecided, its warning on today.
func (db *JudicialAidStore) aidClock(ctx context.Context, list []*xinfang.JudicialAid) {
	pr := db.Procedure(ctx)
	today := db.todayDate()
	for _, a := range list {
		a.DecisionDue = pr.Cal.DueAfterWorkdays(a.AppliedOn, pr.Cfg.JudicialAidDays).Due
		switch {
		case a.State.Decided():
			a.Warning = ""
		case today.After(a.DecisionDue):
			a.Warning = xinfang.WarnOverdue
		case !today.AddDays(pr.Cfg.NearDays).Before(a.DecisionDue):
			a.Warning = xinfang.WarnNear
		default:
			a.Warning = xinfang.WarnNormal
		}
	}
}

func requireAidReader(ctx context.Context) error {
	_, err := requireSocietyReader(ctx)
	return err
}

// FindJudicialAidByID returns an application the reader may see.
func (db *JudicialAidStore) FindJudicialAidByID(ctx context.Context, id int64) (*xinfang.JudicialAid, error) {
	if err := requireAidReader(ctx); err != nil {
		return nil, err
	}
	scope, args, err := aidScope(ctx)
	if err != nil {
		return nil, err
	}
	a, err := scanAid(db.queryRow(ctx, `SELECT `+aidCols+aidFrom+` WHERE j.id = ? AND `+scope, append([]any{id}, args...)...))
	if err != nil {
		return nil, db.notFound(err, "司法救助不存在或无权查看")
	}
	db.aidClock(ctx, []*xinfang.JudicialAid{a})
	return a, nil
}

// FindJudicialAids lists the applications the reader may see, newest
// first; Overdue keeps the undecided ones past the decision's day.
func (db *JudicialAidStore) FindJudicialAids(ctx context.Context, f xinfang.JudicialAidFilter) ([]*xinfang.JudicialAid, int, error) {
	if err := requireAidReader(ctx); err != nil {
		return nil, 0, err
	}
	scope, args, err := aidScope(ctx)
	if err != nil {
		return nil, 0, err
	}
	where := scope
	if f.State != "" {
		if !f.State.Valid() {
			return nil, 0, xinfang.FieldError("state", "未知的司法救助状态")
		}
		where += " AND j.state = ?"
		args = append(args, string(f.State))
	}
	if f.Limit, err = pageLimit(f.Limit, f.Offset); err != nil {
		return nil, 0, err
	}
	var out []*xinfang.JudicialAid
	err = db.read(ctx, func(q rowQuerier) error {
		rows, err := cq{db.core, q}.rows(ctx, `SELECT `+aidCols+aidFrom+` WHERE `+where+` ORDER BY j.applied_on DESC, j.id DESC LIMIT 2000`, args...)
		out, err = scanAll(rows, err, scanAid)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	db.aidClock(ctx, out)
	if f.Overdue {
		// The due day is working-day arithmetic over the calendar: judged
		// here, on the undecided applications, which are few.
		kept := out[:0]
		for _, a := range out {
			if a.Warning == xinfang.WarnOverdue {
				kept = append(kept, a)
			}
		}
		out = kept
	}
	total := len(out)
	if f.Offset >= len(out) {
		return []*xinfang.JudicialAid{}, total, nil
	}
	out = out[f.Offset:]
	if len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, total, nil
}

// CreateJudicialAid records an application on a petition the actor sees.
func (db *JudicialAidStore) CreateJudicialAid(ctx context.Context, a *xinfang.JudicialAid) error {
	actor, err := requireSocietyWriter(ctx)
	if err != nil {
		return err
	}
	if actor.Unit == nil {
		return xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	if err := a.Validate(db.todayDate()); err != nil {
		return err
	}
	err = db.write(ctx, func(tx *Tx) error {
		if _, err := db.findPetition(ctx, tx, a.PetitionID); err != nil {
			return db.notFoundField(err, "petition_id", "信访件不存在或无权查看")
		}
		year := calendar.DateOf(tx.now).Year
		var seq int64
		if err := tx.queryRow(ctx, `INSERT INTO judicial_aid_counters (year, next) VALUES (?, 1)
			ON CONFLICT (year) DO UPDATE SET next = judicial_aid_counters.next + 1 RETURNING next`, year).Scan(&seq); err != nil {
			return err
		}
		now := fmtTime(tx.now)
		id, err := tx.insert(ctx, `INSERT INTO judicial_aid (number, petition_id, unit_id, unit_path, applicant, by_petitioner, grounds, documents, applied_on, requested, state,
			created_by, created_by_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			fmt.Sprintf(xinfang.JudicialAidNumberFormat, year, seq), a.PetitionID, actor.UnitID, actor.Unit.Path, a.Applicant, b2i(a.ByPetitioner), a.Grounds, a.Documents,
			a.AppliedOn, a.Requested, string(xinfang.AidApplied), actor.ID, actor.Name, now, now)
		if err != nil {
			return err
		}
		a.ID = id
		tx.created("judicial_aid", id)
		return nil
	})
	if err != nil {
		return err
	}
	got, err := db.FindJudicialAidByID(ctx, a.ID)
	if err != nil {
		return err
	}
	*a = *got
	return nil
}

// StepJudicialAid takes one step of an application's life: the review,
// the decision (an amount within the configured cap, or a refusal with
// its reason), or the payment.
func (db *JudicialAidStore) StepJudicialAid(ctx context.Context, id int64, d xinfang.AidDecision) (*xinfang.JudicialAid, error) {
	actor, err := requireSocietyWriter(ctx)
	if err != nil {
		return nil, err
	}
	scope, args, err := aidScope(ctx)
	if err != nil {
		return nil, err
	}
	maxAmount := db.Procedure(ctx).Cfg.JudicialAidCap
	err = db.write(ctx, func(tx *Tx) error {
		a, err := scanAid(tx.queryRow(ctx, `SELECT `+aidCols+aidFrom+` WHERE j.id = ? AND `+scope, append([]any{id}, args...)...))
		if err != nil {
			return db.notFound(err, "司法救助不存在或无权查看")
		}
		if a.Version != d.Version {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该申请已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
		}
		to, err := xinfang.CheckJudicialAidAction(a.State, d.Action)
		if err != nil {
			return err
		}
		if err := d.Validate(a, db.todayDate(), maxAmount); err != nil {
			return err
		}
		now := fmtTime(tx.now)
		switch d.Action {
		case xinfang.AidActReview:
			_, err = tx.exec(ctx, `UPDATE judicial_aid SET state = ?, review_opinion = ?, reviewed_by_name = ?, version = version + 1, updated_at = ? WHERE id = ?`,
				string(to), d.ReviewOpinion, actor.Name, now, id)
		case xinfang.AidActGrant, xinfang.AidActRefuse:
			amount := d.Amount
			if d.Action == xinfang.AidActRefuse {
				amount = 0
			}
			_, err = tx.exec(ctx, `UPDATE judicial_aid SET state = ?, decided_on = ?, amount = ?, refusal_reason = ?, decided_by_name = ?, version = version + 1, updated_at = ? WHERE id = ?`,
				string(to), d.DecidedOn, amount, d.RefusalReason, actor.Name, now, id)
		case xinfang.AidActPay:
			_, err = tx.exec(ctx, `UPDATE judicial_aid SET state = ?, paid_on = ?, payment_ref = ?, version = version + 1, updated_at = ? WHERE id = ?`,
				string(to), d.PaidOn, d.PaymentRef, now, id)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.FindJudicialAidByID(ctx, id)
}
