package sqldb_test

import (
	"strings"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// tamper runs stmt on the events table with the append-only triggers out
// of the way, as someone with direct database access could.
func tamper(t *testing.T, db *sqldb.DB, stmt string, args ...any) {
	t.Helper()
	raw := db.RawSQL()
	if db.Postgres() {
		if _, err := raw.Exec(`ALTER TABLE events DISABLE TRIGGER USER`); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if _, err := raw.Exec(`ALTER TABLE events ENABLE TRIGGER USER`); err != nil {
				t.Fatal(err)
			}
		}()
	} else {
		for _, trig := range []string{"events_no_update", "events_no_delete"} {
			if _, err := raw.Exec(`DROP TRIGGER IF EXISTS ` + trig); err != nil {
				t.Fatal(err)
			}
		}
	}
	res, err := raw.Exec(db.Rebind(stmt), args...)
	if err != nil {
		t.Fatalf("tamper: %v", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("tamper changed %d rows", n)
	}
}

func TestEvents(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		fixClock(db, at("2026-06-10"))
		f := sqldbtest.NewFixture(t, db)
		reg, handler := f.Ctx(f.BureauRegistrar), f.Ctx(f.HandlerA)

		p := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, 1))
		other := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, 2))

		t.Run("transitions", func(t *testing.T) {
			got := f.MustAct(t, f.BureauRegistrar, p.ID, transfer(f.TownA, 1))
			if got.State != xinfang.StatePendingSign || got.Version != 2 || got.HandlingUnitID != f.TownA.ID || got.HandlingUnit == nil || got.HandlingUnit.Code != "JZ" {
				t.Fatalf("after transfer: state %s version %d handling %d", got.State, got.Version, got.HandlingUnitID)
			}
			got = f.MustAct(t, f.HandlerA, p.ID, xinfang.ActionInput{Action: xinfang.ActSign, Version: 2})
			if got.State != xinfang.StateSigned || got.Version != 3 {
				t.Fatalf("after sign: state %s version %d", got.State, got.Version)
			}
			// The projection in the table follows: town A's handler finds it in a list.
			list, _, err := db.Petitions.FindPetitions(handler, xinfang.PetitionFilter{State: []xinfang.State{xinfang.StateSigned}})
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 1 || list[0].ID != p.ID || list[0].Version != 3 {
				t.Fatalf("list of signed items: %d items", len(list))
			}
		})

		t.Run("a failed action writes nothing", func(t *testing.T) {
			before := count(t, db, "events")
			tests := []struct {
				name  string
				in    xinfang.ActionInput
				code  string
				field string
			}{
				{"missing reason", xinfang.ActionInput{Action: xinfang.ActNotAccept, Version: 3}, xinfang.EINVALID, "reason"},
				{"unknown action", xinfang.ActionInput{Action: "explode", Version: 3}, xinfang.EINVALID, "action"},
				{"stale version", xinfang.ActionInput{Action: xinfang.ActAccept, Version: 2}, xinfang.ECONFLICT, "version"},
				{"wrong state", xinfang.ActionInput{Action: xinfang.ActReply, Version: 3, Data: map[string]string{"outcome": "support", "facts": "查明", "opinion": "意见"}}, xinfang.ECONFLICT, "action"},
				{"unknown field", xinfang.ActionInput{Action: xinfang.ActAccept, Version: 3, Data: map[string]string{"colour": "red"}}, xinfang.EINVALID, "colour"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					_, err := db.Petitions.Act(handler, p.ID, tt.in)
					wantErr(t, err, tt.code, tt.field)
				})
			}
			// A registrar may not accept on the handling side's behalf.
			_, err := db.Petitions.Act(reg, p.ID, xinfang.ActionInput{Action: xinfang.ActAccept, Version: 3})
			wantErr(t, err, xinfang.EFORBIDDEN, "")
			if after := count(t, db, "events"); after != before {
				t.Errorf("events %d → %d after refused actions", before, after)
			}
			got, err := db.Petitions.FindPetitionByID(handler, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != 3 || got.State != xinfang.StateSigned {
				t.Errorf("after refused actions: version %d state %s", got.Version, got.State)
			}
		})

		t.Run("chain verifies", func(t *testing.T) {
			f.MustAct(t, f.HandlerA, p.ID, xinfang.ActionInput{Action: xinfang.ActAccept, Version: 3, Note: "依法受理"})
			events, err := db.Petitions.FindEvents(handler, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantActions := []xinfang.Action{xinfang.ActRegister, xinfang.ActTransfer, xinfang.ActSign, xinfang.ActAccept}
			if len(events) != len(wantActions) {
				t.Fatalf("%d events, want %d", len(events), len(wantActions))
			}
			for i, e := range events {
				if e.Seq != i+1 || e.Action != wantActions[i] || e.Hash == "" {
					t.Errorf("event %d: seq %d action %s", i, e.Seq, e.Action)
				}
				if i > 0 && e.PrevHash != events[i-1].Hash {
					t.Errorf("event %d does not chain to %d", e.Seq, events[i-1].Seq)
				}
			}
			if events[1].Data["unit_id"] != itoa(f.TownA.ID) || events[3].Note != "依法受理" || events[3].ActorID != f.HandlerA.ID {
				t.Errorf("stored events lost data: %+v %+v", events[1], events[3])
			}
			if n, err := db.Petitions.VerifyEvents(handler, p.ID); err != nil || n != len(wantActions) {
				t.Fatalf("verify: %d events, %v", n, err)
			}
		})

		t.Run("append-only", func(t *testing.T) {
			before := count(t, db, "events")
			raw := db.RawSQL()
			if _, err := raw.Exec(db.Rebind(`UPDATE events SET note = ? WHERE petition_id = ?`), "改过", p.ID); err == nil {
				t.Error("UPDATE on events was allowed")
			}
			if _, err := raw.Exec(db.Rebind(`DELETE FROM events WHERE petition_id = ?`), p.ID); err == nil {
				t.Error("DELETE on events was allowed")
			}
			if after := count(t, db, "events"); after != before {
				t.Errorf("events %d → %d", before, after)
			}
			if _, err := db.Petitions.VerifyEvents(handler, p.ID); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("tampering is found", func(t *testing.T) {
			tamper(t, db, `UPDATE events SET note = ? WHERE petition_id = ? AND seq = 2`, "已转甲镇（改）", p.ID)
			wantErr(t, verify(db, handler, p.ID), xinfang.ECONFLICT, "")
			if _, err := db.Petitions.VerifyEvents(reg, other.ID); err != nil {
				t.Errorf("an untouched chain fails: %v", err)
			}
			f.MustAct(t, f.BureauRegistrar, other.ID, transfer(f.TownA, 1))
			tamper(t, db, `DELETE FROM events WHERE petition_id = ? AND seq = 1`, other.ID)
			wantErr(t, verify(db, reg, other.ID), xinfang.ECONFLICT, "")
		})

		t.Run("a deleted newest event is found", func(t *testing.T) {
			third := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, 77))
			f.MustAct(t, f.BureauRegistrar, third.ID, transfer(f.TownA, 1))
			if _, err := db.Petitions.VerifyEvents(reg, third.ID); err != nil {
				t.Fatalf("intact chain: %v", err)
			}
			// Removing the tail leaves a chain that is valid in itself;
			// only the head hash kept on the petition shows the loss.
			tamper(t, db, `DELETE FROM events WHERE petition_id = ? AND seq = 2`, third.ID)
			wantErr(t, verify(db, reg, third.ID), xinfang.ECONFLICT, "")
		})
	})
}

