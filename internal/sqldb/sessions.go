package sqldb

import (
	"context"
	"sync"
	"time"

	"xinfang"
)

// The session cache. Every request of a signed-in user starts with its
// session and the user it belongs to; read from the database each time,
// they cost a fifth of a petition detail's time. The cache keeps what
// they answered, by the token's digest, for at most SessionCacheTTL of the
// database's clock, and stays correct:
//
//   - on this instance, every change that can end a session or alter what
//     it carries (a logout, the end of a user's other sessions, any change
//     of an account, a password change or check, a unit's change) empties
//     the cache once it has committed (sessionsChanged), and a session read
//     before such a commit is not kept after it (the generation);
//   - an instance sharing the database with the one that made the change
//     reads the session again at the latest SessionCacheTTL later;
//   - the idle timeout and the lifetime are judged on every request against
//     the stored times, and a session the cache finds over is read again
//     before it is ended: another instance may have seen it since.
//
// Only live sessions of users in service are kept, each at most
// SessionCacheTTL, and never more than maxCachedSessions at once.

// DefaultSessionCacheTTL is the default of DB.SessionCacheTTL: how long
// after a change on another instance a session may still be taken as it
// was.
const DefaultSessionCacheTTL = time.Second

// maxCachedSessions bounds the cache's memory whatever the number of
// sessions in use.
const maxCachedSessions = 10000

type sessionCache struct {
	mu      sync.Mutex
	gen     uint64 // moved by every change that empties the cache
	entries map[string]sessionEntry
}

// sessionEntry is a session as read from the database at loaded.
type sessionEntry struct {
	user   *xinfang.User
	sess   xinfang.Session
	seen   time.Time // the stored last request, as this instance knows it
	loaded time.Time
}

// get returns the entry of key if it was loaded less than ttl before now,
// and the generation an entry loaded from now on is put with.
func (c *sessionCache) get(key string, now time.Time, ttl time.Duration) (sessionEntry, bool, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if ok && !fresh(e, now, ttl) {
		delete(c.entries, key)
		ok = false
	}
	return e, ok, c.gen
}

// fresh reports whether e may still be used at now. A clock set back
// (tests, or a corrected system clock) makes it stale too.
func fresh(e sessionEntry, now time.Time, ttl time.Duration) bool {
	age := now.Sub(e.loaded)
	return age >= 0 && age < ttl
}

// put keeps e under key unless the cache was emptied since gen was read:
// e may then predate the change that emptied it.
func (c *sessionCache) put(key string, e sessionEntry, gen uint64, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.entries == nil {
		c.entries = map[string]sessionEntry{}
	}
	if len(c.entries) >= maxCachedSessions {
		for k, old := range c.entries {
			if !fresh(old, e.loaded, ttl) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= maxCachedSessions {
			clear(c.entries)
		}
	}
	c.entries[key] = e
}

// touch records that the session of key was seen at seen, as its stored
// row now says, unless the cache was emptied since gen.
func (c *sessionCache) touch(key string, seen time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok && gen == c.gen {
		e.seen = seen
		c.entries[key] = e
	}
}

// sessionsChanged empties the session cache. The caller has committed a
// change of sessions, users or units.
func (db *core) sessionsChanged() {
	c := &db.sessions
	c.mu.Lock()
	c.gen++
	clear(c.entries)
	c.mu.Unlock()
}

// over reports whether the session of e has ended at now, by its lifetime
// or by the idle timeout.
func (db *core) over(e sessionEntry, now time.Time) bool {
	return now.After(e.sess.ExpiresAt) || now.Sub(e.seen) > db.IdleTimeout
}

// loadSession reads the session of key with its user and the user's unit.
func (db *core) loadSession(ctx context.Context, key string, now time.Time) (sessionEntry, error) {
	e := sessionEntry{loaded: now}
	var seen, expires string
	row := db.queryRow(ctx, `SELECT s.user_id, s.csrf, s.seen_at, s.expires_at, `+userCols+`
		FROM sessions s JOIN users u ON u.id = s.user_id JOIN units n ON n.id = u.unit_id WHERE s.id = ?`, key)
	u, err := scanUser(prefixScan{row, []any{&e.sess.UserID, &e.sess.CSRF, &seen, &expires}})
	if err != nil {
		if xinfang.ErrorCode(db.wrap(err)) == xinfang.ENOTFOUND {
			return e, xinfang.Errorf(xinfang.EUNAUTHORIZED, "登录已失效，请重新登录")
		}
		return e, err
	}
	e.user, e.seen, e.sess.ExpiresAt = u, parseTime(seen), parseTime(expires)
	return e, nil
}

// prefixScan scans the columns of pre before those its caller asks for.
type prefixScan struct {
	s   interface{ Scan(...any) error }
	pre []any
}

func (p prefixScan) Scan(dest ...any) error {
	return p.s.Scan(append(p.pre[:len(p.pre):len(p.pre)], dest...)...)
}

// SessionUser returns the user of a live session token and refreshes its
// idle timer; an expired or idle session is deleted and is EUNAUTHORIZED.
// The user and the session are the caller's own copies.
func (db *DirectoryStore) SessionUser(ctx context.Context, token string) (*xinfang.User, *xinfang.Session, error) {
	if token == "" {
		return nil, nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	key, now := tokenKey(token), db.Now()
	e, ok, gen := db.sessions.get(key, now, db.SessionCacheTTL)
	if !ok || db.over(e, now) {
		var err error
		if e, err = db.loadSession(ctx, key, now); err != nil {
			return nil, nil, err
		}
		if db.over(e, now) {
			// The session is over whether or not its row goes now: an
			// expired row is refused on every request, so a failed delete
			// is logged and the answer stays 401.
			if err := db.Logout(ctx, token); err != nil {
				db.Logger.Warn("delete an expired session", "err", err)
			}
			return nil, nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "登录已超时，请重新登录")
		}
		if e.user.Disabled {
			return nil, nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "账号已停用")
		}
		db.sessions.put(key, e, gen, db.SessionCacheTTL)
	}
	// Refresh the idle timer at most once a minute, to keep reads cheap:
	// the timeout is exact to within that minute.
	if now.Sub(e.seen) > time.Minute {
		err := db.write(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, `UPDATE sessions SET seen_at = ? WHERE id = ?`, fmtTime(now), key)
			return err
		})
		if err != nil {
			// A refresh missed brings the idle timeout nearer by at most the
			// time until the next request refreshes it; the request goes on.
			db.Logger.Warn("refresh a session's idle timer", "err", err)
		} else {
			db.sessions.touch(key, now, gen)
		}
	}
	sess := e.sess
	return cloneUser(e.user), &sess, nil
}

// cloneUser copies u and its unit, so that no request sees what another
// does to its user.
func cloneUser(u *xinfang.User) *xinfang.User {
	c := *u
	if u.Unit != nil {
		unit := *u.Unit
		c.Unit = &unit
	}
	c.Roles = append([]xinfang.Role(nil), u.Roles...)
	return &c
}

// Logout deletes a session.
func (db *DirectoryStore) Logout(ctx context.Context, token string) error {
	defer db.sessionsChanged()
	return db.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `DELETE FROM sessions WHERE id = ?`, tokenKey(token))
		return err
	})
}

// EndOtherSessions deletes every session of userID except the one of
// keepToken (none when empty): after a password change, whoever signed in
// with the old password is signed out everywhere (security.md).
func (db *DirectoryStore) EndOtherSessions(ctx context.Context, userID int64, keepToken string) error {
	defer db.sessionsChanged()
	return db.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, userID, tokenKey(keepToken))
		return err
	})
}
