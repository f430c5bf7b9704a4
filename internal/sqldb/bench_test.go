package sqldb_test

// Benchmarks for the performance goals of product.md. They are not run by
// `go test` without -bench; BENCHMARKS.md says how to run them and what
// they showed.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/procedure"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// benchIDNumber returns a valid 居民身份证号 distinct for n < 1.8×10^7: the
// birth date runs over 1950–1999 and the sequence code takes the rest.
func benchIDNumber(n int) string {
	day := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n%18000)
	first := fmt.Sprintf("429099%s%03d", day.Format("20060102"), (n/18000)%1000)
	return first + string(xinfang.IDNumberCheckChar(first))
}

func benchPetition(village *xinfang.Unit, n int, now time.Time) *xinfang.Petition {
	return &xinfang.Petition{
		Channel:    []xinfang.Channel{xinfang.ChannelOnline, xinfang.ChannelLetter, xinfang.ChannelCall, xinfang.ChannelVisit}[n%4],
		ReceivedAt: now.Add(-time.Hour),
		Petitioner: &xinfang.Petitioner{
			Name: "张建国", IDNumber: benchIDNumber(n), Phone: fmt.Sprintf("139%08d", n%100000000),
			Address: village.Name + "3组12号", Occupation: "01",
		},
		PersonCount: 1,
		Summary:     "反映" + village.Name + "征地补偿款未足额发放问题",
		Content: "信访人反映：2023年6月，" + village.Name + "因县道拓宽工程征收其承包地2.3亩，" +
			"按公示标准应得土地补偿费和青苗补偿费共计9.6万元，至今仅收到4万元，余款村委会称镇里未拨付。" +
			"多次找村、镇两级反映无果，生活困难。",
		Request:    "要求足额发放征地补偿款并公开补偿明细",
		Category:   "1401",
		Purpose:    "claim",
		Reason:     "01",
		LocalityID: village.ID,
	}
}

// BenchmarkRegister measures RegisterPetition: every registration is its
// own transaction with the petitioner lookup, the number counter, the
// projection and the first event of the hash chain. On SQLite the database
// is a file in b.TempDir() (WAL, synchronous=FULL: each commit waits for
// the disk). "with_person_check" adds the repeat check the registration
// form runs first (FindPersonMatches by ID number and phone).
func BenchmarkRegister(b *testing.B) {
	for _, dialect := range sqldbtest.Dialects(b) {
		for _, check := range []bool{false, true} {
			name := dialect + "/plain"
			if check {
				name = dialect + "/with_person_check"
			}
			b.Run(name, func(b *testing.B) {
				db := sqldbtest.Open(b, dialect)
				f := sqldbtest.NewFixture(b, db)
				benchRegister(b, db, f.Ctx(f.BureauRegistrar), []*xinfang.Unit{f.VillageA, f.VillageB}, 0, check)
			})
		}
	}
}

