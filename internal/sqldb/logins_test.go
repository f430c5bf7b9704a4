package sqldb_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// The client addresses of the login tests: the user's usual one, and
// others, as the web layer passes them.
const (
	desk     = "192.0.2.10"
	stranger = "198.51.100.7"
)

const wrongPW = "Wrong#2026x"

// An unknown name, a wrong password, a locked address and an account that
// holds back new addresses all get the same error, and each costs exactly
// one password hash of the same parameters: nothing tells which accounts
// exist, or which are under attack. (How long each takes is shown by
// BenchmarkLoginRefusals, not tested.)
func TestLoginAnswersAlike(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		clk := fixClock(db, at("2026-06-10"))
		_, zhang := newUser(t, db, "zhang")
		ctx := context.Background()
		if _, _, err := db.Directory.Login(ctx, "zhang", sqldbtest.Password, desk); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var hashes []string
		db.OnPasswordCheck(func(h string) {
			mu.Lock()
			hashes = append(hashes, h)
			mu.Unlock()
		})
		attempt := func(username, pw, from string) (error, []string) {
			t.Helper()
			mu.Lock()
			hashes = nil
			mu.Unlock()
			_, _, err := db.Directory.Login(ctx, username, pw, from)
			mu.Lock()
			defer mu.Unlock()
			return err, hashes
		}

		errUnknown, checked := attempt("nobody", sqldbtest.Password, desk)
		if len(checked) != 1 || checked[0] != sqldb.UnknownUserHash() {
			t.Fatalf("an unknown name checked %q, want one check against the stand-in hash", checked)
		}
		wantErr(t, errUnknown, xinfang.EUNAUTHORIZED, "")

		// The stand-in hash costs what a real one costs: same algorithm,
		// parameters, salt and key length.
		real, standIn := strings.Split(sqldb.HashPassword("x"), "$"), strings.Split(sqldb.UnknownUserHash(), "$")
		if len(real) != 6 || len(standIn) != 6 || strings.Join(real[:4], "$") != strings.Join(standIn[:4], "$") ||
			b64len(t, real[4]) != b64len(t, standIn[4]) || b64len(t, real[5]) != b64len(t, standIn[5]) {
			t.Fatalf("stand-in hash %q is not made like %q", sqldb.UnknownUserHash(), sqldb.HashPassword("x"))
		}

		cases := []struct {
			name  string
			setup func()
			pw    string
			from  string
		}{
			{"wrong password", nil, wrongPW, desk},
			{"locked address, right password", func() {
				for range xinfang.MaxFailedLogins {
					db.Directory.Login(ctx, "zhang", wrongPW, stranger)
				}
			}, sqldbtest.Password, stranger},
			{"new address held back, right password", func() {
				for i := range xinfang.AccountFailures {
					db.Directory.Login(ctx, "zhang", wrongPW, fmt.Sprintf("203.0.113.%d", i%4))
				}
			}, sqldbtest.Password, "203.0.113.200"},
		}
		for _, c := range cases {
			if c.setup != nil {
				c.setup()
			}
			err, checked := attempt("zhang", c.pw, c.from)
			if len(checked) != 1 || checked[0] != zhang.PasswordHash {
				t.Errorf("%s: checked %d hashes, want one check of the account's", c.name, len(checked))
			}
			if xinfang.ErrorCode(err) != xinfang.ErrorCode(errUnknown) || xinfang.ErrorMessage(err) != xinfang.ErrorMessage(errUnknown) {
				t.Errorf("%s: %v; an unknown name: %v", c.name, err, errUnknown)
			}
		}
		// The user's own address was never held back.
		clk.Add(time.Second)
		if _, _, err := db.Directory.Login(ctx, "zhang", sqldbtest.Password, desk); err != nil {
			t.Fatalf("the user at the usual address: %v", err)
		}
	})
}

func b64len(t *testing.T, s string) int {
	t.Helper()
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return len(b)
}

