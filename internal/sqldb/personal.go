package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"xinfang"
	"xinfang/internal/keyring"
	"xinfang/internal/similar"
)

// Personal data at rest. The petitioner's ID number, phone and addresses
// are sealed with the keyring (SM4-GCM) before they are written and opened
// after they are read, in this file only; the ID number and the phone
// have blind indexes beside them (HMAC-SM3), which the look-ups of
// FindPersonMatches and repeat detection compare instead of the values.

// sealedCols are the columns of petitioners stored sealed; each value is
// bound to its column.
var sealedCols = []string{"id_number", "phone", "address", "residence", "hukou_address"}

func sealedField(col string) string { return "petitioners." + col }

// personPetitions selects the petitions of the person of the petitioner
// row given as its one argument, as main or co-petitioner.
const personPetitions = `SELECT pp.petition_id FROM petition_petitioners pp JOIN petitioners x ON x.id = pp.petitioner_id
	WHERE x.person_id = (SELECT person_id FROM petitioners WHERE id = ?)`

// identity is what repeat detection compares of a petitioner: the blind
// indexes of the ID number and the phone, and the credit code (an
// organisation's public number, stored as it is).
type identity struct{ id, phone, org string }

func (db *core) identityOf(p *xinfang.Petitioner) identity {
	return identity{
		id:    db.Keys.Index("id", xinfang.NormalizeIDNumber(p.IDNumber)),
		phone: db.Keys.Index("phone", strings.TrimSpace(p.Phone)),
		org:   strings.ToUpper(strings.TrimSpace(p.OrgCode)),
	}
}

// keys are the identity keys of similar.Petition.
func (i identity) keys() []string {
	var out []string
	if i.id != "" {
		out = append(out, similar.KeyIDNumber+":"+i.id)
	}
	if i.phone != "" {
		out = append(out, similar.KeyPhone+":"+i.phone)
	}
	if i.org != "" {
		out = append(out, similar.KeyOrgCode+":"+i.org)
	}
	return out
}

// personKeys are the identity keys of petitioners being compared.
func (db *core) personKeys(ps []*xinfang.Petitioner) []string {
	var out []string
	for _, p := range ps {
		if p != nil {
			out = append(out, db.identityOf(p).keys()...)
		}
	}
	return out
}

// identityKeys are the identity keys of several petitioners.
func identityKeys(ids ...identity) []string {
	var out []string
	for _, i := range ids {
		out = append(out, i.keys()...)
	}
	return out
}

// openPetitioner opens the sealed fields of a petitioner just read.
func (db *core) openPetitioner(p *xinfang.Petitioner) error {
	for _, f := range []struct {
		col string
		v   *string
	}{{"id_number", &p.IDNumber}, {"phone", &p.Phone}, {"address", &p.Address}, {"residence", &p.Residence}, {"hukou_address", &p.HukouAddress}} {
		plain, err := db.Keys.Open(sealedField(f.col), *f.v)
		if err != nil {
			return fmt.Errorf("信访人 %d: %w", p.ID, err)
		}
		*f.v = plain
	}
	return nil
}

// checkKeys compares the keyring with the one the database was sealed
// with, and records it on first use.
func (db *DB) checkKeys(ctx context.Context) error {
	fp := db.Keys.Fingerprint()
	return db.write(ctx, func(tx *Tx) error {
		var stored string
		err := tx.queryRow(ctx, `SELECT fingerprint FROM keyring_check`).Scan(&stored)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.exec(ctx, `INSERT INTO keyring_check (fingerprint, sealed) VALUES (?, 0)`, fp)
			return err
		case err != nil:
			return err
		case stored != fp:
			return fmt.Errorf("the keys (fingerprint %s) are not the keys this database is sealed with (%s)", fp, stored)
		}
		return nil
	})
}

