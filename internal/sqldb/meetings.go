package sqldb

import (
	"context"
	"slices"

	"xinfang"
)

// MeetingStore is the special meetings (专题会、协调会、调度会): who
// chaired and attended, the backlog cases and petitions discussed, the
// minutes, and the decisions — each one a task (tasks.meeting_id) of an
// item discussed, added through the item's own task path so that it is
// warned, listed, closed and counted like every other task.
type MeetingStore struct{ *core }

// meetingScope is the scope of meetings m.
var meetingScope = scoped((*dataScope).meetings)

// meetings is the scope of meetings m: organised in the subtree or
// deciding a task owned by a unit of it, the whole city for city-wide
// roles, and always to its chair, attendees and the owners of its
// decisions.
func (s *dataScope) meetings() (string, []any, error) {
	if s.All {
		return all, nil, nil
	}
	id := s.user.ID
	involved := `(m.chair_id = ? OR EXISTS (SELECT 1 FROM meeting_attendees mau WHERE mau.meeting_id = m.id AND mau.user_id = ?)
		OR EXISTS (SELECT 1 FROM tasks mt WHERE mt.meeting_id = m.id AND mt.owner_user_id = ?))`
	if s.None {
		return involved, []any{id, id, id}, nil
	}
	own, args := subtree(s.UnitPath, "m.unit_path")
	owner, oargs := subtree(s.UnitPath, "mu.path")
	return `(` + own + ` OR EXISTS (SELECT 1 FROM tasks mt2 JOIN units mu ON mu.id = mt2.owner_unit_id WHERE mt2.meeting_id = m.id AND ` + owner + `) OR ` + involved + `)`,
		append(append(args, oargs...), id, id, id), nil
}

const meetingCols = `m.id, m.kind, m.title, m.held_on, m.place, m.chair_id, cu.name, m.guests, m.minutes, m.unit_id, u.name,
	m.version, m.created_by, m.created_by_name, m.created_at, m.updated_at`

const meetingFrom = ` FROM meetings m JOIN users cu ON cu.id = m.chair_id JOIN units u ON u.id = m.unit_id`

func scanMeeting(s scanner) (*xinfang.Meeting, error) {
	m := &xinfang.Meeting{Attendees: []xinfang.MeetingAttendee{}, Cases: []xinfang.MeetingItem{}, Petitions: []xinfang.MeetingItem{}, Decisions: []*xinfang.Task{}}
	var created, updated string
	if err := s.Scan(&m.ID, &m.Kind, &m.Title, &m.HeldOn, &m.Place, &m.ChairID, &m.ChairName, &m.Guests, &m.Minutes, &m.UnitID, &m.UnitName,
		&m.Version, &m.CreatedByID, &m.CreatedByName, &created, &updated); err != nil {
		return nil, err
	}
	m.CreatedAt, m.UpdatedAt = parseTime(created), parseTime(updated)
	return m, nil
}

