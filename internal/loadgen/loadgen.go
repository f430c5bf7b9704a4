// Package loadgen is the load generator behind `xinfang bench`: the
// registration and read mixes over the JSON API of running servers on this
// machine, and the raw baseline, a minimal insert loop on the same database
// driver and settings as the product, against which the product's rate is
// judged.
//
// It talks to the product only over HTTP (it must never import
// internal/web or call storage), so that what it measures is what a client
// sees; the raw baseline reads the product's connection settings from
// internal/sqldb and nothing else.
package loadgen

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Limits bound a run: it stops issuing requests when Duration has passed
// or Count requests have been issued, whichever comes first. Requests in
// flight then finish and count.
type Limits struct {
	Clients  int
	Duration time.Duration
	Count    int64
}

// Check refuses limits that would never start or never stop.
func (l Limits) Check() error {
	switch {
	case l.Clients < 1:
		return fmt.Errorf("-clients: must be 1 or more, not %d", l.Clients)
	case l.Duration <= 0:
		return fmt.Errorf("-duration: must be more than 0, not %s", l.Duration)
	case l.Count < 1:
		return fmt.Errorf("-count: must be 1 or more, not %d", l.Count)
	}
	return nil
}

// Stats are the figures of one kind of request, or of all together.
// Latencies are those of the successful requests (2xx): a refusal that
// comes back at once must not make the product look fast.
type Stats struct {
	Requests int64            `json:"requests"`
	OK       int64            `json:"ok"`
	Errors   map[string]int64 `json:"errors"` // by HTTP status, or "net" when no answer came
	// Empty counts successful list or search answers with no item: a read
	// mix whose queries match nothing measures nothing, and says so.
	Empty   int64   `json:"empty"`
	PerSec  float64 `json:"req_per_s"`
	P50     float64 `json:"p50_ms"`
	P95     float64 `json:"p95_ms"`
	P99     float64 `json:"p99_ms"`
	Max     float64 `json:"max_ms"`
	ErrText string  `json:"first_error,omitempty"` // the first failure, to say why
}

// Failed is the number of requests that did not succeed.
func (s *Stats) Failed() int64 { return s.Requests - s.OK }

// Report is the outcome of one run.
type Report struct {
	Mode     string   `json:"mode"`
	Targets  []string `json:"targets,omitempty"` // the servers, or the database of the raw baseline
	Clients  int      `json:"clients"`
	Limit    string   `json:"duration_limit"`
	MaxCount int64    `json:"count_limit"`
	Elapsed  float64  `json:"elapsed_s"`
	// Kinds are the figures per kind of request, in Order.
	Kinds   map[string]*Stats `json:"kinds"`
	Order   []string          `json:"-"`
	Total   *Stats            `json:"total"`
	Servers []Memory          `json:"servers,omitempty"`
	// CPU is the processor time this process — the load generator, or the
	// raw baseline's writers — took during the run, user and system, in
	// seconds (getrusage).
	CPU float64 `json:"self_cpu_s"`
	// OKByTarget counts the successes per server, when there are several.
	OKByTarget map[string]int64 `json:"ok_by_target,omitempty"`
	// OKByClient counts the successes per client.
	OKByClient []int64 `json:"ok_by_client"`
	Rows       int64   `json:"rows_written,omitempty"` // raw: rows in the scratch table
	// Load is the machine's 1-minute load average before and after the
	// run (/proc/loadavg): figures taken beside other work say so.
	Load [2]float64 `json:"load_1m"`
	Note string     `json:"note,omitempty"`
}

// Outcome is what one request gave.
type Outcome struct {
	Kind   string
	Status int   // HTTP status; 0 when no answer came
	Empty  bool  // a list or search answered with no item
	Err    error // a failure: no answer, or an answer that is not the success expected
	// Class names a failure without a status in the report ("net" by
	// default: no answer came).
	Class string
}

