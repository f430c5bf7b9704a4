package sqldb_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// BenchmarkLedgerPostgres10M runs the cases of BenchmarkLedger1M but the
// text filter's on PostgreSQL: over 10,000,000 petitions with
// XINFANG_BENCH_10M=1 (BENCHMARKS.md gives the size and build time of the
// set), over 1,000,000 with XINFANG_BENCH_1M=1, and otherwise over
// benchSize(100_000), which CI builds in seconds so that the loader cannot
// rot. Without PostgreSQL it skips, in CI it fails (RequirePostgres).
func BenchmarkLedgerPostgres10M(b *testing.B) {
	n := benchSize(100_000)
	switch {
	case os.Getenv("XINFANG_BENCH_10M") == "1":
		n = 10_000_000
	case os.Getenv("XINFANG_BENCH_1M") == "1":
		n = 1_000_000
	}
	sqldbtest.RequirePostgres(b)
	db, lf := pgLedgerDB(b, n)
	// No text filter: the search index of 10,000,000 petitions is not
	// built (the text filter is not among the ledger's goals there).
	benchmarkLedgerOn(b, db, lf, false)
}

// pgLedgerVersion changes whenever the PostgreSQL loader writes something
// else beside the generator's rows.
const pgLedgerVersion = "1"

// pgLedgerBuilt begins the comment a finished build leaves on its
// database: a database without it is an interrupted build.
const pgLedgerBuilt = "xinfang ledger benchmark:"

// pgLedgerDB opens the ledger database of n petitions on the test server,
// building it the first time. It is kept on the server as
// xinfang_bench_ledger_<n>_<key>, the key a hash of the generator's and
// the loader's versions, so that later runs start at once; a new
// migration is applied when the store opens it, as to the SQLite file.
// Drop the database to build it again.
func pgLedgerDB(b *testing.B, n int) (*sqldb.DB, ledgerFixture) {
	b.Helper()
	server := sqldbtest.PostgresServer()
	admin, err := sql.Open("pgx", server)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	h := sha256.New()
	fmt.Fprintf(h, "data v%s postgres v%s", ledgerDataVersion, pgLedgerVersion)
	name := fmt.Sprintf("xinfang_bench_ledger_%d_%s", n, hex.EncodeToString(h.Sum(nil))[:12])
	u, err := url.Parse(server)
	if err != nil {
		b.Fatal(err)
	}
	u.Path = "/" + name
	dsn := u.String()
	var note sql.NullString
	err = admin.QueryRow(`SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1`, name).Scan(&note)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		b.Fatal(err)
	}
	if !strings.HasPrefix(note.String, pgLedgerBuilt) {
		if exists {
			b.Logf("%s is an interrupted build: building it again", name)
			if _, err := admin.Exec(`DROP DATABASE ` + name + ` WITH (FORCE)`); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		buildPgLedger(b, dsn, n)
		took := time.Since(start).Round(time.Second)
		var size int64
		if err := admin.QueryRow(`SELECT pg_database_size($1)`, name).Scan(&size); err != nil {
			b.Fatal(err)
		}
		note := fmt.Sprintf("%s %d petitions, built in %s (%.2f GB) on %s", pgLedgerBuilt, n, took, float64(size)/1e9, time.Now().Format(time.DateOnly))
		if _, err := admin.Exec(`COMMENT ON DATABASE ` + name + ` IS '` + note + `'`); err != nil {
			b.Fatal(err)
		}
		b.Logf("built %d petitions in %s, %.2f GB: %s", n, took, float64(size)/1e9, name)
	}
	db := sqldb.NewDB(dsn, sqldbtest.Keys)
	start := time.Now()
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	// Open migrates a database built by an earlier version of this code:
	// what an upgrade's start takes.
	b.Logf("opened in %s", time.Since(start).Round(time.Millisecond))
	b.Cleanup(func() { db.Close() })
	// The indexes serve builds after its start, which a database of an
	// earlier version of this code lacks (a minute or two at 10M, once).
	start = time.Now()
	if err := db.BuildOnlineIndexes(context.Background()); err != nil {
		b.Fatal(err)
	}
	if took := time.Since(start); took > time.Second {
		b.Logf("online indexes built in %s", took.Round(time.Second))
	}
	severeGap(b, db)
	return db, ledgerFixtureOf(b, db)
}

