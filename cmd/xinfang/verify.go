package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"xinfang/internal/sqldb"
)

// runVerify runs `xinfang verify`: the whole database's tamper evidence
// (sqldb.VerifyAll) — every petition's keyed hash chain, head, registered
// content and state, and the numbering. It prints a summary and every
// finding, and fails (exit status 2) when there is one, so that a script or
// a monitor can run it.
func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, rest, err := parseConfig("verify", fs, args, os.Getenv)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q", rest[0])
	}
	// A mistyped SQLite path must not create an empty database that
	// verifies.
	if !sqldb.IsPostgres(cfg.DSN) {
		if _, err := os.Stat(strings.TrimPrefix(cfg.DSN, "sqlite://")); errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("open %s: no such database", cfg.DSN)
		}
	}
	db, err := openDB(cfg, false)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := db.VerifyAll(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已校验 %d 件信访件、%d 条办理记录及各单位各年度的编号\n", rep.Petitions, rep.Events)
	for _, f := range rep.Findings {
		fmt.Fprintf(stdout, "  不符：%s：%s\n", f.Record, strings.Join(f.Problems, "；"))
	}
	if n := len(rep.Findings); n > 0 {
		return fmt.Errorf("发现 %d 处不符：记录可能被改动或删除", n)
	}
	fmt.Fprintln(stdout, "全部完整：哈希链、登记内容、当前状态和编号均与记录相符")
	return nil
}
