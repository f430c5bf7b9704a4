package sqldb

import (
	"context"

	"xinfang"
	"xinfang/internal/calendar"
)

// FindOverdue lists the open petitions in scope whose running duty clock is
// past due — 超期 and 严重超期 together, the list a unit works off first —
// longest overdue on top, and their count. The warning filter of
// FindPetitions takes one level at a time.
func (db *PetitionStore) FindOverdue(ctx context.Context, offset, limit int) ([]*xinfang.Petition, int, error) {
	ds, err := scopeOf(ctx)
	if err != nil {
		return nil, 0, err
	}
	tree := ds.tree()
	scope, args, err := ds.petitionsWithin(tree)
	if err != nil {
		return nil, 0, err
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	if offset < 0 {
		offset = 0
	}
	today := calendar.DateOf(db.Now())
	where := scope + ` AND p.due_date <> '' AND p.due_date < ? AND p.state NOT IN ` + closedPetitionStates
	args = append(args, today.String())
	return db.listPetitions(ctx, petitionList{where: where, args: args, tree: tree, segs: byDue}, limit, offset)
}
