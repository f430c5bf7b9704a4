package sqldb

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The tables and rows of a backup, as both databases read and write
// them: which tables there are and in what order (introspect), the schema
// version, and a row as an export line (appendValue, decodeRow).

// tableMeta is what a backup needs of a table.
type tableMeta struct {
	name    string
	columns []string
	kinds   []string
	pk      []string        // the primary key's columns, in order
	refs    map[string]bool // the other tables its foreign keys point to
	self    []string        // its columns that point to its own rows
}

// introspect lists the tables of the database q reads (not SQLite's own,
// nor the FTS5 virtual tables and their shadows, which follow from
// search_docs) in an order in which every foreign key points to a table
// before it; ties go by name, so the order is fixed.
func introspect(ctx context.Context, q rowQuerier, d dialect) ([]*tableMeta, error) {
	var tables map[string]*tableMeta
	var err error
	if d.name() == "postgres" {
		tables, err = postgresTables(ctx, q)
	} else {
		tables, err = sqliteTables(ctx, q)
	}
	if err != nil {
		return nil, fmt.Errorf("read the schema: %w", err)
	}
	names := make([]string, 0, len(tables))
	for n := range tables {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []*tableMeta
	done := map[string]bool{}
	for len(out) < len(names) {
		progress := false
		for _, n := range names {
			if done[n] {
				continue
			}
			ready := true
			for r := range tables[n].refs {
				if tables[r] != nil && !done[r] {
					ready = false
				}
			}
			if ready {
				out, done[n], progress = append(out, tables[n]), true, true
			}
		}
		if !progress {
			var left []string
			for _, n := range names {
				if !done[n] {
					left = append(left, n)
				}
			}
			return nil, fmt.Errorf("the foreign keys of %s form a cycle; no table can be restored first", strings.Join(left, ", "))
		}
	}
	return out, nil
}

func sqliteTables(ctx context.Context, q rowQuerier) (map[string]*tableMeta, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM pragma_table_list
		WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> ?`, manifestTable)
	names, err := scanAll(rows, err, scanString)
	if err != nil {
		return nil, err
	}
	tables := map[string]*tableMeta{}
	for _, n := range names {
		t := &tableMeta{name: n, refs: map[string]bool{}}
		var pk []struct {
			pos  int
			name string
		}
		rows, err := q.QueryContext(ctx, `SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid`, n)
		err = eachRow(rows, err, func(r scanner) error {
			var col, decl string
			var pos int
			if err := r.Scan(&col, &decl, &pos); err != nil {
				return err
			}
			t.columns, t.kinds = append(t.columns, col), append(t.kinds, sqliteKind(decl))
			if pos > 0 {
				pk = append(pk, struct {
					pos  int
					name string
				}{pos, col})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Slice(pk, func(i, j int) bool { return pk[i].pos < pk[j].pos })
		for _, p := range pk {
			t.pk = append(t.pk, p.name)
		}
		rows, err = q.QueryContext(ctx, `SELECT "table", "from" FROM pragma_foreign_key_list(?)`, n)
		err = eachRow(rows, err, func(r scanner) error {
			var ref, col string
			if err := r.Scan(&ref, &col); err != nil {
				return err
			}
			t.addRef(ref, col)
			return nil
		})
		if err != nil {
			return nil, err
		}
		tables[n] = t
	}
	return tables, nil
}

func postgresTables(ctx context.Context, q rowQuerier) (map[string]*tableMeta, error) {
	tables := map[string]*tableMeta{}
	rows, err := q.QueryContext(ctx, `SELECT table_name::text FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	names, err := scanAll(rows, err, scanString)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		tables[n] = &tableMeta{name: n, refs: map[string]bool{}}
	}
	// each runs a query of (table, a, b) rows and hands those of known
	// tables to fn.
	each := func(query string, fn func(t *tableMeta, a, b string)) error {
		rows, err := q.QueryContext(ctx, query)
		return eachRow(rows, err, func(r scanner) error {
			var tn, a, b string
			if err := r.Scan(&tn, &a, &b); err != nil {
				return err
			}
			if t := tables[tn]; t != nil {
				fn(t, a, b)
			}
			return nil
		})
	}
	if err := each(`SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
		WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`, func(t *tableMeta, col, typ string) {
		t.columns, t.kinds = append(t.columns, col), append(t.kinds, postgresKind(typ))
	}); err != nil {
		return nil, err
	}
	if err := each(`SELECT c.relname::text, a.attname::text, '' FROM pg_index i
		JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)
		WHERE i.indisprimary AND n.nspname = current_schema()
		ORDER BY c.relname, array_position(i.indkey::int2[], a.attnum)`, func(t *tableMeta, col, _ string) {
		t.pk = append(t.pk, col)
	}); err != nil {
		return nil, err
	}
	if err := each(`SELECT c.relname::text, r.relname::text, a.attname::text FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY(k.conkey)
		WHERE k.contype = 'f' AND n.nspname = current_schema()
		ORDER BY c.relname, k.conname, a.attname`, func(t *tableMeta, ref, col string) {
		t.addRef(ref, col)
	}); err != nil {
		return nil, err
	}
	return tables, nil
}