// BenchmarkRegisterOn100k registers into a copy of the 100,000-petition
// ledger database of BenchmarkLedger100k: what registration costs once
// the tables are no longer small.
func BenchmarkRegisterOn100k(b *testing.B) {
	src, _ := ledgerDB(b, benchSize(100_000))
	path := src.DSN
	src.Close()
	dst := filepath.Join(b.TempDir(), "ledger.db")
	buf, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(dst, buf, 0o600); err != nil {
		b.Fatal(err)
	}
	db := sqldb.NewDB(dst, sqldbtest.Keys)
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	registrar, err := db.Directory.FindUserByUsername(ctx, "registrar")
	if err != nil {
		b.Fatal(err)
	}
	units, err := db.Directory.FindUnits(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var villages []*xinfang.Unit
	for _, u := range units {
		if u.Kind == xinfang.UnitVillage {
			villages = append(villages, u)
		}
	}
	for _, check := range []bool{false, true} {
		name := "plain"
		if check {
			name = "with_person_check"
		}
		b.Run(name, func(b *testing.B) {
			// Start beyond the ledger's ID numbers, so that every
			// registration brings a new petitioner.
			benchRegister(b, db, xinfang.NewContextWithUser(ctx, registrar), villages, 200_000+b.N*b2i(check), check)
		})
	}
}

func benchRegister(b *testing.B, db *sqldb.DB, ctx context.Context, villages []*xinfang.Unit, first int, check bool) {
	now := time.Now()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		p := benchPetition(villages[i%len(villages)], first+i, now)
		if check {
			if _, err := db.Petitioners.FindPersonMatches(ctx, p.Petitioner.IDNumber, "", p.Petitioner.Phone, 10); err != nil {
				b.Fatal(err)
			}
		}
		if err := db.Petitions.RegisterPetition(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "regs/s")
}

// BenchmarkLedger100k measures one page (50 rows and the total count) of
// the ledger (台账) with the filters staff use, over 100,000 petitions on
// SQLite; BenchmarkLedger1M does the same over 1,000,000.
func BenchmarkLedger100k(b *testing.B) { benchmarkLedger(b, benchSize(100_000)) }

// benchSize is n, or a tenth of it with XINFANG_BENCH_SMALL=1: CI runs
// every benchmark once (-benchtime=1x) on data sets that small, so that
// none of them rots, without building the large ones.
func benchSize(n int) int {
	if os.Getenv("XINFANG_BENCH_SMALL") == "1" {
		return n / 10
	}
	return n
}

// BenchmarkLedger1M needs about 1.5 GB of disk and several minutes the
// first time; it runs only with XINFANG_BENCH_1M=1.
func BenchmarkLedger1M(b *testing.B) {
	if os.Getenv("XINFANG_BENCH_1M") != "1" {
		b.Skip("set XINFANG_BENCH_1M=1 to build and query 1,000,000 petitions")
	}
	benchmarkLedger(b, 1_000_000)
}

// ledgerToday is the present of the ledger data, fixed so that a cached
// database shows the same warning levels whatever day it is queried.
var ledgerToday = time.Date(2026, time.June, 15, 10, 0, 0, 0, calendar.Location())

func benchmarkLedger(b *testing.B, n int) {
	db, lf := ledgerDB(b, n)
	benchmarkLedgerOn(b, db, lf, true)
}

// benchmarkLedgerOn runs the ledger's cases on db, a ledger database of
// the generator's city lf; text adds the text filter's case, which needs
// the search index.
func benchmarkLedgerOn(b *testing.B, db *sqldb.DB, lf ledgerFixture, text bool) {
	db.Now = func() time.Time { return ledgerToday }
	leader := xinfang.NewContextWithUser(context.Background(), lf.leader)
	townHandler := xinfang.NewContextWithUser(context.Background(), lf.townHandler)
	type ledgerCase struct {
		name string
		ctx  context.Context
		f    func(i int) xinfang.PetitionFilter
		// any: the case may match nothing; every other case must
		// return rows.
		any bool
	}
	cases := []ledgerCase{
		{"unit_state", leader, func(i int) xinfang.PetitionFilter {
			return xinfang.PetitionFilter{UnitID: lf.towns[i%len(lf.towns)].ID, State: []xinfang.State{xinfang.StateHandling}}
		}, false},
		{"warning_overdue", leader, func(int) xinfang.PetitionFilter {
			return xinfang.PetitionFilter{Warning: xinfang.WarnOverdue}
		}, false},
		{"open_sort_due", leader, func(int) xinfang.PetitionFilter {
			return xinfang.PetitionFilter{Open: true, Sort: "due"}
		}, false},
		{"town_scope_sort_due", townHandler, func(int) xinfang.PetitionFilter {
			return xinfang.PetitionFilter{Open: true, Sort: "due"}
		}, false},
		{"unit_state_warning_sort_due", leader, func(i int) xinfang.PetitionFilter {
			return xinfang.PetitionFilter{UnitID: lf.towns[i%len(lf.towns)].ID, State: []xinfang.State{xinfang.StateHandling},
				Warning: xinfang.WarnOverdue, Sort: "due"}
		}, false},
	}
	if text {
		cases = append(cases, ledgerCase{"text_q", leader, func(i int) xinfang.PetitionFilter {
			return xinfang.PetitionFilter{Text: ledgerQueries[i%len(ledgerQueries)]}
		}, false})
	}
	// Every filter of the ledger, alone, for each role and scope: the
	// leader and the bureau's registrar see the city, the town's handler
	// the town's subtree, the department's handler the department's.
	roles := []struct {
		name string
		user *xinfang.User
		unit func(i int) int64 // a unit to filter by, within the role's scope
	}{
		{"leader", lf.leader, func(i int) int64 { return lf.towns[i%len(lf.towns)].ID }},
		{"registrar", lf.registrar, func(i int) int64 { return lf.towns[i%len(lf.towns)].ID }},
		{"town", lf.townHandler, func(i int) int64 { return lf.townHandler.UnitID }},
		{"dept", lf.deptHandler, func(i int) int64 { return lf.deptHandler.UnitID }},
	}
	filters := []struct {
		name string
		f    func(unit int64) xinfang.PetitionFilter
	}{
		{"default", func(int64) xinfang.PetitionFilter { return xinfang.PetitionFilter{} }},
		{"state", func(int64) xinfang.PetitionFilter {
			return xinfang.PetitionFilter{State: []xinfang.State{xinfang.StateHandling}}
		}},
		{"unit", func(u int64) xinfang.PetitionFilter { return xinfang.PetitionFilter{UnitID: u} }},
		{"channel", func(int64) xinfang.PetitionFilter { return xinfang.PetitionFilter{Channel: xinfang.ChannelVisit} }},
		{"category", func(int64) xinfang.PetitionFilter { return xinfang.PetitionFilter{Category: "13"} }},
		{"warn_normal", func(int64) xinfang.PetitionFilter { return xinfang.PetitionFilter{Warning: xinfang.WarnNormal} }},
		{"warn_near", func(int64) xinfang.PetitionFilter { return xinfang.PetitionFilter{Warning: xinfang.WarnNear} }},
		{"warn_overdue", func(int64) xinfang.PetitionFilter { return xinfang.PetitionFilter{Warning: xinfang.WarnOverdue} }},
		{"warn_severe", func(int64) xinfang.PetitionFilter { return xinfang.PetitionFilter{Warning: xinfang.WarnSevere} }},
		{"sort_due", func(int64) xinfang.PetitionFilter { return xinfang.PetitionFilter{Sort: "due"} }},
		{"sort_received", func(int64) xinfang.PetitionFilter { return xinfang.PetitionFilter{Sort: "received"} }},
		{"sort_number", func(int64) xinfang.PetitionFilter { return xinfang.PetitionFilter{Sort: "number"} }},
		{"open", func(int64) xinfang.PetitionFilter { return xinfang.PetitionFilter{Open: true} }},
	}
	for _, r := range roles {
		for _, f := range filters {
			cases = append(cases, ledgerCase{r.name + "/" + f.name, xinfang.NewContextWithUser(context.Background(), r.user),
				func(i int) xinfang.PetitionFilter { return f.f(r.unit(i)) }, false})
		}
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var rows int
			timed(b, func(i int) {
				f := c.f(i)
				f.Limit = 50
				page, total, err := db.Petitions.FindPetitions(c.ctx, f)
				if err != nil {
					b.Fatal(err)
				}
				if total > 0 && len(page) == 0 {
					b.Fatalf("%d matches but an empty page", total)
				}
				if !c.any && len(page) == 0 {
					b.Fatalf("%+v matches nothing: the case measures nothing", f)
				}
				rows += total
			})
			b.ReportMetric(float64(rows)/float64(b.N), "matches/op")
		})
	}
	// The 工作台: every list that is the user's business, its first ten
	// items and its count, as the page / and GET /api/v1/workbench ask.
	for _, u := range []struct {
		name string
		user *xinfang.User
	}{{"workbench/town", lf.townHandler}, {"workbench/leader", lf.leader}} {
		b.Run(u.name, func(b *testing.B) {
			// Counted to the 工作台's limit and read two at a time, as the
			// page reads them (web.Server.workbench).
			ctx := xinfang.NewContextWithCountLimit(xinfang.NewContextWithUser(context.Background(), u.user), xinfang.WorkbenchMaxCount)
			timed(b, func(int) {
				var items atomic.Int64
				var wg sync.WaitGroup
				reads := make(chan struct{}, xinfang.WorkbenchReadsAtOnce)
				for _, l := range workbenchLists {
					if !l.applies(u.user) {
						continue
					}
					wg.Go(func() {
						reads <- struct{}{}
						defer func() { <-reads }()
						page, _, err := l.find(db, ctx)
						if err != nil {
							b.Error(err)
						}
						items.Add(int64(len(page)))
					})
				}
				wg.Wait()
				if items.Load() == 0 {
					b.Fatal("an empty workbench measures nothing")
				}
			})
		})
	}
	// The case ledger (积案台账): its first page, as the city's leader and
	// the town's handler see it, and its overdue filter.
	overdue := true
	for _, c := range []struct {
		name string
		user *xinfang.User
		f    xinfang.CaseFilter
	}{
		{"cases/leader", lf.leader, xinfang.CaseFilter{}},
		{"cases/town", lf.townHandler, xinfang.CaseFilter{}},
		{"cases/leader_overdue", lf.leader, xinfang.CaseFilter{Overdue: &overdue}},
	} {
		b.Run(c.name, func(b *testing.B) {
			ctx := xinfang.NewContextWithUser(context.Background(), c.user)
			timed(b, func(int) {
				f := c.f
				f.Limit = 50
				page, _, err := db.Cases.FindCases(ctx, f)
				if err != nil {
					b.Fatal(err)
				}
				if len(page) == 0 {
					b.Fatal("an empty case ledger measures nothing")
				}
			})
		})
	}
}

