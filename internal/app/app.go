// Package app wires the program's parts over one database: the web layer's
// stores and the scheduler, each given the stores of internal/sqldb behind
// the interfaces its consumer declares. cmd/xinfang and the tests that
// start the web application or the scheduler use it, so that the program
// is put together in one place. Nothing but commands and tests imports it.
package app

import (
	"log/slog"
	"time"

	"xinfang"
	"xinfang/internal/outbox"
	"xinfang/internal/scheduler"
	"xinfang/internal/sqldb"
	"xinfang/internal/web"
)

// WebStores hands the web layer the stores of db.
func WebStores(db *sqldb.DB) web.Stores {
	return web.Stores{
		Petitions: db.Petitions, Petitioners: db.Petitioners, Cases: db.Cases,
		Supervisions: db.Supervisions, Discipline: db.Discipline, Notifications: db.Notifications,
		Repeats: db.Repeats, Search: db.Search, Directory: db.Directory, Audit: db.Audit, Attachments: db.Attachments,
		Portal:  db.Portal,
		Outbox:  db.Outbox,
		Imports: db.Imports,
		Society: db.Society, Hearings: db.Hearings, Assignments: db.Assignments, Mediations: db.Mediations, JudicialAid: db.JudicialAid, Opinions: db.Opinions, FirstVisit: db.FirstVisit,
		Seats:     db.Seats,
		Campaigns: db.Campaigns, Followups: db.Followups,
		Receptions: db.Receptions, Meetings: db.Meetings,
		Indicators: db.Indicators, Assessment: db.Assessment,
		Screening: db.Screening, Risks: db.Risks,
		Legal: db.Legal, LawyerDuty: db.LawyerDuty,
		Procedure:   db.Procedure,
		Now:         clock(db),
		IndexStatus: db.IndexStatus,
	}
}

// NewScheduler returns the scheduler over db's running clocks, writing to
// its notifications; interval 0 means scheduler.DefaultInterval.
func NewScheduler(db *sqldb.DB, logger *slog.Logger, interval time.Duration) *scheduler.Scheduler {
	return scheduler.New(db.Clocks, db.Notifications, clock(db), logger, interval)
}

// clock reads db.Now at every call, so that a test that moves the
// database's clock moves the web layer's and the scheduler's too.
func clock(db *sqldb.DB) func() time.Time {
	return func() time.Time { return db.Now() }
}

// NewOutboxWorker returns the worker that sends db's messages to
// petitioners through senders; interval 0 means outbox.DefaultInterval.
func NewOutboxWorker(db *sqldb.DB, senders map[xinfang.MessageChannel]outbox.Sender, logger *slog.Logger, interval time.Duration) *outbox.Worker {
	return outbox.New(db.Outbox, senders, logger, interval)
}