// Anyone could lock any account with five requests: the lock now holds
// the address that failed, not the account.
func TestLoginStrangerCannotLockUserOut(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		clk := fixClock(db, at("2026-06-10"))
		newUser(t, db, "zhang")
		ctx := context.Background()
		login := func(pw, from string) error {
			_, _, err := db.Directory.Login(ctx, "zhang", pw, from)
			return err
		}
		if err := login(sqldbtest.Password, desk); err != nil {
			t.Fatal(err)
		}
		for range 2 * xinfang.MaxFailedLogins {
			wantErr(t, login(wrongPW, stranger), xinfang.EUNAUTHORIZED, "")
			clk.Add(time.Second)
		}
		wantErr(t, login(sqldbtest.Password, stranger), xinfang.EUNAUTHORIZED, "")
		if err := login(sqldbtest.Password, desk); err != nil {
			t.Fatalf("the stranger's failures locked the user out: %v", err)
		}
		// Many addresses at once hold back new addresses, not the desk.
		for i := range xinfang.AccountFailures {
			login(wrongPW, fmt.Sprintf("203.0.113.%d", i))
		}
		wantErr(t, login(sqldbtest.Password, "203.0.113.250"), xinfang.EUNAUTHORIZED, "")
		if err := login(sqldbtest.Password, desk); err != nil {
			t.Fatalf("guessing from many addresses locked the user out: %v", err)
		}
	})
}

// The old password of a password change could be guessed without limit:
// a wrong one counts like a failed login.
func TestChangePasswordCountsFailures(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		clk := fixClock(db, at("2026-06-10"))
		_, zhang := newUser(t, db, "zhang")
		ctx := context.Background()
		if _, _, err := db.Directory.Login(ctx, "zhang", sqldbtest.Password, desk); err != nil {
			t.Fatal(err)
		}
		const newPW = "Changed#2026"
		for range xinfang.MaxFailedLogins {
			wantErr(t, db.Directory.ChangePassword(ctx, zhang.ID, wrongPW, newPW, stranger), xinfang.EINVALID, "old_password")
		}
		// Locked: the right old password is refused, and so is a login.
		err := db.Directory.ChangePassword(ctx, zhang.ID, sqldbtest.Password, newPW, stranger)
		wantErr(t, err, xinfang.EINVALID, "old_password")
		if msg := xinfang.ErrorFields(err)["old_password"]; !strings.Contains(msg, "后再试") {
			t.Errorf("a locked change says %q, want when to try again", msg)
		}
		_, _, err = db.Directory.Login(ctx, "zhang", sqldbtest.Password, stranger)
		wantErr(t, err, xinfang.EUNAUTHORIZED, "")
		// Failed logins lock the change as well.
		for range xinfang.MaxFailedLogins {
			db.Directory.Login(ctx, "zhang", wrongPW, "198.51.100.8")
		}
		wantErr(t, db.Directory.ChangePassword(ctx, zhang.ID, sqldbtest.Password, newPW, "198.51.100.8"), xinfang.EINVALID, "old_password")

		clk.Add(xinfang.LockoutPeriod)
		if err := db.Directory.ChangePassword(ctx, zhang.ID, sqldbtest.Password, newPW, stranger); err != nil {
			t.Fatalf("after the lock: %v", err)
		}
	})
}

// Several instances share one database: failures counted by each add up,
// also when they come at the same moment.
func TestLoginCountsAcrossInstances(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		clk := fixClock(db, at("2026-06-10"))
		_, zhang := newUser(t, db, "zhang")
		other := sqldb.NewDB(db.DSN, sqldbtest.Keys)
		if err := other.Open(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { other.Close() })
		other.Now = clk.Now
		ctx := context.Background()
		instances := []*sqldb.DB{db, other}

		for i := range xinfang.MaxFailedLogins {
			_, _, err := instances[i%2].Directory.Login(ctx, "zhang", wrongPW, stranger)
			wantErr(t, err, xinfang.EUNAUTHORIZED, "")
		}
		for _, in := range instances {
			_, _, err := in.Directory.Login(ctx, "zhang", sqldbtest.Password, stranger)
			wantErr(t, err, xinfang.EUNAUTHORIZED, "")
		}

		// Concurrent failures from as many addresses: none is lost.
		clk.Add(xinfang.LockoutPeriod)
		if _, _, err := db.Directory.Login(ctx, "zhang", sqldbtest.Password, desk); err != nil {
			t.Fatal(err)
		}
		const n = xinfang.AccountFailures - 1
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, err := instances[i%2].Directory.Login(ctx, "zhang", wrongPW, fmt.Sprintf("203.0.113.%d", i))
				if xinfang.ErrorCode(err) != xinfang.EUNAUTHORIZED {
					t.Errorf("failure %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		u, err := db.Directory.FindUserByID(ctx, zhang.ID)
		if err != nil {
			t.Fatal(err)
		}
		if u.FailedLogins != n {
			t.Errorf("the account counted %d of %d concurrent failures", u.FailedLogins, n)
		}
	})
}

