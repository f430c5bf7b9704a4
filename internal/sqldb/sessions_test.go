package sqldb_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// openAgain opens a second handle on db's database, as a second instance
// of the server would, with the same clock.
func openAgain(t *testing.T, db *sqldb.DB) *sqldb.DB {
	t.Helper()
	b := sqldb.NewDB(db.DSN, sqldbtest.Keys)
	if err := b.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	b.Now = db.Now
	return b
}

// signIn logs username in on db and reads its session once, so that the
// session is in db's cache.
func signIn(t *testing.T, db *sqldb.DB, username, password string) *xinfang.Session {
	t.Helper()
	_, s, err := db.Directory.Login(context.Background(), username, password, desk)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Directory.SessionUser(context.Background(), s.Token); err != nil {
		t.Fatal(err)
	}
	return s
}

// wantSignedOut checks that db refuses the session of token.
func wantSignedOut(t *testing.T, db *sqldb.DB, token, after string) {
	t.Helper()
	if _, _, err := db.Directory.SessionUser(context.Background(), token); xinfang.ErrorCode(err) != xinfang.EUNAUTHORIZED {
		t.Errorf("the session outlived %s: %v", after, err)
	}
}

// sessionUser returns the user of the session of token on db.
func sessionUser(t *testing.T, db *sqldb.DB, token string) *xinfang.User {
	t.Helper()
	u, _, err := db.Directory.SessionUser(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// On the instance that makes a change, the sessions it ends or alters see
// it at their next request, though the clock stands still and every
// session is in the cache.
func TestSessionCacheRevocation(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		f := sqldbtest.NewFixture(t, db)
		fixClock(db, at("2026-03-02"))
		security := cliUser(t, db, "security", f.City, xinfang.RoleSecurityAdmin)
		admin, sec, dir := f.Ctx(f.Admin), f.Ctx(security), db.Directory

		t.Run("logout", func(t *testing.T) {
			cliUser(t, db, "u.logout", f.TownA, xinfang.RoleHandler)
			s := signIn(t, db, "u.logout", sqldbtest.Password)
			if err := dir.Logout(context.Background(), s.Token); err != nil {
				t.Fatal(err)
			}
			wantSignedOut(t, db, s.Token, "its logout")
		})
		t.Run("deactivate", func(t *testing.T) {
			u := cliUser(t, db, "u.off", f.TownA, xinfang.RoleHandler)
			s := signIn(t, db, "u.off", sqldbtest.Password)
			if _, err := dir.DeactivateUser(admin, u.ID); err != nil {
				t.Fatal(err)
			}
			wantSignedOut(t, db, s.Token, "the account's deactivation")
		})
		t.Run("reset password", func(t *testing.T) {
			u := cliUser(t, db, "u.reset", f.TownA, xinfang.RoleHandler)
			s := signIn(t, db, "u.reset", sqldbtest.Password)
			if _, err := dir.ResetPassword(sec, u.ID, "N3w-initial!"); err != nil {
				t.Fatal(err)
			}
			wantSignedOut(t, db, s.Token, "a password reset")
		})
		t.Run("password change", func(t *testing.T) {
			u := &xinfang.User{Username: "u.change", Name: "改密", UnitID: f.TownA.ID, Roles: []xinfang.Role{xinfang.RoleHandler}, MustChangePassword: true}
			if err := dir.CreateUser(context.Background(), u, sqldbtest.Password); err != nil {
				t.Fatal(err)
			}
			kept := signIn(t, db, "u.change", sqldbtest.Password)
			other := signIn(t, db, "u.change", sqldbtest.Password)
			if !sessionUser(t, db, kept.Token).MustChangePassword {
				t.Fatal("an initial password need not be changed")
			}
			if err := dir.ChangePassword(context.Background(), u.ID, sqldbtest.Password, "Changed#2026", desk); err != nil {
				t.Fatal(err)
			}
			if sessionUser(t, db, kept.Token).MustChangePassword {
				t.Error("the session still asks for the initial password to be changed")
			}
			if err := dir.EndOtherSessions(context.Background(), u.ID, kept.Token); err != nil {
				t.Fatal(err)
			}
			wantSignedOut(t, db, other.Token, "the password change")
			sessionUser(t, db, kept.Token)
		})
		t.Run("roles", func(t *testing.T) {
			u := cliUser(t, db, "u.roles", f.TownA, xinfang.RoleHandler)
			s := signIn(t, db, "u.roles", sqldbtest.Password)
			if _, err := dir.SetUserRoles(sec, u.ID, []xinfang.Role{xinfang.RoleUnitHead}); err != nil {
				t.Fatal(err)
			}
			if got := sessionUser(t, db, s.Token).Roles; !slices.Equal(got, []xinfang.Role{xinfang.RoleUnitHead}) {
				t.Errorf("roles after the change = %v", got)
			}
		})
		t.Run("unit moved", func(t *testing.T) {
			cliUser(t, db, "u.village", f.VillageA, xinfang.RoleHandler)
			s := signIn(t, db, "u.village", sqldbtest.Password)
			if _, err := dir.UpdateUnit(admin, f.VillageA.ID, xinfang.UnitChange{ParentID: &f.TownB.ID}); err != nil {
				t.Fatal(err)
			}
			moved, err := dir.FindUnitByID(context.Background(), f.VillageA.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := sessionUser(t, db, s.Token).Unit.Path; got != moved.Path || got == f.VillageA.Path {
				t.Errorf("the session's unit path = %q, the unit's now %q (was %q)", got, moved.Path, f.VillageA.Path)
			}
		})
		t.Run("copies", func(t *testing.T) {
			cliUser(t, db, "u.copy", f.TownA, xinfang.RoleHandler)
			s := signIn(t, db, "u.copy", sqldbtest.Password)
			u := sessionUser(t, db, s.Token)
			u.Roles[0], u.Unit.Path = xinfang.RoleLeader, ""
			if again := sessionUser(t, db, s.Token); again.Roles[0] != xinfang.RoleHandler || again.Unit.Path == "" {
				t.Errorf("a request's change of its user reached the next: %v %q", again.Roles, again.Unit.Path)
			}
		})
	})
}

// With several instances on one database, a change made on one reaches
// the sessions another holds in its cache within DefaultSessionCacheTTL.
func TestSessionCacheAcrossInstances(t *testing.T) {
	eachDialect(t, func(t *testing.T, a *sqldb.DB) {
		f := sqldbtest.NewFixture(t, a)
		clk := fixClock(a, at("2026-03-02"))
		b := openAgain(t, a)
		ttl := sqldb.DefaultSessionCacheTTL
		admin := f.Ctx(f.Admin)

		// within checks that a, which still holds the session of token in
		// its cache, takes it as it was until the bound and refuses it
		// from then on.
		within := func(t *testing.T, token, after string) {
			t.Helper()
			// Within the bound a may answer from its cache, and does: the
			// refusal below is the bound's, not a read that happened anyway.
			if _, _, err := a.Directory.SessionUser(context.Background(), token); err != nil {
				t.Fatalf("within the bound: %v", err)
			}
			clk.Add(ttl)
			wantSignedOut(t, a, token, after+" on another instance by "+ttl.String())
		}
		t.Run("logout", func(t *testing.T) {
			cliUser(t, a, "m.logout", f.TownA, xinfang.RoleHandler)
			s := signIn(t, a, "m.logout", sqldbtest.Password)
			if err := b.Directory.Logout(context.Background(), s.Token); err != nil {
				t.Fatal(err)
			}
			within(t, s.Token, "its logout")
		})
		t.Run("deactivate", func(t *testing.T) {
			u := cliUser(t, a, "m.off", f.TownA, xinfang.RoleHandler)
			s := signIn(t, a, "m.off", sqldbtest.Password)
			if _, err := b.Directory.DeactivateUser(admin, u.ID); err != nil {
				t.Fatal(err)
			}
			within(t, s.Token, "the account's deactivation")
		})
		t.Run("password change", func(t *testing.T) {
			u := cliUser(t, a, "m.change", f.TownA, xinfang.RoleHandler)
			s := signIn(t, a, "m.change", sqldbtest.Password)
			_, kept, err := b.Directory.Login(context.Background(), "m.change", sqldbtest.Password, desk)
			if err != nil {
				t.Fatal(err)
			}
			if err := b.Directory.ChangePassword(context.Background(), u.ID, sqldbtest.Password, "Changed#2026", desk); err != nil {
				t.Fatal(err)
			}
			if err := b.Directory.EndOtherSessions(context.Background(), u.ID, kept.Token); err != nil {
				t.Fatal(err)
			}
			within(t, s.Token, "the password change")
		})
	})
}

// A session the cache holds as idle past the timeout is read again before
// it is ended: another instance may have seen a request since.
func TestSessionIdleAcrossInstances(t *testing.T) {
	eachDialect(t, func(t *testing.T, a *sqldb.DB) {
		f := sqldbtest.NewFixture(t, a)
		clk := fixClock(a, at("2026-03-02"))
		b := openAgain(t, a)
		// a keeps what it read longer than the idle timeout, so that its
		// entry is still fresh when its stored last request is too old.
		a.SessionCacheTTL = 2 * a.IdleTimeout
		cliUser(t, a, "idle", f.TownA, xinfang.RoleHandler)
		s := signIn(t, a, "idle", sqldbtest.Password)
		clk.Add(a.IdleTimeout / 2)
		sessionUser(t, b, s.Token) // refreshes the stored last request
		clk.Add(a.IdleTimeout/2 + time.Minute)
		sessionUser(t, a, s.Token)
		// And the session really ends once idle on every instance.
		clk.Add(a.IdleTimeout + time.Minute)
		wantSignedOut(t, a, s.Token, "the idle timeout")
		wantSignedOut(t, b, s.Token, "the idle timeout")
	})
}
