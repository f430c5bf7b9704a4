package sqldb_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
)

// The indicator, dashboard and assessment benchmarks run over the ledger
// city of BenchmarkLedger (100,000 petitions; 10,000 with
// XINFANG_BENCH_SMALL=1; 1,000,000 as well with XINFANG_BENCH_1M=1), to
// whose petitions kpiFacts gives the indicator facts their events would
// (the ledger is written with SQL, without events): a 15-day clock each,
// a handling clock for those accepted, an evaluation for those replied.

func kpiSizes() []int {
	sizes := []int{benchSize(100_000)}
	if os.Getenv("XINFANG_BENCH_1M") == "1" {
		sizes = append(sizes, 1_000_000)
	}
	return sizes
}

// kpiFacts fills kpi_facts from the ledger's petitions once (the cached
// database keeps them).
func kpiFacts(b *testing.B, db *sqldb.DB) {
	b.Helper()
	raw := db.RawSQL()
	var n int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM kpi_facts`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	if n > 0 {
		return
	}
	start := time.Now()
	for _, q := range []string{
		// The 15-day clock of the registering unit: done 1–20 days after
		// receipt (on time up to 15).
		`INSERT INTO kpi_facts (petition_id, seq, kind, clock, unit_id, unit_path, due_on, done_on, end_on, on_time, rating)
		 SELECT p.id, 1, 'accept', 'disposal', p.reg_unit_id, p.reg_path,
		  date(substr(p.received_at, 1, 10), '+15 days'), date(substr(p.received_at, 1, 10), '+' || (1 + p.id % 20) || ' days'),
		  CASE WHEN 1 + p.id % 20 <= 15 THEN date(substr(p.received_at, 1, 10), '+' || (1 + p.id % 20) || ' days') ELSE date(substr(p.received_at, 1, 10), '+15 days') END,
		  CASE WHEN 1 + p.id % 20 <= 15 THEN 1 ELSE 0 END, ''
		 FROM petitions p`,
		// The handling clock of the handling unit, for items past
		// acceptance: due 75 days after receipt, replied after 30–89 days
		// unless still handling.
		`INSERT INTO kpi_facts (petition_id, seq, kind, clock, unit_id, unit_path, due_on, done_on, end_on, on_time, rating)
		 SELECT p.id, 2, 'handle', 'handling', p.handling_unit_id, p.handling_path,
		  date(substr(p.received_at, 1, 10), '+75 days'),
		  CASE WHEN p.state = 'handling' THEN '' ELSE date(substr(p.received_at, 1, 10), '+' || (30 + p.id % 60) || ' days') END, '',
		  CASE WHEN p.state <> 'handling' AND 30 + p.id % 60 <= 75 THEN 1 ELSE 0 END, ''
		 FROM petitions p WHERE p.handling_unit_id IS NOT NULL AND p.state IN ('handling','replied','reviewing','reviewed','rereviewing','concluded','terminated')`,
		// The evaluation of the reply: two in three rated.
		`INSERT INTO kpi_facts (petition_id, seq, kind, clock, unit_id, unit_path, due_on, done_on, end_on, on_time, rating)
		 SELECT p.id, 3, 'evaluate', '', p.handling_unit_id, p.handling_path, '',
		  date(substr(p.received_at, 1, 10), '+' || (30 + p.id % 60) || ' days'), date(substr(p.received_at, 1, 10), '+' || (30 + p.id % 60) || ' days'), 0,
		  CASE p.id % 3 WHEN 0 THEN '' WHEN 1 THEN 'satisfied' ELSE 'basic' END
		 FROM petitions p WHERE p.handling_unit_id IS NOT NULL AND p.state IN ('replied','reviewing','reviewed','rereviewing','concluded','terminated') AND p.legal_case = 0`,
		// Their counts, as the migration that brought kpi_daily counts the
		// facts a database already holds.
		backfill(b, "0070_kpi_daily.sql", "kpi_daily"),
		`ANALYZE`,
	} {
		if _, err := raw.Exec(q); err != nil {
			b.Fatal(err)
		}
	}
	// And the registrations, as the count after migration 0077 does.
	if err := db.RecountRegistrations(context.Background(), 0, true); err != nil {
		b.Fatal(err)
	}
	if err := raw.QueryRow(`SELECT COUNT(*) FROM kpi_facts`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	b.Logf("derived %d facts in %s", n, time.Since(start).Round(time.Millisecond))
}

// backfill is the statements of a migration that count what a database
// holds into its table (kpi_daily of 0070), for the rows the generator
// writes after the migrations ran.
func backfill(b *testing.B, file, table string) string {
	buf, err := os.ReadFile("migrations/sqlite/" + file)
	if err != nil {
		b.Fatal(err)
	}
	_, after, ok := strings.Cut(string(buf), "-- backfill")
	if !ok {
		b.Fatalf("migration %s has no backfill", file)
	}
	return "DELETE FROM " + table + ";\n" + after[strings.Index(after, "\n")+1:]
}

func kpiBenchDB(b *testing.B, n int) (*sqldb.DB, ledgerFixture) {
	db, lf := ledgerDB(b, n)
	db.Now = func() time.Time { return ledgerToday }
	kpiFacts(b, db)
	dashCounts(b, db)
	return db, lf
}

// dashCounts counts the items into dash_counts once, as the background
// count after migration 0071 does (the generator writes the items after
// the migrations ran).
func dashCounts(b *testing.B, db *sqldb.DB) {
	b.Helper()
	var upto, last, rows int
	if err := db.RawSQL().QueryRow(`SELECT dash_upto, dash_last, (SELECT COUNT(*) FROM dash_counts) FROM kpi_state WHERE id = 1`).Scan(&upto, &last, &rows); err != nil {
		b.Fatal(err)
	}
	if rows > 0 && upto >= last {
		return
	}
	start := time.Now()
	if err := db.RecountDashboard(context.Background(), 0, true); err != nil {
		b.Fatal(err)
	}
	if err := db.RawSQL().QueryRow(`SELECT COUNT(*) FROM dash_counts`).Scan(&rows); err != nil {
		b.Fatal(err)
	}
	b.Logf("counted the items into %d rows of dash_counts in %s", rows, time.Since(start).Round(time.Millisecond))
}

var (
	kpiYear  = xinfang.IndicatorQuery{From: calendar.MustParseDate("2025-01-01"), To: calendar.MustParseDate("2025-12-31")}
	kpiMonth = xinfang.IndicatorQuery{From: calendar.MustParseDate("2026-03-01"), To: calendar.MustParseDate("2026-03-31")}
)

// BenchmarkIndicator computes every indicator of kpi.md (16 figures, 三无,
// 越级访 by month) for the city and for a town, over a year and a month,
// and lists one page of a figure's items.
func BenchmarkIndicator(b *testing.B) {
	for _, n := range kpiSizes() {
		b.Run(itoa(int64(n)), func(b *testing.B) {
			db, lf := kpiBenchDB(b, n)
			leader := xinfang.NewContextWithUser(context.Background(), lf.leader)
			town := lf.towns[0].ID
			cases := []struct {
				name string
				q    xinfang.IndicatorQuery
			}{
				{"city_year", kpiYear},
				{"city_month", kpiMonth},
				{"town_year", withUnit(kpiYear, town, false)},
				{"town_alone_month", withUnit(kpiMonth, town, true)},
			}
			for _, c := range cases {
				b.Run(c.name, func(b *testing.B) {
					var got *xinfang.Indicators
					for i := 0; i < b.N; i++ {
						var err error
						if got, err = db.Indicators.Indicators(leader, c.q); err != nil {
							b.Fatal(err)
						}
					}
					// Measured nothing unless the figures count something.
					if got == nil || got.Find(xinfang.IndTimelyAccept).Denominator == 0 {
						b.Fatalf("%s: no 15-day clock counted", c.name)
					}
				})
			}
			b.Run("items_page", func(b *testing.B) {
				var total int
				for i := 0; i < b.N; i++ {
					items, t, err := db.Indicators.IndicatorItems(leader, xinfang.IndicatorItemsQuery{IndicatorQuery: kpiYear, Kind: xinfang.IndOnTime, Part: xinfang.PartDenominator, Limit: 100})
					if err != nil {
						b.Fatal(err)
					}
					if len(items) == 0 {
						b.Fatal("no items listed")
					}
					total = t
				}
				if total == 0 {
					b.Fatal("measured nothing")
				}
			})
		})
	}
}

// BenchmarkIndicatorEach computes each indicator alone (both sides) for
// the city over a year, a town with its villages over a year (the town
// handler's dashboard) and a town alone over a month, from the counts
// of kpi_daily (counts) and, in the same run, counted from the facts and
// the items as before them (facts): the goal is any one indicator
// ≤ 100 ms at 1,000,000 petitions.
func BenchmarkIndicatorEach(b *testing.B) {
	for _, n := range kpiSizes() {
		b.Run(itoa(int64(n)), func(b *testing.B) {
			db, lf := kpiBenchDB(b, n)
			leader := xinfang.NewContextWithUser(context.Background(), lf.leader)
			for _, c := range []struct {
				name string
				q    xinfang.IndicatorQuery
			}{{"city_year", kpiYear}, {"town_year", withUnit(kpiYear, lf.towns[0].ID, false)}, {"town_alone_month", withUnit(kpiMonth, lf.towns[0].ID, true)}} {
				for _, d := range xinfang.IndicatorDefs {
					for _, from := range []string{"counts", "facts"} {
						b.Run(c.name+"/"+string(d.Kind)+"/"+from, func(b *testing.B) {
							db.CountFromFacts = from == "facts"
							defer func() { db.CountFromFacts = false }()
							var got *xinfang.Indicator
							for i := 0; i < b.N; i++ {
								var err error
								if got, err = db.Indicators.Figure(leader, c.q, d.Kind); err != nil {
									b.Fatal(err)
								}
							}
							if got == nil {
								b.Fatal("no figure")
							}
							b.ReportMetric(float64(got.Numerator), "numerator")
							b.ReportMetric(float64(got.Denominator), "denominator")
						})
					}
				}
			}
		})
	}
}

func withUnit(q xinfang.IndicatorQuery, unit int64, alone bool) xinfang.IndicatorQuery {
	q.UnitID, q.Alone = unit, alone
	return q
}

// BenchmarkDashboard computes the 态势 of the city's leader and of a town's
// handler for a year; city_leader_page adds what the page adds for a
// reader of the watch list, its counts (FindWatchList, one row).
func BenchmarkDashboard(b *testing.B) {
	for _, n := range kpiSizes() {
		b.Run(itoa(int64(n)), func(b *testing.B) {
			db, lf := kpiBenchDB(b, n)
			// The watch list's rows as the start makes them, not left to
			// the background.
			if err := db.BuildWatchRows(context.Background()); err != nil {
				b.Fatal(err)
			}
			for _, who := range []struct {
				name string
				u    *xinfang.User
			}{{"city_leader", lf.leader}, {"town_handler", lf.townHandler}} {
				ctx := xinfang.NewContextWithUser(context.Background(), who.u)
				b.Run(who.name, func(b *testing.B) {
					var d *xinfang.Dashboard
					for i := 0; i < b.N; i++ {
						var err error
						if d, err = db.Indicators.Dashboard(ctx, xinfang.DashboardQuery{From: kpiYear.From, To: kpiYear.To}); err != nil {
							b.Fatal(err)
						}
					}
					if d == nil || d.Total == 0 || len(d.States) == 0 {
						b.Fatal("measured nothing: no petition on the dashboard")
					}
				})
			}
			ctx := xinfang.NewContextWithUser(context.Background(), lf.leader)
			b.Run("city_leader_page", func(b *testing.B) {
				listed := 0
				for i := 0; i < b.N; i++ {
					d, err := db.Indicators.Dashboard(ctx, xinfang.DashboardQuery{From: kpiYear.From, To: kpiYear.To})
					if err != nil || d.Total == 0 {
						b.Fatalf("dashboard: %v", err)
					}
					page, err := db.Discipline.FindWatchList(ctx, xinfang.WatchFilter{Limit: 1})
					if err != nil {
						b.Fatal(err)
					}
					listed = page.Total
				}
				if listed == 0 {
					b.Fatal("measured nothing: the watch list is empty")
				}
			})
		})
	}
}

// BenchmarkAssessment computes the assessment of every unit for a year.
func BenchmarkAssessment(b *testing.B) {
	for _, n := range kpiSizes() {
		b.Run(itoa(int64(n)), func(b *testing.B) {
			db, lf := kpiBenchDB(b, n)
			ctx := xinfang.NewContextWithUser(context.Background(), lf.leader)
			var a *xinfang.Assessment
			for i := 0; i < b.N; i++ {
				var err error
				if a, err = db.Assessment.Assess(ctx, 2025); err != nil {
					b.Fatal(err)
				}
			}
			if a == nil || len(a.Units) == 0 {
				b.Fatal("measured nothing: no unit assessed")
			}
			b.ReportMetric(float64(len(a.Units)), "units")
		})
	}
}
