package sqldb

import (
	"context"
	"database/sql"
	"xinfang"
)

// RawSQL exposes the write pool to the external tests, which count rows and
// tamper with stored events the way someone with database access could.
func (db *DB) RawSQL() *sql.DB { return db.wdb }

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

// SetIndexBatchSize sets how many petitions a batch of db's index build
// takes.
func (db *DB) SetIndexBatchSize(n int) { db.index.batch = n }

// IndexBatches runs n batches of the recorded index build, as a build
// stopped midway would have.
func (db *DB) IndexBatches(ctx context.Context, n int) error {
	for i := 0; i < n; i++ {
		b, ok, err := db.loadIndexBuild(ctx, db.rdb)
		if err != nil || !ok || b.finished {
			return err
		}
		if _, err := db.indexBatch(ctx, b); err != nil {
			return err
		}
	}
	return nil
}
