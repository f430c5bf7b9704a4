package sqldb_test

import (
	"context"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// supUser adds an account with roles at unit, loaded with its unit.
func supUser(t *testing.T, db *sqldb.DB, username string, unit *xinfang.Unit, roles ...xinfang.Role) *xinfang.User {
	t.Helper()
	ctx := context.Background()
	u := &xinfang.User{Username: username, Name: username, UnitID: unit.ID, Roles: roles}
	if err := db.Directory.CreateUser(ctx, u, sqldbtest.Password); err != nil {
		t.Fatalf("create user %s: %v", username, err)
	}
	full, err := db.Directory.FindUserByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return full
}

// supUnread returns the unread count of u.
func supUnread(t *testing.T, f *sqldbtest.Fixture, u *xinfang.User) int {
	t.Helper()
	n, err := f.DB.Notifications.UnreadCount(f.Ctx(u))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// supInbox returns the messages of u, unread first.
func supInbox(t *testing.T, f *sqldbtest.Fixture, u *xinfang.User) []*xinfang.Notification {
	t.Helper()
	items, _, _, err := f.DB.Notifications.FindNotifications(f.Ctx(u), xinfang.NotificationFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func TestSupervisionLifecycle(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		clk := fixClock(db, at("2026-03-02"))
		f := sqldbtest.NewFixture(t, db)
		sup := supUser(t, db, "xfj.sup", f.Bureau, xinfang.RoleSupervisor)
		p := f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, 1))

		// Who may issue: not a town handler; input is checked field by field.
		order := func() *xinfang.Supervision {
			return &xinfang.Supervision{TargetUnitID: f.TownA.ID, PetitionID: p.ID, Requirements: "请于期限内查清事实并书面反馈", Deadline: calendar.MustParseDate("2026-03-09"), Listed: true}
		}
		wantErr(t, db.Supervisions.CreateSupervision(f.Ctx(f.HandlerA), order()), xinfang.EFORBIDDEN, "")
		wantErr(t, db.Supervisions.CreateSupervision(f.Ctx(sup), &xinfang.Supervision{Deadline: calendar.MustParseDate("2026-03-01")}), xinfang.EINVALID, "target_unit_id")
		for field, s := range map[string]*xinfang.Supervision{
			"petition_id":  {TargetUnitID: f.TownA.ID, Requirements: "x", Deadline: calendar.MustParseDate("2026-03-09")},
			"requirements": {TargetUnitID: f.TownA.ID, PetitionID: p.ID, Deadline: calendar.MustParseDate("2026-03-09")},
			"deadline":     {TargetUnitID: f.TownA.ID, PetitionID: p.ID, Requirements: "x", Deadline: calendar.MustParseDate("2026-03-01")},
		} {
			wantErr(t, db.Supervisions.CreateSupervision(f.Ctx(sup), s), xinfang.EINVALID, field)
		}
		// Not to a unit whose staff cannot see the item.
		other := order()
		other.TargetUnitID = f.TownB.ID
		wantErr(t, db.Supervisions.CreateSupervision(f.Ctx(sup), other), xinfang.EINVALID, "target_unit_id")
		// A case that does not exist (or a register not installed yet).
		wantErr(t, db.Supervisions.CreateSupervision(f.Ctx(sup), &xinfang.Supervision{TargetUnitID: f.TownA.ID, CaseID: 999999, Requirements: "x", Deadline: calendar.MustParseDate("2026-03-09")}), xinfang.EINVALID, "case_id")

		s := order()
		if err := db.Supervisions.CreateSupervision(f.Ctx(sup), s); err != nil {
			t.Fatal(err)
		}
		if s.Number != "DB-2026-0001" || s.State != xinfang.SupervisionOpen {
			t.Fatalf("number %q state %q", s.Number, s.State)
		}
		// The leader may issue too; numbers run on across issuers.
		pB := f.MustRegister(t, f.HandlerB, f.NewPetition(f.TownB, 2))
		s2 := &xinfang.Supervision{TargetUnitID: f.TownB.ID, PetitionID: pB.ID, Requirements: "请配合甲镇核查", Deadline: calendar.MustParseDate("2026-03-04")}
		if err := db.Supervisions.CreateSupervision(f.Ctx(f.Leader), s2); err != nil {
			t.Fatal(err)
		}
		if s2.Number != "DB-2026-0002" {
			t.Fatalf("second number %q", s2.Number)
		}

		// The target unit's handler and head are told; nobody else.
		if supUnread(t, f, f.HandlerA) != 1 || supUnread(t, f, f.HeadA) != 1 || supUnread(t, f, f.RegistrarA) != 0 {
			t.Fatalf("unread after issue: handler %d head %d registrar %d", supUnread(t, f, f.HandlerA), supUnread(t, f, f.HeadA), supUnread(t, f, f.RegistrarA))
		}
		if m := supInbox(t, f, f.HandlerA)[0]; m.Kind != xinfang.NotificationSupervision || m.Link != "/supervisions/"+itoa(s.ID) {
			t.Fatalf("message %+v", m)
		}

		// Scope: the issuer's side and the target's subtree; town B does
		// not see town A's order.
		for _, u := range []*xinfang.User{sup, f.Leader, f.HandlerA, f.HeadA} {
			if _, err := db.Supervisions.FindSupervisionByID(f.Ctx(u), s.ID); err != nil {
				t.Errorf("%s: %v", u.Username, err)
			}
		}
		_, err := db.Supervisions.FindSupervisionByID(f.Ctx(f.HandlerB), s.ID)
		wantErr(t, err, xinfang.ENOTFOUND, "")
		list, total, err := db.Supervisions.FindSupervisions(f.Ctx(f.HandlerB), xinfang.SupervisionFilter{})
		if err != nil || total != 1 || len(list) != 1 || list[0].ID != s2.ID {
			t.Fatalf("town B list: %d %v", total, err)
		}
		listed := true
		if _, total, _ := db.Supervisions.FindSupervisions(f.Ctx(sup), xinfang.SupervisionFilter{Listed: &listed}); total != 1 {
			t.Fatalf("listed filter: %d", total)
		}
		if _, total, _ := db.Supervisions.FindSupervisions(f.Ctx(sup), xinfang.SupervisionFilter{TargetUnitID: f.TownA.ID}); total != 1 {
			t.Fatalf("unit filter: %d", total)
		}
		// The leader's own 督办单 (工作台 我发出的督办).
		if mine, total, _ := db.Supervisions.FindSupervisions(f.Ctx(f.Leader), xinfang.SupervisionFilter{IssuerID: f.Leader.ID}); total != 1 || len(mine) != 1 || mine[0].ID != s2.ID {
			t.Fatalf("issuer filter: %d", total)
		}

		// 催办 by the issuing side only.
		_, err = db.Supervisions.RemindSupervision(f.Ctx(f.HandlerA), s.ID, "请抓紧")
		wantErr(t, err, xinfang.EFORBIDDEN, "")
		_, err = db.Supervisions.RemindSupervision(f.Ctx(sup), s.ID, "  ")
		wantErr(t, err, xinfang.EINVALID, "text")
		clk.Add(24 * time.Hour)
		got, err := db.Supervisions.RemindSupervision(f.Ctx(sup), s.ID, "请抓紧反馈")
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Reminders) != 1 || got.Reminders[0].Text != "请抓紧反馈" || got.Reminders[0].ByID != sup.ID {
			t.Fatalf("reminders %+v", got.Reminders)
		}
		if supUnread(t, f, f.HandlerA) != 2 || supInbox(t, f, f.HandlerA)[0].Kind != xinfang.NotificationReminder {
			t.Fatalf("reminder not in the inbox")
		}

		// Feedback: only a handler or head of the target unit; on time.
		_, err = db.Supervisions.FeedbackSupervision(f.Ctx(f.HandlerB), s.ID, "x")
		wantErr(t, err, xinfang.ENOTFOUND, "")
		_, err = db.Supervisions.FeedbackSupervision(f.Ctx(f.RegistrarA), s.ID, "x")
		wantErr(t, err, xinfang.EFORBIDDEN, "")
		_, err = db.Supervisions.CloseSupervision(f.Ctx(sup), s.ID, "")
		wantErr(t, err, xinfang.ECONFLICT, "state")
		got, err = db.Supervisions.FeedbackSupervision(f.Ctx(f.HandlerA), s.ID, "已查清，工资已于 3 月 3 日结清")
		if err != nil {
			t.Fatal(err)
		}
		if got.State != xinfang.SupervisionFedBack || got.Feedback == nil || got.Feedback.Late || got.Feedback.ByID != f.HandlerA.ID || got.Warning != "" {
			t.Fatalf("after feedback: %+v %+v", got, got.Feedback)
		}
		if m := supInbox(t, f, sup); len(m) != 1 || m[0].Kind != xinfang.NotificationFeedback {
			t.Fatalf("issuer inbox %+v", m)
		}
		_, err = db.Supervisions.FeedbackSupervision(f.Ctx(f.HeadA), s.ID, "again")
		wantErr(t, err, xinfang.ECONFLICT, "state")
		_, err = db.Supervisions.RemindSupervision(f.Ctx(sup), s.ID, "again")
		wantErr(t, err, xinfang.ECONFLICT, "state")
		_, err = db.Supervisions.CloseSupervision(f.Ctx(f.HandlerA), s.ID, "")
		wantErr(t, err, xinfang.EFORBIDDEN, "")
		if got, err = db.Supervisions.CloseSupervision(f.Ctx(sup), s.ID, "反馈属实，同意办结"); err != nil || got.State != xinfang.SupervisionClosed || got.ClosedBy != sup.Name {
			t.Fatalf("close: %+v %v", got, err)
		}

		// Late feedback: s2 was due 2026-03-04; town B answers on the 5th.
		clk.Set(at("2026-03-05"))
		if got, _ := db.Supervisions.FindSupervisionByID(f.Ctx(f.HandlerB), s2.ID); got.Warning != xinfang.WarnOverdue {
			t.Fatalf("s2 warning %q", got.Warning)
		}
		if _, total, _ := db.Supervisions.FindSupervisions(f.Ctx(f.Leader), xinfang.SupervisionFilter{Overdue: true}); total != 1 {
			t.Fatalf("overdue filter: %d", total)
		}
		got, err = db.Supervisions.FeedbackSupervision(f.Ctx(f.HandlerB), s2.ID, "已配合核查")
		if err != nil {
			t.Fatal(err)
		}
		if !got.Feedback.Late {
			t.Fatal("feedback after the deadline not marked late")
		}
		if m := supInbox(t, f, f.Leader); len(m) != 1 || m[0].Subject != "乙镇 已反馈督办单 DB-2026-0002（逾期反馈）" {
			t.Fatalf("leader inbox %+v", m)
		}
	})
}

