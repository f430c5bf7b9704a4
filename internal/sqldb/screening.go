package sqldb

import (
	"context"
	"fmt"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
)

// ScreeningStore is the conflict screening (矛盾纠纷排查) of the three-level
// network: the reports, the rounds and their returns. A report that
// becomes a petition or a backlog case is registered through the
// petitions' and cases' own registration, and linked in its transaction:
// a refusal of either leaves neither the item nor the link.
type ScreeningStore struct{ *core }

// unitScope is the scope of a register organised by unit (alias.unit_path):
// the reader's subtree, the whole city for city-wide readers, nothing for
// the roles without a data scope.
func unitScope(alias string) scopeFunc {
	return scoped(func(s *dataScope) (string, []any, error) {
		switch {
		case s.None:
			return none, nil, nil
		case s.All:
			return all, nil, nil
		}
		c, a := subtree(s.UnitPath, alias+".unit_path")
		return c, a, nil
	})
}

var screeningScope = unitScope("r")

// inScope reports whether a unit at path lies in the acting user's scope.
func inScope(ctx context.Context, path string) bool {
	s := xinfang.ScopeOf(xinfang.UserFromContext(ctx))
	return !s.None && (s.All || strings.HasPrefix(path, s.UnitPath))
}

const reportCols = `r.id, r.number, COALESCE(r.round_id, 0), COALESCE(sr.period, ''), r.unit_id, u.name, r.level, r.source, r.found_on, r.summary, r.parties, r.place,
	r.category, r.risk_level, r.owner, r.due_on, r.state, r.settled_level, r.settled_on, r.settle_note, COALESCE(r.petition_id, 0), COALESCE(p.number, ''),
	COALESCE(r.case_id, 0), COALESCE(c.number, ''), r.version, r.created_by, r.created_by_name, r.created_at`

const reportFrom = ` FROM screening_reports r JOIN units u ON u.id = r.unit_id LEFT JOIN screening_rounds sr ON sr.id = r.round_id
	LEFT JOIN petitions p ON p.id = r.petition_id LEFT JOIN cases c ON c.id = r.case_id`

func scanReport(s scanner, today calendar.Date) (*xinfang.ScreeningReport, error) {
	r := &xinfang.ScreeningReport{}
	var created string
	if err := s.Scan(&r.ID, &r.Number, &r.RoundID, &r.RoundPeriod, &r.UnitID, &r.UnitName, &r.Level, &r.Source, &r.FoundOn, &r.Summary, &r.Parties, &r.Place,
		&r.Category, &r.RiskLevel, &r.Owner, &r.DueOn, &r.State, &r.SettledLevel, &r.SettledOn, &r.SettleNote, &r.PetitionID, &r.PetitionNumber,
		&r.CaseID, &r.CaseNumber, &r.Version, &r.CreatedByID, &r.CreatedByName, &created); err != nil {
		return nil, err
	}
	r.CreatedAt, r.Overdue = parseTime(created), r.IsOverdue(today)
	return r, nil
}

func requireScreeningReader(ctx context.Context) (*xinfang.User, error) {
	return allow(ctx, xinfang.CanReadScreening, "矛盾纠纷排查仅供有数据范围的工作人员查看")
}

func requireScreeningWriter(ctx context.Context) (*xinfang.User, error) {
	return allow(ctx, xinfang.CanReportScreening, "矛盾纠纷排查由登记员、承办人或单位负责人报送和处置")
}

func (db *ScreeningStore) findReport(ctx context.Context, q rowQuerier, id int64) (*xinfang.ScreeningReport, error) {
	scope, args, err := screeningScope(ctx)
	if err != nil {
		return nil, err
	}
	r, err := scanReport(cq{db.core, q}.row(ctx, `SELECT `+reportCols+reportFrom+` WHERE r.id = ? AND `+scope, append([]any{id}, args...)...), db.todayDate())
	if err != nil {
		return nil, db.notFound(err, "排查报告不存在或无权查看")
	}
	return r, nil
}

