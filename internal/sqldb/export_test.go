package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"xinfang"
)

// RawSQL exposes the write pool to the external tests, which count rows and
// tamper with stored events the way someone with database access could.
func (db *DB) RawSQL() *sql.DB { return db.wdb }

// RoundTrips is the number of statements write transactions have run,
// their begins and commits included.
func (db *DB) RoundTrips() int64 { return db.roundTrips.Load() }

// Unprepared is the number of statements write transactions have run
// unprepared on SQLite.
func (db *DB) Unprepared() int64 { return db.stmts.unprepared.Load() }

// Rebind turns "?" placeholders into the dialect's.
func (db *DB) Rebind(q string) string { return db.dialect.rebind(q) }

// ReadView runs fn in the read-only transaction the detail reads use
// (core.read), handing it a QueryRow on that transaction.
func (db *DB) ReadView(ctx context.Context, fn func(queryRow func(q string, args ...any) *sql.Row) error) error {
	return db.read(ctx, func(q rowQuerier) error {
		return fn(func(s string, args ...any) *sql.Row { return q.QueryRowContext(ctx, db.dialect.rebind(s), args...) })
	})
}

// PersonArgs are the stored id_number, id_index, phone, phone_index and
// address of a petitioner, for the benchmarks' bulk loaders.
func (db *DB) PersonArgs(idNumber, phone, address string) []any {
	idn := db.identityOf(&xinfang.Petitioner{IDNumber: idNumber, Phone: phone})
	return []any{db.Keys.Seal(sealedField("id_number"), idNumber), idn.id, db.Keys.Seal(sealedField("phone"), phone), idn.phone, db.Keys.Seal(sealedField("address"), address)}
}

// PersonIDsSQL set the person of bulk-loaded rows: each its own.
var PersonIDsSQL = []string{`UPDATE petitioners SET person_id = id WHERE person_id = 0`, `UPDATE petitions SET person_id = petitioner_id WHERE person_id = 0`}

// OnPasswordCheck has f see the hash of every password check of a login or
// password change, so that a test can tell that an unknown name costs a
// hash like a known one. Set it before the checks start.
func (db *DB) OnPasswordCheck(f func(hash string)) { db.passwordChecked = f }

// UnknownUserHash returns the hash a name that is no account is checked against.
func UnknownUserHash() string { return unknownUserHash }

// SealedField is the name a petitioner's column is sealed under.
func SealedField(col string) string { return sealedField(col) }

// UnkeyedHash is an event's link under the rule of the versions before
// migration 0014: plain SM3, which needs no key.
func UnkeyedHash(prev string, e *xinfang.Event) string { return unkeyedHash(prev, e) }

// BatchStats returns the number of batches the committers ran, the writes
// in them, the largest batch, and the batches of several writes that
// committed together.
func (db *DB) BatchStats() (batches, writes, largest, grouped int64) {
	c := db.batch
	return c.batches.Load(), c.writes.Load(), c.largest.Load(), c.commits.Load()
}

// HoldWrites makes the committers busy until release is called: each
// takes a write that waits, so that writes submitted meanwhile queue and
// go in one batch.
func (db *DB) HoldWrites(tb testing.TB) (release func()) {
	gate := make(chan struct{})
	n := db.dialect.committers()
	done := make(chan error, n)
	// One at a time, so that each goes to a committer of its own.
	for range n {
		started := make(chan struct{})
		go func() {
			done <- db.write(context.Background(), func(*Tx) error {
				close(started)
				<-gate
				return nil
			})
		}()
		<-started
	}
	return func() {
		close(gate)
		for range n {
			if err := <-done; err != nil {
				tb.Error(err)
			}
		}
	}
}

// PreparedStatements is the number of statements prepared on the writer.
func (db *DB) PreparedStatements() int { return db.stmts.len() }

// QueuedWrites is the number of writes waiting for a committer.
func (db *DB) QueuedWrites() int { return int(db.batch.queued.Load()) }

// ErrAtEnd is what WriteFailingAtEnd fails with.
var ErrAtEnd = errors.New("a write that fails at its end")

