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
	var clause string
	var args []any
	if s.All {
		clause = "1 = 1"
	} else {
		clause, args = subtreeClause(s.UnitPath)
	}
	clause += " AND (p.purpose <> 'accusation' OR p.reg_user_id = ?"
	args = append(args, s.UserID)
	if s.Discipline {
		c, a := pathRange("p.handling_path", s.UnitPath)
		clause += " OR " + c
		args = append(args, a...)
	}
	clause += ")"
	return "(" + clause + ")", args, nil
}

// subtreeClause selects petitions registered or handled in the subtree at
// path.
func subtreeClause(path string) (string, []any) {
	r, a := pathRange("p.reg_path", path)
	h, b := pathRange("p.handling_path", path)
	return "(" + r + " OR " + h + ")", append(a, b...)
}

// pathRange is "col starts with path" as a range, which the path indexes
// serve (a LIKE prefix is not used by SQLite's default case-insensitive
// LIKE, nor by PostgreSQL outside the C collation). Paths end in "/", and
// "0" follows "/" in ASCII, so every path below lies in [path, path'0').
func pathRange(col, path string) (string, []any) {
	upper := path[:len(path)-1] + "0"
	return "(" + col + " >= ? AND " + col + " < ?)", []any{path, upper}
}
