package sqldb

import (
	"context"
	"fmt"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/procedure"
)

// 督办单 (supervision orders). The issuing side (the 信访局, the 联席办, a
// leader or a supervisor) orders a unit to deal with a petition or a backlog
// case by a feedback deadline; the unit's written feedback stops the clock.
//
// Scope: a 督办单 is seen by the issuing unit's subtree and the target
// unit's subtree, and by everybody who sees the whole city (xinfang.ScopeOf);
// to anybody else it does not exist (ENOTFOUND).

const supervisionCols = `s.id, s.number, s.issuer_id, s.issuer_name, s.issuer_unit_id, s.issuer_path, s.target_unit_id, s.target_path,
	COALESCE(s.petition_id, 0), COALESCE(s.case_id, 0), s.requirements, s.deadline, s.listed, s.state,
	s.feedback_at, COALESCE(s.feedback_by, 0), s.feedback_name, s.feedback_text, s.late, s.closed_at, s.closed_name, s.close_note,
	s.created_at, s.updated_at, iu.name, iu.code, iu.kind, tu.name, tu.code, tu.kind, COALESCE(p.number, ''), COALESCE(sc.number, '')`

const supervisionFrom = ` FROM supervisions s
	JOIN units iu ON iu.id = s.issuer_unit_id
	JOIN units tu ON tu.id = s.target_unit_id
	LEFT JOIN petitions p ON p.id = s.petition_id
	LEFT JOIN cases sc ON sc.id = s.case_id`

func scanSupervision(r interface{ Scan(...any) error }) (*xinfang.Supervision, error) {
	s := &xinfang.Supervision{IssuerUnit: &xinfang.Unit{}, TargetUnit: &xinfang.Unit{}}
	var state, fbAt, fbName, fbText, closedAt, created, updated, iuKind, tuKind string
	var fbBy int64
	var late bool
	err := r.Scan(&s.ID, &s.Number, &s.IssuerID, &s.IssuerName, &s.IssuerUnitID, &s.IssuerPath, &s.TargetUnitID, &s.TargetPath,
		&s.PetitionID, &s.CaseID, &s.Requirements, &s.Deadline, &s.Listed, &state,
		&fbAt, &fbBy, &fbName, &fbText, &late, &closedAt, &s.ClosedBy, &s.CloseNote,
		&created, &updated, &s.IssuerUnit.Name, &s.IssuerUnit.Code, &iuKind, &s.TargetUnit.Name, &s.TargetUnit.Code, &tuKind, &s.PetitionNumber, &s.CaseNumber)
	if err != nil {
		return nil, err
	}
	s.State = xinfang.SupervisionState(state)
	s.IssuerUnit.ID, s.IssuerUnit.Kind, s.IssuerUnit.Path = s.IssuerUnitID, xinfang.UnitKind(iuKind), s.IssuerPath
	s.TargetUnit.ID, s.TargetUnit.Kind, s.TargetUnit.Path = s.TargetUnitID, xinfang.UnitKind(tuKind), s.TargetPath
	if fbAt != "" {
		s.Feedback = &xinfang.Feedback{At: parseTime(fbAt), ByID: fbBy, ByName: fbName, Text: fbText, Late: late}
	}
	s.ClosedAt, s.CreatedAt, s.UpdatedAt = parseTime(closedAt), parseTime(created), parseTime(updated)
	return s, nil
}

// supervisionWarning sets the warning level of the feedback clock, which
// runs while the 督办单 is open; 严重超期 is procedure.SevereAfter's rule
// for a deadline set by hand.
func (db *SupervisionStore) supervisionWarning(ctx context.Context, s *xinfang.Supervision, today calendar.Date) {
	if s.State != xinfang.SupervisionOpen {
		s.Warning = ""
		return
	}
	s.Warning = db.Procedure(ctx).WarningOf(s.Deadline, procedure.DeadlineSevereDay(s.CreatedAt, s.Deadline), today)
}

