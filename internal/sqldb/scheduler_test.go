package sqldb_test

import (
	"context"
	"errors"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/app"
	"xinfang/internal/calendar"
	"xinfang/internal/scheduler"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// supRun runs one round and fails the test on error.
func supRun(t *testing.T, s *scheduler.Scheduler) scheduler.Result {
	t.Helper()
	r, err := s.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// supNotes returns "user:kind:level:item" for every message about item
// kind, sorted, as one comparable list.
type supNote struct {
	User  int64
	Kind  string
	Level xinfang.Warning
	Item  int64
}

func supMessages(t *testing.T, db *sqldb.DB, itemKind string) []supNote {
	t.Helper()
	rows, err := db.RawSQL().Query(db.Rebind(`SELECT user_id, kind, level, item_id FROM notifications WHERE item_kind = ? AND kind IN ('warning','escalation') ORDER BY id`), itemKind)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []supNote
	for rows.Next() {
		var n supNote
		var level string
		if err := rows.Scan(&n.User, &n.Kind, &level, &n.Item); err != nil {
			t.Fatal(err)
		}
		n.Level = xinfang.Warning(level)
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Level != b.Level {
			return a.Level < b.Level
		}
		if a.Item != b.Item {
			return a.Item < b.Item
		}
		if a.User != b.User {
			return a.User < b.User
		}
		return a.Kind < b.Kind
	})
	return out
}

func supWant(t *testing.T, got []supNote, want ...supNote) {
	t.Helper()
	sort.Slice(want, func(i, j int) bool {
		a, b := want[i], want[j]
		if a.Level != b.Level {
			return a.Level < b.Level
		}
		if a.Item != b.Item {
			return a.Item < b.Item
		}
		if a.User != b.User {
			return a.User < b.User
		}
		return a.Kind < b.Kind
	})
	if len(got) != len(want) {
		t.Fatalf("messages:\n got %+v\nwant %+v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("messages:\n got %+v\nwant %+v", got, want)
		}
	}
}

func TestSchedulerPetitionWarnings(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		clk := fixClock(db, at("2026-03-02"))
		f := sqldbtest.NewFixture(t, db)
		supCity := supUser(t, db, "xfj.sup", f.Bureau, xinfang.RoleSupervisor)
		supA := supUser(t, db, "jz.sup", f.TownA, xinfang.RoleSupervisor)
		supUser(t, db, "yz.sup", f.TownB, xinfang.RoleSupervisor) // does not oversee town A
		p := f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, 1))
		due := p.DueDate
		severe := p.SevereDate
		// A closed item never warns: registered and then withdrawn.
		closed := f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, 2))
		f.MustAct(t, f.RegistrarA, closed.ID, xinfang.ActionInput{Action: xinfang.ActWithdraw, Version: 1, Data: map[string]string{"reason": "信访人撤回"}})

		s := app.NewScheduler(db, nil, time.Minute)
		if r := supRun(t, s); !r.Leader || r.Items != 0 || r.Sent != 0 {
			t.Fatalf("nothing due yet: %+v", r)
		}

		// Two days before the due date: 临期 to the handler and the head of
		// the unit that has the item (the registering town; the registrar
		// is not a handler).
		clk.Set(due.AddDays(-2).Time().Add(9 * time.Hour))
		if r := supRun(t, s); r.Items != 1 || r.Sent != 2 {
			t.Fatalf("near: %+v", r)
		}
		near := []supNote{{f.HandlerA.ID, "warning", "near", p.ID}, {f.HeadA.ID, "warning", "near", p.ID}}
		supWant(t, supMessages(t, db, "petition"), near...)
		m := supInbox(t, f, f.HandlerA)[0]
		if m.Link != "/petitions/"+itoa(p.ID) || m.Subject != "【临期】信访件 "+p.Number+"：反映工资拖欠问题 将于 "+p.DueDate.String()+" 到期" {
			t.Fatalf("message %+v", m)
		}

		// The same round again, and a restarted scheduler: nothing new.
		if r := supRun(t, s); r.Sent != 0 {
			t.Fatalf("second round sent %d", r.Sent)
		}
		if err := db.Clocks.ReleaseLease(context.Background(), scheduler.LeaseName, s.Holder); err != nil {
			t.Fatal(err)
		}
		s = app.NewScheduler(db, nil, time.Minute)
		if r := supRun(t, s); !r.Leader || r.Sent != 0 {
			t.Fatalf("restart: %+v", r)
		}

		// Past due: 超期.
		clk.Set(due.AddDays(1).Time().Add(9 * time.Hour))
		if r := supRun(t, s); r.Sent != 2 {
			t.Fatalf("overdue: %+v", r)
		}
		overdue := []supNote{{f.HandlerA.ID, "warning", "overdue", p.ID}, {f.HeadA.ID, "warning", "overdue", p.ID}}
		supWant(t, supMessages(t, db, "petition"), append(near, overdue...)...)

		// Far past: 严重超期, escalated to the supervisors above town A.
		clk.Set(severe.AddDays(1).Time().Add(9 * time.Hour))
		if r := supRun(t, s); r.Sent != 4 {
			t.Fatalf("severe: %+v", r)
		}
		severeNotes := []supNote{{f.HandlerA.ID, "warning", "severe", p.ID}, {f.HeadA.ID, "warning", "severe", p.ID},
			{supCity.ID, "escalation", "severe", p.ID}, {supA.ID, "escalation", "severe", p.ID}}
		supWant(t, supMessages(t, db, "petition"), append(append(near, overdue...), severeNotes...)...)
		clk.Add(24 * time.Hour)
		if r := supRun(t, s); r.Sent != 0 {
			t.Fatalf("severe again: %+v", r)
		}
	})
}

