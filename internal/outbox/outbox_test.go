package outbox_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/keyring"
	"xinfang/internal/outbox"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// gateway is a fake SMS gateway: it records every request and delivers
// each idempotency key once.
type gateway struct {
	mu        sync.Mutex
	requests  int
	delivered map[string]string // key → text
	failNext  int               // answer 503 to this many requests
	srv       *httptest.Server
}

func newGateway(t *testing.T) *gateway {
	g := &gateway{delivered: map[string]string{}}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Phone     string `json:"phone"`
			Content   string `json:"content"`
			RequestID string `json:"request_id"`
		}
		raw, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(raw, &body); err != nil {
			http.Error(w, "bad json", http.StatusBadRequest)
			return
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		g.requests++
		if g.failNext > 0 {
			g.failNext--
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		key := r.Header.Get("Idempotency-Key")
		if key == "" || key != body.RequestID {
			http.Error(w, "no key", http.StatusBadRequest)
			return
		}
		if _, ok := g.delivered[key]; ok {
			w.WriteHeader(http.StatusConflict)
			return
		}
		g.delivered[key] = body.Phone + " " + body.Content
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *gateway) counts() (int, int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.requests, len(g.delivered)
}

// crashAfterSend is a sender that hands the message on and then kills its
// instance (cancels the worker's context) before the worker can mark it.
type crashAfterSend struct {
	next outbox.Sender
	kill context.CancelFunc
}

func (c *crashAfterSend) Send(ctx context.Context, m *xinfang.OutMessage) error {
	if err := c.next.Send(ctx, m); err != nil {
		return err
	}
	c.kill()
	return ctx.Err()
}

// handled registers an item, takes it through transfer and acceptance,
// each of which writes a message with its event.
func handled(t *testing.T, f *sqldbtest.Fixture) *xinfang.Petition {
	t.Helper()
	p := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.TownA, 7))
	p = f.MustAct(t, f.BureauRegistrar, p.ID, xinfang.ActionInput{Action: xinfang.ActTransfer, Version: p.Version, Data: map[string]string{"unit_id": itoa(f.TownA.ID)}})
	p = f.MustAct(t, f.HandlerA, p.ID, xinfang.ActionInput{Action: xinfang.ActSign, Version: p.Version})
	return f.MustAct(t, f.HandlerA, p.ID, xinfang.ActionInput{Action: xinfang.ActAccept, Version: p.Version})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func messages(t *testing.T, db *sqldb.DB, f *sqldbtest.Fixture, id int64) []*xinfang.OutMessage {
	t.Helper()
	ms, err := db.Outbox.FindMessages(f.Ctx(f.BureauRegistrar), id)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// Two instances on one PostgreSQL, each with its own pool and worker,
// running at once: every message reaches the gateway exactly once. Then a
// worker "dies" after the gateway took a message and before marking it:
// the next round sends it again with the same key and the gateway drops
// the repeat; the petitioner gets it once. A failed attempt waits and is
// retried.
func TestOutboxOnceAcrossInstances(t *testing.T) {
	sqldbtest.RequirePostgres(t)
	db := sqldbtest.Open(t, "postgres")
	f := sqldbtest.NewFixture(t, db)
	p := handled(t, f)
	if ms := messages(t, db, f, p.ID); len(ms) != 2 || ms[0].Kind != xinfang.MsgTransferred || ms[1].Kind != xinfang.MsgAccepted || ms[0].State != xinfang.MessagePending {
		t.Fatalf("messages written with the events: %+v", ms)
	}
	// A second instance: its own pool on the same database and keys.
	keys, err := keyring.Parse(db.Keys.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	db2 := sqldb.NewDB(db.DSN, keys)
	if err := db2.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db2.Close() })

	g := newGateway(t)
	send := map[xinfang.MessageChannel]outbox.Sender{xinfang.ChannelSMS: &outbox.HTTPSender{URL: g.srv.URL}}
	w1 := outbox.New(db.Outbox, send, nil, time.Second)
	w2 := outbox.New(db2.Outbox, send, nil, time.Second)
	// More messages, so that the two compete over a batch.
	for i := 0; i < 5; i++ {
		q := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.TownA, 20+i))
		f.MustAct(t, f.BureauRegistrar, q.ID, xinfang.ActionInput{Action: xinfang.ActTransfer, Version: q.Version, Data: map[string]string{"unit_id": itoa(f.TownB.ID)}})
	}
	var wg sync.WaitGroup
	for _, w := range []*outbox.Worker{w1, w2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				if _, err := w.RunOnce(context.Background()); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if req, got := g.counts(); req != 7 || got != 7 {
		t.Errorf("two instances: %d requests, %d delivered; want 7 and 7", req, got)
	}
	for _, m := range messages(t, db, f, p.ID) {
		if m.State != xinfang.MessageSent || m.SentAt.IsZero() {
			t.Errorf("message %d: %s", m.ID, m.State)
		}
	}
	// Both give the lease up (whichever holds it), as at a shutdown.
	for _, w := range []*outbox.Worker{w1, w2} {
		if err := w.Store.ReleaseLease(context.Background(), w.Holder); err != nil {
			t.Fatal(err)
		}
	}

	// A crash between the gateway's answer and the mark: sent again on
	// the next round with the same key, delivered once.
	q := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.TownA, 40))
	f.MustAct(t, f.BureauRegistrar, q.ID, xinfang.ActionInput{Action: xinfang.ActTransfer, Version: q.Version, Data: map[string]string{"unit_id": itoa(f.TownA.ID)}})
	life, kill := context.WithCancel(context.Background())
	dying := outbox.New(db2.Outbox, map[xinfang.MessageChannel]outbox.Sender{xinfang.ChannelSMS: &crashAfterSend{next: &outbox.HTTPSender{URL: g.srv.URL}, kill: kill}}, nil, time.Second)
	dying.RunOnce(life)
	if req, got := g.counts(); req != 8 || got != 8 {
		t.Fatalf("before the crash: %d requests, %d delivered", req, got)
	}
	ms := messages(t, db, f, q.ID)
	if ms[0].State != xinfang.MessagePending || ms[0].Attempts != 0 {
		t.Fatalf("after the crash: %+v", ms[0])
	}
	// The dead instance still holds the lease: nothing is sent until it
	// expires.
	if n, _ := w1.RunOnce(context.Background()); n != 0 {
		t.Fatalf("sent %d while the dead instance's lease held", n)
	}
	clock := time.Now().Add(time.Hour)
	db.Now = func() time.Time { return clock }
	if n, err := w1.RunOnce(context.Background()); err != nil || n != 1 {
		t.Fatalf("retry: %d %v", n, err)
	}
	if req, got := g.counts(); req != 9 || got != 8 {
		t.Errorf("after the retry: %d requests, %d delivered; want 9 and 8 (the repeat dropped by its key)", req, got)
	}
	if ms := messages(t, db, f, q.ID); ms[0].State != xinfang.MessageSent {
		t.Errorf("after the retry: %s", ms[0].State)
	}
}

