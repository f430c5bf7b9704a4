package sqldb

import (
	"context"
	"strconv"

	"xinfang"
	"xinfang/internal/procedure"
)

// commitEvent appends ev, the event the procedure returned for p (read in
// tx at version, with its history events), to the chain, and rebuilds
// the projection, the repeat links of a merge and the staff's notices; a
// concurrent change of the item makes it ECONFLICT.
func (db *PetitionStore) commitEvent(ctx context.Context, tx *Tx, pr *procedure.Procedure, p *xinfang.Petition, events []*xinfang.Event, ev *xinfang.Event, version int, actor *xinfang.User) error {
	id := p.ID
	var err error
	prev := ""
	if len(events) > 0 {
		prev = events[len(events)-1].Hash
	}
	if err := db.insertEvent(ctx, tx, ev, prev); err != nil {
		return err
	}
	events = append(events, ev)
	// What the item counted on the 态势 page before the event.
	was := dashItemOf(p)
	wasUnit := p.HandlingUnitID
	pr.Project(p, pr.Derive(events, tx.now))
	handlingPath := ""
	if p.HandlingUnitID != 0 {
		u, err := scanUnit(tx.queryRow(ctx, `SELECT `+unitCols+` FROM units WHERE id = ?`, p.HandlingUnitID))
		if err != nil {
			return err
		}
		p.HandlingUnit, handlingPath = u, u.Path
	} else {
		p.HandlingUnit = nil
	}
	wasRepeat := p.Repeat
	if ev.Action == xinfang.ActMerge {
		p.Repeat = true
		// The procedure resolved "into" to an existing petition's id.
		if p.RepeatOfID, err = strconv.ParseInt(ev.Data["into"], 10, 64); err != nil {
			return err
		}
	}
	tx.noteSevereGap(p.DueDate, p.SevereDate)
	// The new head and its MAC (headOf) in the same statement.
	n, err := tx.change(ctx, `UPDATE petitions SET state = ?, handling_unit_id = ?, handling_path = ?, outcome = ?, evaluation = ?, due_date = ?, severe_date = ?, due_clock = ?,
		repeat_flag = ?, repeat_of_id = ?, version = version + 1, updated_at = ?, head_hash = ?, head_mac = ? WHERE id = ? AND version = ?`,
		string(p.State), nullID(p.HandlingUnitID), handlingPath, p.Outcome, p.Evaluation, p.DueDate, p.SevereDate, string(p.DueClock),
		b2i(p.Repeat), nullID(p.RepeatOfID), fmtTime(tx.now), ev.Hash, db.macOfHead(headOf(p, ev.Hash, handlingPath)), id, version)
	if err != nil {
		return err
	}
	if n != 1 {
		return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该信访件已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
	}
	if p.HandlingUnitID != wasUnit {
		// The backlog cases' links keep the path (scope.go, cases).
		if _, err := tx.exec(ctx, `UPDATE case_petitions SET handling_path = ? WHERE petition_id = ?`, handlingPath, id); err != nil {
			return err
		}
	}
	// The indicators' facts of the item, from its events, once its row is
	// locked by the UPDATE above (the background derivation locks it too:
	// indicator_facts.go).
	if err := db.writeFacts(ctx, tx, pr, p, events); err != nil {
		return err
	}
	counted := false
	if was != nil {
		// Read once the UPDATE above holds the item, as the background
		// count of the items before the counts (db.dash) locks it.
		if counted, err = db.dash.counted(ctx, cq{db.core, tx}, id); err != nil {
			return err
		}
	}
	if counted {
		if err := countDashboard(ctx, tx, was, dashItemOf(p)); err != nil {
			return err
		}
	}
	if ev.Action == xinfang.ActMerge {
		if err := db.setRepeatRoot(ctx, tx, id); err != nil {
			return err
		}
	} else if p.Purpose == xinfang.PurposeAccusation {
		// Who sees a 检举控告 item follows its handling unit: its
		// petitioner's and its chain's kept watch-list rows.
		var person, root, up int64
		if err := tx.queryRow(ctx, `SELECT COALESCE(person_id, 0), COALESCE(repeat_root_id, 0), COALESCE(repeat_of_id, 0) FROM petitions WHERE id = ?`, id).Scan(&person, &root, &up); err != nil {
			return err
		}
		if up == 0 {
			root = id
		}
		if err := db.refreshWatch(ctx, tx, []int64{person}, []int64{root}, 0); err != nil {
			return err
		}
	}
	if p.Repeat && !wasRepeat {
		if err := db.countRegistration(ctx, tx, p, 0, 1); err != nil {
			return err
		}
	}
	if err := db.aftercareTasks(ctx, tx, p, ev, handlingPath); err != nil {
		return err
	}
	p.Version = version + 1
	p.UpdatedAt = tx.now
	if err := db.notifyAction(ctx, tx, p, ev, actor); err != nil {
		return err
	}
	// The petitioner's message goes with the event, or not at all.
	return db.messageForEvent(ctx, tx, p, ev)
}