// CreateSupervision issues a 督办单: a city-wide number, the row, and a
// message to the target unit's handlers and head, in one transaction.
func (db *SupervisionStore) CreateSupervision(ctx context.Context, s *xinfang.Supervision) error {
	actor := xinfang.UserFromContext(ctx)
	if err := xinfang.CheckIssueSupervision(actor, nil); err != nil {
		return err
	}
	today := db.todayDate()
	if err := s.Validate(today); err != nil {
		return err
	}
	target, err := db.findUnit(ctx, s.TargetUnitID)
	if err != nil {
		return db.notFoundField(err, "target_unit_id", "被督办单位不存在")
	}
	if target.Disabled {
		return xinfang.FieldError("target_unit_id", "被督办单位已停用")
	}
	if err := xinfang.CheckIssueSupervision(actor, target); err != nil {
		return err
	}
	if s.PetitionID != 0 {
		p, err := db.findPetition(ctx, db.pool(), s.PetitionID)
		if err != nil {
			return db.notFoundField(err, "petition_id", "信访件不存在或无权查看")
		}
		if !xinfang.CanTargetSupervision(target, p) {
			return xinfang.FieldError("target_unit_id", "被督办单位无权查看该信访件，不能向其督办")
		}
		s.PetitionNumber = p.Number
	}
	if s.CaseID != 0 {
		// A case the issuer does not see cannot be supervised, nor
		// learned to exist.
		c, err := (&CaseStore{db.core}).findCaseRow(ctx, db.pool(), s.CaseID)
		if err != nil {
			return db.notFoundField(err, "case_id", "积案不存在或无权查看")
		}
		s.CaseNumber = c.Number
	}
	recipients, err := db.unitStaff(ctx, target.ID)
	if err != nil {
		return err
	}
	return db.write(ctx, func(tx *Tx) error {
		year := calendar.DateOf(tx.now).Year
		var seq int64
		if err := tx.queryRow(ctx, `INSERT INTO supervision_counters (year, next) VALUES (?, 1)
			ON CONFLICT (year) DO UPDATE SET next = supervision_counters.next + 1 RETURNING next`, year).Scan(&seq); err != nil {
			return err
		}
		s.Number = fmt.Sprintf(xinfang.SupervisionNumberFormat, year, seq)
		s.IssuerID, s.IssuerName, s.IssuerUnitID, s.IssuerUnit, s.IssuerPath = actor.ID, actor.Name, actor.UnitID, actor.Unit, actor.Unit.Path
		s.TargetUnit, s.TargetPath = target, target.Path
		s.State, s.CreatedAt, s.UpdatedAt = xinfang.SupervisionOpen, tx.now, tx.now
		id, err := tx.insert(ctx, `INSERT INTO supervisions (number, issuer_id, issuer_name, issuer_unit_id, issuer_path, target_unit_id, target_path,
			petition_id, case_id, requirements, deadline, listed, state, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			s.Number, s.IssuerID, s.IssuerName, s.IssuerUnitID, s.IssuerPath, s.TargetUnitID, s.TargetPath,
			nullID(s.PetitionID), nullID(s.CaseID), s.Requirements, s.Deadline, b2i(s.Listed), string(s.State), fmtTime(tx.now), fmtTime(tx.now))
		if err != nil {
			return err
		}
		s.ID = id
		tx.created("supervision", id)
		subject := "收到督办单 " + s.Number
		if s.Listed {
			subject = "收到挂牌督办单 " + s.Number
		}
		notes := make([]*xinfang.Notification, 0, len(recipients))
		for _, uid := range recipients {
			notes = append(notes, &xinfang.Notification{UserID: uid, Kind: xinfang.NotificationSupervision, Subject: subject,
				Body: "反馈期限 " + s.Deadline.String() + "。" + s.Requirements, Link: supervisionLink(id), ItemKind: "supervision", ItemID: id,
				DedupeKey: fmt.Sprintf("supervision:%d:issued:u%d", id, uid)})
		}
		_, err = db.insertNotes(ctx, tx, notes)
		return err
	})
}

func supervisionLink(id int64) string { return "/supervisions/" + itoa(id) }

// FindSupervisionByID returns a 督办单 in scope with its reminders, read as
// one view.
func (db *SupervisionStore) FindSupervisionByID(ctx context.Context, id int64) (*xinfang.Supervision, error) {
	scope, args, err := supervisionScope(ctx)
	if err != nil {
		return nil, err
	}
	var s *xinfang.Supervision
	err = db.read(ctx, func(q rowQuerier) error {
		r := cq{db.core, q}
		var err error
		if s, err = scanSupervision(r.row(ctx, `SELECT `+supervisionCols+supervisionFrom+` WHERE s.id = ? AND `+scope, append([]any{id}, args...)...)); err != nil {
			return db.notFound(err, "督办单不存在或无权查看")
		}
		rows, err := r.rows(ctx, `SELECT id, at, by_id, by_name, text FROM supervision_reminders WHERE supervision_id = ? ORDER BY at, id`, id)
		s.Reminders, err = scanAll(rows, err, func(r scanner) (*xinfang.Reminder, error) {
			m := &xinfang.Reminder{}
			var at string
			err := r.Scan(&m.ID, &at, &m.ByID, &m.ByName, &m.Text)
			m.At = parseTime(at)
			return m, err
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	db.supervisionWarning(ctx, s, db.todayDate())
	return s, nil
}

// FindSupervisions lists 督办单 in scope: open ones first, the earliest
// deadline on top; and the total count.
func (db *SupervisionStore) FindSupervisions(ctx context.Context, f xinfang.SupervisionFilter) ([]*xinfang.Supervision, int, error) {
	scope, args, err := supervisionScope(ctx)
	if err != nil {
		return nil, 0, err
	}
	w := newConds(scope, args)
	if len(f.State) > 0 {
		for _, st := range f.State {
			if !st.Valid() {
				return nil, 0, xinfang.FieldError("state", "未知的督办状态")
			}
		}
		w.clause(inList("s.state", f.State))
	}
	if f.TargetUnitID != 0 {
		u, err := db.findUnit(ctx, f.TargetUnitID)
		if err != nil {
			return nil, 0, db.notFoundField(err, "target_unit_id", "单位不存在")
		}
		w.clause(subtree(u.Path, "s.target_path"))
	}
	if f.PetitionID != 0 {
		w.and("s.petition_id = ?", f.PetitionID)
	}
	if f.CaseID != 0 {
		w.and("s.case_id = ?", f.CaseID)
	}
	if f.Listed != nil {
		w.and("s.listed = ?", b2i(*f.Listed))
	}
	if f.IssuerID != 0 {
		w.and("s.issuer_id = ?", f.IssuerID)
	}
	today := db.todayDate()
	if f.Overdue {
		w.and("s.state = ? AND s.deadline < ?", string(xinfang.SupervisionOpen), today.String())
	}
	if f.Limit, err = pageLimit(f.Limit, f.Offset); err != nil {
		return nil, 0, err
	}
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*)`+supervisionFrom+` WHERE `+w.where(), w.args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT `+supervisionCols+supervisionFrom+` WHERE `+w.where()+`
		ORDER BY CASE WHEN s.state IN `+openSupervisionState+` THEN 0 ELSE 1 END, s.deadline, s.id LIMIT ? OFFSET ?`, append(w.args, f.Limit, f.Offset)...)
	out, err := scanAll(rows, err, scanSupervision)
	if err != nil {
		return nil, 0, err
	}
	for _, s := range out {
		db.supervisionWarning(ctx, s, today)
	}
	return out, total, nil
}

// RemindSupervision records a 催办 on an open 督办单 and sends it to the
// target unit's handlers and head.
func (db *SupervisionStore) RemindSupervision(ctx context.Context, id int64, text string) (*xinfang.Supervision, error) {
	actor := xinfang.UserFromContext(ctx)
	s, err := db.FindSupervisionByID(ctx, id)
	if err != nil {
		return nil, err
	}
	t, err := checkSupervision(s, xinfang.SupervisionActRemind, actor, &text)
	if err != nil {
		return nil, err
	}
	recipients, err := db.unitStaff(ctx, s.TargetUnitID)
	if err != nil {
		return nil, err
	}
	err = db.write(ctx, func(tx *Tx) error {
		n, err := tx.change(ctx, `UPDATE supervisions SET state = ?, updated_at = ? WHERE id = ? AND state = ?`, string(t.To), fmtTime(tx.now), id, string(t.From))
		if err := movedFirst(n, err, t); err != nil {
			return err
		}
		rid, err := tx.insert(ctx, `INSERT INTO supervision_reminders (supervision_id, at, by_id, by_name, text) VALUES (?, ?, ?, ?, ?)`,
			id, fmtTime(tx.now), actor.ID, actor.Name, text)
		if err != nil {
			return err
		}
		notes := make([]*xinfang.Notification, 0, len(recipients))
		for _, uid := range recipients {
			notes = append(notes, &xinfang.Notification{UserID: uid, Kind: xinfang.NotificationReminder, Subject: "催办：督办单 " + s.Number + "（反馈期限 " + s.Deadline.String() + "）",
				Body: text, Link: supervisionLink(id), ItemKind: "supervision", ItemID: id, DedupeKey: fmt.Sprintf("reminder:%d:u%d", rid, uid)})
		}
		_, err = db.insertNotes(ctx, tx, notes)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.FindSupervisionByID(ctx, id)
}

// FeedbackSupervision records the target unit's written feedback, which
// stops the clock (已反馈); feedback after the deadline is marked late. The
// issuer is told.
func (db *SupervisionStore) FeedbackSupervision(ctx context.Context, id int64, text string) (*xinfang.Supervision, error) {
	actor := xinfang.UserFromContext(ctx)
	s, err := db.FindSupervisionByID(ctx, id)
	if err != nil {
		return nil, err
	}
	t, err := checkSupervision(s, xinfang.SupervisionActFeedback, actor, &text)
	if err != nil {
		return nil, err
	}
	err = db.write(ctx, func(tx *Tx) error {
		late := calendar.DateOf(tx.now).After(s.Deadline)
		n, err := tx.change(ctx, `UPDATE supervisions SET state = ?, feedback_at = ?, feedback_by = ?, feedback_name = ?, feedback_text = ?, late = ?, updated_at = ?
			WHERE id = ? AND state = ?`, string(t.To), fmtTime(tx.now), actor.ID, actor.Name, text, b2i(late), fmtTime(tx.now), id, string(t.From))
		if err := movedFirst(n, err, t); err != nil {
			return err
		}
		subject := s.TargetUnit.Name + " 已反馈督办单 " + s.Number
		if late {
			subject += "（逾期反馈）"
		}
		_, err = db.insertNotes(ctx, tx, []*xinfang.Notification{{UserID: s.IssuerID, Kind: xinfang.NotificationFeedback, Subject: subject, Body: text,
			Link: supervisionLink(id), ItemKind: "supervision", ItemID: id, DedupeKey: fmt.Sprintf("supervision:%d:feedback:u%d", id, s.IssuerID)}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.FindSupervisionByID(ctx, id)
}

// CloseSupervision is the issuing side accepting the feedback (办结).
func (db *SupervisionStore) CloseSupervision(ctx context.Context, id int64, note string) (*xinfang.Supervision, error) {
	actor := xinfang.UserFromContext(ctx)
	s, err := db.FindSupervisionByID(ctx, id)
	if err != nil {
		return nil, err
	}
	t, err := checkSupervision(s, xinfang.SupervisionActClose, actor, nil)
	if err != nil {
		return nil, err
	}
	if note, err = xinfang.CheckNote("note", note); err != nil {
		return nil, err
	}
	err = db.write(ctx, func(tx *Tx) error {
		n, err := tx.change(ctx, `UPDATE supervisions SET state = ?, closed_at = ?, closed_name = ?, close_note = ?, updated_at = ? WHERE id = ? AND state = ?`,
			string(t.To), fmtTime(tx.now), actor.Name, note, fmtTime(tx.now), id, string(t.From))
		return movedFirst(n, err, t)
	})
	if err != nil {
		return nil, err
	}
	return db.FindSupervisionByID(ctx, id)
}

// checkSupervision asks the life of a 督办单 (xinfang.CheckSupervisionAction)
// whether actor may take action on s now, and checks the text of a 催办 or
// feedback (text nil: none) between its answers, in the order the API has
// always given them: the wrong side is told first (403), bad text next
// (422), a 督办单 no longer in the action's From state last (409).
func checkSupervision(s *xinfang.Supervision, action xinfang.SupervisionAction, actor *xinfang.User, text *string) (*xinfang.SupervisionTransition, error) {
	t, ok := xinfang.FindSupervisionTransition(action)
	if !ok {
		return nil, xinfang.Errorf(xinfang.ENOTFOUND, "未知的督办操作")
	}
	_, stateErr := xinfang.CheckSupervisionAction(s, action, actor)
	if stateErr != nil && xinfang.ErrorCode(stateErr) != xinfang.ECONFLICT {
		return nil, stateErr
	}
	if text != nil {
		checked, err := xinfang.CheckSupervisionText("text", *text)
		if err != nil {
			return nil, err
		}
		*text = checked
	}
	if stateErr != nil {
		return nil, stateErr
	}
	return t, nil
}

// movedFirst reads the result of the UPDATE guarded by "state = t.From": no
// row means another request moved the 督办单 after it was read, which is
// t's 409 as if it had been in another state all along.
func movedFirst(n int64, err error, t *xinfang.SupervisionTransition) error {
	if err != nil {
		return err
	}
	if n != 1 {
		return t.ConflictError()
	}
	return nil
}
