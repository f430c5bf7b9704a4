package xinfang_test

import (
	"testing"
	"time"

	"xinfang"
)

// replayLogins replays password checks on one account's records: each step is
// made from one of the sources, after the clock moved by wait.
type loginStep struct {
	wait time.Duration
	from string // a source key: the address
	ok   bool   // the password matched
	want xinfang.LoginVerdict
}

func replayLogins(t *testing.T, steps []loginStep) (time.Time, map[string]*xinfang.LoginSource, *xinfang.LoginAccount) {
	t.Helper()
	now := time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC)
	sources := map[string]*xinfang.LoginSource{}
	account := &xinfang.LoginAccount{}
	for i, s := range steps {
		now = now.Add(s.wait)
		src := sources[s.from]
		if src == nil {
			src = &xinfang.LoginSource{}
			sources[s.from] = src
		}
		if got := xinfang.JudgeLogin(now, src, account, s.ok); got != s.want {
			t.Fatalf("step %d (from %s after %v, password ok %v): verdict %d, want %d; source %+v, account %+v", i, s.from, s.wait, s.ok, got, s.want, *src, *account)
		}
	}
	return now, sources, account
}

// times repeats a step n times.
func times(n int, s loginStep) []loginStep {
	out := make([]loginStep, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func seq(parts ...[]loginStep) []loginStep {
	var out []loginStep
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func one(s loginStep) []loginStep { return []loginStep{s} }

const (
	desk     = "192.0.2.10"   // where the user signs in
	stranger = "198.51.100.7" // someone guessing
)

var (
	fail    = loginStep{from: desk, want: xinfang.LoginFailed}
	success = loginStep{from: desk, ok: true, want: xinfang.LoginAdmitted}
	refused = loginStep{from: desk, ok: true, want: xinfang.LoginRefused}
)

func from(addr string, s loginStep) loginStep      { s.from = addr; return s }
func after(d time.Duration, s loginStep) loginStep { s.wait = d; return s }

// manyAddresses is nine failures from five addresses, none of which locks.
var manyAddresses = seq(
	times(1, from("203.0.113.1", fail)), times(2, from("203.0.113.2", fail)), times(2, from("203.0.113.3", fail)),
	times(2, from("203.0.113.4", fail)), times(2, from("203.0.113.5", fail)))

func TestJudgeLogin(t *testing.T) {
	tests := []struct {
		name  string
		steps []loginStep
	}{
		{"four failures and the right password", seq(times(4, fail), one(success))},
		{"five failures lock even the right password for 15 minutes", seq(
			times(5, fail), one(refused),
			one(after(xinfang.LockoutPeriod-time.Second, refused)),
			one(after(time.Second, success)))},
		{"a refused check is not counted", seq(
			times(5, fail), times(20, after(time.Second, from(desk, loginStep{want: xinfang.LoginRefused}))),
			one(after(xinfang.LockoutPeriod, success)))},
		{"after a lock the count starts afresh", seq(
			times(5, fail), one(after(xinfang.LockoutPeriod, fail)), times(3, fail), one(success))},
		{"each further lock in a row doubles", seq(
			// Signed in here before, so that the account's own wait (ten
			// failures) does not hold this address back.
			one(success), times(5, fail), one(after(xinfang.LockoutPeriod, fail)), times(4, fail),
			one(after(2*xinfang.LockoutPeriod-time.Second, refused)),
			one(after(time.Second, fail)), times(4, fail),
			one(after(4*xinfang.LockoutPeriod-time.Second, refused)),
			one(after(time.Second, success)),
			// The success ended the series: the next lock is 15 minutes again.
			times(5, fail), one(after(xinfang.LockoutPeriod, success)))},
		{"failures a day old are forgotten", seq(
			times(4, fail), one(after(xinfang.ForgetFailures+time.Second, fail)), times(3, fail), one(success))},
		{"a stranger's failures lock the stranger's address only", seq(
			one(success),
			times(5, from(stranger, fail)), one(from(stranger, refused)),
			one(success))},
		{"guessing from many addresses holds back new addresses, not the user's", seq(
			one(success),
			// Ten failures, two from each of five addresses: no source locks.
			times(2, from("203.0.113.1", fail)), times(2, from("203.0.113.2", fail)), times(2, from("203.0.113.3", fail)),
			times(2, from("203.0.113.4", fail)), times(2, from("203.0.113.5", fail)),
			// A new address now waits a minute even with the right password …
			one(from("203.0.113.6", refused)),
			one(after(time.Minute-time.Second, from("203.0.113.6", refused))),
			// … then may try; another failure makes the wait two minutes.
			one(after(time.Second, from("203.0.113.6", fail))),
			one(after(2*time.Minute-time.Second, from("203.0.113.7", refused))),
			// The user's desk was never held back.
			one(success),
			// … and the success cleared the account's count.
			one(from("203.0.113.7", success)))},
		{"the account's wait grows to an hour at most", seq(
			times(2, from("203.0.113.1", fail)), times(2, from("203.0.113.2", fail)), times(2, from("203.0.113.3", fail)),
			times(2, from("203.0.113.4", fail)), times(2, from("203.0.113.5", fail)),
			times(7, after(xinfang.MaxAccountBackoff, from("203.0.113.6", fail))),
			one(after(xinfang.MaxAccountBackoff-time.Second, from("203.0.113.8", refused))),
			one(after(time.Second, from("203.0.113.8", success))))},
		{"an address stays familiar for 90 days", seq(
			one(success), one(after(xinfang.FamiliarFor-time.Minute, from("203.0.113.1", fail))), manyAddresses,
			one(success))},
		{"then it is a stranger's", seq(
			one(success), one(after(xinfang.FamiliarFor, from("203.0.113.1", fail))), manyAddresses,
			one(refused))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			replayLogins(t, tt.steps)
		})
	}
}

func TestJudgeLoginLockLengths(t *testing.T) {
	// The n-th lock in a row of one source lasts 15 min << n, at most a day.
	now := time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC)
	src, account := &xinfang.LoginSource{SignedInAt: now}, &xinfang.LoginAccount{}
	want := []time.Duration{15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 16 * time.Hour, 24 * time.Hour, 24 * time.Hour}
	for i, w := range want {
		for range xinfang.MaxFailedLogins {
			if v := xinfang.JudgeLogin(now, src, account, false); v != xinfang.LoginFailed {
				t.Fatalf("lock %d: verdict %d", i, v)
			}
		}
		if got := src.LockedUntil.Sub(now); got != w {
			t.Errorf("lock %d lasts %v, want %v", i+1, got, w)
		}
		now = src.LockedUntil
	}
}

func TestJudgeLoginUnknownName(t *testing.T) {
	// A name that is no account locks its source like any other, so that
	// locking does not tell which names exist.
	now := time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC)
	src := &xinfang.LoginSource{}
	for range xinfang.MaxFailedLogins {
		if v := xinfang.JudgeLogin(now, src, nil, false); v != xinfang.LoginFailed {
			t.Fatalf("verdict %d", v)
		}
	}
	if v := xinfang.JudgeLogin(now, src, nil, false); v != xinfang.LoginRefused {
		t.Fatalf("sixth check on an unknown name: verdict %d, want refused", v)
	}
	if v := xinfang.JudgeLogin(now, src, nil, true); v != xinfang.LoginRefused {
		t.Fatalf("no account is admitted: verdict %d", v)
	}
	if v := xinfang.JudgeLogin(now.Add(xinfang.LockoutPeriod), src, nil, true); v != xinfang.LoginFailed {
		t.Fatalf("a name that is no account is never admitted: verdict %d", v)
	}
}

func TestLoginSourceKeepUntil(t *testing.T) {
	t0 := time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		src  xinfang.LoginSource
		want time.Time
	}{
		{"a failure", xinfang.LoginSource{Failures: 1, FailedAt: t0}, t0.Add(xinfang.ForgetFailures)},
		{"a long lock", xinfang.LoginSource{Locks: 8, FailedAt: t0, LockedUntil: t0.Add(48 * time.Hour)}, t0.Add(48 * time.Hour)},
		{"a familiar address", xinfang.LoginSource{SignedInAt: t0, FailedAt: t0.Add(time.Hour)}, t0.Add(xinfang.FamiliarFor)},
	}
	for _, tt := range tests {
		if got := tt.src.KeepUntil(); !got.Equal(tt.want) {
			t.Errorf("%s: keep until %v, want %v", tt.name, got, tt.want)
		}
	}
}
