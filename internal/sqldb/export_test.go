package sqldb

import "database/sql"

// RawSQL exposes the write pool to the external tests, which count rows and
// tamper with stored events the way someone with database access could.
func (db *DB) RawSQL() *sql.DB { return db.wdb }

// Rebind turns "?" placeholders into the dialect's.
func (db *DB) Rebind(q string) string { return db.dialect.rebind(q) }
