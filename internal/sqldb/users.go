package sqldb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	"xinfang"
)

const userCols = `u.id, u.username, u.name, u.unit_id, u.roles, u.phone, u.password_hash, u.must_change_password, u.failed_logins, u.locked_until, u.disabled, u.created_at, ` +
	`n.id, COALESCE(n.parent_id, 0), n.code, n.name, n.kind, n.region_code, n.path`

func scanUser(s interface{ Scan(...any) error }) (*xinfang.User, error) {
	u := &xinfang.User{Unit: &xinfang.Unit{}}
	var roles, locked, created, kind string
	if err := s.Scan(&u.ID, &u.Username, &u.Name, &u.UnitID, &roles, &u.Phone, &u.PasswordHash, &u.MustChangePassword, &u.FailedLogins, &locked, &u.Disabled, &created,
		&u.Unit.ID, &u.Unit.ParentID, &u.Unit.Code, &u.Unit.Name, &kind, &u.Unit.RegionCode, &u.Unit.Path); err != nil {
		return nil, err
	}
	u.Unit.Kind = xinfang.UnitKind(kind)
	u.Roles = parseRoles(roles)
	u.LockedUntil, u.CreatedAt = parseTime(locked), parseTime(created)
	return u, nil
}

// parseRoles reads the stored roles of a user: codes joined by commas.
func parseRoles(s string) []xinfang.Role {
	var out []xinfang.Role
	for _, r := range strings.Split(s, ",") {
		if r != "" {
			out = append(out, xinfang.Role(r))
		}
	}
	return out
}

// FindUserByID returns a user with its unit.
func (db *DirectoryStore) FindUserByID(ctx context.Context, id int64) (*xinfang.User, error) {
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userCols+` FROM users u JOIN units n ON n.id = u.unit_id WHERE u.id = ?`, id))
	if err != nil {
		return nil, db.notFound(err, "用户不存在")
	}
	return u, nil
}

// FindUserByUsername returns a user with its unit.
func (db *DirectoryStore) FindUserByUsername(ctx context.Context, username string) (*xinfang.User, error) {
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userCols+` FROM users u JOIN units n ON n.id = u.unit_id WHERE u.username = ?`, username))
	if err != nil {
		return nil, db.notFound(err, "用户不存在")
	}
	return u, nil
}

// FindUsers returns the accounts that f selects, for the system admin and
// the security admin, ordered by unit and username.
func (db *DirectoryStore) FindUsers(ctx context.Context, f xinfang.UserFilter) ([]*xinfang.User, error) {
	if _, err := allow(ctx, xinfang.CanReadAccounts); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	w := newConds(all, nil)
	if q := strings.TrimSpace(f.Text); q != "" {
		like := "%" + escapeLike(strings.ToLower(q)) + "%"
		w.and(`(LOWER(u.username) LIKE ? ESCAPE '\' OR LOWER(u.name) LIKE ? ESCAPE '\')`, like, like)
	}
	if f.UnitID != 0 {
		unit, err := db.findUnit(ctx, f.UnitID)
		if err != nil {
			return nil, db.notFoundField(err, "unit_id", "单位不存在")
		}
		w.clause(subtree(unit.Path, "n.path"))
	}
	if f.Role != "" {
		w.and(`(',' || u.roles || ',') LIKE ?`, "%,"+string(f.Role)+",%")
	}
	switch f.State {
	case xinfang.AccountActive:
		w.and("u.disabled = 0")
	case xinfang.AccountDisabled:
		w.and("u.disabled = 1")
	case xinfang.AccountLocked:
		w.and("u.disabled = 0 AND ("+accountLock+") > ?", fmtTime(db.Now()))
	case xinfang.AccountUnassigned:
		w.and("u.disabled = 0 AND u.roles = ''")
	}
	rows, err := db.query(ctx, `SELECT `+accountCols+` FROM users u JOIN units n ON n.id = u.unit_id WHERE `+w.where()+` ORDER BY n.path, u.username`, w.args...)
	return scanAll(rows, err, scanUser)
}

// CreateUser adds an account (xinfang.CheckNewAccount): the system admin
// opens it without roles, which the security admin grants; without a user
// in ctx — the command line, the demo — it carries its roles, at least
// one. Either way the roles follow 三员分立 (xinfang.CheckRoleSet) and the
// unit is in use.
func (db *DirectoryStore) CreateUser(ctx context.Context, u *xinfang.User, password string) error {
	if err := xinfang.CheckNewAccount(xinfang.UserFromContext(ctx), u); err != nil {
		return err
	}
	if err := u.Validate(); err != nil {
		return err
	}
	if err := xinfang.CheckPasswordRule(password); err != nil {
		return err
	}
	hash := HashPassword(password)
	return db.write(ctx, func(tx *Tx) error {
		return tx.insertUser(ctx, u, hash, "用户名已存在")
	})
}

// insertUser inserts u, in an active unit, with the password hash;
// taken says what a username already in use answers.
func (tx *Tx) insertUser(ctx context.Context, u *xinfang.User, hash, taken string) error {
	if _, err := tx.activeUnit(ctx, u.UnitID, "unit_id"); err != nil {
		return err
	}
	u.CreatedAt = tx.now
	id, err := tx.insert(ctx, `INSERT INTO users (username, name, unit_id, roles, phone, password_hash, must_change_password, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		u.Username, u.Name, u.UnitID, joinRoles(u.Roles), u.Phone, hash, b2i(u.MustChangePassword), fmtTime(u.CreatedAt))
	if tx.db.dialect.unique(err) {
		return xinfang.FieldError("username", taken)
	}
	u.ID = id
	return err
}

// CreateUsers adds accounts that share one password, as CreateUser does
// each, in one transaction and with one hash of the password: the demo
// city's accounts, which would otherwise cost one argon2id hash each.
func (db *DirectoryStore) CreateUsers(ctx context.Context, users []*xinfang.User, password string) error {
	if err := xinfang.CheckPasswordRule(password); err != nil {
		return err
	}
	for _, u := range users {
		if err := xinfang.CheckNewAccount(xinfang.UserFromContext(ctx), u); err != nil {
			return err
		}
		if err := u.Validate(); err != nil {
			return err
		}
	}
	hash := HashPassword(password)
	return db.write(ctx, func(tx *Tx) error {
		for _, u := range users {
			if err := tx.insertUser(ctx, u, hash, "用户名已存在："+u.Username); err != nil {
				return err
			}
		}
		return nil
	})
}

// joinRoles is the stored form of roles: codes joined by commas.
func joinRoles(roles []xinfang.Role) string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = string(r)
	}
	return strings.Join(out, ",")
}

// Argon2id parameters (RFC 9106 second recommendation, scaled to a small
// server): 19 MiB, 2 passes, 1 lane.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
)

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(pw string) string {
	salt := make([]byte, 16)
	rand.Read(salt) // never fails: crypto/rand crashes the program rather than return weak bytes
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, 32)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// CheckPassword reports whether pw matches an argon2id hash.
func CheckPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// IdleTimeout and SessionLifetime are the defaults of the DB fields of
// that name (security.md).
const (
	IdleTimeout     = 30 * time.Minute
	SessionLifetime = 12 * time.Hour
)

func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

func tokenKey(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}
