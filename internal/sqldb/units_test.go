package sqldb_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

func TestUnits(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		f := sqldbtest.NewFixture(t, db)
		ctx := f.Ctx(f.Admin)

		t.Run("paths", func(t *testing.T) {
			if want := "/" + strconv.FormatInt(f.City.ID, 10) + "/"; f.City.Path != want {
				t.Errorf("city path = %q, want %q", f.City.Path, want)
			}
			children := []struct{ parent, child *xinfang.Unit }{
				{f.City, f.Bureau}, {f.City, f.TownA}, {f.TownA, f.VillageA}, {f.City, f.TownB}, {f.TownB, f.VillageB}, {f.City, f.Police}, {f.City, f.Discipline},
			}
			for _, c := range children {
				if want := c.parent.Path + strconv.FormatInt(c.child.ID, 10) + "/"; c.child.Path != want {
					t.Errorf("%s path = %q, want %q", c.child.Code, c.child.Path, want)
				}
				got, err := db.Directory.FindUnitByID(ctx, c.child.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Path != c.child.Path || got.ParentID != c.parent.ID || got.Code != c.child.Code || got.Kind != c.child.Kind {
					t.Errorf("stored %+v, created %+v", got, c.child)
				}
			}
			if !f.TownA.Contains(f.VillageA) || f.TownA.Contains(f.VillageB) || f.TownA.Contains(f.TownB) {
				t.Error("subtree prefix test is wrong")
			}
			units, err := db.Directory.FindUnits(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(units) != 8 {
				t.Fatalf("FindUnits returned %d units, want 8", len(units))
			}
			for i := 1; i < len(units); i++ {
				if units[i-1].Path >= units[i].Path {
					t.Errorf("FindUnits not ordered by path: %q before %q", units[i-1].Path, units[i].Path)
				}
			}
			byCode, err := db.Directory.FindUnitByCode(ctx, "JZ01")
			if err != nil || byCode.ID != f.VillageA.ID {
				t.Errorf("FindUnitByCode(JZ01) = %+v, %v", byCode, err)
			}
			_, err = db.Directory.FindUnitByCode(ctx, "NOPE")
			wantErr(t, err, xinfang.ENOTFOUND, "")
			_, err = db.Directory.FindUnitByID(ctx, 999999)
			wantErr(t, err, xinfang.ENOTFOUND, "")
		})

		t.Run("invalid", func(t *testing.T) {
			tests := []struct {
				name  string
				ctx   context.Context
				unit  xinfang.Unit
				code  string
				field string
			}{
				{"unknown parent", ctx, xinfang.Unit{ParentID: 999999, Code: "NEW1", Name: "新单位", Kind: xinfang.UnitDepartment}, xinfang.EINVALID, "parent_id"},
				{"duplicate code", ctx, xinfang.Unit{ParentID: f.City.ID, Code: "JZ", Name: "另一个甲镇", Kind: xinfang.UnitTown}, xinfang.EINVALID, "code"},
				{"bad code", ctx, xinfang.Unit{ParentID: f.City.ID, Code: "甲", Name: "甲", Kind: xinfang.UnitTown}, xinfang.EINVALID, "code"},
				{"empty name", ctx, xinfang.Unit{ParentID: f.City.ID, Code: "NEW2", Name: "  ", Kind: xinfang.UnitTown}, xinfang.EINVALID, "name"},
				{"unknown kind", ctx, xinfang.Unit{ParentID: f.City.ID, Code: "NEW3", Name: "某单位", Kind: "ministry"}, xinfang.EINVALID, "kind"},
				{"not an admin", f.Ctx(f.Leader), xinfang.Unit{ParentID: f.City.ID, Code: "NEW4", Name: "某单位", Kind: xinfang.UnitDepartment}, xinfang.EFORBIDDEN, ""},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					before := count(t, db, "units")
					u := tt.unit
					wantErr(t, db.Directory.CreateUnit(tt.ctx, &u), tt.code, tt.field)
					if after := count(t, db, "units"); after != before {
						t.Errorf("units %d → %d after a refused create", before, after)
					}
				})
			}
		})

		t.Run("admin creates", func(t *testing.T) {
			u := &xinfang.Unit{ParentID: f.VillageA.ID, Code: "JZ01-1", Name: "甲镇东村一组", Kind: xinfang.UnitVillage}
			if err := db.Directory.CreateUnit(ctx, u); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(u.Path, f.VillageA.Path) || u.Path == f.VillageA.Path {
				t.Errorf("path %q is not below %q", u.Path, f.VillageA.Path)
			}
		})
	})
}
