package sqldb

import (
	"context"
	"fmt"
	"time"

	"xinfang"
	"xinfang/internal/procedure"
)

// The indicator facts of each petition (kpi_facts, migration 0045) are
// what procedure.Facts derives from its events. They are rewritten in the
// transaction that appends an event (register, Act), so that they never
// lag behind the history; TestIndicatorFactsEqualRecomputation holds them
// to a recomputation from the events after random actions.

// writeFacts replaces the facts of p with those its events give, and
// their counts (indicator_counts.go).
func (db *core) writeFacts(ctx context.Context, tx *Tx, pr *procedure.Procedure, p *xinfang.Petition, events []*xinfang.Event) error {
	old, err := deleteFacts(ctx, tx, p.ID)
	if err != nil {
		return err
	}
	now, err := insertFacts(ctx, tx, p, pr.Facts(p, events))
	if err != nil {
		return err
	}
	return countFacts(ctx, tx, old, now)
}

// writeNewFacts writes the facts of a petition being written for the
// first time (registration, import), p carrying its registering and
// handling units: there are none to replace. The
// petition's registration is counted with them, and the item in the
// 态势 page's counts.
func (db *core) writeNewFacts(ctx context.Context, tx *Tx, pr *procedure.Procedure, p *xinfang.Petition, events []*xinfang.Event) error {
	now, err := insertFacts(ctx, tx, p, pr.Facts(p, events))
	if err != nil {
		return err
	}
	if err := countFacts(ctx, tx, nil, now); err != nil {
		return err
	}
	// The 态势 page's counts, as its events leave the item: a registration
	// projects its final state at the end of the write, and its second
	// event, the 不再受理 notice (RegisterPetition), ends every clock.
	it := dashItemOf(p)
	if it != nil && len(events) > 0 {
		it.state = string(events[len(events)-1].To)
		if len(events) > 1 {
			it.due, it.severe = "", ""
		}
	}
	// Counted now, unless a bulk load counts its items at its end
	// (LoadInBulk).
	if counted, err := db.dash.counted(ctx, cq{db, tx}, p.ID); err != nil {
		return err
	} else if counted {
		if err := countDashboard(ctx, tx, nil, it); err != nil {
			return err
		}
	}
	repeat := 0
	if p.Repeat {
		repeat = 1
	}
	return db.countRegistration(ctx, tx, p, 1, repeat)
}