func TestNotificationsInbox(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		clk := fixClock(db, at("2026-03-02"))
		f := sqldbtest.NewFixture(t, db)
		var notes []*xinfang.Notification
		for i, u := range []*xinfang.User{f.HandlerA, f.HandlerA, f.HandlerA, f.HandlerB} {
			notes = append(notes, &xinfang.Notification{UserID: u.ID, Kind: xinfang.NotificationWarning, Subject: "消息" + itoa(int64(i)), Link: "/", DedupeKey: "test:" + itoa(int64(i))})
		}
		n, err := db.Notifications.Send(context.Background(), notes[:2])
		if err != nil || n != 2 {
			t.Fatalf("notify: %d %v", n, err)
		}
		clk.Add(time.Hour)
		// The same keys again write nothing; new ones are written.
		if n, err = db.Notifications.Send(context.Background(), notes); err != nil || n != 2 {
			t.Fatalf("notify again: %d %v", n, err)
		}
		if c := count(t, db, "notifications"); c != 4 {
			t.Fatalf("%d rows", c)
		}
		items, total, unread, err := db.Notifications.FindNotifications(f.Ctx(f.HandlerA), xinfang.NotificationFilter{})
		if err != nil || total != 3 || unread != 3 || items[0].Subject != "消息2" {
			t.Fatalf("inbox: %d %d %v %+v", total, unread, err, items)
		}
		m, err := db.Notifications.MarkNotificationRead(f.Ctx(f.HandlerA), items[0].ID)
		if err != nil || m.Unread() {
			t.Fatalf("mark read: %+v %v", m, err)
		}
		// Read messages sink below the unread ones.
		items, _, unread, _ = db.Notifications.FindNotifications(f.Ctx(f.HandlerA), xinfang.NotificationFilter{})
		if unread != 2 || items[2].ID != m.ID {
			t.Fatalf("order after read: unread %d, %+v", unread, items)
		}
		if _, total, _, _ := db.Notifications.FindNotifications(f.Ctx(f.HandlerA), xinfang.NotificationFilter{Unread: true}); total != 2 {
			t.Fatalf("unread filter: %d", total)
		}
		// Another user's message does not exist for him.
		_, err = db.Notifications.MarkNotificationRead(f.Ctx(f.HandlerB), m.ID)
		wantErr(t, err, xinfang.ENOTFOUND, "")
		if n, err := db.Notifications.MarkAllNotificationsRead(f.Ctx(f.HandlerA)); err != nil || n != 2 || supUnread(t, f, f.HandlerA) != 0 || supUnread(t, f, f.HandlerB) != 1 {
			t.Fatalf("mark all: %d %v", n, err)
		}
	})
}
