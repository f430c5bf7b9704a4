package sqldb_test

import (
	"testing"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

func TestDictionary(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		fixClock(db, at("2026-06-10"))
		f := sqldbtest.NewFixture(t, db)
		admin := f.Ctx(f.Admin)

		seeded, err := db.Directory.Dictionary(admin, "category")
		if err != nil {
			t.Fatal(err)
		}
		if len(seeded) < 20 || db.Directory.DictLabel(admin, "category", "0501") != "拖欠工资" {
			t.Fatalf("category dictionary not seeded: %d entries", len(seeded))
		}

		entry := xinfang.DictEntry{Kind: "category", Code: "0599", Parent: "05", Label: "欠薪调解", Sort: 99, Active: true}
		tests := []struct {
			name  string
			user  *xinfang.User
			edit  func(e *xinfang.DictEntry)
			code  string
			field string
		}{
			{"registrar", f.RegistrarA, func(e *xinfang.DictEntry) {}, xinfang.EFORBIDDEN, ""},
			{"leader", f.Leader, func(e *xinfang.DictEntry) {}, xinfang.EFORBIDDEN, ""},
			{"auditor", f.Auditor, func(e *xinfang.DictEntry) {}, xinfang.EFORBIDDEN, ""},
			{"unknown kind", f.Admin, func(e *xinfang.DictEntry) { e.Kind = "colour" }, xinfang.EINVALID, "kind"},
			{"unknown parent", f.Admin, func(e *xinfang.DictEntry) { e.Parent = "99" }, xinfang.EINVALID, "parent"},
			{"empty code", f.Admin, func(e *xinfang.DictEntry) { e.Code = " " }, xinfang.EINVALID, "code"},
			{"empty label", f.Admin, func(e *xinfang.DictEntry) { e.Label = "" }, xinfang.EINVALID, "label"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := count(t, db, "dictionary")
				e := entry
				tt.edit(&e)
				wantErr(t, db.Directory.SaveDictEntry(f.Ctx(tt.user), e), tt.code, tt.field)
				if after := count(t, db, "dictionary"); after != before {
					t.Errorf("dictionary %d → %d after a refused save", before, after)
				}
			})
		}

		t.Run("admin adds and edits", func(t *testing.T) {
			p := f.NewPetition(f.VillageA, 1)
			p.Category = "0599"
			wantErr(t, db.Petitions.RegisterPetition(f.Ctx(f.RegistrarA), p), xinfang.EINVALID, "category")
			if err := db.Directory.SaveDictEntry(admin, entry); err != nil {
				t.Fatal(err)
			}
			if got := db.Directory.DictLabel(admin, "category", "0599"); got != "欠薪调解" {
				t.Errorf("label = %q", got)
			}
			p = f.NewPetition(f.VillageA, 1)
			p.Category = "0599"
			f.MustRegister(t, f.RegistrarA, p)
			entry.Label = "欠薪纠纷调解"
			if err := db.Directory.SaveDictEntry(admin, entry); err != nil {
				t.Fatal(err)
			}
			list, err := db.Directory.Dictionary(admin, "category")
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, e := range list {
				if e.Code == "0599" {
					n++
					if e.Label != "欠薪纠纷调解" || e.Parent != "05" || e.Sort != 99 || !e.Active {
						t.Errorf("stored %+v", e)
					}
				}
			}
			if n != 1 || len(list) != len(seeded)+1 {
				t.Errorf("0599 stored %d times; %d entries, want %d", n, len(list), len(seeded)+1)
			}
		})
	})
}

func TestHolidays(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		fixClock(db, at("2026-06-10"))
		f := sqldbtest.NewFixture(t, db)
		admin := f.Ctx(f.Admin)
		start, day := calendar.MustParseDate("2026-06-01"), calendar.MustParseDate("2026-06-16")
		due := func() calendar.Date {
			t.Helper()
			return db.Procedure(admin).Cal.DueAfterDays(start, 15, true).Due
		}
		if got := due(); got != day {
			t.Fatalf("15 days after %s: %s, want %s", start, got, day)
		}

		wantErr(t, db.Directory.SaveHoliday(f.Ctx(f.RegistrarA), calendar.Override{Date: day, Kind: calendar.Holiday, Name: "测试假日"}), xinfang.EFORBIDDEN, "")
		wantErr(t, db.Directory.SaveHoliday(admin, calendar.Override{Date: day, Kind: "party", Name: "测试假日"}), xinfang.EINVALID, "kind")
		wantErr(t, db.Directory.SaveHoliday(admin, calendar.Override{Date: day, Kind: calendar.Holiday}), xinfang.EINVALID, "name")
		wantErr(t, db.Directory.SaveHoliday(admin, calendar.Override{Kind: calendar.Holiday, Name: "测试假日"}), xinfang.EINVALID, "date")
		if got := due(); got != day {
			t.Fatalf("a refused change moved the due date to %s", got)
		}

		// Tuesday 2026-06-16 becomes a holiday: the period rolls to Wednesday.
		if err := db.Directory.SaveHoliday(admin, calendar.Override{Date: day, Kind: calendar.Holiday, Name: "测试假日"}); err != nil {
			t.Fatal(err)
		}
		if got := due(); got != calendar.MustParseDate("2026-06-17") {
			t.Errorf("with 06-16 a holiday: due %s, want 2026-06-17", got)
		}
		ovs, err := db.Directory.Holidays(admin)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, o := range ovs {
			found = found || (o.Date == day && o.Kind == calendar.Holiday && o.Name == "测试假日")
		}
		if !found {
			t.Error("Holidays does not list the new holiday")
		}
		// A registration on 06-01 now falls due on the 17th.
		clk := fixClock(db, at("2026-06-01"))
		p := f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, 1))
		if p.DueDate.String() != "2026-06-17" {
			t.Errorf("registered on %s: due %s, want 2026-06-17", clk.Now().Format("2006-01-02"), p.DueDate)
		}

		// Removing the override restores the ordinary weekday.
		if err := db.Directory.SaveHoliday(admin, calendar.Override{Date: day}); err != nil {
			t.Fatal(err)
		}
		if got := due(); got != day {
			t.Errorf("after removing the holiday: due %s, want %s", got, day)
		}
	})
}
