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

// FindUsers returns every user, for administrators.
func (db *DirectoryStore) FindUsers(ctx context.Context) ([]*xinfang.User, error) {
	if _, err := allow(ctx, xinfang.CanAdminister); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT `+userCols+` FROM users u JOIN units n ON n.id = u.unit_id ORDER BY n.path, u.username`)
	return scanAll(rows, err, scanUser)
}

// CreateUser adds an account. With a user in ctx, only administrators may;
// without one (the command line on an empty database) it is allowed.
func (db *DirectoryStore) CreateUser(ctx context.Context, u *xinfang.User, password string) error {
	if xinfang.UserFromContext(ctx) != nil {
		if _, err := allow(ctx, xinfang.CanAdminister); err != nil {
			return err
		}
	}
	if err := u.Validate(); err != nil {
		return err
	}
	if err := xinfang.CheckPasswordRule(password); err != nil {
		return err
	}
	hash := HashPassword(password)
	return db.write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM units WHERE id = ?`, u.UnitID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return xinfang.FieldError("unit_id", "单位不存在")
		}
		roles := make([]string, len(u.Roles))
		for i, r := range u.Roles {
			roles[i] = string(r)
		}
		u.CreatedAt = tx.now
		id, err := tx.insert(ctx, `INSERT INTO users (username, name, unit_id, roles, phone, password_hash, must_change_password, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			u.Username, u.Name, u.UnitID, strings.Join(roles, ","), u.Phone, hash, b2i(u.MustChangePassword), fmtTime(u.CreatedAt))
		if db.dialect.unique(err) {
			return xinfang.FieldError("username", "用户名已存在")
		}
		u.ID = id
		return err
	})
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

// SessionUser returns the user of a live session token and refreshes its
// idle timer; an expired or idle session is deleted and is EUNAUTHORIZED.
func (db *DirectoryStore) SessionUser(ctx context.Context, token string) (*xinfang.User, *xinfang.Session, error) {
	if token == "" {
		return nil, nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	key := tokenKey(token)
	var uid int64
	var csrf, seen, expires string
	err := db.queryRow(ctx, `SELECT user_id, csrf, seen_at, expires_at FROM sessions WHERE id = ?`, key).Scan(&uid, &csrf, &seen, &expires)
	if err != nil {
		if xinfang.ErrorCode(db.wrap(err)) == xinfang.ENOTFOUND {
			return nil, nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "登录已失效，请重新登录")
		}
		return nil, nil, err
	}
	now := db.Now()
	if now.After(parseTime(expires)) || now.Sub(parseTime(seen)) > db.IdleTimeout {
		// The session is over whether or not its row goes now: an expired
		// row is refused on every request, so a failed delete is logged and
		// the answer stays 401.
		if err := db.Logout(ctx, token); err != nil {
			db.Logger.Warn("delete an expired session", "err", err)
		}
		return nil, nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "登录已超时，请重新登录")
	}
	u, err := db.FindUserByID(ctx, uid)
	if err != nil {
		return nil, nil, err
	}
	if u.Disabled {
		return nil, nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "账号已停用")
	}
	// Refresh the idle timer at most once a minute, to keep reads cheap.
	if now.Sub(parseTime(seen)) > time.Minute {
		err := db.write(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, `UPDATE sessions SET seen_at = ? WHERE id = ?`, fmtTime(now), key)
			return err
		})
		if err != nil {
			// A refresh missed brings the idle timeout nearer by at most the
			// time until the next request refreshes it; the request goes on.
			db.Logger.Warn("refresh a session's idle timer", "err", err)
		}
	}
	return u, &xinfang.Session{UserID: uid, CSRF: csrf, ExpiresAt: parseTime(expires)}, nil
}

// Logout deletes a session.
func (db *DirectoryStore) Logout(ctx context.Context, token string) error {
	return db.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `DELETE FROM sessions WHERE id = ?`, tokenKey(token))
		return err
	})
}

// EndOtherSessions deletes every session of userID except the one of
// keepToken (none when empty): after a password change, whoever signed in
// with the old password is signed out everywhere (security.md).
func (db *DirectoryStore) EndOtherSessions(ctx context.Context, userID int64, keepToken string) error {
	return db.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, userID, tokenKey(keepToken))
		return err
	})
}

func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

func tokenKey(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}
