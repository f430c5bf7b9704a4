package sqldb

import (
	"context"
	"strings"

	"xinfang"
)

// Account administration under 三员分立 (xinfang.CheckAccountAction): the
// system admin edits, deactivates and activates accounts; the security
// admin grants and revokes roles, resets passwords and unlocks. Each change
// is one write transaction that loads the account, asks the policy and
// writes, so that what is checked is what is changed.

// accountLock is when an account's lock ends, as the administrators see
// it: the account's own wait (users.locked_until) or the latest lock of
// its name from any address (login_sources), whichever ends later.
const accountLock = `CASE WHEN COALESCE((SELECT MAX(ls.locked_until) FROM login_sources ls WHERE ls.username = u.username), '') > u.locked_until
	THEN (SELECT MAX(ls.locked_until) FROM login_sources ls WHERE ls.username = u.username) ELSE u.locked_until END`

// accountCols are userCols with the lock as the administrators see it.
var accountCols = strings.Replace(userCols, "u.locked_until", accountLock, 1)

// FindAccount returns an account for the system admin and the security
// admin (the session's own look-up is FindUserByID).
func (db *DirectoryStore) FindAccount(ctx context.Context, id int64) (*xinfang.User, error) {
	if _, err := allow(ctx, xinfang.CanReadAccounts); err != nil {
		return nil, err
	}
	return db.findAccount(ctx, id)
}

func (db *DirectoryStore) findAccount(ctx context.Context, id int64) (*xinfang.User, error) {
	u, err := scanUser(db.queryRow(ctx, `SELECT `+accountCols+` FROM users u JOIN units n ON n.id = u.unit_id WHERE u.id = ?`, id))
	if err != nil {
		return nil, db.notFound(err, "用户不存在")
	}
	return u, nil
}

// changeAccount runs change on account id as action of the acting user,
// in one transaction, and returns the account as it is afterwards.
func (db *DirectoryStore) changeAccount(ctx context.Context, id int64, action xinfang.AccountAction, change func(tx *Tx, u *xinfang.User) error) (*xinfang.User, error) {
	actor := xinfang.UserFromContext(ctx)
	if actor == nil {
		return nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	// The account's sessions carry it: they see the change at their next
	// request (sessions.go).
	defer db.sessionsChanged()
	err := db.write(ctx, func(tx *Tx) error {
		u, err := scanUser(tx.queryRow(ctx, `SELECT `+userCols+` FROM users u JOIN units n ON n.id = u.unit_id WHERE u.id = ?`, id))
		if err != nil {
			return db.notFound(err, "用户不存在")
		}
		if err := xinfang.CheckAccountAction(actor, action, u); err != nil {
			return err
		}
		// A system account (the portal's, "~portal") signs nobody in: no
		// administrator may activate it, give it a password or roles.
		if strings.HasPrefix(u.Username, "~") {
			return xinfang.Errorf(xinfang.ECONFLICT, "“%s”是系统内部账号，不能在此更改", u.Name)
		}
		return change(tx, u)
	})
	if err != nil {
		return nil, err
	}
	return db.findAccount(ctx, id)
}

// UpdateUser changes the name, unit and phone of an account (the system
// admin). A new unit must be in use.
func (db *DirectoryStore) UpdateUser(ctx context.Context, id int64, ch xinfang.UserChange) (*xinfang.User, error) {
	return db.changeAccount(ctx, id, xinfang.AccountEdit, func(tx *Tx, u *xinfang.User) error {
		next := ch.Apply(*u)
		next.Name, next.Phone = strings.TrimSpace(next.Name), strings.TrimSpace(next.Phone)
		if err := next.Validate(); err != nil {
			return err
		}
		if next.UnitID != u.UnitID {
			if _, err := tx.activeUnit(ctx, next.UnitID, "unit_id"); err != nil {
				return err
			}
		}
		_, err := tx.exec(ctx, `UPDATE users SET name = ?, unit_id = ?, phone = ? WHERE id = ?`, next.Name, next.UnitID, next.Phone, id)
		return err
	})
}

// SetUserRoles gives an account exactly roles (the security admin; never
// its own, never the roles only the command line gives:
// xinfang.CheckRoles). The account's sessions see the new roles at their
// next request.
func (db *DirectoryStore) SetUserRoles(ctx context.Context, id int64, roles []xinfang.Role) (*xinfang.User, error) {
	return db.changeAccount(ctx, id, xinfang.AccountRoles, func(tx *Tx, u *xinfang.User) error {
		if err := xinfang.CheckRoles(xinfang.UserFromContext(ctx), u, roles); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `UPDATE users SET roles = ? WHERE id = ?`, joinRoles(roles), id)
		return err
	})
}

