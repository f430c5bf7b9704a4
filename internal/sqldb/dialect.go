package sqldb

import (
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	sqlite3 "modernc.org/sqlite"
)

// dialect is all that differs between SQLite and PostgreSQL.
type dialect interface {
	name() string
	rebind(q string) string // "?" placeholders to the dialect's
	unique(err error) bool  // unique or primary key violation
	retryable(err error) bool
	// forUpdate ends a SELECT in a write transaction that reads rows it
	// will change, so that a concurrent transaction waits for them.
	forUpdate() string
	// committers is the number of group committers (batch.go): SQLite
	// has one writer; PostgreSQL runs several transactions at once.
	committers() int
	// nextID is an expression for the id the next row of table gets, for
	// a write that needs it in the same statement (a new person's
	// person_id is its own id).
	nextID(table string) string
	// daysBetween is the number of days from the date earlier to the date
	// later, two expressions of dates as stored ("2026-06-15").
	daysBetween(later, earlier string) string
	// daysBefore is the stored date days days before the date date (two
	// expressions: a date as stored and a number).
	daysBefore(date, days string) string
}

type sqlite struct{}

func (sqlite) name() string           { return "sqlite" }
func (sqlite) rebind(q string) string { return q }
func (sqlite) unique(err error) bool {
	var e *sqlite3.Error
	// SQLITE_CONSTRAINT_UNIQUE 2067, SQLITE_CONSTRAINT_PRIMARYKEY 1555
	return errors.As(err, &e) && (e.Code() == 2067 || e.Code() == 1555)
}

// forUpdate is empty: a SQLite write transaction holds the database's one
// write lock from its start (_txlock=immediate).
func (sqlite) forUpdate() string { return "" }
func (sqlite) committers() int   { return 1 }

// nextID is what SQLite gives an INTEGER PRIMARY KEY without AUTOINCREMENT
// anyway; its one writer makes it safe.
func (sqlite) nextID(table string) string {
	return `(SELECT COALESCE(MAX(id), 0) + 1 FROM ` + table + `)`
}
func (sqlite) daysBetween(later, earlier string) string {
	return "CAST(julianday(" + later + ") - julianday(" + earlier + ") AS INTEGER)"
}
func (sqlite) daysBefore(date, days string) string {
	return "date(" + date + ", '-' || (" + days + ") || ' days')"
}
func (sqlite) retryable(err error) bool {
	var e *sqlite3.Error
	return errors.As(err, &e) && (e.Code()&0xff == 5 || e.Code()&0xff == 6) // BUSY, LOCKED
}

type postgres struct{}

func (postgres) name() string { return "postgres" }
func (postgres) rebind(q string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}
func (postgres) unique(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}
func (postgres) forUpdate() string { return " FOR UPDATE" }
func (postgres) committers() int   { return 4 }
func (postgres) nextID(table string) string {
	return `nextval(pg_get_serial_sequence('` + table + `', 'id'))`
}
func (postgres) daysBetween(later, earlier string) string {
	return "(" + later + "::date - " + earlier + "::date)"
}
func (postgres) daysBefore(date, days string) string {
	return "to_char(" + date + "::date - (" + days + "), 'YYYY-MM-DD')"
}
func (postgres) retryable(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && (e.Code == "40001" || e.Code == "40P01")
}
