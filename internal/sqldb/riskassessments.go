package sqldb

import (
	"context"
	"fmt"

	"xinfang"
	"xinfang/internal/calendar"
)

// RiskAssessmentStore is the register of risk assessments of major
// decisions (稳评) and the petitions linked to a decision. A reader sees
// the assessments of its subtree (the whole city when city-wide); a link
// is made or removed only on a petition the actor sees, and a reader is
// shown only the linked petitions it sees.
type RiskAssessmentStore struct{ *core }

var riskScope = unitScope("a")

const riskCols = `a.id, a.number, a.decision, a.body, a.unit_id, u.name, a.risks, a.measures, a.level, a.conclusion, a.reviewers, a.assessed_on, a.decided_on,
	a.version, a.created_by, a.created_at, a.updated_at`

const riskFrom = ` FROM risk_assessments a JOIN units u ON u.id = a.unit_id`

func scanRisk(s scanner) (*xinfang.RiskAssessment, error) {
	a := &xinfang.RiskAssessment{Petitions: []xinfang.RiskPetitionLink{}}
	var created, updated string
	if err := s.Scan(&a.ID, &a.Number, &a.Decision, &a.Body, &a.UnitID, &a.UnitName, &a.Risks, &a.Measures, &a.Level, &a.Conclusion, &a.Reviewers,
		&a.AssessedOn, &a.DecidedOn, &a.Version, &a.CreatedBy, &created, &updated); err != nil {
		return nil, err
	}
	a.CreatedAt, a.UpdatedAt = parseTime(created), parseTime(updated)
	return a, nil
}

// loadRiskPetitions reads the linked petitions of list that the reader sees.
func (db *RiskAssessmentStore) loadRiskPetitions(ctx context.Context, q rowQuerier, list []*xinfang.RiskAssessment) error {
	if len(list) == 0 {
		return nil
	}
	scope, args, err := petitionScope(ctx)
	if err != nil {
		return err
	}
	byID := map[int64]*xinfang.RiskAssessment{}
	ids := make([]int64, len(list))
	for i, a := range list {
		byID[a.ID], ids[i] = a, a.ID
	}
	rows, err := cq{db.core, q}.rows(ctx, `SELECT l.assessment_id, p.id, p.number, p.summary, l.linked_by_name, l.linked_at
		FROM risk_assessment_petitions l JOIN petitions p ON p.id = l.petition_id
		WHERE l.assessment_id IN (`+placeholders(len(ids))+`) AND `+scope+` ORDER BY l.assessment_id, l.linked_at, p.id`, append(idArgs(ids), args...)...)
	return eachRow(rows, err, func(s scanner) error {
		var aid int64
		var x xinfang.RiskPetitionLink
		var at string
		if err := s.Scan(&aid, &x.PetitionID, &x.Number, &x.Summary, &x.LinkedBy, &at); err != nil {
			return err
		}
		x.LinkedAt = parseTime(at)
		byID[aid].Petitions = append(byID[aid].Petitions, x)
		return nil
	})
}

func (db *RiskAssessmentStore) findRisk(ctx context.Context, q rowQuerier, id int64) (*xinfang.RiskAssessment, error) {
	scope, args, err := riskScope(ctx)
	if err != nil {
		return nil, err
	}
	a, err := scanRisk(cq{db.core, q}.row(ctx, `SELECT `+riskCols+riskFrom+` WHERE a.id = ? AND `+scope, append([]any{id}, args...)...))
	if err != nil {
		return nil, db.notFound(err, "稳评不存在或无权查看")
	}
	return a, db.loadRiskPetitions(ctx, q, []*xinfang.RiskAssessment{a})
}

// FindRiskAssessmentByID returns an assessment the reader sees.
func (db *RiskAssessmentStore) FindRiskAssessmentByID(ctx context.Context, id int64) (*xinfang.RiskAssessment, error) {
	if _, err := requireScreeningReader(ctx); err != nil {
		return nil, err
	}
	var a *xinfang.RiskAssessment
	err := db.read(ctx, func(q rowQuerier) error {
		var err error
		a, err = db.findRisk(ctx, q, id)
		return err
	})
	return a, err
}

