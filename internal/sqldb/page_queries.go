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
	// Every list lies in the unit's subtree: the unit's own items for
	// signing and deciding (their paths are its path: a move of the unit
	// rewrites them), the subtree's for handling.
	own := u.Unit.Path
	scope, args, err := ds.petitionsWithin(own)
	if err != nil {
		return nil, 0, err
	}
	// The unit is named by its path, not its id, so that the (state,
	// path) indexes answer without reading a row: an item's handling_path
	// is its handling unit's path ('' for none) and its reg_path its
	// registering unit's, as every write and every move of a unit keeps
	// them (the data scope rests on the same).
	l := petitionList{tree: own, segs: byDueFirst}
	var clause string
	switch kind {
	case xinfang.TodoSign:
		l.drive, l.driveArgs = []string{"p.handling_path = ?"}, [][]any{{own}}
		clause = "p.state = 'pending_sign'"
	case xinfang.TodoAccept:
		// Signed for by the unit; or registered and come back to it by
		// 退回 (a handling unit named), or registered by it and not sent on.
		l.drive = []string{"p.handling_path = ? AND p.state IN ('signed', 'registered')", "p.handling_path = '' AND p.reg_path = ? AND p.state = 'registered'"}
		l.driveArgs = [][]any{{own}, {own}}
		clause = all
	case xinfang.TodoReply:
		// Within the subtree (registered or handled there), this is
		// "handled there, or registered there and not sent on".
		h, b := subtree(own, "p.handling_path")
		clause = "p.state = 'handling' AND (p.handling_path = '' OR " + h + ")"
		args = append(args, b...)
	default:
		return nil, 0, xinfang.FieldError("todo", "未知的待办类型")
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	if offset < 0 {
		offset = 0
	}
	l.where, l.args = scope+" AND "+clause, args
	return db.listPetitions(ctx, l, limit, offset)
}
