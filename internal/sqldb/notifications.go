package sqldb

import (
	"context"

	"xinfang"
)

// The inbox (站内消息), the clocks the scheduler watches, and the lease that
// lets one instance among several run it.

// insertNotes writes messages; one whose dedupe key exists is skipped, so
// writing the same message again — after a restart, from a second
// instance — does nothing. It returns the number written.
func (db *core) insertNotes(ctx context.Context, tx *Tx, notes []*xinfang.Notification) (int, error) {
	n := 0
	for _, m := range notes {
		if m.DedupeKey == "" {
			return n, xinfang.Errorf(xinfang.EINTERNAL, "notification without dedupe key")
		}
		k, err := tx.change(ctx, `INSERT INTO notifications (user_id, kind, subject, body, link, item_kind, item_id, level, created_at, dedupe_key)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
			m.UserID, m.Kind, m.Subject, m.Body, m.Link, m.ItemKind, m.ItemID, string(m.Level), fmtTime(tx.now), m.DedupeKey)
		if err != nil {
			return n, err
		}
		if k == 1 {
			n++
		}
	}
	return n, nil
}

// Send writes system messages (the scheduler's warnings) in one
// transaction and returns how many were new. It takes no user: the
// scheduler acts for the system, not for anybody signed in.
func (db *NotificationStore) Send(ctx context.Context, notes []*xinfang.Notification) (int, error) {
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

// FindNotifications lists the acting user's messages, unread first and the
// newest on top, with the total matching and the unread count.
func (db *NotificationStore) FindNotifications(ctx context.Context, f xinfang.NotificationFilter) (items []*xinfang.Notification, total, unread int, err error) {
	u := xinfang.UserFromContext(ctx)
	if u == nil {
		return nil, 0, 0, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	if f.Limit, err = pageLimit(f.Limit, f.Offset); err != nil {
		return nil, 0, 0, err
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
	rows, err := db.query(ctx, `SELECT `+notificationCols+` FROM notifications
		WHERE `+where+` ORDER BY CASE WHEN read_at = '' THEN 0 ELSE 1 END, created_at DESC, id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if items, err = scanAll(rows, err, scanNotification); err != nil {
		return nil, 0, 0, err
	}
	return items, total, unread, nil
}

const notificationCols = `id, user_id, kind, subject, body, link, item_kind, item_id, level, created_at, read_at`

func scanNotification(r scanner) (*xinfang.Notification, error) {
	m := &xinfang.Notification{}
	var level, created, read string
	if err := r.Scan(&m.ID, &m.UserID, &m.Kind, &m.Subject, &m.Body, &m.Link, &m.ItemKind, &m.ItemID, &level, &created, &read); err != nil {
		return nil, err
	}
	m.Level, m.CreatedAt, m.ReadAt = xinfang.Warning(level), parseTime(created), parseTime(read)
	return m, nil
}

// UnreadCount returns the number of the acting user's unread messages.
func (db *NotificationStore) UnreadCount(ctx context.Context) (int, error) {
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
func (db *NotificationStore) MarkNotificationRead(ctx context.Context, id int64) (*xinfang.Notification, error) {
	u := xinfang.UserFromContext(ctx)
	if u == nil {
		return nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	var m *xinfang.Notification
	err := db.write(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at = ''`, fmtTime(tx.now), id, u.ID); err != nil {
			return err
		}
		var err error
		if m, err = scanNotification(tx.queryRow(ctx, `SELECT `+notificationCols+` FROM notifications WHERE id = ? AND user_id = ?`, id, u.ID)); err != nil {
			return db.notFound(err, "消息不存在")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// MarkAllNotificationsRead marks every unread message of the acting user
// read and returns how many.
func (db *NotificationStore) MarkAllNotificationsRead(ctx context.Context) (int, error) {
	u := xinfang.UserFromContext(ctx)
	if u == nil {
		return 0, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	var n int64
	err := db.write(ctx, func(tx *Tx) error {
		var err error
		n, err = tx.change(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at = ''`, fmtTime(tx.now), u.ID)
		return err
	})
	return int(n), err
}

// staffIndex maps a unit to its active users with the handler or unit head
// role: the people a unit's clocks are addressed to.
func (db *core) staffIndex(ctx context.Context) (map[int64][]int64, error) {
	rows, err := db.query(ctx, `SELECT id, unit_id, roles FROM users WHERE disabled = 0 ORDER BY id`)
	out := map[int64][]int64{}
	err = eachRow(rows, err, func(r scanner) error {
		var id, unit int64
		var roles string
		if err := r.Scan(&id, &unit, &roles); err != nil {
			return err
		}
		if unitStaffRoles(roles) {
			out[unit] = append(out[unit], id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// unitStaffRoles reports whether a user with the stored roles is one of
// the people a unit's clocks and messages are addressed to: its
// handlers and heads.
func unitStaffRoles(roles string) bool {
	return (&xinfang.User{Roles: parseRoles(roles)}).HasAny(xinfang.RoleHandler, xinfang.RoleUnitHead)
}

const unitStaffQuery = `SELECT id, roles FROM users WHERE unit_id = ? AND disabled = 0 ORDER BY id`

// unitStaff returns the active handlers and heads of one unit.
func (db *core) unitStaff(ctx context.Context, unitID int64) ([]int64, error) {
	rows, err := db.query(ctx, unitStaffQuery, unitID)
	return scanUnitStaff(rows, err)
}

// unitStaffIn is unitStaff read in tx.
func (db *core) unitStaffIn(ctx context.Context, tx *Tx, unitID int64) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, db.dialect.rebind(unitStaffQuery), unitID)
	return scanUnitStaff(rows, err)
}

func scanUnitStaff(rows *sqlRows, err error) ([]int64, error) {
	var out []int64
	err = eachRow(rows, err, func(r scanner) error {
		var id int64
		var roles string
		if err := r.Scan(&id, &roles); err != nil {
			return err
		}
		if unitStaffRoles(roles) {
			out = append(out, id)
		}
		return nil
	})
	return out, err
}
