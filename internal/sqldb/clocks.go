package sqldb

import (
	"context"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/procedure"
)

// ClockStore is what the scheduler reads and writes: the items whose
// running clocks are near or past due, with the users responsible for
// them, the supervisors a 严重超期 item escalates to, and the lease that
// lets one instance at a time do the round.

// dueSource reads the running clocks of one kind that fall due within the
// warning window of today or are past due: the query, with one argument
// (the last day of the window), and how a row becomes a DueItem addressed
// to users, given the staff of every unit (staffIndex).
func (db *ClockStore) dueSource(ctx context.Context, today calendar.Date, query string, item func(r scanner, staff map[int64][]int64) (xinfang.DueItem, error)) ([]xinfang.DueItem, error) {
	staff, err := db.staffIndex(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, query, today.AddDays(db.Cfg.NearDays).String())
	return scanAll(rows, err, func(r scanner) (xinfang.DueItem, error) { return item(r, staff) })
}

// CaseStepsDue returns the undone plan steps of running cases that fall due
// within the warning window of today or are past due, for the scheduler.
// Each goes to the step's owner (when a user) and the case's 包案领导, or,
// with no user named, to the staff of the responsible unit.
func (db *ClockStore) CaseStepsDue(ctx context.Context, today calendar.Date) ([]xinfang.DueItem, error) {
	return db.dueSource(ctx, today, `SELECT s.id, s.content, s.deadline, COALESCE(s.owner_id, 0), c.id, c.number, c.responsible_unit_id, COALESCE(c.leader_id, 0), c.created_at
		FROM case_steps s JOIN cases c ON c.id = s.case_id
		WHERE s.done_on = '' AND s.deadline <> '' AND s.deadline <= ? AND c.state IN `+runningCaseStates+` ORDER BY s.id`,
		func(r scanner, staff map[int64][]int64) (xinfang.DueItem, error) {
			var it xinfang.DueItem
			var content, number, created string
			var owner, caseID, leader int64
			if err := r.Scan(&it.ID, &content, &it.Due, &owner, &caseID, &number, &it.UnitID, &leader, &created); err != nil {
				return it, err
			}
			it.Kind, it.Title, it.Link = "case_step", "积案 "+number+" 方案步骤："+content, "/cases/"+itoa(caseID)+"#plan"
			it.Severe = procedure.DeadlineSevereDay(parseTime(created), it.Due)
			for _, id := range []int64{owner, leader} {
				if id != 0 {
					it.Users = append(it.Users, id)
				}
			}
			if owner == 0 {
				it.Users = append(it.Users, staff[it.UnitID]...)
			}
			return it, nil
		})
}

// TasksDue returns the open 三跨三分离 tasks of petitions and cases that fall
// due within the warning window of today or are past due, for the
// scheduler: each to its owner user, or to the staff of its owner unit.
func (db *ClockStore) TasksDue(ctx context.Context, today calendar.Date) ([]xinfang.DueItem, error) {
	return db.dueSource(ctx, today, `SELECT t.id, t.title, t.deadline, t.created_at, COALESCE(t.owner_user_id, 0), COALESCE(t.owner_unit_id, 0),
			COALESCE(t.case_id, 0), COALESCE(c.number, ''), COALESCE(c.responsible_unit_id, 0),
			COALESCE(t.petition_id, 0), COALESCE(p.number, ''), COALESCE(p.purpose, ''), COALESCE(p.handling_unit_id, p.reg_unit_id, 0)
		FROM tasks t LEFT JOIN cases c ON c.id = t.case_id LEFT JOIN petitions p ON p.id = t.petition_id
		WHERE t.state IN `+openTaskState+` AND t.deadline <> '' AND t.deadline <= ? ORDER BY t.id`,
		func(r scanner, staff map[int64][]int64) (xinfang.DueItem, error) {
			var it xinfang.DueItem
			var title, created, caseNumber, petNumber string
			var purpose xinfang.Purpose
			var ownerUser, ownerUnit, caseID, caseUnit, petID, petUnit int64
			if err := r.Scan(&it.ID, &title, &it.Due, &created, &ownerUser, &ownerUnit, &caseID, &caseNumber, &caseUnit, &petID, &petNumber, &purpose, &petUnit); err != nil {
				return it, err
			}
			it.Kind = "task"
			it.Severe = procedure.DeadlineSevereDay(parseTime(created), it.Due)
			if caseID != 0 {
				it.Title, it.Link, it.UnitID = "积案 "+caseNumber+" 任务："+title, "/cases/"+itoa(caseID)+"#tasks", caseUnit
			} else {
				it.Title, it.Link, it.UnitID = "信访件 "+petNumber+" 任务："+title, "/petitions/"+itoa(petID)+"/tasks", petUnit
				// 检举控告: the content stays with the discipline body.
				if it.Private = purpose == xinfang.PurposeAccusation; it.Private {
					it.Title = "信访件 " + petNumber + " 任务（检举控告）"
				}
			}
			if ownerUnit != 0 {
				it.UnitID = ownerUnit
			}
			if ownerUser != 0 {
				it.Users = []int64{ownerUser}
			} else {
				it.Users = staff[ownerUnit]
			}
			return it, nil
		})
}

