package sqldb

import (
	"context"
	"strings"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
)

// The inbox (站内消息), the clocks the scheduler watches, and the lease that
// lets one instance among several run it.

// insertNotes writes messages; one whose dedupe key exists is skipped, so
// writing the same message again — after a restart, from a second
// instance — does nothing. It returns the number written.
func (db *DB) insertNotes(ctx context.Context, tx *Tx, notes []*xinfang.Notification) (int, error) {
	n := 0
	for _, m := range notes {
		if m.DedupeKey == "" {
			return n, xinfang.Errorf(xinfang.EINTERNAL, "notification without dedupe key")
		}
		res, err := tx.exec(ctx, `INSERT INTO notifications (user_id, kind, subject, body, link, item_kind, item_id, level, created_at, dedupe_key)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
			m.UserID, m.Kind, m.Subject, m.Body, m.Link, m.ItemKind, m.ItemID, string(m.Level), fmtTime(tx.now), m.DedupeKey)
		if err != nil {
			return n, err
		}
		if k, _ := res.RowsAffected(); k == 1 {
			n++
		}
	}
	return n, nil
}

// Notify writes system messages (the scheduler's warnings) in one
// transaction and returns how many were new. It takes no user: the
// scheduler acts for the system, not for anybody signed in.
func (db *DB) Notify(ctx context.Context, notes []*xinfang.Notification) (int, error) {
	if len(notes) == 0 {
		return 0, nil
	}
	var n int
	err := db.write(ctx, func(tx *Tx) error {
		var err error
		n, err = db.insertNotes(ctx, tx, notes)
		return err
	})
	return n, err
}

// NotificationFilter selects the acting user's messages.
type NotificationFilter struct {
	Unread bool // unread only
	Offset int
	Limit  int
}

// FindNotifications lists the acting user's messages, unread first and the
// newest on top, with the total matching and the unread count.
func (db *DB) FindNotifications(ctx context.Context, f NotificationFilter) (items []*xinfang.Notification, total, unread int, err error) {
	u := xinfang.UserFromContext(ctx)
	if u == nil {
		return nil, 0, 0, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	if f.Offset < 0 {
		return nil, 0, 0, xinfang.FieldError("offset", "offset 不能为负数")
	}
	where, args := "user_id = ?", []any{u.ID}
	if f.Unread {
		where += " AND read_at = ''"
	}
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, 0, err
	}
	if unread, err = db.UnreadCount(ctx); err != nil {
		return nil, 0, 0, err
	}
	rows, err := db.query(ctx, `SELECT id, user_id, kind, subject, body, link, item_kind, item_id, level, created_at, read_at FROM notifications
		WHERE `+where+` ORDER BY CASE WHEN read_at = '' THEN 0 ELSE 1 END, created_at DESC, id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, 0, err
	}
	defer rows.Close()
	items = []*xinfang.Notification{}
	for rows.Next() {
		m := &xinfang.Notification{}
		var level, created, read string
		if err := rows.Scan(&m.ID, &m.UserID, &m.Kind, &m.Subject, &m.Body, &m.Link, &m.ItemKind, &m.ItemID, &level, &created, &read); err != nil {
			return nil, 0, 0, err
		}
		m.Level, m.CreatedAt, m.ReadAt = xinfang.Warning(level), parseTime(created), parseTime(read)
		items = append(items, m)
	}
	return items, total, unread, rows.Err()
}

// UnreadCount returns the number of the acting user's unread messages.
func (db *DB) UnreadCount(ctx context.Context) (int, error) {
	u := xinfang.UserFromContext(ctx)
	if u == nil {
		return 0, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at = ''`, u.ID).Scan(&n)
	return n, err
}

// MarkNotificationRead marks one of the acting user's messages read and
// returns it; another user's message does not exist for him. Marking a read
// message again keeps the first time.
func (db *DB) MarkNotificationRead(ctx context.Context, id int64) (*xinfang.Notification, error) {
	u := xinfang.UserFromContext(ctx)
	if u == nil {
		return nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	m := &xinfang.Notification{}
	err := db.write(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at = ''`, fmtTime(tx.now), id, u.ID); err != nil {
			return err
		}
		var level, created, read string
		err := tx.queryRow(ctx, `SELECT id, user_id, kind, subject, body, link, item_kind, item_id, level, created_at, read_at FROM notifications WHERE id = ? AND user_id = ?`, id, u.ID).
			Scan(&m.ID, &m.UserID, &m.Kind, &m.Subject, &m.Body, &m.Link, &m.ItemKind, &m.ItemID, &level, &created, &read)
		if err != nil {
			return db.notFound(err, "消息不存在")
		}
		m.Level, m.CreatedAt, m.ReadAt = xinfang.Warning(level), parseTime(created), parseTime(read)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// MarkAllNotificationsRead marks every unread message of the acting user
// read and returns how many.
func (db *DB) MarkAllNotificationsRead(ctx context.Context) (int, error) {
	u := xinfang.UserFromContext(ctx)
	if u == nil {
		return 0, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	var n int64
	err := db.write(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at = ''`, fmtTime(tx.now), u.ID)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return int(n), err
}

// staffIndex maps a unit to its active users with the handler or unit head
// role: the people a unit's clocks are addressed to.
func (db *DB) staffIndex(ctx context.Context) (map[int64][]int64, error) {
	rows, err := db.query(ctx, `SELECT id, unit_id, roles FROM users WHERE disabled = 0 ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]int64{}
	for rows.Next() {
		var id, unit int64
		var roles string
		if err := rows.Scan(&id, &unit, &roles); err != nil {
			return nil, err
		}
		for _, r := range strings.Split(roles, ",") {
			if r == string(xinfang.RoleHandler) || r == string(xinfang.RoleUnitHead) {
				out[unit] = append(out[unit], id)
				break
			}
		}
	}
	return out, rows.Err()
}

// unitStaff returns the active handlers and heads of one unit.
func (db *DB) unitStaff(ctx context.Context, unitID int64) ([]int64, error) {
	idx, err := db.staffIndex(ctx)
	if err != nil {
		return nil, err
	}
	return idx[unitID], nil
}

// EscalationUsers returns the active supervisors (督查员) whose view covers
// unit: those who see the whole city and those at or above the unit.
// 严重超期 goes to them as well as to the responsible unit.
func (db *DB) EscalationUsers(ctx context.Context, unitID int64) ([]int64, error) {
	unit, err := db.FindUnitByID(ctx, unitID)
	if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT `+userCols+` FROM users u JOIN units n ON n.id = u.unit_id WHERE u.disabled = 0 AND u.roles LIKE ? ORDER BY u.id`, "%"+string(xinfang.RoleSupervisor)+"%")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		if u.Has(xinfang.RoleSupervisor) && (xinfang.ScopeOf(u).All || u.Unit.Contains(unit)) {
			out = append(out, u.ID)
		}
	}
	return out, rows.Err()
}

// closedStates are the petition states in which no clock runs.
const closedStates = `('concluded','terminated','not_accepted','diverted','merged','withdrawn')`

// PetitionsDue returns the running duty clocks of open petitions that fall
// due within the warning window of today or are past due, each addressed
// to the handlers and head of the unit that has the item (the handling
// unit, else the registering unit).
func (db *DB) PetitionsDue(ctx context.Context, today calendar.Date) ([]xinfang.DueItem, error) {
	staff, err := db.staffIndex(ctx)
	if err != nil {
		return nil, err
	}
	near := today.AddDays(db.Cfg.NearDays).String()
	rows, err := db.query(ctx, `SELECT p.id, p.number, p.summary, p.purpose, p.due_date, p.severe_date, COALESCE(p.handling_unit_id, p.reg_unit_id)
		FROM petitions p WHERE p.due_date <> '' AND p.due_date <= ? AND p.state NOT IN `+closedStates+` ORDER BY p.id`, near)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinfang.DueItem
	for rows.Next() {
		var it xinfang.DueItem
		var number, summary, purpose string
		if err := rows.Scan(&it.ID, &number, &summary, &purpose, &it.Due, &it.Severe, &it.UnitID); err != nil {
			return nil, err
		}
		it.Kind, it.Link, it.Users = "petition", "/petitions/"+itoa(it.ID), staff[it.UnitID]
		// 检举控告: the content stays with the discipline body.
		it.Private = purpose == "accusation"
		if it.Private {
			it.Title = "信访件 " + number + "（检举控告）"
		} else {
			it.Title = "信访件 " + number + "：" + summary
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// SupervisionsDue returns the feedback deadlines of open 督办单 within the
// warning window or past, addressed to the target unit's handlers and head.
func (db *DB) SupervisionsDue(ctx context.Context, today calendar.Date) ([]xinfang.DueItem, error) {
	staff, err := db.staffIndex(ctx)
	if err != nil {
		return nil, err
	}
	near := today.AddDays(db.Cfg.NearDays).String()
	rows, err := db.query(ctx, `SELECT id, number, target_unit_id, deadline, created_at, listed FROM supervisions WHERE state = 'open' AND deadline <= ? ORDER BY id`, near)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinfang.DueItem
	for rows.Next() {
		s := &xinfang.Supervision{}
		var created string
		if err := rows.Scan(&s.ID, &s.Number, &s.TargetUnitID, &s.Deadline, &created, &s.Listed); err != nil {
			return nil, err
		}
		s.CreatedAt = parseTime(created)
		title := "督办单 " + s.Number
		if s.Listed {
			title += "（挂牌督办）"
		}
		out = append(out, xinfang.DueItem{Kind: "supervision", ID: s.ID, Title: title, Link: supervisionLink(s.ID),
			Due: s.Deadline, Severe: supervisionSevere(s), UnitID: s.TargetUnitID, Users: staff[s.TargetUnitID]})
	}
	return out, rows.Err()
}

// AcquireLease takes or renews the lease name for holder until now+ttl and
// reports whether holder has it. Another holder's lease that has not
// expired is left alone. The upsert locks the row, so of several instances
// asking at once exactly one gets it, on PostgreSQL as on SQLite.
func (db *DB) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
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
func (db *DB) ReleaseLease(ctx context.Context, name, holder string) error {
	return db.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder)
		return err
	})
}
