package sqldb_test

import (
	"database/sql"
	"strings"
	"time"

	"xinfang/internal/sqldb"
)

// indexLedger fills the search index (search_docs, search_fts through its
// triggers, search_bigrams), the repeat index (petition_fingerprints,
// petition_grams, gram_stats) and the watch list's petition_matters of the
// bulk-loaded ledger, with the rows
// indexPetition writes for a registration, in large multi-row inserts.
// Without them the text filter and search of the benchmarks match
// nothing and measure nothing.
func indexLedger(raw *sql.DB) error {
	const batch = 5000
	var after int64
	for {
		rows, err := raw.Query(`SELECT p.id, p.number, pt.name, p.summary, p.content, p.received_at FROM petitions p
			JOIN petitioners pt ON pt.id = p.petitioner_id WHERE p.id > ? ORDER BY p.id LIMIT ?`, after, batch)
		if err != nil {
			return err
		}
		type row struct {
			id                             int64
			number, name, summary, content string
			received                       string
		}
		var list []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.number, &r.name, &r.summary, &r.content, &r.received); err != nil {
				rows.Close()
				return err
			}
			list = append(list, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(list) == 0 {
			break
		}
		tx, err := raw.Begin()
		if err != nil {
			return err
		}
		ins := newMultiInsert(tx)
		for _, r := range list {
			received, err := time.Parse("2006-01-02T15:04:05.000000Z", r.received)
			if err != nil {
				tx.Rollback()
				return err
			}
			// The document's id is the petition's: the ledger has no
			// other searchable records.
			text := sqldb.SearchDocText(r.number, r.name, r.summary, r.content)
			ins.add(`INSERT INTO search_docs (id, kind, ref_id, text) VALUES `, "", 4, r.id, "petition", r.id, text)
			ins.add(`INSERT INTO search_bigrams (rowid, grams) VALUES `, "", 2, r.id, sqldb.SearchBigrams(text))
			version, day, fp, grams := sqldb.RepeatIndexOf(r.summary, r.content, received)
			ins.add(`INSERT INTO petition_fingerprints (petition_id, version, day, fp) VALUES `, "", 4, r.id, version, day, fp)
			for _, g := range grams {
				ins.add(`INSERT INTO petition_grams (gram, day, petition_id) VALUES `, ` ON CONFLICT DO NOTHING`, 3, g, day, r.id)
			}
		}
		if err := ins.flush(); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		after = list[len(list)-1].id
	}
	// And the watch list's counts of each person's matters (the ledger
	// has no repeat links, so no repeat_root_id to set).
	for _, q := range []string{`DELETE FROM gram_stats`, `INSERT INTO gram_stats (gram, n) SELECT gram, COUNT(*) FROM petition_grams GROUP BY gram`,
		`DELETE FROM petition_matters`, `INSERT INTO petition_matters (person_id, locality_id, category, n)
			SELECT person_id, locality_id, category, COUNT(*) FROM petitions GROUP BY person_id, locality_id, category`} {
		if _, err := raw.Exec(q); err != nil {
			return err
		}
	}
	return nil
}

// multiInsert gathers the rows of several INSERT statements and writes
// each statement's rows in groups of a few hundred.
type multiInsert struct {
	tx    *sql.Tx
	stmts map[string]*pendingRows
	order []string
}

type pendingRows struct {
	suffix string
	width  int
	n      int
	args   []any
}

func newMultiInsert(tx *sql.Tx) *multiInsert {
	return &multiInsert{tx: tx, stmts: map[string]*pendingRows{}}
}

func (m *multiInsert) add(head, suffix string, width int, args ...any) {
	p := m.stmts[head]
	if p == nil {
		p = &pendingRows{suffix: suffix, width: width}
		m.stmts[head] = p
		m.order = append(m.order, head)
	}
	p.args = append(p.args, args...)
	p.n++
}

// flush writes every pending row, at most 300 rows per statement (within
// SQLite's limit of 32,766 variables).
func (m *multiInsert) flush() error {
	for _, head := range m.order {
		p := m.stmts[head]
		for p.n > 0 {
			n := min(p.n, 300)
			one := "(" + strings.TrimSuffix(strings.Repeat("?, ", p.width), ", ") + ")"
			q := head + strings.TrimSuffix(strings.Repeat(one+", ", n), ", ") + p.suffix
			if _, err := m.tx.Exec(q, p.args[:n*p.width]...); err != nil {
				return err
			}
			p.args, p.n = p.args[n*p.width:], p.n-n
		}
	}
	return nil
}