// A source's row goes once it no longer matters, so that guessing under
// ever new names fills no table.
func TestLoginSourcesExpire(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		clk := fixClock(db, at("2026-06-10"))
		newUser(t, db, "zhang")
		ctx := context.Background()
		if _, _, err := db.Directory.Login(ctx, "zhang", sqldbtest.Password, desk); err != nil {
			t.Fatal(err)
		}
		for i := range 5 {
			db.Directory.Login(ctx, fmt.Sprintf("guess%d", i), wrongPW, stranger)
		}
		// Names no account could have are counted under a digest.
		db.Directory.Login(ctx, strings.Repeat("长", 100), wrongPW, stranger)
		db.Directory.Login(ctx, "bad\x00name\xff", wrongPW, stranger)
		if n := count(t, db, "login_sources"); n != 8 {
			t.Fatalf("%d source rows, want 8", n)
		}
		clk.Add(xinfang.ForgetFailures + time.Second)
		db.Directory.Login(ctx, "guess0", wrongPW, stranger)
		if n := count(t, db, "login_sources"); n != 2 {
			t.Errorf("%d source rows a day later, want 2: the familiar desk and the new failure", n)
		}
	})
}

// BenchmarkLoginRefusals measures each way a login is refused, and a
// success, on SQLite: their times should be close, so that the time of an
// answer does not tell an unknown name from a known one. Each iteration
// makes one login of every kind, in turn, so that a machine busy with
// other work slows all four alike; each is reported as ms/<kind>.
//
//	go test -run '^$' -bench LoginRefusals -benchtime 50x ./internal/sqldb/
func BenchmarkLoginRefusals(b *testing.B) {
	db := sqldbtest.Open(b, "sqlite")
	clk := fixClock(db, at("2026-06-10"))
	ctx := context.Background()
	unit := &xinfang.Unit{Code: "SLS", Name: "示例市", Kind: xinfang.UnitCity}
	if err := db.Directory.CreateUnit(ctx, unit); err != nil {
		b.Fatal(err)
	}
	if err := db.Directory.CreateUser(ctx, &xinfang.User{Username: "zhang", Name: "张", UnitID: unit.ID, Roles: []xinfang.Role{xinfang.RoleRegistrar}}, sqldbtest.Password); err != nil {
		b.Fatal(err)
	}
	kinds := []struct {
		name, user, pw, from string
		want                 bool // admitted
	}{
		{"unknown", "nobody", wrongPW, "192.0.2.1", false},
		{"wrong", "zhang", wrongPW, "192.0.2.2", false},
		{"locked", "zhang", sqldbtest.Password, stranger, false},
		{"success", "zhang", sqldbtest.Password, desk, true},
	}
	spent := make([]time.Duration, len(kinds))
	b.ResetTimer()
	for range b.N {
		// A day later every count is forgotten; the stranger's address is
		// locked again. Not timed.
		b.StopTimer()
		clk.Add(xinfang.ForgetFailures + time.Second)
		for range xinfang.MaxFailedLogins {
			db.Directory.Login(ctx, "zhang", wrongPW, stranger)
		}
		b.StartTimer()
		for i, k := range kinds {
			start := time.Now()
			_, _, err := db.Directory.Login(ctx, k.user, k.pw, k.from)
			spent[i] += time.Since(start)
			if (err == nil) != k.want {
				b.Fatalf("%s: %v", k.name, err)
			}
		}
	}
	for i, k := range kinds {
		b.ReportMetric(float64(spent[i].Microseconds())/1000/float64(b.N), "ms/"+k.name)
	}
}
