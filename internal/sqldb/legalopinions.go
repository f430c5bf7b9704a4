package sqldb

import (
	"context"
	"fmt"

	"xinfang"
	"xinfang/internal/calendar"
)

// LegalOpinionStore is the legal opinions (法律意见书) lawyers draft on
// the records assigned to them.
type LegalOpinionStore struct{ *core }

const opinionCols = `o.id, o.number, COALESCE(o.petition_id, 0), COALESCE(p.number, ''), COALESCE(o.case_id, 0), COALESCE(c.number, ''), o.lawyer_id, o.lawyer_name, o.firm,
	o.question, o.analysis, o.opinion, o.basis, o.issued_on, o.version, o.created_at, o.updated_at`

const opinionFrom = ` FROM legal_opinions o LEFT JOIN petitions p ON p.id = o.petition_id LEFT JOIN cases c ON c.id = o.case_id`

func scanOpinion(s scanner) (*xinfang.LegalOpinion, error) {
	o := &xinfang.LegalOpinion{}
	var created, updated string
	if err := s.Scan(&o.ID, &o.Number, &o.PetitionID, &o.PetitionNumber, &o.CaseID, &o.CaseNumber, &o.LawyerID, &o.LawyerName, &o.Firm,
		&o.Question, &o.Analysis, &o.Opinion, &o.Basis, &o.IssuedOn, &o.Version, &created, &updated); err != nil {
		return nil, err
	}
	o.Issued, o.CreatedAt, o.UpdatedAt = !o.IssuedOn.IsZero(), parseTime(created), parseTime(updated)
	return o, nil
}

// opinionScope is who sees a legal opinion o: its lawyer, and whoever sees
// its petition or case.
func opinionScope(ctx context.Context) (string, []any, error) {
	u, err := allow(ctx, xinfang.CanReadLegalOpinions, "无权查看法律意见书")
	if err != nil {
		return "", nil, err
	}
	ps, pargs, err := petitionScope(ctx)
	if err != nil {
		return "", nil, err
	}
	cs, cargs, err := caseScope(ctx)
	if err != nil {
		return "", nil, err
	}
	clause := `(o.lawyer_id = ? OR (o.petition_id IS NOT NULL AND EXISTS (SELECT 1 FROM petitions p WHERE p.id = o.petition_id AND ` + ps + `))
		OR (o.case_id IS NOT NULL AND EXISTS (SELECT 1 FROM cases c WHERE c.id = o.case_id AND ` + cs + `)))`
	return clause, append(append([]any{u.ID}, pargs...), cargs...), nil
}

// FindLegalOpinionByID returns a legal opinion the reader may see.
func (db *LegalOpinionStore) FindLegalOpinionByID(ctx context.Context, id int64) (*xinfang.LegalOpinion, error) {
	scope, args, err := opinionScope(ctx)
	if err != nil {
		return nil, err
	}
	o, err := scanOpinion(db.queryRow(ctx, `SELECT `+opinionCols+opinionFrom+` WHERE o.id = ? AND `+scope, append([]any{id}, args...)...))
	if err != nil {
		return nil, db.notFound(err, "法律意见书不存在或无权查看")
	}
	return o, nil
}

// FindLegalOpinions lists the legal opinions the reader may see, of a
// petition when given, newest first.
func (db *LegalOpinionStore) FindLegalOpinions(ctx context.Context, petitionID int64) ([]*xinfang.LegalOpinion, error) {
	scope, args, err := opinionScope(ctx)
	if err != nil {
		return nil, err
	}
	if petitionID != 0 {
		scope += " AND o.petition_id = ?"
		args = append(args, petitionID)
	}
	rows, err := db.query(ctx, `SELECT `+opinionCols+opinionFrom+` WHERE `+scope+` ORDER BY o.id DESC LIMIT 1000`, args...)
	out, err := scanAll(rows, err, scanOpinion)
	if out == nil {
		out = []*xinfang.LegalOpinion{}
	}
	return out, err
}

