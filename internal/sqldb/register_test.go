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

		// One registration neither reads nor changes the person data of
		// another item: a registrar of town B who types the ID number of
		// town A's petitioner gets back what it typed, and town A's item
		// keeps what town A registered.
		t.Run("person data stays with its petition", func(t *testing.T) {
			first := f.NewPetition(f.VillageA, 100)
			first.Petitioner.Phone, first.Petitioner.Address = "13900139000", "甲镇幸福路 1 号"
			f.MustRegister(t, f.RegistrarA, first)
			again := f.NewPetition(f.TownB, 100)
			again.Petitioner.Phone, again.Petitioner.Address = "13700137001", ""
			f.MustRegister(t, f.HandlerB, again)
			if again.Petitioner.ID == first.Petitioner.ID {
				t.Fatal("the second registration reuses the first item's petitioner record")
			}
			if again.Petitioner.Phone != "13700137001" || again.Petitioner.Address != "" {
				t.Errorf("town B got back phone %q, address %q: not what it typed", again.Petitioner.Phone, again.Petitioner.Address)
			}
			got, err := db.Petitions.FindPetitionByID(f.Ctx(f.HandlerB), again.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Petitioner.Phone != "13700137001" || got.Petitioner.Address != "" || got.Petitioner.Gender == "" {
				t.Errorf("town B's item holds phone %q, address %q, gender %q", got.Petitioner.Phone, got.Petitioner.Address, got.Petitioner.Gender)
			}
			got, err = db.Petitions.FindPetitionByID(f.Ctx(f.RegistrarA), first.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Petitioner.Phone != "13900139000" || got.Petitioner.Address != "甲镇幸福路 1 号" {
				t.Errorf("town A's item changed by town B's registration: phone %q, address %q", got.Petitioner.Phone, got.Petitioner.Address)
			}
			if _, err := db.Petitions.FindPetitionByID(f.Ctx(f.HandlerB), first.ID); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
				t.Errorf("town B opens town A's item: %v", err)
			}
			// The look-up while typing finds, for town B, only its own item.
			ms, err := db.Petitioners.FindPersonMatches(f.Ctx(f.HandlerB), first.Petitioner.IDNumber, "", "", 10)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ms {
				if m.Petition.ID == first.ID {
					t.Error("town B's look-up by ID number finds town A's item")
				}
			}
			// The person is one: whoever sees both items finds both, by the
			// ID number and by either phone.
			for _, key := range [][3]string{{first.Petitioner.IDNumber, "", ""}, {"", "", "13900139000"}} {
				ms, err = db.Petitioners.FindPersonMatches(f.Ctx(f.Leader), key[0], key[1], key[2], 10)
				if err != nil {
					t.Fatal(err)
				}
				ids := map[int64]bool{}
				for _, m := range ms {
					ids[m.Petition.ID] = true
				}
				if !ids[first.ID] || (key[0] != "" && !ids[again.ID]) {
					t.Errorf("the city's look-up %v finds %v, want items %d and %d", key, ids, first.ID, again.ID)
				}
			}
			items, _, err := db.Petitions.FindPetitions(f.Ctx(f.Leader), xinfang.PetitionFilter{Petitioner: again.Petitioner.ID})
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 2 {
				t.Errorf("the person's items: %d, want both registrations", len(items))
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

// A deactivated unit takes no new item: not as 问题属地, not as the first
// unit, not as the addressee of a 批示.
func TestDeactivatedUnitTakesNothing(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		fixClock(db, at("2026-06-10"))
		f := sqldbtest.NewFixture(t, db)
		gone := &xinfang.Unit{Code: "JZXC", Name: "甲镇西村", Kind: xinfang.UnitVillage, ParentID: f.TownA.ID}
		if err := db.Directory.CreateUnit(f.Ctx(f.Admin), gone); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Directory.DeactivateUnit(f.Ctx(f.Admin), gone.ID); err != nil {
			t.Fatal(err)
		}
		p := f.NewPetition(gone, 1)
		wantErr(t, db.Petitions.RegisterPetition(f.Ctx(f.RegistrarA), p), xinfang.EINVALID, "locality_id")
		p = f.NewPetition(f.VillageA, 2)
		p.FirstUnitID = gone.ID
		wantErr(t, db.Petitions.RegisterPetition(f.Ctx(f.RegistrarA), p), xinfang.EINVALID, "first_unit_id")
		ok := f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, 3))
		_, err := db.Cases.AddInstruction(f.Ctx(f.Leader), &xinfang.Instruction{PetitionID: ok.ID, Text: "请西村配合", ToUnits: []int64{gone.ID}})
		wantErr(t, err, xinfang.EINVALID, "to_units")
		if n := count(t, db, "petitions"); n != 1 {
			t.Errorf("%d petitions, want the one accepted", n)
		}
	})
}
