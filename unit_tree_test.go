package xinfang

import (
	"strings"
	"testing"
)

// TestSortUnitTree: a picker lists the city, its bureau, each town with
// its villages, then the departments — not the ids' text order, in which
// unit 10 came before unit 9.
func TestSortUnitTree(t *testing.T) {
	units := []*Unit{
		{ID: 1, Code: "SFS", Kind: UnitCity},
		{ID: 10, ParentID: 1, Code: "JYJ", Kind: UnitDepartment},
		{ID: 2, ParentID: 1, Code: "ZB", Kind: UnitTown},
		{ID: 9, ParentID: 2, Code: "ZB02", Kind: UnitVillage},
		{ID: 11, ParentID: 2, Code: "ZB01", Kind: UnitVillage},
		{ID: 3, ParentID: 1, Code: "ZA", Kind: UnitTown},
		{ID: 12, ParentID: 3, Code: "ZA01", Kind: UnitVillage},
		{ID: 4, ParentID: 1, Code: "XFJ", Kind: UnitBureau},
		{ID: 5, ParentID: 1, Code: "GAJ", Kind: UnitLegal},
		{ID: 99, ParentID: 77, Code: "ORPHAN", Kind: UnitTown},
	}
	SortUnitTree(units)
	var got []string
	for _, u := range units {
		got = append(got, u.Code)
	}
	if want := "SFS XFJ ZA ZA01 ZB ZB01 ZB02 JYJ GAJ ORPHAN"; strings.Join(got, " ") != want {
		t.Errorf("order %s, want %s", strings.Join(got, " "), want)
	}
}
