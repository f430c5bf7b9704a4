package sqldb

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"xinfang"
)

// Leaders' instructions (批示) on a petition or a backlog case, and the people they reach.

func (db *CaseStore) instructions(ctx context.Context, r cq, where string, args ...any) ([]*xinfang.Instruction, error) {
	rows, err := r.rows(ctx, `SELECT id, COALESCE(case_id, 0), COALESCE(petition_id, 0), author_id, author_name, text, at, to_users, to_units
		FROM instructions WHERE `+where+` ORDER BY at DESC, id DESC`, args...)
	return scanAll(rows, err, func(r scanner) (*xinfang.Instruction, error) {
		in := &xinfang.Instruction{}
		var at, users, units string
		if err := r.Scan(&in.ID, &in.CaseID, &in.PetitionID, &in.AuthorID, &in.AuthorName, &in.Text, &at, &users, &units); err != nil {
			return nil, err
		}
		in.At, in.ToUsers, in.ToUnits = parseTime(at), splitIDs(users), splitIDs(units)
		return in, nil
	})
}

// AddInstruction records a leader's 批示 on a case or a petition the
// leader can see. It returns the users it reaches (InstructionRecipients).
func (db *CaseStore) AddInstruction(ctx context.Context, in *xinfang.Instruction) ([]int64, error) {
	actor, err := allow(ctx, xinfang.CanWriteInstructions)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if (in.CaseID == 0) == (in.PetitionID == 0) {
		return nil, xinfang.FieldError("case_id", "批示须针对一件积案或一件信访件")
	}
	var recipients []int64
	err = db.write(ctx, func(tx *Tx) error {
		var what string // the number and title, for the message
		if in.CaseID != 0 {
			c, err := db.findCase(ctx, tx, in.CaseID)
			if err != nil {
				return err
			}
			what = c.Number + " " + c.Title
		} else {
			p, err := db.findPetition(ctx, tx, in.PetitionID)
			if err != nil {
				return err
			}
			what = p.Number
			if p.Purpose != xinfang.PurposeAccusation {
				what += " " + p.Summary
			}
		}
		p := xinfang.Problems{}
		for _, id := range in.ToUsers {
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE id = ?`, id).Scan(&n); err != nil {
				return err
			} else if n == 0 {
				p.Add("to_users", "人员 #"+itoa(id)+" 不存在")
			}
		}
		for _, id := range in.ToUnits {
			if _, err := tx.activeUnit(ctx, id, "to_units"); xinfang.ErrorCode(err) == xinfang.EINVALID || xinfang.ErrorCode(err) == xinfang.ENOTFOUND {
				p.Add("to_units", xinfang.ErrorFields(err)["to_units"])
			} else if err != nil {
				return err
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		in.AuthorID, in.AuthorName, in.At = actor.ID, actor.Name, tx.now
		id, err := tx.insert(ctx, `INSERT INTO instructions (case_id, petition_id, author_id, author_name, text, at, to_users, to_units) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			nullID(in.CaseID), nullID(in.PetitionID), actor.ID, actor.Name, in.Text, fmtTime(tx.now), joinIDs(in.ToUsers), joinIDs(in.ToUnits))
		if err != nil {
			return err
		}
		in.ID = id
		if in.CaseID != 0 {
			// A 批示 is part of the case's history; it does not change the
			// case's version, so nobody's open form goes stale by it.
			if err := db.caseEvent(ctx, tx, in.CaseID, xinfang.CaseEventInstruction, map[string]string{"by": actor.Name, "text": in.Text}); err != nil {
				return err
			}
		}
		if recipients, err = db.instructionRecipients(ctx, cq{db.core, tx}, in); err != nil {
			return err
		}
		if recipients, err = db.whoMaySee(ctx, tx, in, recipients); err != nil {
			return err
		}
		// It reaches them in their inbox (站内消息), written with the 批示.
		subject, link, kind, item := "领导批示：积案 "+what, "/cases/"+itoa(in.CaseID), "case", in.CaseID
		if in.PetitionID != 0 {
			subject, link, kind, item = "领导批示：信访件 "+what, "/petitions/"+itoa(in.PetitionID)+"/tasks", "petition", in.PetitionID
		}
		notes := make([]*xinfang.Notification, len(recipients))
		for i, uid := range recipients {
			notes[i] = &xinfang.Notification{UserID: uid, Kind: xinfang.NotificationInstruction, Subject: subject, Body: actor.Name + "：" + in.Text, Link: link,
				ItemKind: kind, ItemID: item, DedupeKey: fmt.Sprintf("instruction:%d:u%d", in.ID, uid)}
		}
		_, err = db.insertNotes(ctx, tx, notes)
		return err
	})
	return recipients, err
}

