package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

// runAudit runs `xinfang audit verify`: it walks the whole audit log and
// checks its numbering, its keyed hash chain and its last entry, and
// fails on the first break.
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db, _, err := openCommand("audit verify", fs, args[1:])
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.Audit.VerifyAudit(ctx)
	if err != nil {
		return fmt.Errorf("审计日志校验失败（已核对 %d 条）：%w", n, err)
	}
	fmt.Fprintf(stdout, "审计日志完整：共 %d 条，序号连续，哈希链与末条记录相符\n", n)
	return nil
}
