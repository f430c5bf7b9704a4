package sqldb_test

import (
	"reflect"
	"testing"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// A petition's detail, read in one query with what its page shows beyond
// its row, is what an action answers, which reads each part on its own:
// the petitioner in full, the co-petitioners, the registrar's name and
// the count of repeats.
func TestPetitionDetailAsAnActionAnswers(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		f := sqldbtest.NewFixture(t, db)
		ctx := f.Ctx(f.BureauRegistrar)
		p := f.NewPetition(f.VillageA, 300)
		p.PersonCount = 3
		p.Petitioner.Residence, p.Petitioner.HukouAddress, p.Petitioner.Occupation = "甲镇东村 2 号", "甲镇", "农民"
		p.CoPetitioners = []*xinfang.Petitioner{
			{Name: "李四", IDNumber: sqldbtest.IDNumber(301)},
			{Name: "王五", Phone: "13700137000", Address: "乙镇西村 3 号"},
		}
		f.MustRegister(t, f.BureauRegistrar, p)
		var alone *xinfang.Petition
		for i := range 2 {
			alone = f.MustRegister(t, f.BureauRegistrar, f.NewPetition(f.VillageA, 310+i))
			if _, err := db.Repeats.DecideRepeat(ctx, alone.ID, xinfang.RepeatDecisionInput{CandidateID: p.ID, Decision: xinfang.RepeatLink, Version: alone.Version}); err != nil {
				t.Fatal(err)
			}
		}
		// Without co-petitioners, their list is empty, not missing.
		if got, err := db.Petitions.FindPetitionByID(ctx, alone.ID); err != nil || got.CoPetitioners == nil || len(got.CoPetitioners) != 0 || got.Petitioner.Name != "张三" {
			t.Errorf("a petition without co-petitioners: %+v, %v", got, err)
		}
		acted := f.MustAct(t, f.BureauRegistrar, p.ID, transfer(f.TownA, p.Version))
		got, err := db.Petitions.FindPetitionByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.RepeatCount != 2 || got.RegUserName != f.BureauRegistrar.Name || got.Petitioner.Residence != "甲镇东村 2 号" || len(got.CoPetitioners) != 2 {
			t.Errorf("detail: %d repeats, registrar %q, petitioner %+v, %d co-petitioners", got.RepeatCount, got.RegUserName, got.Petitioner, len(got.CoPetitioners))
		}
		for _, c := range []struct {
			what      string
			got, want any
		}{
			{"petitioner", got.Petitioner, acted.Petitioner},
			{"co-petitioners", got.CoPetitioners, acted.CoPetitioners},
			{"registrar", got.RegUserName, acted.RegUserName},
			{"repeats", got.RepeatCount, acted.RepeatCount},
			{"state", got.State, acted.State},
			{"handling unit", got.HandlingUnitID, acted.HandlingUnitID},
			{"due", got.DueDate, acted.DueDate},
		} {
			if !reflect.DeepEqual(c.got, c.want) {
				t.Errorf("%s: detail %+v, the action's answer %+v", c.what, c.got, c.want)
			}
		}
		// Out of scope is not found, as before.
		_, err = db.Petitions.FindPetitionByID(f.Ctx(f.HandlerB), p.ID)
		wantErr(t, err, xinfang.ENOTFOUND, "")
	})
}