// Storage loads the facts of a merge target inside the acting transaction;
// the procedure's guard judges them: an item merges into an earlier
// original, not into itself and not into an item merged in turn.
func TestMergeTargetFacts(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		clk := fixClock(db, at("2026-06-10"))
		f := sqldbtest.NewFixture(t, db)
		original := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, 1))
		clk.Add(time.Hour)
		repeat := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, 2))
		clk.Add(time.Hour)
		third := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, 3))
		merge := func(into int64) xinfang.ActionInput {
			return xinfang.ActionInput{Action: xinfang.ActMerge, Version: 1, Data: map[string]string{"into": itoa(into)}}
		}
		ctx := f.Ctx(f.BureauRegistrar)
		_, err := db.Petitions.Act(ctx, repeat.ID, merge(repeat.ID))
		wantErr(t, err, xinfang.EINVALID, "into")
		if got := xinfang.ErrorFields(err)["into"]; !strings.Contains(got, "本件") {
			t.Errorf("merge into itself: %q", got)
		}
		if got := f.MustAct(t, f.BureauRegistrar, repeat.ID, merge(original.ID)); got.State != xinfang.StateMerged || got.RepeatOfID != original.ID {
			t.Fatalf("merged: %s into %d", got.State, got.RepeatOfID)
		}
		_, err = db.Petitions.Act(ctx, third.ID, merge(repeat.ID))
		wantErr(t, err, xinfang.EINVALID, "into")
		if got := xinfang.ErrorFields(err)["into"]; !strings.Contains(got, "重复件") {
			t.Errorf("merge into a repeat: %q", got)
		}
		// A target outside the actor's scope does not exist for it.
		townB := f.MustRegister(t, f.HandlerB, f.NewPetition(f.VillageB, 4))
		clk.Add(time.Hour)
		townA := f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, 5))
		_, err = db.Petitions.Act(f.Ctx(f.RegistrarA), townA.ID, merge(townB.ID))
		wantErr(t, err, xinfang.EINVALID, "into")
		if got := xinfang.ErrorFields(err)["into"]; !strings.Contains(got, "不存在") {
			t.Errorf("merge out of scope: %q", got)
		}
	})
}
