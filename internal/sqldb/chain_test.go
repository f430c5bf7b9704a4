package sqldb_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/keyring"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// verify is VerifyEvents without the count.
func verify(db *sqldb.DB, ctx context.Context, id int64) error {
	_, err := db.Petitions.VerifyEvents(ctx, id)
	return err
}

// exec runs stmt on the database directly, as someone with write access
// to it (but not the keys file) could.
func exec(t *testing.T, db *sqldb.DB, stmt string, args ...any) {
	t.Helper()
	if _, err := db.RawSQL().Exec(db.Rebind(stmt), args...); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// headRow is what a petition's row holds of its chain's head and its
// projection, as text.
type headRow struct {
	head, state, handlingPath, outcome, evaluation, due, severe, clock string
	handling                                                           *int64
}

func readHead(t *testing.T, db *sqldb.DB, id int64) headRow {
	t.Helper()
	var h headRow
	err := db.RawSQL().QueryRow(db.Rebind(`SELECT head_hash, state, handling_unit_id, handling_path, outcome, evaluation, due_date, severe_date, due_clock FROM petitions WHERE id = ?`), id).
		Scan(&h.head, &h.state, &h.handling, &h.handlingPath, &h.outcome, &h.evaluation, &h.due, &h.severe, &h.clock)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// Each way someone with write access to the database, but without the
// keys file, could change a petition's record is found by verification,
// by the API's path (VerifyEvents) and by the whole-database check alike;
// the petitions nobody touched still verify.
func TestTamperEvidence(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		clk := fixClock(db, at("2026-06-10"))
		f := sqldbtest.NewFixture(t, db)
		reg := f.Ctx(f.BureauRegistrar)
		n := 0
		// register returns a new petition with a co-petitioner, transferred
		// to town A (two events), and its row as registered.
		register := func(t *testing.T) (*xinfang.Petition, headRow) {
			t.Helper()
			n++
			p := f.NewPetition(f.VillageA, n)
			p.CoPetitioners = []*xinfang.Petitioner{{Name: "李四", IDNumber: sqldbtest.IDNumber(500 + n), Phone: "13900139000"}}
			f.MustRegister(t, f.BureauRegistrar, p)
			registered := readHead(t, db, p.ID)
			clk.Add(time.Hour)
			f.MustAct(t, f.BureauRegistrar, p.ID, transfer(f.TownA, 1))
			return p, registered
		}
		control, _ := register(t)

		tests := []struct {
			name   string
			attack func(t *testing.T, p *xinfang.Petition, registered headRow)
			want   string // in the message
		}{
			{"the last event deleted", func(t *testing.T, p *xinfang.Petition, _ headRow) {
				tamper(t, db, `DELETE FROM events WHERE petition_id = ? AND seq = 2`, p.ID)
			}, "最新的办理记录缺失"},
			{"the last event deleted, the head and the projection rewritten to match", func(t *testing.T, p *xinfang.Petition, r headRow) {
				tamper(t, db, `DELETE FROM events WHERE petition_id = ? AND seq = 2`, p.ID)
				exec(t, db, `UPDATE petitions SET head_hash = ?, state = ?, handling_unit_id = ?, handling_path = ?, outcome = ?, evaluation = ?, due_date = ?, severe_date = ?, due_clock = ? WHERE id = ?`,
					r.head, r.state, r.handling, r.handlingPath, r.outcome, r.evaluation, r.due, r.severe, r.clock, p.ID)
			}, "密钥校验值不符"},
			{"the whole history deleted", func(t *testing.T, p *xinfang.Petition, _ headRow) {
				tamper(t, db, `DELETE FROM events WHERE petition_id = ? AND seq = 2`, p.ID)
				tamper(t, db, `DELETE FROM events WHERE petition_id = ? AND seq = 1`, p.ID)
			}, "办理记录全部缺失"},
			{"the whole history deleted and the head emptied", func(t *testing.T, p *xinfang.Petition, _ headRow) {
				tamper(t, db, `DELETE FROM events WHERE petition_id = ? AND seq = 2`, p.ID)
				tamper(t, db, `DELETE FROM events WHERE petition_id = ? AND seq = 1`, p.ID)
				exec(t, db, `UPDATE petitions SET head_hash = '' WHERE id = ?`, p.ID)
			}, "办理记录全部缺失"},
			{"an event edited and the chain recomputed with plain SM3", func(t *testing.T, p *xinfang.Petition, _ headRow) {
				events, err := db.Petitions.FindEvents(reg, p.ID)
				if err != nil {
					t.Fatal(err)
				}
				events[1].Note = "改过的转送意见"
				prev := ""
				for _, e := range events {
					e.PrevHash, e.Hash = prev, sqldb.UnkeyedHash(prev, e)
					tamper(t, db, `UPDATE events SET note = ?, prev_hash = ?, hash = ? WHERE id = ?`, e.Note, e.PrevHash, e.Hash, e.ID)
					prev = e.Hash
				}
				exec(t, db, `UPDATE petitions SET head_hash = ? WHERE id = ?`, prev, p.ID)
			}, "第 1 条记录（登记）与哈希链不符"},
			{"the summary edited", func(t *testing.T, p *xinfang.Petition, _ headRow) {
				exec(t, db, `UPDATE petitions SET summary = ? WHERE id = ?`, "反映道路维修问题", p.ID)
			}, "登记内容"},
			{"the content edited", func(t *testing.T, p *xinfang.Petition, _ headRow) {
				exec(t, db, `UPDATE petitions SET content = ? WHERE id = ?`, "已自行协商解决。", p.ID)
			}, "登记内容"},
			{"the time received edited", func(t *testing.T, p *xinfang.Petition, _ headRow) {
				exec(t, db, `UPDATE petitions SET received_at = ? WHERE id = ?`, "2026-05-01T02:00:00.000000Z", p.ID)
			}, "登记内容"},
			{"the phone sealed anew with the right key", func(t *testing.T, p *xinfang.Petition, _ headRow) {
				// What only someone holding the keys file could write: a
				// value that opens, with its blind index. The application
				// reads it; the registered content's MAC does not match.
				exec(t, db, `UPDATE petitioners SET phone = ?, phone_index = ? WHERE id = ?`,
					db.Keys.Seal(sqldb.SealedField("phone"), "13700137000"), db.Keys.Index("phone", "13700137000"), p.Petitioner.ID)
				got, err := db.Petitions.FindPetitionByID(reg, p.ID)
				if err != nil || got.Petitioner.Phone != "13700137000" {
					t.Fatalf("the re-sealed phone does not read back: %v, %v", got, err)
				}
			}, "登记内容"},
			{"the phone edited in the clear", func(t *testing.T, p *xinfang.Petition, _ headRow) {
				exec(t, db, `UPDATE petitioners SET phone = ? WHERE id = ?`, "13700137000", p.Petitioner.ID)
			}, "联系电话无法解密"},
			{"a co-petitioner's name edited", func(t *testing.T, p *xinfang.Petition, _ headRow) {
				exec(t, db, `UPDATE petitioners SET name = ? WHERE id = ?`, "王五", p.CoPetitioners[0].ID)
			}, "登记内容"},
			{"a co-petitioner removed", func(t *testing.T, p *xinfang.Petition, _ headRow) {
				exec(t, db, `DELETE FROM petition_petitioners WHERE petition_id = ? AND petitioner_id = ?`, p.ID, p.CoPetitioners[0].ID)
			}, "登记内容"},
			{"the state edited", func(t *testing.T, p *xinfang.Petition, _ headRow) {
				exec(t, db, `UPDATE petitions SET state = ? WHERE id = ?`, string(xinfang.StateConcluded), p.ID)
			}, "按办理记录应为“待签收”"},
			{"the due date edited", func(t *testing.T, p *xinfang.Petition, _ headRow) {
				exec(t, db, `UPDATE petitions SET due_date = ? WHERE id = ?`, "2027-01-01", p.ID)
			}, "密钥校验值不符"},
			{"the repeat link edited", func(t *testing.T, p *xinfang.Petition, _ headRow) {
				exec(t, db, `UPDATE petitions SET repeat_flag = 1, repeat_of_id = ? WHERE id = ?`, control.ID, p.ID)
			}, "重复件关联"},
		}
		var attacked []int64
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				p, registered := register(t)
				if err := verify(db, reg, p.ID); err != nil {
					t.Fatalf("before the attack: %v", err)
				}
				tt.attack(t, p, registered)
				attacked = append(attacked, p.ID)
				err := verify(db, reg, p.ID)
				wantErr(t, err, xinfang.ECONFLICT, "")
				if msg := xinfang.ErrorMessage(err); !strings.Contains(msg, tt.want) {
					t.Errorf("message %q does not say %q", msg, tt.want)
				}
			})
		}

		t.Run("the whole database", func(t *testing.T) {
			if err := verify(db, reg, control.ID); err != nil {
				t.Errorf("an untouched petition: %v", err)
			}
			rep, err := db.VerifyAll(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var found []int64
			for _, fd := range rep.Findings {
				found = append(found, fd.PetitionID)
			}
			slices.Sort(found)
			if !slices.Equal(found, attacked) {
				t.Errorf("VerifyAll found %v, want the attacked %v: %+v", found, attacked, rep.Findings)
			}
			if rep.Petitions != len(attacked)+1 {
				t.Errorf("VerifyAll checked %d petitions, want %d", rep.Petitions, len(attacked)+1)
			}

			// A petition deleted with all it holds leaves a gap in the
			// numbers; a counter moved past the last number is the same.
			exec(t, db, `UPDATE counters SET next = next + 1`)
			rep, err = db.VerifyAll(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			last := rep.Findings[len(rep.Findings)-1]
			if last.PetitionID != 0 || !strings.Contains(last.Record, "示例市信访局 2026 年的编号") || !strings.Contains(strings.Join(last.Problems, ""), "缺少第 "+itoa(int64(n+1))+" 号") {
				t.Errorf("numbering gap: %+v", last)
			}
		})
	})
}

