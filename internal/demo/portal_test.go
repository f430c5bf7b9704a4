package demo_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/demo"
	"xinfang/internal/keyring"
	"xinfang/internal/sqldb"
)

// The demo's portal: items submitted online waiting for the registrar,
// some taken in and some declined; items received online evaluated by
// their petitioners on the portal; the messages of each in the outbox.
func TestLoadPortal(t *testing.T) {
	db := sqldb.NewDB(filepath.Join(t.TempDir(), "demo.db"), keyring.Generate())
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	end := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return end }
	if _, err := demo.Load(context.Background(), db, demo.Options{Petitions: 120, Online: 16}); err != nil {
		t.Fatal(err)
	}
	reg, err := db.Directory.FindUserByUsername(context.Background(), "registrar")
	if err != nil {
		t.Fatal(err)
	}
	ctx := xinfang.NewContextWithUser(context.Background(), reg)
	waiting, total, err := db.Portal.FindIntake(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	// 16 submitted: 2 declined, 4 taken in, 10 waiting.
	if total != 10 || len(waiting) != 10 {
		t.Errorf("%d online items wait for the registrar, want 10", total)
	}
	all, _, err := db.Petitions.FindPetitions(ctx, xinfang.PetitionFilter{Channel: xinfang.ChannelOnline, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	portalEvaluations, messages := 0, 0
	for _, p := range all {
		events, err := db.Petitions.FindEvents(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			if e.Action == xinfang.ActEvaluate {
				if e.Data["source"] != "portal" {
					t.Errorf("%s: an online item evaluated by staff", p.Number)
				}
				portalEvaluations++
			}
		}
		ms, err := db.Outbox.FindMessages(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		messages += len(ms)
	}
	if portalEvaluations == 0 || messages < 16 {
		t.Errorf("%d portal evaluations, %d messages among %d online items", portalEvaluations, messages, len(all))
	}
}
