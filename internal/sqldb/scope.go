package sqldb

import (
	"context"

	"xinfang"
)

// scopeClause is the one place where the data scope of security.md becomes
// SQL. Every list, detail and action on petitions goes through it. Alias p
// is the petitions table.
//
//   - users see items whose registering or handling unit is their unit or
//     below it, unless their role grants the whole city (xinfang.ScopeOf);
//   - 检举控告 items are visible only to the handling 纪检监察 body and to the
//     registrar who registered them, whatever the role, so that the accused
//     unit never sees them;
//   - roles without petition access see nothing.
func scopeClause(ctx context.Context) (string, []any, error) {
	u := xinfang.UserFromContext(ctx)
	if u == nil {
		return "", nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	s := xinfang.ScopeOf(u)
	if s.None {
		return "1 = 0", nil, nil
	}
	prefix := s.UnitPath + "%"
	var clause string
	var args []any
	if s.All {
		clause = "1 = 1"
	} else {
		clause = "(p.reg_path LIKE ? OR p.handling_path LIKE ?)"
		args = append(args, prefix, prefix)
	}
	clause += " AND (p.purpose <> 'accusation' OR p.reg_user_id = ?"
	args = append(args, s.UserID)
	if s.Discipline {
		clause += " OR p.handling_path LIKE ?"
		args = append(args, prefix)
	}
	clause += ")"
	return "(" + clause + ")", args, nil
}
