package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"xinfang/internal/loadgen"
	"xinfang/internal/sqldb"
)

const benchUsage = `Usage:
  xinfang bench register [flags]   registrations through POST /api/v1/petitions
  xinfang bench read     [flags]   the read mix: detail, ledger lists, 工作台, search
  xinfang bench raw      [--db …]  the raw baseline: one ~1 KB row with 3 indexes per transaction

Each client is one signed-in session on its own keep-alive connection,
making one request after another. A run stops at -duration or after
-count requests, whichever comes first, and prints per kind of request:
requests, failed requests, successful answers with no item (a list or
search that found nothing), req/s (successes), and p50/p95/p99/max
latency in ms of the successes. Errors are counted by HTTP status ("net":
no answer). Any failed request makes the command exit non-zero.

register and read load servers on this machine only: -url must name a
loopback address. With -serve N they start N instances of this binary
("xinfang serve") on free loopback ports on --db instead, spread the
clients over them round-robin, and stop them at the end. The first
instance starts with --demo: on an empty database it loads the demo city
(-demo-petitions items), whose registrar -user/-password default to, so
that a fresh database is ready to load; on a database that has units it
does nothing, and -user must be an account of that database.

raw runs the minimal insert loop with the product's driver and settings:
on SQLite a scratch file beside the --db file, opened as the product
opens its file (WAL, synchronous=FULL, one writer connection); on
PostgreSQL a scratch table in --db's database. Both are removed after.

The memory (VmRSS idle and peak, VmHWM) of the servers started by -serve,
or of -pid, is sampled from /proc and printed.

Flags:
`

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	mode := ""
	if len(args) > 0 {
		mode, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("bench "+mode, flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("url", "http://127.0.0.1:8080", "base `URL` of the server to load (loopback only)")
	user := fs.String("user", "registrar", "staff `user name` each client logs in as (the demo's 登记员 by default)")
	password := fs.String("password", "Demo@2026", "its password (env XINFANG_BENCH_PASSWORD)")
	clients := fs.Int("clients", 4, "concurrent `clients` (raw: writers)")
	duration := fs.Duration("duration", 10*time.Second, "stop issuing requests after this `long`")
	count := fs.Int64("count", 100_000, "stop after this `many` requests")
	mix := fs.String("mix", loadgen.DefaultMix, "read: `kind=weight,…` of detail list overdue state due workbench search")
	serve := fs.Int("serve", 0, "start `N` instances of xinfang serve on --db and load them (register, read)")
	demoPetitions := fs.Int("demo-petitions", 800, "with -serve: demo `petitions` loaded into an empty database")
	pid := fs.Int("pid", 0, "sample the memory of this server `process` (without -serve)")
	asJSON := fs.Bool("json", false, "print one JSON object instead of the table")
	fs.Usage = func() {
		fmt.Fprint(stderr, benchUsage)
		fs.PrintDefaults()
	}
	if mode != "register" && mode != "read" && mode != "raw" {
		parseConfig("bench", fs, nil, os.Getenv) // for the settings' help
		fs.Usage()
		if mode != "" && mode != "-h" && mode != "--help" && mode != "help" {
			return fmt.Errorf("bench: unknown mode %q: register, read or raw", mode)
		}
		return flag.ErrHelp
	}
	cfg, rest, err := parseConfig("bench", fs, args, os.Getenv)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q", rest[0])
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if e := os.Getenv("XINFANG_BENCH_PASSWORD"); e != "" && !set["password"] {
		*password = e
	}
	lim := loadgen.Limits{Clients: *clients, Duration: *duration, Count: *count}
	if err := lim.Check(); err != nil {
		return err
	}
	switch {
	case *serve < 0 || *serve > 16:
		return fmt.Errorf("-serve: must be 0–16 instances, not %d", *serve)
	case *serve > 0 && set["url"]:
		return errors.New("-serve starts its own servers: give -url or -serve, not both")
	case *serve > 0 && set["pid"]:
		return errors.New("-serve samples the memory of the servers it starts: give -pid or -serve, not both")
	case *serve > 0 && mode == "raw":
		return errors.New("-serve: raw loads the database, not a server")
	case *demoPetitions < 1:
		return fmt.Errorf("-demo-petitions: must be 1 or more, not %d", *demoPetitions)
	}
	var sched []string // the read mix, checked before anything starts
	if mode == "read" {
		if sched, err = loadgen.ParseMix(*mix); err != nil {
			return err
		}
	}
	if mode != "raw" && *serve == 0 && int64(*clients) > *count {
		*clients = int(*count) // a client with nothing to do would only log in
		lim.Clients = *clients
	}

	var report *loadgen.Report
	if mode == "raw" {
		res, err := loadgen.Raw(ctx, cfg.DSN, lim)
		if err != nil {
			return err
		}
		report = res.Report
		report.Targets = []string{redact(cfg.DSN)}
		report.Rows = res.Rows
		report.Note = fmt.Sprintf("%d rows written to the scratch %s, now removed", res.Rows, res.Scratch)
	} else {
		var urls []*url.URL
		var pids []int
		if *serve > 0 {
			insts, err := startInstances(ctx, cfg, *serve, *demoPetitions, stderr)
			defer func() {
				for _, in := range insts {
					in.stop()
				}
			}()
			if err != nil {
				return err
			}
			for _, in := range insts {
				urls, pids = append(urls, in.url), append(pids, in.cmd.Process.Pid)
			}
		} else {
			u, err := loadgen.CheckTarget(ctx, *target)
			if err != nil {
				return err
			}
			urls = []*url.URL{u}
			if *pid != 0 {
				pids = []int{*pid}
			}
		}
		if report, err = benchHTTP(ctx, mode, urls, pids, *user, *password, sched, lim); err != nil {
			return err
		}
	}
	report.Mode = mode
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(report); err != nil {
			return err
		}
	} else {
		loadgen.WriteText(stdout, report)
	}
	if n := report.Total.Failed(); n > 0 {
		return fmt.Errorf("bench %s: %d of %d requests failed", mode, n, report.Total.Requests)
	}
	if report.Total.OK == 0 {
		return fmt.Errorf("bench %s: no request was made", mode)
	}
	return nil
}

