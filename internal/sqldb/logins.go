package sqldb

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"xinfang"
	"xinfang/internal/calendar"
)

// Login checks a password typed at address from (the client's address, as
// the web layer reads it), judges the check on the records of its source
// and account (xinfang.JudgeLogin) and, when admitted, opens a session.
//
// An unknown name, a wrong password and a locked source or account get the
// same error, and each costs one password hash and one write transaction,
// so that neither the answer nor its time tells which names exist.
func (db *DirectoryStore) Login(ctx context.Context, username, password, from string) (*xinfang.User, *xinfang.Session, error) {
	name := strings.TrimSpace(username)
	var u *xinfang.User
	if plausibleName(name) {
		var err error
		u, err = db.FindUserByUsername(ctx, name)
		if err != nil && xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
			return nil, nil, err
		}
	}
	ok := db.checkPassword(u, password)
	// The check moves the account's counters, which its sessions carry.
	defer db.sessionsChanged()
	// Only after the password matched, so that the message does not tell
	// a stranger which accounts exist.
	if ok && u.Disabled {
		return nil, nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "账号已停用")
	}
	var s *xinfang.Session
	err := db.write(xinfang.WithAuditing(ctx, nil), func(tx *Tx) error {
		s = nil
		verdict, _, err := judgeLogin(ctx, tx, name, from, u, ok)
		if err != nil {
			return err
		}
		// The sign-in, or the failed one, in the audit log with the
		// counters it moved.
		db.appendAudit(ctx, tx, loginEntry(name, from, u, verdict, "登录"))
		if verdict != xinfang.LoginAdmitted {
			return nil
		}
		s = &xinfang.Session{Token: randomToken(32), UserID: u.ID, CSRF: randomToken(32), ExpiresAt: tx.now.Add(db.SessionLifetime)}
		_, err = tx.exec(ctx, `INSERT INTO sessions (id, user_id, csrf, created_at, seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
			tokenKey(s.Token), u.ID, s.CSRF, fmtTime(tx.now), fmtTime(tx.now), fmtTime(s.ExpiresAt))
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if s == nil {
		return nil, nil, errBadLogin()
	}
	return u, s, nil
}

// loginEntry is the audit entry of a password check of name from address
// from: a sign-in when admitted, a failed one otherwise (with why, which
// only the auditor reads).
func loginEntry(name, from string, u *xinfang.User, verdict xinfang.LoginVerdict, what string) *xinfang.AuditEntry {
	e := &xinfang.AuditEntry{Kind: xinfang.AuditLogin, Username: sourceName(name), IP: from, Detail: what}
	if u != nil {
		e.UserID, e.UnitID = u.ID, u.UnitID
	}
	switch verdict {
	case xinfang.LoginAdmitted:
	case xinfang.LoginRefused:
		e.Kind, e.Detail = xinfang.AuditLoginFailed, what+"：尝试过多，已拒绝"
	default:
		e.Kind, e.Detail = xinfang.AuditLoginFailed, what+"：密码错误或无此用户"
	}
	return e
}

// errBadLogin is the one answer to a login that is not admitted.
func errBadLogin() error {
	return xinfang.Errorf(xinfang.EUNAUTHORIZED, "用户名或密码错误；多次输错后须稍候再试")
}

// ChangePassword sets a new password after checking the old one, typed at
// address from. The check counts like a login (xinfang.JudgeLogin): wrong
// old passwords lock the source and add to the account's failures, so that
// a session cannot be used to guess the password without limit. It cannot
// tell the caller's session from the others, so the caller ends those with
// EndOtherSessions.
func (db *DirectoryStore) ChangePassword(ctx context.Context, userID int64, oldPW, newPW, from string) error {
	u, err := db.FindUserByID(ctx, userID)
	if err != nil {
		return err
	}
	ok := db.checkPassword(u, oldPW)
	// The check and the change alter the account its sessions carry (the
	// forced change of an initial password ends with it).
	defer db.sessionsChanged()
	var verdict xinfang.LoginVerdict
	var until time.Time
	err = db.write(xinfang.WithAuditing(ctx, nil), func(tx *Tx) (err error) {
		if verdict, until, err = judgeLogin(ctx, tx, u.Username, from, u, ok); err != nil || verdict == xinfang.LoginAdmitted {
			return err
		}
		db.appendAudit(ctx, tx, loginEntry(u.Username, from, u, verdict, "修改密码时核对原密码"))
		return nil
	})
	switch {
	case err != nil:
		return err
	case verdict == xinfang.LoginRefused:
		return xinfang.FieldError("old_password", "原密码输错次数过多，请于 "+until.In(calendar.Location()).Format("1月2日 15:04")+" 后再试")
	case verdict == xinfang.LoginFailed:
		return xinfang.FieldError("old_password", "原密码错误")
	}
	if oldPW == newPW {
		return xinfang.FieldError("password", "新密码不能与原密码相同")
	}
	if err := xinfang.CheckPasswordRule(newPW); err != nil {
		return err
	}
	hash := HashPassword(newPW)
	return db.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE users SET password_hash = ?, must_change_password = 0 WHERE id = ?`, hash, userID)
		return err
	})
}