// timed runs op b.N times and reports the median and 95th percentile of
// its latency.
func timed(b *testing.B, op func(i int)) {
	durs := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		op(i)
		durs = append(durs, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(durs)
	b.ReportMetric(ms(percentile(durs, 50)), "p50-ms")
	b.ReportMetric(ms(percentile(durs, 95)), "p95-ms")
}

// workbenchLists are the lists of the 工作台 (web.workLists) as storage
// calls, each with the roles whose business it is.
var workbenchLists = []struct {
	applies func(u *xinfang.User) bool
	find    func(db *sqldb.DB, ctx context.Context) ([]*xinfang.Petition, int, error)
}{
	{mayTake(xinfang.ActSign), func(db *sqldb.DB, ctx context.Context) ([]*xinfang.Petition, int, error) {
		return db.Petitions.FindTodo(ctx, xinfang.TodoSign, 0, 10)
	}},
	{mayTake(xinfang.ActAccept), func(db *sqldb.DB, ctx context.Context) ([]*xinfang.Petition, int, error) {
		return db.Petitions.FindTodo(ctx, xinfang.TodoAccept, 0, 10)
	}},
	{mayTake(xinfang.ActReply), func(db *sqldb.DB, ctx context.Context) ([]*xinfang.Petition, int, error) {
		return db.Petitions.FindTodo(ctx, xinfang.TodoReply, 0, 10)
	}},
	{inScope, func(db *sqldb.DB, ctx context.Context) ([]*xinfang.Petition, int, error) {
		return db.Petitions.FindPetitions(ctx, xinfang.PetitionFilter{Warning: xinfang.WarnNear, Open: true, Sort: "due", Limit: 10})
	}},
	{inScope, func(db *sqldb.DB, ctx context.Context) ([]*xinfang.Petition, int, error) {
		return db.Petitions.FindOverdue(ctx, 0, 10)
	}},
	{inScope, func(db *sqldb.DB, ctx context.Context) ([]*xinfang.Petition, int, error) {
		return db.Petitions.FindPetitions(ctx, xinfang.PetitionFilter{Warning: xinfang.WarnSevere, Open: true, Sort: "due", Limit: 10})
	}},
}

func mayTake(a xinfang.Action) func(u *xinfang.User) bool {
	t, ok := procedure.Find(a)
	if !ok {
		panic("no transition " + string(a))
	}
	return func(u *xinfang.User) bool { return u.HasAny(t.Roles...) }
}

func inScope(u *xinfang.User) bool { return !xinfang.ScopeOf(u).None }

// ledgerQueries are searches staff type: a matter, a place, a name.
var ledgerQueries = []string{"征地补偿", "李家湾村", "物业", "王建国", "拖欠农民工工资"}

func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i-1, 0)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// ledgerFixture is the city of the ledger database.
type ledgerFixture struct {
	leader, townHandler, deptHandler, registrar *xinfang.User
	towns                                       []*xinfang.Unit
}

