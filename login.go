package xinfang

import "time"

// The login rules (security.md: lockout after 5 failed logins for 15
// minutes). A password check — a login, or the old password of a password
// change — is judged on two records, both kept in the database so that
// every instance sees them:
//
//   - the source: one account name from one client address. Five failures
//     lock that name for that address only, for 15 minutes, then 30, 60 …
//     up to a day. Five wrong passwords typed elsewhere lock out their own
//     address, not the user at the usual desk.
//   - the account: failures from every address. From the tenth on, an
//     address the account has not signed in from lately waits 1, 2, 4 …
//     minutes (at most an hour) after each failure, which slows guessing
//     from many addresses at once; the addresses it has signed in from in
//     the last 90 days are not held back.
//
// A locked attempt is refused whatever the password, and is not counted.
// An unknown name has a source record like any other, so that locking
// looks the same whether or not the account exists.
const (
	MaxFailedLogins = 5                // failures of one source before it locks
	LockoutPeriod   = 15 * time.Minute // the first lock of a source; each further lock in a row doubles it
	MaxLockout      = 24 * time.Hour

	AccountFailures   = 10          // failures of one account, from every address, before strangers wait
	AccountBackoff    = time.Minute // the first wait; each further failure doubles it
	MaxAccountBackoff = time.Hour

	// FamiliarFor is how long an address the account signed in from stays
	// one it is not held back on.
	FamiliarFor = 90 * 24 * time.Hour
	// ForgetFailures: failures this old no longer count.
	ForgetFailures = 24 * time.Hour
)

// LoginSource is what is kept of one account name's password checks from
// one client address.
type LoginSource struct {
	Failures    int       // since the last success or lock
	Locks       int       // locks in a row; the next lasts LockoutPeriod << Locks
	LockedUntil time.Time // refused until then
	FailedAt    time.Time // the last failure
	SignedInAt  time.Time // the last success; zero if none
}

// LoginAccount is what is kept of one account's failed password checks
// from every address.
type LoginAccount struct {
	Failures    int       // since the last success
	LockedUntil time.Time // addresses not familiar to the account wait until then
	FailedAt    time.Time // the last failure
}

// LoginVerdict is the outcome of one password check.
type LoginVerdict int

const (
	LoginAdmitted LoginVerdict = iota // the password matched and nothing was locked
	LoginFailed                       // a wrong password or an unknown name: counted
	LoginRefused                      // locked: refused whatever the password, not counted
)

// JudgeLogin applies one password check made at now to the records of its
// source and account and returns the verdict. account is nil for a name
// that is no account (passwordOK is then false). It changes the records;
// the caller stores them.
func JudgeLogin(now time.Time, src *LoginSource, account *LoginAccount, passwordOK bool) LoginVerdict {
	if until := LockedUntil(now, src, account); now.Before(until) {
		return LoginRefused
	}
	if passwordOK && account != nil {
		*src = LoginSource{SignedInAt: now}
		*account = LoginAccount{}
		return LoginAdmitted
	}
	if now.Sub(src.FailedAt) > ForgetFailures {
		src.Failures, src.Locks = 0, 0
	}
	src.Failures++
	src.FailedAt = now
	if src.Failures >= MaxFailedLogins {
		src.LockedUntil = now.Add(doubled(LockoutPeriod, src.Locks, MaxLockout))
		src.Locks++
		// The lock is the penalty; after it the user gets a fresh count,
		// so that one more mistyped password does not lock again at once.
		src.Failures = 0
	}
	if account != nil {
		if now.Sub(account.FailedAt) > ForgetFailures {
			account.Failures = 0
		}
		account.Failures++
		account.FailedAt = now
		if account.Failures >= AccountFailures {
			account.LockedUntil = now.Add(doubled(AccountBackoff, account.Failures-AccountFailures, MaxAccountBackoff))
		}
	}
	return LoginFailed
}

// LockedUntil returns when a check from src on account may be made again:
// the later of the source's lock and, for an address the account has not
// signed in from within FamiliarFor, the account's wait. A time not after
// now means not locked.
func LockedUntil(now time.Time, src *LoginSource, account *LoginAccount) time.Time {
	until := src.LockedUntil
	familiar := !src.SignedInAt.IsZero() && now.Sub(src.SignedInAt) < FamiliarFor
	if account != nil && !familiar && account.LockedUntil.After(until) {
		until = account.LockedUntil
	}
	return until
}

// KeepUntil is when the record of a source may be deleted: when it no
// longer locks, its failures are forgotten and its address is no longer
// familiar.
func (s *LoginSource) KeepUntil() time.Time {
	t := s.LockedUntil
	if !s.FailedAt.IsZero() && s.FailedAt.Add(ForgetFailures).After(t) {
		t = s.FailedAt.Add(ForgetFailures)
	}
	if !s.SignedInAt.IsZero() && s.SignedInAt.Add(FamiliarFor).After(t) {
		t = s.SignedInAt.Add(FamiliarFor)
	}
	return t
}

// doubled returns base << n, at most max.
func doubled(base time.Duration, n int, max time.Duration) time.Duration {
	for ; n > 0 && base < max; n-- {
		base *= 2
	}
	return min(base, max)
}
