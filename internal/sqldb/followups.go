package sqldb

import (
	"context"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
)

// FollowupStore is the follow-up visits (跟踪回访) of replied and concluded
// petitions: the due list, the visits, and the work a visit that finds the
// matter unsettled reopens — a task for the handling unit, or a backlog
// case filed from the petition — in the visit's transaction.
type FollowupStore struct{ *core }

// replyAtSQL is the instant of petition p's last reply (答复, 复查/复核意见,
// 办结): the follow-up's clock starts there.
var replyAtSQL = func() string {
	in := make([]string, len(xinfang.FollowupReplyActions))
	for i, a := range xinfang.FollowupReplyActions {
		in[i] = "'" + string(a) + "'"
	}
	return `(SELECT MAX(e.at) FROM events e WHERE e.petition_id = p.id AND e.action IN (` + strings.Join(in, ", ") + `))`
}()

// followupStates is the list of FollowupStates in SQL.
var followupStates = func() string {
	in := make([]string, len(xinfang.FollowupStates))
	for i, s := range xinfang.FollowupStates {
		in[i] = "'" + string(s) + "'"
	}
	return "(" + strings.Join(in, ", ") + ")"
}()

// FindFollowupsDue lists the petitions in the reader's scope replied or
// concluded at least Cfg.FollowupDays ago with no visit recorded since the
// last reply, the longest waiting first, and their count.
func (db *FollowupStore) FindFollowupsDue(ctx context.Context, limit, offset int) ([]*xinfang.FollowupDue, int, error) {
	if _, err := allow(ctx, xinfang.CanReadFollowups, "无权查看回访"); err != nil {
		return nil, 0, err
	}
	scope, args, err := petitionScope(ctx)
	if err != nil {
		return nil, 0, err
	}
	if limit, err = pageLimit(limit, offset); err != nil {
		return nil, 0, err
	}
	days := db.followupDays()
	today := db.todayDate()
	cutoff := fmtTime(today.AddDays(1 - days).Time())
	where := `p.state IN ` + followupStates + ` AND ` + scope + ` AND r.at < ?
		AND NOT EXISTS (SELECT 1 FROM followups f WHERE f.petition_id = p.id AND f.created_at >= r.at)`
	from := ` FROM (SELECT p.id, ` + replyAtSQL + ` AS at FROM petitions p WHERE p.state IN ` + followupStates + `) r JOIN petitions p ON p.id = r.id
		LEFT JOIN units h ON h.id = p.handling_unit_id`
	args = append(args, cutoff)
	var total int
	var out []*xinfang.FollowupDue
	err = db.read(ctx, func(q rowQuerier) error {
		r := cq{db.core, q}
		if err := r.row(ctx, `SELECT COUNT(*)`+from+` WHERE `+where, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := r.rows(ctx, `SELECT p.id, p.number, p.summary, p.state, COALESCE(p.handling_unit_id, 0), COALESCE(h.name, ''), r.at,
			(SELECT COUNT(*) FROM followups f WHERE f.petition_id = p.id), COALESCE((SELECT MAX(f.visited_on) FROM followups f WHERE f.petition_id = p.id), '')`+
			from+` WHERE `+where+` ORDER BY r.at, p.id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
		out, err = scanAll(rows, err, func(s scanner) (*xinfang.FollowupDue, error) {
			d := &xinfang.FollowupDue{}
			var at string
			err := s.Scan(&d.PetitionID, &d.Number, &d.Summary, &d.State, &d.HandlingUnitID, &d.HandlingUnit, &at, &d.EarlierVisits, &d.LastVisitedOn)
			d.RepliedOn = calendar.DateOf(parseTime(at))
			d.DueOn = d.RepliedOn.AddDays(days)
			d.DaysPastDue = today.Sub(d.DueOn)
			return d, err
		})
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

func (db *core) followupDays() int {
	if db.Cfg.FollowupDays > 0 {
		return db.Cfg.FollowupDays
	}
	return 30
}

const followupCols = `f.id, f.petition_id, p.number, f.visited_on, f.visited_by, f.how, f.mood, f.settled, f.note, f.reopen, COALESCE(f.task_id, 0), COALESCE(f.case_id, 0),
	COALESCE(c.number, ''), COALESCE(t.deadline, ''), f.created_by, f.created_by_name, f.created_at`

const followupFrom = ` FROM followups f JOIN petitions p ON p.id = f.petition_id LEFT JOIN cases c ON c.id = f.case_id LEFT JOIN tasks t ON t.id = f.task_id`

func scanFollowup(s scanner) (*xinfang.Followup, error) {
	f := &xinfang.Followup{}
	var settled int
	var created string
	err := s.Scan(&f.ID, &f.PetitionID, &f.PetitionNumber, &f.VisitedOn, &f.By, &f.How, &f.Mood, &settled, &f.Note, &f.Reopen, &f.TaskID, &f.CaseID,
		&f.CaseNumber, &f.TaskDeadline, &f.CreatedByID, &f.CreatedByName, &created)
	f.Settled, f.CreatedAt = settled != 0, parseTime(created)
	return f, err
}

// FindFollowups returns the visits of a petition in the reader's scope,
// the latest first, and the day of its last reply (zero if none).
func (db *FollowupStore) FindFollowups(ctx context.Context, petitionID int64) ([]*xinfang.Followup, calendar.Date, error) {
	var out []*xinfang.Followup
	var replied calendar.Date
	if _, err := allow(ctx, xinfang.CanReadFollowups, "无权查看回访"); err != nil {
		return nil, replied, err
	}
	err := db.read(ctx, func(q rowQuerier) error {
		if _, err := db.findPetition(ctx, q, petitionID); err != nil {
			return err
		}
		var err error
		if replied, err = db.lastReply(ctx, q, petitionID); err != nil {
			return err
		}
		rows, err := cq{db.core, q}.rows(ctx, `SELECT `+followupCols+followupFrom+` WHERE f.petition_id = ? ORDER BY f.visited_on DESC, f.id DESC`, petitionID)
		out, err = scanAll(rows, err, scanFollowup)
		return err
	})
	return out, replied, err
}

// lastReply is the day of petition id's last reply, zero if none.
func (db *core) lastReply(ctx context.Context, q rowQuerier, id int64) (calendar.Date, error) {
	var at string
	err := cq{db, q}.row(ctx, `SELECT COALESCE(`+replyAtSQL+`, '') FROM petitions p WHERE p.id = ?`, id).Scan(&at)
	if err != nil || at == "" {
		return calendar.Date{}, err
	}
	return calendar.DateOf(parseTime(at)), nil
}

// RecordFollowup records a visit of a replied or concluded petition in
// the actor's scope. seen is how many visits the client saw: another
// visit recorded meanwhile makes it ECONFLICT (two people must not reopen
// the same matter twice). A visit that finds the matter unsettled writes,
// in the same transaction, a task for the petition's handling unit, or a
// backlog case filed from the petition through the case register's own
// path (the actor its filer, the handling unit responsible).
func (db *FollowupStore) RecordFollowup(ctx context.Context, petitionID int64, seen int, f *xinfang.Followup) error {
	actor, err := allow(ctx, xinfang.CanRecordFollowup, "无权记录回访")
	if err != nil {
		return err
	}
	err = db.write(ctx, func(tx *Tx) error {
		p, err := db.findPetition(ctx, tx, petitionID)
		if err != nil {
			return err
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM followups WHERE petition_id = ?`, petitionID).Scan(&n); err != nil {
			return err
		}
		if n != seen {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该信访件已由他人记录回访，请刷新后重试", Fields: map[string]string{"version": "回访记录已变化"}}
		}
		replied, err := db.lastReply(ctx, tx, petitionID)
		if err != nil {
			return err
		}
		ok := false
		for _, s := range xinfang.FollowupStates {
			ok = ok || p.State == s
		}
		if !ok || replied.IsZero() {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "信访件当前为「" + p.State.Label() + "」，答复或办结后方可回访", Fields: map[string]string{"action": "当前状态不允许回访"}}
		}
		today := db.todayDate()
		if err := f.Validate(replied, today); err != nil {
			return err
		}
		f.PetitionID = petitionID
		cs := &CaseStore{db.core}
		switch {
		case f.Settled:
		case f.Reopen == xinfang.ReopenTask:
			owner := p.HandlingUnitID
			if owner == 0 {
				owner = p.RegUnitID
			}
			t := &xinfang.Task{PetitionID: petitionID, Kind: xinfang.TaskMatter, Title: "回访未息诉罢访：" + f.Note, OwnerUnitID: owner,
				Deadline: f.TaskDeadline, Origin: xinfang.TaskOriginFollowup}
			if utfLen(t.Title) > 500 {
				t.Title = string([]rune(t.Title)[:499]) + "…"
			}
			if err := cs.insertTask(ctx, tx, t); err != nil {
				return err
			}
			f.TaskID = t.ID
		case f.Reopen == xinfang.ReopenCase:
			unit := p.HandlingUnitID
			if unit == 0 {
				unit = p.RegUnitID
			}
			name := ""
			if p.Petitioner != nil {
				name = p.Petitioner.Name
			}
			if name == "" {
				name = p.Number
			}
			c := &xinfang.Case{Title: "回访未息诉：" + firstRunes(p.Summary, 150), Source: xinfang.CaseSourceRepeat, Summary: f.Note, Petitioners: name,
				ResponsibleUnitID: unit, LeaderID: f.LeaderID, PetitionIDs: []int64{petitionID}}
			if err := c.Validate(today); err != nil {
				return err
			}
			c.State = xinfang.CaseUnresolved
			if err := cs.createCaseIn(ctx, tx, actor, c, nil); err != nil {
				return err
			}
			f.CaseID, f.CaseNumber = c.ID, c.Number
		}
		now := fmtTime(tx.now)
		f.ID, err = tx.insert(ctx, `INSERT INTO followups (petition_id, visited_on, visited_by, how, mood, settled, note, reopen, task_id, case_id, created_by, created_by_name, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, petitionID, f.VisitedOn, f.By, f.How, f.Mood, b2i(f.Settled), f.Note, string(f.Reopen),
			nullID(f.TaskID), nullID(f.CaseID), actor.ID, actor.Name, now)
		tx.created("followup", f.ID)
		f.PetitionNumber, f.CreatedByID, f.CreatedByName, f.CreatedAt = p.Number, actor.ID, actor.Name, tx.now
		return err
	})
	return err
}

func utfLen(s string) int { return len([]rune(s)) }

func firstRunes(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return string(r)
}

// FindUnitTasks lists the open tasks owned by the reader's unit and the
// units below it, or by the reader (本单位任务): the 联席办's aftercare
// tasks, the handling units' follow-up tasks and the 三跨三分离 tasks of
// petitions, the earliest deadline first.
func (db *FollowupStore) FindUnitTasks(ctx context.Context, origin xinfang.TaskOrigin) ([]*xinfang.Task, error) {
	u, err := allow(ctx, xinfang.CanReadUnitTasks, "无权查看任务")
	if err != nil {
		return nil, err
	}
	s := xinfang.ScopeOf(u)
	path := s.UnitPath
	if u.Unit != nil {
		path = u.Unit.Path
	}
	own, args := subtree(path, "ou.path")
	pscope, pargs, err := petitionScope(ctx)
	if err != nil {
		return nil, err
	}
	// A task owned here is listed whether or not its petition lies in the
	// reader's scope (the 联席办 holds aftercare of items it does not
	// handle); its petition's number, the link to it, only when it does.
	where := `t.state = 'open' AND (` + own + ` OR t.owner_user_id = ?) AND t.petition_id IS NOT NULL`
	args = append(pargs, append(args, u.ID)...)
	if origin != "" {
		where += ` AND t.origin = ?`
		args = append(args, string(origin))
	}
	rows, err := db.query(ctx, `SELECT `+taskCols+`, COALESCE((SELECT p.number FROM petitions p WHERE p.id = t.petition_id AND `+pscope+`), '')`+taskFrom+`
		WHERE `+where+` ORDER BY t.deadline = '', t.deadline, t.id LIMIT 1000`, args...)
	return scanAll(rows, err, func(r scanner) (*xinfang.Task, error) {
		t := &xinfang.Task{}
		var created, updated string
		err := r.Scan(append(taskFields(t, &created, &updated), &t.PetitionNumber)...)
		t.CreatedAt, t.UpdatedAt = parseTime(created), parseTime(updated)
		return t, err
	})
}
