package sqldb_test

import (
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
)

// How TestSchemaParity reads a schema: SQLite from sqlite_master and its
// pragmas, PostgreSQL from the catalogs, both into one dbSchema with the
// types normalised to what the storage code relies on.

// ---- SQLite ----

func sqliteSchema(t *testing.T, db *sql.DB) *dbSchema {
	t.Helper()
	s := &dbSchema{tables: map[string]*tableInfo{}}
	type tbl struct {
		name, sql  string
		withoutRow bool
	}
	var tables []tbl
	// pragma_table_list says which tables are WITHOUT ROWID (wr).
	rows := schemaQuery(t, db, `SELECT m.name, COALESCE(m.sql, ''), l.wr FROM sqlite_master m JOIN pragma_table_list l ON l.name = m.name AND l.schema = 'main'
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name`)
	for rows.Next() {
		var x tbl
		schemaScan(t, rows, &x.name, &x.sql, &x.withoutRow)
		tables = append(tables, x)
	}
	schemaDone(t, rows)

	for _, tb := range tables {
		ti := newTableInfo()
		s.tables[tb.name] = ti

		type col struct {
			name, typ, dflt string
			notNull         bool
			pk              int
		}
		var cols []col
		rows := schemaQuery(t, db, `SELECT name, type, "notnull", COALESCE(dflt_value, ''), pk FROM pragma_table_info(?) ORDER BY cid`, tb.name)
		for rows.Next() {
			var c col
			schemaScan(t, rows, &c.name, &c.typ, &c.notNull, &c.dflt, &c.pk)
			cols = append(cols, c)
		}
		schemaDone(t, rows)
		pkCols := 0
		for _, c := range cols {
			if c.pk > 0 {
				pkCols++
			}
		}
		for _, c := range cols {
			notNull := c.notNull
			// SQLite lets NULL into a PRIMARY KEY column (a documented
			// legacy quirk) except where it cannot be NULL: the INTEGER
			// PRIMARY KEY that aliases the rowid, and every key column of a
			// WITHOUT ROWID table. Those are NOT NULL as on PostgreSQL; any
			// other key column not declared NOT NULL is reported nullable.
			if c.pk > 0 && (tb.withoutRow || (pkCols == 1 && strings.EqualFold(c.typ, "INTEGER"))) {
				notNull = true
			}
			ti.columns[c.name] = columnValue(normType(c.typ), notNull, normDefault(c.dflt), c.pk)
		}
		names := ti.columnNames()

		// Indexes: origin "c" is CREATE INDEX; "pk" and "u" are made for a
		// PRIMARY KEY or UNIQUE constraint and compared as those.
		type idx struct {
			name, origin    string
			unique, partial bool
		}
		var idxs []idx
		rows = schemaQuery(t, db, `SELECT name, "unique", origin, partial FROM pragma_index_list(?)`, tb.name)
		for rows.Next() {
			var x idx
			schemaScan(t, rows, &x.name, &x.unique, &x.origin, &x.partial)
			idxs = append(idxs, x)
		}
		schemaDone(t, rows)
		for _, x := range idxs {
			var keys []string
			rows := schemaQuery(t, db, `SELECT COALESCE(name, '<expr>'), "desc" FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno`, x.name)
			for rows.Next() {
				var name string
				var desc bool
				schemaScan(t, rows, &name, &desc)
				if desc {
					name += " desc"
				}
				keys = append(keys, name)
			}
			schemaDone(t, rows)
			switch x.origin {
			case "pk":
				continue // the pk position of each column says it
			case "u":
				ti.uniques["("+strings.Join(keys, ", ")+")"] = true
				continue
			}
			pred := ""
			if x.partial {
				var def string
				if err := db.QueryRow(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`, x.name).Scan(&def); err != nil {
					t.Fatalf("sqlite: index %s: %v", x.name, err)
				}
				pred = sqliteWhere(def)
			}
			ti.indexes[x.name] = indexValue(keys, nil, x.unique, pred, names)
		}

		// Foreign keys, grouped by constraint id, columns in order.
		type fkcol struct{ table, from, to, onDelete string }
		fks := map[int][]fkcol{}
		rows = schemaQuery(t, db, `SELECT id, "table", "from", COALESCE("to", ''), on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`, tb.name)
		for rows.Next() {
			var id int
			var c fkcol
			schemaScan(t, rows, &id, &c.table, &c.from, &c.to, &c.onDelete)
			fks[id] = append(fks[id], c)
		}
		schemaDone(t, rows)
		for _, fk := range fks {
			var from, to []string
			for _, c := range fk {
				from = append(from, c.from)
				to = append(to, c.to)
			}
			if to[0] == "" { // REFERENCES t without columns: t's primary key
				to = sqlitePK(t, db, fk[0].table)
			}
			ti.fks["("+strings.Join(from, ", ")+")"] = fkValue(fk[0].table, to, fk[0].onDelete)
		}

		// CHECK constraints live only in the CREATE TABLE text.
		for _, expr := range sqliteChecks(tb.sql) {
			addCheck(ti, expr, names)
		}
	}
	return s
}

// sqlitePK returns the primary key columns of table, in key order.
func sqlitePK(t *testing.T, db *sql.DB, table string) []string {
	t.Helper()
	var out []string
	rows := schemaQuery(t, db, `SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk`, table)
	for rows.Next() {
		var n string
		schemaScan(t, rows, &n)
		out = append(out, n)
	}
	schemaDone(t, rows)
	return out
}

// sqliteChecks returns the expression of every CHECK in a CREATE TABLE.
func sqliteChecks(createTable string) []string {
	toks := sqlTokens(createTable)
	var out []string
	for i, tk := range toks {
		if tk.kind != tokIdent || !strings.EqualFold(tk.text, "CHECK") || i+1 >= len(toks) || toks[i+1].text != "(" {
			continue
		}
		start, depth := toks[i+1].end, toks[i+1].depth
		for _, end := range toks[i+2:] {
			if end.text == ")" && end.depth == depth {
				out = append(out, createTable[start:end.pos])
				break
			}
		}
	}
	return out
}

// sqliteWhere returns the predicate of a CREATE INDEX … WHERE.
func sqliteWhere(createIndex string) string {
	for _, tk := range sqlTokens(createIndex) {
		if tk.kind == tokIdent && tk.depth == 0 && strings.EqualFold(tk.text, "WHERE") {
			return createIndex[tk.end:]
		}
	}
	return ""
}

// ---- PostgreSQL ----

func postgresSchema(t *testing.T, db *sql.DB) *dbSchema {
	t.Helper()
	s := &dbSchema{tables: map[string]*tableInfo{}}
	type tbl struct {
		oid  int64
		name string
	}
	var tables []tbl
	rows := schemaQuery(t, db, `SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname`)
	for rows.Next() {
		var x tbl
		schemaScan(t, rows, &x.oid, &x.name)
		tables = append(tables, x)
	}
	schemaDone(t, rows)

	for _, tb := range tables {
		ti := newTableInfo()
		s.tables[tb.name] = ti

		rows := schemaQuery(t, db, `SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
				COALESCE(pg_get_expr(d.adbin, d.adrelid), ''), COALESCE(array_position(pk.conkey, a.attnum), 0)
			FROM pg_attribute a
			LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
			LEFT JOIN pg_constraint pk ON pk.conrelid = a.attrelid AND pk.contype = 'p'
			WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, tb.oid)
		for rows.Next() {
			var name, typ, dflt string
			var notNull bool
			var pk int
			schemaScan(t, rows, &name, &typ, &notNull, &dflt, &pk)
			// A serial's nextval() default is how PostgreSQL numbers rows,
			// as the rowid does on SQLite (identity columns have none).
			if strings.HasPrefix(dflt, "nextval(") {
				dflt = ""
			}
			ti.columns[name] = columnValue(normType(typ), notNull, normDefault(dflt), pk)
		}
		schemaDone(t, rows)
		names := ti.columnNames()

		// Indexes that back a PRIMARY KEY or UNIQUE constraint are compared
		// as the constraint, as on SQLite.
		type idx struct {
			oid            int64
			name, am, pred string
			unique         bool
			nkey, natts    int
		}
		var idxs []idx
		rows = schemaQuery(t, db, `SELECT x.indexrelid, i.relname, am.amname, x.indisunique, x.indnkeyatts, x.indnatts,
				COALESCE(pg_get_expr(x.indpred, x.indrelid), '')
			FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am am ON am.oid = i.relam
			WHERE x.indrelid = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint k
				WHERE k.conrelid = x.indrelid AND k.conindid = x.indexrelid AND k.contype IN ('p', 'u', 'x'))`, tb.oid)
		for rows.Next() {
			var x idx
			schemaScan(t, rows, &x.oid, &x.name, &x.am, &x.unique, &x.nkey, &x.natts, &x.pred)
			idxs = append(idxs, x)
		}
		schemaDone(t, rows)
		for _, x := range idxs {
			var keys, include []string
			for k := 1; k <= x.natts; k++ {
				var col string
				var desc bool
				if err := db.QueryRow(`SELECT pg_get_indexdef($1, $2, true), (indoption[$2 - 1] & 1) = 1 FROM pg_index WHERE indexrelid = $1`, x.oid, k).Scan(&col, &desc); err != nil {
					t.Fatalf("postgres: index %s column %d: %v", x.name, k, err)
				}
				if k > x.nkey {
					include = append(include, col)
					continue
				}
				if desc {
					col += " desc"
				}
				keys = append(keys, col)
			}
			v := indexValue(keys, include, x.unique, x.pred, names)
			if x.am != "btree" { // SQLite has b-trees only
				v += " using " + x.am
			}
			ti.indexes[x.name] = v
		}

		// Constraints: UNIQUE, FOREIGN KEY and CHECK.
		rows = schemaQuery(t, db, `SELECT k.contype,
				ARRAY_TO_STRING(ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, o)
					JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.o), ','),
				COALESCE(k.confrelid::regclass::text, ''),
				ARRAY_TO_STRING(ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(n, o)
					JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.o), ','),
				k.confdeltype, pg_get_constraintdef(k.oid)
			FROM pg_constraint k WHERE k.conrelid = $1 AND k.contype IN ('u', 'f', 'c')`, tb.oid)
		for rows.Next() {
			var kind, cols, refTable, refCols, onDelete, def string
			schemaScan(t, rows, &kind, &cols, &refTable, &refCols, &onDelete, &def)
			list := "(" + strings.ReplaceAll(cols, ",", ", ") + ")"
			switch kind {
			case "u":
				ti.uniques[list] = true
			case "f":
				action := map[string]string{"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}[onDelete]
				ti.fks[list] = fkValue(refTable, strings.Split(refCols, ","), action)
			case "c":
				addCheck(ti, strings.TrimPrefix(def, "CHECK "), names)
			}
		}
		schemaDone(t, rows)
	}
	return s
}

// ---- normalisation ----

// normType maps a declared type to the class the storage code relies on.
// Both migration sets store flags as INTEGER 0/1, so a BOOLEAN stays "bool"
// and shows as drift: the queries compare flags with 0 and 1.
func normType(typ string) string {
	t := strings.ToLower(strings.TrimSpace(typ))
	if i := strings.IndexByte(t, '('); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	switch t {
	case "integer", "int", "int2", "int4", "int8", "smallint", "bigint", "serial", "bigserial":
		return "int"
	case "text", "varchar", "character varying", "char", "character", "clob":
		return "text"
	case "real", "double", "double precision", "float", "float4", "float8", "numeric", "decimal":
		return "real"
	case "blob", "bytea":
		return "blob"
	case "boolean", "bool":
		return "bool"
	}
	return "?" + t
}

// normDefault drops casts and outer parentheses: PostgreSQL shows
// DEFAULT ” as ”::text.
func normDefault(expr string) string {
	toks := sqlTokens(expr)
	var parts []string
	for i := 0; i < len(toks); i++ {
		if toks[i].text == "::" {
			for i+1 < len(toks) && toks[i+1].kind == tokIdent {
				i++
			}
			continue
		}
		parts = append(parts, toks[i].text)
	}
	for len(parts) >= 2 && parts[0] == "(" && parts[len(parts)-1] == ")" {
		parts = parts[1 : len(parts)-1]
	}
	return strings.Join(parts, " ")
}

// exprSignature is what can be compared of a CHECK or index predicate
// across dialects: the columns it reads and the literals it compares them
// with, its IS [NOT] NULL tests and its ANDs and ORs. PostgreSQL rewrites
// the rest (x IN ('a','b') is shown as
// x = ANY (ARRAY['a'::text, 'b'::text])).
func exprSignature(expr string, columns map[string]bool) (cols []string, sig string) {
	var lits, nullTests, logic []string
	toks := sqlTokens(expr)
	word := func(i int, w string) bool {
		return i < len(toks) && toks[i].kind == tokIdent && strings.EqualFold(toks[i].text, w)
	}
	for i := 0; i < len(toks); i++ {
		tk := toks[i]
		switch {
		case tk.text == "::": // a cast: skip the type name
			for i+1 < len(toks) && toks[i+1].kind == tokIdent {
				i++
			}
		case tk.kind == tokIdent && columns[strings.ToLower(tk.text)]:
			col := strings.ToLower(tk.text)
			cols = append(cols, col)
			// "x IS NULL" and "x IS NOT NULL" read the same on both.
			if word(i+1, "IS") && word(i+2, "NULL") {
				nullTests = append(nullTests, col+" is null")
			} else if word(i+1, "IS") && word(i+2, "NOT") && word(i+3, "NULL") {
				nullTests = append(nullTests, col+" is not null")
			}
		case word(i, "AND") || word(i, "OR"):
			logic = append(logic, strings.ToLower(tk.text))
		case tk.kind == tokString || tk.kind == tokNumber:
			lits = append(lits, tk.text)
		}
	}
	cols = sortedSet(cols)
	sort.Strings(nullTests)
	sort.Strings(logic)
	sig = "cols=" + strings.Join(cols, ",")
	if len(lits) > 0 {
		sig += " literals=" + strings.Join(sortedSet(lits), ",")
	}
	if len(nullTests) > 0 {
		sig += " " + strings.Join(nullTests, ",")
	}
	if len(logic) > 0 {
		sig += " " + strings.Join(logic, ",")
	}
	return cols, sig
}

func addCheck(ti *tableInfo, expr string, columns map[string]bool) {
	cols, sig := exprSignature(expr, columns)
	key := "(" + strings.Join(cols, ", ") + ")"
	ti.checks[key] = append(ti.checks[key], sig)
}

func columnValue(typ string, notNull bool, dflt string, pk int) string {
	v := typ
	if notNull {
		v += " not null"
	} else {
		v += " null"
	}
	if dflt != "" {
		v += " default " + dflt
	}
	if pk > 0 {
		v += fmt.Sprintf(" pk#%d", pk)
	}
	return v
}

func indexValue(keys, include []string, unique bool, pred string, columns map[string]bool) string {
	v := "(" + strings.Join(keys, ", ") + ")"
	if len(include) > 0 {
		v += " include (" + strings.Join(include, ", ") + ")"
	}
	if unique {
		v += " unique"
	}
	if pred != "" {
		_, sig := exprSignature(pred, columns)
		v += " where {" + sig + "}"
	}
	return v
}

func fkValue(table string, cols []string, onDelete string) string {
	v := table + "(" + strings.Join(cols, ", ") + ")"
	if a := strings.ToUpper(onDelete); a != "" && a != "NO ACTION" {
		v += " on delete " + strings.ToLower(a)
	}
	return v
}

func sortedSet(xs []string) []string {
	xs = slices.Clone(xs)
	sort.Strings(xs)
	return slices.Compact(xs)
}

// ---- a small SQL tokenizer ----

type tokKind int

const (
	tokIdent tokKind = iota
	tokString
	tokNumber
	tokPunct
)

type sqlToken struct {
	kind     tokKind
	text     string
	pos, end int // byte offsets in the input
	depth    int // parentheses open before the token
}

// sqlTokens splits SQL into identifiers, 'strings', numbers and
// punctuation, skipping comments and whitespace; "quoted" identifiers come
// out unquoted.
func sqlTokens(s string) []sqlToken {
	var out []sqlToken
	depth := 0
	isIdent := func(c byte) bool {
		return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
	}
	for i := 0; i < len(s); {
		c := s[i]
		start := i
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case strings.HasPrefix(s[i:], "--"):
			for i < len(s) && s[i] != '\n' {
				i++
			}
			continue
		case strings.HasPrefix(s[i:], "/*"):
			if j := strings.Index(s[i+2:], "*/"); j >= 0 {
				i += j + 4
			} else {
				i = len(s)
			}
			continue
		case c == '\'' || c == '"':
			i++
			for i < len(s) {
				if s[i] == c {
					if i+1 < len(s) && s[i+1] == c { // doubled quote
						i += 2
						continue
					}
					break
				}
				i++
			}
			i++
			if i > len(s) {
				i = len(s)
			}
			if c == '"' {
				out = append(out, sqlToken{tokIdent, strings.Trim(s[start:i], `"`), start, i, depth})
			} else {
				out = append(out, sqlToken{tokString, s[start:i], start, i, depth})
			}
			continue
		case c >= '0' && c <= '9':
			for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
				i++
			}
			out = append(out, sqlToken{tokNumber, s[start:i], start, i, depth})
			continue
		case isIdent(c):
			for i < len(s) && isIdent(s[i]) {
				i++
			}
			out = append(out, sqlToken{tokIdent, s[start:i], start, i, depth})
			continue
		case strings.HasPrefix(s[i:], "::"):
			i += 2
			out = append(out, sqlToken{tokPunct, "::", start, i, depth})
			continue
		}
		i++
		if c == ')' {
			depth--
		}
		out = append(out, sqlToken{tokPunct, string(c), start, i, depth})
		if c == '(' {
			depth++
		}
	}
	return out
}

// ---- database/sql shorthands ----

func schemaQuery(t *testing.T, db *sql.DB, q string, args ...any) *sql.Rows {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return rows
}

func schemaScan(t *testing.T, rows *sql.Rows, dest ...any) {
	t.Helper()
	if err := rows.Scan(dest...); err != nil {
		t.Fatalf("scan: %v", err)
	}
}

func schemaDone(t *testing.T, rows *sql.Rows) {
	t.Helper()
	if err := rows.Err(); err != nil {
		t.Fatalf("rows: %v", err)
	}
	rows.Close()
}