// whoMaySee keeps the recipients who may open the instruction's item, so
// that its number and summary reach nobody outside the item's scope — the
// unit a 检举控告 accuses above all. A user the leader named who may not is
// an error naming to_users, as is a named unit none of whose users may.
func (db *CaseStore) whoMaySee(ctx context.Context, tx *Tx, in *xinfang.Instruction, recipients []int64) ([]int64, error) {
	out := recipients[:0:0]
	unitSees := map[int64]bool{}
	for _, uid := range recipients {
		u, err := scanUser(tx.queryRow(ctx, `SELECT `+userCols+` FROM users u JOIN units n ON n.id = u.unit_id WHERE u.id = ?`, uid))
		if err != nil {
			return nil, err
		}
		uctx := xinfang.NewContextWithUser(ctx, u)
		if in.CaseID != 0 {
			_, err = db.findCase(uctx, tx, in.CaseID)
		} else {
			_, err = db.findPetition(uctx, tx, in.PetitionID)
		}
		switch code := xinfang.ErrorCode(err); {
		case err == nil:
			out = append(out, uid)
			unitSees[u.UnitID] = true
		case code == xinfang.ENOTFOUND || code == xinfang.EFORBIDDEN || code == xinfang.EUNAUTHORIZED:
			if slices.Contains(in.ToUsers, uid) {
				return nil, xinfang.FieldError("to_users", u.Name+"无权查看该事项，不能向其批示")
			}
		default:
			return nil, err
		}
	}
	for _, id := range in.ToUnits {
		if !unitSees[id] {
			return nil, xinfang.FieldError("to_units", "单位 #"+itoa(id)+" 无人有权查看该事项，不能向其批示")
		}
	}
	return out, nil
}

// FindPetitionInstructions returns the 批示 on a petition in scope.
func (db *CaseStore) FindPetitionInstructions(ctx context.Context, petitionID int64) ([]*xinfang.Instruction, error) {
	if _, err := db.findPetition(ctx, db.pool(), petitionID); err != nil {
		return nil, err
	}
	return db.instructions(ctx, cq{db.core, db.pool()}, "petition_id = ?", petitionID)
}

// InstructionRecipients returns the ids of the users an instruction
// reaches: the users and the users of the units it names, and the people
// responsible — for a case its 包案领导, team members and the owners of its
// steps and tasks; for a petition the users of its handling unit (or of
// the registering unit while it has none) and the owners of its tasks.
// The author is left out. A notification inbox calls this to deliver it.
func (db *CaseStore) InstructionRecipients(ctx context.Context, in *xinfang.Instruction) ([]int64, error) {
	return db.instructionRecipients(ctx, cq{db.core, db.pool()}, in)
}

func (db *CaseStore) instructionRecipients(ctx context.Context, r cq, in *xinfang.Instruction) ([]int64, error) {
	set := map[int64]bool{}
	collect := func(q string, args ...any) error {
		rows, err := r.rows(ctx, q, args...)
		ids, err := scanAll(rows, err, scanID)
		for _, id := range ids {
			set[id] = true
		}
		return err
	}
	for _, id := range in.ToUsers {
		set[id] = true
	}
	for _, id := range in.ToUnits {
		if err := collect(`SELECT id FROM users WHERE unit_id = ? AND disabled = 0`, id); err != nil {
			return nil, err
		}
	}
	if in.CaseID != 0 {
		for _, q := range []string{
			`SELECT leader_id FROM cases WHERE id = ? AND leader_id IS NOT NULL`,
			`SELECT user_id FROM case_members WHERE case_id = ? AND user_id IS NOT NULL`,
			`SELECT owner_id FROM case_steps WHERE case_id = ? AND owner_id IS NOT NULL`,
			`SELECT owner_user_id FROM tasks WHERE case_id = ? AND owner_user_id IS NOT NULL`,
		} {
			if err := collect(q, in.CaseID); err != nil {
				return nil, err
			}
		}
	}
	if in.PetitionID != 0 {
		if err := collect(`SELECT u.id FROM users u JOIN petitions p ON u.unit_id = COALESCE(p.handling_unit_id, p.reg_unit_id) WHERE p.id = ? AND u.disabled = 0`, in.PetitionID); err != nil {
			return nil, err
		}
		if err := collect(`SELECT owner_user_id FROM tasks WHERE petition_id = ? AND owner_user_id IS NOT NULL`, in.PetitionID); err != nil {
			return nil, err
		}
	}
	delete(set, in.AuthorID)
	out := make([]int64, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}
