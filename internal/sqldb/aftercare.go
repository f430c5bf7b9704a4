package sqldb

import (
	"context"

	"xinfang"
)

// aftercareTasks writes, with a termination's event (commitEvent), one
// task per aftercare measure chosen (善后帮扶措施) on the petition, owned by
// the 联席办 and due Cfg.AftercareDays after the termination. The
// procedure decided that the action is allowed and checked the measures;
// here they only become tasks, in the event's transaction.
func (db *PetitionStore) aftercareTasks(ctx context.Context, tx *Tx, p *xinfang.Petition, ev *xinfang.Event, handlingPath string) error {
	codes := xinfang.SplitCodes(ev.Data[xinfang.AftercareField])
	if ev.Action != xinfang.ActTerminate || len(codes) == 0 {
		return nil
	}
	joint, err := db.jointUnit(ctx, tx, handlingPath)
	if err != nil {
		return err
	}
	days := db.Cfg.AftercareDays
	if days <= 0 {
		days = 30
	}
	cs := &CaseStore{db.core}
	for _, code := range codes {
		t := &xinfang.Task{PetitionID: p.ID, Kind: xinfang.TaskPerson, Title: xinfang.AftercareTaskTitle(code, ev.Data["aftercare"]),
			OwnerUnitID: joint, Deadline: db.todayDate().AddDays(days), Origin: xinfang.TaskOriginAftercare}
		if err := cs.insertTask(ctx, tx, t); err != nil {
			return err
		}
	}
	return nil
}

// jointUnit is the 联席办 (a unit of kind joint) that takes the aftercare of
// an item handled at path: of several, the one sharing the longest part of
// the path (the nearest), the first by path on a tie. Without one the
// measures cannot be handed over, and the termination is refused on them.
func (db *core) jointUnit(ctx context.Context, tx *Tx, path string) (int64, error) {
	rows, err := cq{db, tx}.rows(ctx, `SELECT id, path FROM units WHERE kind = ? AND disabled = 0 ORDER BY path`, string(xinfang.UnitJoint))
	type unit struct {
		id   int64
		path string
	}
	list, err := scanAll(rows, err, func(r scanner) (unit, error) {
		var u unit
		return u, r.Scan(&u.id, &u.path)
	})
	if err != nil {
		return 0, err
	}
	best, bestLen := int64(0), -1
	for _, u := range list {
		n := 0
		for n < len(u.path) && n < len(path) && u.path[n] == path[n] {
			n++
		}
		if n > bestLen {
			best, bestLen = u.id, n
		}
	}
	if best == 0 {
		return 0, xinfang.FieldError(xinfang.AftercareField, "未设置联席办单位，善后帮扶措施无法交办")
	}
	return best, nil
}
