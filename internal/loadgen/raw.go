package loadgen

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"xinfang/internal/sqldb"
)

// RawResult is what the raw baseline wrote.
type RawResult struct {
	Report  *Report
	Rows    int64  // rows in the scratch table before it was dropped
	Scratch string // the scratch file (SQLite) or table (PostgreSQL), now gone
}

// rawPayload is the ~1 KB text column of every raw row.
var rawPayload = strings.Repeat("信访事项办理情况说明", 34) // 340 characters, 1,020 bytes in UTF-8

// Raw is the raw baseline: writers insert one ~1 KB row with three
// secondary indexes per transaction, as fast as they can, through the
// product's driver and settings — on SQLite a scratch file beside dsn's
// file opened with sqldb.SQLiteURL and one writer connection (the
// product's), on PostgreSQL a scratch table in dsn's database through pgx
// with the product's pool size. The scratch file or table is removed
// afterwards, also when the run fails.
func Raw(ctx context.Context, dsn string, lim Limits) (res *RawResult, err error) {
	tag := make([]byte, 4)
	rand.Read(tag)
	suffix := fmt.Sprintf("%d_%s", os.Getpid(), hex.EncodeToString(tag))
	res = &RawResult{}
	var db *sql.DB
	table := "xinfang_bench_raw"
	var cleanup func() error
	if sqldb.IsPostgres(dsn) {
		table += "_" + suffix
		res.Scratch = "table " + table
		if db, err = sql.Open("pgx", dsn); err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(20) // as the product's pool
		db.SetMaxIdleConns(10)
		cleanup = func() error {
			dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err := db.ExecContext(dctx, `DROP TABLE IF EXISTS `+table)
			return errors.Join(err, db.Close())
		}
	} else {
		path := strings.TrimPrefix(dsn, "sqlite://")
		// Beside the product's file, on the same disk, never inside it.
		file := filepath.Join(filepath.Dir(path), ".xinfang-bench-raw-"+suffix+".db")
		res.Scratch = "file " + file
		// The product's settings, but SQLite's own checkpoints inside the
		// commits: the product moves them to a goroutine of its own
		// (sqldb/checkpoint.go), which a minimal program does not have, and
		// without either the WAL would only grow.
		if db, err = sql.Open("sqlite", sqldb.SQLiteURL(file)+"&_pragma=wal_autocheckpoint(1000)"); err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(1) // the product's one writer connection
		db.SetConnMaxLifetime(0)
		cleanup = func() error {
			err := db.Close()
			for _, f := range []string{file, file + "-wal", file + "-shm", file + "-journal"} {
				if rerr := os.Remove(f); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
					err = errors.Join(err, rerr)
				}
			}
			return err
		}
	}
	defer func() {
		if cerr := cleanup(); cerr != nil && err == nil {
			err = fmt.Errorf("remove the scratch %s: %w", res.Scratch, cerr)
		}
	}()
	id := "INTEGER PRIMARY KEY AUTOINCREMENT"
	if sqldb.IsPostgres(dsn) {
		id = "BIGSERIAL PRIMARY KEY"
	}
	for _, stmt := range []string{
		`CREATE TABLE ` + table + ` (id ` + id + `, unit_id BIGINT NOT NULL, number TEXT NOT NULL, state TEXT NOT NULL, received_at TEXT NOT NULL, payload TEXT NOT NULL)`,
		`CREATE INDEX ` + table + `_unit ON ` + table + ` (unit_id, received_at)`,
		`CREATE INDEX ` + table + `_number ON ` + table + ` (number)`,
		`CREATE INDEX ` + table + `_state ON ` + table + ` (state, received_at)`,
	} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("raw baseline: %w", err)
		}
	}
	insert := `INSERT INTO ` + table + ` (unit_id, number, state, received_at, payload) VALUES (?, ?, ?, ?, ?)`
	if sqldb.IsPostgres(dsn) {
		insert = `INSERT INTO ` + table + ` (unit_id, number, state, received_at, payload) VALUES ($1, $2, $3, $4, $5)`
	}
	states := []string{"registered", "pending_sign", "handling", "replied", "concluded"}
	seq := make([]int64, lim.Clients)
	res.Report = Run(ctx, lim, []string{"insert"}, func(ctx context.Context, w int) Outcome {
		seq[w]++
		n := seq[w]
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return Outcome{Kind: "insert", Err: err, Class: "db"}
		}
		_, err = tx.ExecContext(ctx, insert, n%97, fmt.Sprintf("RAW-%03d-%09d", w, n), states[n%int64(len(states))], time.Now().Format(time.RFC3339Nano), rawPayload)
		if err != nil {
			tx.Rollback()
			return Outcome{Kind: "insert", Err: err, Class: "db"}
		}
		return Outcome{Kind: "insert", Err: tx.Commit(), Class: "db"}
	})
	res.Report.Mode = "raw"
	if err := db.QueryRowContext(context.WithoutCancel(ctx), `SELECT COUNT(*) FROM `+table).Scan(&res.Rows); err != nil {
		return nil, fmt.Errorf("raw baseline: count the rows: %w", err)
	}
	return res, nil
}