// EscalationUsers returns the active supervisors (督查员) whose view covers
// unit: those who see the whole city and those at or above the unit.
// 严重超期 goes to them as well as to the responsible unit.
func (db *ClockStore) EscalationUsers(ctx context.Context, unitID int64) ([]int64, error) {
	unit, err := db.findUnit(ctx, unitID)
	if err != nil {
		return nil, err
	}
	// The LIKE only narrows the rows read; u.Has decides on the parsed roles.
	rows, err := db.query(ctx, `SELECT `+userCols+` FROM users u JOIN units n ON n.id = u.unit_id WHERE u.disabled = 0 AND u.roles LIKE ? ORDER BY u.id`, "%"+string(xinfang.RoleSupervisor)+"%")
	var out []int64
	err = eachRow(rows, err, func(r scanner) error {
		u, err := scanUser(r)
		if err != nil {
			return err
		}
		if u.Has(xinfang.RoleSupervisor) && (xinfang.ScopeOf(u).All || u.Unit.Contains(unit)) {
			out = append(out, u.ID)
		}
		return nil
	})
	return out, err
}

// PetitionsDue returns the running duty clocks of open petitions that fall
// due within the warning window of today or are past due, each addressed
// to the handlers and head of the unit that has the item (the handling
// unit, else the registering unit).
func (db *ClockStore) PetitionsDue(ctx context.Context, today calendar.Date) ([]xinfang.DueItem, error) {
	return db.dueSource(ctx, today, `SELECT p.id, p.number, p.summary, p.purpose, p.due_date, p.severe_date, COALESCE(p.handling_unit_id, p.reg_unit_id)
		FROM petitions p WHERE p.due_date <> '' AND p.due_date <= ? AND p.state NOT IN `+closedPetitionStates+` ORDER BY p.id`,
		func(r scanner, staff map[int64][]int64) (xinfang.DueItem, error) {
			var it xinfang.DueItem
			var number, summary string
			var purpose xinfang.Purpose
			if err := r.Scan(&it.ID, &number, &summary, &purpose, &it.Due, &it.Severe, &it.UnitID); err != nil {
				return it, err
			}
			it.Kind, it.Link, it.Users = "petition", "/petitions/"+itoa(it.ID), staff[it.UnitID]
			// 检举控告: the content stays with the discipline body.
			it.Private = purpose == xinfang.PurposeAccusation
			if it.Private {
				it.Title = "信访件 " + number + "（检举控告）"
			} else {
				it.Title = "信访件 " + number + "：" + summary
			}
			return it, nil
		})
}

// SupervisionsDue returns the feedback deadlines of open 督办单 within the
// warning window or past, addressed to the target unit's handlers and head.
func (db *ClockStore) SupervisionsDue(ctx context.Context, today calendar.Date) ([]xinfang.DueItem, error) {
	return db.dueSource(ctx, today, `SELECT id, number, target_unit_id, deadline, created_at, listed FROM supervisions WHERE state IN `+openSupervisionState+` AND deadline <= ? ORDER BY id`,
		func(r scanner, staff map[int64][]int64) (xinfang.DueItem, error) {
			s := &xinfang.Supervision{}
			var created string
			if err := r.Scan(&s.ID, &s.Number, &s.TargetUnitID, &s.Deadline, &created, &s.Listed); err != nil {
				return xinfang.DueItem{}, err
			}
			s.CreatedAt = parseTime(created)
			title := "督办单 " + s.Number
			if s.Listed {
				title += "（挂牌督办）"
			}
			return xinfang.DueItem{Kind: "supervision", ID: s.ID, Title: title, Link: supervisionLink(s.ID),
				Due: s.Deadline, Severe: procedure.DeadlineSevereDay(s.CreatedAt, s.Deadline), UnitID: s.TargetUnitID, Users: staff[s.TargetUnitID]}, nil
		})
}

// AcquireLease takes or renews the lease name for holder until now+ttl and
// reports whether holder has it. Another holder's lease that has not
// expired is left alone. The upsert locks the row, so of several instances
// asking at once exactly one gets it, on PostgreSQL as on SQLite.
func (db *ClockStore) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	var got string
	err := db.write(ctx, func(tx *Tx) error {
		now := fmtTime(tx.now)
		if _, err := tx.exec(ctx, `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
			WHERE leases.holder = excluded.holder OR leases.expires_at <= ?`, name, holder, fmtTime(tx.now.Add(ttl)), now); err != nil {
			return err
		}
		return tx.queryRow(ctx, `SELECT holder FROM leases WHERE name = ?`, name).Scan(&got)
	})
	return got == holder, err
}

// ReleaseLease gives the lease up if holder has it, so that another
// instance may take over at once (a clean shutdown).
func (db *ClockStore) ReleaseLease(ctx context.Context, name, holder string) error {
	return db.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder)
		return err
	})
}