// buildPgLedger writes the generator's city and n petitions into the new
// database at dsn: the city through the storage API, the petitions, their
// petitioners and the backlog cases with COPY, the same rows buildLedger
// inserts into SQLite, then what the store keeps beside them. What the
// ledger's lists read is made complete, as the store would keep it:
//   - the 态势 counts (dash_counts), from which a subtree's list by
//     channel or category is counted, by the store's own count of items
//     loaded without it (RecountDashboard, as after an upgrade);
//   - the watch list's petition_matters and kept rows, by the store's
//     rebuild for bulk loads (RebuildWatchIndex), so that a start does
//     not build them while the benchmark runs.
//
// The search and repeat indexes are not built: only the text filter and
// search read them, and `serve` would build them in the background
// (StartIndexBuild), which Open does not. No events and no indicator facts
// are written, as in buildLedger: the lists read only the projection.
func buildPgLedger(b *testing.B, dsn string, n int) {
	b.Helper()
	ctx := context.Background()
	db := sqldb.NewDB(dsn, sqldbtest.Keys)
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	g, leader := ledgerCity(b, db)
	g.rng = rand.New(rand.NewPCG(2026, uint64(n)))
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	// A crash while building loses a database that is built again.
	for _, q := range []string{`SET synchronous_commit = off`, `SET maintenance_work_mem = '2GB'`} {
		if _, err := conn.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	step := func(what string, fn func() error) {
		b.Helper()
		start := time.Now()
		if err := fn(); err != nil {
			b.Fatalf("%s: %v", what, err)
		}
		b.Logf("%s: %s", what, time.Since(start).Round(time.Millisecond))
	}
	exec := func(qs ...string) func() error {
		return func() error {
			for _, q := range qs {
				if _, err := conn.Exec(ctx, q); err != nil {
					return fmt.Errorf("%s: %w", q, err)
				}
			}
			return nil
		}
	}
	// Loaded without their secondary indexes and constraints, which are
	// made once at the end: each built from sorted rows, each constraint
	// checked by one join, rather than 30 index insertions and 8 look-ups
	// for every row.
	var kept []pgDef
	step("drop the secondary indexes and constraints", func() (err error) {
		kept, err = dropSecondary(ctx, conn, []string{"petitioners", "petitions", "petition_petitioners"})
		return err
	})
	step(fmt.Sprintf("copy %d petitioners and petitions", n), func() error { return g.copyPetitions(ctx, b, dsn, n) })
	step("link the petitioners", exec(`INSERT INTO petition_petitioners (petition_id, petitioner_id) SELECT id, petitioner_id FROM petitions`))
	step("copy the backlog cases", func() error { return g.copyCases(ctx, conn, n, leader) })
	step("advance the keys' sequences", exec(
		`SELECT setval(pg_get_serial_sequence('petitioners', 'id'), MAX(id)) FROM petitioners`,
		`SELECT setval(pg_get_serial_sequence('petitions', 'id'), MAX(id)) FROM petitions`,
		`SELECT setval(pg_get_serial_sequence('cases', 'id'), MAX(id)) FROM cases`))
	for _, d := range kept {
		step(d.name, exec(d.create()))
	}
	step("analyze", exec(`ANALYZE`))
	step("count the 态势 counts", func() error { return db.RecountDashboard(ctx, 0, true) })
	step("build the watch list's matters and rows", func() error { return db.RebuildWatchIndex(ctx) })
	// Sets the visibility map, which index-only scans (the lists' counts)
	// need, and the statistics; autovacuum would in time, and may be off.
	step("vacuum and analyze", exec(`VACUUM (ANALYZE)`))
}

// pgDef is a secondary index or a constraint of a table, as
// pg_get_indexdef and pg_get_constraintdef give it.
type pgDef struct {
	table, name, def string
	constraint       bool
}

func (d pgDef) create() string {
	if d.constraint {
		return `ALTER TABLE ` + d.table + ` ADD CONSTRAINT ` + pgx.Identifier{d.name}.Sanitize() + ` ` + d.def
	}
	return d.def
}

// dropSecondary drops the indexes but the primary keys, and the unique
// and foreign key constraints, of tables, and returns them in the order
// to make them again: indexes, unique constraints, then the foreign keys,
// which may refer to a unique constraint.
func dropSecondary(ctx context.Context, conn *pgx.Conn, tables []string) ([]pgDef, error) {
	rows, err := conn.Query(ctx, `SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), false, 0
		FROM pg_index i WHERE i.indrelid = ANY($1::regclass[])
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
		UNION ALL
		SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), true, CASE c.contype WHEN 'u' THEN 1 ELSE 2 END
		FROM pg_constraint c WHERE c.conrelid = ANY($1::regclass[]) AND c.contype IN ('u', 'f')
		ORDER BY 5, 1, 2`, tables)
	if err != nil {
		return nil, err
	}
	defs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (pgDef, error) {
		var d pgDef
		var rank int
		return d, r.Scan(&d.table, &d.name, &d.def, &d.constraint, &rank)
	})
	if err != nil {
		return nil, err
	}
	for i := len(defs) - 1; i >= 0; i-- {
		d := defs[i]
		q := `DROP INDEX ` + d.name
		if d.constraint {
			q = `ALTER TABLE ` + d.table + ` DROP CONSTRAINT ` + pgx.Identifier{d.name}.Sanitize()
		}
		if _, err := conn.Exec(ctx, q); err != nil {
			return nil, fmt.Errorf("%s: %w", q, err)
		}
	}
	return defs, nil
}

// ledgerChunk is a run of generated rows with their petitioners' sealed
// fields (PersonArgs).
type ledgerChunk struct {
	first  int
	rows   []ledgerRow
	sealed [][]any
}

