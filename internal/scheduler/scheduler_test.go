package scheduler_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/app"
	"xinfang/internal/calendar"
	"xinfang/internal/keyring"
	"xinfang/internal/scheduler"
	"xinfang/internal/sqldb"
)

// Run checks at start and on every tick, and gives the lease up when it
// stops, so that another instance takes over at once.
func TestRunLoop(t *testing.T) {
	db := sqldb.NewDB(filepath.Join(t.TempDir(), "xinfang.db"), keyring.Generate())
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := app.NewScheduler(db, nil, 20*time.Millisecond)
	var rounds atomic.Int32
	s.Sources = []scheduler.Source{scheduler.SourceFunc{N: "count", F: func(context.Context, calendar.Date) ([]xinfang.DueItem, error) {
		rounds.Add(1)
		return nil, nil
	}}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for rounds.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := rounds.Load(); n < 3 {
		t.Fatalf("%d rounds", n)
	}
	other := app.NewScheduler(db, nil, time.Minute)
	other.Sources = nil
	if r, err := other.RunOnce(context.Background()); err != nil || !r.Leader {
		t.Fatalf("lease not released: %+v %v", r, err)
	}
}
