package sqldb_test

import (
	"context"
	"testing"

	"xinfang"

	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// The data scope compares unit paths as ranges ("/1/3/" up to "/1/30"),
// which holds only if "/" sorts before the digits. A PostgreSQL database
// created with a locale whose collation ignores punctuation ("und-u-ka-
// shifted", as glibc's zh_CN.UTF-8 and en_US.UTF-8 do) sorts "/1/3/4/"
// after "/1/30" — a town would lose its villages' items. The path columns
// compare in the C collation whatever the database's locale.
func TestScopeUnderAnyCollation(t *testing.T) {
	dsn := sqldbtest.PostgresDSNWith(t, `TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'und-u-ka-shifted' LOCALE 'C.UTF-8'`)
	db := sqldb.NewDB(dsn, sqldbtest.Keys)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ordered bool
	if err := db.RawSQL().QueryRow(`SELECT '/1/3/4/' < '/1/30'`).Scan(&ordered); err != nil {
		t.Fatal(err)
	}
	if ordered {
		t.Fatal("the database's collation does not ignore punctuation: the test proves nothing")
	}
	fixClock(db, at("2026-06-10"))
	f := sqldbtest.NewFixture(t, db)
	// An item registered in the village: both its paths lie below the town.
	admin := f.Ctx(f.Admin)
	villager := &xinfang.User{Username: "jz01.reg", Name: "郑登记", UnitID: f.VillageA.ID, Roles: []xinfang.Role{xinfang.RoleRegistrar}}
	if err := db.Directory.CreateUser(context.Background(), villager, sqldbtest.Password); err != nil {
		t.Fatal(err)
	}
	villager, err := db.Directory.FindUserByID(admin, villager.ID)
	if err != nil {
		t.Fatal(err)
	}
	item := f.MustRegister(t, villager, f.NewPetition(f.VillageA, 1))
	if !visible(t, f, f.HeadA, item) {
		t.Errorf("the head of %s does not see the item of its village %s", f.TownA.Path, f.VillageA.Path)
	}
	if visible(t, f, f.HandlerB, item) {
		t.Error("town B sees town A's item")
	}
}
