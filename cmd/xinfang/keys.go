package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"

	"xinfang/internal/keyring"
)

// runKeys runs `xinfang keys rotate` and `xinfang keys status`.
//
// rotate adds a new SM4 key to the keys file, which every instance picks up
// (an instance re-reads the file when it meets a value sealed with a key it
// does not know, and looks at the file every 30 seconds), then re-encrypts
// the database's sealed values with it, batch by batch, while the
// application serves. The old keys stay in the file: a backup made before
// the rotation still opens.
func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "rotate" && args[0] != "status") {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	verb := args[0]
	fs := flag.NewFlagSet("keys "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, rest, err := parseConfig("keys", fs, args[1:], os.Getenv)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q", rest[0])
	}
	if verb == "rotate" && cfg.KeysText != "" {
		return errors.New("keys rotate writes the new key to a keys file: give --keys FILE (XINFANG_KEYS_FILE), not XINFANG_KEYS")
	}
	path, err := keysPath(cfg)
	if err != nil && cfg.KeysText == "" {
		return err
	}
	if verb == "rotate" {
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("keys file: %w", err)
		}
	}
	db, err := openDB(cfg, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if verb == "rotate" {
		k, err := keyring.Load(path)
		if err != nil {
			return err
		}
		if k.Fingerprint() != db.Keys.Fingerprint() {
			return fmt.Errorf("%s changed while opening the database; try again", path)
		}
		n := k.Rotate()
		if err := k.Save(path); err != nil {
			return err
		}
		db.Keys = k
		fmt.Fprintf(stdout, "已生成密钥 %d，写入 %s；正在重新加密……\n", n, path)
		count, err := db.Reseal(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "已用密钥 %d 重新加密 %d 名信访人的个人信息\n", n, count)
	}
	counts, err := db.SealedCount(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "当前加密密钥：%d\n", db.Keys.Current())
	ns := make([]int, 0, len(counts))
	for n := range counts {
		ns = append(ns, n)
	}
	sort.Ints(ns)
	for _, n := range ns {
		name := fmt.Sprintf("密钥 %d", n)
		if n == 0 {
			name = "未加密"
		}
		fmt.Fprintf(stdout, "  %s：%d 名信访人\n", name, counts[n])
	}
	return nil
}
