package sqldb

import (
	"context"

	"xinfang"
)

// The screening rounds (排查轮次): a unit screens its subtree for a period;
// every town and village below it is expected to report, and has reported
// once it filed a report in the round or a nil return (零报告).

// roundScope is the scope of rounds sr: run in the reader's subtree, or
// expecting a unit of it (a village sees its town's round).
func roundScope(ctx context.Context) (string, []any, error) {
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
	own, args := subtree(s.UnitPath, "sr.unit_path")
	exp, eargs := subtree(s.UnitPath, "sru.unit_path")
	return `(` + own + ` OR EXISTS (SELECT 1 FROM screening_round_units sru WHERE sru.round_id = sr.id AND ` + exp + `))`, append(args, eargs...), nil
}

const roundCols = `sr.id, sr.unit_id, u.name, sr.period, sr.due_on, sr.note, sr.version, sr.created_at`

func scanRound(s scanner) (*xinfang.ScreeningRound, error) {
	r := &xinfang.ScreeningRound{Units: []xinfang.ScreeningRoundUnit{}}
	var created string
	if err := s.Scan(&r.ID, &r.UnitID, &r.UnitName, &r.Period, &r.DueOn, &r.Note, &r.Version, &created); err != nil {
		return nil, err
	}
	r.CreatedAt = parseTime(created)
	return r, nil
}

// loadRoundUnits reads the expected units of rounds with their returns;
// a reader sees only the units of its scope.
func (db *ScreeningStore) loadRoundUnits(ctx context.Context, q rowQuerier, list []*xinfang.ScreeningRound) error {
	if len(list) == 0 {
		return nil
	}
	byID := map[int64]*xinfang.ScreeningRound{}
	ids := make([]int64, len(list))
	for i, r := range list {
		byID[r.ID], ids[i] = r, r.ID
	}
	today := db.todayDate()
	rows, err := cq{db.core, q}.rows(ctx, `SELECT ru.round_id, ru.unit_id, u.name, u.kind, ru.unit_path, ru.nil_return_on,
		(SELECT COUNT(*) FROM screening_reports x WHERE x.round_id = ru.round_id AND x.unit_id = ru.unit_id)
		FROM screening_round_units ru JOIN units u ON u.id = ru.unit_id WHERE ru.round_id IN (`+placeholders(len(ids))+`) ORDER BY ru.round_id, ru.unit_path`, idArgs(ids)...)
	return eachRow(rows, err, func(s scanner) error {
		var rid int64
		var x xinfang.ScreeningRoundUnit
		var kind, path string
		if err := s.Scan(&rid, &x.UnitID, &x.UnitName, &kind, &path, &x.NilReturn, &x.Reports); err != nil {
			return err
		}
		if !inScope(ctx, path) {
			return nil
		}
		r := byID[rid]
		x.Level = xinfang.LevelOf(xinfang.UnitKind(kind))
		x.Late = !x.Reported() && today.After(r.DueOn)
		r.Units = append(r.Units, x)
		r.Counts.Expected++
		switch {
		case x.Reports > 0:
			r.Counts.Reported++
		case !x.NilReturn.IsZero():
			r.Counts.Reported++
			r.Counts.NilReturns++
		default:
			r.Counts.Missing++
		}
		return nil
	})
}

// FindRounds lists the rounds the reader sees, newest period first.
func (db *ScreeningStore) FindRounds(ctx context.Context, limit int) ([]*xinfang.ScreeningRound, error) {
	if _, err := requireScreeningReader(ctx); err != nil {
		return nil, err
	}
	scope, args, err := roundScope(ctx)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var out []*xinfang.ScreeningRound
	err = db.read(ctx, func(q rowQuerier) error {
		rows, err := cq{db.core, q}.rows(ctx, `SELECT `+roundCols+` FROM screening_rounds sr JOIN units u ON u.id = sr.unit_id WHERE `+scope+`
			ORDER BY sr.period DESC, sr.unit_path, sr.id LIMIT ?`, append(args, limit)...)
		if out, err = scanAll(rows, err, scanRound); err != nil {
			return err
		}
		return db.loadRoundUnits(ctx, q, out)
	})
	return out, err
}

func (db *ScreeningStore) findRound(ctx context.Context, q rowQuerier, id int64) (*xinfang.ScreeningRound, error) {
	scope, args, err := roundScope(ctx)
	if err != nil {
		return nil, err
	}
	r, err := scanRound(cq{db.core, q}.row(ctx, `SELECT `+roundCols+` FROM screening_rounds sr JOIN units u ON u.id = sr.unit_id WHERE sr.id = ? AND `+scope, append([]any{id}, args...)...))
	if err != nil {
		return nil, db.notFound(err, "排查轮次不存在或无权查看")
	}
	return r, db.loadRoundUnits(ctx, q, []*xinfang.ScreeningRound{r})
}