// A committed message whose instance died before sending is sent by the
// next round; a gateway that fails makes the message wait and be tried
// again; a rolled-back event leaves no message; an opted-out petitioner's
// message is recorded and not sent. On both databases.
func TestOutboxRetriesAndOptOut(t *testing.T) {
	for _, d := range sqldbtest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			db := sqldbtest.Open(t, d)
			f := sqldbtest.NewFixture(t, db)
			now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
			db.Now = func() time.Time { return now }
			p := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.TownA, 9))
			// A refused action writes no message.
			if _, err := db.Petitions.Act(f.Ctx(f.HandlerA), p.ID, xinfang.ActionInput{Action: xinfang.ActAccept, Version: p.Version + 5}); err == nil {
				t.Fatal("a stale version was accepted")
			}
			if ms := messages(t, db, f, p.ID); len(ms) != 0 {
				t.Fatalf("a refused action wrote %d messages", len(ms))
			}
			f.MustAct(t, f.BureauRegistrar, p.ID, xinfang.ActionInput{Action: xinfang.ActTransfer, Version: p.Version, Data: map[string]string{"unit_id": itoa(f.TownA.ID)}})
			g := newGateway(t)
			g.failNext = 1
			w := outbox.New(db.Outbox, map[xinfang.MessageChannel]outbox.Sender{xinfang.ChannelSMS: &outbox.HTTPSender{URL: g.srv.URL}}, nil, time.Second)
			if n, _ := w.RunOnce(context.Background()); n != 0 {
				t.Fatalf("sent %d through a failing gateway", n)
			}
			ms := messages(t, db, f, p.ID)
			if ms[0].State != xinfang.MessagePending || ms[0].Attempts != 1 || !ms[0].NextAt.After(now) {
				t.Fatalf("after a failure: %+v", ms[0])
			}
			if n, _ := w.RunOnce(context.Background()); n != 0 {
				t.Errorf("retried before its time")
			}
			now = now.Add(time.Minute)
			if n, err := w.RunOnce(context.Background()); n != 1 || err != nil {
				t.Fatalf("retry: %d %v", n, err)
			}
			if _, got := g.counts(); got != 1 || !strings.Contains(g.delivered[ms[0].Key], "已转交甲镇办理") || !strings.HasPrefix(g.delivered[ms[0].Key], "13800138000 ") {
				t.Errorf("delivered %v", g.delivered)
			}
			// Opted out: recorded, not sent.
			if err := db.Portal.OptOut(context.Background(), p.Number, p.QueryCode, true); err != nil {
				t.Fatal(err)
			}
			p, _ = db.Petitions.FindPetitionByID(f.Ctx(f.HandlerA), p.ID)
			f.MustAct(t, f.HandlerA, p.ID, xinfang.ActionInput{Action: xinfang.ActSign, Version: p.Version})
			ms = messages(t, db, f, p.ID)
			if len(ms) != 1 {
				t.Fatalf("signing sends nothing, got %d messages", len(ms))
			}
			p, _ = db.Petitions.FindPetitionByID(f.Ctx(f.HandlerA), p.ID)
			f.MustAct(t, f.HandlerA, p.ID, xinfang.ActionInput{Action: xinfang.ActAccept, Version: p.Version})
			ms = messages(t, db, f, p.ID)
			if last := ms[len(ms)-1]; last.State != xinfang.MessageSkipped || last.Kind != xinfang.MsgAccepted {
				t.Errorf("opted out: %+v", last)
			}
			if n, _ := w.RunOnce(context.Background()); n != 0 {
				t.Errorf("sent %d to an opted-out petitioner", n)
			}
		})
	}
}