func TestSchedulerSupervisionsAndSources(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		clk := fixClock(db, at("2026-03-02"))
		f := sqldbtest.NewFixture(t, db)
		sup := supUser(t, db, "xfj.sup", f.Bureau, xinfang.RoleSupervisor)
		p := f.MustRegister(t, f.HandlerB, f.NewPetition(f.VillageB, 1))
		s := &xinfang.Supervision{TargetUnitID: f.TownB.ID, PetitionID: p.ID, Requirements: "限期反馈", Deadline: calendar.MustParseDate("2026-03-04"), Listed: true}
		if err := db.Supervisions.CreateSupervision(f.Ctx(sup), s); err != nil {
			t.Fatal(err)
		}
		sch := app.NewScheduler(db, nil, time.Minute)
		// Other features plug their clocks in as sources; one that fails
		// (its table not there) does not stop the others.
		sch.Sources = append(sch.Sources,
			scheduler.SourceFunc{N: "broken", F: func(context.Context, calendar.Date) ([]xinfang.DueItem, error) {
				return nil, errors.New("no such table: tasks")
			}},
			scheduler.SourceFunc{N: "tasks", F: func(_ context.Context, today calendar.Date) ([]xinfang.DueItem, error) {
				return []xinfang.DueItem{{Kind: "task", ID: 7, Title: "任务 7", Link: "/", Due: calendar.MustParseDate("2026-03-03"), UnitID: f.TownA.ID, Users: []int64{f.HandlerA.ID}}}, nil
			}},
		)
		if r := supRun(t, sch); r.Items != 2 || r.Sent != 2 {
			t.Fatalf("near: %+v", r)
		}
		supWant(t, supMessages(t, db, "supervision"), supNote{f.HandlerB.ID, "warning", "near", s.ID})
		supWant(t, supMessages(t, db, "task"), supNote{f.HandlerA.ID, "warning", "near", 7})

		// Issued on the 2nd, due the 4th: 严重超期 after the 6th.
		clk.Set(at("2026-03-05"))
		supRun(t, sch)
		clk.Set(at("2026-03-07"))
		supRun(t, sch)
		supWant(t, supMessages(t, db, "supervision"),
			supNote{f.HandlerB.ID, "warning", "near", s.ID}, supNote{f.HandlerB.ID, "warning", "overdue", s.ID},
			supNote{f.HandlerB.ID, "warning", "severe", s.ID}, supNote{sup.ID, "escalation", "severe", s.ID})

		// Feedback stops the clock.
		if _, err := db.Supervisions.FeedbackSupervision(f.Ctx(f.HandlerB), s.ID, "已办理"); err != nil {
			t.Fatal(err)
		}
		items, err := db.Clocks.SupervisionsDue(context.Background(), calendar.MustParseDate("2026-03-07"))
		if err != nil || len(items) != 0 {
			t.Fatalf("due after feedback: %+v %v", items, err)
		}
	})
}