// ledgerDataVersion changes whenever the generated data changes, so that
// a cached database of an older generator is not reused.
const ledgerDataVersion = "3 with search and repeat indexes"

// ledgerDB opens the ledger database of n petitions, building it the first
// time. The file is kept in os.TempDir() under a name that carries the
// generator's version (schemaKey), so that repeated runs start at once and
// a changed generator builds afresh; a new migration is applied to the
// cached file when it is opened.
func ledgerDB(b *testing.B, n int) (*sqldb.DB, ledgerFixture) {
	b.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("xinfang-bench-ledger-%d-%s.db", n, schemaKey(b)))
	if _, err := os.Stat(path); err != nil {
		start := time.Now()
		buildLedger(b, path, n)
		b.Logf("built %d petitions in %s: %s", n, time.Since(start).Round(time.Millisecond), path)
	}
	db := sqldb.NewDB(path, sqldbtest.Keys)
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	// A subtree's list by channel or by category is counted from the 态势
	// counts (ledger_counts.go), which hold none of the rows written
	// after the migrations until they are counted once.
	dashCounts(b, db)
	severeGap(b, db)
	return db, ledgerFixtureOf(b, db)
}

// severeGap counts the 超期 list's bound (severe_gap.go) from the rows
// the generators wrote around the writers, as an upgrade counts it.
func severeGap(b *testing.B, db *sqldb.DB) {
	b.Helper()
	start := time.Now()
	if err := db.RecountSevereGap(context.Background()); err != nil {
		b.Fatal(err)
	}
	gap, built, err := db.SevereGap(context.Background())
	if err != nil || !built {
		b.Fatalf("severe gap %d, built %v: %v", gap, built, err)
	}
	b.Logf("the 超期 bound, %d days, counted in %s", gap, time.Since(start).Round(time.Millisecond))
}

// ledgerFixtureOf finds the users and towns of the generator's city in db.
func ledgerFixtureOf(b *testing.B, db *sqldb.DB) ledgerFixture {
	b.Helper()
	ctx := context.Background()
	var lf ledgerFixture
	var err error
	if lf.leader, err = db.Directory.FindUserByUsername(ctx, "leader"); err != nil {
		b.Fatal(err)
	}
	if lf.townHandler, err = db.Directory.FindUserByUsername(ctx, "town1.handler"); err != nil {
		b.Fatal(err)
	}
	if lf.deptHandler, err = db.Directory.FindUserByUsername(ctx, "dept1.handler"); err != nil {
		b.Fatal(err)
	}
	if lf.registrar, err = db.Directory.FindUserByUsername(ctx, "registrar"); err != nil {
		b.Fatal(err)
	}
	units, err := db.Directory.FindUnits(ctx)
	if err != nil {
		b.Fatal(err)
	}
	for _, u := range units {
		if u.Kind == xinfang.UnitTown {
			lf.towns = append(lf.towns, u)
		}
	}
	return lf
}

func schemaKey(b *testing.B) string {
	b.Helper()
	// The generators' own version names the file, not the schema: a file
	// built under older migrations is migrated forward when it is opened,
	// as a deployed database is, so that a new migration does not cost a
	// rebuild of a million petitions (and its upgrade is measured on them).
	h := sha256.New()
	fmt.Fprintf(h, "data v%s", ledgerDataVersion)
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// buildLedger writes a city and n petitions into a new database at path.
// The city goes through the storage API; the petitions are inserted with
// SQL into the same columns RegisterPetition and Act fill, in a few large
// transactions, since registering 100,000 items one by one takes longer
// than the benchmark is worth (see BenchmarkRegister). Their states, units,
// due dates and warning levels follow the shape of the demo city's ledger.
// No events are written: the ledger reads only the projection.
func buildLedger(b *testing.B, path string, n int) {
	b.Helper()
	tmp := path + ".building"
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(tmp + suffix)
	}
	db := sqldb.NewDB(tmp, sqldbtest.Keys)
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	g, leader := ledgerCity(b, db)
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}

	raw := openBulk(b, tmp)
	g.rng = rand.New(rand.NewPCG(2026, uint64(n)))
	const batch = 20_000
	for done := 0; done < n; done += batch {
		if err := g.insert(raw, done, min(batch, n-done)); err != nil {
			raw.Close()
			b.Fatal(err)
		}
	}
	if err := g.cases(raw, n, leader); err != nil {
		raw.Close()
		b.Fatal(err)
	}
	for _, q := range sqldb.PersonIDsSQL {
		if _, err := raw.Exec(q); err != nil {
			b.Fatal(err)
		}
	}
	if err := indexLedger(raw); err != nil {
		b.Fatal(err)
	}
	if err := raw.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
}

