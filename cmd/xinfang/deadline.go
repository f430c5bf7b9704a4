package main

import (
	"context"

	"xinfang/internal/calendar"
	"xinfang/internal/procedure"
)

func procedureFor(ctx context.Context, dsn string) *procedure.Procedure {
	if dsn == "" {
		return procedure.New(calendar.Default(), procedure.DefaultConfig())
	}
	db, err := openDB(dsn)
	if err != nil {
		return procedure.New(calendar.Default(), procedure.DefaultConfig())
	}
	defer db.Close()
	return db.Procedure(ctx)
}