// DeactivateUser deactivates an account (the system admin, not its own)
// and ends its sessions. The last account in use of the security admin or
// the auditor is kept (409 on roles): without it nobody could grant roles
// or read the audit log until the command line opens another.
func (db *DirectoryStore) DeactivateUser(ctx context.Context, id int64) (*xinfang.User, error) {
	return db.changeAccount(ctx, id, xinfang.AccountDeactivate, func(tx *Tx, u *xinfang.User) error {
		for _, r := range u.Roles {
			if !r.Administrative() || u.Disabled {
				continue
			}
			var others int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE id <> ? AND disabled = 0 AND (',' || roles || ',') LIKE ?`,
				id, "%,"+string(r)+",%").Scan(&others); err != nil {
				return err
			}
			if others == 0 {
				msg := "这是最后一个在用的" + xinfang.LabelOf(xinfang.Roles, string(r)) + "账号，不能停用"
				return &xinfang.Error{Code: xinfang.ECONFLICT, Message: msg, Fields: map[string]string{"roles": msg}}
			}
		}
		if _, err := tx.exec(ctx, `UPDATE users SET disabled = 1 WHERE id = ?`, id); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, id)
		return err
	})
}

// ActivateUser takes a deactivated account back into use (the system
// admin); its unit must be in use.
func (db *DirectoryStore) ActivateUser(ctx context.Context, id int64) (*xinfang.User, error) {
	return db.changeAccount(ctx, id, xinfang.AccountActivate, func(tx *Tx, u *xinfang.User) error {
		if _, err := tx.activeUnit(ctx, u.UnitID, "unit_id"); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `UPDATE users SET disabled = 0 WHERE id = ?`, id)
		return err
	})
}

// ResetPassword gives an account a new initial password (the security
// admin, not its own): it must be changed at the next login, the lockout
// is lifted, and every session of the account ends.
func (db *DirectoryStore) ResetPassword(ctx context.Context, id int64, password string) (*xinfang.User, error) {
	if err := xinfang.CheckPasswordRule(password); err != nil {
		return nil, err
	}
	hash := HashPassword(password)
	return db.changeAccount(ctx, id, xinfang.AccountResetPassword, func(tx *Tx, u *xinfang.User) error {
		if _, err := tx.exec(ctx, `UPDATE users SET password_hash = ?, must_change_password = 1, failed_logins = 0, locked_until = '', failed_login_at = '' WHERE id = ?`, hash, id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM login_sources WHERE username = ?`, u.Username); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, id)
		return err
	})
}

// UnlockUser lifts the lockout after failed logins (the security admin,
// not its own).
func (db *DirectoryStore) UnlockUser(ctx context.Context, id int64) (*xinfang.User, error) {
	return db.changeAccount(ctx, id, xinfang.AccountUnlock, func(tx *Tx, u *xinfang.User) error {
		// The account's wait and every address's lock of its name.
		if _, err := tx.exec(ctx, `UPDATE users SET failed_logins = 0, locked_until = '', failed_login_at = '' WHERE id = ?`, id); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `DELETE FROM login_sources WHERE username = ?`, u.Username)
		return err
	})
}
