package web

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"xinfang"
)

// The limit per client address on password checks (logins and password
// changes), kept in this instance's memory: it refuses a client that fails
// too often before its guess costs a password hash or a database write.
// The lockouts per account and per account and address are storage's,
// in the database, and hold across instances (xinfang.JudgeLogin); this
// limit is per instance, so that behind a load balancer of n instances an
// address may fail up to n times as often.
const (
	addrFreeFailures = 20          // failures an address may have before it waits
	addrForgiveEvery = time.Minute // one failure is forgotten each minute
	addrFirstWait    = time.Second // the wait after failure 21; each further one doubles it
	addrMaxWait      = 15 * time.Minute
	addrMaxRunning   = 4    // password checks of one address at once
	addrSweepAt      = 4096 // addresses held before the idle ones are dropped (at most once a minute)
)

// addrLimiter holds the failures of each client address.
type addrLimiter struct {
	now   func() time.Time
	mu    sync.Mutex
	addrs map[string]*addrRecord
	swept time.Time
}

type addrRecord struct {
	failures  int       // not yet forgiven
	forgiven  time.Time // when failures last shrank or grew
	waitUntil time.Time
	running   int // checks under way
}

func newAddrLimiter(now func() time.Time) *addrLimiter {
	if now == nil {
		now = time.Now
	}
	return &addrLimiter{now: now, addrs: map[string]*addrRecord{}}
}

// forgive forgets one failure for each addrForgiveEvery since the last.
func (r *addrRecord) forgive(now time.Time) {
	n := int(now.Sub(r.forgiven) / addrForgiveEvery)
	if n <= 0 {
		return
	}
	r.failures = max(0, r.failures-n)
	r.forgiven = r.forgiven.Add(time.Duration(n) * addrForgiveEvery)
}

// acquire starts a password check of addr. It returns 0 when the check
// may go on, and the caller must release it; else how long to wait.
func (l *addrLimiter) acquire(addr string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	r := l.addrs[addr]
	if r == nil {
		// A sweep walks every address; many addresses failing at once
		// would otherwise make each new one pay for all the others.
		if len(l.addrs) >= addrSweepAt && now.Sub(l.swept) >= addrForgiveEvery {
			l.sweep(now)
		}
		r = &addrRecord{forgiven: now}
		l.addrs[addr] = r
	}
	r.forgive(now)
	if now.Before(r.waitUntil) {
		return r.waitUntil.Sub(now)
	}
	if r.running >= addrMaxRunning {
		return time.Second
	}
	r.running++
	return 0
}

// release ends a check acquire let through; failed counts it.
func (l *addrLimiter) release(addr string, failed bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.addrs[addr]
	if r == nil { // swept while running: cannot happen, running records stay
		return
	}
	r.running--
	if !failed {
		return
	}
	now := l.now()
	r.forgive(now)
	if r.failures == 0 {
		r.forgiven = now
	}
	r.failures++
	if over := r.failures - addrFreeFailures; over > 0 {
		wait := addrFirstWait
		for i := 1; i < over && wait < addrMaxWait; i++ {
			wait *= 2
		}
		r.waitUntil = now.Add(min(wait, addrMaxWait))
	}
}

// sweep drops the addresses that hold nothing any more.
func (l *addrLimiter) sweep(now time.Time) {
	l.swept = now
	for a, r := range l.addrs {
		r.forgive(now)
		if r.failures == 0 && r.running == 0 && !now.Before(r.waitUntil) {
			delete(l.addrs, a)
		}
	}
}

// throttled runs check, a password check by the request's client, within
// the client's limit; check gets the client's address (clientAddr), which
// storage counts its lockouts under. A client over the limit gets
// ETHROTTLED with Retry-After, and check does not run.
func (s *Server) throttled(w http.ResponseWriter, r *http.Request, check func(from string) error) error {
	from := s.clientAddr(r)
	if wait := s.limiter.acquire(from); wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		return xinfang.Errorf(xinfang.ETHROTTLED, "尝试过于频繁，请 %d 秒后再试", secs)
	}
	failed := true // a check that panics counts as failed, and is released
	defer func() { s.limiter.release(from, failed) }()
	err := check(from)
	failed = wrongPassword(err)
	return err
}

// wrongPassword reports whether err refuses a password: a login that is
// not admitted, or a password change whose old password is refused.
func wrongPassword(err error) bool {
	switch xinfang.ErrorCode(err) {
	case xinfang.EUNAUTHORIZED:
		return true
	case xinfang.EINVALID:
		return xinfang.ErrorFields(err)["old_password"] != ""
	}
	return false
}
