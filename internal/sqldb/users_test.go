package sqldb_test

import (
	"context"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// newUser creates a unit and one registrar on it, without the whole
// fixture: every user costs a password hash.
func newUser(t *testing.T, db *sqldb.DB, username string) (*xinfang.Unit, *xinfang.User) {
	t.Helper()
	ctx := context.Background()
	unit := &xinfang.Unit{Code: "SLS", Name: "示例市", Kind: xinfang.UnitCity}
	if err := db.Directory.CreateUnit(ctx, unit); err != nil {
		t.Fatal(err)
	}
	u := &xinfang.User{Username: username, Name: "张登记", UnitID: unit.ID, Roles: []xinfang.Role{xinfang.RoleRegistrar}, MustChangePassword: true}
	if err := db.Directory.CreateUser(ctx, u, sqldbtest.Password); err != nil {
		t.Fatal(err)
	}
	loaded, err := db.Directory.FindUserByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return unit, loaded
}

func TestCreateUser(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		unit, zhang := newUser(t, db, "zhang")
		ctx := context.Background()
		if zhang.Unit == nil || zhang.Unit.ID != unit.ID || !zhang.Has(xinfang.RoleRegistrar) || !zhang.MustChangePassword || zhang.PasswordHash == "" {
			t.Fatalf("stored user %+v", zhang)
		}
		if zhang.PasswordHash == sqldbtest.Password || !sqldb.CheckPassword(zhang.PasswordHash, sqldbtest.Password) {
			t.Fatal("password is not stored as a matching hash")
		}

		valid := func() *xinfang.User {
			return &xinfang.User{Username: "li.si", Name: "李四", UnitID: unit.ID, Roles: []xinfang.Role{xinfang.RoleHandler}}
		}
		tests := []struct {
			name     string
			ctx      context.Context
			edit     func(u *xinfang.User)
			password string
			code     string
			field    string
		}{
			{"bad username", ctx, func(u *xinfang.User) { u.Username = "li si" }, sqldbtest.Password, xinfang.EINVALID, "username"},
			{"short username", ctx, func(u *xinfang.User) { u.Username = "li" }, sqldbtest.Password, xinfang.EINVALID, "username"},
			{"no name", ctx, func(u *xinfang.User) { u.Name = " " }, sqldbtest.Password, xinfang.EINVALID, "name"},
			{"no roles", ctx, func(u *xinfang.User) { u.Roles = nil }, sqldbtest.Password, xinfang.EINVALID, "roles"},
			{"unknown role", ctx, func(u *xinfang.User) { u.Roles = []xinfang.Role{"king"} }, sqldbtest.Password, xinfang.EINVALID, "roles"},
			{"weak password", ctx, func(u *xinfang.User) {}, "password", xinfang.EINVALID, "password"},
			{"short password", ctx, func(u *xinfang.User) {}, "Ab1!", xinfang.EINVALID, "password"},
			{"unknown unit", ctx, func(u *xinfang.User) { u.UnitID = 999999 }, sqldbtest.Password, xinfang.EINVALID, "unit_id"},
			{"duplicate username", ctx, func(u *xinfang.User) { u.Username = "zhang" }, sqldbtest.Password, xinfang.EINVALID, "username"},
			{"not an admin", xinfang.NewContextWithUser(ctx, zhang), func(u *xinfang.User) {}, sqldbtest.Password, xinfang.EFORBIDDEN, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				u := valid()
				tt.edit(u)
				wantErr(t, db.Directory.CreateUser(tt.ctx, u, tt.password), tt.code, tt.field)
				if n := count(t, db, "users"); n != 1 {
					t.Errorf("%d users after a refused create, want 1", n)
				}
			})
		}
	})
}