// benchHTTP logs the clients in, spread over urls, prepares the mix (for
// read: sched) and runs it, sampling the memory of pids.
func benchHTTP(ctx context.Context, mode string, urls []*url.URL, pids []int, user, password string, sched []string, lim loadgen.Limits) (*loadgen.Report, error) {
	clients := make([]*loadgen.Client, lim.Clients)
	defer func() {
		for _, c := range clients {
			if c != nil {
				c.Close()
			}
		}
	}()
	for i := range clients {
		c, err := loadgen.Login(ctx, urls[i%len(urls)], user, password)
		if err != nil {
			return nil, err
		}
		clients[i] = c
	}
	var op loadgen.Op
	var order []string
	switch mode {
	case "register":
		place, err := loadgen.LoadPlace(ctx, clients[0])
		if err != nil {
			return nil, err
		}
		gens := make([]*loadgen.Generator, len(clients))
		seed := uint64(time.Now().UnixNano())
		for i := range gens {
			gens[i] = loadgen.NewGenerator(place, seed+uint64(i))
		}
		op, order = loadgen.Register(clients, gens), []string{"register"}
	case "read":
		ids, err := loadgen.PetitionIDs(ctx, clients[0], 2000)
		if err != nil {
			return nil, err
		}
		op = loadgen.Read(clients, sched, ids, uint64(time.Now().UnixNano()))
		for _, k := range loadgen.ReadKinds {
			order = append(order, k.Name)
		}
	}
	var sampler *loadgen.Sampler
	if len(pids) > 0 {
		var err error
		if sampler, err = loadgen.StartSampler(pids); err != nil {
			return nil, err
		}
	}
	r := loadgen.Run(ctx, lim, order, op)
	if sampler != nil {
		r.Servers = sampler.Stop()
	}
	for _, u := range urls {
		r.Targets = append(r.Targets, u.String())
	}
	if len(urls) > 1 {
		r.OKByTarget = map[string]int64{}
		for w, n := range r.OKByClient {
			r.OKByTarget[urls[w%len(urls)].String()] += n
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bench %s: interrupted", mode)
	}
	return r, nil
}

// instance is a `xinfang serve` process that bench started.
type instance struct {
	cmd    *exec.Cmd
	url    *url.URL
	stderr *syncWriter
	done   chan error
}

var startedLine = regexp.MustCompile(`信访系统已启动：(http://[^/\s]+)/`)

// startInstances starts n instances of this binary on free loopback ports
// on cfg's database, one after the other, each once the previous answers:
// the first migrates and, on an empty database, loads the demo city. What
// it returns must be stopped, also with an error.
func startInstances(ctx context.Context, cfg Config, n, demoPetitions int, stderr io.Writer) ([]*instance, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("-serve: %v", err)
	}
	if sqldb.IsPostgres(cfg.DSN) && cfg.KeysFile == "" && cfg.KeysText == "" {
		return nil, errors.New("-serve: a PostgreSQL database needs its keys: --keys FILE (XINFANG_KEYS_FILE) or XINFANG_KEYS")
	}
	var insts []*instance
	for i := range n {
		args := []string{"serve", "--addr", "127.0.0.1:0", "--db", cfg.DSN}
		if cfg.KeysFile != "" {
			args = append(args, "--keys", cfg.KeysFile)
		}
		timeout := time.Minute
		if i == 0 {
			args = append(args, "--demo", "--demo-petitions", strconv.Itoa(demoPetitions))
			timeout = 15 * time.Minute // the demo city, on an empty database
		}
		in := &instance{cmd: exec.Command(exe, args...), stderr: &syncWriter{}, done: make(chan error, 1)}
		in.cmd.Stderr = in.stderr
		stdout, err := in.cmd.StdoutPipe()
		if err != nil {
			return insts, err
		}
		if err := in.cmd.Start(); err != nil {
			return insts, fmt.Errorf("-serve: start %s: %v", exe, err)
		}
		insts = append(insts, in)
		found := make(chan string, 1)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if m := startedLine.FindStringSubmatch(sc.Text()); m != nil {
					select {
					case found <- m[1]:
					default:
					}
				}
			}
			in.done <- in.cmd.Wait()
		}()
		select {
		case addr := <-found:
			if in.url, err = loadgen.CheckTarget(ctx, addr); err != nil {
				return insts, err
			}
		case err := <-in.done:
			in.done <- err
			return insts, fmt.Errorf("-serve: instance %d exited before serving: %v\n%s", i+1, err, in.stderr.tail())
		case <-time.After(timeout):
			return insts, fmt.Errorf("-serve: instance %d did not serve within %s\n%s", i+1, timeout, in.stderr.tail())
		case <-ctx.Done():
			return insts, ctx.Err()
		}
		if err := loadgen.Wait(ctx, in.url, time.Minute); err != nil {
			return insts, fmt.Errorf("-serve: instance %d: %v", i+1, err)
		}
		fmt.Fprintf(stderr, "bench: instance %d (pid %d) serves %s on %s\n", i+1, in.cmd.Process.Pid, in.url, redact(cfg.DSN))
	}
	return insts, nil
}

// stop ends the instance as Ctrl-C does, and kills it if it hangs.
func (in *instance) stop() {
	in.cmd.Process.Signal(syscall.SIGINT) // an error means it has exited
	select {
	case err := <-in.done:
		in.done <- err
	case <-time.After(20 * time.Second):
		in.cmd.Process.Kill()
		in.done <- <-in.done
	}
}

// syncWriter keeps the end of an instance's log for error messages.
type syncWriter struct {
	mu  sync.Mutex
	buf []byte
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	if len(w.buf) > 64<<10 {
		w.buf = append([]byte(nil), w.buf[len(w.buf)-32<<10:]...)
	}
	return len(p), nil
}

// tail is the last 4 KB or so of the log, from a line's start.
func (w *syncWriter) tail() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := string(w.buf)
	if len(s) > 4096 {
		s = s[len(s)-4096:]
		if i := strings.Index(s, "\n"); i >= 0 {
			s = s[i+1:]
		}
	}
	return s
}