// FindRiskAssessments lists the assessments the reader sees, newest first;
// PetitionID keeps those linked to that petition.
func (db *RiskAssessmentStore) FindRiskAssessments(ctx context.Context, f xinfang.RiskAssessmentFilter) ([]*xinfang.RiskAssessment, int, error) {
	if _, err := requireScreeningReader(ctx); err != nil {
		return nil, 0, err
	}
	where, args, err := riskScope(ctx)
	if err != nil {
		return nil, 0, err
	}
	if f.Level != "" {
		if !f.Level.Valid() {
			return nil, 0, xinfang.FieldError("level", "未知的风险等级")
		}
		where += " AND a.level = ?"
		args = append(args, string(f.Level))
	}
	if f.Conclusion != "" {
		if !f.Conclusion.Valid() {
			return nil, 0, xinfang.FieldError("conclusion", "未知的评估结论")
		}
		where += " AND a.conclusion = ?"
		args = append(args, string(f.Conclusion))
	}
	if f.PetitionID != 0 {
		where += " AND EXISTS (SELECT 1 FROM risk_assessment_petitions lp WHERE lp.assessment_id = a.id AND lp.petition_id = ?)"
		args = append(args, f.PetitionID)
	}
	if f.Limit, err = pageLimit(f.Limit, f.Offset); err != nil {
		return nil, 0, err
	}
	var total int
	var out []*xinfang.RiskAssessment
	err = db.read(ctx, func(q rowQuerier) error {
		r := cq{db.core, q}
		if err := r.row(ctx, `SELECT COUNT(*) FROM risk_assessments a WHERE `+where, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := r.rows(ctx, `SELECT `+riskCols+riskFrom+` WHERE `+where+` ORDER BY a.assessed_on DESC, a.id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
		if out, err = scanAll(rows, err, scanRisk); err != nil {
			return err
		}
		return db.loadRiskPetitions(ctx, q, out)
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// SaveRiskAssessment records a new assessment (ID 0) or changes one at its
// version, for a unit in the actor's scope.
func (db *RiskAssessmentStore) SaveRiskAssessment(ctx context.Context, a *xinfang.RiskAssessment) error {
	actor, err := requireScreeningWriter(ctx)
	if err != nil {
		return err
	}
	if err := a.Validate(db.todayDate()); err != nil {
		return err
	}
	err = db.write(ctx, func(tx *Tx) error {
		units, err := tx.activeUnits(ctx, []int64{a.UnitID}, []string{"unit_id"})
		if err != nil {
			return err
		}
		unit := units[0]
		if !inScope(ctx, unit.Path) {
			return xinfang.FieldError("unit_id", "评估责任单位须为本单位或下级单位")
		}
		now := fmtTime(tx.now)
		if a.ID != 0 {
			old, err := db.findRisk(ctx, tx, a.ID)
			if err != nil {
				return err
			}
			if old.Version != a.Version {
				return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该稳评已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
			}
			n, err := tx.change(ctx, `UPDATE risk_assessments SET decision = ?, body = ?, unit_id = ?, unit_path = ?, risks = ?, measures = ?, level = ?, conclusion = ?,
				reviewers = ?, assessed_on = ?, decided_on = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
				a.Decision, a.Body, a.UnitID, unit.Path, a.Risks, a.Measures, string(a.Level), string(a.Conclusion), a.Reviewers, a.AssessedOn, a.DecidedOn, now, a.ID, a.Version)
			if err == nil && n != 1 {
				return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该稳评已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
			}
			return err
		}
		year := calendar.DateOf(tx.now).Year
		var seq int64
		if err := tx.queryRow(ctx, `INSERT INTO risk_assessment_counters (year, next) VALUES (?, 1)
			ON CONFLICT (year) DO UPDATE SET next = risk_assessment_counters.next + 1 RETURNING next`, year).Scan(&seq); err != nil {
			return err
		}
		id, err := tx.insert(ctx, `INSERT INTO risk_assessments (number, decision, body, unit_id, unit_path, risks, measures, level, conclusion, reviewers, assessed_on, decided_on,
			created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			fmt.Sprintf(xinfang.RiskAssessmentNumberFormat, year, seq), a.Decision, a.Body, a.UnitID, unit.Path, a.Risks, a.Measures, string(a.Level), string(a.Conclusion),
			a.Reviewers, a.AssessedOn, a.DecidedOn, actor.ID, now, now)
		a.ID = id
		tx.created("risk_assessment", id)
		return err
	})
	if err != nil {
		return err
	}
	got, err := db.FindRiskAssessmentByID(ctx, a.ID)
	if err != nil {
		return err
	}
	*a = *got
	return nil
}

// LinkPetition links (or, with unlink, unlinks) a petition the actor sees
// to an assessment it sees.
func (db *RiskAssessmentStore) LinkPetition(ctx context.Context, id, petitionID int64, unlink bool) (*xinfang.RiskAssessment, error) {
	actor, err := requireScreeningWriter(ctx)
	if err != nil {
		return nil, err
	}
	err = db.write(ctx, func(tx *Tx) error {
		if _, err := db.findRisk(ctx, tx, id); err != nil {
			return err
		}
		if _, err := db.findPetition(ctx, tx, petitionID); err != nil {
			return db.notFoundField(err, "petition_id", "信访件不存在或无权查看")
		}
		if unlink {
			n, err := tx.change(ctx, `DELETE FROM risk_assessment_petitions WHERE assessment_id = ? AND petition_id = ?`, id, petitionID)
			if err == nil && n == 0 {
				return xinfang.FieldError("petition_id", "该信访件未关联此决策")
			}
			return err
		}
		n, err := tx.change(ctx, `INSERT INTO risk_assessment_petitions (assessment_id, petition_id, linked_by, linked_by_name, linked_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (assessment_id, petition_id) DO NOTHING`, id, petitionID, actor.ID, actor.Name, fmtTime(tx.now))
		if err == nil && n == 0 {
			return xinfang.FieldError("petition_id", "该信访件已关联此决策")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.FindRiskAssessmentByID(ctx, id)
}