// insertFacts inserts facts of p, each with its unit's path: the
// registering and the handling unit's from p when it carries them, any
// other read once. It returns them as the counts read them.
func insertFacts(ctx context.Context, tx *Tx, p *xinfang.Petition, facts []xinfang.Fact) ([]factRow, error) {
	paths := map[int64]string{}
	for _, u := range []*xinfang.Unit{p.RegUnit, p.HandlingUnit} {
		if u != nil && u.Path != "" {
			paths[u.ID] = u.Path
		}
	}
	rows := make([]factRow, 0, len(facts))
	for _, f := range facts {
		path, ok := paths[f.UnitID]
		if !ok {
			if err := tx.queryRow(ctx, `SELECT path FROM units WHERE id = ?`, f.UnitID).Scan(&path); err != nil {
				return nil, fmt.Errorf("unit %d of a fact: %w", f.UnitID, err)
			}
			paths[f.UnitID] = path
		}
		r := factRow{kind: string(f.Kind), path: path, unit: f.UnitID, due: f.Due.String(), done: f.Done.String(), end: f.End.String(), onTime: f.OnTime, rating: string(f.Rating)}
		if _, err := tx.exec(ctx, `INSERT INTO kpi_facts (petition_id, seq, kind, clock, unit_id, unit_path, due_on, done_on, end_on, on_time, rating)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.ID, f.Seq, r.kind, string(f.Clock), f.UnitID, path,
			r.due, r.done, r.end, b2i(f.OnTime), r.rating); err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// buildFacts derives the facts of every petition registered before the
// indicators existed (kpi_state.built = 0), in batches of 200 petitions a
// transaction, then marks them built. It resumes where a stop left it: a
// batch rewrites its petitions' facts whole. Petitions registered after it
// started have their facts from their registration and are left alone;
// each petition's row is locked before its events are read, as an action
// locks it before writing its facts (commitEvent), so that the two never
// write one petition's facts from different histories. stop (nil: never)
// ends it between batches.
func (db *core) buildFacts(ctx context.Context, stop <-chan struct{}) error {
	var built int
	if err := db.queryRow(ctx, `SELECT built FROM kpi_state WHERE id = 1`).Scan(&built); err != nil {
		return err
	}
	if built == 1 {
		return nil
	}
	start := time.Now()
	pr := db.Procedure(ctx)
	var last int64
	if err := db.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM petitions`).Scan(&last); err != nil {
		return err
	}
	var after int64
	n := 0
	for {
		select {
		case <-stop:
			return nil
		default:
		}
		var ids []int64
		rows, err := db.query(ctx, `SELECT id FROM petitions WHERE id > ? AND id <= ? ORDER BY id LIMIT 200`, after, last)
		ids, err = scanAll(rows, err, func(r scanner) (int64, error) {
			var id int64
			return id, r.Scan(&id)
		})
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			break
		}
		err = db.write(ctx, func(tx *Tx) error {
			for _, id := range ids {
				var locked int64
				if err := tx.queryRow(ctx, `SELECT id FROM petitions WHERE id = ?`+db.dialect.forUpdate(), id).Scan(&locked); err != nil {
					return err
				}
				p, err := db.scanPetition(tx.queryRow(ctx, `SELECT `+petitionCols+petitionFrom+` WHERE p.id = ?`, id))
				if err != nil {
					return err
				}
				events, err := db.events(ctx, tx, id)
				if err != nil {
					return err
				}
				if len(events) == 0 {
					continue
				}
				if err := db.writeFacts(ctx, tx, pr, p, events); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		n += len(ids)
		after = ids[len(ids)-1]
	}
	err := db.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE kpi_state SET built = 1 WHERE id = 1`)
		return err
	})
	if err == nil && n > 0 {
		db.Logger.Info("indicator facts built", "petitions", n, "took", time.Since(start).Round(time.Millisecond))
	}
	return err
}

// startFactsBuild runs in the background (Open) the counts of the
// registrations and the matters held before migration 0077, buildFacts,
// then the 态势 counts' (prior_counts.go); Close stops them between
// batches, and the next start resumes.
func (db *core) startFactsBuild() {
	db.factsStop, db.factsDone = make(chan struct{}), make(chan struct{})
	go func(stop, done chan struct{}) {
		defer close(done)
		ctx := ownContext("facts")
		if err := db.buildSevereGap(ctx); err != nil {
			db.Logger.Warn("overdue bound", "err", err)
		}
		if err := db.regs.build(ctx, db, stop); err != nil {
			db.Logger.Warn("registration counts", "err", err)
		}
		if err := db.matters.build(ctx, db, stop); err != nil {
			db.Logger.Warn("watch list matters", "err", err)
		}
		if err := db.buildFacts(ctx, stop); err != nil {
			db.Logger.Warn("indicator facts", "err", err)
		}
		if err := db.dash.build(ctx, db, stop); err != nil {
			db.Logger.Warn("dashboard counts", "err", err)
		}
		if err := db.startWatchRows(ctx, stop); err != nil {
			db.Logger.Warn("watch list rows", "err", err)
		}
	}(db.factsStop, db.factsDone)
}

func (db *core) stopFactsBuild() {
	if db.factsStop == nil {
		return
	}
	close(db.factsStop)
	<-db.factsDone
	db.factsStop, db.factsDone = nil, nil
}

// factsIncomplete reports whether the background derivation of the facts
// has not finished yet.
func (db *core) factsIncomplete(ctx context.Context, r cq) (bool, error) {
	var built int
	err := r.row(ctx, `SELECT built FROM kpi_state WHERE id = 1`).Scan(&built)
	return built == 0, err
}

// RebuildFacts derives every petition's facts again from its events, as
// buildFacts does after the migration (after a change of the holiday
// calendar, the due dates move with it).
func (db *IndicatorStore) RebuildFacts(ctx context.Context) error {
	actor := xinfang.UserFromContext(ctx)
	if !xinfang.CanConfigureIndicators(actor) {
		return xinfang.Errorf(xinfang.EFORBIDDEN, "无权重算统计指标")
	}
	if err := db.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE kpi_state SET built = 0 WHERE id = 1`)
		return err
	}); err != nil {
		return err
	}
	return db.buildFacts(ctx, nil)
}