// unknownUserHash is what a password typed for a name that is no account
// is checked against: a hash with HashPassword's parameters that no
// password matches, so that the check costs what a real one costs.
var unknownUserHash = fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", argonMemory, argonTime, argonThreads,
	base64.RawStdEncoding.EncodeToString(make([]byte, 16)), base64.RawStdEncoding.EncodeToString(make([]byte, 32)))

// checkPassword checks pw against u's hash, or against unknownUserHash
// when u is nil: every check costs one hash, whether or not the account
// exists.
func (db *core) checkPassword(u *xinfang.User, pw string) bool {
	hash := unknownUserHash
	if u != nil {
		hash = u.PasswordHash
	}
	if db.passwordChecked != nil {
		db.passwordChecked(hash)
	}
	return CheckPassword(hash, pw) && u != nil
}

// plausibleName reports whether name could be looked up and stored as it
// is. Anything else (too long, not UTF-8, a NUL, which PostgreSQL refuses
// in text) is no account and is counted under a digest of itself.
func plausibleName(name string) bool {
	return len(name) <= 64 && utf8.ValidString(name) && !strings.ContainsRune(name, 0)
}

// sourceName is the name under which a check of name is counted.
func sourceName(name string) string {
	if plausibleName(name) {
		return name
	}
	h := sha256.Sum256([]byte(name))
	return "#" + hex.EncodeToString(h[:16])
}

// judgeLogin judges a password check of name from address from, whose
// account is u (nil for no account), in tx: it loads the records of the
// source and the account, locking their rows so that checks on several
// instances count one after the other, applies xinfang.JudgeLogin and
// stores them. It also deletes the source rows that no longer matter. It
// returns the verdict and, for a refused check, when it may be tried again.
func judgeLogin(ctx context.Context, tx *Tx, name, from string, u *xinfang.User, passwordOK bool) (xinfang.LoginVerdict, time.Time, error) {
	now, key := fmtTime(tx.now), sourceName(name)
	if _, err := tx.exec(ctx, `DELETE FROM login_sources WHERE expires_at < ?`, now); err != nil {
		return 0, time.Time{}, err
	}
	if _, err := tx.exec(ctx, `INSERT INTO login_sources (username, address, expires_at) VALUES (?, ?, ?) ON CONFLICT (username, address) DO NOTHING`, key, from, now); err != nil {
		return 0, time.Time{}, err
	}
	var src xinfang.LoginSource
	var locked, failed, signedIn string
	if err := tx.queryRow(ctx, `SELECT failures, locks, locked_until, failed_at, signed_in_at FROM login_sources WHERE username = ? AND address = ?`+tx.db.dialect.forUpdate(),
		key, from).Scan(&src.Failures, &src.Locks, &locked, &failed, &signedIn); err != nil {
		return 0, time.Time{}, err
	}
	src.LockedUntil, src.FailedAt, src.SignedInAt = parseTime(locked), parseTime(failed), parseTime(signedIn)
	var account *xinfang.LoginAccount
	if u != nil {
		account = &xinfang.LoginAccount{}
		if err := tx.queryRow(ctx, `SELECT failed_logins, locked_until, failed_login_at FROM users WHERE id = ?`+tx.db.dialect.forUpdate(),
			u.ID).Scan(&account.Failures, &locked, &failed); err != nil {
			return 0, time.Time{}, err
		}
		account.LockedUntil, account.FailedAt = parseTime(locked), parseTime(failed)
	}
	until := xinfang.LockedUntil(tx.now, &src, account)
	verdict := xinfang.JudgeLogin(tx.now, &src, account, passwordOK)
	if _, err := tx.exec(ctx, `UPDATE login_sources SET failures = ?, locks = ?, locked_until = ?, failed_at = ?, signed_in_at = ?, expires_at = ? WHERE username = ? AND address = ?`,
		src.Failures, src.Locks, fmtTime(src.LockedUntil), fmtTime(src.FailedAt), fmtTime(src.SignedInAt), fmtTime(src.KeepUntil()), key, from); err != nil {
		return 0, time.Time{}, err
	}
	if account != nil {
		if _, err := tx.exec(ctx, `UPDATE users SET failed_logins = ?, locked_until = ?, failed_login_at = ? WHERE id = ?`,
			account.Failures, fmtTime(account.LockedUntil), fmtTime(account.FailedAt), u.ID); err != nil {
			return 0, time.Time{}, err
		}
	}
	return verdict, until, nil
}