// Op makes one request for worker w; it is called from one goroutine per
// worker, never concurrently for the same w.
type Op func(ctx context.Context, w int) Outcome

// tally collects one worker's outcomes of one kind.
type tally struct {
	requests, ok, empty int64
	errors              map[string]int64
	errText             string
	lat                 []time.Duration
}

// Run calls op from lim.Clients goroutines until the limits are reached or
// ctx ends, and returns the figures, kinds in the order given (others
// after, sorted). A request cut short by ctx is not counted.
func Run(ctx context.Context, lim Limits, order []string, op Op) *Report {
	var issued atomic.Int64
	stop := make(chan struct{})
	timer := time.AfterFunc(lim.Duration, func() { close(stop) })
	defer timer.Stop()
	tallies := make([]map[string]*tally, lim.Clients)
	var wg sync.WaitGroup
	loadBefore := loadAverage()
	cpuBefore := selfCPU()
	start := time.Now()
	for w := range lim.Clients {
		tallies[w] = map[string]*tally{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := tallies[w]
			for {
				select {
				case <-stop:
					return
				case <-ctx.Done():
					return
				default:
				}
				if issued.Add(1) > lim.Count {
					return
				}
				t0 := time.Now()
				out := op(ctx, w)
				d := time.Since(t0)
				if out.Err != nil && ctx.Err() != nil {
					return // interrupted, not failed
				}
				t := mine[out.Kind]
				if t == nil {
					t = &tally{errors: map[string]int64{}}
					mine[out.Kind] = t
				}
				t.requests++
				switch {
				case out.Err == nil:
					t.ok++
					t.lat = append(t.lat, d)
					if out.Empty {
						t.empty++
					}
				default:
					key := "net"
					switch {
					case out.Status != 0:
						key = strconv.Itoa(out.Status)
					case out.Class != "":
						key = out.Class
					}
					t.errors[key]++
					if t.errText == "" {
						t.errText = out.Err.Error()
					}
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	r := &Report{Clients: lim.Clients, Limit: lim.Duration.String(), MaxCount: lim.Count, Elapsed: elapsed.Seconds(), Kinds: map[string]*Stats{},
		Load: [2]float64{loadBefore, loadAverage()}, CPU: selfCPU() - cpuBefore}
	byKind := map[string][]*tally{}
	for _, m := range tallies {
		for k, t := range m {
			byKind[k] = append(byKind[k], t)
		}
	}
	r.OKByClient = make([]int64, lim.Clients)
	for w, m := range tallies {
		for _, t := range m {
			r.OKByClient[w] += t.ok
		}
	}
	var all []*tally
	for k, ts := range byKind {
		r.Kinds[k] = summarize(ts, elapsed)
		all = append(all, ts...)
	}
	r.Total = summarize(all, elapsed)
	for _, k := range order {
		if _, ok := r.Kinds[k]; ok {
			r.Order = append(r.Order, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(r.Kinds)) {
		if !slices.Contains(r.Order, k) {
			r.Order = append(r.Order, k)
		}
	}
	return r
}

func summarize(ts []*tally, elapsed time.Duration) *Stats {
	s := &Stats{Errors: map[string]int64{}}
	var lat []time.Duration
	for _, t := range ts {
		s.Requests += t.requests
		s.OK += t.ok
		s.Empty += t.empty
		for k, n := range t.errors {
			s.Errors[k] += n
		}
		if s.ErrText == "" {
			s.ErrText = t.errText
		}
		lat = append(lat, t.lat...)
	}
	if elapsed > 0 {
		s.PerSec = float64(s.OK) / elapsed.Seconds()
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	s.P50, s.P95, s.P99 = ms(percentile(lat, 50)), ms(percentile(lat, 95)), ms(percentile(lat, 99))
	if len(lat) > 0 {
		s.Max = ms(lat[len(lat)-1])
	}
	return s
}

// percentile is the nearest-rank percentile of sorted latencies.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 · n)
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
