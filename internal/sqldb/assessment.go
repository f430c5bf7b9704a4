package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"

	"xinfang"
	"xinfang/internal/calendar"
)

// AssessmentStore is the annual assessment (年度考核): the rules of each
// year, the assessor's entries, the 责任书 targets linked to indicators,
// the scores computed from the indicators, and the freezing of a year.
type AssessmentStore struct{ *core }

func assessor(ctx context.Context) (*xinfang.User, error) {
	u, err := allow(ctx, xinfang.CanAssess, "只有市级督查员和领导可以进行年度考核")
	if err != nil {
		return nil, err
	}
	return u, nil
}

func assessmentReader(ctx context.Context) error {
	_, err := allow(ctx, xinfang.CanReadAssessment, "年度考核仅供全市范围的督查员、领导查看")
	if err != nil {
		return err
	}
	return nil
}

func checkYear(year int) error {
	if year < 2000 || year > 2100 {
		return xinfang.FieldError("year", "年度须在 2000–2100 之间")
	}
	return nil
}

// rules reads a year's rules, kpi.md's defaults for a year without a row.
func (db *AssessmentStore) rules(ctx context.Context, r cq, year int) (xinfang.AssessmentRules, error) {
	var raw, frozenAt string
	var frozen int
	out := xinfang.DefaultAssessmentRules(year)
	err := r.row(ctx, `SELECT rules, frozen, frozen_at, frozen_by, version FROM assessment_years WHERE year = ?`, year).
		Scan(&raw, &frozen, &frozenAt, &out.FrozenBy, &out.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return out, nil
	}
	if err != nil {
		return out, err
	}
	out.Weights = nil // the year's own weights, not merged into the defaults
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return out, err
	}
	out.Year, out.Frozen = year, frozen == 1
	if frozenAt != "" {
		out.FrozenAt = parseTime(frozenAt)
	}
	return out, nil
}

// AssessmentRules returns the rules of a year.
func (db *AssessmentStore) AssessmentRules(ctx context.Context, year int) (xinfang.AssessmentRules, error) {
	if err := assessmentReader(ctx); err != nil {
		return xinfang.AssessmentRules{}, err
	}
	if err := checkYear(year); err != nil {
		return xinfang.AssessmentRules{}, err
	}
	var out xinfang.AssessmentRules
	err := db.read(ctx, func(q rowQuerier) error {
		var err error
		out, err = db.rules(ctx, cq{db.core, q}, year)
		return err
	})
	return out, err
}

// notFrozen refuses a change of a frozen year, in tx.
func (db *AssessmentStore) notFrozen(ctx context.Context, tx *Tx, year int) error {
	var frozen int
	err := tx.queryRow(ctx, `SELECT frozen FROM assessment_years WHERE year = ?`, year).Scan(&frozen)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if frozen == 1 {
		return &xinfang.Error{Code: xinfang.ECONFLICT, Message: strconv.Itoa(year) + " 年度考核已结束并冻结，不能再修改", Fields: map[string]string{"year": "该年度已冻结"}}
	}
	return nil
}