// loadMeetingParts loads attendees, items (each marked visible when the
// reader sees it) and decisions of list.
func (db *MeetingStore) loadMeetingParts(ctx context.Context, q rowQuerier, list []*xinfang.Meeting) error {
	if len(list) == 0 {
		return nil
	}
	byID := map[int64]*xinfang.Meeting{}
	ids := make([]int64, len(list))
	for i, m := range list {
		byID[m.ID], ids[i] = m, m.ID
	}
	in := `(` + placeholders(len(ids)) + `)`
	r := cq{db.core, q}
	rows, err := r.rows(ctx, `SELECT a.meeting_id, u.id, u.name, n.name FROM meeting_attendees a JOIN users u ON u.id = a.user_id JOIN units n ON n.id = u.unit_id
		WHERE a.meeting_id IN `+in+` ORDER BY a.meeting_id, n.path, u.name`, idArgs(ids)...)
	err = eachRow(rows, err, func(s scanner) error {
		var mid int64
		var x xinfang.MeetingAttendee
		if err := s.Scan(&mid, &x.UserID, &x.Name, &x.UnitName); err != nil {
			return err
		}
		byID[mid].Attendees = append(byID[mid].Attendees, x)
		return nil
	})
	if err != nil {
		return err
	}
	cscope, cargs, err := caseScope(ctx)
	if err != nil {
		return err
	}
	rows, err = r.rows(ctx, `SELECT i.meeting_id, c.id, c.number, c.title, CASE WHEN `+cscope+` THEN 1 ELSE 0 END
		FROM meeting_items i JOIN cases c ON c.id = i.case_id WHERE i.meeting_id IN `+in+` ORDER BY i.meeting_id, c.id`, append(cargs, idArgs(ids)...)...)
	err = eachRow(rows, err, func(s scanner) error {
		var mid int64
		var x xinfang.MeetingItem
		var vis int
		if err := s.Scan(&mid, &x.ID, &x.Number, &x.Title, &vis); err != nil {
			return err
		}
		x.Visible = vis != 0
		byID[mid].Cases = append(byID[mid].Cases, x)
		return nil
	})
	if err != nil {
		return err
	}
	pscope, pargs, err := petitionScope(ctx)
	if err != nil {
		return err
	}
	rows, err = r.rows(ctx, `SELECT i.meeting_id, p.id, p.number, CASE WHEN `+pscope+` THEN p.summary ELSE '' END, CASE WHEN `+pscope+` THEN 1 ELSE 0 END
		FROM meeting_items i JOIN petitions p ON p.id = i.petition_id WHERE i.meeting_id IN `+in+` ORDER BY i.meeting_id, p.id`,
		append(append(pargs, pargs...), idArgs(ids)...)...)
	err = eachRow(rows, err, func(s scanner) error {
		var mid int64
		var x xinfang.MeetingItem
		var vis int
		if err := s.Scan(&mid, &x.ID, &x.Number, &x.Title, &vis); err != nil {
			return err
		}
		x.Visible = vis != 0
		byID[mid].Petitions = append(byID[mid].Petitions, x)
		return nil
	})
	if err != nil {
		return err
	}
	tasks, err := (&CaseStore{db.core}).tasks(ctx, r, "t.meeting_id IN "+in, idArgs(ids)...)
	if err != nil {
		return err
	}
	for _, t := range tasks {
		byID[t.MeetingID].Decisions = append(byID[t.MeetingID].Decisions, t)
	}
	return nil
}

func (db *MeetingStore) findMeeting(ctx context.Context, q rowQuerier, id int64) (*xinfang.Meeting, error) {
	scope, args, err := meetingScope(ctx)
	if err != nil {
		return nil, err
	}
	m, err := scanMeeting(cq{db.core, q}.row(ctx, `SELECT `+meetingCols+meetingFrom+` WHERE m.id = ? AND `+scope, append([]any{id}, args...)...))
	if err != nil {
		return nil, db.notFound(err, "会议不存在或无权查看")
	}
	return m, db.loadMeetingParts(ctx, q, []*xinfang.Meeting{m})
}

// FindMeetingByID returns a meeting the reader may see.
func (db *MeetingStore) FindMeetingByID(ctx context.Context, id int64) (*xinfang.Meeting, error) {
	if _, err := allow(ctx, xinfang.CanReadMeetings, "无权查看专题会议"); err != nil {
		return nil, err
	}
	var m *xinfang.Meeting
	err := db.read(ctx, func(q rowQuerier) error {
		var err error
		m, err = db.findMeeting(ctx, q, id)
		return err
	})
	return m, err
}