// copyPetitions writes petitioners and petitions 0..n-1, with ids i+1 as
// buildLedger's inserts give them, each person its own (PersonIDsSQL), by
// two COPYs on connections of their own that run at once. The rows are
// drawn in order from g.rng; sealing the petitioners' ID numbers, phones
// and addresses, the costly part, is shared by two goroutines.
func (g *ledgerGen) copyPetitions(ctx context.Context, b *testing.B, dsn string, n int) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	const size = 5000
	outs := []chan *ledgerChunk{make(chan *ledgerChunk, 4), make(chan *ledgerChunk, 4)}
	go func() {
		defer func() {
			for _, o := range outs {
				close(o)
			}
		}()
		start, logged := time.Now(), time.Now()
		for from := 0; from < n; from += size {
			c := &ledgerChunk{first: from, rows: make([]ledgerRow, min(size, n-from))}
			for j := range c.rows {
				c.rows[j] = g.row(from + j)
			}
			c.sealed = make([][]any, len(c.rows))
			var wg sync.WaitGroup
			for w := range 2 {
				wg.Go(func() {
					for j := w; j < len(c.rows); j += 2 {
						r := &c.rows[j]
						c.sealed[j] = g.db.PersonArgs(r.idNumber, r.phone, r.address)
					}
				})
			}
			wg.Wait()
			for _, o := range outs {
				select {
				case o <- c:
				case <-ctx.Done():
					return
				}
			}
			if time.Since(logged) > time.Minute {
				done := from + len(c.rows)
				b.Logf("generated %d of %d petitions, %.0f a second", done, n, float64(done)/time.Since(start).Seconds())
				logged = time.Now()
			}
		}
	}()
	tables := []struct {
		name string
		cols []string
		row  func(id int64, r *ledgerRow, sealed []any) []any
	}{
		{"petitioners", []string{"id", "name", "id_type", "id_number", "id_index", "phone", "phone_index", "address", "created_at", "person_id"},
			func(id int64, r *ledgerRow, s []any) []any {
				return []any{id, r.name, "id_card", s[0], s[1], s[2], s[3], s[4], r.received, id}
			}},
		{"petitions", []string{"id", "number", "query_hash", "version", "channel", "received_at", "reg_unit_id", "reg_user_id", "first_unit_id", "petitioner_id",
			"person_count", "involved_count", "grp", "summary", "content", "request", "category", "purpose", "locality_id", "legal_case", "repeat_flag",
			"state", "handling_unit_id", "outcome", "evaluation", "due_date", "severe_date", "due_clock", "reg_path", "handling_path", "created_at", "updated_at", "person_id"},
			func(id int64, r *ledgerRow, _ []any) []any {
				return []any{id, r.number, r.queryHash, 3, r.channel, r.received, r.regID, g.registrar.ID, r.regID, id,
					r.persons, r.involved, r.grp, r.summary, r.content, ledgerRequest, r.category, r.purpose, r.localityID, r.legalCase, r.repeat,
					r.state, r.handlingID, r.outcome, "", r.due, r.severe, r.dueClock, r.regPath, r.handlingPath, r.received, r.received, id}
			}},
	}
	var wg sync.WaitGroup
	for k, t := range tables {
		wg.Go(func() {
			conn, err := pgx.Connect(ctx, dsn)
			if err != nil {
				cancel(err)
				return
			}
			defer conn.Close(context.Background())
			if _, err := conn.Exec(ctx, `SET synchronous_commit = off`); err != nil {
				cancel(err)
				return
			}
			var c *ledgerChunk
			j := 0
			_, err = conn.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromFunc(func() ([]any, error) {
				if c == nil || j == len(c.rows) {
					var ok bool
					if c, ok = <-outs[k]; !ok {
						return nil, nil
					}
					j = 0
				}
				j++
				return t.row(int64(c.first+j), &c.rows[j-1], c.sealed[j-1]), nil
			}))
			if err != nil {
				cancel(fmt.Errorf("copy %s: %w", t.name, err))
				// Let the generator end.
				for range outs[k] {
				}
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

// copyCases writes the backlog cases of a ledger of n petitions, as
// ledgerGen.cases does, with COPY.
func (g *ledgerGen) copyCases(ctx context.Context, conn *pgx.Conn, n int, leader *xinfang.User) error {
	var cases, links [][]any
	for i := range ledgerCases(n) {
		c := g.caseRow(i, n, leader)
		id := int64(i + 1)
		cases = append(cases, []any{id, c.number, c.title, c.source, c.summary, c.petitioners, c.unitID, c.unitPath, c.leaderID, c.deadline, c.state,
			g.registrar.ID, c.created, c.created})
		for _, p := range c.petitions {
			links = append(links, []any{id, p})
		}
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"cases"}, []string{"id", "number", "title", "source", "summary", "petitioners",
		"responsible_unit_id", "responsible_path", "leader_id", "deadline", "state", "created_by", "created_at", "updated_at"}, pgx.CopyFromRows(cases)); err != nil {
		return err
	}
	_, err := conn.CopyFrom(ctx, pgx.Identifier{"case_petitions"}, []string{"case_id", "petition_id"}, pgx.CopyFromRows(links))
	return err
}