// FindReportByID returns a report the reader may see.
func (db *ScreeningStore) FindReportByID(ctx context.Context, id int64) (*xinfang.ScreeningReport, error) {
	if _, err := requireScreeningReader(ctx); err != nil {
		return nil, err
	}
	return db.findReport(ctx, db.pool(), id)
}

// reportWhere is the WHERE clause of f within the reader's scope.
func (db *ScreeningStore) reportWhere(ctx context.Context, f xinfang.ScreeningFilter) (string, []any, error) {
	where, args, err := screeningScope(ctx)
	if err != nil {
		return "", nil, err
	}
	if f.State != "" {
		if !f.State.Valid() {
			return "", nil, xinfang.FieldError("state", "未知的状态")
		}
		where += " AND r.state = ?"
		args = append(args, string(f.State))
	}
	if f.Level != "" {
		if !f.Level.Valid() {
			return "", nil, xinfang.FieldError("level", "未知的层级")
		}
		where += " AND r.level = ?"
		args = append(args, string(f.Level))
	}
	if f.Overdue {
		where += " AND r.state = 'open' AND r.due_on < ?"
		args = append(args, db.todayDate().String())
	}
	for _, x := range []struct {
		col string
		id  int64
	}{{"r.round_id", f.RoundID}, {"r.petition_id", f.PetitionID}, {"r.case_id", f.CaseID}} {
		if x.id != 0 {
			where += " AND " + x.col + " = ?"
			args = append(args, x.id)
		}
	}
	if f.UnitID != 0 {
		u, err := db.findUnit(ctx, f.UnitID)
		if err != nil {
			return "", nil, db.notFoundField(err, "unit_id", "单位不存在")
		}
		c, a := subtree(u.Path, "r.unit_path")
		where += " AND " + c
		args = append(args, a...)
	}
	return where, args, nil
}

