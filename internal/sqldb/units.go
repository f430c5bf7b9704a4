package sqldb

import (
	"context"
	"strings"

	"xinfang"
)

const unitCols = `id, COALESCE(parent_id, 0), code, name, kind, region_code, path`

func scanUnit(s interface{ Scan(...any) error }) (*xinfang.Unit, error) {
	u := &xinfang.Unit{}
	var kind string
	if err := s.Scan(&u.ID, &u.ParentID, &u.Code, &u.Name, &kind, &u.RegionCode, &u.Path); err != nil {
		return nil, err
	}
	u.Kind = xinfang.UnitKind(kind)
	return u, nil
}

// FindUnitByID returns a unit; units are not secret, any signed-in user may read them.
func (db *DirectoryStore) FindUnitByID(ctx context.Context, id int64) (*xinfang.Unit, error) {
	return db.findUnit(ctx, id)
}

func (db *core) findUnit(ctx context.Context, id int64) (*xinfang.Unit, error) {
	u, err := scanUnit(db.queryRow(ctx, `SELECT `+unitCols+` FROM units WHERE id = ?`, id))
	if err != nil {
		return nil, db.notFound(err, "单位不存在")
	}
	return u, nil
}

// FindUnitByCode returns the unit with code.
func (db *DirectoryStore) FindUnitByCode(ctx context.Context, code string) (*xinfang.Unit, error) {
	u, err := scanUnit(db.queryRow(ctx, `SELECT `+unitCols+` FROM units WHERE code = ?`, code))
	if err != nil {
		return nil, db.notFound(err, "单位不存在")
	}
	return u, nil
}

// FindUnits returns the whole tree ordered by path.
func (db *DirectoryStore) FindUnits(ctx context.Context) ([]*xinfang.Unit, error) {
	rows, err := db.query(ctx, `SELECT `+unitCols+` FROM units ORDER BY path`)
	return scanAll(rows, err, scanUnit)
}

// CreateUnit adds a unit under its parent (administrators only; the first
// unit of an empty database may be created by the command line without a user).
func (db *DirectoryStore) CreateUnit(ctx context.Context, u *xinfang.Unit) error {
	if xinfang.UserFromContext(ctx) != nil {
		if _, err := allow(ctx, xinfang.CanAdminister); err != nil {
			return err
		}
	}
	if err := u.Validate(); err != nil {
		return err
	}
	return db.write(ctx, func(tx *Tx) error { return db.createUnit(ctx, tx, u) })
}

func (db *DirectoryStore) createUnit(ctx context.Context, tx *Tx, u *xinfang.Unit) error {
	var parent *xinfang.Unit
	if u.ParentID != 0 {
		p, err := scanUnit(tx.queryRow(ctx, `SELECT `+unitCols+` FROM units WHERE id = ?`, u.ParentID))
		if err != nil {
			return db.notFoundField(err, "parent_id", "上级单位不存在")
		}
		parent = p
	}
	// The path needs the id: insert with a unique placeholder path, then set it.
	id, err := tx.insert(ctx, `INSERT INTO units (parent_id, code, name, kind, region_code, path) VALUES (?, ?, ?, ?, ?, ?)`,
		nullID(u.ParentID), u.Code, strings.TrimSpace(u.Name), string(u.Kind), u.RegionCode, "tmp:"+u.Code)
	if err != nil {
		if db.dialect.unique(err) {
			return xinfang.FieldError("code", "单位代码已存在")
		}
		return err
	}
	u.ID = id
	u.Path = parent.ChildPath(id)
	_, err = tx.exec(ctx, `UPDATE units SET path = ? WHERE id = ?`, u.Path, id)
	return err
}

// notFound maps sql.ErrNoRows to ENOTFOUND with msg.
func (db *core) notFound(err error, msg string) error {
	if xinfang.ErrorCode(db.wrap(err)) == xinfang.ENOTFOUND {
		return xinfang.Errorf(xinfang.ENOTFOUND, "%s", msg)
	}
	return db.wrap(err)
}

// problem adds msg on field to p when err says that a reference of the
// input does not exist, and returns any other error: a broken connection
// is not a bad reference.
func problem(p xinfang.Problems, err error, field, msg string) error {
	if err == nil {
		return nil
	}
	if xinfang.ErrorCode(err) == xinfang.ENOTFOUND {
		p.Add(field, msg)
		return nil
	}
	return err
}

// notFoundField maps sql.ErrNoRows to EINVALID naming field: a reference in
// the input that does not exist is bad input, not a missing page.
func (db *core) notFoundField(err error, field, msg string) error {
	if xinfang.ErrorCode(db.wrap(err)) == xinfang.ENOTFOUND {
		return xinfang.FieldError(field, msg)
	}
	return db.wrap(err)
}
