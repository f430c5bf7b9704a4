package sqldb

import (
	"context"

	"xinfang"
	"xinfang/internal/procedure"
)

// Act applies one action of the procedure to a petition in scope. It loads
// the item and its history, asks the procedure for the event, appends it to
// the chain and rebuilds the projection, in one transaction; a concurrent
// change of the item makes it fail with ECONFLICT and write nothing.
func (db *PetitionStore) Act(ctx context.Context, id int64, in xinfang.ActionInput) (*xinfang.Petition, error) {
	actor := xinfang.UserFromContext(ctx)
	if actor == nil || actor.Unit == nil {
		return nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	if t, ok := procedure.Find(in.Action); ok && t.Register {
		return nil, xinfang.FieldError("action", t.Action.Label()+"须在其登记中进行（调解结案：在调解页面记录调解协议）")
	}
	pr := db.Procedure(ctx)
	var out *xinfang.Petition
	err := db.write(ctx, func(tx *Tx) error {
		var err error
		out, err = db.actIn(ctx, tx, pr, actor, id, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := db.read(ctx, func(q rowQuerier) error { return db.loadDetail(ctx, q, pr, out) }); err != nil {
		return nil, err
	}
	return out, nil
}

// actIn applies one action of the procedure to petition id inside tx:
// the event, the projected row, its notifications and the chain's head.
// Act runs it in a write of its own; a register whose step is also a step
// of the procedure (a hearing's start and end) runs it in its own write.
func (db *PetitionStore) actIn(ctx context.Context, tx *Tx, pr *procedure.Procedure, actor *xinfang.User, id int64, in xinfang.ActionInput) (*xinfang.Petition, error) {
	p, err := db.findPetition(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	events, err := db.events(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	ev, err := pr.Apply(procedure.Request{Petition: p, Events: events, Actor: actor, Input: in, Now: tx.now}, &lookup{db: db.core, ctx: ctx, tx: tx})
	if err != nil {
		return nil, err
	}
	if ev.Action == xinfang.ActEvaluate {
		// Marked as entered by staff (纸质、来访件代录), beside the
		// petitioner's own on the portal.
		ev.Data["source"] = "staff"
	}
	if err := db.commitEvent(ctx, tx, pr, p, events, ev, in.Version, actor); err != nil {
		return nil, err
	}
	return p, nil
}

// lookup resolves the references of an action and loads the facts its
// guards judge (procedure.Lookup), inside the acting transaction. The
// rules are the procedure's: merging into itself or into a repeat, and
// concluding with open tasks, are refused by its guards, not here.
type lookup struct {
	db  *core
	ctx context.Context
	tx  *Tx
}

func (l *lookup) Unit(id int64) (*xinfang.Unit, error) {
	u, err := scanUnit(l.tx.queryRow(l.ctx, `SELECT `+unitCols+` FROM units WHERE id = ?`, id))
	if err != nil {
		return nil, l.db.notFound(err, "单位不存在")
	}
	return u, nil
}

func (l *lookup) Petition(id int64) (*xinfang.Petition, error) {
	return l.db.findPetition(l.ctx, l.tx, id)
}

func (l *lookup) OpenTasks(petitionID int64) (int, error) {
	return l.db.openTasks(l.ctx, l.tx, petitionID)
}
