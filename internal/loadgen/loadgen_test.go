package loadgen

import (
	"context"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"xinfang"
)

func TestPercentile(t *testing.T) {
	var lat []time.Duration
	for i := 1; i <= 200; i++ {
		lat = append(lat, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct {
		p    int
		want time.Duration
	}{{50, 100 * time.Millisecond}, {95, 190 * time.Millisecond}, {99, 198 * time.Millisecond}, {100, 200 * time.Millisecond}} {
		if got := percentile(lat, tc.p); got != tc.want {
			t.Errorf("p%d of 1..200 ms = %s, want %s", tc.p, got, tc.want)
		}
	}
	if got := percentile(lat[:1], 99); got != time.Millisecond {
		t.Errorf("p99 of one = %s", got)
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("p50 of none = %s", got)
	}
}

// Run stops at the count, counts failures by status apart from the
// successes, and takes latencies from the successes only.
func TestRunCountsAndLimits(t *testing.T) {
	var calls atomic.Int64
	r := Run(context.Background(), Limits{Clients: 3, Duration: time.Minute, Count: 30}, []string{"b", "a"}, func(ctx context.Context, w int) Outcome {
		n := calls.Add(1)
		if n%10 == 0 {
			return Outcome{Kind: "a", Status: 500, Err: errFake}
		}
		time.Sleep(time.Millisecond)
		return Outcome{Kind: []string{"a", "b"}[n%2], Status: 200, Empty: n%3 == 0}
	})
	if calls.Load() != 30 || r.Total.Requests != 30 {
		t.Fatalf("%d calls, %d requests counted, want 30", calls.Load(), r.Total.Requests)
	}
	if r.Total.Errors["500"] != 3 || r.Total.Failed() != 3 || r.Total.OK != 27 {
		t.Errorf("errors %v, failed %d, ok %d; want 3 × 500", r.Total.Errors, r.Total.Failed(), r.Total.OK)
	}
	if r.Kinds["a"].Requests+r.Kinds["b"].Requests != 30 || len(r.Order) != 2 || r.Order[0] != "b" {
		t.Errorf("kinds %v in order %v", r.Kinds, r.Order)
	}
	if r.Total.P50 < 1 || r.Total.P50 > r.Total.P99 || r.Total.PerSec <= 0 {
		t.Errorf("p50 %.2f ms, p99 %.2f ms, %.1f/s", r.Total.P50, r.Total.P99, r.Total.PerSec)
	}
	var sum int64
	for _, n := range r.OKByClient {
		sum += n
	}
	if sum != 27 {
		t.Errorf("successes by client %v add up to %d", r.OKByClient, sum)
	}

	// The duration ends a run that the count would not.
	start := time.Now()
	r = Run(context.Background(), Limits{Clients: 2, Duration: 200 * time.Millisecond, Count: 1 << 40}, nil, func(ctx context.Context, w int) Outcome {
		time.Sleep(5 * time.Millisecond)
		return Outcome{Kind: "x", Status: 200}
	})
	if d := time.Since(start); d > 5*time.Second || r.Total.Requests == 0 || r.Total.Requests > 200 {
		t.Errorf("a 200 ms run took %s and made %d requests", d, r.Total.Requests)
	}
}

var errFake = &xinfang.Error{Code: xinfang.EINTERNAL, Message: "fake"}

func TestLimitsCheck(t *testing.T) {
	for _, tc := range []struct {
		lim  Limits
		flag string
	}{
		{Limits{Clients: 0, Duration: time.Second, Count: 1}, "-clients"},
		{Limits{Clients: 1, Duration: 0, Count: 1}, "-duration"},
		{Limits{Clients: 1, Duration: time.Second, Count: 0}, "-count"},
	} {
		if err := tc.lim.Check(); err == nil || !strings.Contains(err.Error(), tc.flag) {
			t.Errorf("%+v: %v, want an error naming %s", tc.lim, err, tc.flag)
		}
	}
	if err := (Limits{Clients: 1, Duration: time.Second, Count: 1}).Check(); err != nil {
		t.Error(err)
	}
}

func TestParseMix(t *testing.T) {
	sched, err := ParseMix("detail=2, search=1,list")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(sched, " ") != "detail detail search list" {
		t.Errorf("schedule %v", sched)
	}
	for _, bad := range []string{"detail=x", "nosuch=1", "detail=0", "", "detail=-1"} {
		if _, err := ParseMix(bad); err == nil || !strings.Contains(err.Error(), "-mix") {
			t.Errorf("ParseMix(%q) = %v, want an error naming -mix", bad, err)
		}
	}
}

func TestCheckTarget(t *testing.T) {
	ctx := context.Background()
	for _, ok := range []string{"http://127.0.0.1:8080", "http://[::1]:8080/", "https://127.0.0.2:8443", "http://localhost:8080"} {
		if _, err := CheckTarget(ctx, ok); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"http://192.0.2.1:8080", "http://[2001:db8::1]:80", "http://0.0.0.0:8080", "ftp://127.0.0.1/", "127.0.0.1:8080", "http://nosuchhost.invalid:8080"} {
		if _, err := CheckTarget(ctx, bad); err == nil || !strings.Contains(err.Error(), "-url") {
			t.Errorf("%s: %v, want a refusal naming -url", bad, err)
		}
	}
	// The connection itself is checked too, whatever a name resolves to.
	if _, err := loopbackDialer.DialContext(ctx, "tcp", "192.0.2.1:80"); err == nil || !strings.Contains(err.Error(), "not a loopback address") {
		t.Errorf("dial 192.0.2.1: %v", err)
	}
}

// The registrations are what the registration form would accept: a valid
// ID number, a mobile number, a content of about 120 characters; some come
// again from an earlier petitioner.
func TestGenerator(t *testing.T) {
	g := NewGenerator(&Place{Localities: []int64{7, 8}, Categories: []string{"0501"}}, 1)
	now := time.Now()
	ids := map[string]int{}
	for range 500 {
		r := g.Registration(now)
		pt := r["petitioner"].(map[string]string)
		if err := xinfang.ValidateIDNumber(pt["id_number"], now); err != nil {
			t.Fatalf("id number %s: %v", pt["id_number"], err)
		}
		ids[pt["id_number"]]++
		if len(pt["phone"]) != 11 || pt["phone"][0] != '1' {
			t.Fatalf("phone %q", pt["phone"])
		}
		content := r["content"].(string)
		if n := utf8.RuneCountInString(content); n < 100 || n > 160 || strings.Contains(content, "{") {
			t.Fatalf("content of %d characters: %s", n, content)
		}
		if at, err := time.Parse(time.RFC3339, r["received_at"].(string)); err != nil || at.After(now) {
			t.Fatalf("received_at %v, %v", r["received_at"], err)
		}
	}
	again := 0
	for _, n := range ids {
		again += n - 1
	}
	if again < 50 || again > 200 {
		t.Errorf("%d of 500 registrations come from an earlier petitioner, want about 100", again)
	}
}

// The CPU time of a process is read from /proc/PID/stat after the command
// name, which may hold spaces and parentheses; and this process's own
// time grows as it works.
func TestProcessCPU(t *testing.T) {
	line := []byte("4242 (x (a) b) S 1 4242 4242 0 -1 4194560 1200 0 0 0 731 269 0 0 20 0 9 0 100 0 0\n")
	if n, err := statTicks(line); err != nil || n != 1000 {
		t.Errorf("statTicks = %d, %v; want 731 + 269", n, err)
	}
	for _, bad := range []string{"", "4242 (x", "4242 (x) S 1 2", "4242 (x) S 1 4242 4242 0 -1 4194560 1200 0 0 0 u s"} {
		if _, err := statTicks([]byte(bad)); err == nil {
			t.Errorf("statTicks(%q) gave no error", bad)
		}
	}
	before, err := readCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	self := selfCPU()
	for deadline := time.Now().Add(100 * time.Millisecond); time.Now().Before(deadline); {
	}
	after, err := readCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if after <= before || selfCPU() <= self {
		t.Errorf("after 100 ms of work: ticks %d → %d, getrusage %.3f → %.3f s", before, after, self, selfCPU())
	}
}
