package sqldb_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/keyring"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// registrations registers petitions from several goroutines until halted,
// keeping the number of every one the storage acknowledged, in order.
type registrations struct {
	mu    sync.Mutex
	acked []string
	err   error
	stop  chan struct{}
	wg    sync.WaitGroup
}

func startRegistrations(t *testing.T, f *sqldbtest.Fixture, workers int) *registrations {
	t.Helper()
	r := &registrations{stop: make(chan struct{})}
	for w := range workers {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			for k := 0; ; k++ {
				select {
				case <-r.stop:
					return
				default:
				}
				p := f.NewPetition(f.VillageA, w*1000+k)
				if err := f.DB.Petitions.RegisterPetition(f.Ctx(f.RegistrarA), p); err != nil {
					r.mu.Lock()
					r.err = err
					r.mu.Unlock()
					return
				}
				r.mu.Lock()
				r.acked = append(r.acked, p.Number)
				r.mu.Unlock()
			}
		}()
	}
	t.Cleanup(r.halt)
	return r
}

// acknowledged returns the numbers acknowledged so far.
func (r *registrations) acknowledged() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.acked...)
}

// waitFor waits until n more registrations than now are acknowledged.
func (r *registrations) waitFor(t *testing.T, n int) {
	t.Helper()
	want := len(r.acknowledged()) + n
	deadline := time.Now().Add(time.Minute)
	for len(r.acknowledged()) < want {
		r.mu.Lock()
		err := r.err
		r.mu.Unlock()
		if err != nil {
			t.Fatalf("registration failed: %v", err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("registrations stalled at %d", len(r.acknowledged()))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (r *registrations) halt() {
	select {
	case <-r.stop:
	default:
		close(r.stop)
	}
	r.wg.Wait()
}

// TestBackupWhileRegistering backs up a database while registrations run,
// restores the backup into a fresh database of each kind, and finds there
// every petition acknowledged before the backup started, nothing that was
// never acknowledged, unbroken hash chains, and ids that go on from the
// restored ones.
func TestBackupWhileRegistering(t *testing.T) {
	for _, c := range []struct {
		name   string
		source string
		format sqldb.BackupFormat
		target string // "sqlite": a new file; "sqlite-opened", "postgres-opened": a database opened (migrated, seeded) but empty; "postgres": created, never opened
	}{
		{"sqlite snapshot to sqlite", "sqlite", sqldb.Snapshot, "sqlite"},
		{"sqlite snapshot to opened sqlite", "sqlite", sqldb.Snapshot, "sqlite-opened"},
		{"sqlite snapshot to postgres", "sqlite", sqldb.Snapshot, "postgres-opened"},
		{"sqlite export to postgres", "sqlite", sqldb.Export, "postgres"},
		{"postgres export to sqlite", "postgres", sqldb.Export, "sqlite"},
		{"postgres export to postgres", "postgres", sqldb.Export, "postgres-opened"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			src := sqldbtest.Open(t, c.source)
			f := sqldbtest.NewFixture(t, src)
			// Some history beyond registration: a transferred and signed item.
			p := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, 999))
			p = f.MustAct(t, f.BureauRegistrar, p.ID, transfer(f.TownA, p.Version))
			f.MustAct(t, f.HandlerA, p.ID, xinfang.ActionInput{Action: "sign", Version: p.Version})

			regs := startRegistrations(t, f, 3)
			regs.waitFor(t, 10)
			before := regs.acknowledged()
			file := filepath.Join(t.TempDir(), "backup")
			m, err := sqldb.Backup(ctx, src.DSN, file, c.format)
			if err != nil {
				t.Fatalf("backup: %v", err)
			}
			during := len(regs.acknowledged()) - len(before)
			regs.waitFor(t, 5) // registrations went on after the backup
			regs.halt()
			after := regs.acknowledged()
			t.Logf("%d acknowledged before the backup, %d during it, %d in all; the backup holds %d rows", len(before), during, len(after), m.Rows())

			if r, err := sqldb.VerifyBackup(ctx, file, sqldbtest.Keys); err != nil {
				t.Fatalf("verify: %v (%+v)", err, r.Checks)
			}

			var dsn string
			switch c.target {
			case "sqlite":
				dsn = filepath.Join(t.TempDir(), "restored.db")
			case "sqlite-opened":
				dsn = sqldbtest.Open(t, "sqlite").DSN
			case "postgres":
				dsn = sqldbtest.PostgresDSN(t)
			case "postgres-opened":
				dsn = sqldbtest.Open(t, "postgres").DSN
			}
			if _, err := sqldb.Restore(ctx, dsn, sqldbtest.Keys, file); err != nil {
				t.Fatalf("restore: %v", err)
			}
			dst := sqldb.NewDB(dsn, sqldbtest.Keys)
			if err := dst.Open(); err != nil {
				t.Fatalf("open the restored database: %v", err)
			}
			defer dst.Close()

			restored := map[string]bool{}
			rows, err := dst.RawSQL().Query(`SELECT number FROM petitions`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var n string
				rows.Scan(&n)
				restored[n] = true
			}
			rows.Close()
			for _, n := range before {
				if !restored[n] {
					t.Errorf("petition %s, acknowledged before the backup started, is not in the restored database", n)
				}
			}
			known := map[string]bool{p.Number: true}
			for _, n := range after {
				known[n] = true
			}
			for n := range restored {
				if !known[n] {
					t.Errorf("the restored database has petition %s, which was never acknowledged", n)
				}
			}

			// The restored database is whole: a backup of it verifies,
			// with the same rows in every table.
			again := filepath.Join(t.TempDir(), "again")
			m2, err := sqldb.Backup(ctx, dsn, again, sqldb.Export)
			if err != nil {
				t.Fatalf("back up the restored database: %v", err)
			}
			if r, err := sqldb.VerifyBackup(ctx, again, sqldbtest.Keys); err != nil {
				t.Fatalf("verify the restored database's backup: %v (%+v)", err, r.Checks)
			}
			rowsOf := func(m *sqldb.Manifest) map[string]int64 {
				out := map[string]int64{}
				for _, t := range m.Tables {
					out[t.Name] = t.Rows
				}
				return out
			}
			got, want := rowsOf(m2), rowsOf(m)
			// The restored database's indexer may have moved queued
			// petitions into the index meanwhile: their documents are in
			// one table or the other, and the grams follow.
			derived := map[string]bool{"index_queue": true, "search_docs": true, "petition_grams": true, "gram_stats": true}
			for name, n := range want {
				if name != "migrations" && !derived[name] && got[name] != n {
					t.Errorf("table %s: %d rows restored, %d backed up", name, got[name], n)
				}
			}
			if g, w := got["search_docs"]+got["index_queue"], want["search_docs"]+want["index_queue"]; g != w {
				t.Errorf("%d search documents and queued petitions restored, %d backed up", g, w)
			}
			if len(got) != len(want) {
				t.Errorf("%d tables restored, %d backed up", len(got), len(want))
			}

			// The restored database works on: its ids go on past the
			// restored ones, its search finds a restored petition.
			ctx = xinfang.NewContextWithUser(ctx, f.RegistrarA)
			np := f.NewPetition(f.VillageA, 777)
			if err := dst.Petitions.RegisterPetition(ctx, np); err != nil {
				t.Fatalf("register in the restored database: %v", err)
			}
			if _, err := dst.Petitions.VerifyEvents(ctx, np.ID); err != nil {
				t.Errorf("new petition's chain: %v", err)
			}
			if _, err := dst.Petitions.VerifyEvents(xinfang.NewContextWithUser(context.Background(), f.HandlerA), p.ID); err != nil {
				t.Errorf("restored petition's chain: %v", err)
			}
			// 拖欠 is a two-character word: on SQLite the bigram index answers it.
			for _, q := range []string{before[0], "工资拖欠", "拖欠"} {
				found, _, _, err := dst.Search.SearchPetitions(ctx, q, 10, 0)
				if err != nil {
					t.Fatalf("search the restored database: %v", err)
				}
				if len(found) == 0 {
					t.Errorf("search for %s finds nothing in the restored database", q)
				}
			}
		})
	}
}

// TestRestoreOnlyIntoEmpty refuses a database that holds data, names it,
// and changes nothing in it.
func TestRestoreOnlyIntoEmpty(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := sqldbtest.NewFixture(t, db)
		f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, 1))
		file := filepath.Join(t.TempDir(), "backup")
		if _, err := sqldb.Backup(ctx, db.DSN, file, sqldb.Export); err != nil {
			t.Fatal(err)
		}
		before := counts(t, db)
		_, err := sqldb.Restore(ctx, db.DSN, sqldbtest.Keys, file)
		if err == nil || !strings.Contains(err.Error(), "not empty") {
			t.Fatalf("restore into a database with data: %v, want a refusal", err)
		}
		name := db.DSN
		if db.Postgres() {
			name = name[strings.Index(name, "@")+1 : strings.Index(name, "?")]
		}
		if !strings.Contains(err.Error(), name) {
			t.Errorf("the refusal %q does not name the database %s", err, name)
		}
		if after := counts(t, db); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("rows changed by a refused restore: %v, were %v", after, before)
		}
	})
}