func (t *tableMeta) addRef(ref, col string) {
	if ref == t.name {
		if !slices.Contains(t.self, col) {
			t.self = append(t.self, col)
		}
		return
	}
	t.refs[ref] = true
}

func scanString(r scanner) (string, error) {
	var s string
	err := r.Scan(&s)
	return s, err
}

// sqliteKind is the kind of a column by SQLite's affinity rules.
func sqliteKind(decl string) string {
	d := strings.ToUpper(decl)
	switch {
	case strings.Contains(d, "INT"):
		return "int"
	case strings.Contains(d, "CHAR"), strings.Contains(d, "CLOB"), strings.Contains(d, "TEXT"):
		return "text"
	case strings.Contains(d, "BLOB"), d == "":
		return "blob"
	case strings.Contains(d, "REAL"), strings.Contains(d, "FLOA"), strings.Contains(d, "DOUB"):
		return "real"
	}
	return "text"
}

func postgresKind(typ string) string {
	switch typ {
	case "bigint", "integer", "smallint":
		return "int"
	case "double precision", "real":
		return "real"
	case "bytea":
		return "blob"
	}
	return "text"
}

// quoteIdent quotes a table or column name for either database.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quoteIdent(n)
	}
	return strings.Join(q, ", ")
}

// schemaVersion is the last migration applied to the database q reads.
func schemaVersion(ctx context.Context, q rowQuerier) (string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM migrations`)
	names, err := scanAll(rows, err, scanString)
	if err != nil {
		return "", fmt.Errorf("not a Xinfang database (migrations: %w)", err)
	}
	last := ""
	for _, n := range names {
		last = max(last, path.Base(n))
	}
	if last == "" {
		return "", errors.New("not a Xinfang database: no migration has run")
	}
	return last, nil
}

// migrationNames lists the migrations this program has for dialect, by
// file name ("0011_personal_data.sql"); the two sets are numbered in step.
func migrationNames(dialect string) []string {
	names, _ := fs.Glob(migrationFS, "migrations/"+dialect+"/*.sql")
	for i, n := range names {
		names[i] = path.Base(n)
	}
	sort.Strings(names)
	return names
}

// checkSchema refuses a backup whose schema version this program does
// not know: made by a newer version, or not by Xinfang.
func checkSchema(schema, dialect string) error {
	known := migrationNames(dialect)
	if !slices.Contains(known, schema) {
		return fmt.Errorf("the backup's schema version %q is not one this program knows (it knows up to %s): restore it with the version that made it, or a newer one", schema, known[len(known)-1])
	}
	return nil
}

// checkMigrations compares the migrations recorded in a backup with its
// schema version: each must be known, the last the schema version.
func checkMigrations(names []string, schema, dialect string) error {
	known := migrationNames(dialect)
	last := ""
	for _, n := range names {
		b := path.Base(n)
		if !slices.Contains(known, b) {
			return fmt.Errorf("the backup records migration %q, which this program does not know", b)
		}
		last = max(last, b)
	}
	if last != schema {
		return fmt.Errorf("the backup's last migration is %q, its manifest says %q", last, schema)
	}
	return nil
}

// eachLine reads the rows of t in primary-key order (every column where
// there is none) and hands each to fn as an export line, which is valid
// until fn returns.
func eachLine(ctx context.Context, q rowQuerier, t *tableMeta, fn func(line []byte) error) error {
	order := t.pk
	if len(order) == 0 {
		order = t.columns
	}
	rows, err := q.QueryContext(ctx, `SELECT `+quoteList(t.columns)+` FROM `+quoteIdent(t.name)+` ORDER BY `+quoteList(order))
	if err != nil {
		return fmt.Errorf("read %s: %w", t.name, err)
	}
	vals := make([]any, len(t.columns))
	ptrs := make([]any, len(t.columns))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var line []byte
	var fnErr error // the caller's, passed on as it is
	err = eachRow(rows, nil, func(r scanner) error {
		if err := r.Scan(ptrs...); err != nil {
			return err
		}
		line = append(line[:0], '[')
		for i, v := range vals {
			if i > 0 {
				line = append(line, ',')
			}
			var err error
			if line, err = appendValue(line, t.kinds[i], v); err != nil {
				return fmt.Errorf("%s.%s: %w", t.name, t.columns[i], err)
			}
		}
		line = append(line, ']', '\n')
		fnErr = fn(line)
		return fnErr
	})
	switch {
	case fnErr != nil:
		return fnErr
	case err != nil:
		return fmt.Errorf("read %s: %w", t.name, err)
	}
	return ctx.Err()
}

// appendValue appends v, read from a column of kind, as JSON.
func appendValue(b []byte, kind string, v any) ([]byte, error) {
	if v == nil {
		return append(b, "null"...), nil
	}
	switch kind {
	case "int":
		if n, ok := v.(int64); ok {
			return strconv.AppendInt(b, n, 10), nil
		}
	case "real":
		switch f := v.(type) {
		case float64:
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, fmt.Errorf("%v has no JSON form", f)
			}
			return strconv.AppendFloat(b, f, 'g', -1, 64), nil
		case int64:
			return strconv.AppendInt(b, f, 10), nil
		}
	case "text":
		var s string
		switch t := v.(type) {
		case string:
			s = t
		case []byte:
			s = string(t)
		default:
			return nil, fmt.Errorf("a %T in a text column", v)
		}
		if !utf8.ValidString(s) {
			return nil, errors.New("text that is not UTF-8")
		}
		j, err := json.Marshal(s)
		return append(b, j...), err
	case "blob":
		var raw []byte
		switch t := v.(type) {
		case []byte:
			raw = t
		case string:
			raw = []byte(t)
		default:
			return nil, fmt.Errorf("a %T in a blob column", v)
		}
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, raw)
		return append(b, '"'), nil
	}
	return nil, fmt.Errorf("a %T in a column of kind %s", v, kind)
}

// decodeRow reads an export line back into the values of its columns.
func decodeRow(line []byte, kinds []string) ([]any, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(line, &raw); err != nil {
		return nil, fmt.Errorf("not a row: %w", err)
	}
	if len(raw) != len(kinds) {
		return nil, fmt.Errorf("a row of %d values, the table has %d columns", len(raw), len(kinds))
	}
	vals := make([]any, len(raw))
	for i, r := range raw {
		if string(r) == "null" {
			continue
		}
		var err error
		switch kinds[i] {
		case "int":
			vals[i], err = strconv.ParseInt(string(r), 10, 64)
		case "real":
			vals[i], err = strconv.ParseFloat(string(r), 64)
		case "text":
			var s string
			err = json.Unmarshal(r, &s)
			vals[i] = s
		case "blob":
			var s string
			if err = json.Unmarshal(r, &s); err == nil {
				vals[i], err = base64.StdEncoding.DecodeString(s)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("value %d: %w", i+1, err)
		}
	}
	return vals, nil
}
