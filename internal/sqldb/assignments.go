package sqldb

import (
	"context"
	"strings"

	"xinfang"
)

// AssignmentStore is the assignments (指派) of outside people to petitions
// and cases, which are their data scope (scope.go), with their work notes.
type AssignmentStore struct{ *core }

const assignmentCols = `a.id, a.user_id, a.user_name, a.role, COALESCE(a.petition_id, 0), COALESCE(p.number, ''), COALESCE(a.case_id, 0), COALESCE(c.number, ''),
	a.task, a.assigned_by, a.assigned_by_name, a.assigned_at, a.ended_at, a.ended_by_name, a.end_note`

const assignmentFrom = ` FROM assignments a LEFT JOIN petitions p ON p.id = a.petition_id LEFT JOIN cases c ON c.id = a.case_id`

func scanAssignment(s scanner) (*xinfang.Assignment, error) {
	a := &xinfang.Assignment{Notes: []xinfang.WorkNote{}}
	var at, ended string
	if err := s.Scan(&a.ID, &a.UserID, &a.UserName, &a.Role, &a.PetitionID, &a.PetitionNumber, &a.CaseID, &a.CaseNumber,
		&a.Task, &a.AssignedByID, &a.AssignedByName, &at, &ended, &a.EndedByName, &a.EndNote); err != nil {
		return nil, err
	}
	a.AssignedAt, a.EndedAt = parseTime(at), parseTime(ended)
	return a, nil
}

// assignmentScope is who sees an assignment a: the assignee, and whoever
// sees its petition or its case.
func assignmentScope(ctx context.Context) (string, []any, error) {
	ps, pargs, err := petitionScope(ctx)
	if err != nil {
		return "", nil, err
	}
	cs, cargs, err := caseScope(ctx)
	if err != nil {
		return "", nil, err
	}
	u := xinfang.UserFromContext(ctx)
	clause := `(a.user_id = ? OR (a.petition_id IS NOT NULL AND EXISTS (SELECT 1 FROM petitions p WHERE p.id = a.petition_id AND ` + ps + `))
		OR (a.case_id IS NOT NULL AND EXISTS (SELECT 1 FROM cases c WHERE c.id = a.case_id AND ` + cs + `)))`
	return clause, append(append([]any{u.ID}, pargs...), cargs...), nil
}

func (db *AssignmentStore) loadNotes(ctx context.Context, q rowQuerier, list []*xinfang.Assignment) error {
	if len(list) == 0 {
		return nil
	}
	byID := map[int64]*xinfang.Assignment{}
	ids := make([]int64, len(list))
	for i, a := range list {
		byID[a.ID], ids[i] = a, a.ID
	}
	rows, err := cq{db.core, q}.rows(ctx, `SELECT assignment_id, id, at, by_id, by_name, text FROM assignment_notes WHERE assignment_id IN (`+placeholders(len(ids))+`) ORDER BY id`, idArgs(ids)...)
	return eachRow(rows, err, func(r scanner) error {
		var aid int64
		var n xinfang.WorkNote
		var at string
		if err := r.Scan(&aid, &n.ID, &at, &n.ByID, &n.ByName, &n.Text); err != nil {
			return err
		}
		n.At = parseTime(at)
		byID[aid].Notes = append(byID[aid].Notes, n)
		return nil
	})
}

// FindAssignmentByID returns an assignment the reader may see.
func (db *AssignmentStore) FindAssignmentByID(ctx context.Context, id int64) (*xinfang.Assignment, error) {
	scope, args, err := assignmentScope(ctx)
	if err != nil {
		return nil, err
	}
	var a *xinfang.Assignment
	err = db.read(ctx, func(q rowQuerier) error {
		var err error
		if a, err = scanAssignment(cq{db.core, q}.row(ctx, `SELECT `+assignmentCols+assignmentFrom+` WHERE a.id = ? AND `+scope, append([]any{id}, args...)...)); err != nil {
			return db.notFound(err, "指派不存在或无权查看")
		}
		return db.loadNotes(ctx, q, []*xinfang.Assignment{a})
	})
	return a, err
}

// FindAssignments lists the assignments the reader may see, running ones
// first, newest first.
func (db *AssignmentStore) FindAssignments(ctx context.Context, f xinfang.AssignmentFilter) ([]*xinfang.Assignment, error) {
	scope, args, err := assignmentScope(ctx)
	if err != nil {
		return nil, err
	}
	where := scope
	if f.PetitionID != 0 {
		where += " AND a.petition_id = ?"
		args = append(args, f.PetitionID)
	}
	if f.CaseID != 0 {
		where += " AND a.case_id = ?"
		args = append(args, f.CaseID)
	}
	if f.Mine {
		where += " AND a.user_id = ?"
		args = append(args, xinfang.UserFromContext(ctx).ID)
	}
	if f.Active {
		where += " AND a.ended_at = ''"
	}
	var out []*xinfang.Assignment
	err = db.read(ctx, func(q rowQuerier) error {
		rows, err := cq{db.core, q}.rows(ctx, `SELECT `+assignmentCols+assignmentFrom+` WHERE `+where+` ORDER BY a.ended_at <> '', a.id DESC LIMIT 500`, args...)
		if out, err = scanAll(rows, err, scanAssignment); err != nil {
			return err
		}
		return db.loadNotes(ctx, q, out)
	})
	if out == nil {
		out = []*xinfang.Assignment{}
	}
	return out, err
}

