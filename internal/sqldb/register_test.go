package sqldb_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

var queryCodeRE = regexp.MustCompile(`^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$`)

func TestRegisterPetition(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		clk := fixClock(db, at("2026-06-10"))
		f := sqldbtest.NewFixture(t, db)

		t.Run("numbers per unit and year", func(t *testing.T) {
			for i := 1; i <= 3; i++ {
				p := f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, i))
				if want := fmt.Sprintf("JZ-2026-%06d", i); p.Number != want {
					t.Errorf("number = %q, want %q", p.Number, want)
				}
			}
			p := f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.TownB, 4))
			if p.Number != "XFJ-2026-000001" {
				t.Errorf("the bureau's first number = %q", p.Number)
			}
			// A handler of town A registers on the town's counter too.
			p = f.MustRegister(t, f.HandlerA, f.NewPetition(f.VillageA, 5))
			if p.Number != "JZ-2026-000004" {
				t.Errorf("town A's fourth number = %q", p.Number)
			}
			// 2027-01-01 00:30 in Beijing is still 2026 in UTC: the year is Beijing's.
			clk.Set(at("2027-01-01").Add(-(9*time.Hour + 30*time.Minute)))
			if y := clk.Now().UTC().Year(); y != 2026 {
				t.Fatalf("test clock: UTC year %d", y)
			}
			p = f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, 6))
			if p.Number != "JZ-2027-000001" {
				t.Errorf("first number of the new year = %q", p.Number)
			}
			clk.Set(at("2026-06-10"))
		})

		t.Run("query code", func(t *testing.T) {
			a := f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, 7))
			b := f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, 8))
			for _, code := range []string{a.QueryCode, b.QueryCode} {
				// 16 base32 characters carry 80 bits.
				if !queryCodeRE.MatchString(code) {
					t.Errorf("查询码 %q is not 4 groups of 4 base32 characters", code)
				}
			}
			if a.QueryCode == b.QueryCode {
				t.Error("two petitions got the same 查询码")
			}
			var stored string
			if err := db.RawSQL().QueryRow(db.Rebind(`SELECT query_hash FROM petitions WHERE id = ?`), a.ID).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			if stored == a.QueryCode || stored == "" {
				t.Errorf("query_hash %q: the 查询码 must be stored hashed", stored)
			}
			got, err := db.Petitions.FindPetitionByID(f.Ctx(f.RegistrarA), a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.QueryCode != "" {
				t.Error("the 查询码 is readable after registration")
			}
		})

		t.Run("petitioner reused by ID number", func(t *testing.T) {
			first := f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, 100))
			before := count(t, db, "petitioners")
			again := f.NewPetition(f.VillageA, 100)
			again.Petitioner.Phone = "13900139000"
			f.MustRegister(t, f.RegistrarA, again)
			if again.Petitioner.ID != first.Petitioner.ID {
				t.Errorf("same ID number: petitioner %d, then %d", first.Petitioner.ID, again.Petitioner.ID)
			}
			if after := count(t, db, "petitioners"); after != before {
				t.Errorf("petitioners %d → %d for a known ID number", before, after)
			}
			got, err := db.Petitions.FindPetitionByID(f.Ctx(f.RegistrarA), first.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Petitioner.Phone != "13900139000" {
				t.Errorf("phone = %q: the new phone was not recorded", got.Petitioner.Phone)
			}
			if got.Petitioner.Gender == "" {
				t.Error("gender was not derived from the ID number")
			}
		})

		t.Run("co-petitioners", func(t *testing.T) {
			p := f.NewPetition(f.VillageA, 200)
			p.PersonCount = 3
			p.CoPetitioners = []*xinfang.Petitioner{
				{Name: "李四", IDNumber: sqldbtest.IDNumber(201)},
				{Name: "王五", Phone: "13700137000"},
			}
			f.MustRegister(t, f.RegistrarA, p)
			got, err := db.Petitions.FindPetitionByID(f.Ctx(f.RegistrarA), p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Petitioner.Name != "张三" || got.Petitioner.IDNumber != sqldbtest.IDNumber(200) {
				t.Errorf("main petitioner = %+v", got.Petitioner)
			}
			if len(got.CoPetitioners) != 2 || got.CoPetitioners[0].Name != "李四" || got.CoPetitioners[1].Name != "王五" {
				t.Fatalf("co-petitioners = %+v", got.CoPetitioners)
			}
			if got.PersonCount != 3 || got.Version != 1 || got.State != xinfang.StateRegistered || got.RegUserID != f.RegistrarA.ID || got.RegUnitID != f.TownA.ID {
				t.Errorf("stored %+v", got)
			}
			if got.DueDate.String() != "2026-06-25" || got.DueClock != xinfang.ClockDisposal || len(got.Clocks) != 1 {
				t.Errorf("disposal clock: due %q clock %q clocks %d", got.DueDate, got.DueClock, len(got.Clocks))
			}
			byNumber, err := db.Petitions.FindPetitionByNumber(f.Ctx(f.RegistrarA), p.Number)
			if err != nil || byNumber.ID != p.ID {
				t.Errorf("FindPetitionByNumber(%q) = %v, %v", p.Number, byNumber, err)
			}
		})

		t.Run("invalid input writes nothing", func(t *testing.T) {
			tests := []struct {
				name  string
				edit  func(p *xinfang.Petition)
				field string
			}{
				{"invalid ID number", func(p *xinfang.Petition) { p.Petitioner.IDNumber = wrongCheckChar(p.Petitioner.IDNumber) }, "petitioner.id_number"},
				{"unknown locality", func(p *xinfang.Petition) { p.LocalityID = 999999 }, "locality_id"},
				{"unknown category", func(p *xinfang.Petition) { p.Category = "9999" }, "category"},
				{"bad phone", func(p *xinfang.Petition) { p.Petitioner.Phone = "12345" }, "petitioner.phone"},
				{"no summary", func(p *xinfang.Petition) { p.Summary = " " }, "summary"},
				{"unknown channel", func(p *xinfang.Petition) { p.Channel = "pigeon" }, "channel"},
				{"bad co-petitioner", func(p *xinfang.Petition) {
					p.CoPetitioners = []*xinfang.Petitioner{{Name: "李四", IDNumber: "11010119800101001"}}
				}, "co_petitioners.0.id_number"},
				// Found inside the transaction, after the number was taken.
				{"co-petitioner is the petitioner", func(p *xinfang.Petition) {
					p.CoPetitioners = []*xinfang.Petitioner{{Name: "张三", IDNumber: p.Petitioner.IDNumber}}
				}, "co_petitioners.0.name"},
			}
			last := f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, 300))
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					before := counts(t, db)
					p := f.NewPetition(f.VillageA, 301)
					tt.edit(p)
					wantErr(t, db.Petitions.RegisterPetition(f.Ctx(f.RegistrarA), p), xinfang.EINVALID, tt.field)
					if after := counts(t, db); fmt.Sprint(after) != fmt.Sprint(before) {
						t.Errorf("rows before %v, after %v", before, after)
					}
				})
			}
			// No number was used up by the refused registrations.
			next := f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, 302))
			var a, b int
			fmt.Sscanf(last.Number, "JZ-2026-%d", &a)
			fmt.Sscanf(next.Number, "JZ-2026-%d", &b)
			if a == 0 || b != a+1 {
				t.Errorf("numbers %s then %s: a gap", last.Number, next.Number)
			}
		})

		t.Run("forbidden", func(t *testing.T) {
			before := counts(t, db)
			wantErr(t, db.Petitions.RegisterPetition(f.Ctx(f.Admin), f.NewPetition(f.VillageA, 400)), xinfang.EFORBIDDEN, "")
			wantErr(t, db.Petitions.RegisterPetition(f.Ctx(f.Leader), f.NewPetition(f.VillageA, 400)), xinfang.EFORBIDDEN, "")
			if after := counts(t, db); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("rows before %v, after %v", before, after)
			}
		})
	})
}

// wrongCheckChar returns id with a check character that does not match.
func wrongCheckChar(id string) string {
	c := byte('0')
	if id[17] == '0' {
		c = '1'
	}
	return id[:17] + string(c)
}
