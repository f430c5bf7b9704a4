package sqldb

import (
	"context"

	"xinfang"
)

// 三跨三分离 tasks of a petition or a backlog case: by person, matter or unit, each with its owner, deadline and state.

const taskCols = `t.id, COALESCE(t.case_id, 0), COALESCE(t.petition_id, 0), t.version, t.kind, t.title, COALESCE(t.owner_unit_id, 0), COALESCE(ou.name, ''),
	COALESCE(t.owner_user_id, 0), COALESCE(uu.name, ''), t.deadline, t.state, t.release_reason, t.done_note, t.origin, t.created_at, t.updated_at, COALESCE(t.meeting_id, 0)`

const taskFrom = ` FROM tasks t LEFT JOIN units ou ON ou.id = t.owner_unit_id LEFT JOIN users uu ON uu.id = t.owner_user_id`

// taskFields are where the columns of taskCols go: into t, its instants
// into created and updated.
func taskFields(t *xinfang.Task, created, updated *string) []any {
	return []any{&t.ID, &t.CaseID, &t.PetitionID, &t.Version, &t.Kind, &t.Title, &t.OwnerUnitID, &t.OwnerUnitName,
		&t.OwnerUserID, &t.OwnerUserName, &t.Deadline, &t.State, &t.ReleaseReason, &t.DoneNote, &t.Origin, created, updated, &t.MeetingID}
}

func scanTask(s interface{ Scan(...any) error }) (*xinfang.Task, error) {
	t := &xinfang.Task{}
	var created, updated string
	if err := s.Scan(taskFields(t, &created, &updated)...); err != nil {
		return nil, err
	}
	t.CreatedAt, t.UpdatedAt = parseTime(created), parseTime(updated)
	return t, nil
}

func (db *CaseStore) tasks(ctx context.Context, r cq, where string, args ...any) ([]*xinfang.Task, error) {
	rows, err := r.rows(ctx, `SELECT `+taskCols+taskFrom+` WHERE `+where+` ORDER BY t.id`, args...)
	return scanAll(rows, err, scanTask)
}

// AddCaseTask splits a case into one more task (三跨三分离).
func (db *CaseStore) AddCaseTask(ctx context.Context, id int64, version int, t *xinfang.Task) (*xinfang.Case, error) {
	return db.changeCase(ctx, id, version, func(tx *Tx, c *xinfang.Case) (xinfang.CaseEventKind, map[string]string, error) {
		if c.State.Done() {
			return "", nil, xinfang.Errorf(xinfang.ECONFLICT, "案件已化解，不能再拆分任务")
		}
		t.CaseID, t.PetitionID = c.ID, 0
		if err := db.insertTask(ctx, tx, t); err != nil {
			return "", nil, err
		}
		return xinfang.CaseEventTaskAdd, taskData(t), nil
	})
}

// ChangeCaseTask finishes, releases (with a reason) or reopens a task of
// a case.
func (db *CaseStore) ChangeCaseTask(ctx context.Context, id int64, version int, taskID int64, ch xinfang.TaskChange) (*xinfang.Case, error) {
	return db.changeCase(ctx, id, version, func(tx *Tx, c *xinfang.Case) (xinfang.CaseEventKind, map[string]string, error) {
		var t *xinfang.Task
		for _, x := range c.Tasks {
			if x.ID == taskID {
				t = x
			}
		}
		if t == nil {
			return "", nil, xinfang.Errorf(xinfang.ENOTFOUND, "任务不存在")
		}
		if ch.State == xinfang.TaskOpen && c.State.Done() {
			return "", nil, xinfang.Errorf(xinfang.ECONFLICT, "案件已化解，不能重新打开任务")
		}
		if err := db.updateTask(ctx, tx, t, ch); err != nil {
			return "", nil, err
		}
		return xinfang.CaseEventTaskEdit, taskData(t), nil
	})
}

func taskData(t *xinfang.Task) map[string]string {
	return map[string]string{"task": itoa(t.ID), "kind": t.Kind.Label(), "title": t.Title, "owner_unit": t.OwnerUnitName,
		"owner_user": t.OwnerUserName, "deadline": t.Deadline.String(), "state": t.State.Label(), "release_reason": t.ReleaseReason, "done_note": t.DoneNote}
}