// WriteFailingAtEnd makes a write that inserts a row and then fails at the
// end of its batch, where registrations take their numbers (Tx.atEnd).
func (db *DB) WriteFailingAtEnd(ctx context.Context) error {
	return db.write(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO holidays (day, kind, name) VALUES ('2099-01-01', 'holiday', 'x')`); err != nil {
			return err
		}
		tx.atEnd(endShared, func() error { return ErrAtEnd })
		return nil
	})
}

// SetCheckpointEvery sets how often the databases opened after it
// checkpoint in the background; 0 restores the default.
func SetCheckpointEvery(d time.Duration) { checkpointTick.Store(int64(d)) }

// AskWALRestart asks the writer to finish a checkpoint after its next
// batch, as the background checkpoint does when the WAL has grown.
func (db *DB) AskWALRestart() { db.walBig.Store(true) }

// SetIndexBatchSize sets how many petitions a batch of db's index build
// takes.
func (db *DB) SetIndexBatchSize(n int) { db.index.batch = n }

// SetIndexGramSizes sets how many rows a pass of db's index build's grams
// holds and a chunk of it writes.
func (db *DB) SetIndexGramSizes(passRows, chunkRows int) {
	db.index.passRows, db.index.chunkRows = passRows, chunkRows
}

// IndexGramChunks writes n chunks of the grams of the recorded index
// build, whose batches are done, as a build stopped midway would have.
func (db *DB) IndexGramChunks(ctx context.Context, n int) error {
	b, ok, err := db.loadIndexBuild(ctx, db.rdb)
	if err != nil || !ok || b.finished || !b.batchesDone() {
		return fmt.Errorf("no build to write the grams of: %+v, %v, %v", b, ok, err)
	}
	return db.gramChunks(ctx, b, n)
}

// IndexBatches runs n batches of the recorded index build, as a build
// stopped midway would have.
func (db *DB) IndexBatches(ctx context.Context, n int) error {
	for i := 0; i < n; i++ {
		b, ok, err := db.loadIndexBuild(ctx, db.rdb)
		if err != nil || !ok || b.finished {
			return err
		}
		bb, err := db.readBatch(ctx, b, b.after)
		if err != nil {
			return err
		}
		if _, err := db.writeBatch(ctx, bb); err != nil && !errors.Is(err, errIndexMoved) {
			return err
		}
		if b, _, err = db.loadIndexBuild(ctx, db.rdb); err != nil {
			return err
		}
		db.setIndexStatus(b.status())
	}
	return nil
}

// SetIndexQueueDelay sets how long the indexer of the databases opened
// after it waits after a registration before it writes; hours keep the
// registrations queued until the test calls FlushIndex. 0 restores the
// default.
func SetIndexQueueDelay(d time.Duration) { indexQueueDelayTick.Store(int64(d)) }

// Figure computes one indicator of q (both sides) as Indicators does, for
// the benchmark of a single indicator.
func (db *IndicatorStore) Figure(ctx context.Context, q xinfang.IndicatorQuery, kind xinfang.IndicatorKind) (*xinfang.Indicator, error) {
	u, err := db.indicatorUnit(ctx, &q)
	if err != nil {
		return nil, err
	}
	var out *xinfang.Indicator
	err = db.read(ctx, func(rq rowQuerier) error {
		r := cq{db.core, rq}
		cfg, err := db.config(ctx, r)
		if err != nil {
			return err
		}
		items, err := db.figures(ctx, r, q, u, cfg, map[xinfang.IndicatorKind]bool{kind: true})
		if err == nil && len(items) == 1 {
			out = items[0]
		}
		return err
	})
	return out, err
}

// RecountDashboard forgets dash_counts as a database before migration 0071
// would hold it (nothing counted, every item to count) and, when build is
// set, counts every item again in batches of batch items, as the
// background count after the migration does.
func (db *DB) RecountDashboard(ctx context.Context, batch int, build bool) error {
	if _, err := db.wdb.ExecContext(ctx, `DELETE FROM dash_counts`); err != nil {
		return err
	}
	if _, err := db.wdb.ExecContext(ctx, `UPDATE kpi_state SET dash_upto = 0, dash_last = (SELECT COALESCE(MAX(id), 0) FROM petitions)`); err != nil {
		return err
	}
	db.dash.built.Store(false)
	db.dash.batch = cmp.Or(batch, dashBatch)
	if !build {
		return nil
	}
	return db.BuildDashboard(ctx)
}

// RecountRegistrations forgets the registrations kpi_daily counts as a
// database before migration 0070 would hold them and, when build is set,
// counts every petition again in batches of batch petitions, as the
// background count after migration 0077 does.
func (db *DB) RecountRegistrations(ctx context.Context, batch int, build bool) error {
	return db.recountPrior(ctx, db.regs, `DELETE FROM kpi_daily WHERE measure IN ('registered', 'repeat')`, batch, build)
}

// RecountMatters is RecountRegistrations for petition_matters (0017).
func (db *DB) RecountMatters(ctx context.Context, batch int, build bool) error {
	return db.recountPrior(ctx, db.matters, `DELETE FROM petition_matters`, batch, build)
}

func (db *DB) recountPrior(ctx context.Context, c *priorCounts, forget string, batch int, build bool) error {
	if _, err := db.wdb.ExecContext(ctx, forget); err != nil {
		return err
	}
	if _, err := db.wdb.ExecContext(ctx, `UPDATE kpi_state SET `+c.upto+` = 0, `+c.last+` = (SELECT COALESCE(MAX(id), 0) FROM petitions)`); err != nil {
		return err
	}
	c.built.Store(false)
	c.batch = cmp.Or(batch, priorBatch)
	if !build {
		return nil
	}
	return c.build(ctx, db.core, nil)
}

// BuildCounts counts the registrations and the matters not counted yet.
func (db *DB) BuildCounts(ctx context.Context) error {
	if err := db.regs.build(ctx, db.core, nil); err != nil {
		return err
	}
	return db.matters.build(ctx, db.core, nil)
}

// StepRegistrations and StepMatters count the next batch not counted yet;
// done reports that none is left.
func (db *DB) StepRegistrations(ctx context.Context) (done bool, err error) {
	_, done, err = db.regs.step(ctx, db.core)
	return done, err
}

func (db *DB) StepMatters(ctx context.Context) (done bool, err error) {
	_, done, err = db.matters.step(ctx, db.core)
	return done, err
}

// BuildDashboard counts the items not counted yet into dash_counts.
func (db *DB) BuildDashboard(ctx context.Context) error { return db.dash.build(ctx, db.core, nil) }

// SetRankFromText makes the repeat ranking read each candidate's text
// instead of its stored traits (the benchmarks' baseline).
func (db *DB) SetRankFromText(on bool) { db.rankFromText = on }

// SetSharedKeysCap lowers the petitions the repeat check reads for
// sharing a petitioner key with the one checked (0: the default).
func (db *DB) SetSharedKeysCap(n int) { db.sharedKeysLimit = n }

// PersonLookups are the subqueries a registration finds the person of its
// petitioner with, by ID number and by credit code.
var PersonLookups = map[string]string{"id_index": personByIDIndex, "org_code": personByOrgCode}

// RecountSevereGap counts the 超期 list's bound again from the items, as
// after an upgrade, for the tests and benchmarks that write due days
// around the writers.
func (db *DB) RecountSevereGap(ctx context.Context) error {
	if _, err := db.wdb.ExecContext(ctx, `UPDATE kpi_state SET severe_gap = 0, severe_gap_built = 0 WHERE id = 1`); err != nil {
		return err
	}
	db.severeGap.Store(0)
	return db.buildSevereGap(ctx)
}

// SevereGap returns the stored bound of the 超期 list and whether it is
// counted.
func (db *DB) SevereGap(ctx context.Context) (gap int, built bool, err error) {
	var b int
	err = db.wdb.QueryRowContext(ctx, `SELECT severe_gap, severe_gap_built FROM kpi_state WHERE id = 1`).Scan(&gap, &b)
	return gap, b == 1, err
}

// OneReader leaves the read pool one connection, so that a test sees the
// statements the reads prepared on it.
func (db *DB) OneReader() { db.rdb.SetMaxOpenConns(1) }

// ReadStatements are the texts of the statements prepared on the read
// pool (SQLite).
func (db *DB) ReadStatements() []string {
	db.rstmts.mu.Lock()
	defer db.rstmts.mu.Unlock()
	qs := make([]string, 0, len(db.rstmts.stmts))
	for q := range db.rstmts.stmts {
		qs = append(qs, q)
	}
	return qs
}

// WriteReadingPool runs a write whose function reads, outside its Tx,
// whether a unit of code exists (core.queryRow), as some writes' functions
// read through the pool.
func (db *DB) WriteReadingPool(ctx context.Context, code string) (found bool, err error) {
	err = db.write(ctx, func(tx *Tx) error {
		var n int
		if err := db.queryRow(ctx, `SELECT COUNT(*) FROM units WHERE code = ?`, code).Scan(&n); err != nil {
			return err
		}
		found = n > 0
		return nil
	})
	return found, err
}