// sealPlaintext seals the personal data that older versions stored in
// the clear, with its blind indexes; a database without such rows costs
// one indexed query.
func (db *DB) sealPlaintext(ctx context.Context) error {
	var sealed int
	if err := db.queryRow(ctx, `SELECT sealed FROM keyring_check`).Scan(&sealed); err != nil || sealed == 1 {
		return err
	}
	n, err := db.resealWhere(ctx, func(v string) bool { return keyring.KeyOf(v) == 0 })
	if err != nil {
		return err
	}
	if err := db.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE keyring_check SET sealed = 1`)
		return err
	}); err != nil {
		return err
	}
	if n == 0 || db.Postgres() {
		// PostgreSQL's old row versions go with VACUUM, which its
		// autovacuum runs; the README says to run VACUUM FULL once.
		return nil
	}
	// The cleartext of the rows just sealed is still in the file's free
	// pages and in the write-ahead log: rewrite the file and empty the log.
	db.Logger.Info("personal data sealed; compacting the database file", "petitioners", n)
	for _, q := range []string{`PRAGMA wal_checkpoint(TRUNCATE)`, `VACUUM`, `PRAGMA wal_checkpoint(TRUNCATE)`} {
		if _, err := db.wdb.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// Reseal re-encrypts, with the keyring's current key, every sealed value
// sealed with an older one, in batches, each its own transaction, so that
// it runs while the application serves (`xinfang keys rotate`). It
// returns the number of petitioners re-encrypted.
func (db *DB) Reseal(ctx context.Context) (int, error) {
	cur := db.Keys.Current()
	return db.resealWhere(ctx, func(v string) bool { return keyring.KeyOf(v) != cur })
}

// resealWhere seals again every row of which a non-empty sealed column
// satisfies stale. Rows are never changed after they are written, so a
// batch read and rewritten in one transaction loses nothing. It returns
// the number of rows sealed again.
func (db *DB) resealWhere(ctx context.Context, stale func(string) bool) (int, error) {
	after, total := int64(0), 0
	for {
		last, sealed := int64(0), 0
		err := db.write(ctx, func(tx *Tx) error {
			last, sealed = 0, 0 // a retried transaction starts over
			type row struct {
				id   int64
				vals []string
			}
			var todo []row
			rows, err := tx.QueryContext(ctx, db.dialect.rebind(`SELECT id, `+strings.Join(sealedCols, ", ")+` FROM petitioners WHERE id > ? ORDER BY id LIMIT 500`), after)
			err = eachRow(rows, err, func(r scanner) error {
				x := row{vals: make([]string, len(sealedCols))}
				dst := []any{&x.id}
				for i := range x.vals {
					dst = append(dst, &x.vals[i])
				}
				if err := r.Scan(dst...); err != nil {
					return err
				}
				last = x.id
				for _, v := range x.vals {
					if v != "" && stale(v) {
						todo = append(todo, x)
						break
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
			for _, x := range todo {
				set := make([]string, 0, len(sealedCols)+2)
				args := make([]any, 0, len(sealedCols)+3)
				plain := make([]string, len(sealedCols))
				for i, c := range sealedCols {
					if plain[i], err = db.Keys.Open(sealedField(c), x.vals[i]); errors.Is(err, keyring.ErrNotSealed) {
						plain[i] = x.vals[i]
					} else if err != nil {
						return fmt.Errorf("信访人 %d: %w", x.id, err)
					}
					set = append(set, c+" = ?")
					args = append(args, db.Keys.Seal(sealedField(c), plain[i]))
				}
				idn := db.identityOf(&xinfang.Petitioner{IDNumber: plain[0], Phone: plain[1]})
				set = append(set, "id_index = ?", "phone_index = ?")
				args = append(args, idn.id, idn.phone, x.id)
				if _, err := tx.exec(ctx, `UPDATE petitioners SET `+strings.Join(set, ", ")+` WHERE id = ?`, args...); err != nil {
					return err
				}
				sealed++
			}
			return nil
		})
		if err != nil || last == 0 {
			return total, err
		}
		after, total = last, total+sealed
	}
}

// SealedCount returns how many petitioners have a value sealed with each
// key (0: not sealed), for `xinfang keys status`.
func (db *DB) SealedCount(ctx context.Context) (map[int]int, error) {
	out := map[int]int{}
	rows, err := db.query(ctx, `SELECT `+strings.Join(sealedCols, ", ")+` FROM petitioners`)
	err = eachRow(rows, err, func(r scanner) error {
		vals := make([]string, len(sealedCols))
		dst := make([]any, len(vals))
		for i := range vals {
			dst[i] = &vals[i]
		}
		if err := r.Scan(dst...); err != nil {
			return err
		}
		seen := map[int]bool{}
		for _, v := range vals {
			if v != "" {
				seen[keyring.KeyOf(v)] = true
			}
		}
		for k := range seen {
			out[k]++
		}
		return nil
	})
	return out, err
}
