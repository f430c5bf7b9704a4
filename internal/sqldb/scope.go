package sqldb

import (
	"context"
	"strings"

	"xinfang"
)

// The data scope of security.md as SQL: the one builder every list,
// detail, search, export and action of storage goes through, for each
// aggregate a user reads — petitions, backlog cases, 督办单, raised
// investigations, and accountability records with the responsibility
// letters. Who the scope is (the subtree, the whole city, nothing) is the
// domain's xinfang.ScopeOf; here it only becomes a WHERE clause, always
// with the same subtree test (pathRange) so that the path indexes serve it.
//
//   - users see the records whose units lie in their unit's subtree, unless
//     their role grants the whole city;
//   - 检举控告 items are visible only to the handling 纪检监察 body and to the
//     registrar who registered them, whatever the role, so that the accused
//     unit never sees them, nor a case or an investigation through them;
//   - roles without petition access (lawyers, experts, mediators,
//     observers) see nothing, except the items and cases they are assigned
//     to (指派), the cases they are named in, and the hearings they sit in.

// dataScope is the acting user's data scope, ready to become SQL.
type dataScope struct {
	xinfang.Scope
	user *xinfang.User
}

// scopeOf returns the data scope of the acting user; EUNAUTHORIZED without one.
func scopeOf(ctx context.Context) (*dataScope, error) {
	u := xinfang.UserFromContext(ctx)
	if u == nil {
		return nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	return &dataScope{Scope: xinfang.ScopeOf(u), user: u}, nil
}

// scopeFunc is the clause of one aggregate for the acting user, as the
// queries take it: SQL, its arguments, and the error of a user who has none.
type scopeFunc func(ctx context.Context) (string, []any, error)

// scoped turns a method of dataScope into the scopeFunc of its aggregate.
func scoped(of func(*dataScope) (string, []any, error)) scopeFunc {
	return func(ctx context.Context) (string, []any, error) {
		s, err := scopeOf(ctx)
		if err != nil {
			return "", nil, err
		}
		return of(s)
	}
}

// The scope of each aggregate, over the alias its queries use.
var (
	petitionScope      = scoped((*dataScope).petitions)      // petitions p
	caseScope          = scoped((*dataScope).cases)          // cases c
	supervisionScope   = scoped((*dataScope).supervisions)   // supervisions s
	investigationScope = scoped((*dataScope).investigations) // investigations i, petitions p left-joined
	recordScope        = scoped((*dataScope).records)        // accountabilities or letters, their unit u
	hearingScope       = scoped((*dataScope).hearings)       // hearings h
	mediationScope     = scoped((*dataScope).mediations)     // mediations m
	aidScope           = scoped((*dataScope).judicialAid)    // judicial aid j
)

const (
	none = "(1 = 0)"
	all  = "(1 = 1)"
)

// petitions is the scope of petitions p: registered or handled in the
// subtree (or the whole city), and 检举控告 only for its registrar and the
// 纪检监察 body handling it.
func (s *dataScope) petitions() (string, []any, error) {
	if s.None {
		// The outside roles see the items they are assigned to (指派).
		rule, rargs := s.accusationRule()
		return "(" + assignedPetition + " AND " + rule + ")", append([]any{s.user.ID}, rargs...), nil
	}
	clause, args := all, []any(nil)
	if !s.All {
		clause, args = subtree(s.UnitPath, "p.reg_path", "p.handling_path")
	}
	rule, rargs := s.accusationRule()
	return "(" + clause + " AND " + rule + ")", append(args, rargs...), nil
}

// petitionsWithin is the scope of petitions p for a query whose rows all
// lie in the subtree at tree by reg_path or handling_path (a list read
// path by path): where tree lies in the scope's subtree, the subtree test
// is said already and only the 检举控告 rule remains — and left out, the
// range cannot tempt the planner away from the list's own index.
func (s *dataScope) petitionsWithin(tree string) (string, []any, error) {
	if s.None || tree == "" || !s.All && !strings.HasPrefix(tree, s.UnitPath) {
		return s.petitions()
	}
	rule, args := s.accusationRule()
	return "(" + rule + ")", args, nil
}

// assignedPetition is "petition p is assigned to user ?, not ended".
const assignedPetition = `EXISTS (SELECT 1 FROM assignments pa WHERE pa.petition_id = p.id AND pa.user_id = ? AND pa.ended_at = '')`

// accusationRule is the part of the scope of petitions p every reader
// meets: 检举控告 only for its registrar and the 纪检监察 body handling it.
func (s *dataScope) accusationRule() (string, []any) {
	clause := "(p.purpose <> '" + string(xinfang.PurposeAccusation) + "' OR p.reg_user_id = ?"
	args := []any{s.UserID}
	if s.Discipline {
		c, a := subtree(s.UnitPath, "p.handling_path")
		clause += " OR " + c
		args = append(args, a...)
	}
	return clause + ")", args
}

// tree is the subtree that holds every petition of the scope (by
// reg_path or handling_path), "" for the whole city; the lists read it
// path by path (listPetitions).
func (s *dataScope) tree() string {
	if s.All || s.None {
		return ""
	}
	return s.UnitPath
}

// cases is the scope of backlog cases c (README "Who sees a case"): the
// responsible unit, or the registering or handling unit of a linked
// petition other than a 检举控告 item, in the subtree; the whole city for
// city-wide roles; and always the case's own people — its 包案领导, team
// members and the owners of its steps and tasks — whatever their role.
//
// It is the set of the ids of those cases, each part read off an index
// once per query — the links keep their petitions' paths and purpose
// (case_petitions) — rather than subqueries judged for every case, which
// at 20,000 cases took the town's case ledger 0.2 s.
func (s *dataScope) cases() (string, []any, error) {
	if s.All {
		return all, nil, nil
	}
	id := s.user.ID
	involved := `SELECT cl.id FROM cases cl WHERE cl.leader_id = ?
		UNION ALL SELECT cm.case_id FROM case_members cm WHERE cm.user_id = ?
		UNION ALL SELECT cs.case_id FROM case_steps cs WHERE cs.owner_id = ?
		UNION ALL SELECT ct.case_id FROM tasks ct WHERE ct.owner_user_id = ? AND ct.case_id IS NOT NULL
		UNION ALL SELECT ca.case_id FROM assignments ca WHERE ca.user_id = ? AND ca.ended_at = '' AND ca.case_id IS NOT NULL`
	ids := []any{id, id, id, id, id}
	if s.None {
		return `c.id IN (` + involved + `)`, ids, nil
	}
	own, args := pathRange("co.responsible_path", s.UnitPath)
	reg, rargs := pathRange("cr.reg_path", s.UnitPath)
	handling, hargs := pathRange("ch.handling_path", s.UnitPath)
	notAccusation := `'` + string(xinfang.PurposeAccusation) + `'`
	clause := `c.id IN (SELECT co.id FROM cases co WHERE ` + own + `
		UNION ALL SELECT cr.case_id FROM case_petitions cr WHERE cr.purpose <> ` + notAccusation + ` AND ` + reg + `
		UNION ALL SELECT ch.case_id FROM case_petitions ch WHERE ch.purpose <> ` + notAccusation + ` AND ` + handling + `
		UNION ALL ` + involved + `)`
	return clause, append(append(append(args, rargs...), hargs...), ids...), nil
}

// supervisions is the scope of 督办单 s: the issuing unit's subtree and the
// target unit's subtree, and everybody who sees the whole city; to anybody
// else a 督办单 does not exist (ENOTFOUND).
func (s *dataScope) supervisions() (string, []any, error) {
	switch {
	case s.None:
		return none, nil, nil
	case s.All:
		return all, nil, nil
	}
	c, a := subtree(s.UnitPath, "s.target_path", "s.issuer_path")
	return c, a, nil
}

// investigations is the scope of raised investigations i: one on a
// petition follows the petition's own scope (a 检举控告 item keeps its
// investigation hidden too); one on a backlog case alone is seen by every
// reader of discipline work, who alone read investigations at all
// (xinfang.CanReadDiscipline, checked by the store).
func (s *dataScope) investigations() (string, []any, error) {
	p, args, err := s.petitions()
	if err != nil {
		return "", nil, err
	}
	return "(i.petition_id IS NULL OR " + p + ")", args, nil
}

// records is the scope of accountability records and responsibility
// letters, over the path u.path of the unit they concern: all of them for
// the readers of discipline work, the own subtree for other staff (a
// city-wide petition scope included), and EFORBIDDEN for the rest
// (xinfang.CanReadAccountability).
func (s *dataScope) records() (string, []any, error) {
	if !xinfang.CanReadAccountability(s.user, nil) {
		return "", nil, xinfang.Errorf(xinfang.EFORBIDDEN, "无权查看问责记录和责任书")
	}
	if xinfang.CanReadDiscipline(s.user) {
		return all, nil, nil
	}
	c, a := subtree(s.UnitPath, "u.path")
	return c, a, nil
}

// hearings is the scope of hearings h: those organized in the subtree or
// held on a petition registered or handled there (not a 检举控告 item),
// the whole city for city-wide roles; and always the hearing's own
// people — its chair and the participants with an account (a lawyer, an
// expert, an observer) — whatever their role, who see nothing else.
func (s *dataScope) hearings() (string, []any, error) {
	if s.All {
		return all, nil, nil
	}
	id := s.user.ID
	involved := `(h.chair_user_id = ? OR EXISTS (SELECT 1 FROM hearing_participants hpu WHERE hpu.hearing_id = h.id AND hpu.user_id = ?))`
	if s.None {
		return involved, []any{id, id}, nil
	}
	reg, args := s.registerRows("h")
	return `(` + reg + ` OR ` + involved + `)`, append(args, id, id), nil
}

// mediations is the scope of mediations m: held in the subtree or on a
// petition registered or handled there (not a 检举控告 item), the whole
// city for city-wide roles, and always to its mediators with an account,
// who see nothing else.
func (s *dataScope) mediations() (string, []any, error) {
	if s.All {
		return all, nil, nil
	}
	id := s.user.ID
	involved := `EXISTS (SELECT 1 FROM mediation_mediators mmu WHERE mmu.mediation_id = m.id AND mmu.user_id = ?)`
	if s.None {
		return involved, []any{id}, nil
	}
	reg, args := s.registerRows("m")
	return `(` + reg + ` OR ` + involved + `)`, append(args, id), nil
}

// judicialAid is the scope of judicial aid j: handled in the subtree or
// on a petition registered or handled there, the whole city for
// city-wide roles; nothing for the roles without a data scope.
func (s *dataScope) judicialAid() (string, []any, error) {
	switch {
	case s.None:
		return none, nil, nil
	case s.All:
		return all, nil, nil
	}
	reg, args := s.registerRows("j")
	return reg, args, nil
}

// registerRows is the part of a register's scope every reader with a data
// scope has: the rows of table alias a organised in the subtree
// (a.unit_path), or held on a petition (a.petition_id) registered or
// handled there that is not a 检举控告 item.
func (s *dataScope) registerRows(a string) (string, []any) {
	own, args := subtree(s.UnitPath, a+".unit_path")
	pp := a + "pp"
	linked, largs := subtree(s.UnitPath, pp+".reg_path", pp+".handling_path")
	return `(` + own + ` OR EXISTS (SELECT 1 FROM petitions ` + pp + ` WHERE ` + pp + `.id = ` + a + `.petition_id AND ` + pp + `.purpose <> '` +
		string(xinfang.PurposeAccusation) + `' AND ` + linked + `))`, append(args, largs...)
}

// subtree is "any of cols lies in the subtree at path": the rows of a unit
// and of the units below it. The filters by unit (a ledger's "unit, with
// sub-units") use it as the scopes do.
func subtree(path string, cols ...string) (string, []any) {
	if len(cols) == 1 {
		return pathRange(cols[0], path)
	}
	clause, args := "(", []any(nil)
	for i, col := range cols {
		if i > 0 {
			clause += " OR "
		}
		c, a := pathRange(col, path)
		clause += c
		args = append(args, a...)
	}
	return clause + ")", args
}

// pathRange is "col starts with path" as a range, which the path indexes
// serve (a LIKE prefix is not used by SQLite's default case-insensitive
// LIKE, nor by PostgreSQL outside the C collation). Paths end in "/", and
// "0" follows "/" in ASCII, so every path below lies in [path, path'0').
// An empty path (no unit) matches nothing.
func pathRange(col, path string) (string, []any) {
	if path == "" {
		return none, nil
	}
	upper := path[:len(path)-1] + "0"
	return "(" + col + " >= ? AND " + col + " < ?)", []any{path, upper}
}
