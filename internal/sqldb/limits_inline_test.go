package sqldb

import (
	"reflect"
	"testing"
)

// TestInlineLimits: a LIMIT's integer goes into the text, in place of its
// own placeholder, and leaves the arguments; every other placeholder and
// argument stays where it was, as does a LIMIT whose value is no integer.
// PostgreSQL's statements are left as they are.
func TestInlineLimits(t *testing.T) {
	lite := &core{dialect: sqlite{}}
	for _, c := range []struct {
		q     string
		args  []any
		wantQ string
		want  []any
	}{
		{"SELECT id FROM t WHERE a = ? LIMIT ? OFFSET ?", []any{"x", 50, 100},
			"SELECT id FROM t WHERE a = ? LIMIT 50 OFFSET ?", []any{"x", 100}},
		{"SELECT * FROM (SELECT id FROM t WHERE a = ? LIMIT ?) b0 UNION ALL SELECT * FROM (SELECT id FROM t WHERE b = ? LIMIT ?) b1 LIMIT ? OFFSET ?",
			[]any{"p", int64(60), "q", int32(60), 10, 50},
			"SELECT * FROM (SELECT id FROM t WHERE a = ? LIMIT 60) b0 UNION ALL SELECT * FROM (SELECT id FROM t WHERE b = ? LIMIT 60) b1 LIMIT 10 OFFSET ?", []any{"p", "q", 50}},
		{"SELECT id FROM t LIMIT ?", []any{"10"}, "SELECT id FROM t LIMIT ?", []any{"10"}},
		{"SELECT id FROM t WHERE a = ?", []any{1}, "SELECT id FROM t WHERE a = ?", []any{1}},
		// Fewer arguments than placeholders: left for the driver to refuse.
		{"SELECT id FROM t WHERE a = ? LIMIT ?", []any{1}, "SELECT id FROM t WHERE a = ? LIMIT ?", []any{1}},
	} {
		q, args := lite.inlineLimits(c.q, c.args)
		if q != c.wantQ || !reflect.DeepEqual(args, c.want) {
			t.Errorf("inlineLimits(%q, %v) = %q, %v; want %q, %v", c.q, c.args, q, args, c.wantQ, c.want)
		}
	}
	pg := &core{dialect: postgres{}}
	if q, args := pg.inlineLimits("SELECT id FROM t LIMIT ?", []any{10}); q != "SELECT id FROM t LIMIT ?" || len(args) != 1 {
		t.Errorf("PostgreSQL: %q, %v", q, args)
	}
}