// ledgerCity creates the generator's city in db through the storage API —
// the 信访局, the 纪委监委, 10 towns of 10 villages, 10 departments and the
// four users the cases act as — and returns the generator of its
// petitions (without its random source) and the city's leader.
func ledgerCity(b *testing.B, db *sqldb.DB) (*ledgerGen, *xinfang.User) {
	b.Helper()
	ctx := context.Background()
	unit := func(parent *xinfang.Unit, code, name string, kind xinfang.UnitKind) *xinfang.Unit {
		u := &xinfang.Unit{Code: code, Name: name, Kind: kind}
		if parent != nil {
			u.ParentID = parent.ID
		}
		if err := db.Directory.CreateUnit(ctx, u); err != nil {
			b.Fatal(err)
		}
		return u
	}
	city := unit(nil, "BCITY", "基准市", xinfang.UnitCity)
	bureau := unit(city, "BXFJ", "基准市信访局", xinfang.UnitBureau)
	discipline := unit(city, "BJW", "基准市纪委监委", xinfang.UnitDiscipline)
	var towns, villages, depts []*xinfang.Unit
	for t := 1; t <= 10; t++ {
		town := unit(city, fmt.Sprintf("BT%02d", t), fmt.Sprintf("第%d镇", t), xinfang.UnitTown)
		towns = append(towns, town)
		for v := 1; v <= 10; v++ {
			villages = append(villages, unit(town, fmt.Sprintf("BT%02d-%02d", t, v), ledgerVillages[(t*10+v)%len(ledgerVillages)], xinfang.UnitVillage))
		}
	}
	for i, name := range []string{"人社局", "住建局", "自然资源局", "生态环境局", "民政局", "公安局", "法院", "教育局", "卫健委", "农业农村局"} {
		kind := xinfang.UnitDepartment
		if name == "公安局" || name == "法院" {
			kind = xinfang.UnitLegal
		}
		depts = append(depts, unit(city, fmt.Sprintf("BD%02d", i+1), "基准市"+name, kind))
	}
	for _, u := range []*xinfang.User{
		{Username: "leader", Name: "领导", UnitID: city.ID, Roles: []xinfang.Role{xinfang.RoleLeader}},
		{Username: "registrar", Name: "登记员", UnitID: bureau.ID, Roles: []xinfang.Role{xinfang.RoleRegistrar}},
		{Username: "town1.handler", Name: "承办人", UnitID: towns[0].ID, Roles: []xinfang.Role{xinfang.RoleHandler}},
		{Username: "dept1.handler", Name: "部门承办人", UnitID: depts[0].ID, Roles: []xinfang.Role{xinfang.RoleHandler}},
	} {
		if err := db.Directory.CreateUser(ctx, u, sqldbtest.Password); err != nil {
			b.Fatal(err)
		}
	}
	registrar, err := db.Directory.FindUserByUsername(ctx, "registrar")
	if err != nil {
		b.Fatal(err)
	}
	leader, err := db.Directory.FindUserByUsername(ctx, "leader")
	if err != nil {
		b.Fatal(err)
	}
	g := &ledgerGen{towns: towns, villages: villages, depts: depts,
		townOf: map[int64]*xinfang.Unit{}, bureau: bureau, discipline: discipline, registrar: registrar, db: db}
	for _, t := range towns {
		g.townOf[t.ID] = t
	}
	return g, leader
}

// openBulk opens the SQLite file at path for a generator's bulk load, which
// trades durability for speed: a crash while building only loses a file
// that is built again.
func openBulk(b *testing.B, path string) *sql.DB {
	b.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)&_pragma=foreign_keys(ON)")
	if err != nil {
		b.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	return raw
}

var ledgerVillages = []string{"李家湾村", "王家庄村", "柳树沟村", "石门村", "马鞍山村", "枣园村", "黄土岭村", "大塘村", "龙泉村", "新庄村",
	"张家渡村", "沙洲村", "东门社区", "朝阳社区", "和平社区", "新华社区", "文昌社区", "桃花村", "白果村", "兴隆村"}

// ledgerMatters are summary and content templates; %s is the village.
var ledgerMatters = []struct{ category, summary, content string }{
	{"1401", "反映%s征地补偿款未足额发放问题", "信访人反映：%s因道路建设征收集体土地，其家庭承包地的土地补偿费、安置补助费至今仅领取一部分，余款村委会称镇里尚未拨付，多次反映未果。"},
	{"0501", "反映%s附近工地拖欠农民工工资问题", "信访人等反映：他们在%s附近的住宅项目工地从事钢筋、木工等工作，累计被拖欠工资十余万元，项目部以开发商未付工程款为由一再拖延。"},
	{"1305", "反映%s宅基地界址纠纷问题", "信访人反映：其家位于%s，邻居翻建房屋时将院墙外移约一米，占用其宅基地，多次找村委会调解无果。"},
	{"1105", "反映%s养猪场粪污污染问题", "信访人反映：%s有一家生猪养殖场，粪污未经处理直接排入水塘和灌溉渠，夏季臭气熏天，周边村民苦不堪言。"},
	{"1202", "反映%s低保评定不公问题", "信访人反映：其本人患病丧失劳动能力，向%s申请最低生活保障未获通过，而部分家庭条件较好的农户却享受了低保。"},
	{"1502", "反映%s物业公司违规收费问题", "信访人反映：%s小区物业公司服务不到位，监控和门禁长期损坏，却擅自上调物业费并挪用公共收益。"},
	{"1301", "反映%s承包地被收回另行发包问题", "信访人反映：其家在%s承包的耕地在其外出务工期间被组里收回发包他人，回村后要求返还被拒。"},
	{"1803", "反映胜诉判决长期得不到执行问题", "信访人反映：其与%s村民民间借贷纠纷一案判决生效后对方拒不履行，申请强制执行两年多执行款未到位。"},
	{"0402", "检举%s干部侵占集体资产问题", "信访人反映：%s党支部书记将集体机动地以个人名义出租，租金未入村集体账户，村务财务长期不公开。"},
	{"1001", "建议修缮%s通村公路", "信访人反映：%s通往集镇的道路路面坑洼、路基塌陷，雨天泥泞不堪，村民出行十分困难，建议尽快修缮。"},
}

