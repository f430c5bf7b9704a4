package sqldb

import (
	"database/sql"
	"fmt"
	"testing"
)

// TestStmtCacheKeepsTheUsed: a full cache closes the statement used least
// recently to keep a new one, and goes on learning statements after many
// have been seen once — a cache that stopped at its size would run every
// statement that came later (a page further on, a new scope) unprepared.
func TestStmtCacheKeepsTheUsed(t *testing.T) {
	pool, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	pool.SetMaxOpenConns(1)
	c := &stmtCache{max: 3}
	defer c.close()
	q := func(i int) string { return fmt.Sprintf("SELECT %d", i) }
	// learn runs q(i) until it is marked, then prepares and keeps it.
	learn := func(i int) {
		t.Helper()
		for run := 0; ; run++ {
			if run > 2 {
				t.Fatalf("%s was not marked after %d runs", q(i), run)
			}
			if _, marked := c.get(q(i)); marked {
				break
			}
		}
		s, err := pool.Prepare(q(i))
		if err != nil {
			t.Fatal(err)
		}
		c.add(q(i), s)
	}
	for i := 1; i <= 3; i++ {
		learn(i)
	}
	s2, _ := c.get(q(2))
	if s2 == nil {
		t.Fatal("statement 2 not kept")
	}
	c.get(q(1))
	c.get(q(3))
	// Full: the fourth takes the place of 2, used least recently.
	learn(4)
	for i, want := range []bool{1: true, 2: false, 3: true, 4: true} {
		if i == 0 {
			continue
		}
		c.mu.Lock()
		_, kept := c.stmts[q(i)]
		c.mu.Unlock()
		if kept != want {
			t.Errorf("statement %d kept: %v, want %v", i, kept, want)
		}
	}
	if err := s2.QueryRow().Scan(new(int)); err == nil {
		t.Error("the statement put out of the cache was not closed")
	}
	// Many statements seen once each (eight times the size and more), then
	// a new one run twice: it is still marked to be prepared.
	for i := 100; i < 100+10*c.limit(); i++ {
		c.get(q(i))
	}
	learn(1000)
	if s, _ := c.get(q(1000)); s == nil {
		t.Error("a statement that came after many seen once was not prepared")
	}
}
