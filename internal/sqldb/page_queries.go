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
		l.plan = func(ctx context.Context, r cq) ([]string, [][]any, error) { return replyBranches(ctx, r, own) }
		clause = all
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

// replyBranches are the branches of 待答复 in the subtree at tree: for each
// path handled in it, its items in handling; for each path registered in
// it, its items in handling that were never sent on. The (state, path)
// and (path, due date) indexes stop in each as soon as the count and the
// page are reached. The branches of the subtree itself (registered at a
// path, or handled at one and registered outside) tested the handling
// path row by row, and the count of a town's 待答复 at ten million items
// was a bitmap scan of all 37,000 of its items in handling, which a
// LIMIT does not stop.
func replyBranches(ctx context.Context, r cq, tree string) ([]string, [][]any, error) {
	handled, err := pathsIn(ctx, r, "handling_path", tree)
	if err != nil {
		return nil, nil, err
	}
	registered, err := pathsIn(ctx, r, "reg_path", tree)
	if err != nil {
		return nil, nil, err
	}
	const inHandling, notSent = "p.state = 'handling' AND ", "p.state = 'handling' AND p.handling_path = '' AND "
	if len(handled)+len(registered) > maxBranches {
		h, ha := pathRange("p.handling_path", tree)
		g, ga := pathRange("p.reg_path", tree)
		return []string{inHandling + h, notSent + g}, [][]any{ha, ga}, nil
	}
	var branches []string
	var args [][]any
	for _, h := range handled {
		branches, args = append(branches, inHandling+"p.handling_path = ?"), append(args, []any{h})
	}
	for _, g := range registered {
		branches, args = append(branches, notSent+"p.reg_path = ?"), append(args, []any{g})
	}
	return branches, args, nil
}
