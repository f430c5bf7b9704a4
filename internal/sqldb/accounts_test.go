package sqldb_test

import (
	"context"
	"testing"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// cliUser creates an account as the command line does (no acting user)
// and returns it loaded.
func cliUser(t *testing.T, db *sqldb.DB, username string, unit *xinfang.Unit, roles ...xinfang.Role) *xinfang.User {
	t.Helper()
	u := &xinfang.User{Username: username, Name: username, UnitID: unit.ID, Roles: roles}
	if err := db.Directory.CreateUser(context.Background(), u, sqldbtest.Password); err != nil {
		t.Fatal(err)
	}
	loaded, err := db.Directory.FindUserByID(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return loaded
}

// 三员分立 in storage: the system admin opens accounts without roles and
// keeps them; the security admin grants roles, resets and unlocks; each
// change is checked on the account as stored.
func TestAccountAdministration(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		f := sqldbtest.NewFixture(t, db)
		clk := fixClock(db, at("2026-03-02"))
		security := cliUser(t, db, "security", f.City, xinfang.RoleSecurityAdmin)
		admin, sec := f.Ctx(f.Admin), f.Ctx(security)
		dir := db.Directory

		// The system admin opens an account, without roles.
		clerk := &xinfang.User{Username: "clerk", Name: "王五", UnitID: f.TownA.ID, Phone: "13800000000", MustChangePassword: true}
		withRole := *clerk
		withRole.Username, withRole.Roles = "clerk2", []xinfang.Role{xinfang.RoleHandler}
		wantErr(t, dir.CreateUser(admin, &withRole, sqldbtest.Password), xinfang.EINVALID, "roles")
		wantErr(t, dir.CreateUser(sec, clerk, sqldbtest.Password), xinfang.EFORBIDDEN, "")
		if err := dir.CreateUser(admin, clerk, sqldbtest.Password); err != nil {
			t.Fatal(err)
		}
		// The command line may not make an admin who handles items.
		mixed := &xinfang.User{Username: "mixed", Name: "兼任", UnitID: f.City.ID, Roles: []xinfang.Role{xinfang.RoleAdmin, xinfang.RoleHandler}}
		wantErr(t, dir.CreateUser(context.Background(), mixed, sqldbtest.Password), xinfang.EINVALID, "roles")

		t.Run("roles", func(t *testing.T) {
			_, err := dir.SetUserRoles(admin, clerk.ID, []xinfang.Role{xinfang.RoleHandler})
			wantErr(t, err, xinfang.EFORBIDDEN, "")
			_, err = dir.SetUserRoles(sec, clerk.ID, []xinfang.Role{xinfang.RoleAdmin, xinfang.RoleHandler})
			wantErr(t, err, xinfang.EINVALID, "roles")
			_, err = dir.SetUserRoles(sec, clerk.ID, []xinfang.Role{xinfang.RoleAuditor})
			wantErr(t, err, xinfang.EINVALID, "roles")
			_, err = dir.SetUserRoles(sec, security.ID, []xinfang.Role{xinfang.RoleSecurityAdmin, xinfang.RoleLeader})
			wantErr(t, err, xinfang.EFORBIDDEN, "")
			_, err = dir.SetUserRoles(sec, f.Auditor.ID, nil)
			wantErr(t, err, xinfang.EINVALID, "roles")
			got, err := dir.SetUserRoles(sec, clerk.ID, []xinfang.Role{xinfang.RoleRegistrar, xinfang.RoleHandler})
			if err != nil {
				t.Fatal(err)
			}
			if !got.Has(xinfang.RoleRegistrar) || !got.Has(xinfang.RoleHandler) || len(got.Roles) != 2 {
				t.Errorf("roles %v", got.Roles)
			}
			_, err = dir.SetUserRoles(sec, 999999, nil)
			wantErr(t, err, xinfang.ENOTFOUND, "")
		})

		t.Run("edit", func(t *testing.T) {
			name, phone, unit := "王五一", "13900000000", f.VillageA.ID
			got, err := dir.UpdateUser(admin, clerk.ID, xinfang.UserChange{Name: &name, Phone: &phone, UnitID: &unit})
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != name || got.Phone != phone || got.UnitID != f.VillageA.ID || got.Unit.ID != f.VillageA.ID {
				t.Errorf("edited %+v", got)
			}
			empty, nowhere := " ", int64(999999)
			_, err = dir.UpdateUser(admin, clerk.ID, xinfang.UserChange{Name: &empty})
			wantErr(t, err, xinfang.EINVALID, "name")
			_, err = dir.UpdateUser(admin, clerk.ID, xinfang.UserChange{UnitID: &nowhere})
			wantErr(t, err, xinfang.EINVALID, "unit_id")
			_, err = dir.UpdateUser(sec, clerk.ID, xinfang.UserChange{Name: &name})
			wantErr(t, err, xinfang.EFORBIDDEN, "")
		})

		t.Run("reset and unlock", func(t *testing.T) {
			_, s, err := dir.Login(context.Background(), "clerk", sqldbtest.Password, "10.0.0.1")
			if err != nil {
				t.Fatal(err)
			}
			_, err = dir.ResetPassword(sec, clerk.ID, "weak")
			wantErr(t, err, xinfang.EINVALID, "password")
			_, err = dir.ResetPassword(admin, clerk.ID, "N3w-initial!")
			wantErr(t, err, xinfang.EFORBIDDEN, "")
			_, err = dir.ResetPassword(sec, security.ID, "N3w-initial!")
			wantErr(t, err, xinfang.EFORBIDDEN, "")
			got, err := dir.ResetPassword(sec, clerk.ID, "N3w-initial!")
			if err != nil {
				t.Fatal(err)
			}
			if !got.MustChangePassword {
				t.Error("a reset password need not be changed")
			}
			if _, _, err := dir.SessionUser(context.Background(), s.Token); xinfang.ErrorCode(err) != xinfang.EUNAUTHORIZED {
				t.Errorf("the session outlived the reset: %v", err)
			}
			if _, _, err := dir.Login(context.Background(), "clerk", sqldbtest.Password, "10.0.0.1"); err == nil {
				t.Error("the old password still works")
			}
			// Five failures lock the account; the security admin lifts it.
			for range xinfang.MaxFailedLogins {
				dir.Login(context.Background(), "clerk", "Wr0ng-password", "10.0.0.1")
			}
			if _, _, err := dir.Login(context.Background(), "clerk", "N3w-initial!", "10.0.0.1"); err == nil {
				t.Fatal("not locked")
			}
			locked, err := dir.FindUsers(sec, xinfang.UserFilter{State: xinfang.AccountLocked})
			if err != nil || len(locked) != 1 || locked[0].ID != clerk.ID {
				t.Errorf("locked accounts %v, %v", locked, err)
			}
			_, err = dir.UnlockUser(admin, clerk.ID)
			wantErr(t, err, xinfang.EFORBIDDEN, "")
			got, err = dir.UnlockUser(sec, clerk.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Locked(clk.Now()) {
				t.Error("still locked")
			}
			if _, _, err := dir.Login(context.Background(), "clerk", "N3w-initial!", "10.0.0.1"); err != nil {
				t.Errorf("login after unlock: %v", err)
			}
		})

		t.Run("deactivate", func(t *testing.T) {
			_, s, err := dir.Login(context.Background(), "clerk", "N3w-initial!", "10.0.0.1")
			if err != nil {
				t.Fatal(err)
			}
			_, err = dir.DeactivateUser(sec, clerk.ID)
			wantErr(t, err, xinfang.EFORBIDDEN, "")
			_, err = dir.DeactivateUser(admin, f.Admin.ID)
			wantErr(t, err, xinfang.EFORBIDDEN, "")
			got, err := dir.DeactivateUser(admin, clerk.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Disabled {
				t.Error("not deactivated")
			}
			// Its sessions end with it, in the same transaction.
			var n int
			if err := db.RawSQL().QueryRow(db.Rebind(`SELECT COUNT(*) FROM sessions WHERE user_id = ?`), clerk.ID).Scan(&n); err != nil || n != 0 {
				t.Errorf("%d sessions left (%v)", n, err)
			}
			if _, _, err := dir.SessionUser(context.Background(), s.Token); xinfang.ErrorCode(err) != xinfang.EUNAUTHORIZED {
				t.Errorf("session of a deactivated account: %v", err)
			}
			if _, _, err := dir.Login(context.Background(), "clerk", "N3w-initial!", "10.0.0.1"); xinfang.ErrorCode(err) != xinfang.EUNAUTHORIZED {
				t.Errorf("login of a deactivated account: %v", err)
			}
			// The last security admin and the last auditor stay.
			_, err = dir.DeactivateUser(admin, security.ID)
			wantErr(t, err, xinfang.ECONFLICT, "roles")
			_, err = dir.DeactivateUser(admin, f.Auditor.ID)
			wantErr(t, err, xinfang.ECONFLICT, "roles")
			cliUser(t, db, "auditor2", f.City, xinfang.RoleAuditor)
			if _, err := dir.DeactivateUser(admin, f.Auditor.ID); err != nil {
				t.Errorf("an auditor beside another: %v", err)
			}
			if got, err = dir.ActivateUser(admin, clerk.ID); err != nil || got.Disabled {
				t.Fatalf("activate: %+v, %v", got, err)
			}
		})

		t.Run("filter", func(t *testing.T) {
			list := func(ctx context.Context, f xinfang.UserFilter) []string {
				t.Helper()
				users, err := dir.FindUsers(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, u := range users {
					out = append(out, u.Username)
				}
				return out
			}
			if got := list(admin, xinfang.UserFilter{Text: "CLER"}); len(got) != 1 || got[0] != "clerk" {
				t.Errorf("text: %v", got)
			}
			if got := list(sec, xinfang.UserFilter{Text: "钱"}); len(got) != 1 || got[0] != "jz.handler" {
				t.Errorf("name: %v", got)
			}
			if got := list(admin, xinfang.UserFilter{UnitID: f.TownA.ID}); len(got) != 4 { // jz.reg, jz.handler, jz.head, clerk at the village
				t.Errorf("town A and below: %v", got)
			}
			if got := list(admin, xinfang.UserFilter{Role: xinfang.RoleHandler}); len(got) != 4 {
				t.Errorf("handlers: %v", got)
			}
			if got := list(admin, xinfang.UserFilter{State: xinfang.AccountDisabled}); len(got) != 1 || got[0] != "auditor" {
				t.Errorf("disabled: %v", got)
			}
			fresh := &xinfang.User{Username: "fresh", Name: "新人", UnitID: f.TownB.ID}
			if err := dir.CreateUser(admin, fresh, sqldbtest.Password); err != nil {
				t.Fatal(err)
			}
			if got := list(sec, xinfang.UserFilter{State: xinfang.AccountUnassigned}); len(got) != 1 || got[0] != "fresh" {
				t.Errorf("without roles: %v", got)
			}
			_, err := dir.FindUsers(admin, xinfang.UserFilter{State: "gone"})
			wantErr(t, err, xinfang.EINVALID, "state")
			_, err = dir.FindUsers(f.Ctx(f.Leader), xinfang.UserFilter{})
			wantErr(t, err, xinfang.EFORBIDDEN, "")
			_, err = dir.FindUsers(f.Ctx(f.Auditor), xinfang.UserFilter{})
			wantErr(t, err, xinfang.EFORBIDDEN, "")
		})
	})
}

// An account of an older database that holds an administrator role
// beside content roles stays as it is, and takes no change but its
// deactivation until the security admin has corrected its roles.
func TestMixedAccountOfOlderDatabase(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		f := sqldbtest.NewFixture(t, db)
		security := cliUser(t, db, "security", f.City, xinfang.RoleSecurityAdmin)
		admin, sec := f.Ctx(f.Admin), f.Ctx(security)
		if _, err := db.RawSQL().Exec(db.Rebind(`UPDATE users SET roles = 'admin,registrar' WHERE id = ?`), f.BureauRegistrar.ID); err != nil {
			t.Fatal(err)
		}
		id := f.BureauRegistrar.ID
		// It still works as before.
		u, _, err := db.Directory.Login(context.Background(), "xfj.reg", sqldbtest.Password, "10.0.0.1")
		if err != nil || !u.Has(xinfang.RoleAdmin) || !u.Has(xinfang.RoleRegistrar) {
			t.Fatalf("login: %+v, %v", u, err)
		}
		name := "王登记"
		_, err = db.Directory.UpdateUser(admin, id, xinfang.UserChange{Name: &name})
		wantErr(t, err, xinfang.EINVALID, "roles")
		_, err = db.Directory.ResetPassword(sec, id, "N3w-initial!")
		wantErr(t, err, xinfang.EINVALID, "roles")
		_, err = db.Directory.SetUserRoles(sec, id, []xinfang.Role{xinfang.RoleAdmin, xinfang.RoleRegistrar})
		wantErr(t, err, xinfang.EINVALID, "roles")
		if _, err := db.Directory.SetUserRoles(sec, id, []xinfang.Role{xinfang.RoleRegistrar}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Directory.UpdateUser(admin, id, xinfang.UserChange{Name: &name}); err != nil {
			t.Errorf("edit after the correction: %v", err)
		}
	})
}

// TestSystemAccountsUnchangeable: the portal's account ("~portal", which
// registers online items and never signs in) cannot be activated, given a
// password, roles or another unit by an administrator.
func TestSystemAccountsUnchangeable(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		f := sqldbtest.NewFixture(t, db)
		exec(t, db, `INSERT INTO users (username, name, unit_id, roles, phone, password_hash, must_change_password, disabled, created_at)
			VALUES ('~portal', '网上信访', ?, 'registrar', '', '!', 0, 1, '2026-01-01T00:00:00Z')`, f.Bureau.ID)
		var id int64
		if err := db.RawSQL().QueryRow(`SELECT id FROM users WHERE username = '~portal'`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		admin := f.Ctx(f.Admin)
		_, err := db.Directory.ActivateUser(admin, id)
		wantErr(t, err, xinfang.ECONFLICT, "")
		_, err = db.Directory.UpdateUser(admin, id, xinfang.UserChange{})
		wantErr(t, err, xinfang.ECONFLICT, "")
		var disabled int
		if err := db.RawSQL().QueryRow(`SELECT disabled FROM users WHERE id = ` + itoa(id)).Scan(&disabled); err != nil || disabled != 1 {
			t.Errorf("the portal's account: disabled %d, %v", disabled, err)
		}
	})
}
