package web_test

import (
	"time"

	"xinfang/internal/sqldb"
	"xinfang/internal/web"
)

// storesOf serves a test's database, as cmd/xinfang serves the real one.
func storesOf(db *sqldb.DB) web.Stores {
	return web.Stores{
		Petitions: db.Petitions, Petitioners: db.Petitioners, Cases: db.Cases,
		Supervisions: db.Supervisions, Discipline: db.Discipline, Notifications: db.Notifications,
		Repeats: db.Repeats, Search: db.Search, Directory: db.Directory,
		Procedure: db.Procedure,
		Now:       func() time.Time { return db.Now() },
	}
}
