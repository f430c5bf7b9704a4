package sqldb

import (
	"strconv"
	"testing"
	"time"

	"xinfang"
)

// A session read before a change that empties the cache is not kept
// after it: the request that read it may finish after the change.
func TestSessionCacheKeepsNothingReadBeforeAChange(t *testing.T) {
	db := &core{}
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	_, _, gen := db.sessions.get("k", now, time.Second)
	db.sessionsChanged() // a logout commits while the session is being read
	db.sessions.put("k", sessionEntry{user: &xinfang.User{}, loaded: now}, gen, time.Second)
	if _, ok, _ := db.sessions.get("k", now, time.Second); ok {
		t.Error("a session read before a logout was kept after it")
	}
	_, _, gen = db.sessions.get("k", now, time.Second)
	db.sessions.put("k", sessionEntry{user: &xinfang.User{}, loaded: now}, gen, time.Second)
	if _, ok, _ := db.sessions.get("k", now, time.Second); !ok {
		t.Error("a session read after the change was not kept")
	}
	for _, at := range []time.Time{now.Add(time.Second), now.Add(-time.Nanosecond)} {
		if _, ok, _ := db.sessions.get("k", at, time.Second); ok {
			t.Errorf("an entry loaded at %v was used at %v", now, at)
		}
	}
}

// The cache never holds more than maxCachedSessions, however many
// sessions are in use.
func TestSessionCacheBounded(t *testing.T) {
	var c sessionCache
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for i := range maxCachedSessions + 10 {
		c.put(strconv.Itoa(i), sessionEntry{loaded: now}, 0, time.Second)
		if len(c.entries) > maxCachedSessions {
			t.Fatalf("%d entries after %d sessions", len(c.entries), i+1)
		}
	}
	if _, ok, _ := c.get(strconv.Itoa(maxCachedSessions+9), now, time.Second); !ok {
		t.Error("the last session read was not kept")
	}
}