// SaveAssessmentRules sets a year's weights and thresholds; r.Version is
// the version read (1 for a year still on its defaults).
func (db *AssessmentStore) SaveAssessmentRules(ctx context.Context, r xinfang.AssessmentRules) (xinfang.AssessmentRules, error) {
	if _, err := assessor(ctx); err != nil {
		return r, err
	}
	if err := r.Validate(); err != nil {
		return r, err
	}
	raw, err := json.Marshal(struct {
		Weights         map[xinfang.IndicatorKind]float64 `json:"weights"`
		RepeatPenalty   float64                           `json:"repeat_penalty"`
		RepeatCap       float64                           `json:"repeat_cap"`
		LeaderThreshold float64                           `json:"leader_threshold"`
		LeaderPenalty   float64                           `json:"leader_penalty"`
	}{r.Weights, r.RepeatPenalty, r.RepeatCap, r.LeaderThreshold, r.LeaderPenalty})
	if err != nil {
		return r, err
	}
	err = db.write(ctx, func(tx *Tx) error {
		if err := db.notFrozen(ctx, tx, r.Year); err != nil {
			return err
		}
		n, err := tx.change(ctx, `UPDATE assessment_years SET rules = ?, version = version + 1, updated_at = ? WHERE year = ? AND version = ?`,
			string(raw), fmtTime(tx.now), r.Year, r.Version)
		if err != nil {
			return err
		}
		if n == 1 {
			return nil
		}
		var exists int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM assessment_years WHERE year = ?`, r.Year).Scan(&exists); err != nil {
			return err
		}
		if exists == 1 || r.Version != 1 {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "考核规则已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
		}
		_, err = tx.exec(ctx, `INSERT INTO assessment_years (year, rules, version, updated_at) VALUES (?, ?, 2, ?)`, r.Year, string(raw), fmtTime(tx.now))
		return err
	})
	if err != nil {
		return r, err
	}
	r.Version++
	return r, nil
}

// AddAssessmentEntry records a bonus or penalty with its reason.
func (db *AssessmentStore) AddAssessmentEntry(ctx context.Context, e *xinfang.AssessmentEntry) error {
	u, err := assessor(ctx)
	if err != nil {
		return err
	}
	if err := checkYear(e.Year); err != nil {
		return err
	}
	if err := e.Validate(); err != nil {
		return err
	}
	return db.write(ctx, func(tx *Tx) error {
		if err := db.notFrozen(ctx, tx, e.Year); err != nil {
			return err
		}
		if _, err := tx.activeUnit(ctx, e.UnitID, "unit_id"); err != nil {
			return err
		}
		e.CreatedByName, e.CreatedAt = u.Name, tx.now
		e.ID, err = tx.insert(ctx, `INSERT INTO assessment_entries (year, unit_id, kind, points, reason, created_by, created_by_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			e.Year, e.UnitID, string(e.Kind), e.Points, e.Reason, u.ID, u.Name, fmtTime(tx.now))
		return err
	})
}

// SetLetterTarget links a target of a 责任书 to an indicator (one link per
// letter and indicator; a second replaces the first).
func (db *AssessmentStore) SetLetterTarget(ctx context.Context, t *xinfang.LetterTarget) error {
	if _, err := assessor(ctx); err != nil {
		return err
	}
	if err := t.Validate(); err != nil {
		return err
	}
	return db.write(ctx, func(tx *Tx) error {
		if err := tx.queryRow(ctx, `SELECT unit_id, year FROM responsibility_letters WHERE id = ?`, t.LetterID).Scan(&t.UnitID, &t.Year); err != nil {
			return db.notFoundField(err, "letter_id", "责任书不存在")
		}
		if err := db.notFrozen(ctx, tx, t.Year); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM letter_targets WHERE letter_id = ? AND indicator = ?`, t.LetterID, string(t.Indicator)); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO letter_targets (letter_id, indicator, min_rate, points) VALUES (?, ?, ?, ?)`, t.LetterID, string(t.Indicator), t.MinRate, t.Points)
		return err
	})
}

// assessedUnits are the units a year assesses: towns and departments.
func (db *AssessmentStore) assessedUnits(ctx context.Context, r cq) ([]*xinfang.Unit, error) {
	rows, err := r.rows(ctx, `SELECT `+unitCols+` FROM units WHERE kind IN ('town', 'department', 'legal') AND disabled = 0 ORDER BY path`)
	return scanAll(rows, err, func(s scanner) (*xinfang.Unit, error) { return scanUnit(s) })
}