// SaveLegalOpinion creates a draft (ID 0) on a petition or case the lawyer
// sees, or replaces his own draft (at its version); an issued opinion is
// final.
func (db *LegalOpinionStore) SaveLegalOpinion(ctx context.Context, o *xinfang.LegalOpinion) error {
	actor, err := allow(ctx, xinfang.CanDraftLegalOpinion, "法律意见书由律师出具")
	if err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return err
	}
	err = db.write(ctx, func(tx *Tx) error {
		if o.PetitionID != 0 {
			if _, err := db.findPetition(ctx, tx, o.PetitionID); err != nil {
				return db.notFoundField(err, "petition_id", "信访件不存在或未指派给您")
			}
		} else {
			cs, cargs, err := caseScope(ctx)
			if err != nil {
				return err
			}
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM cases c WHERE c.id = ? AND `+cs, append([]any{o.CaseID}, cargs...)...).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return xinfang.FieldError("case_id", "信访积案不存在或未指派给您")
			}
		}
		now := fmtTime(tx.now)
		if o.ID == 0 {
			year := calendar.DateOf(tx.now).Year
			var seq int64
			if err := tx.queryRow(ctx, `INSERT INTO legal_opinion_counters (year, next) VALUES (?, 1)
				ON CONFLICT (year) DO UPDATE SET next = legal_opinion_counters.next + 1 RETURNING next`, year).Scan(&seq); err != nil {
				return err
			}
			id, err := tx.insert(ctx, `INSERT INTO legal_opinions (number, petition_id, case_id, lawyer_id, lawyer_name, firm, question, analysis, opinion, basis, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, fmt.Sprintf(xinfang.LegalOpinionNumberFormat, year, seq), nullID(o.PetitionID), nullID(o.CaseID),
				actor.ID, actor.Name, o.Firm, o.Question, o.Analysis, o.Opinion, o.Basis, now, now)
			if err != nil {
				return err
			}
			o.ID = id
			tx.created("legal_opinion", id)
			return nil
		}
		var lawyer int64
		var issued string
		var version int
		if err := tx.queryRow(ctx, `SELECT lawyer_id, issued_on, version FROM legal_opinions WHERE id = ?`, o.ID).Scan(&lawyer, &issued, &version); err != nil {
			return db.notFound(err, "法律意见书不存在")
		}
		switch {
		case lawyer != actor.ID:
			return xinfang.Errorf(xinfang.EFORBIDDEN, "只能修改本人起草的法律意见书")
		case issued != "":
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "法律意见书已出具，不能修改", Fields: map[string]string{"action": "已出具"}}
		case version != o.Version:
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "法律意见书已被修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
		}
		_, err := tx.exec(ctx, `UPDATE legal_opinions SET firm = ?, question = ?, analysis = ?, opinion = ?, basis = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			o.Firm, o.Question, o.Analysis, o.Opinion, o.Basis, now, o.ID)
		return err
	})
	if err != nil {
		return err
	}
	got, err := db.FindLegalOpinionByID(ctx, o.ID)
	if err != nil {
		return err
	}
	*o = *got
	return nil
}

// IssueLegalOpinion issues the lawyer's own draft today: final from then.
func (db *LegalOpinionStore) IssueLegalOpinion(ctx context.Context, id int64, version int) (*xinfang.LegalOpinion, error) {
	o, err := db.FindLegalOpinionByID(ctx, id)
	if err != nil {
		return nil, err
	}
	actor := xinfang.UserFromContext(ctx)
	if o.LawyerID != actor.ID {
		return nil, xinfang.Errorf(xinfang.EFORBIDDEN, "只能出具本人起草的法律意见书")
	}
	err = db.write(ctx, func(tx *Tx) error {
		n, err := tx.change(ctx, `UPDATE legal_opinions SET issued_on = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND issued_on = ''`,
			calendar.DateOf(tx.now), fmtTime(tx.now), id, version)
		if err != nil {
			return err
		}
		if n != 1 {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "法律意见书已出具或已被修改", Fields: map[string]string{"version": "版本已过期或已出具"}}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.FindLegalOpinionByID(ctx, id)
}