// supOpenTwice opens two DB objects, as two instances would, on one new
// database of dialect, sharing one clock.
func supOpenTwice(t *testing.T, dialect string, c *clock) (*sqldb.DB, *sqldb.DB) {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "xinfang.db")
	if dialect == "postgres" {
		dsn = sqldbtest.PostgresDSN(t)
	}
	open := func() *sqldb.DB {
		db := sqldb.NewDB(dsn, sqldbtest.Keys)
		db.Now = c.Now
		if err := db.Open(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	return open(), open()
}

func TestSchedulerTwoInstances(t *testing.T) {
	for _, dialect := range sqldbtest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			clk := &clock{t: at("2026-03-02")}
			db1, db2 := supOpenTwice(t, dialect, clk)
			f := sqldbtest.NewFixture(t, db1)
			var due calendar.Date
			for i := range 3 {
				due = f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, i)).DueDate
				f.MustRegister(t, f.HandlerB, f.NewPetition(f.VillageB, 10+i))
			}
			// Three items at town A (handler + head) and three at town B
			// (one handler): nine messages per level.
			const perLevel = 9
			s1, s2 := app.NewScheduler(db1, nil, time.Minute), app.NewScheduler(db2, nil, time.Minute)
			both := func() [2]scheduler.Result {
				var res [2]scheduler.Result
				var errs [2]error
				var wg sync.WaitGroup
				start := make(chan struct{})
				for i, s := range []*scheduler.Scheduler{s1, s2} {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						res[i], errs[i] = s.RunOnce(context.Background())
					}()
				}
				close(start)
				wg.Wait()
				for _, err := range errs {
					if err != nil {
						t.Fatal(err)
					}
				}
				return res
			}

			// With the lease: exactly one instance works in every round.
			clk.Set(due.AddDays(-1).Time().Add(9 * time.Hour))
			for round := range 4 {
				r := both()
				if r[0].Leader == r[1].Leader {
					t.Fatalf("round %d: leaders %v %v", round, r[0].Leader, r[1].Leader)
				}
			}
			if n := count(t, db1, "notifications"); n != perLevel {
				t.Fatalf("with the lease: %d messages, want %d", n, perLevel)
			}

			// Without it (the lease lapses at once) both work at the same
			// time, and the dedupe key still lets each message through once.
			s1.LeaseTTL, s2.LeaseTTL = 0, 0
			clk.Set(due.AddDays(1).Time().Add(9 * time.Hour))
			sent := 0
			for range 4 {
				r := both()
				sent += r[0].Sent + r[1].Sent
			}
			if n := count(t, db1, "notifications"); n != 2*perLevel || sent != perLevel {
				t.Fatalf("without the lease: %d messages (%d reported sent), want %d", n, sent, 2*perLevel)
			}

			// A restart (new objects, new holders) sends nothing again.
			s1, s2 = app.NewScheduler(db1, nil, time.Minute), app.NewScheduler(db2, nil, time.Minute)
			s1.LeaseTTL, s2.LeaseTTL = 0, 0
			both()
			if n := count(t, db1, "notifications"); n != 2*perLevel {
				t.Fatalf("after restart: %d messages", n)
			}
		})
	}
}

func TestSchedulerLease(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		clk := fixClock(db, at("2026-03-02"))
		ctx := context.Background()
		ok, err := db.Clocks.AcquireLease(ctx, "job", "a", time.Minute)
		if err != nil || !ok {
			t.Fatalf("a: %v %v", ok, err)
		}
		if ok, _ := db.Clocks.AcquireLease(ctx, "job", "b", time.Minute); ok {
			t.Fatal("b took a live lease")
		}
		if ok, _ := db.Clocks.AcquireLease(ctx, "job", "a", time.Minute); !ok {
			t.Fatal("a could not renew")
		}
		clk.Add(2 * time.Minute)
		if ok, _ := db.Clocks.AcquireLease(ctx, "job", "b", time.Minute); !ok {
			t.Fatal("b could not take an expired lease")
		}
		if ok, _ := db.Clocks.AcquireLease(ctx, "job", "a", time.Minute); ok {
			t.Fatal("a took b's lease")
		}
		if err := db.Clocks.ReleaseLease(ctx, "job", "a"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := db.Clocks.AcquireLease(ctx, "job", "a", time.Minute); ok {
			t.Fatal("a's release freed b's lease")
		}
		db.Clocks.ReleaseLease(ctx, "job", "b")
		if ok, _ := db.Clocks.AcquireLease(ctx, "job", "a", time.Minute); !ok {
			t.Fatal("released lease not free")
		}
	})
}
