package sqldb

import (
	"context"

	"xinfang"
)

// FindTodo lists the petitions in one worklist of the acting user's unit,
// within the user's data scope, those falling due first on top, and the
// total count. Items handed to a unit below the user's count as the unit's
// own work only for "handling" (a town watches its villages' replies);
// signing and deciding belong to the unit the item was sent to.
func (db *PetitionStore) FindTodo(ctx context.Context, kind xinfang.TodoKind, offset, limit int) ([]*xinfang.Petition, int, error) {
	u := xinfang.UserFromContext(ctx)
	if u == nil || u.Unit == nil {
		return nil, 0, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	ds, err := scopeOf(ctx)
	if err != nil {
		return nil, 0, err
	}
	scope, args, err := ds.petitions()
	if err != nil {
		return nil, 0, err
	}
	// Signing and deciding are the unit's own work, a few items in a
	// state: the (state, path) indexes find them, and a unit's items carry
	// its path (a move of the unit rewrites them), so the path is said
	// beside the id for those indexes to serve.
	tree, own := "", u.Unit.Path
	var clause string
	switch kind {
	case xinfang.TodoSign:
		clause = "p.state = 'pending_sign' AND p.handling_path = ? AND p.handling_unit_id = ?"
		args = append(args, own, u.UnitID)
	case xinfang.TodoAccept:
		// A registered item with a handling unit came back by 退回 to the
		// unit that sent it on, which must decide again.
		clause = `((p.state = 'signed' AND p.handling_path = ? AND p.handling_unit_id = ?)
			OR (p.state = 'registered' AND p.handling_path = '' AND p.reg_path = ? AND p.handling_unit_id IS NULL AND p.reg_unit_id = ?)
			OR (p.state = 'registered' AND p.handling_path = ? AND p.handling_unit_id = ?))`
		args = append(args, own, u.UnitID, own, u.UnitID, own, u.UnitID)
	case xinfang.TodoReply:
		r, a := subtree(u.Unit.Path, "p.reg_path")
		h, b := subtree(u.Unit.Path, "p.handling_path")
		clause = "p.state = 'handling' AND ((p.handling_unit_id IS NULL AND " + r + ") OR " + h + ")"
		args = append(append(args, a...), b...)
		tree = u.Unit.Path // the unit's subtree holds the list, whatever the scope
	default:
		return nil, 0, xinfang.FieldError("todo", "未知的待办类型")
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	if offset < 0 {
		offset = 0
	}
	return db.listPetitions(ctx, petitionList{where: scope + " AND " + clause, args: args, tree: tree, segs: byDueFirst}, limit, offset)
}