// TestFailedRestoreLeavesTargetEmpty: a damaged backup, or the wrong keys,
// fail the restore midway or at its end; the database stays empty (a new
// SQLite file is removed).
func TestFailedRestoreLeavesTargetEmpty(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := sqldbtest.NewFixture(t, db)
		for i := range 5 {
			f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, i))
		}
		dir := t.TempDir()
		export, snapshot := filepath.Join(dir, "export"), filepath.Join(dir, "snapshot")
		if _, err := sqldb.Backup(ctx, db.DSN, export, sqldb.Export); err != nil {
			t.Fatal(err)
		}
		if !db.Postgres() {
			if _, err := sqldb.Backup(ctx, db.DSN, snapshot, sqldb.Snapshot); err != nil {
				t.Fatal(err)
			}
		}
		truncated := filepath.Join(dir, "truncated")
		b, _ := os.ReadFile(export)
		os.WriteFile(truncated, b[:len(b)*2/3], 0o600)
		otherKeys := keyring.Generate()

		for _, c := range []struct {
			name, file string
			keys       *keyring.Keyring
			want       string
		}{
			{"truncated export", truncated, sqldbtest.Keys, ""},
			{"wrong keys, export", export, otherKeys, "keys"},
			{"wrong keys, snapshot", snapshot, otherKeys, "keys"},
		} {
			if c.file == snapshot && db.Postgres() {
				continue
			}
			for _, target := range []string{"sqlite", "postgres"} {
				if target == "postgres" && !db.Postgres() {
					continue // one PostgreSQL target per dialect run is enough
				}
				var dsn string
				if target == "sqlite" {
					dsn = filepath.Join(t.TempDir(), "restored.db")
				} else {
					dsn = sqldbtest.PostgresDSN(t)
				}
				_, err := sqldb.Restore(ctx, dsn, c.keys, c.file)
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Errorf("%s into %s: %v, want an error about %q", c.name, target, err, c.want)
					continue
				}
				if target == "sqlite" {
					if _, err := os.Stat(dsn); !os.IsNotExist(err) {
						t.Errorf("%s into %s: the new file stays after the failed restore (%v)", c.name, target, err)
					}
					continue
				}
				after := sqldb.NewDB(dsn, c.keys)
				if err := after.Open(); err != nil {
					t.Fatalf("%s: open the database after the failed restore: %v", c.name, err)
				}
				for _, table := range []string{"units", "users", "petitions", "events"} {
					if n := count(t, after, table); n != 0 {
						t.Errorf("%s into %s: %d rows in %s after the failed restore", c.name, target, n, table)
					}
				}
				after.Close()
			}
		}
	})
}

