package sqldb

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/procedure"
)

// IndicatorStore computes the indicators of kpi.md for a unit and a
// period (indicator_facts.go keeps what they count from the events).
// Every figure is one WHERE over one table, and the same WHERE lists its
// items, so that a drill-down list always equals its count.
type IndicatorStore struct{ *core }

// figure is one side of one indicator: the rows it counts.
type figure struct {
	kind  string // petition, case, supervision
	from  string // what the count reads
	join  string // what the list adds: the item and its unit (fu)
	where string
	args  []any
}

// indicatorUnit resolves the unit of q for the acting user: the user's own
// unit by default (the top of the city for readers of the whole city), and
// only a unit the user may read (CanReadIndicators).
func (db *IndicatorStore) indicatorUnit(ctx context.Context, q *xinfang.IndicatorQuery) (*xinfang.Unit, error) {
	actor := xinfang.UserFromContext(ctx)
	if actor == nil || actor.Unit == nil {
		return nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	if !xinfang.CanReadIndicators(actor, nil) {
		return nil, xinfang.Errorf(xinfang.EFORBIDDEN, "无权查看统计指标")
	}
	id := q.UnitID
	if id == 0 {
		id = actor.UnitID
		if xinfang.ScopeOf(actor).All {
			// The top of the tree the user's unit lies in: "/1/3/" → 1.
			if parts := strings.Split(strings.Trim(actor.Unit.Path, "/"), "/"); len(parts) > 0 {
				fmt.Sscan(parts[0], &id)
			}
		}
	}
	u, err := db.findUnit(ctx, id)
	if err != nil {
		return nil, db.notFoundField(err, "unit_id", "单位不存在")
	}
	if !xinfang.CanReadIndicators(actor, u) {
		return nil, xinfang.FieldError("unit_id", "无权查看该单位的统计指标")
	}
	q.UnitID = id
	return u, nil
}

// unitIn is "the record's unit is u (alone) or lies in u's subtree".
func unitIn(u *xinfang.Unit, alone bool, idCol, pathCol string) (string, []any) {
	if alone {
		return "(" + idCol + " = ?)", []any{u.ID}
	}
	return pathRange(pathCol, u.Path)
}

// dayBounds are the UTC instants of the period's first midnight and of the
// midnight after its last day (Asia/Shanghai), for columns of instants.
func dayBounds(from, to calendar.Date) (string, string) {
	return fmtTime(from.Time()), fmtTime(to.AddDays(1).Time())
}

// escalated is said with the codes written out, so that the partial index
// petitions_escalated (received_at, WHERE escalation IN …) serves it.
const escalated = "p.escalation IN ('province', 'beijing')"

// figureOf is the figure of one side of one indicator.
func (db *IndicatorStore) figureOf(kind xinfang.IndicatorKind, part xinfang.IndicatorPart, q xinfang.IndicatorQuery, u *xinfang.Unit, cfg xinfang.IndicatorConfig) figure {
	num := part == xinfang.PartNumerator
	from, to := q.From.String(), q.To.String()
	t0, t1 := dayBounds(q.From, q.To)
	facts := func(k xinfang.FactKind, cond string, args ...any) figure {
		uc, ua := unitIn(u, q.Alone, "f.unit_id", "f.unit_path")
		return figure{kind: "petition", from: ` FROM kpi_facts f`, join: ` JOIN petitions p ON p.id = f.petition_id JOIN units fu ON fu.id = f.unit_id`,
			where: "f.kind = '" + string(k) + "' AND " + cond + " AND " + uc, args: append(args, ua...)}
	}
	registered := func(cond string, unitCols [2]string, args ...any) figure {
		uc, ua := unitIn(u, q.Alone, unitCols[0], unitCols[1])
		f := figure{kind: "petition", from: ` FROM petitions p`, join: ` JOIN units fu ON fu.id = ` + unitCols[0],
			where: "p.received_at >= ? AND p.received_at < ? AND " + cond + " AND " + uc, args: append(append([]any{t0, t1}, args...), ua...)}
		if strings.HasPrefix(unitCols[1], "fu.") {
			// The unit's path is in the condition: the count joins it.
			f.from, f.join = f.from+f.join, ""
		}
		return f
	}
	byLocality := func(cond string, args ...any) figure {
		return registered(cond, [2]string{"p.locality_id", "fu.path"}, args...)
	}
	switch kind {
	case xinfang.IndTimelyAccept:
		c := "f.end_on >= ? AND f.end_on <= ?"
		if num {
			c += " AND f.on_time = 1"
		}
		return facts(xinfang.FactAccept, c, from, to)
	case xinfang.IndOnTime:
		c := "((f.kind = 'handle' AND f.due_on >= ? AND f.due_on <= ?) OR (f.kind = 'handle' AND f.done_on >= ? AND f.done_on <= ?))"
		if num {
			c += " AND f.on_time = 1"
		}
		return facts(xinfang.FactHandle, c, from, to, from, to)
	case xinfang.IndParticipation:
		c := "f.end_on >= ? AND f.end_on <= ?"
		if num {
			c += " AND f.rating <> ''"
		}
		return facts(xinfang.FactEvaluate, c, from, to)
	case xinfang.IndSatisfaction:
		c := "f.end_on >= ? AND f.end_on <= ? AND f.rating <> ''"
		if num {
			if cfg.BasicCounts {
				c += " AND f.rating IN ('" + string(xinfang.RatingSatisfied) + "', '" + string(xinfang.RatingBasic) + "')"
			} else {
				c += " AND f.rating = '" + string(xinfang.RatingSatisfied) + "'"
			}
		}
		return facts(xinfang.FactEvaluate, c, from, to)
	case xinfang.IndRepeat:
		c := "1 = 1"
		if num {
			c = "p.repeat_flag = 1"
		}
		return registered(c, [2]string{"p.reg_unit_id", "p.reg_path"})
	case xinfang.IndProvince:
		return byLocality(escalated + " AND p.escalation = 'province'")
	case xinfang.IndBeijing:
		return byLocality(escalated + " AND p.escalation = 'beijing'")
	case xinfang.IndSanwuBeijing:
		if cfg.BeijingVisitsOnly {
			return byLocality(escalated + " AND p.escalation = 'beijing' AND p.channel = 'visit'")
		}
		return byLocality(escalated + " AND p.escalation = 'beijing'")
	case xinfang.IndSanwuProvince:
		return byLocality(escalated+" AND p.escalation = 'province' AND p.person_count >= ?", cfg.ProvinceGroupMin)
	case xinfang.IndSanwuMass:
		// The threshold in the text: a placeholder compared with the
		// partial index's "involved_count >= 2" would have SQLite compile
		// the statement again on every run (inlineLimits).
		return byLocality("p.involved_count >= " + strconv.Itoa(cfg.MassMin) + " AND p.involved_count >= 2")
	case xinfang.IndOverdue, xinfang.IndSevere:
		today := db.todayDate().String()
		// "p.due_date <> '' AND p.due_date < today" for both, so that the
		// partial indexes of due dates by unit path serve them: a severe
		// date is set with a due date and lies after it (SevereAfter), so
		// an item past its severe date is past its due date.
		due, dueArgs := "p.due_date <> '' AND p.due_date < ?", []any{today}
		if kind == xinfang.IndSevere {
			due, dueArgs = due+" AND p.severe_date <> '' AND p.severe_date < ?", append(dueArgs, today)
		}
		// The unit that handles the item or, handled nowhere yet, that
		// registered it: by the unit's path rather than its id (an item's
		// handling path is its handling unit's, empty exactly when it has
		// none), with the dates inside each side of the OR, so that SQLite
		// seeks each side in a path's due dates (petitions_handling_due,
		// petitions_reg_due). At 1,000,000 petitions a town with its
		// villages over a year takes 3 ms so rather than 17 and 289 ms with
		// the dates first, the city 21 and 48 ms rather than 10 and 48.
		at := func(col string) (string, []any) {
			if q.Alone {
				return col + " = ?", []any{u.Path}
			}
			return pathRange(col, u.Path)
		}
		h, ha := at("p.handling_path")
		r, ra := at("p.reg_path")
		return figure{kind: "petition", from: ` FROM petitions p`, join: ` JOIN units fu ON fu.id = COALESCE(p.handling_unit_id, p.reg_unit_id)`,
			where: "((" + h + " AND " + due + ") OR (p.handling_path = '' AND " + r + " AND " + due + "))", args: slices.Concat(ha, dueArgs, ra, dueArgs)}
	case xinfang.IndSupervisions, xinfang.IndFeedback:
		uc, ua := unitIn(u, q.Alone, "s.target_unit_id", "s.target_path")
		f := figure{kind: "supervision", from: ` FROM supervisions s`, join: ` JOIN units fu ON fu.id = s.target_unit_id`}
		if kind == xinfang.IndSupervisions {
			f.where, f.args = "s.created_at >= ? AND s.created_at < ? AND "+uc, append([]any{t0, t1}, ua...)
			return f
		}
		f.where, f.args = "s.deadline >= ? AND s.deadline <= ? AND "+uc, append([]any{from, to}, ua...)
		if num {
			f.where += " AND s.feedback_at <> '' AND s.late = 0"
		}
		return f
	case xinfang.IndBacklog, xinfang.IndLeaderCases:
		uc, ua := unitIn(u, q.Alone, "c.responsible_unit_id", "c.responsible_path")
		f := figure{kind: "case", from: ` FROM cases c`, join: ` JOIN units fu ON fu.id = c.responsible_unit_id`}
		// A case is resolved on the day of its last 认定已化解 while it
		// stays 已化解 or 销号 (a reopened case is not resolved).
		resolved := caseStepDay(xinfang.CaseEventResolve, xinfang.CaseResolved, xinfang.CaseClosed)
		f.where = "c.created_at < ? AND (" + resolved + " IS NULL OR " + resolved + " >= ?) AND " + uc
		f.args = append([]any{t1, t0}, ua...)
		if kind == xinfang.IndLeaderCases {
			// 领导包案: led by a 市领导, a leader of the city itself (every
			// case has a 包案领导; a town's own leader leads its cases too).
			f.where += " AND EXISTS (SELECT 1 FROM users lu JOIN units lun ON lun.id = lu.unit_id WHERE lu.id = c.leader_id AND lun.kind = 'city')"
		}
		if num {
			f.where += " AND " + resolved + " < ?"
			f.args = append(f.args, t1)
		}
		return f
	}
	return figure{kind: "petition", from: " FROM petitions p", where: none}
}

// Indicators computes every indicator of kpi.md for q.
func (db *IndicatorStore) Indicators(ctx context.Context, q xinfang.IndicatorQuery) (*xinfang.Indicators, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	u, err := db.indicatorUnit(ctx, &q)
	if err != nil {
		return nil, err
	}
	out := &xinfang.Indicators{Unit: u, Alone: q.Alone, From: q.From, To: q.To}
	err = db.read(ctx, func(rq rowQuerier) error {
		r := cq{db.core, rq}
		var err error
		if out.Incomplete, err = db.factsIncomplete(ctx, r); err != nil {
			return err
		}
		cfg, err := db.config(ctx, r)
		if err != nil {
			return err
		}
		out.Rule = cfg
		if out.Items, err = db.figures(ctx, r, q, u, cfg, nil); err != nil {
			return err
		}
		out.Sanwu = out.Find(xinfang.IndSanwuBeijing).Numerator == 0 && out.Find(xinfang.IndSanwuProvince).Numerator == 0 &&
			out.Find(xinfang.IndSanwuMass).Numerator == 0
		out.Escalated, err = db.escalatedByMonth(ctx, r, q, u)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// figures counts the indicators of kinds (every one when kinds is nil) of
// unit u over q's period, inside the read r.
func (db *IndicatorStore) figures(ctx context.Context, r cq, q xinfang.IndicatorQuery, u *xinfang.Unit, cfg xinfang.IndicatorConfig, kinds map[xinfang.IndicatorKind]bool) ([]*xinfang.Indicator, error) {
	var out []*xinfang.Indicator
	for _, d := range xinfang.IndicatorDefs {
		if kinds != nil && !kinds[d.Kind] {
			continue
		}
		in := &xinfang.Indicator{IndicatorDef: d}
		var err error
		if in.Numerator, err = db.figureCount(ctx, r, d.Kind, xinfang.PartNumerator, q, u, cfg); err != nil {
			return nil, err
		}
		if d.Denominator != "" {
			if in.Denominator, err = db.figureCount(ctx, r, d.Kind, xinfang.PartDenominator, q, u, cfg); err != nil {
				return nil, err
			}
		}
		in.SetValue()
		out = append(out, in)
	}
	return out, nil
}

// figureCount is one side of one indicator: read from the counts of the
// facts where they hold it (countedFigure), counted over figureOf's rows
// otherwise. db.CountFromFacts makes every figure a count of its rows, for
// the test that holds the two to each other.
func (db *IndicatorStore) figureCount(ctx context.Context, r cq, kind xinfang.IndicatorKind, part xinfang.IndicatorPart, q xinfang.IndicatorQuery, u *xinfang.Unit, cfg xinfang.IndicatorConfig) (int, error) {
	if !db.CountFromFacts {
		if n, ok, err := db.countedFigure(ctx, r, kind, part, q, u, cfg); ok || err != nil {
			return n, err
		}
	}
	f := db.figureOf(kind, part, q, u, cfg)
	var n int
	err := r.row(ctx, `SELECT COUNT(*)`+f.from+` WHERE `+f.where, f.args...).Scan(&n)
	return n, err
}

// escalatedByMonth counts 赴省 and 进京 items of each month of the period
// (越级访 by period), by the month of receipt in Shanghai.
func (db *IndicatorStore) escalatedByMonth(ctx context.Context, r cq, q xinfang.IndicatorQuery, u *xinfang.Unit) ([]xinfang.MonthCount, error) {
	t0, t1 := dayBounds(q.From, q.To)
	uc, ua := unitIn(u, q.Alone, "p.locality_id", "lu.path")
	rows, err := r.rows(ctx, `SELECT p.received_at, p.escalation FROM petitions p JOIN units lu ON lu.id = p.locality_id
		WHERE p.escalation IN ('province', 'beijing') AND p.received_at >= ? AND p.received_at < ? AND `+uc, append([]any{t0, t1}, ua...)...)
	counts := map[string]*xinfang.MonthCount{}
	err = eachRow(rows, err, func(s scanner) error {
		var at, esc string
		if err := s.Scan(&at, &esc); err != nil {
			return err
		}
		m := calendar.DateOf(parseTime(at)).String()[:7]
		c := counts[m]
		if c == nil {
			c = &xinfang.MonthCount{Month: m}
			counts[m] = c
		}
		if esc == string(xinfang.EscalationBeijing) {
			c.Beijing++
		} else {
			c.Province++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []xinfang.MonthCount
	for d := calendar.MakeDate(q.From.Year, q.From.Month, 1); !d.After(q.To); d = calendar.MakeDate(d.Year, d.Month+1, 1) {
		m := d.String()[:7]
		if c := counts[m]; c != nil {
			out = append(out, *c)
		} else {
			out = append(out, xinfang.MonthCount{Month: m})
		}
	}
	return out, nil
}

// IndicatorItems lists the items of one side of one figure, in the order
// of their dates; the total equals the figure.
func (db *IndicatorStore) IndicatorItems(ctx context.Context, q xinfang.IndicatorItemsQuery) ([]xinfang.IndicatorItem, int, error) {
	if err := q.Validate(); err != nil {
		return nil, 0, err
	}
	u, err := db.indicatorUnit(ctx, &q.IndicatorQuery)
	if err != nil {
		return nil, 0, err
	}
	scope, sargs, err := petitionScope(ctx)
	if err != nil {
		return nil, 0, err
	}
	var items []xinfang.IndicatorItem
	var total int
	err = db.read(ctx, func(rq rowQuerier) error {
		r := cq{db.core, rq}
		cfg, err := db.config(ctx, r)
		if err != nil {
			return err
		}
		f := db.figureOf(q.Kind, q.Part, q.IndicatorQuery, u, cfg)
		if err := r.row(ctx, `SELECT COUNT(*)`+f.from+` WHERE `+f.where, f.args...).Scan(&total); err != nil {
			return err
		}
		var cols, order string
		args := []any{}
		switch {
		case f.kind == "case":
			cols = `c.id, c.number, c.title, fu.id, fu.name, c.deadline, '', c.created_at, c.state, 0`
			order = "c.created_at, c.id"
		case f.kind == "supervision":
			cols = `s.id, s.number, s.requirements, fu.id, fu.name, s.deadline, s.feedback_at, s.created_at, s.state || CASE WHEN s.late = 1 THEN ':late' ELSE '' END, 0`
			order = "s.deadline, s.id"
		case strings.HasPrefix(f.from, " FROM kpi_facts"):
			cols = `p.id, p.number, p.summary, fu.id, fu.name, f.due_on, f.done_on, f.end_on, 'F' || f.clock || ':' || f.on_time || ':' || f.rating, CASE WHEN ` + scope + ` THEN 0 ELSE 1 END`
			args = append(args, sargs...)
			order = "f.end_on, f.due_on, p.id, f.seq"
		default:
			cols = `p.id, p.number, p.summary, fu.id, fu.name, p.due_date, '', p.received_at, p.state || ':' || p.escalation || ':' || p.repeat_flag, CASE WHEN ` + scope + ` THEN 0 ELSE 1 END`
			args = append(args, sargs...)
			order = "p.received_at, p.id"
		}
		query := `SELECT ` + cols + f.from + f.join + ` WHERE ` + f.where + ` ORDER BY ` + order
		args = append(args, f.args...)
		if q.Limit != -1 {
			query += ` LIMIT ? OFFSET ?`
			args = append(args, q.Limit, q.Offset)
		}
		rows, err := r.rows(ctx, query, args...)
		items, err = scanAll(rows, err, func(s scanner) (xinfang.IndicatorItem, error) {
			var it xinfang.IndicatorItem
			var due, done, date, note string
			var hidden int
			if err := s.Scan(&it.ID, &it.Number, &it.Summary, &it.UnitID, &it.Unit, &due, &done, &date, &note, &hidden); err != nil {
				return it, err
			}
			it.Kind = f.kind
			it.Due, it.Done, it.Date = itemDate(due), itemDate(done), itemDate(date)
			it.Note = itemNote(f.kind, note)
			if hidden == 1 {
				it = xinfang.IndicatorItem{Kind: f.kind, UnitID: it.UnitID, Unit: it.Unit, Due: it.Due, Done: it.Done, Date: it.Date, Note: it.Note, Hidden: true}
			}
			return it, nil
		})
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return items, total, nil
}

// itemDate reads a date column or an instant column as a Shanghai date.
func itemDate(s string) calendar.Date {
	if s == "" {
		return calendar.Date{}
	}
	if len(s) == 10 {
		d, _ := calendar.ParseDate(s)
		return d
	}
	return calendar.DateOf(parseTime(s))
}

// itemNote says in words what the list's note column holds.
func itemNote(kind, note string) string {
	parts := strings.Split(note, ":")
	switch kind {
	case "case":
		return xinfang.CaseState(note).Label()
	case "supervision":
		s := xinfang.SupervisionState(parts[0]).Label()
		if len(parts) > 1 {
			s += "（逾期反馈）"
		}
		return s
	}
	if len(parts) == 3 && strings.HasPrefix(note, "F") {
		var b []string
		clock := strings.TrimPrefix(parts[0], "F")
		if d, ok := procedure.Def(xinfang.ClockKind(clock)); ok {
			b = append(b, d.Label)
			if parts[1] == "1" {
				b = append(b, "按期")
			} else {
				b = append(b, "未按期")
			}
		}
		if parts[2] != "" {
			b = append(b, "评价："+xinfang.Rating(parts[2]).Label())
		}
		return strings.Join(b, "，")
	}
	if len(parts) == 3 {
		b := []string{xinfang.State(parts[0]).Label()}
		if parts[1] != "" {
			b = append(b, xinfang.Escalation(parts[1]).Label())
		}
		if parts[2] == "1" {
			b = append(b, "重复件")
		}
		return strings.Join(b, "，")
	}
	return note
}

// caseDated adds the case ledger's filters by the days a case was filed,
// resolved and struck off: the day of its last 认定已化解 (销号) while it
// is still in that state or beyond, as the indicators count it.
func caseDated(w *conds, d xinfang.CaseDates) {
	bound := func(expr string, from, to calendar.Date) {
		if !from.IsZero() {
			w.and(expr+" >= ?", fmtTime(from.Time()))
		}
		if !to.IsZero() {
			w.and(expr+" < ?", fmtTime(to.AddDays(1).Time()))
		}
	}
	bound("c.created_at", d.OpenedFrom, d.OpenedTo)
	bound(caseStepDay(xinfang.CaseEventResolve, xinfang.CaseResolved, xinfang.CaseClosed), d.ResolvedFrom, d.ResolvedTo)
	bound(caseStepDay(xinfang.CaseEventClose, xinfang.CaseClosed), d.ClosedFrom, d.ClosedTo)
}

// caseStepDay is the instant of a case's last event of kind while it is in
// one of states, NULL otherwise.
func caseStepDay(kind xinfang.CaseEventKind, states ...xinfang.CaseState) string {
	in := make([]string, len(states))
	for i, s := range states {
		in[i] = "'" + string(s) + "'"
	}
	return `(CASE WHEN c.state IN (` + strings.Join(in, ", ") + `) THEN
			(SELECT MAX(ce.at) FROM case_events ce WHERE ce.case_id = c.id AND ce.what = '` + string(kind) + `') END)`
}