// FindRoundByID returns a round the reader sees, with the returns of the
// units of the reader's scope.
func (db *ScreeningStore) FindRoundByID(ctx context.Context, id int64) (*xinfang.ScreeningRound, error) {
	if _, err := requireScreeningReader(ctx); err != nil {
		return nil, err
	}
	var r *xinfang.ScreeningRound
	err := db.read(ctx, func(q rowQuerier) error {
		var err error
		r, err = db.findRound(ctx, q, id)
		return err
	})
	return r, err
}

// CreateRound opens a round of a unit in the actor's scope for a period;
// the units expected to report are every active town and village below
// it (or the unit itself, when it is a village). One round per unit and
// period.
func (db *ScreeningStore) CreateRound(ctx context.Context, r *xinfang.ScreeningRound) error {
	actor, err := requireScreeningWriter(ctx)
	if err != nil {
		return err
	}
	if err := r.Validate(); err != nil {
		return err
	}
	err = db.write(ctx, func(tx *Tx) error {
		units, err := tx.activeUnits(ctx, []int64{r.UnitID}, []string{"unit_id"})
		if err != nil {
			return err
		}
		unit := units[0]
		if !inScope(ctx, unit.Path) {
			return xinfang.FieldError("unit_id", "只能组织本单位或下级单位的排查")
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM screening_rounds WHERE unit_id = ? AND period = ?`, r.UnitID, r.Period).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return xinfang.FieldError("period", "本单位该月的排查轮次已存在")
		}
		id, err := tx.insert(ctx, `INSERT INTO screening_rounds (unit_id, unit_path, period, due_on, note, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			r.UnitID, unit.Path, r.Period, r.DueOn, r.Note, actor.ID, fmtTime(tx.now))
		if err != nil {
			return err
		}
		r.ID = id
		tx.created("screening_round", id)
		c, args := subtree(unit.Path, "path")
		res, err := tx.change(ctx, `INSERT INTO screening_round_units (round_id, unit_id, unit_path)
			SELECT ?, id, path FROM units WHERE `+c+` AND kind IN ('town', 'village') AND disabled = 0`, append([]any{id}, args...)...)
		if err == nil && res == 0 {
			return xinfang.FieldError("unit_id", "该单位之下没有须报送的镇（街道）或村（社区）")
		}
		return err
	})
	if err != nil {
		return err
	}
	got, err := db.FindRoundByID(ctx, r.ID)
	if err != nil {
		return err
	}
	*r = *got
	return nil
}

// FileNilReturn records the nil return (零报告) of a unit in a round: the
// unit is expected in it, lies in the actor's scope, and has not reported.
func (db *ScreeningStore) FileNilReturn(ctx context.Context, roundID, unitID int64) (*xinfang.ScreeningRound, error) {
	return db.FileNilReturns(ctx, roundID, []int64{unitID})
}

// FileNilReturns records the nil returns of several units of a round (a
// town for its villages that found nothing), all or none.
func (db *ScreeningStore) FileNilReturns(ctx context.Context, roundID int64, unitIDs []int64) (*xinfang.ScreeningRound, error) {
	actor, err := requireScreeningWriter(ctx)
	if err != nil {
		return nil, err
	}
	if len(unitIDs) == 0 || len(unitIDs) > 1000 {
		return nil, xinfang.FieldError("unit_id", "请选择零报告的单位")
	}
	err = db.write(ctx, func(tx *Tx) error {
		r, err := db.findRound(ctx, tx, roundID)
		if err != nil {
			return err
		}
		for _, unitID := range unitIDs {
			var path, nilOn string
			var reports int
			err = tx.queryRow(ctx, `SELECT ru.unit_path, ru.nil_return_on, (SELECT COUNT(*) FROM screening_reports x WHERE x.round_id = ru.round_id AND x.unit_id = ru.unit_id)
				FROM screening_round_units ru WHERE ru.round_id = ? AND ru.unit_id = ?`, r.ID, unitID).Scan(&path, &nilOn, &reports)
			if err != nil || !inScope(ctx, path) {
				return xinfang.FieldError("unit_id", "该单位不在本轮排查范围内或无权代报")
			}
			if nilOn != "" || reports > 0 {
				return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该单位本轮已报送", Fields: map[string]string{"unit_id": "已报送"}}
			}
			if _, err := tx.exec(ctx, `UPDATE screening_round_units SET nil_return_on = ?, nil_return_by = ? WHERE round_id = ? AND unit_id = ?`,
				db.todayDate(), actor.ID, r.ID, unitID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.FindRoundByID(ctx, roundID)
}

// RoundsFor lists the rounds whose expected units include unitID, newest
// first: where a report of that unit may be filed.
func (db *ScreeningStore) RoundsFor(ctx context.Context, unitID int64) ([]*xinfang.ScreeningRound, error) {
	all, err := db.FindRounds(ctx, 24)
	if err != nil {
		return nil, err
	}
	var out []*xinfang.ScreeningRound
	for _, r := range all {
		for _, u := range r.Units {
			if u.UnitID == unitID || unitID == 0 {
				out = append(out, r)
				break
			}
		}
	}
	return out, nil
}