// TestVerifyBackupFindsDamage: a backup changed in any way after it was
// made — bytes flipped, cut short, another schema version, a row deleted —
// fails verification; the backup as made passes, with and without keys.
func TestVerifyBackupFindsDamage(t *testing.T) {
	ctx := context.Background()
	db := sqldbtest.Open(t, "sqlite")
	f := sqldbtest.NewFixture(t, db)
	for i := range 8 {
		p := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, i))
		f.MustAct(t, f.BureauRegistrar, p.ID, transfer(f.TownA, p.Version))
	}
	marked := f.NewPetition(f.VillageA, 100)
	marked.Summary = "反映村道塌方无人修复问题"
	f.MustRegister(t, f.BureauRegistrar, marked)
	dir := t.TempDir()
	snapshot, export := filepath.Join(dir, "snapshot"), filepath.Join(dir, "export")
	if _, err := sqldb.Backup(ctx, db.DSN, snapshot, sqldb.Snapshot); err != nil {
		t.Fatal(err)
	}
	if _, err := sqldb.Backup(ctx, db.DSN, export, sqldb.Export); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{snapshot, export} {
		for _, keys := range []*keyring.Keyring{nil, sqldbtest.Keys} {
			r, err := sqldb.VerifyBackup(ctx, file, keys)
			if err != nil {
				t.Fatalf("%s as made: %v", filepath.Base(file), err)
			}
			skipped := 0
			for _, c := range r.Checks {
				if c.Skipped {
					skipped++
				}
			}
			if (keys == nil) != (skipped > 0) {
				t.Errorf("%s, keys %v: %d checks skipped", filepath.Base(file), keys != nil, skipped)
			}
		}
	}
	if _, err := sqldb.VerifyBackup(ctx, export, keyring.Generate()); err == nil || !strings.Contains(err.Error(), "keys") {
		t.Errorf("verify with other keys: %v, want an error about the keys", err)
	}

	snapBytes, _ := os.ReadFile(snapshot)
	exportLines := gunzipLines(t, export)

	for _, c := range []struct {
		name string
		base string // snapshot or export
		// damage returns the damaged file's content, or changes the copy
		// at path itself and returns nil.
		damage func(t *testing.T, path string) []byte
	}{
		{"snapshot: a byte of a petition's text flipped", snapshot, func(t *testing.T, path string) []byte {
			b := bytes.Clone(snapBytes)
			i := bytes.Index(b, []byte(marked.Summary))
			if i < 0 {
				t.Fatal("the marked summary is not in the snapshot")
			}
			b[i+4] ^= 0x01
			return b
		}},
		{"snapshot: page bytes flipped", snapshot, func(t *testing.T, path string) []byte {
			b := bytes.Clone(snapBytes)
			page := 4096
			for i := 2 * page; i < 2*page+16; i++ {
				b[i] ^= 0xff
			}
			return b
		}},
		{"snapshot: truncated", snapshot, func(t *testing.T, path string) []byte {
			return snapBytes[:len(snapBytes)/2]
		}},
		{"snapshot: another schema version", snapshot, func(t *testing.T, path string) []byte {
			execSQLite(t, path, `UPDATE xinfang_backup SET manifest = replace(manifest, '"schema":"`+latestSchema(t)+`"', '"schema":"0999_future.sql"')`)
			return nil
		}},
		{"snapshot: a migration the program does not know", snapshot, func(t *testing.T, path string) []byte {
			execSQLite(t, path, `INSERT INTO migrations (name) VALUES ('migrations/sqlite/0999_future.sql')`)
			return nil
		}},
		{"snapshot: an event deleted", snapshot, func(t *testing.T, path string) []byte {
			execSQLite(t, path, `DROP TRIGGER events_no_delete`, `DELETE FROM events WHERE id = (SELECT MAX(id) FROM events)`)
			return nil
		}},
		{"snapshot: a unit deleted", snapshot, func(t *testing.T, path string) []byte {
			execSQLite(t, path, `PRAGMA foreign_keys = OFF`, `DELETE FROM units WHERE code = 'JZ01'`)
			return nil
		}},
		{"export: bytes flipped", export, func(t *testing.T, path string) []byte {
			b, _ := os.ReadFile(path)
			b[len(b)/2] ^= 0x5a
			return b
		}},
		{"export: truncated", export, func(t *testing.T, path string) []byte {
			b, _ := os.ReadFile(path)
			return b[:len(b)-200]
		}},
		{"export: another schema version", export, func(t *testing.T, path string) []byte {
			lines := slicesClone(exportLines)
			lines[0] = strings.Replace(lines[0], `"schema":"`+latestSchema(t)+`"`, `"schema":"0999_future.sql"`, 1)
			return gzipLines(t, lines)
		}},
		{"export: an event deleted", export, func(t *testing.T, path string) []byte {
			var lines []string
			in, dropped := false, false
			for _, l := range exportLines {
				if strings.HasPrefix(l, `{"table":`) {
					in = l == `{"table":"events"}`
				} else if in && !dropped && strings.HasPrefix(l, "[") {
					dropped = true
					continue
				}
				lines = append(lines, l)
			}
			return gzipLines(t, lines)
		}},
		{"export: a value changed", export, func(t *testing.T, path string) []byte {
			lines := slicesClone(exportLines)
			for i, l := range lines {
				if strings.Contains(l, marked.Summary) {
					lines[i] = strings.Replace(l, marked.Summary, "反映其他问题", 1)
				}
			}
			return gzipLines(t, lines)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "damaged")
			orig, _ := os.ReadFile(c.base)
			os.WriteFile(path, orig, 0o600)
			if b := c.damage(t, path); b != nil {
				os.WriteFile(path, b, 0o600)
			}
			for _, keys := range []*keyring.Keyring{nil, sqldbtest.Keys} {
				r, err := sqldb.VerifyBackup(ctx, path, keys)
				if err == nil {
					t.Fatalf("verify passed a damaged backup (keys %v): %+v", keys != nil, r.Checks)
				}
				t.Logf("keys %v: %v", keys != nil, err)
			}
			if c.base == snapshot {
				if _, err := sqldb.Restore(ctx, filepath.Join(t.TempDir(), "restored.db"), sqldbtest.Keys, path); err == nil {
					t.Errorf("restore took the damaged backup")
				}
			}
		})
	}
}