func (db *CaseStore) insertTask(ctx context.Context, tx *Tx, t *xinfang.Task) error {
	if err := t.Validate(db.todayDate()); err != nil {
		return err
	}
	p := xinfang.Problems{}
	if t.OwnerUnitID != 0 {
		var disabled bool
		if err := tx.queryRow(ctx, `SELECT name, disabled FROM units WHERE id = ?`, t.OwnerUnitID).Scan(&t.OwnerUnitName, &disabled); err != nil {
			p.Add("owner_unit_id", "责任单位不存在")
		} else if disabled {
			p.Add("owner_unit_id", "责任单位已停用")
		}
	}
	if t.OwnerUserID != 0 {
		if err := tx.queryRow(ctx, `SELECT name FROM users WHERE id = ?`, t.OwnerUserID).Scan(&t.OwnerUserName); err != nil {
			p.Add("owner_user_id", "责任人不存在")
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	t.State, t.Version, t.CreatedAt, t.UpdatedAt = xinfang.TaskOpen, 1, tx.now, tx.now
	id, err := tx.insert(ctx, `INSERT INTO tasks (case_id, petition_id, meeting_id, version, kind, title, owner_unit_id, owner_user_id, deadline, state, origin, created_at, updated_at)
		VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, nullID(t.CaseID), nullID(t.PetitionID), nullID(t.MeetingID), t.Kind, t.Title, nullID(t.OwnerUnitID), nullID(t.OwnerUserID),
		t.Deadline, t.State, string(t.Origin), fmtTime(tx.now), fmtTime(tx.now))
	t.ID = id
	return err
}

// updateTask applies ch to t and stores it at t's version.
func (db *CaseStore) updateTask(ctx context.Context, tx *Tx, t *xinfang.Task, ch xinfang.TaskChange) error {
	if err := t.Apply(ch); err != nil {
		return err
	}
	n, err := tx.change(ctx, `UPDATE tasks SET state = ?, release_reason = ?, done_note = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		t.State, t.ReleaseReason, t.DoneNote, fmtTime(tx.now), t.ID, t.Version)
	if err != nil {
		return err
	}
	if n != 1 {
		return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该任务已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
	}
	t.Version++
	t.UpdatedAt = tx.now
	return nil
}

// FindPetitionTasks returns the 三跨三分离 tasks of a petition in scope.
func (db *CaseStore) FindPetitionTasks(ctx context.Context, petitionID int64) ([]*xinfang.Task, error) {
	if _, err := db.findPetition(ctx, db.pool(), petitionID); err != nil {
		return nil, err
	}
	return db.tasks(ctx, cq{db.core, db.pool()}, "t.petition_id = ?", petitionID)
}

// AddPetitionTask splits a petition in scope into one more task.
func (db *CaseStore) AddPetitionTask(ctx context.Context, petitionID int64, t *xinfang.Task) error {
	if _, err := allow(ctx, mayFileCase); err != nil {
		return err
	}
	return db.write(ctx, func(tx *Tx) error {
		p, err := db.findPetition(ctx, tx, petitionID)
		if err != nil {
			return err
		}
		if p.State.Closed() {
			return xinfang.Errorf(xinfang.ECONFLICT, "信访件已%s，不能再拆分任务", p.State.Label())
		}
		t.PetitionID, t.CaseID = petitionID, 0
		return db.insertTask(ctx, tx, t)
	})
}

// ChangePetitionTask finishes, releases or reopens a task of a petition in
// scope, at the task's version.
func (db *CaseStore) ChangePetitionTask(ctx context.Context, petitionID, taskID int64, version int, ch xinfang.TaskChange) (*xinfang.Task, error) {
	if _, err := allow(ctx, mayFileCase); err != nil {
		return nil, err
	}
	var out *xinfang.Task
	err := db.write(ctx, func(tx *Tx) error {
		if _, err := db.findPetition(ctx, tx, petitionID); err != nil {
			return err
		}
		list, err := db.tasks(ctx, cq{db.core, tx}, "t.petition_id = ? AND t.id = ?", petitionID, taskID)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return xinfang.Errorf(xinfang.ENOTFOUND, "任务不存在")
		}
		t := list[0]
		if t.Version != version {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该任务已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
		}
		if err := db.updateTask(ctx, tx, t, ch); err != nil {
			return err
		}
		out = t
		return nil
	})
	return out, err
}

// CountOpenTasks returns the number of open 三跨三分离 tasks of a petition: the
// petition cannot be concluded (办结) while it is not zero (the procedure's
// guard, fed by lookup.OpenTasks inside the acting transaction).
func (db *CaseStore) CountOpenTasks(ctx context.Context, petitionID int64) (int, error) {
	return db.openTasks(ctx, db.pool(), petitionID)
}

func (db *core) openTasks(ctx context.Context, q rowQuerier, petitionID int64) (int, error) {
	var n int
	err := cq{db, q}.row(ctx, `SELECT COUNT(*) FROM tasks WHERE petition_id = ? AND state IN `+openTaskState, petitionID).Scan(&n)
	return n, err
}
