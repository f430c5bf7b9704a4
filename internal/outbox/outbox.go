// Package outbox sends the messages to petitioners that storage writes to
// its outbox with the events they tell of. A worker runs in every
// instance, but only the one holding the lease "outbox" sends, so that
// two instances do not send the same message; a message that fails is
// retried with backoff (storage's MarkFailed). Delivery is at least once:
// an instance that dies after the gateway took a message but before it
// was marked sent sends it again, with the same idempotency key, which
// the gateway uses to drop the repeat. It talks to storage only through
// Store; it must never import storage or the HTTP layer.
package outbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"time"

	"xinfang"
)

// Store is what the worker needs of storage.
type Store interface {
	AcquireLease(ctx context.Context, holder string, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, holder string) error
	DueMessages(ctx context.Context, limit int) ([]*xinfang.OutMessage, error)
	MarkSent(ctx context.Context, id int64) error
	MarkFailed(ctx context.Context, id int64, reason string) error
}

// Sender hands one message to its channel. It must pass m.Key on, so that
// the far side can drop a message it has had already.
type Sender interface {
	Send(ctx context.Context, m *xinfang.OutMessage) error
}

// DefaultInterval is how often the worker looks for messages to send.
const DefaultInterval = 15 * time.Second

// Worker sends the outbox's messages.
type Worker struct {
	Store   Store
	Senders map[xinfang.MessageChannel]Sender
	Logger  *slog.Logger
	// Interval between rounds; LeaseTTL how long a lease lasts unrenewed.
	Interval, LeaseTTL time.Duration
	// Holder names this instance in the lease.
	Holder string
	// Batch is the most messages one round sends.
	Batch int
}

// New returns a worker over st sending through senders.
func New(st Store, senders map[xinfang.MessageChannel]Sender, logger *slog.Logger, interval time.Duration) *Worker {
	if logger == nil {
		logger = slog.Default()
	}
	if interval <= 0 {
		interval = DefaultInterval
	}
	host, _ := os.Hostname()
	b := make([]byte, 6)
	rand.Read(b)
	return &Worker{Store: st, Senders: senders, Logger: logger, Interval: interval, LeaseTTL: 2*interval + 30*time.Second,
		Holder: fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b)), Batch: 100}
}

// Run sends at once and then every Interval until ctx ends, then gives
// the lease up so that another instance takes over at once.
func (w *Worker) Run(ctx context.Context) {
	defer func() {
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := w.Store.ReleaseLease(rctx, w.Holder); err != nil {
			w.Logger.Error("outbox: release lease", "err", err)
		}
	}()
	t := time.NewTicker(w.Interval)
	defer t.Stop()
	for {
		if n, err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.Logger.Error("outbox", "err", err)
		} else if n > 0 {
			w.Logger.Info("outbox", "sent", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce sends the messages due, if this instance holds the lease, and
// returns how many went. The lease is renewed before each message, so
// that an instance that lost it stops at once.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	if ok, err := w.Store.AcquireLease(ctx, w.Holder, w.LeaseTTL); err != nil || !ok {
		return 0, err
	}
	due, err := w.Store.DueMessages(ctx, w.Batch)
	if err != nil {
		return 0, err
	}
	sent := 0
	for i, m := range due {
		if i > 0 {
			if ok, err := w.Store.AcquireLease(ctx, w.Holder, w.LeaseTTL); err != nil || !ok {
				return sent, err
			}
		}
		s := w.Senders[m.Channel]
		if s == nil {
			if err := w.Store.MarkFailed(ctx, m.ID, "没有配置“"+string(m.Channel)+"”的发送方式"); err != nil {
				return sent, err
			}
			continue
		}
		if err := s.Send(ctx, m); err != nil {
			if ctx.Err() != nil {
				return sent, ctx.Err()
			}
			w.Logger.Warn("outbox: send failed", "message", m.ID, "attempt", m.Attempts+1, "err", err)
			if err := w.Store.MarkFailed(ctx, m.ID, err.Error()); err != nil {
				return sent, err
			}
			continue
		}
		if err := w.Store.MarkSent(ctx, m.ID); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}