func TestLogin(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		clk := fixClock(db, at("2026-06-10"))
		_, zhang := newUser(t, db, "zhang")
		ctx := context.Background()

		login := func(pw string) error {
			t.Helper()
			_, _, err := db.Directory.Login(ctx, "zhang", pw, desk)
			return err
		}

		t.Run("success", func(t *testing.T) {
			u, s, err := db.Directory.Login(ctx, " zhang ", sqldbtest.Password, desk)
			if err != nil {
				t.Fatal(err)
			}
			if u.ID != zhang.ID || s.UserID != zhang.ID || len(s.Token) < 32 || len(s.CSRF) < 32 || s.Token == s.CSRF {
				t.Fatalf("login returned %+v, %+v", u, s)
			}
			if !s.ExpiresAt.Equal(clk.Now().Add(sqldb.SessionLifetime)) {
				t.Errorf("session expires at %v", s.ExpiresAt)
			}
			su, ss, err := db.Directory.SessionUser(ctx, s.Token)
			if err != nil {
				t.Fatal(err)
			}
			if su.ID != zhang.ID || su.Unit == nil || ss.CSRF != s.CSRF {
				t.Errorf("SessionUser = %+v, %+v", su, ss)
			}
			var stored string
			if err := db.RawSQL().QueryRow(`SELECT id FROM sessions`).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			if stored == s.Token {
				t.Error("the session token is stored in the clear")
			}
		})

		t.Run("wrong password and unknown user", func(t *testing.T) {
			errWrong := login("Wrong#2026x")
			wantErr(t, errWrong, xinfang.EUNAUTHORIZED, "")
			_, _, errUnknown := db.Directory.Login(ctx, "nobody", sqldbtest.Password, desk)
			wantErr(t, errUnknown, xinfang.EUNAUTHORIZED, "")
			if xinfang.ErrorMessage(errWrong) != xinfang.ErrorMessage(errUnknown) {
				t.Errorf("messages differ, which reveals usernames: %q / %q", xinfang.ErrorMessage(errWrong), xinfang.ErrorMessage(errUnknown))
			}
			// A success resets the failure count.
			if err := login(sqldbtest.Password); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("lockout of the address", func(t *testing.T) {
			for i := 0; i < xinfang.MaxFailedLogins-1; i++ {
				wantErr(t, login("Wrong#2026x"), xinfang.EUNAUTHORIZED, "")
			}
			if err := login(sqldbtest.Password); err != nil {
				t.Fatalf("locked after %d failures: %v", xinfang.MaxFailedLogins-1, err)
			}
			for i := 0; i < xinfang.MaxFailedLogins; i++ {
				wantErr(t, login("Wrong#2026x"), xinfang.EUNAUTHORIZED, "")
			}
			wantErr(t, login(sqldbtest.Password), xinfang.EUNAUTHORIZED, "")
			clk.Add(xinfang.LockoutPeriod - time.Minute)
			wantErr(t, login(sqldbtest.Password), xinfang.EUNAUTHORIZED, "")
			clk.Add(time.Minute + time.Second)
			if err := login(sqldbtest.Password); err != nil {
				t.Fatalf("still locked after the lockout: %v", err)
			}
			u, err := db.Directory.FindUserByID(ctx, zhang.ID)
			if err != nil {
				t.Fatal(err)
			}
			if u.FailedLogins != 0 || !u.LockedUntil.IsZero() {
				t.Errorf("after a success: failed=%d locked until %v", u.FailedLogins, u.LockedUntil)
			}
		})

		t.Run("an expired lockout starts a fresh count", func(t *testing.T) {
			for i := 0; i < xinfang.MaxFailedLogins; i++ {
				wantErr(t, login("Wrong#2026x"), xinfang.EUNAUTHORIZED, "")
			}
			clk.Add(xinfang.LockoutPeriod + time.Second)
			wantErr(t, login("Wrong#2026x"), xinfang.EUNAUTHORIZED, "")
			if err := login(sqldbtest.Password); err != nil {
				t.Fatalf("one mistyped password after the lockout locked the account again: %v", err)
			}
		})

		t.Run("disabled", func(t *testing.T) {
			_, s, err := db.Directory.Login(ctx, "zhang", sqldbtest.Password, desk)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.RawSQL().Exec(db.Rebind(`UPDATE users SET disabled = 1 WHERE id = ?`), zhang.ID); err != nil {
				t.Fatal(err)
			}
			defer db.RawSQL().Exec(db.Rebind(`UPDATE users SET disabled = 0 WHERE id = ?`), zhang.ID)
			_, _, errUnknown := db.Directory.Login(ctx, "nobody", "Wrong#2026x", desk)
			errWrong := login("Wrong#2026x")
			if xinfang.ErrorMessage(errWrong) != xinfang.ErrorMessage(errUnknown) {
				t.Errorf("a wrong password on a disabled account says %q, an unknown user %q", xinfang.ErrorMessage(errWrong), xinfang.ErrorMessage(errUnknown))
			}
			wantErr(t, login(sqldbtest.Password), xinfang.EUNAUTHORIZED, "")
			_, _, err = db.Directory.SessionUser(ctx, s.Token)
			wantErr(t, err, xinfang.EUNAUTHORIZED, "")
		})

		t.Run("idle timeout", func(t *testing.T) {
			_, s, err := db.Directory.Login(ctx, "zhang", sqldbtest.Password, desk)
			if err != nil {
				t.Fatal(err)
			}
			// Activity keeps the session: 20 + 25 minutes, never 30 idle.
			for _, d := range []time.Duration{20 * time.Minute, 25 * time.Minute} {
				clk.Add(d)
				if _, _, err := db.Directory.SessionUser(ctx, s.Token); err != nil {
					t.Fatalf("session ended after %v idle: %v", d, err)
				}
			}
			clk.Add(sqldb.IdleTimeout + time.Minute)
			_, _, err = db.Directory.SessionUser(ctx, s.Token)
			wantErr(t, err, xinfang.EUNAUTHORIZED, "")
			clk.Add(-sqldb.IdleTimeout) // the expired session was deleted, not just refused
			_, _, err = db.Directory.SessionUser(ctx, s.Token)
			wantErr(t, err, xinfang.EUNAUTHORIZED, "")
		})

		t.Run("lifetime", func(t *testing.T) {
			_, s, err := db.Directory.Login(ctx, "zhang", sqldbtest.Password, desk)
			if err != nil {
				t.Fatal(err)
			}
			for elapsed := time.Duration(0); elapsed < sqldb.SessionLifetime-20*time.Minute; elapsed += 20 * time.Minute {
				clk.Add(20 * time.Minute)
				if _, _, err := db.Directory.SessionUser(ctx, s.Token); err != nil {
					t.Fatalf("session ended after %v of activity: %v", elapsed, err)
				}
			}
			clk.Add(20*time.Minute + time.Second)
			_, _, err = db.Directory.SessionUser(ctx, s.Token)
			wantErr(t, err, xinfang.EUNAUTHORIZED, "")
		})

		t.Run("logout", func(t *testing.T) {
			_, s, err := db.Directory.Login(ctx, "zhang", sqldbtest.Password, desk)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Directory.Logout(ctx, s.Token); err != nil {
				t.Fatal(err)
			}
			_, _, err = db.Directory.SessionUser(ctx, s.Token)
			wantErr(t, err, xinfang.EUNAUTHORIZED, "")
			_, _, err = db.Directory.SessionUser(ctx, "")
			wantErr(t, err, xinfang.EUNAUTHORIZED, "")
		})

		t.Run("change password", func(t *testing.T) {
			const newPW = "Changed#2026"
			wantErr(t, db.Directory.ChangePassword(ctx, zhang.ID, "Wrong#2026x", newPW, desk), xinfang.EINVALID, "old_password")
			wantErr(t, db.Directory.ChangePassword(ctx, zhang.ID, sqldbtest.Password, sqldbtest.Password, desk), xinfang.EINVALID, "password")
			wantErr(t, db.Directory.ChangePassword(ctx, zhang.ID, sqldbtest.Password, "weakweak", desk), xinfang.EINVALID, "password")
			wantErr(t, db.Directory.ChangePassword(ctx, 999999, sqldbtest.Password, newPW, desk), xinfang.ENOTFOUND, "")
			if err := login(sqldbtest.Password); err != nil {
				t.Fatalf("a refused change altered the password: %v", err)
			}
			if err := db.Directory.ChangePassword(ctx, zhang.ID, sqldbtest.Password, newPW, desk); err != nil {
				t.Fatal(err)
			}
			wantErr(t, login(sqldbtest.Password), xinfang.EUNAUTHORIZED, "")
			u, _, err := db.Directory.Login(ctx, "zhang", newPW, desk)
			if err != nil {
				t.Fatal(err)
			}
			if u.MustChangePassword {
				t.Error("must_change_password still set after a change")
			}
		})

		t.Run("end other sessions", func(t *testing.T) {
			var tokens []string
			for range 3 {
				_, s, err := db.Directory.Login(ctx, "zhang", "Changed#2026", desk)
				if err != nil {
					t.Fatal(err)
				}
				tokens = append(tokens, s.Token)
			}
			if err := db.Directory.EndOtherSessions(ctx, zhang.ID, tokens[1]); err != nil {
				t.Fatal(err)
			}
			for i, tok := range tokens {
				_, _, err := db.Directory.SessionUser(ctx, tok)
				if (err == nil) != (i == 1) {
					t.Errorf("session %d: %v", i, err)
				}
			}
			if err := db.Directory.EndOtherSessions(ctx, zhang.ID, ""); err != nil {
				t.Fatal(err)
			}
			_, _, err := db.Directory.SessionUser(ctx, tokens[1])
			wantErr(t, err, xinfang.EUNAUTHORIZED, "")
		})
	})
}