// FindReports lists the reports the reader sees, newest first.
func (db *ScreeningStore) FindReports(ctx context.Context, f xinfang.ScreeningFilter) ([]*xinfang.ScreeningReport, int, error) {
	if _, err := requireScreeningReader(ctx); err != nil {
		return nil, 0, err
	}
	where, args, err := db.reportWhere(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	if f.Limit, err = pageLimit(f.Limit, f.Offset); err != nil {
		return nil, 0, err
	}
	var total int
	var out []*xinfang.ScreeningReport
	today := db.todayDate()
	err = db.read(ctx, func(q rowQuerier) error {
		r := cq{db.core, q}
		if err := r.row(ctx, `SELECT COUNT(*) FROM screening_reports r WHERE `+where, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := r.rows(ctx, `SELECT `+reportCols+reportFrom+` WHERE `+where+` ORDER BY r.found_on DESC, r.id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
		out, err = scanAll(rows, err, func(s scanner) (*xinfang.ScreeningReport, error) { return scanReport(s, today) })
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// CountReports counts the reports of f the reader sees by state, and the
// settled ones by the level where they were settled.
func (db *ScreeningStore) CountReports(ctx context.Context, f xinfang.ScreeningFilter) (*xinfang.ScreeningCounts, error) {
	if _, err := requireScreeningReader(ctx); err != nil {
		return nil, err
	}
	f.State, f.Overdue = "", false
	where, args, err := db.reportWhere(ctx, f)
	if err != nil {
		return nil, err
	}
	out := &xinfang.ScreeningCounts{Settled: map[xinfang.ScreeningLevel]int{}}
	for _, l := range xinfang.ScreeningLevels {
		out.Settled[xinfang.ScreeningLevel(l.Code)] = 0
	}
	rows, err := db.query(ctx, `SELECT r.state, r.settled_level, CASE WHEN r.state = 'open' AND r.due_on < ? THEN 1 ELSE 0 END, COUNT(*)
		FROM screening_reports r WHERE `+where+` GROUP BY 1, 2, 3`, append([]any{db.todayDate().String()}, args...)...)
	err = eachRow(rows, err, func(s scanner) error {
		var state, level string
		var late, n int
		if err := s.Scan(&state, &level, &late, &n); err != nil {
			return err
		}
		out.Total += n
		switch xinfang.ScreeningState(state) {
		case xinfang.ScreeningOpen:
			out.Open += n
			out.Overdue += late * n
		case xinfang.ScreeningPetition:
			out.Petition += n
		case xinfang.ScreeningCase:
			out.Case += n
		case xinfang.ScreeningSettled:
			out.Settled[xinfang.ScreeningLevel(level)] += n
		}
		return nil
	})
	return out, err
}

// CreateReport files a report of a unit in the actor's scope, in a round
// that expects that unit when RoundID is set.
func (db *ScreeningStore) CreateReport(ctx context.Context, r *xinfang.ScreeningReport) error {
	actor, err := requireScreeningWriter(ctx)
	if err != nil {
		return err
	}
	if err := r.Validate(db.todayDate()); err != nil {
		return err
	}
	if _, err := db.dictEntry(ctx, xinfang.DictCategory, r.Category); err != nil {
		return db.notFoundField(err, "category", "内容分类不存在")
	}
	err = db.write(ctx, func(tx *Tx) error {
		units, err := tx.activeUnits(ctx, []int64{r.UnitID}, []string{"unit_id"})
		if err != nil {
			return err
		}
		unit := units[0]
		if !inScope(ctx, unit.Path) {
			return xinfang.FieldError("unit_id", "只能报送本单位或下级单位的排查情况")
		}
		if r.RoundID != 0 {
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM screening_round_units WHERE round_id = ? AND unit_id = ?`, r.RoundID, r.UnitID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return xinfang.FieldError("round_id", "该排查轮次不存在或不要求本单位报送")
			}
		}
		year := calendar.DateOf(tx.now).Year
		var seq int64
		if err := tx.queryRow(ctx, `INSERT INTO screening_counters (year, next) VALUES (?, 1)
			ON CONFLICT (year) DO UPDATE SET next = screening_counters.next + 1 RETURNING next`, year).Scan(&seq); err != nil {
			return err
		}
		now := fmtTime(tx.now)
		r.Level = xinfang.LevelOf(unit.Kind)
		id, err := tx.insert(ctx, `INSERT INTO screening_reports (number, round_id, unit_id, unit_path, level, source, found_on, summary, parties, place, category,
			risk_level, owner, due_on, state, created_by, created_by_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			fmt.Sprintf(xinfang.ScreeningNumberFormat, year, seq), nullID(r.RoundID), r.UnitID, unit.Path, string(r.Level), string(r.Source), r.FoundOn,
			r.Summary, r.Parties, r.Place, r.Category, string(r.RiskLevel), r.Owner, r.DueOn, string(xinfang.ScreeningOpen), actor.ID, actor.Name, now, now)
		if err != nil {
			return err
		}
		r.ID = id
		tx.created("screening_report", id)
		return nil
	})
	if err != nil {
		return err
	}
	got, err := db.FindReportByID(ctx, r.ID)
	if err != nil {
		return err
	}
	*r = *got
	return nil
}

// errReportChanged is the refusal of a change made on a stale version.
var errReportChanged = &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该排查报告已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}

// openReport loads an open report in scope at version, for a change.
func (db *ScreeningStore) openReport(ctx context.Context, q rowQuerier, id int64, version int) (*xinfang.ScreeningReport, error) {
	r, err := db.findReport(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if r.Version != version {
		return nil, errReportChanged
	}
	return r, r.CheckOpen()
}

// SettleReport records that an open report was settled on the spot, at a
// level no lower than the reporting unit's (小事不出村、大事不出镇).
func (db *ScreeningStore) SettleReport(ctx context.Context, id int64, s xinfang.ScreeningSettlement) (*xinfang.ScreeningReport, error) {
	if _, err := requireScreeningWriter(ctx); err != nil {
		return nil, err
	}
	err := db.write(ctx, func(tx *Tx) error {
		r, err := db.openReport(ctx, tx, id, s.Version)
		if err != nil {
			return err
		}
		if err := s.Validate(r, db.todayDate()); err != nil {
			return err
		}
		_, err = tx.exec(ctx, `UPDATE screening_reports SET state = ?, settled_level = ?, settled_on = ?, settle_note = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			string(xinfang.ScreeningSettled), string(s.Level), s.SettledOn, s.Note, fmtTime(tx.now), id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.FindReportByID(ctx, id)
}

// linkReport marks report id (open, at version) as become the petition or
// the case, inside the registering transaction; a report changed since
// it was read is refused, and with it the registration.
func linkReport(ctx context.Context, tx *Tx, id int64, version int, state xinfang.ScreeningState, col string, target int64) error {
	n, err := tx.change(ctx, `UPDATE screening_reports SET state = ?, `+col+` = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND state = 'open'`,
		string(state), target, fmtTime(tx.now), id, version)
	if err == nil && n != 1 {
		return errReportChanged
	}
	return err
}

// ReportToPetition registers an open report as a petition (排查发现) through
// the petitions' registration, linking both in its transaction. The
// petition returned carries its 查询码.
func (db *ScreeningStore) ReportToPetition(ctx context.Context, id int64, in xinfang.ScreeningPetitionInput) (*xinfang.ScreeningReport, *xinfang.Petition, error) {
	if _, err := requireScreeningWriter(ctx); err != nil {
		return nil, nil, err
	}
	r, err := db.openReport(ctx, db.pool(), id, in.Version)
	if err != nil {
		return nil, nil, err
	}
	p := in.Petition(r, db.Now())
	if r, err = db.RegisterFromReport(ctx, id, in.Version, p); err != nil {
		return nil, nil, err
	}
	return r, p, nil
}

// RegisterFromReport registers p, a full registration of the matter of
// open report id (at version), as that report's petition: the channel is
// 排查发现, and the registration and the link are one transaction.
func (db *ScreeningStore) RegisterFromReport(ctx context.Context, id int64, version int, p *xinfang.Petition) (*xinfang.ScreeningReport, error) {
	if _, err := requireScreeningWriter(ctx); err != nil {
		return nil, err
	}
	p.Channel = xinfang.ChannelScreening
	ps := &PetitionStore{db.core}
	err := ps.register(ctx, p, nil, func(tx *Tx, pid int64, _ string) error {
		return linkReport(ctx, tx, id, version, xinfang.ScreeningPetition, "petition_id", pid)
	})
	if err != nil {
		return nil, err
	}
	return db.FindReportByID(ctx, id)
}

// ReportToCase files an open report as a backlog case (source 市排查)
// through the cases' own creation, linking both in its transaction.
func (db *ScreeningStore) ReportToCase(ctx context.Context, id int64, in xinfang.ScreeningCaseInput) (*xinfang.ScreeningReport, *xinfang.Case, error) {
	if _, err := requireScreeningWriter(ctx); err != nil {
		return nil, nil, err
	}
	r, err := db.openReport(ctx, db.pool(), id, in.Version)
	if err != nil {
		return nil, nil, err
	}
	c := in.Case(r)
	cs := &CaseStore{db.core}
	err = cs.createCase(ctx, c, func(tx *Tx, cid int64) error {
		return linkReport(ctx, tx, id, in.Version, xinfang.ScreeningCase, "case_id", cid)
	})
	if err != nil {
		return nil, nil, err
	}
	r, err = db.FindReportByID(ctx, id)
	return r, c, err
}

// FindReportOf returns the report a petition (or, with isCase, a backlog
// case) came from, when the reader sees it; ENOTFOUND otherwise.
func (db *ScreeningStore) FindReportOf(ctx context.Context, id int64, isCase bool) (*xinfang.ScreeningReport, error) {
	f := xinfang.ScreeningFilter{PetitionID: id, Limit: 1}
	if isCase {
		f = xinfang.ScreeningFilter{CaseID: id, Limit: 1}
	}
	list, _, err := db.FindReports(ctx, f)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, xinfang.Errorf(xinfang.ENOTFOUND, "没有排查报告")
	}
	return list[0], nil
}
