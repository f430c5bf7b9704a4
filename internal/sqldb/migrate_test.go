package sqldb_test

import (
	"slices"
	"strings"
	"testing"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// Migration 0009 turns the 三跨三分离 labels that rows stored before the
// codes into the codes xinfang.CrossFlagOf maps them to, on both
// databases: an old-style row written, the migration run again, the row
// holds codes naming the same flags.
func TestMigrateCrossFlagCodes(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		fixClock(db, at("2026-06-10"))
		f := sqldbtest.NewFixture(t, db)
		stored := []string{
			"", "跨省", "cross_region,person_matter", // no flags, not a flag, codes already
			"跨地区,人户分离", "跨部门，人事户分离、跨行业", "人事分离, 跨地区", "人事户分离,人事分离,人户分离",
		}
		for _, l := range xinfang.CrossFlags {
			stored = append(stored, l.Label)
		}
		raw := db.RawSQL()
		ids := make([]int64, len(stored))
		for i, v := range stored {
			p := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, i+1))
			if _, err := raw.Exec(db.Rebind(`UPDATE petitions SET cross_flags = ? WHERE id = ?`), v, p.ID); err != nil {
				t.Fatal(err)
			}
			ids[i] = p.ID
		}
		// Run 0009 again, as on a database migrated before it existed.
		if _, err := raw.Exec(`DELETE FROM migrations WHERE name LIKE '%0009_cross_flag_codes.sql'`); err != nil {
			t.Fatal(err)
		}
		again := sqldb.NewDB(db.DSN, sqldbtest.Keys)
		if err := again.Open(); err != nil {
			t.Fatalf("migrate again: %v", err)
		}
		if err := again.Close(); err != nil {
			t.Fatal(err)
		}
		for i, id := range ids {
			var got string
			if err := raw.QueryRow(db.Rebind(`SELECT cross_flags FROM petitions WHERE id = ?`), id).Scan(&got); err != nil {
				t.Fatal(err)
			}
			old := stored[i]
			want, err := xinfang.ParseCrossFlags(old)
			if err != nil { // not a flag: left as it was
				if got != old {
					t.Errorf("%q became %q, want it kept", old, got)
				}
				continue
			}
			codes, err := xinfang.ParseCrossFlags(got)
			if err != nil || !slices.Equal(codes, want) {
				t.Errorf("%q became %q (%v %v), want the flags %v", old, got, codes, err, want)
			}
			for _, v := range strings.Split(got, ",") {
				if v != "" && !xinfang.CrossFlag(v).Valid() {
					t.Errorf("%q became %q: %q is no code", old, got, v)
				}
			}
		}
	})
}