// FindMeetings lists the meetings the reader may see, newest first.
func (db *MeetingStore) FindMeetings(ctx context.Context, f xinfang.MeetingFilter) ([]*xinfang.Meeting, int, error) {
	if _, err := allow(ctx, xinfang.CanReadMeetings, "无权查看专题会议"); err != nil {
		return nil, 0, err
	}
	where, args, err := meetingScope(ctx)
	if err != nil {
		return nil, 0, err
	}
	if f.Kind != "" {
		if !f.Kind.Valid() {
			return nil, 0, xinfang.FieldError("kind", "未知的会议类型")
		}
		where += " AND m.kind = ?"
		args = append(args, string(f.Kind))
	}
	if f.CaseID != 0 {
		where += " AND EXISTS (SELECT 1 FROM meeting_items fi WHERE fi.meeting_id = m.id AND fi.case_id = ?)"
		args = append(args, f.CaseID)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	var list []*xinfang.Meeting
	var total int
	err = db.read(ctx, func(q rowQuerier) error {
		r := cq{db.core, q}
		if err := r.row(ctx, `SELECT COUNT(*) FROM meetings m WHERE `+where, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := r.rows(ctx, `SELECT `+meetingCols+meetingFrom+` WHERE `+where+` ORDER BY m.held_on DESC, m.id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
		if list, err = scanAll(rows, err, scanMeeting); err != nil {
			return err
		}
		return db.loadMeetingParts(ctx, q, list)
	})
	return list, total, err
}

// RecordMeeting records a meeting held: its chair (a leader), attendees,
// the cases and petitions discussed (each one the recorder sees) and the
// minutes.
func (db *MeetingStore) RecordMeeting(ctx context.Context, in xinfang.MeetingInput) (*xinfang.Meeting, error) {
	actor, err := allow(ctx, xinfang.CanManageMeetings, "无权记录专题会议")
	if err != nil {
		return nil, err
	}
	if actor.Unit == nil {
		return nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	if err := in.Validate(db.todayDate()); err != nil {
		return nil, err
	}
	var id int64
	err = db.write(ctx, func(tx *Tx) error {
		var roles string
		var disabled int
		var name string
		if err := tx.queryRow(ctx, `SELECT name, roles, disabled FROM users WHERE id = ?`, in.ChairID).Scan(&name, &roles, &disabled); err != nil {
			return db.notFoundField(err, "chair_id", "主持人账号不存在")
		}
		if disabled != 0 || !slices.Contains(parseRoles(roles), xinfang.RoleLeader) {
			return xinfang.FieldError("chair_id", "会议须由在岗的领导主持")
		}
		p := xinfang.Problems{}
		for _, uid := range in.AttendeeIDs {
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE id = ? AND disabled = 0`, uid).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				p.Add("attendee_ids", "参会人员账号不存在")
			}
		}
		cs := &CaseStore{db.core}
		for _, cid := range in.CaseIDs {
			if _, err := cs.findCaseRow(ctx, tx, cid); err != nil {
				if xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
					return err
				}
				p.Add("case_ids", "积案不存在或无权查看")
			}
		}
		for _, pid := range in.PetitionIDs {
			if _, err := db.findPetition(ctx, tx, pid); err != nil {
				if xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
					return err
				}
				p.Add("petition_ids", "信访件不存在或无权查看")
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		now := fmtTime(tx.now)
		id, err = tx.insert(ctx, `INSERT INTO meetings (kind, title, held_on, place, chair_id, guests, minutes, unit_id, unit_path, created_by, created_by_name, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, string(in.Kind), in.Title, in.HeldOn, in.Place, in.ChairID, in.Guests, in.Minutes,
			actor.UnitID, actor.Unit.Path, actor.ID, actor.Name, now, now)
		if err != nil {
			return err
		}
		tx.created("meeting", id)
		for _, uid := range dedupe(in.AttendeeIDs) {
			if _, err := tx.exec(ctx, `INSERT INTO meeting_attendees (meeting_id, user_id) VALUES (?, ?)`, id, uid); err != nil {
				return err
			}
		}
		for _, cid := range dedupe(in.CaseIDs) {
			if _, err := tx.exec(ctx, `INSERT INTO meeting_items (meeting_id, case_id) VALUES (?, ?)`, id, cid); err != nil {
				return err
			}
		}
		for _, pid := range dedupe(in.PetitionIDs) {
			if _, err := tx.exec(ctx, `INSERT INTO meeting_items (meeting_id, petition_id) VALUES (?, ?)`, id, pid); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.FindMeetingByID(ctx, id)
}

func dedupe(ids []int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

var staleMeeting = &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该会议记录已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}

// changeMeeting loads meeting id in scope at version, lets fn change it
// and raises its version, in one write.
func (db *MeetingStore) changeMeeting(ctx context.Context, id int64, version int, fn func(tx *Tx, actor *xinfang.User, m *xinfang.Meeting) error) (*xinfang.Meeting, error) {
	actor, err := allow(ctx, xinfang.CanManageMeetings, "无权记录专题会议")
	if err != nil {
		return nil, err
	}
	err = db.write(ctx, func(tx *Tx) error {
		m, err := db.findMeeting(ctx, tx, id)
		if err != nil {
			return err
		}
		if m.Version != version {
			return staleMeeting
		}
		if err := fn(tx, actor, m); err != nil {
			return err
		}
		n, err := tx.change(ctx, `UPDATE meetings SET minutes = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`, m.Minutes, fmtTime(tx.now), id, version)
		if err != nil {
			return err
		}
		if n != 1 {
			return staleMeeting
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.FindMeetingByID(ctx, id)
}

// SaveMeetingMinutes replaces the minutes (会议纪要) of a meeting.
func (db *MeetingStore) SaveMeetingMinutes(ctx context.Context, id int64, in xinfang.MeetingMinutes) (*xinfang.Meeting, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return db.changeMeeting(ctx, id, in.Version, func(tx *Tx, _ *xinfang.User, m *xinfang.Meeting) error {
		m.Minutes = in.Minutes
		return nil
	})
}

// AddMeetingDecision records a decision of a meeting as a task of the
// case or petition it concerns, as that item's own task path adds one:
// a case's task goes into the case's history and version, a petition's
// waits on the petition's conclusion (CountOpenTasks).
func (db *MeetingStore) AddMeetingDecision(ctx context.Context, id int64, d xinfang.MeetingDecision) (*xinfang.Meeting, error) {
	return db.changeMeeting(ctx, id, d.Version, func(tx *Tx, actor *xinfang.User, m *xinfang.Meeting) error {
		t, err := d.Task(m, db.todayDate())
		if err != nil {
			return err
		}
		cs := &CaseStore{db.core}
		if t.CaseID != 0 {
			c, err := cs.findCaseRow(ctx, tx, t.CaseID)
			if err != nil {
				return db.notFoundField(err, "case_id", "积案不存在或无权查看")
			}
			if !xinfang.CanWorkOnCase(actor, c) {
				return xinfang.FieldError("case_id", "您无权办理该积案")
			}
			if c.State.Done() {
				return xinfang.FieldError("case_id", "积案已化解，不能再交办任务")
			}
			if err := cs.insertTask(ctx, tx, t); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `UPDATE cases SET version = version + 1, updated_at = ? WHERE id = ?`, fmtTime(tx.now), c.ID); err != nil {
				return err
			}
			data := taskData(t)
			data["meeting"] = m.Title
			return cs.caseEvent(ctx, tx, c.ID, xinfang.CaseEventTaskAdd, data)
		}
		p, err := db.findPetition(ctx, tx, t.PetitionID)
		if err != nil {
			return db.notFoundField(err, "petition_id", "信访件不存在或无权查看")
		}
		if p.State.Closed() {
			return xinfang.FieldError("petition_id", "信访件已"+p.State.Label()+"，不能再交办任务")
		}
		return cs.insertTask(ctx, tx, t)
	})
}

// FindDecisions lists the decision tasks of meetings: of the meetings the
// reader sees, and those owned by the reader or the reader's unit (Mine
// keeps only these), the open ones first by deadline.
func (db *MeetingStore) FindDecisions(ctx context.Context, f xinfang.DecisionFilter) ([]*xinfang.DecisionTask, error) {
	actor, err := allow(ctx, xinfang.CanReadMeetings, "无权查看专题会议")
	if err != nil {
		return nil, err
	}
	scope, args, err := meetingScope(ctx)
	if err != nil {
		return nil, err
	}
	mine := `(t.owner_user_id = ? OR t.owner_unit_id = ?)`
	where := `t.meeting_id IS NOT NULL AND (` + scope + ` OR ` + mine + `)`
	args = append(args, actor.ID, actor.UnitID)
	if f.Mine {
		where += ` AND ` + mine
		args = append(args, actor.ID, actor.UnitID)
	}
	if f.Open || f.Late {
		where += ` AND t.state = 'open'`
	}
	if f.Late {
		where += ` AND t.deadline <> '' AND t.deadline < ?`
		args = append(args, db.todayDate())
	}
	cscope, cargs, err := caseScope(ctx)
	if err != nil {
		return nil, err
	}
	pscope, pargs, err := petitionScope(ctx)
	if err != nil {
		return nil, err
	}
	q := `SELECT ` + taskCols + `, m.title, m.held_on, COALESCE(c.number, p.number, ''),
		CASE WHEN c.id IS NOT NULL AND ` + cscope + ` THEN 1 WHEN p.id IS NOT NULL AND ` + pscope + ` THEN 1 ELSE 0 END` + taskFrom + `
		JOIN meetings m ON m.id = t.meeting_id LEFT JOIN cases c ON c.id = t.case_id LEFT JOIN petitions p ON p.id = t.petition_id
		WHERE ` + where + ` ORDER BY CASE WHEN t.state = 'open' THEN 0 ELSE 1 END, t.deadline, t.id LIMIT 500`
	rows, err := db.query(ctx, q, append(append(cargs, pargs...), args...)...)
	return scanAll(rows, err, func(s scanner) (*xinfang.DecisionTask, error) {
		d := &xinfang.DecisionTask{Task: &xinfang.Task{}}
		var created, updated string
		var vis int
		t := d.Task
		if err := s.Scan(append(taskFields(t, &created, &updated), &d.MeetingTitle, &d.MeetingHeldOn, &d.ItemNumber, &vis)...); err != nil {
			return nil, err
		}
		t.CreatedAt, t.UpdatedAt, d.ItemVisible = parseTime(created), parseTime(updated), vis != 0
		return d, nil
	})
}