// What the application itself does keeps the evidence valid: the steps of
// the procedure, a 合并, a repeat link decided later, a registration as the
// repeat of an earlier item, and a key rotation, which re-encrypts the
// personal data the registered content's MAC covers.
func TestTamperEvidenceLegitimateChanges(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		clk := fixClock(db, at("2026-06-10"))
		f := sqldbtest.NewFixture(t, db)
		reg, handler := f.Ctx(f.BureauRegistrar), f.Ctx(f.HandlerA)

		original := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, 1))
		clk.Add(time.Hour)
		repeat := f.NewPetition(f.VillageA, 2)
		repeat.RepeatOfID = original.ID
		f.MustRegister(t, f.BureauRegistrar, repeat)
		clk.Add(time.Hour)
		merged := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, 3))
		linked := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, 4))
		clk.Add(time.Hour)

		f.MustAct(t, f.BureauRegistrar, original.ID, transfer(f.TownA, 1))
		f.MustAct(t, f.HandlerA, original.ID, xinfang.ActionInput{Action: xinfang.ActSign, Version: 2})
		f.MustAct(t, f.HandlerA, original.ID, xinfang.ActionInput{Action: xinfang.ActAccept, Version: 3})
		f.MustAct(t, f.BureauRegistrar, merged.ID, xinfang.ActionInput{Action: xinfang.ActMerge, Version: 1, Data: map[string]string{"into": itoa(original.ID)}})
		if _, err := db.Repeats.DecideRepeat(reg, linked.ID, xinfang.RepeatDecisionInput{CandidateID: original.ID, Decision: xinfang.RepeatLink, Version: 1}); err != nil {
			t.Fatal(err)
		}

		all := []*xinfang.Petition{original, repeat, merged, linked}
		check := func(t *testing.T, db *sqldb.DB) {
			t.Helper()
			for _, p := range all {
				if err := verify(db, reg, p.ID); err != nil {
					t.Errorf("%s: %v", p.Number, err)
				}
			}
			if err := verify(db, handler, original.ID); err != nil {
				t.Errorf("as the handler: %v", err)
			}
			rep, err := db.VerifyAll(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Findings) != 0 || rep.Petitions != len(all) || rep.Events != 4+1+2+1 {
				t.Errorf("VerifyAll: %d petitions, %d events, findings %+v", rep.Petitions, rep.Events, rep.Findings)
			}
		}
		check(t, db)

		// A rotation with a copy of the test keys (the shared ones stay).
		keys, err := keyring.Parse(sqldbtest.Keys.Marshal())
		if err != nil {
			t.Fatal(err)
		}
		keys.Rotate()
		rotated := sqldb.NewDB(db.DSN, keys)
		if err := rotated.Open(); err != nil {
			t.Fatal(err)
		}
		defer rotated.Close()
		if n, err := rotated.Reseal(context.Background()); err != nil || n == 0 {
			t.Fatalf("reseal: %d, %v", n, err)
		}
		check(t, rotated)
	})
}