// Assign gives a petition or case the reader sees, and may work on, to an
// outside person who may take the role (xinfang.CanBeAssigned); a 检举控告
// item is never given outside. A second running assignment of the same
// person to the same record is refused.
func (db *AssignmentStore) Assign(ctx context.Context, a *xinfang.Assignment) error {
	actor, err := allow(ctx, xinfang.CanAssign, "无权指派律师、协理员等人员")
	if err != nil {
		return err
	}
	if err := a.Validate(); err != nil {
		return err
	}
	err = db.write(ctx, func(tx *Tx) error {
		if a.PetitionID != 0 {
			p, err := db.findPetition(ctx, tx, a.PetitionID)
			if err != nil {
				return db.notFoundField(err, "petition_id", "信访件不存在或无权查看")
			}
			if p.Purpose == xinfang.PurposeAccusation {
				return xinfang.FieldError("petition_id", "检举控告件不得指派给外部人员")
			}
		} else {
			cs, cargs, err := caseScope(ctx)
			if err != nil {
				return err
			}
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM cases c WHERE c.id = ? AND `+cs, append([]any{a.CaseID}, cargs...)...).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return xinfang.FieldError("case_id", "信访积案不存在或无权查看")
			}
		}
		u, err := scanUser(tx.queryRow(ctx, `SELECT `+userCols+` FROM users u JOIN units n ON n.id = u.unit_id WHERE u.id = ?`, a.UserID))
		if err != nil {
			return db.notFoundField(err, "user_id", "账号不存在")
		}
		if !xinfang.CanBeAssigned(u, a.Role) {
			return xinfang.FieldError("user_id", u.Name+" 不能以「"+a.Role.Label()+"」身份被指派")
		}
		a.UserName, a.AssignedByID, a.AssignedByName, a.AssignedAt = u.Name, actor.ID, actor.Name, tx.now
		id, err := tx.insert(ctx, `INSERT INTO assignments (user_id, user_name, role, petition_id, case_id, task, assigned_by, assigned_by_name, assigned_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.UserID, a.UserName, string(a.Role), nullID(a.PetitionID), nullID(a.CaseID), a.Task, actor.ID, actor.Name, fmtTime(tx.now))
		if db.dialect.unique(err) {
			return xinfang.FieldError("user_id", u.Name+" 已被指派此件，尚未结束")
		}
		if err != nil {
			return err
		}
		a.ID = id
		tx.created("assignment", id)
		return nil
	})
	if err != nil {
		return err
	}
	got, err := db.FindAssignmentByID(ctx, a.ID)
	if err != nil {
		return err
	}
	*a = *got
	return nil
}

// EndAssignment ends a running assignment, with the reason: from then on
// the person no longer sees the record.
func (db *AssignmentStore) EndAssignment(ctx context.Context, id int64, note string) (*xinfang.Assignment, error) {
	actor, err := allow(ctx, xinfang.CanAssign, "无权结束指派")
	if err != nil {
		return nil, err
	}
	note, err = xinfang.CheckNote("end_note", note)
	if err != nil {
		return nil, err
	}
	if note == "" {
		return nil, xinfang.FieldError("end_note", "请写明结束指派的原因")
	}
	scope, args, err := assignmentScope(ctx)
	if err != nil {
		return nil, err
	}
	err = db.write(ctx, func(tx *Tx) error {
		a, err := scanAssignment(tx.queryRow(ctx, `SELECT `+assignmentCols+assignmentFrom+` WHERE a.id = ? AND `+scope, append([]any{id}, args...)...))
		if err != nil {
			return db.notFound(err, "指派不存在或无权查看")
		}
		if !a.Active() {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该指派已结束", Fields: map[string]string{"action": "已结束"}}
		}
		_, err = tx.exec(ctx, `UPDATE assignments SET ended_at = ?, ended_by_name = ?, end_note = ? WHERE id = ?`, fmtTime(tx.now), actor.Name, note, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.FindAssignmentByID(ctx, id)
}

// AddWorkNote records the assignee's work on a running assignment; the
// staff who see its record may add to it too.
func (db *AssignmentStore) AddWorkNote(ctx context.Context, id int64, text string) (*xinfang.Assignment, error) {
	actor := xinfang.UserFromContext(ctx)
	if actor == nil {
		return nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	text, err := xinfang.CheckNote("text", text)
	if err != nil {
		return nil, err
	}
	if text == "" {
		return nil, xinfang.FieldError("text", "请填写工作记录")
	}
	scope, args, err := assignmentScope(ctx)
	if err != nil {
		return nil, err
	}
	err = db.write(ctx, func(tx *Tx) error {
		a, err := scanAssignment(tx.queryRow(ctx, `SELECT `+assignmentCols+assignmentFrom+` WHERE a.id = ? AND `+scope, append([]any{id}, args...)...))
		if err != nil {
			return db.notFound(err, "指派不存在或无权查看")
		}
		if a.UserID != actor.ID && !xinfang.CanAssign(actor) {
			return xinfang.Errorf(xinfang.EFORBIDDEN, "只有被指派人和工作人员可以记录")
		}
		if !a.Active() {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该指派已结束", Fields: map[string]string{"action": "已结束"}}
		}
		nid, err := tx.insert(ctx, `INSERT INTO assignment_notes (assignment_id, at, by_id, by_name, text) VALUES (?, ?, ?, ?, ?)`, id, fmtTime(tx.now), actor.ID, actor.Name, text)
		if err == nil {
			tx.created("assignment_note", nid)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.FindAssignmentByID(ctx, id)
}

// AssignableUsers lists the active accounts that may take an assignment
// of some role (the form's choices), for those who assign.
func (db *AssignmentStore) AssignableUsers(ctx context.Context) ([]*xinfang.User, error) {
	_, err := allow(ctx, xinfang.CanAssign, "无权指派")
	if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT `+userCols+` FROM users u JOIN units n ON n.id = u.unit_id WHERE u.disabled = 0 ORDER BY u.name, u.id`)
	all, err := scanAll(rows, err, scanUser)
	if err != nil {
		return nil, err
	}
	out := []*xinfang.User{}
	for _, u := range all {
		if xinfang.CanBeAssigned(u, xinfang.AssignCoordinator) {
			out = append(out, u)
		}
	}
	return out, nil
}

// stripForReader leaves of the petitioners of ps what the acting user
// reads (xinfang.StripIdentities): an outside reader assigned to an item
// only as an expert or an observer reads its petitioners without who they
// are. The staff read them whole (masked where their role says, above
// storage), and so does one also assigned as a lawyer, mediator or
// coordinator. Every read of items for a reader passes here: the detail,
// the lists and pages, the walk of an export, the search.
func (db *core) stripForReader(ctx context.Context, q rowQuerier, ps ...*xinfang.Petition) error {
	return stripRecords(ctx, db, q, "petition_id", ps, func(p *xinfang.Petition) int64 { return p.ID }, xinfang.StripIdentities)
}

// stripCasesForReader is stripForReader for cases (xinfang.StripCase).
func (db *core) stripCasesForReader(ctx context.Context, q rowQuerier, cs ...*xinfang.Case) error {
	return stripRecords(ctx, db, q, "case_id", cs, func(c *xinfang.Case) int64 { return c.ID }, xinfang.StripCase)
}

// stripRecords strips the records the acting outside reader does not read
// with their petitioners' identity (identityReadOf over the assignments'
// column col); staff read every record whole.
func stripRecords[T any](ctx context.Context, db *core, q rowQuerier, col string, recs []T, id func(T) int64, strip func(T)) error {
	if !xinfang.OutsideReader(xinfang.UserFromContext(ctx)) || len(recs) == 0 {
		return nil
	}
	ids := make([]int64, len(recs))
	for i, r := range recs {
		ids[i] = id(r)
	}
	identity, err := db.identityReadOf(ctx, q, col, ids)
	if err != nil {
		return err
	}
	for _, r := range recs {
		if !identity[id(r)] {
			strip(r)
		}
	}
	return nil
}

// identityRead returns which of the petitions ids the acting outside
// reader reads with their petitioners' identity: those he is assigned to
// as a lawyer, a mediator or a coordinator.
func (db *core) identityRead(ctx context.Context, q rowQuerier, ids []int64) (map[int64]bool, error) {
	return db.identityReadOf(ctx, q, "petition_id", ids)
}

// identityReadOf is identityRead of the records ids of assignments' column
// col (petition_id, case_id).
func (db *core) identityReadOf(ctx context.Context, q rowQuerier, col string, ids []int64) (map[int64]bool, error) {
	u := xinfang.UserFromContext(ctx)
	rows, err := cq{db, q}.rows(ctx, `SELECT `+col+`, role FROM assignments WHERE user_id = ? AND ended_at = '' AND `+col+` IN (`+placeholders(len(ids))+`)`,
		append([]any{u.ID}, idArgs(ids)...)...)
	type held struct {
		id   int64
		role xinfang.AssignmentRole
	}
	roles, err := scanAll(rows, err, func(r scanner) (held, error) {
		var h held
		return h, r.Scan(&h.id, &h.role)
	})
	if err != nil {
		return nil, err
	}
	identity := map[int64]bool{}
	for _, h := range roles {
		if h.role.ReadsIdentity() {
			identity[h.id] = true
		}
	}
	return identity, nil
}

// identityRoles is the SQL list of the assignment roles that read who the
// petitioners are (xinfang.AssignmentRole.ReadsIdentity).
func identityRoles() string {
	var codes []string
	for _, l := range xinfang.AssignmentRoles {
		if xinfang.AssignmentRole(l.Code).ReadsIdentity() {
			codes = append(codes, "'"+l.Code+"'")
		}
	}
	return "(" + strings.Join(codes, ", ") + ")"
}
