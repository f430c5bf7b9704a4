package sqldb

import (
	"context"
	"strconv"

	"xinfang"
)

// Dashboard counts what the 态势 page shows for a unit and a period, each
// count under the same conditions as the list its bar opens: petitions as
// the ledger filters them (the data scope, registered or handled in the
// unit's subtree, received in the period, then state, category prefix,
// channel or warning level), backlog cases as the case ledger does (the
// case scope and the responsible unit's subtree).
func (db *IndicatorStore) Dashboard(ctx context.Context, q xinfang.DashboardQuery) (*xinfang.Dashboard, error) {
	iq := xinfang.IndicatorQuery{UnitID: q.UnitID, From: q.From, To: q.To}
	if err := iq.Validate(); err != nil {
		return nil, err
	}
	u, err := db.indicatorUnit(ctx, &iq)
	if err != nil {
		return nil, err
	}
	ind, err := db.Indicators(ctx, iq)
	if err != nil {
		return nil, err
	}
	scope, sargs, err := petitionScope(ctx)
	if err != nil {
		return nil, err
	}
	cscope, cargs, err := caseScope(ctx)
	if err != nil {
		return nil, err
	}
	d := &xinfang.Dashboard{Unit: u, From: q.From, To: q.To, Indicators: ind}
	t0, t1 := dayBounds(q.From, q.To)
	inUnit := func(path string) (string, []any) {
		c, a := subtree(path, "p.reg_path", "p.handling_path")
		return scope + " AND " + c, append(append([]any{}, sargs...), a...)
	}
	where, args := inUnit(u.Path)
	received := where + " AND p.received_at >= ? AND p.received_at < ?"
	rargs := append(append([]any{}, args...), t0, t1)
	err = db.read(ctx, func(rq rowQuerier) error {
		r := cq{db.core, rq}
		cats, err := db.categoryLabels(ctx, r)
		if err != nil {
			return err
		}
		// Territories: each unit right under this one.
		rows, err := r.rows(ctx, `SELECT `+unitCols+` FROM units WHERE parent_id = ? ORDER BY id`, u.ID)
		children, err := scanAll(rows, err, func(s scanner) (*xinfang.Unit, error) { return scanUnit(s) })
		if err != nil {
			return err
		}
		s, err := scopeOf(ctx)
		if err != nil {
			return err
		}
		counted, err := db.countsServe(ctx, r, s, u.Path)
		if err != nil {
			return err
		}
		got, err := db.receivedIn(ctx, r, s, counted, u, q, children, received, rargs, inUnit)
		if err != nil {
			return err
		}
		d.States = counts(got.states, func(k string) string { return xinfang.State(k).Label() })
		for _, c := range d.States {
			d.Total += c.Value
		}
		d.Channels = counts(got.channels, func(k string) string { return xinfang.Channel(k).Label() })
		d.Categories = counts(got.categories, func(k string) string {
			if l := cats[k]; l != "" {
				return l
			}
			return k
		})
		// Months: a count each, by Shanghai month.
		for _, m := range periodMonths(q.From, q.To) {
			month := m[0].String()[:7]
			d.Months = append(d.Months, xinfang.Count{Key: m[0].String() + "/" + m[1].String(), Label: month, Value: got.months[month]})
		}
		for i, child := range children {
			if n := got.territories[i]; n > 0 {
				d.Territories = append(d.Territories, xinfang.Count{Key: strconv.FormatInt(child.ID, 10), Label: child.Name, Value: n})
			}
		}
		// Warning levels of running items, today.
		if d.Warnings, err = db.warningsIn(ctx, r, s, counted, u.Path, db.todayDate(), where, args); err != nil {
			return err
		}
		// Backlog cases.
		cw, ca := subtree(u.Path, "c.responsible_path")
		cond := cscope + " AND " + cw
		cargsAll := append(append([]any{}, cargs...), ca...)
		rows, err = r.rows(ctx, `SELECT c.state, COUNT(*) FROM cases c WHERE `+cond+` GROUP BY c.state ORDER BY 1`, cargsAll...)
		if d.CaseStates, err = scanAll(rows, err, func(s scanner) (xinfang.Count, error) {
			var c xinfang.Count
			err := s.Scan(&c.Key, &c.Value)
			c.Label = xinfang.CaseState(c.Key).Label()
			return c, err
		}); err != nil {
			return err
		}
		rows, err = r.rows(ctx, `SELECT c.leader_id, lu.name, COUNT(*) FROM cases c JOIN users lu ON lu.id = c.leader_id WHERE `+cond+`
			GROUP BY c.leader_id, lu.name ORDER BY COUNT(*) DESC, c.leader_id`, cargsAll...)
		d.CaseLeaders, err = scanAll(rows, err, func(s scanner) (xinfang.Count, error) {
			var c xinfang.Count
			return c, s.Scan(&c.Key, &c.Label, &c.Value)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// categoryLabels are the labels of the top level of 内容分类.
func (db *core) categoryLabels(ctx context.Context, r cq) (map[string]string, error) {
	rows, err := r.rows(ctx, `SELECT code, label FROM dictionary WHERE kind = ? AND parent = ''`, string(xinfang.DictCategory))
	out := map[string]string{}
	return out, eachRow(rows, err, func(s scanner) error {
		var k, l string
		if err := s.Scan(&k, &l); err != nil {
			return err
		}
		out[k] = l
		return nil
	})
}