var ledgerNames = []string{"王建国", "李秀英", "张志刚", "刘桂英", "陈卫东", "杨玉兰", "黄海涛", "赵淑珍", "吴永明", "周丽华", "徐德华", "孙春梅"}

// ledgerStates are the states with their share (per mille) of a ledger
// three years old, as in the demo city.
var ledgerStates = []struct {
	state xinfang.State
	share int
	clock int // length of the running duty clock in days, 0 for none
}{
	{xinfang.StateConcluded, 420, 0}, {xinfang.StateHandling, 165, 60}, {xinfang.StateReplied, 60, 0},
	{xinfang.StateRegistered, 30, 15}, {xinfang.StatePendingSign, 30, 15}, {xinfang.StateSigned, 20, 15},
	{xinfang.StateReviewing, 24, 30}, {xinfang.StateReviewed, 21, 0}, {xinfang.StateRereviewing, 20, 30},
	{xinfang.StateTerminated, 54, 0}, {xinfang.StateNotAccepted, 47, 0}, {xinfang.StateDiverted, 52, 0},
	{xinfang.StateMerged, 36, 0}, {xinfang.StateWithdrawn, 21, 0},
}

type ledgerGen struct {
	db                     *sqldb.DB // seals the petitioners' data
	rng                    *rand.Rand
	towns, villages, depts []*xinfang.Unit
	townOf                 map[int64]*xinfang.Unit
	bureau, discipline     *xinfang.Unit
	registrar              *xinfang.User
}

func (g *ledgerGen) state() (xinfang.State, int) {
	n := g.rng.IntN(1000)
	for _, s := range ledgerStates {
		if n < s.share {
			return s.state, s.clock
		}
		n -= s.share
	}
	return xinfang.StateConcluded, 0
}

// ledgerRow is one generated petition and its petitioner, as stored but
// for the petitioner's sealed fields (PersonArgs of idNumber, phone and
// address) and the ids the database gives.
type ledgerRow struct {
	number, queryHash, channel, received  string
	regID, localityID                     int64
	handlingID                            any // nil while unrouted
	persons, involved, grp                int
	summary, content, category, purpose   string
	legalCase, repeat                     int
	state, outcome, due, severe, dueClock string
	regPath, handlingPath                 string
	name, idNumber, phone, address        string
}

// row generates petition i, drawing from g.rng: the rows of a ledger are
// g.row(0..n-1) in turn, whatever writes them.
func (g *ledgerGen) row(i int) ledgerRow {
	r := g.rng
	today := calendar.DateOf(ledgerToday)
	village := g.villages[r.IntN(len(g.villages))]
	town := g.townOf[village.ParentID]
	m := ledgerMatters[r.IntN(len(ledgerMatters))]
	state, clock := g.state()
	// Open items are recent, most within their clock, some overdue,
	// a few severely; closed ones spread over three years.
	age := r.IntN(3 * 365)
	due, severe, dueClock := "", "", ""
	if clock > 0 {
		switch k := r.IntN(100); {
		case k < 75:
			age = r.IntN(clock)
		case k < 93:
			age = clock + r.IntN(clock)
		default:
			age = 2*clock + r.IntN(300)
		}
		start := today.AddDays(-age)
		due, severe = start.AddDays(clock).String(), start.AddDays(2*clock).String()
		dueClock = map[int]string{15: "disposal", 30: "review", 60: "handling"}[clock]
	}
	received := today.AddDays(-age).Time().Add(time.Duration(8*60+r.IntN(9*60)) * time.Minute)
	reg, handling := g.bureau, town
	switch {
	case m.category == "0402":
		handling = g.discipline // 检举控告 go to the 纪委监委
	case r.IntN(4) == 0:
		reg = town
	case r.IntN(10) < 4:
		handling = g.depts[r.IntN(len(g.depts))]
	}
	if handling == town && r.IntN(5) == 0 {
		handling = village // a town hands one item in five on to a village
	}
	w := ledgerRow{regID: reg.ID, localityID: village.ID, regPath: reg.Path, dueClock: dueClock, due: due, severe: severe,
		state: string(state), category: m.category, purpose: "claim", persons: 1,
		summary: fmt.Sprintf(m.summary, village.Name), content: fmt.Sprintf(m.content, village.Name),
		idNumber: benchIDNumber(i), phone: fmt.Sprintf("13%09d", i), address: village.Name}
	if state != xinfang.StateRegistered && state != xinfang.StateMerged {
		w.handlingID, w.handlingPath = handling.ID, handling.Path
	}
	w.name = ledgerNames[r.IntN(len(ledgerNames))]
	w.received = received.UTC().Format("2006-01-02T15:04:05.000000Z")
	if r.IntN(10) == 0 {
		w.persons = 5 + r.IntN(20)
	}
	if m.category == "0402" {
		w.purpose = "accusation"
	}
	if state == xinfang.StateConcluded || state == xinfang.StateReplied || state == xinfang.StateReviewed {
		w.outcome = []string{"support", "explain", "reject"}[r.IntN(3)]
	}
	w.number, w.queryHash = fmt.Sprintf("%s-%d-%07d", reg.Code, received.Year(), i+1), "bench-"+strconv.Itoa(i)
	w.channel = ledgerChannels[r.IntN(len(ledgerChannels))]
	w.involved, w.grp = w.persons*(1+r.IntN(3)), b2i(w.persons >= 5)
	w.legalCase, w.repeat = b2i(m.category == "1803"), b2i(r.IntN(14) == 0)
	return w
}