// A database of an older version holds unkeyed chains (plain SM3), and its
// register events carry no MAC of the registered content. The first start
// after the upgrade verifies each with the old rule and re-seals it keyed,
// once; a chain that fails the old verification is left as it is, so that
// the evidence stays, and VerifyAll names it.
func TestUnkeyedChainsUpgrade(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		clk := fixClock(db, at("2026-06-10"))
		f := sqldbtest.NewFixture(t, db)
		reg := f.Ctx(f.BureauRegistrar)

		var all []*xinfang.Petition
		for i := range 4 {
			p := f.NewPetition(f.VillageA, i+1)
			if i == 1 {
				p.CoPetitioners = []*xinfang.Petitioner{{Name: "李四", IDNumber: sqldbtest.IDNumber(600), Phone: "13900139000"}}
			}
			if i == 3 {
				p.RepeatOfID = all[0].ID
			}
			all = append(all, f.MustRegister(t, f.BureauRegistrar, p))
			clk.Add(time.Hour)
		}
		f.MustAct(t, f.BureauRegistrar, all[0].ID, transfer(f.TownA, 1))
		f.MustAct(t, f.HandlerA, all[0].ID, xinfang.ActionInput{Action: xinfang.ActSign, Version: 2})
		f.MustAct(t, f.BureauRegistrar, all[2].ID, transfer(f.TownB, 1))
		tampered := all[2]

		// Write the chains as the older version did: no content MAC or
		// registered repeat link, unkeyed links, no head_mac.
		unkeyed := map[int64][]string{}
		for _, p := range all {
			events, err := db.Petitions.FindEvents(reg, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"registered", "repeat", "repeat_of"} {
				delete(events[0].Data, k)
			}
			prev := ""
			for _, e := range events {
				e.PrevHash, e.Hash = prev, sqldb.UnkeyedHash(prev, e)
				data, err := json.Marshal(e.Data)
				if err != nil {
					t.Fatal(err)
				}
				tamper(t, db, `UPDATE events SET data = ?, prev_hash = ?, hash = ? WHERE id = ?`, string(data), e.PrevHash, e.Hash, e.ID)
				unkeyed[p.ID] = append(unkeyed[p.ID], e.Hash)
				prev = e.Hash
			}
			exec(t, db, `UPDATE petitions SET head_hash = ?, head_mac = '' WHERE id = ?`, prev, p.ID)
		}
		// One old chain was tampered with before the upgrade.
		tamper(t, db, `UPDATE events SET note = ? WHERE petition_id = ? AND seq = 2`, "改过", tampered.ID)
		exec(t, db, `UPDATE keyring_check SET chained = 0`)
		if !db.Postgres() {
			// tamper dropped SQLite's triggers for good: put the one the
			// upgrade lifts back, as an untouched database has it.
			exec(t, db, `CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END`)
		}
		if err := verify(db, reg, all[0].ID); err == nil {
			t.Fatal("an unkeyed chain verifies")
		}

		hashes := func(db *sqldb.DB, id int64) []string {
			events, err := db.Petitions.FindEvents(reg, id)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, e := range events {
				out = append(out, e.Hash)
			}
			return out
		}
		reopen := func() *sqldb.DB {
			again := sqldb.NewDB(db.DSN, sqldbtest.Keys)
			again.Now = db.Now
			if err := again.Open(); err != nil {
				t.Fatalf("reopen: %v", err)
			}
			t.Cleanup(func() { again.Close() })
			return again
		}
		up := reopen()
		keyed := map[int64][]string{}
		for _, p := range all {
			keyed[p.ID] = hashes(up, p.ID)
			if p == tampered {
				if !slices.Equal(keyed[p.ID], unkeyed[p.ID]) {
					t.Errorf("the tampered chain was re-sealed: %v → %v", unkeyed[p.ID], keyed[p.ID])
				}
				continue
			}
			if err := verify(up, reg, p.ID); err != nil {
				t.Errorf("%s after the upgrade: %v", p.Number, err)
			}
			if len(keyed[p.ID]) != len(unkeyed[p.ID]) || keyed[p.ID][0] == unkeyed[p.ID][0] {
				t.Errorf("%s: hashes %v, unkeyed %v", p.Number, keyed[p.ID], unkeyed[p.ID])
			}
		}
		rep, err := up.VerifyAll(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Findings) != 1 || rep.Findings[0].PetitionID != tampered.ID {
			t.Errorf("VerifyAll after the upgrade: %+v", rep.Findings)
		}
		// The registered content is covered from now on.
		exec(t, db, `UPDATE petitions SET summary = ? WHERE id = ?`, "改过的概况", all[1].ID)
		wantErr(t, verify(up, reg, all[1].ID), xinfang.ECONFLICT, "")
		exec(t, db, `UPDATE petitions SET summary = ? WHERE id = ?`, all[1].Summary, all[1].ID)

		// Once: the next start changes nothing, and events are append-only
		// again.
		again := reopen()
		for _, p := range all {
			if got := hashes(again, p.ID); !slices.Equal(got, keyed[p.ID]) {
				t.Errorf("%s: the second start changed %v to %v", p.Number, keyed[p.ID], got)
			}
		}
		if _, err := db.RawSQL().Exec(db.Rebind(`UPDATE events SET note = 'x' WHERE petition_id = ?`), all[0].ID); err == nil {
			t.Error("events are not append-only after the upgrade")
		}
	})
}
