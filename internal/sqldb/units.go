package sqldb

import (
	"context"
	"fmt"
	"strings"

	"xinfang"
)

const unitCols = `id, COALESCE(parent_id, 0), code, name, kind, region_code, path, disabled`

func scanUnit(s interface{ Scan(...any) error }) (*xinfang.Unit, error) {
	u := &xinfang.Unit{}
	var kind string
	if err := s.Scan(&u.ID, &u.ParentID, &u.Code, &u.Name, &kind, &u.RegionCode, &u.Path, &u.Disabled); err != nil {
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

// FindUnits returns the whole tree in its order (SortUnitTree).
func (db *DirectoryStore) FindUnits(ctx context.Context) ([]*xinfang.Unit, error) {
	rows, err := db.query(ctx, `SELECT `+unitCols+` FROM units ORDER BY path`)
	units, err := scanAll(rows, err, scanUnit)
	if err != nil {
		return nil, err
	}
	// In the tree's order, as pickers list them: a path is ids as text,
	// in which unit 10 sorts before unit 9.
	xinfang.SortUnitTree(units)
	return units, nil
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
		if p.Disabled {
			return xinfang.FieldError("parent_id", "上级单位已停用")
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
	if _, err = tx.exec(ctx, `UPDATE units SET path = ? WHERE id = ?`, u.Path, id); err != nil {
		return err
	}
	if u.Kind == xinfang.UnitDiscipline {
		// A new audience of the watch list's kept rows.
		return db.buildWatchRows(ctx, tx)
	}
	return nil
}

// UpdateUnit renames a unit and moves it under another parent
// (administrators only). A move takes the unit's subtree along: the paths
// of the units and the stored paths of their records — the registering
// and handling paths of petitions, the responsible path of backlog cases,
// the issuing and target paths of 督办单 — change in the same transaction,
// so that the data scope follows the tree at once. A unit cannot move
// under itself or a unit below it, nor under a deactivated unit.
func (db *DirectoryStore) UpdateUnit(ctx context.Context, id int64, ch xinfang.UnitChange) (*xinfang.Unit, error) {
	if _, err := allow(ctx, xinfang.CanAdminister); err != nil {
		return nil, err
	}
	var out *xinfang.Unit
	// Sessions carry their user's unit and path: the scope follows the
	// tree at once (sessions.go).
	defer db.sessionsChanged()
	err := db.write(ctx, func(tx *Tx) error {
		u, err := scanUnit(tx.queryRow(ctx, `SELECT `+unitCols+` FROM units WHERE id = ?`, id))
		if err != nil {
			return db.notFound(err, "单位不存在")
		}
		if ch.Name != nil {
			u.Name = strings.TrimSpace(*ch.Name)
		}
		if err := u.Validate(); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE units SET name = ? WHERE id = ?`, u.Name, id); err != nil {
			return err
		}
		if ch.ParentID != nil && *ch.ParentID != u.ParentID {
			if err := db.moveUnit(ctx, tx, u, *ch.ParentID); err != nil {
				return err
			}
		}
		out = u
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// pathColumns are the stored unit paths of the records, by table: what a
// move of their units rewrites.
var pathColumns = []struct{ table, col string }{
	{"units", "path"},
	{"petitions", "reg_path"}, {"petitions", "handling_path"},
	{"cases", "responsible_path"},
	{"case_petitions", "reg_path"}, {"case_petitions", "handling_path"},
	{"supervisions", "issuer_path"}, {"supervisions", "target_path"},
	{"kpi_facts", "unit_path"},
}

// moveUnit puts u under parentID (0: the top level) and rewrites every
// path that starts with u's old path.
func (db *DirectoryStore) moveUnit(ctx context.Context, tx *Tx, u *xinfang.Unit, parentID int64) error {
	var parent *xinfang.Unit
	if parentID != 0 {
		p, err := scanUnit(tx.queryRow(ctx, `SELECT `+unitCols+` FROM units WHERE id = ?`, parentID))
		if err != nil {
			return db.notFoundField(err, "parent_id", "上级单位不存在")
		}
		if u.Contains(p) {
			return xinfang.FieldError("parent_id", "不能移到本单位或其下级单位之下")
		}
		if p.Disabled {
			return xinfang.FieldError("parent_id", "上级单位已停用")
		}
		parent = p
	}
	old, path := u.Path, parent.ChildPath(u.ID)
	if _, err := tx.exec(ctx, `UPDATE units SET parent_id = ? WHERE id = ?`, nullID(parentID), u.ID); err != nil {
		return err
	}
	// Every path ends with its own unit's id, so no new path equals
	// another row's path, old or new, at any moment of the update.
	for _, c := range pathColumns {
		in, args := pathRange(c.col, old)
		q := `UPDATE ` + c.table + ` SET ` + c.col + ` = CAST(? AS TEXT) || substr(` + c.col + `, ?) WHERE ` + in
		if _, err := tx.exec(ctx, q, append([]any{path, len(old) + 1}, args...)...); err != nil {
			return err
		}
	}
	u.ParentID, u.Path = parentID, path
	// Who sees a 检举控告 item follows the paths: the watch list's kept
	// rows are made again.
	return db.buildWatchRows(ctx, tx)
}

// DeactivateUnit deactivates a unit (停用; administrators only): it keeps
// its records, and takes no new accounts, sub-units or items. Refused
// (409, naming what stands in the way) while it has accounts in use or
// sub-units in use, or open work: petitions it handles (or registered and
// has not sent on), 督办单 addressed to it, backlog cases it is responsible
// for that are not 销号.
func (db *DirectoryStore) DeactivateUnit(ctx context.Context, id int64) (*xinfang.Unit, error) {
	return db.setUnitDisabled(ctx, id, true)
}

// ActivateUnit takes a deactivated unit back into use; its parent must be
// in use.
func (db *DirectoryStore) ActivateUnit(ctx context.Context, id int64) (*xinfang.Unit, error) {
	return db.setUnitDisabled(ctx, id, false)
}

// unitInUse are the counts that keep a unit from being deactivated, with
// the field and the words of the refusal.
var unitInUse = []struct{ field, query, msg string }{
	{"users", `SELECT COUNT(*) FROM users WHERE unit_id = ? AND disabled = 0`, "该单位还有 %d 个在用账号，请先调整其单位或停用"},
	{"children", `SELECT COUNT(*) FROM units WHERE parent_id = ? AND disabled = 0`, "该单位还有 %d 个在用的下级单位，请先停用或移走"},
	{"petitions", `SELECT COUNT(*) FROM petitions WHERE COALESCE(handling_unit_id, reg_unit_id) = ? AND state NOT IN ` + closedPetitionStates,
		"该单位还有 %d 件未办结的信访件，请先转办或办结"},
	{"supervisions", `SELECT COUNT(*) FROM supervisions WHERE target_unit_id = ? AND state <> '` + string(xinfang.SupervisionClosed) + `'`,
		"该单位还有 %d 件未办结的督办单"},
	{"cases", `SELECT COUNT(*) FROM cases WHERE responsible_unit_id = ? AND state <> '` + string(xinfang.CaseClosed) + `'`,
		"该单位还有 %d 件未销号的积案，请先调整责任单位"},
}

func (db *DirectoryStore) setUnitDisabled(ctx context.Context, id int64, disabled bool) (*xinfang.Unit, error) {
	if _, err := allow(ctx, xinfang.CanAdminister); err != nil {
		return nil, err
	}
	var out *xinfang.Unit
	// Sessions carry their user's unit and path: the scope follows the
	// tree at once (sessions.go).
	defer db.sessionsChanged()
	err := db.write(ctx, func(tx *Tx) error {
		u, err := scanUnit(tx.queryRow(ctx, `SELECT `+unitCols+` FROM units WHERE id = ?`, id))
		if err != nil {
			return db.notFound(err, "单位不存在")
		}
		if disabled {
			fields := map[string]string{}
			var msgs []string
			for _, c := range unitInUse {
				var n int
				if err := tx.queryRow(ctx, c.query, id).Scan(&n); err != nil {
					return err
				}
				if n > 0 {
					fields[c.field] = fmt.Sprintf(c.msg, n)
					msgs = append(msgs, fields[c.field])
				}
			}
			if len(fields) > 0 {
				return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "单位仍在使用，不能停用：" + strings.Join(msgs, "；"), Fields: fields}
			}
		} else if u.ParentID != 0 {
			var parentDisabled bool
			if err := tx.queryRow(ctx, `SELECT disabled FROM units WHERE id = ?`, u.ParentID).Scan(&parentDisabled); err != nil {
				return err
			}
			if parentDisabled {
				return xinfang.FieldError("parent_id", "上级单位已停用，请先启用上级单位")
			}
		}
		if _, err := tx.exec(ctx, `UPDATE units SET disabled = ? WHERE id = ?`, b2i(disabled), id); err != nil {
			return err
		}
		u.Disabled = disabled
		out = u
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// activeUnit loads unit id for a new record that names it in field: a
// unit that does not exist or is deactivated is bad input (EINVALID).
func (tx *Tx) activeUnit(ctx context.Context, id int64, field string) (*xinfang.Unit, error) {
	u, err := scanUnit(tx.queryRow(ctx, `SELECT `+unitCols+` FROM units WHERE id = ?`, id))
	if err != nil {
		return nil, tx.db.notFoundField(err, field, "单位不存在")
	}
	if u.Disabled {
		return nil, xinfang.FieldError(field, "单位「"+u.Name+"」已停用")
	}
	return u, nil
}

// activeUnits is activeUnit for several units (ids[i] named fields[i] in
// an error), read in one statement: the units a registration refers to.
func (tx *Tx) activeUnits(ctx context.Context, ids []int64, fields []string) ([]*xinfang.Unit, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := tx.QueryContext(ctx, tx.db.dialect.rebind(`SELECT `+unitCols+` FROM units WHERE id IN (`+placeholders(len(ids))+`)`), args...)
	byID := map[int64]*xinfang.Unit{}
	err = eachRow(rows, err, func(s scanner) error {
		u, err := scanUnit(s)
		byID[u.ID] = u
		return err
	})
	if err != nil {
		return nil, tx.db.wrap(err)
	}
	out := make([]*xinfang.Unit, len(ids))
	for i, id := range ids {
		u := byID[id]
		switch {
		case u == nil:
			return nil, xinfang.FieldError(fields[i], "单位不存在")
		case u.Disabled:
			return nil, xinfang.FieldError(fields[i], "单位「"+u.Name+"」已停用")
		}
		out[i] = u
	}
	return out, nil
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
