// Package scheduler runs inside `serve`: at start and every few minutes it
// computes the warning level of every running clock (petitions, 督办单,
// and whatever other sources are registered: plan steps, tasks …) and
// writes a message to each responsible user's inbox when an item becomes
// 临期, 超期 or 严重超期; 严重超期 also goes to the supervisors.
//
// It acts exactly once however many instances share one database: a lease
// row lets one instance run at a time, and every message carries a dedupe
// key (item, level, due date, user) that the database holds unique, so
// neither a second instance nor a restart sends anything twice. It talks to
// storage only; it must never import the HTTP layer.
package scheduler

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/procedure"
)

// Source is a kind of running clock: it lists the items that are near or
// past due on today (items further off may be left out), each with its
// responsible users.
type Source interface {
	Name() string
	Due(ctx context.Context, today calendar.Date) ([]xinfang.DueItem, error)
}

// SourceFunc makes a Source of a function, usually a storage method.
type SourceFunc struct {
	N string
	F func(ctx context.Context, today calendar.Date) ([]xinfang.DueItem, error)
}

func (s SourceFunc) Name() string { return s.N }
func (s SourceFunc) Due(ctx context.Context, today calendar.Date) ([]xinfang.DueItem, error) {
	return s.F(ctx, today)
}

// Store is what the scheduler needs of storage: the running clocks, the
// supervisors a 严重超期 item escalates to, the lease, and the procedure
// whose warning rule it applies.
type Store interface {
	PetitionsDue(ctx context.Context, today calendar.Date) ([]xinfang.DueItem, error)
	SupervisionsDue(ctx context.Context, today calendar.Date) ([]xinfang.DueItem, error)
	CaseStepsDue(ctx context.Context, today calendar.Date) ([]xinfang.DueItem, error)
	TasksDue(ctx context.Context, today calendar.Date) ([]xinfang.DueItem, error)
	EscalationUsers(ctx context.Context, unitID int64) ([]int64, error)
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, name, holder string) error
	Procedure(ctx context.Context) *procedure.Procedure
}

// Notifications delivers the messages (站内消息); a message whose dedupe
// key exists already is not written again.
type Notifications interface {
	Send(ctx context.Context, notes []*xinfang.Notification) (int, error)
}

// DefaultSources are the running clocks of the store: the petitions' duty
// clocks, the 督办单's feedback deadlines, and the plan steps of backlog
// cases and the 三跨三分离 tasks, whose deadlines are watched like the
// statutory ones. A new kind of clock is added here.
func DefaultSources(st Store) []Source {
	return []Source{
		SourceFunc{"petitions", st.PetitionsDue},
		SourceFunc{"supervisions", st.SupervisionsDue},
		SourceFunc{"case_steps", st.CaseStepsDue},
		SourceFunc{"tasks", st.TasksDue},
	}
}

// LeaseName is the lease the instances compete for.
const LeaseName = "scheduler"

// DefaultInterval is how often the clocks are checked.
const DefaultInterval = 5 * time.Minute

// Scheduler checks the clocks periodically.
type Scheduler struct {
	Store         Store
	Notifications Notifications
	// Now is the clock (the database's, so that tests move both).
	Now      func() time.Time
	Logger   *slog.Logger
	Interval time.Duration
	Sources  []Source
	// Holder names this instance in the lease.
	Holder string
	// LeaseTTL is how long the lease lasts without renewal: an instance
	// that dies is replaced after it.
	LeaseTTL time.Duration
}

// New returns a scheduler over st with its DefaultSources, writing to
// notes; now nil means time.Now, interval 0 means DefaultInterval.
func New(st Store, notes Notifications, now func() time.Time, logger *slog.Logger, interval time.Duration) *Scheduler {
	if logger == nil {
		logger = slog.Default()
	}
	if interval <= 0 {
		interval = DefaultInterval
	}
	if now == nil {
		now = time.Now
	}
	return &Scheduler{Store: st, Notifications: notes, Now: now, Logger: logger, Interval: interval, Sources: DefaultSources(st),
		Holder: newHolder(), LeaseTTL: 2*interval + time.Minute}
}

func newHolder() string {
	host, _ := os.Hostname()
	b := make([]byte, 6)
	rand.Read(b)
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}