// Assess returns a year's ranking: the frozen scores of a closed year, or
// the scores computed now from the indicators.
func (db *AssessmentStore) Assess(ctx context.Context, year int) (*xinfang.Assessment, error) {
	if err := assessmentReader(ctx); err != nil {
		return nil, err
	}
	if err := checkYear(year); err != nil {
		return nil, err
	}
	out := &xinfang.Assessment{}
	var units []*xinfang.Unit
	var entries []xinfang.AssessmentEntry
	var targets []xinfang.LetterTarget
	err := db.read(ctx, func(q rowQuerier) error {
		r := cq{db.core, q}
		var err error
		if out.Rules, err = db.rules(ctx, r, year); err != nil {
			return err
		}
		if out.Rules.Frozen {
			rows, err := r.rows(ctx, `SELECT detail FROM assessment_results WHERE year = ? ORDER BY score DESC, unit_id`, year)
			out.Units, err = scanAll(rows, err, func(s scanner) (*xinfang.UnitScore, error) {
				var raw string
				var u xinfang.UnitScore
				if err := s.Scan(&raw); err != nil {
					return nil, err
				}
				return &u, json.Unmarshal([]byte(raw), &u)
			})
			return err
		}
		if units, err = db.assessedUnits(ctx, r); err != nil {
			return err
		}
		rows, err := r.rows(ctx, `SELECT id, year, unit_id, kind, points, reason, created_by_name, created_at FROM assessment_entries WHERE year = ? ORDER BY id`, year)
		if entries, err = scanAll(rows, err, func(s scanner) (xinfang.AssessmentEntry, error) {
			var e xinfang.AssessmentEntry
			var at string
			err := s.Scan(&e.ID, &e.Year, &e.UnitID, &e.Kind, &e.Points, &e.Reason, &e.CreatedByName, &at)
			e.CreatedAt = parseTime(at)
			return e, err
		}); err != nil {
			return err
		}
		rows, err = r.rows(ctx, `SELECT t.letter_id, l.unit_id, l.year, t.indicator, t.min_rate, t.points FROM letter_targets t JOIN responsibility_letters l ON l.id = t.letter_id WHERE l.year = ? ORDER BY t.letter_id, t.indicator`, year)
		targets, err = scanAll(rows, err, func(s scanner) (xinfang.LetterTarget, error) {
			var t xinfang.LetterTarget
			return t, s.Scan(&t.LetterID, &t.UnitID, &t.Year, &t.Indicator, &t.MinRate, &t.Points)
		})
		return err
	})
	if err != nil || out.Rules.Frozen {
		return out, err
	}
	// Only the figures the year's rules score, for every unit in one read.
	kinds := map[xinfang.IndicatorKind]bool{xinfang.IndRepeat: true, xinfang.IndLeaderCases: true}
	for k, w := range out.Rules.Weights {
		kinds[k] = w != 0
	}
	for _, t := range targets {
		kinds[t.Indicator] = true
	}
	ind := &IndicatorStore{db.core}
	q := xinfang.IndicatorQuery{From: calendar.MakeDate(year, 1, 1), To: calendar.MakeDate(year, 12, 31)}
	err = db.read(ctx, func(rq rowQuerier) error {
		r := cq{db.core, rq}
		cfg, err := db.config(ctx, r)
		if err != nil {
			return err
		}
		for _, u := range units {
			q.UnitID = u.ID
			items, err := ind.figures(ctx, r, q, u, cfg, kinds)
			if err != nil {
				return err
			}
			out.Units = append(out.Units, score(out.Rules, u, &xinfang.Indicators{Unit: u, From: q.From, To: q.To, Items: items}, entries, targets))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	rank(out.Units)
	return out, nil
}

func pct(v *float64) string {
	if v == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", *v*100)
}

func round2(f float64) float64 { return math.Round(f*100)/100 + 0 } // + 0: no negative zero

// score applies a year's rules to a unit's indicators, 责任书 targets and
// entries.
func score(rules xinfang.AssessmentRules, u *xinfang.Unit, res *xinfang.Indicators, entries []xinfang.AssessmentEntry, targets []xinfang.LetterTarget) *xinfang.UnitScore {
	s := &xinfang.UnitScore{UnitID: u.ID, UnitName: u.Name, Entries: []xinfang.AssessmentEntry{}}
	add := func(l xinfang.ScoreLine) {
		l.Points = round2(l.Points)
		s.Lines = append(s.Lines, l)
		s.Score += l.Points
	}
	for _, d := range xinfang.IndicatorDefs {
		w, ok := rules.Weights[d.Kind]
		if !ok || w == 0 {
			continue
		}
		in := res.Find(d.Kind)
		rate := 1.0
		if in.Value != nil {
			rate = *in.Value
		}
		add(xinfang.ScoreLine{Item: d.Label, Indicator: d.Kind, Figure: fmt.Sprintf("%d/%d = %s", in.Numerator, in.Denominator, pct(in.Value)), Points: w * rate, Max: w})
	}
	if rep := res.Find(xinfang.IndRepeat); rep != nil && rules.RepeatPenalty > 0 {
		p := float64(rep.Numerator) * rules.RepeatPenalty
		if rules.RepeatCap > 0 && p > rules.RepeatCap {
			p = rules.RepeatCap
		}
		add(xinfang.ScoreLine{Item: "重复信访", Indicator: xinfang.IndRepeat, Figure: fmt.Sprintf("重复件 %d 件", rep.Numerator), Points: -p,
			Note: fmt.Sprintf("每件扣 %g 分，最多扣 %g 分", rules.RepeatPenalty, rules.RepeatCap)})
	}
	if lc := res.Find(xinfang.IndLeaderCases); lc != nil && lc.Value != nil && *lc.Value < rules.LeaderThreshold {
		add(xinfang.ScoreLine{Item: "领导包案化解率低于 " + pct(&rules.LeaderThreshold), Indicator: xinfang.IndLeaderCases,
			Figure: fmt.Sprintf("%d/%d = %s", lc.Numerator, lc.Denominator, pct(lc.Value)), Points: -rules.LeaderPenalty})
	}
	for _, t := range targets {
		if t.UnitID != u.ID {
			continue
		}
		in := res.Find(t.Indicator)
		d, _ := t.Indicator.Def()
		met := in.Value == nil || *in.Value >= t.MinRate
		l := xinfang.ScoreLine{Item: "责任书目标：" + d.Label + " ≥ " + pct(&t.MinRate), Indicator: t.Indicator, Figure: pct(in.Value), Note: "已完成"}
		if !met {
			l.Points, l.Note = -t.Points, "未完成"
		}
		add(l)
	}
	for _, e := range entries {
		if e.UnitID != u.ID {
			continue
		}
		s.Entries = append(s.Entries, e)
		add(xinfang.ScoreLine{Item: e.Kind.Label() + "：" + e.Reason, Points: e.Points, Note: "考核人：" + e.CreatedByName})
	}
	s.Score = round2(s.Score)
	return s
}

// rank orders the units by score, highest first, ties sharing a rank.
func rank(units []*xinfang.UnitScore) {
	sort.SliceStable(units, func(i, j int) bool { return units[i].Score > units[j].Score })
	for i, u := range units {
		u.Rank = i + 1
		if i > 0 && u.Score == units[i-1].Score {
			u.Rank = units[i-1].Rank
		}
	}
}

// FreezeAssessment closes a year: its scores as computed now are kept and
// never change again; version is the rules' version read.
func (db *AssessmentStore) FreezeAssessment(ctx context.Context, year, version int) (*xinfang.Assessment, error) {
	u, err := assessor(ctx)
	if err != nil {
		return nil, err
	}
	a, err := db.Assess(ctx, year)
	if err != nil {
		return nil, err
	}
	if a.Rules.Frozen {
		return nil, &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该年度已冻结", Fields: map[string]string{"year": "该年度已冻结"}}
	}
	if a.Rules.Version != version {
		return nil, &xinfang.Error{Code: xinfang.ECONFLICT, Message: "考核规则已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
	}
	rules, _ := json.Marshal(struct {
		Weights         map[xinfang.IndicatorKind]float64 `json:"weights"`
		RepeatPenalty   float64                           `json:"repeat_penalty"`
		RepeatCap       float64                           `json:"repeat_cap"`
		LeaderThreshold float64                           `json:"leader_threshold"`
		LeaderPenalty   float64                           `json:"leader_penalty"`
	}{a.Rules.Weights, a.Rules.RepeatPenalty, a.Rules.RepeatCap, a.Rules.LeaderThreshold, a.Rules.LeaderPenalty})
	err = db.write(ctx, func(tx *Tx) error {
		if err := db.notFrozen(ctx, tx, year); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO assessment_years (year, rules, version, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (year) DO NOTHING`, year, string(rules), version, fmtTime(tx.now)); err != nil {
			return err
		}
		n, err := tx.change(ctx, `UPDATE assessment_years SET frozen = 1, frozen_at = ?, frozen_by = ?, version = version + 1 WHERE year = ? AND version = ?`, fmtTime(tx.now), u.Name, year, version)
		if err != nil {
			return err
		}
		if n != 1 {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "考核规则已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
		}
		for _, s := range a.Units {
			raw, err := json.Marshal(s)
			if err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `INSERT INTO assessment_results (year, unit_id, score, detail) VALUES (?, ?, ?, ?)`, year, s.UnitID, s.Score, string(raw)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.Assess(ctx, year)
}
