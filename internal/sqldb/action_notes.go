package sqldb

import (
	"context"
	"fmt"
	"strconv"

	"xinfang"
)

// The messages an action on a petition sends, in its transaction: the
// unit an item is sent to learns it has it (转送, 交办), the unit an item
// comes back to learns why (异议退回), the registering unit learns the
// item it sent on was answered (答复), and the unit that has it learns a
// 复查 or 复核 was asked for. To the handlers and heads of the unit (the
// people its clocks are addressed to), never to the one who acted.

// actionNote says what a message of action is about, and to which unit:
// the unit that has the item after the action, or the registering unit.
type actionNote struct {
	subject string // with the item's number
	toReg   bool   // to the registering unit, not the handling one
}

var actionNotes = map[xinfang.Action]actionNote{
	xinfang.ActTransfer:        {subject: "收到转送的信访件 %s"},
	xinfang.ActAssign:          {subject: "收到交办的信访件 %s"},
	xinfang.ActReturn:          {subject: "信访件 %s 被退回"},
	xinfang.ActReply:           {subject: "信访件 %s 已答复", toReg: true},
	xinfang.ActRequestReview:   {subject: "信访件 %s 申请复查"},
	xinfang.ActRequestRereview: {subject: "信访件 %s 申请复核"},
}

// notifyAction writes the messages of event ev on petition p, as the
// action left it, acted by actor.
func (db *core) notifyAction(ctx context.Context, tx *Tx, p *xinfang.Petition, ev *xinfang.Event, actor *xinfang.User) error {
	n, ok := actionNotes[ev.Action]
	if !ok {
		return nil
	}
	unit := p.HandlingUnitID
	if n.toReg || unit == 0 {
		unit = p.RegUnitID
	}
	if n.toReg && p.HandlingUnitID == p.RegUnitID {
		return nil // answered by the unit that registered it: nobody to tell
	}
	staff, err := db.unitStaffIn(ctx, tx, unit)
	if err != nil {
		return err
	}
	// The reason of a return, else the actor's note, else what the item is about.
	body := p.Summary
	for _, s := range []string{ev.Note, ev.Data["reason"]} {
		if s != "" {
			body = actor.Name + "：" + s
		}
	}
	var notes []*xinfang.Notification
	for _, uid := range staff {
		if uid == actor.ID {
			continue
		}
		notes = append(notes, &xinfang.Notification{UserID: uid, Kind: xinfang.NotificationItem, Subject: fmt.Sprintf(n.subject, p.Number),
			Body: body, Link: "/petitions/" + strconv.FormatInt(p.ID, 10), ItemKind: "petition", ItemID: p.ID,
			DedupeKey: "event:" + strconv.FormatInt(ev.ID, 10) + ":" + strconv.FormatInt(uid, 10)})
	}
	_, err = db.insertNotes(ctx, tx, notes)
	return err
}