// Run checks at once and then every Interval until ctx ends; on the way
// out it gives up the lease so that another instance takes over at once.
// Errors are logged, never fatal: a failed round is retried next time.
func (s *Scheduler) Run(ctx context.Context) error {
	defer func() {
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Store.ReleaseLease(rctx, LeaseName, s.Holder); err != nil {
			s.Logger.Error("scheduler: release lease", "err", err)
		}
	}()
	t := time.NewTicker(s.Interval)
	defer t.Stop()
	for {
		if r, err := s.RunOnce(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			s.Logger.Error("scheduler", "err", err)
		} else if r.Sent > 0 {
			s.Logger.Info("scheduler", "items", r.Items, "sent", r.Sent)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Result says what one round did.
type Result struct {
	Leader bool // this instance held the lease and checked
	Items  int  // items near or past due
	Sent   int  // messages newly written
}

// RunOnce is one round: take or renew the lease, then check every source
// as of the database's clock. Without the lease it does nothing. A source
// that fails (a table another feature has not installed yet) is logged and
// skipped; the others still run.
func (s *Scheduler) RunOnce(ctx context.Context) (Result, error) {
	var res Result
	ok, err := s.Store.AcquireLease(ctx, LeaseName, s.Holder, s.LeaseTTL)
	if err != nil || !ok {
		return res, err
	}
	res.Leader = true
	today := calendar.DateOf(s.Now())
	pr := s.Store.Procedure(ctx)
	escalate := map[int64][]int64{} // unit → supervisors, per round
	for _, src := range s.Sources {
		items, err := src.Due(ctx, today)
		if err != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			s.Logger.Warn("scheduler: source failed", "source", src.Name(), "err", err)
			continue
		}
		var notes []*xinfang.Notification
		for _, it := range items {
			level := pr.WarningOf(it.Due, it.Severe, today)
			if level != xinfang.WarnNear && level != xinfang.WarnOverdue && level != xinfang.WarnSevere {
				continue
			}
			res.Items++
			notes = append(notes, warningNotes(it, level, it.Users, xinfang.NotificationWarning)...)
			if level == xinfang.WarnSevere && !it.Private && it.UnitID != 0 {
				sup, ok := escalate[it.UnitID]
				if !ok {
					if sup, err = s.Store.EscalationUsers(ctx, it.UnitID); err != nil {
						return res, err
					}
					escalate[it.UnitID] = sup
				}
				notes = append(notes, warningNotes(it, level, without(sup, it.Users), xinfang.NotificationEscalation)...)
			}
		}
		n, err := s.Notifications.Send(ctx, notes)
		res.Sent += n
		if err != nil {
			return res, fmt.Errorf("%s: %w", src.Name(), err)
		}
	}
	return res, nil
}

// warningNotes builds one message per user. The dedupe key names the item,
// the level and the due date: a new level, or a new due date after an
// extension, is news; the same one again is not.
func warningNotes(it xinfang.DueItem, level xinfang.Warning, users []int64, kind xinfang.NotificationKind) []*xinfang.Notification {
	out := make([]*xinfang.Notification, 0, len(users))
	var subject string
	switch level {
	case xinfang.WarnNear:
		subject = fmt.Sprintf("【临期】%s 将于 %s 到期", it.Title, it.Due)
	case xinfang.WarnOverdue:
		subject = fmt.Sprintf("【超期】%s 已于 %s 到期", it.Title, it.Due)
	default:
		subject = fmt.Sprintf("【严重超期】%s 期限 %s，已严重超期", it.Title, it.Due)
	}
	body := "期限 " + it.Due.String() + "，预警等级：" + level.Label() + "。"
	if kind == xinfang.NotificationEscalation {
		body += "已超过期限一个周期以上，请督促承办单位办理。"
	}
	for _, uid := range users {
		out = append(out, &xinfang.Notification{UserID: uid, Kind: kind, Subject: subject, Body: body, Link: it.Link,
			ItemKind: it.Kind, ItemID: it.ID, Level: level,
			DedupeKey: fmt.Sprintf("%s:%d:%s:%s:u%d", it.Kind, it.ID, level, it.Due, uid)})
	}
	return out
}

// without returns a minus b: a supervisor who is also responsible gets the
// one warning, not an escalation besides.
func without(a, b []int64) []int64 {
	skip := map[int64]bool{}
	for _, x := range b {
		skip[x] = true
	}
	var out []int64
	for _, x := range a {
		if !skip[x] {
			out = append(out, x)
		}
	}
	return out
}