// Facts returns the stored facts of one petition, for the test that holds
// them to a recomputation (no scope: storage's own check).
func (db *IndicatorStore) Facts(ctx context.Context, petitionID int64) ([]xinfang.Fact, error) {
	rows, err := db.query(ctx, `SELECT petition_id, seq, kind, clock, unit_id, due_on, done_on, end_on, on_time, rating FROM kpi_facts WHERE petition_id = ? ORDER BY seq`, petitionID)
	return scanAll(rows, err, func(r scanner) (xinfang.Fact, error) {
		var f xinfang.Fact
		var due, done, end string
		var onTime int
		err := r.Scan(&f.PetitionID, &f.Seq, &f.Kind, &f.Clock, &f.UnitID, &due, &done, &end, &onTime, &f.Rating)
		f.Due, f.Done, f.End, f.OnTime = itemDate(due), itemDate(done), itemDate(end), onTime == 1
		return f, err
	})
}

// RecomputeFacts derives the facts of one petition from its events now,
// without storing them (the other side of that test).
func (db *IndicatorStore) RecomputeFacts(ctx context.Context, petitionID int64) ([]xinfang.Fact, error) {
	var out []xinfang.Fact
	err := db.read(ctx, func(q rowQuerier) error {
		p, err := db.scanPetition(q.QueryRowContext(ctx, db.dialect.rebind(`SELECT `+petitionCols+petitionFrom+` WHERE p.id = ?`), petitionID))
		if err != nil {
			return err
		}
		events, err := db.events(ctx, q, petitionID)
		if err != nil {
			return err
		}
		out = db.Procedure(ctx).Facts(p, events)
		return nil
	})
	return out, err
}

// config reads the local definitions.
func (db *core) config(ctx context.Context, r cq) (xinfang.IndicatorConfig, error) {
	var c xinfang.IndicatorConfig
	var basic, visits int
	err := r.row(ctx, `SELECT basic_counts, beijing_visits_only, province_group_min, mass_min, version FROM kpi_config WHERE id = 1`).
		Scan(&basic, &visits, &c.ProvinceGroupMin, &c.MassMin, &c.Version)
	c.BasicCounts, c.BeijingVisitsOnly = basic == 1, visits == 1
	return c, err
}

// IndicatorConfig returns the local definitions (三无, 满意率).
func (db *IndicatorStore) IndicatorConfig(ctx context.Context) (xinfang.IndicatorConfig, error) {
	if _, err := scopeOf(ctx); err != nil {
		return xinfang.IndicatorConfig{}, err
	}
	var c xinfang.IndicatorConfig
	err := db.read(ctx, func(q rowQuerier) error {
		var err error
		c, err = db.config(ctx, cq{db.core, q})
		return err
	})
	return c, err
}

// SetIndicatorConfig changes the local definitions; c.Version is the
// version read (stale: ECONFLICT). The change is audited like every other.
func (db *IndicatorStore) SetIndicatorConfig(ctx context.Context, c xinfang.IndicatorConfig) (xinfang.IndicatorConfig, error) {
	if !xinfang.CanConfigureIndicators(xinfang.UserFromContext(ctx)) {
		return c, xinfang.Errorf(xinfang.EFORBIDDEN, "无权修改指标定义")
	}
	if err := c.Validate(); err != nil {
		return c, err
	}
	err := db.write(ctx, func(tx *Tx) error {
		n, err := tx.change(ctx, `UPDATE kpi_config SET basic_counts = ?, beijing_visits_only = ?, province_group_min = ?, mass_min = ?, version = version + 1, updated_at = ?
			WHERE id = 1 AND version = ?`, b2i(c.BasicCounts), b2i(c.BeijingVisitsOnly), c.ProvinceGroupMin, c.MassMin, fmtTime(tx.now), c.Version)
		if err != nil {
			return err
		}
		if n != 1 {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "指标定义已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
		}
		return nil
	})
	if err != nil {
		return c, err
	}
	c.Version++
	return c, nil
}
