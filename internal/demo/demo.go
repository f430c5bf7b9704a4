// Package demo loads a realistic demo city into an empty database.
package demo

import (
	"context"

	"xinfang/internal/sqldb"
)

// Options control the size of the demo.
type Options struct {
	Petitions int // about 800 by default
	Seed      int64
}

// Account is a demo login printed at start.
type Account struct {
	Username, Password, Name, Unit, Roles string
}

// Load fills an empty database with the demo city and returns the demo
// accounts. On a database that already has units it does nothing and
// returns the accounts (their passwords are the demo ones unless changed).
func Load(ctx context.Context, db *sqldb.DB, opt Options) ([]Account, error) {
	return nil, nil
}