var ledgerChannels = []string{"online", "online", "online", "letter", "call", "visit", "visit", "handed_down", "screening", "fax"}

// insert writes petitions from..from+count-1 in one transaction.
func (g *ledgerGen) insert(raw *sql.DB, from, count int) error {
	tx, err := raw.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	insPetitioner, err := tx.Prepare(`INSERT INTO petitioners (name, id_type, id_number, id_index, phone, phone_index, address, created_at) VALUES (?, 'id_card', ?, ?, ?, ?, ?, ?) RETURNING id`)
	if err != nil {
		return err
	}
	insPetition, err := tx.Prepare(`INSERT INTO petitions (number, query_hash, version, channel, received_at, reg_unit_id, reg_user_id, first_unit_id, petitioner_id,
		person_count, involved_count, grp, summary, content, request, category, purpose, locality_id, legal_case, repeat_flag,
		state, handling_unit_id, outcome, evaluation, due_date, severe_date, due_clock, reg_path, handling_path, created_at, updated_at)
		VALUES (?, ?, 3, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	if err != nil {
		return err
	}
	insLink, err := tx.Prepare(`INSERT INTO petition_petitioners (petition_id, petitioner_id) VALUES (?, ?)`)
	if err != nil {
		return err
	}
	for i := from; i < from+count; i++ {
		w := g.row(i)
		var pid int64
		if err := insPetitioner.QueryRow(append(append([]any{w.name}, g.db.PersonArgs(w.idNumber, w.phone, w.address)...), w.received)...).Scan(&pid); err != nil {
			return err
		}
		var id int64
		err := insPetition.QueryRow(
			w.number, w.queryHash, w.channel, w.received, w.regID, g.registrar.ID, w.regID, pid, w.persons, w.involved, w.grp,
			w.summary, w.content, ledgerRequest, w.category, w.purpose, w.localityID, w.legalCase, w.repeat, w.state, w.handlingID, w.outcome,
			w.due, w.severe, w.dueClock, w.regPath, w.handlingPath, w.received, w.received,
		).Scan(&id)
		if err != nil {
			return err
		}
		if _, err := insLink.Exec(id, pid); err != nil {
			return err
		}
	}
	return tx.Commit()
}

const ledgerRequest = "要求依法解决"

// ledgerCaseRow is one generated backlog case and the petitions (by id,
// 1..n) linked to it, each once.
type ledgerCaseRow struct {
	number, title, source, summary, petitioners string
	unitID                                      int64
	unitPath                                    string
	leaderID                                    any // nil without a 包案领导
	deadline, state, created                    string
	petitions                                   []int64
}

// caseRow generates backlog case i of a ledger of n petitions, drawing
// from g.rng after the petitions: one or two linked petitions, a town or
// a department responsible and, for most, the city's leader as 包案领导.
func (g *ledgerGen) caseRow(i, n int, leader *xinfang.User) ledgerCaseRow {
	r := g.rng
	today := calendar.DateOf(ledgerToday)
	unit := g.towns[r.IntN(len(g.towns))]
	if r.IntN(3) == 0 {
		unit = g.depts[r.IntN(len(g.depts))]
	}
	c := ledgerCaseRow{number: fmt.Sprintf("BJA-%06d", i+1), unitID: unit.ID, unitPath: unit.Path}
	c.state = []string{"unresolved", "resolving", "resolving", "resolved", "closed"}[r.IntN(5)]
	if c.state == "unresolved" || c.state == "resolving" {
		c.deadline = today.AddDays(r.IntN(150) - 60).String()
	}
	if r.IntN(5) > 0 {
		c.leaderID = leader.ID
	}
	m := ledgerMatters[r.IntN(len(ledgerMatters))]
	c.created = today.AddDays(-r.IntN(700)).Time().UTC().Format("2006-01-02T15:04:05.000000Z")
	c.title, c.summary = fmt.Sprintf(m.summary, unit.Name), fmt.Sprintf(m.content, unit.Name)
	c.source = []string{"central", "province", "city", "self", "repeat"}[r.IntN(5)]
	c.petitioners = ledgerNames[r.IntN(len(ledgerNames))]
	// The bound is drawn again at each turn, as it always was: one link,
	// and a second one time in two.
	for k := 0; k <= r.IntN(2); k++ {
		if id := int64(1 + r.IntN(n)); !slices.Contains(c.petitions, id) {
			c.petitions = append(c.petitions, id)
		}
	}
	return c
}

// ledgerCases is the number of backlog cases of a ledger of n petitions:
// one per 500.
func ledgerCases(n int) int { return max(n/500, 1) }

// cases writes the backlog cases (积案) of a ledger of n petitions.
func (g *ledgerGen) cases(raw *sql.DB, n int, leader *xinfang.User) error {
	tx, err := raw.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ins, err := tx.Prepare(`INSERT INTO cases (number, title, source, summary, petitioners, responsible_unit_id, responsible_path, leader_id, deadline, state, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	if err != nil {
		return err
	}
	link, err := tx.Prepare(`INSERT INTO case_petitions (case_id, petition_id) VALUES (?, ?)`)
	if err != nil {
		return err
	}
	for i := 0; i < ledgerCases(n); i++ {
		c := g.caseRow(i, n, leader)
		var id int64
		if err := ins.QueryRow(c.number, c.title, c.source, c.summary, c.petitioners, c.unitID, c.unitPath, c.leaderID, c.deadline, c.state,
			g.registrar.ID, c.created, c.created).Scan(&id); err != nil {
			return err
		}
		for _, p := range c.petitions {
			if _, err := link.Exec(id, p); err != nil {
				return err
			}
		}
	}
	return tx.Commit()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// BenchmarkRegisterConcurrent registers from 16 goroutines at once, as a
// loaded server's handlers do: each registration with the person check
// and its audit entry. With group commit the registrations queued while a
// commit runs go in the next one. It reports registrations per second
// and the 50th and 99th percentile latency of one registration.
func BenchmarkRegisterConcurrent(b *testing.B) {
	for _, dialect := range sqldbtest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			db := sqldbtest.Open(b, dialect)
			f := sqldbtest.NewFixture(b, db)
			ctx := xinfang.WithAuditing(f.Ctx(f.BureauRegistrar), &xinfang.Auditing{Kind: xinfang.AuditChange, Route: "POST /api/v1/petitions", IP: "127.0.0.1"})
			villages := []*xinfang.Unit{f.VillageA, f.VillageB}
			now := time.Now()
			var next atomic.Int64
			durs := make(chan time.Duration, b.N)
			b.SetParallelism(8) // 16 goroutines on 2 cores
			b0, w0, _, _ := db.BatchStats()
			rt0 := db.RoundTrips()
			b.ResetTimer()
			start, cpu0 := time.Now(), cpuTime()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := int(next.Add(1))
					p := benchPetition(villages[i%2], i, now)
					t0 := time.Now()
					if _, err := db.Petitioners.FindPersonMatches(ctx, p.Petitioner.IDNumber, "", p.Petitioner.Phone, 10); err != nil {
						b.Error(err)
						return
					}
					if err := db.Petitions.RegisterPetition(ctx, p); err != nil {
						b.Error(err)
						return
					}
					durs <- time.Since(t0)
				}
			})
			elapsed, cpu := time.Since(start), cpuTime()-cpu0
			b.StopTimer()
			close(durs)
			var all []time.Duration
			for d := range durs {
				all = append(all, d)
			}
			if len(all) != b.N {
				b.Fatalf("%d of %d registrations succeeded", len(all), b.N)
			}
			if n := count(b, db, "petitions"); n < b.N {
				b.Fatalf("%d petitions stored after %d registrations", n, b.N)
			}
			slices.Sort(all)
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "regs/s")
			b.ReportMetric(ms(percentile(all, 50)), "p50-ms")
			b.ReportMetric(ms(percentile(all, 99)), "p99-ms")
			// The process's CPU per registration: what bounds the rate on
			// two cores, and a figure other load on the machine barely moves.
			b.ReportMetric(ms(cpu)/float64(b.N), "cpu-ms/reg")
			b1, w1, _, _ := db.BatchStats()
			b.ReportMetric(float64(w1-w0)/float64(max(b1-b0, 1)), "writes/batch")
			// Statements of the write transactions per registration (the
			// audit entries' included): on PostgreSQL, round trips.
			b.ReportMetric(float64(db.RoundTrips()-rt0)/float64(b.N), "stmts/reg")
		})
	}
}

