package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"xinfang/internal/calendar"
	"xinfang/internal/procedure"
	"xinfang/internal/sqldb"
)

// procedureFor returns the procedure over the holiday calendar of the
// database cfg names, or over the shipped calendar when it names none. A
// database that cannot be read is an error: a deadline silently computed
// on the wrong calendar is worse than none.
func procedureFor(ctx context.Context, cfg Config) (*procedure.Procedure, error) {
	if cfg.DSN == "" {
		return procedure.New(calendar.Default(), cfg.Procedure()), nil
	}
	// A mistyped SQLite path must not create (and migrate) a new database
	// whose calendar is the shipped one.
	if !sqldb.IsPostgres(cfg.DSN) {
		path := strings.TrimPrefix(cfg.DSN, "sqlite://")
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("open %s: no such database", cfg.DSN)
		}
	}
	db, err := openDB(cfg, false)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	days, err := db.Directory.Holidays(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the holiday calendar of %s: %w", redact(cfg.DSN), err)
	}
	return procedure.New(calendar.New(days), db.Cfg), nil
}
