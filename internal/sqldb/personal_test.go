package sqldb_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"xinfang/internal/keyring"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// openKeyed opens a fresh database of dialect with keys of its own, and
// returns a function that reopens it with any keys.
func openKeyed(t *testing.T, dialect string, keys *keyring.Keyring) (*sqldb.DB, func(*keyring.Keyring) (*sqldb.DB, error)) {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "xinfang.db")
	if dialect == "postgres" {
		dsn = sqldbtest.PostgresDSN(t)
	}
	reopen := func(k *keyring.Keyring) (*sqldb.DB, error) {
		db := sqldb.NewDB(dsn, k)
		if err := db.Open(); err != nil {
			return nil, err
		}
		t.Cleanup(func() { db.Close() })
		return db, nil
	}
	db, err := reopen(keys)
	if err != nil {
		t.Fatal(err)
	}
	return db, reopen
}

// sealedRow reads the stored form of a petitioner's sealed columns.
func sealedRow(t *testing.T, db *sqldb.DB, id int64) (idNumber, phone, address, idIndex string) {
	t.Helper()
	err := db.RawSQL().QueryRow(db.Rebind(`SELECT id_number, phone, address, id_index FROM petitioners WHERE id = ?`), id).Scan(&idNumber, &phone, &address, &idIndex)
	if err != nil {
		t.Fatal(err)
	}
	return
}

func TestPersonalDataSealed(t *testing.T) {
	for _, d := range sqldbtest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			keys := keyring.Generate()
			db, reopen := openKeyed(t, d, keys)
			fixClock(db, at("2026-06-10"))
			f := sqldbtest.NewFixture(t, db)
			p := f.NewPetition(f.VillageA, 501)
			p.Petitioner.Phone, p.Petitioner.Address = "13612345678", "甲镇和平街 88 号"
			f.MustRegister(t, f.RegistrarA, p)

			idn, phone, addr, idx := sealedRow(t, db, p.Petitioner.ID)
			for _, v := range []string{idn, phone, addr} {
				if keyring.KeyOf(v) != 1 || strings.Contains(v, "1361234") || strings.Contains(v, "和平街") {
					t.Errorf("stored %q: not sealed", v)
				}
			}
			if idx == "" || strings.Contains(idx, p.Petitioner.IDNumber) {
				t.Errorf("blind index %q", idx)
			}
			got, err := db.Petitions.FindPetitionByID(f.Ctx(f.RegistrarA), p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Petitioner.IDNumber != p.Petitioner.IDNumber || got.Petitioner.Phone != "13612345678" || got.Petitioner.Address != "甲镇和平街 88 号" {
				t.Errorf("read back %+v", got.Petitioner)
			}

			// Other keys do not open the database.
			if _, err := reopen(keyring.Generate()); err == nil || !strings.Contains(err.Error(), "keys") {
				t.Errorf("opened with other keys: %v", err)
			}

			// A row an older version stored in the clear is sealed at the
			// next start, with its blind index.
			raw := db.RawSQL()
			if _, err := raw.Exec(db.Rebind(`UPDATE petitioners SET id_number = ?, phone = ?, address = ?, id_index = '' WHERE id = ?`),
				p.Petitioner.IDNumber, "13612345678", "甲镇和平街 88 号", p.Petitioner.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := raw.Exec(`UPDATE keyring_check SET sealed = 0`); err != nil {
				t.Fatal(err)
			}
			db2, err := reopen(keys)
			if err != nil {
				t.Fatal(err)
			}
			if i, ph, _, x := sealedRow(t, db2, p.Petitioner.ID); keyring.KeyOf(i) != 1 || keyring.KeyOf(ph) != 1 || x != idx {
				t.Errorf("after the start: id %q phone %q index %q (want %q)", i, ph, x, idx)
			}

			// Rotation re-encrypts every value with the new key; the
			// values and indexes stay the same.
			if n := keys.Rotate(); n != 2 {
				t.Fatalf("Rotate = %d", n)
			}
			n, err := db2.Reseal(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if total := count(t, db2, "petitioners"); n != total {
				t.Errorf("resealed %d of %d petitioners", n, total)
			}
			counts, err := db2.SealedCount(context.Background())
			if err != nil || counts[1] != 0 || counts[0] != 0 || counts[2] == 0 {
				t.Errorf("after rotation: %v, %v", counts, err)
			}
			got, err = db2.Petitions.FindPetitionByID(f.Ctx(f.RegistrarA), p.ID)
			if err != nil || got.Petitioner.Phone != "13612345678" {
				t.Fatalf("after rotation: %v, %v", got, err)
			}
			ms, err := db2.Petitioners.FindPersonMatches(f.Ctx(f.RegistrarA), p.Petitioner.IDNumber, "", "", 10)
			if err != nil || len(ms) == 0 {
				t.Errorf("look-up by ID number after rotation: %d, %v", len(ms), err)
			}

			// A copy of the SQLite file shows no identity number, phone
			// or address.
			if d == "sqlite" {
				for _, x := range []*sqldb.DB{db, db2} {
					if err := x.Close(); err != nil {
						t.Fatal(err)
					}
				}
				path := db.DSN
				for _, file := range []string{path, path + "-wal"} {
					b, err := os.ReadFile(file)
					if os.IsNotExist(err) {
						continue
					} else if err != nil {
						t.Fatal(err)
					}
					for _, secret := range []string{p.Petitioner.IDNumber, "13612345678", "和平街", sqldbtest.IDNumber(1)} {
						if bytes.Contains(b, []byte(secret)) {
							t.Errorf("%s holds %q in the clear", filepath.Base(file), secret)
						}
					}
				}
			}
		})
	}
}