// BenchmarkPetitionDetail reads one petition as its page and the API's
// detail do (FindPetitionByID: the row with the petitioner in full, the
// registrar's name, the count of repeats, the events for the clocks),
// over 50 items transferred, signed for and accepted, on each dialect.
func BenchmarkPetitionDetail(b *testing.B) {
	for _, dialect := range sqldbtest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			db := sqldbtest.Open(b, dialect)
			f := sqldbtest.NewFixture(b, db)
			var ids []int64
			for i := range 50 {
				p := f.MustRegister(b, f.BureauRegistrar, f.NewPetition(f.VillageA, i))
				p = f.MustAct(b, f.BureauRegistrar, p.ID, transfer(f.TownA, p.Version))
				p = f.MustAct(b, f.HandlerA, p.ID, xinfang.ActionInput{Action: xinfang.ActSign, Version: p.Version})
				f.MustAct(b, f.HandlerA, p.ID, xinfang.ActionInput{Action: xinfang.ActAccept, Version: p.Version})
				ids = append(ids, p.ID)
			}
			ctx := f.Ctx(f.HandlerA)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				p, err := db.Petitions.FindPetitionByID(ctx, ids[i%len(ids)])
				if err != nil {
					b.Fatal(err)
				}
				if p.State != xinfang.StateHandling || len(p.Clocks) == 0 {
					b.Fatalf("petition %d read as %s with %d clocks: the read measures no history", p.ID, p.State, len(p.Clocks))
				}
			}
		})
	}
}