// execSQLite changes a snapshot the way someone with the file could,
// through a plain connection (Open would migrate it).
// TestVerifyBackupFindsTampering: an event edited in the database before
// the backup is copied faithfully, so the file's own checks pass; the
// hash chains, checked when the keys are given, find it.
func TestVerifyBackupFindsTampering(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := sqldbtest.NewFixture(t, db)
		for i := range 3 {
			p := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, i))
			f.MustAct(t, f.BureauRegistrar, p.ID, transfer(f.TownA, p.Version))
		}
		raw := db.RawSQL()
		stmts := []string{`DROP TRIGGER events_no_update`, `UPDATE events SET note = '已改' WHERE seq = 2 AND petition_id = (SELECT MIN(petition_id) FROM events)`}
		if db.Postgres() {
			stmts[0] = `DROP TRIGGER events_no_update ON events`
		}
		for _, s := range stmts {
			if _, err := raw.Exec(s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
		file := filepath.Join(t.TempDir(), "backup")
		if _, err := sqldb.Backup(ctx, db.DSN, file, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := sqldb.VerifyBackup(ctx, file, nil); err != nil {
			t.Fatalf("without keys, the file's own checks: %v", err)
		}
		_, err := sqldb.VerifyBackup(ctx, file, sqldbtest.Keys)
		if err == nil || !strings.Contains(err.Error(), "哈希链") {
			t.Fatalf("with keys: %v, want the hash chain to fail", err)
		}
		t.Log(err)
	})
}

func execSQLite(t *testing.T, path string, stmts ...string) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	for _, s := range stmts {
		if _, err := raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func gunzipLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	sc := bufio.NewScanner(gz)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

func gzipLines(t *testing.T, lines []string) []byte {
	t.Helper()
	var b bytes.Buffer
	gz := gzip.NewWriter(&b)
	for _, l := range lines {
		gz.Write([]byte(l + "\n"))
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

// latestSchema is the name of the newest migration: a backup's schema.
func latestSchema(t *testing.T) string {
	t.Helper()
	entries, err := os.ReadDir("migrations/sqlite")
	if err != nil || len(entries) == 0 {
		t.Fatalf("migrations: %v", err)
	}
	return entries[len(entries)-1].Name()
}
