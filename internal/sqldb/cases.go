package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
)

// Backlog cases (信访积案): the register, its records, the closure rule and
// the data scope of cases. Every change of a case goes through changeCase:
// one transaction that checks the version the client read, applies the
// change, bumps the version and appends a case event.

// caseNumberYear keys the case counter in the counters table: the
// negative year, so that case numbers count apart from petition numbers of
// the same unit and stay gap-free the same way (the counter row is locked
// by the registering transaction).
func caseNumberYear(year int) int { return -year }

// caseScope is the data scope of cases, alias c: a case is visible to the
// users whose unit subtree holds its responsible unit or the registering
// or handling unit of a linked petition; city-wide roles see all; its
// 包案领导, team members and the owners of its steps and tasks always see
// it, whatever their role.
func caseScope(ctx context.Context) (string, []any, error) {
	u := xinfang.UserFromContext(ctx)
	if u == nil {
		return "", nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	s := xinfang.ScopeOf(u)
	involved := `(c.leader_id = ? OR EXISTS (SELECT 1 FROM case_members cm WHERE cm.case_id = c.id AND cm.user_id = ?)
		OR EXISTS (SELECT 1 FROM case_steps cs WHERE cs.case_id = c.id AND cs.owner_id = ?)
		OR EXISTS (SELECT 1 FROM tasks ct WHERE ct.case_id = c.id AND ct.owner_user_id = ?))`
	ids := []any{u.ID, u.ID, u.ID, u.ID}
	switch {
	case s.All:
		return "(1 = 1)", nil, nil
	case s.None || s.UnitPath == "":
		return involved, ids, nil
	}
	prefix := s.UnitPath + "%"
	// A 检举控告 petition does not open its case to the accused unit.
	clause := `(c.responsible_path LIKE ? OR EXISTS (SELECT 1 FROM case_petitions cpp JOIN petitions pp ON pp.id = cpp.petition_id
		WHERE cpp.case_id = c.id AND pp.purpose <> 'accusation' AND (pp.reg_path LIKE ? OR pp.handling_path LIKE ?)) OR ` + involved + `)`
	return clause, append([]any{prefix, prefix, prefix}, ids...), nil
}

// Cases are searchable beside petitions, within the case scope.
func init() {
	registerSearchKind(xinfang.SearchCase, "JOIN cases c ON c.id = d.ref_id", "c.number || ' ' || c.title", "c.created_at DESC, c.id DESC", caseScope)
}

// indexCase writes the case's full-text document: number, title, summary
// and petitioners.
func (db *CaseStore) indexCase(ctx context.Context, tx *Tx, c *xinfang.Case) error {
	return db.indexSearchDoc(ctx, tx, xinfang.SearchCase, c.ID, strings.Join([]string{c.Number, c.Title, c.Summary, c.Petitioners}, " "))
}

const caseCols = `c.id, c.number, c.version, c.title, c.source, c.summary, c.petitioners, c.responsible_unit_id, ru.name, COALESCE(c.leader_id, 0), COALESCE(lu.name, ''),
	c.stability_plan, c.deadline, c.tags, c.state, c.facts, c.solution, c.solution_text, c.petitioner_position,
	c.followup_date, c.followup_by, c.followup_how, c.followup_mood, c.followup_settled,
	COALESCE(c.signed_by, 0), COALESCE(su.name, ''), c.signed_at, c.sign_note, c.created_by, c.created_at, c.updated_at,
	(SELECT COUNT(*) FROM case_steps x WHERE x.case_id = c.id),
	(SELECT COUNT(*) FROM case_steps x WHERE x.case_id = c.id AND x.done_on <> ''),
	(SELECT COUNT(*) FROM case_steps x WHERE x.case_id = c.id AND x.done_on = '' AND x.deadline <> '' AND x.deadline < ?),
	(SELECT COUNT(*) FROM tasks x WHERE x.case_id = c.id AND x.state = 'open')`

const caseFrom = ` FROM cases c
	JOIN units ru ON ru.id = c.responsible_unit_id
	LEFT JOIN users lu ON lu.id = c.leader_id
	LEFT JOIN users su ON su.id = c.signed_by`

func scanCase(s interface{ Scan(...any) error }, today string) (*xinfang.Case, error) {
	c := &xinfang.Case{}
	var tags, state, signedAt, created, updated string
	var signedBy int64
	var signedName, signNote string
	f := &c.Resolution.Followup
	err := s.Scan(&c.ID, &c.Number, &c.Version, &c.Title, &c.Source, &c.Summary, &c.Petitioners, &c.ResponsibleUnitID, &c.ResponsibleUnitName, &c.LeaderID, &c.LeaderName,
		&c.StabilityPlan, &c.Deadline, &tags, &state, &c.Resolution.Facts, &c.Resolution.Solution, &c.Resolution.SolutionText, &c.Resolution.PetitionerPosition,
		&f.Date, &f.By, &f.How, &f.Mood, &f.Settled,
		&signedBy, &signedName, &signedAt, &signNote, &c.CreatedBy, &created, &updated,
		&c.Stats.Steps, &c.Stats.StepsDone, &c.Stats.StepsLate, &c.Stats.OpenTasks)
	if err != nil {
		return nil, err
	}
	c.State = xinfang.CaseState(state)
	c.Tags = splitList(tags)
	if signedBy != 0 {
		c.SignOff = &xinfang.SignOff{ByID: signedBy, ByName: signedName, At: parseTime(signedAt), Note: signNote}
	}
	c.CreatedAt, c.UpdatedAt = parseTime(created), parseTime(updated)
	c.Overdue = c.IsOverdue(today)
	c.PetitionIDs, c.Team, c.Plan, c.Consultations, c.Progress, c.Tasks, c.Instructions =
		[]int64{}, []xinfang.CaseMember{}, []*xinfang.PlanStep{}, []*xinfang.Consultation{}, []*xinfang.ProgressReport{}, []*xinfang.Task{}, []*xinfang.Instruction{}
	return c, nil
}

func splitList(s string) []string {
	out := []string{}
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = itoa(id)
	}
	return strings.Join(s, ",")
}

func splitIDs(s string) []int64 {
	out := []int64{}
	for _, x := range splitList(s) {
		if id, err := strconv.ParseInt(x, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// cq runs the queries of cases on a pool or inside a transaction, with the
// dialect's placeholders.
type cq struct {
	db *core
	q  rowQuerier
}

func (c cq) rows(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return c.q.QueryContext(ctx, c.db.dialect.rebind(q), args...)
}

func (c cq) row(ctx context.Context, q string, args ...any) *sql.Row {
	return c.q.QueryRowContext(ctx, c.db.dialect.rebind(q), args...)
}

func (db *CaseStore) today() string { return calendar.DateOf(db.Now()).String() }

// findCase loads a case within the actor's scope with all its records.
func (db *CaseStore) findCase(ctx context.Context, q rowQuerier, id int64) (*xinfang.Case, error) {
	scope, args, err := caseScope(ctx)
	if err != nil {
		return nil, err
	}
	r := cq{db.core, q}
	c, err := scanCase(r.row(ctx, `SELECT `+caseCols+caseFrom+` WHERE c.id = ? AND `+scope, append([]any{db.today(), id}, args...)...), db.today())
	if err != nil {
		return nil, db.notFound(err, "积案不存在或无权查看")
	}
	if err := db.loadCaseRecords(ctx, r, c); err != nil {
		return nil, err
	}
	return c, nil
}

// FindCaseByID returns one case in scope with its records.
func (db *CaseStore) FindCaseByID(ctx context.Context, id int64) (*xinfang.Case, error) {
	return db.findCase(ctx, db.rdb, id)
}

func (db *CaseStore) loadCaseRecords(ctx context.Context, r cq, c *xinfang.Case) error {
	// Linked petitions: the reader sees number and summary of those in
	// his own petition scope, and only that others exist.
	rows, err := r.rows(ctx, `SELECT petition_id FROM case_petitions WHERE case_id = ? ORDER BY petition_id`, c.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		c.PetitionIDs = append(c.PetitionIDs, id)
	}
	rows.Close()
	if len(c.PetitionIDs) > 0 {
		scope, args, err := scopeClause(ctx)
		if err != nil {
			return err
		}
		seen := map[int64]*xinfang.CasePetition{}
		rows, err := r.rows(ctx, `SELECT p.id, p.number, p.summary, p.state FROM petitions p JOIN case_petitions cp ON cp.petition_id = p.id
			WHERE cp.case_id = ? AND `+scope, append([]any{c.ID}, args...)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			p := &xinfang.CasePetition{}
			var st string
			if err := rows.Scan(&p.ID, &p.Number, &p.Summary, &st); err != nil {
				rows.Close()
				return err
			}
			p.State = xinfang.State(st)
			seen[p.ID] = p
		}
		rows.Close()
		for _, id := range c.PetitionIDs {
			if p, ok := seen[id]; ok {
				c.Petitions = append(c.Petitions, p)
			} else {
				c.Petitions = append(c.Petitions, &xinfang.CasePetition{ID: id, Hidden: true})
			}
		}
	}

	rows, err = r.rows(ctx, `SELECT m.id, COALESCE(m.user_id, 0), m.name, m.role FROM case_members m WHERE m.case_id = ? ORDER BY m.id`, c.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var m xinfang.CaseMember
		if err := rows.Scan(&m.ID, &m.UserID, &m.Name, &m.Role); err != nil {
			rows.Close()
			return err
		}
		c.Team = append(c.Team, m)
	}
	rows.Close()

	rows, err = r.rows(ctx, `SELECT id, content, COALESCE(owner_id, 0), owner, deadline, done_on, evidence FROM case_steps WHERE case_id = ? ORDER BY deadline, id`, c.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		s := &xinfang.PlanStep{}
		if err := rows.Scan(&s.ID, &s.Content, &s.OwnerID, &s.Owner, &s.Deadline, &s.DoneOn, &s.Evidence); err != nil {
			rows.Close()
			return err
		}
		c.Plan = append(c.Plan, s)
	}
	rows.Close()

	rows, err = r.rows(ctx, `SELECT id, held_on, attendees, findings, decisions FROM case_consultations WHERE case_id = ? ORDER BY held_on, id`, c.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		k := &xinfang.Consultation{}
		var att string
		if err := rows.Scan(&k.ID, &k.Date, &att, &k.Findings, &k.Decisions); err != nil {
			rows.Close()
			return err
		}
		if err := json.Unmarshal([]byte(att), &k.Attendees); err != nil {
			rows.Close()
			return fmt.Errorf("consultation %d attendees: %w", k.ID, err)
		}
		c.Consultations = append(c.Consultations, k)
	}
	rows.Close()

	rows, err = r.rows(ctx, `SELECT id, reported_on, author_id, author_name, text FROM case_progress WHERE case_id = ? ORDER BY reported_on, id`, c.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		p := &xinfang.ProgressReport{}
		if err := rows.Scan(&p.ID, &p.Date, &p.AuthorID, &p.AuthorName, &p.Text); err != nil {
			rows.Close()
			return err
		}
		c.Progress = append(c.Progress, p)
	}
	rows.Close()

	if c.Tasks, err = db.tasks(ctx, r, "t.case_id = ?", c.ID); err != nil {
		return err
	}
	if c.Instructions, err = db.instructions(ctx, r, "case_id = ?", c.ID); err != nil {
		return err
	}
	return nil
}

const taskCols = `t.id, COALESCE(t.case_id, 0), COALESCE(t.petition_id, 0), t.version, t.kind, t.title, COALESCE(t.owner_unit_id, 0), COALESCE(ou.name, ''),
	COALESCE(t.owner_user_id, 0), COALESCE(uu.name, ''), t.deadline, t.state, t.release_reason, t.done_note, t.created_at, t.updated_at`

const taskFrom = ` FROM tasks t LEFT JOIN units ou ON ou.id = t.owner_unit_id LEFT JOIN users uu ON uu.id = t.owner_user_id`

func scanTask(s interface{ Scan(...any) error }) (*xinfang.Task, error) {
	t := &xinfang.Task{}
	var created, updated string
	if err := s.Scan(&t.ID, &t.CaseID, &t.PetitionID, &t.Version, &t.Kind, &t.Title, &t.OwnerUnitID, &t.OwnerUnitName,
		&t.OwnerUserID, &t.OwnerUserName, &t.Deadline, &t.State, &t.ReleaseReason, &t.DoneNote, &created, &updated); err != nil {
		return nil, err
	}
	t.CreatedAt, t.UpdatedAt = parseTime(created), parseTime(updated)
	return t, nil
}

func (db *CaseStore) tasks(ctx context.Context, r cq, where string, args ...any) ([]*xinfang.Task, error) {
	rows, err := r.rows(ctx, `SELECT `+taskCols+taskFrom+` WHERE `+where+` ORDER BY t.id`, args...)
	return scanAll(rows, err, scanTask)
}

func (db *CaseStore) instructions(ctx context.Context, r cq, where string, args ...any) ([]*xinfang.Instruction, error) {
	rows, err := r.rows(ctx, `SELECT id, COALESCE(case_id, 0), COALESCE(petition_id, 0), author_id, author_name, text, at, to_users, to_units
		FROM instructions WHERE `+where+` ORDER BY at DESC, id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*xinfang.Instruction{}
	for rows.Next() {
		in := &xinfang.Instruction{}
		var at, users, units string
		if err := rows.Scan(&in.ID, &in.CaseID, &in.PetitionID, &in.AuthorID, &in.AuthorName, &in.Text, &at, &users, &units); err != nil {
			return nil, err
		}
		in.At, in.ToUsers, in.ToUnits = parseTime(at), splitIDs(users), splitIDs(units)
		out = append(out, in)
	}
	return out, rows.Err()
}

// FindCases lists the cases in scope with filters, and the total count.
// Limit -1 returns every match (exports).
func (db *CaseStore) FindCases(ctx context.Context, f xinfang.CaseFilter) ([]*xinfang.Case, int, error) {
	scope, sargs, err := caseScope(ctx)
	if err != nil {
		return nil, 0, err
	}
	today := db.today()
	where := []string{scope}
	args := append([]any{}, sargs...)
	add := func(clause string, a ...any) {
		where = append(where, clause)
		args = append(args, a...)
	}
	if f.LeaderID != 0 {
		add("c.leader_id = ?", f.LeaderID)
	}
	if f.UnitID != 0 {
		u, err := db.findUnit(ctx, f.UnitID)
		if err != nil {
			return nil, 0, xinfang.FieldError("unit_id", "单位不存在")
		}
		add("c.responsible_path LIKE ?", u.Path+"%")
	}
	if f.Source != "" {
		add("c.source = ?", f.Source)
	}
	if len(f.State) > 0 {
		ph := make([]string, len(f.State))
		for i, s := range f.State {
			ph[i] = "?"
			args = append(args, string(s))
		}
		where = append(where, "c.state IN ("+strings.Join(ph, ",")+")")
	}
	if f.Overdue != nil {
		const overdue = "(c.deadline <> '' AND c.deadline < ? AND c.state IN ('unresolved','resolving'))"
		if *f.Overdue {
			add(overdue, today)
		} else {
			add("NOT "+overdue, today)
		}
	}
	if q := strings.TrimSpace(f.Text); q != "" {
		like := "%" + escapeLike(strings.ToLower(q)) + "%"
		add(`(LOWER(c.title) LIKE ? ESCAPE '\' OR LOWER(c.number) LIKE ? ESCAPE '\' OR LOWER(c.petitioners) LIKE ? ESCAPE '\' OR LOWER(c.summary) LIKE ? ESCAPE '\')`, like, like, like, like)
	}
	if f.Offset < 0 {
		return nil, 0, xinfang.FieldError("offset", "offset 不能为负数")
	}
	w := strings.Join(where, " AND ")
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM cases c WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	q := `SELECT ` + caseCols + caseFrom + ` WHERE ` + w + ` ORDER BY c.deadline = '', c.deadline, c.id`
	qargs := append([]any{today}, args...)
	if f.Limit != -1 {
		if f.Limit <= 0 || f.Limit > 500 {
			f.Limit = 50
		}
		q += ` LIMIT ? OFFSET ?`
		qargs = append(qargs, f.Limit, f.Offset)
	}
	rows, err := db.query(ctx, q, qargs...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []*xinfang.Case{}
	for rows.Next() {
		c, err := scanCase(rows, today)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	return out, total, rows.Err()
}

// caseEditors are the roles that may work on cases they can see; the
// people of the case itself (leader, team, owners) may too, whatever
// their role.
var caseEditors = []xinfang.Role{xinfang.RoleRegistrar, xinfang.RoleHandler, xinfang.RoleUnitHead, xinfang.RoleSupervisor, xinfang.RoleLeader}

func canEditCase(u *xinfang.User, c *xinfang.Case) bool {
	return u.HasAny(caseEditors...) || c.Involves(u.ID)
}

// checkCaseRefs checks that the unit, the leader and the petitions a case
// names exist and that the actor may link them.
func (db *CaseStore) checkCaseRefs(ctx context.Context, tx *Tx, c *xinfang.Case) (unitPath string, numbers string, err error) {
	p := xinfang.Problems{}
	r := cq{db.core, tx}
	if c.ResponsibleUnitID > 0 {
		if err := r.row(ctx, `SELECT path FROM units WHERE id = ?`, c.ResponsibleUnitID).Scan(&unitPath); err != nil {
			p.Add("responsible_unit_id", "责任单位不存在")
		}
	}
	if c.LeaderID != 0 {
		var roles string
		if err := r.row(ctx, `SELECT roles FROM users WHERE id = ? AND disabled = 0`, c.LeaderID).Scan(&roles); err != nil {
			p.Add("leader_id", "包案领导不存在")
		} else if !strings.Contains(","+roles+",", ","+string(xinfang.RoleLeader)+",") {
			p.Add("leader_id", "包案领导须为领导角色的用户")
		}
	}
	seen := map[int64]bool{}
	ids := c.PetitionIDs[:0:0]
	var nums []string
	for _, id := range c.PetitionIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		if pt, err := db.findPetition(ctx, tx, id); err != nil {
			p.Add("petition_ids", "信访件 #"+itoa(id)+" 不存在或无权查看")
		} else {
			nums = append(nums, pt.Number)
		}
		ids = append(ids, id)
	}
	c.PetitionIDs = ids
	return unitPath, strings.Join(nums, "、"), p.Err()
}

// CreateCase registers a backlog case: a gap-free number of the actor's
// unit and year ({unit}-JA-{year}-{seq}), its links to petitions and the
// create event, in one transaction.
func (db *CaseStore) CreateCase(ctx context.Context, c *xinfang.Case) error {
	actor := xinfang.UserFromContext(ctx)
	if err := requireRole(ctx, caseEditors...); err != nil {
		return err
	}
	if actor.Unit == nil {
		return xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	if err := c.Validate(); err != nil {
		return err
	}
	c.State = xinfang.CaseUnresolved
	if c.LeaderID == 0 {
		return xinfang.FieldError("leader_id", "请指定包案领导")
	}
	return db.write(ctx, func(tx *Tx) error {
		path, numbers, err := db.checkCaseRefs(ctx, tx, c)
		if err != nil {
			return err
		}
		// A unit may not file a case it could not see afterwards.
		if s := xinfang.ScopeOf(actor); !s.All && !strings.HasPrefix(path, s.UnitPath) {
			return xinfang.FieldError("responsible_unit_id", "责任单位须为本单位或下级单位")
		}
		year := calendar.DateOf(tx.now).Year
		seq, err := db.nextNumber(ctx, tx, actor.UnitID, caseNumberYear(year))
		if err != nil {
			return err
		}
		c.Number = fmt.Sprintf("%s-JA-%d-%04d", actor.Unit.Code, year, seq)
		c.Version, c.CreatedBy, c.CreatedAt, c.UpdatedAt = 1, actor.ID, tx.now, tx.now
		id, err := tx.insert(ctx, `INSERT INTO cases (number, version, title, source, summary, petitioners, responsible_unit_id, responsible_path, leader_id,
			stability_plan, deadline, tags, state, created_by, created_at, updated_at) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Number, c.Title, c.Source, c.Summary, c.Petitioners, c.ResponsibleUnitID, path, nullID(c.LeaderID),
			c.StabilityPlan, c.Deadline, strings.Join(c.Tags, ","), string(c.State), actor.ID, fmtTime(tx.now), fmtTime(tx.now))
		if err != nil {
			return err
		}
		c.ID = id
		if err := db.linkPetitions(ctx, tx, id, c.PetitionIDs); err != nil {
			return err
		}
		if err := db.indexCase(ctx, tx, c); err != nil {
			return err
		}
		return db.caseEvent(ctx, tx, id, "create", map[string]string{"number": c.Number, "title": c.Title, "petitions": numbers})
	})
}

func (db *CaseStore) linkPetitions(ctx context.Context, tx *Tx, caseID int64, ids []int64) error {
	if _, err := tx.exec(ctx, `DELETE FROM case_petitions WHERE case_id = ?`, caseID); err != nil {
		return err
	}
	for _, pid := range ids {
		if _, err := tx.exec(ctx, `INSERT INTO case_petitions (case_id, petition_id) VALUES (?, ?)`, caseID, pid); err != nil {
			return err
		}
	}
	return nil
}

func (db *CaseStore) caseEvent(ctx context.Context, tx *Tx, caseID int64, what string, data map[string]string) error {
	actor := xinfang.UserFromContext(ctx)
	if data == nil {
		data = map[string]string{}
	}
	for k, v := range data {
		if v == "" {
			delete(data, k)
		}
	}
	buf, err := json.Marshal(data)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO case_events (case_id, actor_id, actor_name, at, what, data) VALUES (?, ?, ?, ?, ?, ?)`,
		caseID, actor.ID, actor.Name, fmtTime(tx.now), what, string(buf))
	return err
}

// FindCaseEvents returns the history of a case in scope, oldest first.
func (db *CaseStore) FindCaseEvents(ctx context.Context, caseID int64) ([]*xinfang.CaseEvent, error) {
	if _, err := db.findCaseRow(ctx, db.rdb, caseID); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT id, case_id, actor_id, actor_name, at, what, data FROM case_events WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*xinfang.CaseEvent{}
	for rows.Next() {
		e := &xinfang.CaseEvent{}
		var at, data string
		if err := rows.Scan(&e.ID, &e.CaseID, &e.ActorID, &e.ActorName, &at, &e.What, &data); err != nil {
			return nil, err
		}
		e.At = parseTime(at)
		if err := json.Unmarshal([]byte(data), &e.Data); err != nil {
			return nil, fmt.Errorf("case event %d: %w", e.ID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// findCaseRow checks that a case is in scope, without its records.
func (db *CaseStore) findCaseRow(ctx context.Context, q rowQuerier, id int64) (*xinfang.Case, error) {
	scope, args, err := caseScope(ctx)
	if err != nil {
		return nil, err
	}
	c, err := scanCase(cq{db.core, q}.row(ctx, `SELECT `+caseCols+caseFrom+` WHERE c.id = ? AND `+scope, append([]any{db.today(), id}, args...)...), db.today())
	if err != nil {
		return nil, db.notFound(err, "积案不存在或无权查看")
	}
	return c, nil
}

// caseChange is one change of a case inside changeCase: it may write the
// case's records through tx and returns what it did for the history.
type caseChange func(tx *Tx, c *xinfang.Case) (what string, data map[string]string, err error)

var staleCase = &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该积案已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}

// changeCase applies fn to case id at the version the client read, in
// one transaction: the case and its records are loaded in scope, fn
// changes them, the version goes up by one and the change is appended to
// the case's history. A stale version writes nothing (ECONFLICT).
func (db *CaseStore) changeCase(ctx context.Context, id int64, version int, fn caseChange) (*xinfang.Case, error) {
	actor := xinfang.UserFromContext(ctx)
	if actor == nil {
		return nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	err := db.write(ctx, func(tx *Tx) error {
		c, err := db.findCase(ctx, tx, id)
		if err != nil {
			return err
		}
		if !canEditCase(actor, c) {
			return xinfang.Errorf(xinfang.EFORBIDDEN, "您无权办理该积案")
		}
		if c.Version != version {
			return staleCase
		}
		what, data, err := fn(tx, c)
		if err != nil {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE cases SET version = version + 1, updated_at = ? WHERE id = ? AND version = ?`, fmtTime(tx.now), id, version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return staleCase
		}
		return db.caseEvent(ctx, tx, id, what, data)
	})
	if err != nil {
		return nil, err
	}
	return db.FindCaseByID(ctx, id)
}

// UpdateCase changes the fields of a case.
func (db *CaseStore) UpdateCase(ctx context.Context, id int64, version int, u xinfang.CaseUpdate) (*xinfang.Case, error) {
	return db.changeCase(ctx, id, version, func(tx *Tx, c *xinfang.Case) (string, map[string]string, error) {
		changed := u.Apply(c)
		if err := c.Validate(); err != nil {
			return "", nil, err
		}
		if c.LeaderID == 0 {
			return "", nil, xinfang.FieldError("leader_id", "请指定包案领导")
		}
		path, numbers, err := db.checkCaseRefs(ctx, tx, c)
		if err != nil {
			return "", nil, err
		}
		if _, err := tx.exec(ctx, `UPDATE cases SET title = ?, source = ?, summary = ?, petitioners = ?, responsible_unit_id = ?, responsible_path = ?, leader_id = ?,
			stability_plan = ?, deadline = ?, tags = ? WHERE id = ?`,
			c.Title, c.Source, c.Summary, c.Petitioners, c.ResponsibleUnitID, path, nullID(c.LeaderID), c.StabilityPlan, c.Deadline, strings.Join(c.Tags, ","), c.ID); err != nil {
			return "", nil, err
		}
		if err := db.indexCase(ctx, tx, c); err != nil {
			return "", nil, err
		}
		if u.PetitionIDs != nil {
			if err := db.linkPetitions(ctx, tx, c.ID, c.PetitionIDs); err != nil {
				return "", nil, err
			}
		}
		names := make([]string, len(changed))
		for i, f := range changed {
			names[i] = xinfang.LabelOf(caseFieldLabels, f)
		}
		data := map[string]string{"fields": strings.Join(names, "、")}
		if u.Deadline != nil {
			data["deadline"] = c.Deadline
		}
		if u.LeaderID != nil {
			var name string
			tx.queryRow(ctx, `SELECT name FROM users WHERE id = ?`, c.LeaderID).Scan(&name)
			data["leader"] = name
		}
		if u.PetitionIDs != nil {
			data["petitions"] = numbers
		}
		return "update", data, nil
	})
}

// caseFieldLabels name the fields of a case in its history.
var caseFieldLabels = []xinfang.Label{
	{Code: "title", Label: "案件名称"}, {Code: "source", Label: "积案来源"}, {Code: "summary", Label: "基本案情"}, {Code: "petitioners", Label: "信访人"},
	{Code: "stability_plan", Label: "稳控方案"}, {Code: "deadline", Label: "化解时限"}, {Code: "responsible_unit_id", Label: "责任单位"},
	{Code: "leader_id", Label: "包案领导"}, {Code: "tags", Label: "化解方法"}, {Code: "petition_ids", Label: "关联信访件"},
}

// SetCaseTeam replaces the 工作专班 of a case.
func (db *CaseStore) SetCaseTeam(ctx context.Context, id int64, version int, team []xinfang.CaseMember) (*xinfang.Case, error) {
	return db.changeCase(ctx, id, version, func(tx *Tx, c *xinfang.Case) (string, map[string]string, error) {
		p := xinfang.Problems{}
		names := make([]string, 0, len(team))
		for i := range team {
			m := &team[i]
			m.Validate("team."+strconv.Itoa(i)+".", p)
			if m.UserID != 0 {
				var name string
				if err := tx.queryRow(ctx, `SELECT name FROM users WHERE id = ?`, m.UserID).Scan(&name); err != nil {
					p.Add("team."+strconv.Itoa(i)+".user_id", "人员不存在")
				} else if m.Name == "" {
					m.Name = name
				}
			}
			names = append(names, m.Name+"（"+m.Role+"）")
		}
		if err := p.Err(); err != nil {
			return "", nil, err
		}
		if _, err := tx.exec(ctx, `DELETE FROM case_members WHERE case_id = ?`, c.ID); err != nil {
			return "", nil, err
		}
		for _, m := range team {
			if _, err := tx.exec(ctx, `INSERT INTO case_members (case_id, user_id, name, role) VALUES (?, ?, ?, ?)`, c.ID, nullID(m.UserID), m.Name, m.Role); err != nil {
				return "", nil, err
			}
		}
		return "team", map[string]string{"team": strings.Join(names, "、")}, nil
	})
}

// ownerName resolves the owner of a step: a user's name, or the name typed.
func ownerName(ctx context.Context, tx *Tx, userID int64, typed, field string) (string, error) {
	if userID == 0 {
		return typed, nil
	}
	var name string
	if err := tx.queryRow(ctx, `SELECT name FROM users WHERE id = ?`, userID).Scan(&name); err != nil {
		return "", xinfang.FieldError(field, "人员不存在")
	}
	return name, nil
}

// SaveCaseStep adds a plan step (s.ID 0) or changes one. The first step
// of a case that has not started moves it to 化解中: a case with a plan is
// being resolved.
func (db *CaseStore) SaveCaseStep(ctx context.Context, id int64, version int, s *xinfang.PlanStep) (*xinfang.Case, error) {
	return db.changeCase(ctx, id, version, func(tx *Tx, c *xinfang.Case) (string, map[string]string, error) {
		if c.State == xinfang.CaseClosed {
			return "", nil, xinfang.Errorf(xinfang.ECONFLICT, "案件已销号，不能再修改化解方案")
		}
		if err := s.Validate(); err != nil {
			return "", nil, err
		}
		name, err := ownerName(ctx, tx, s.OwnerID, s.Owner, "owner_id")
		if err != nil {
			return "", nil, err
		}
		s.Owner = name
		data := map[string]string{"content": s.Content, "owner": s.Owner, "deadline": s.Deadline, "done_on": s.DoneOn, "evidence": s.Evidence}
		if s.ID == 0 {
			sid, err := tx.insert(ctx, `INSERT INTO case_steps (case_id, content, owner_id, owner, deadline, done_on, evidence) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				c.ID, s.Content, nullID(s.OwnerID), s.Owner, s.Deadline, s.DoneOn, s.Evidence)
			if err != nil {
				return "", nil, err
			}
			s.ID = sid
			if c.State == xinfang.CaseUnresolved {
				if _, err := tx.exec(ctx, `UPDATE cases SET state = ? WHERE id = ?`, string(xinfang.CaseResolving), c.ID); err != nil {
					return "", nil, err
				}
				data["state"] = xinfang.CaseResolving.Label()
			}
			return "step_add", data, nil
		}
		res, err := tx.exec(ctx, `UPDATE case_steps SET content = ?, owner_id = ?, owner = ?, deadline = ?, done_on = ?, evidence = ? WHERE id = ? AND case_id = ?`,
			s.Content, nullID(s.OwnerID), s.Owner, s.Deadline, s.DoneOn, s.Evidence, s.ID, c.ID)
		if err != nil {
			return "", nil, err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return "", nil, xinfang.Errorf(xinfang.ENOTFOUND, "方案步骤不存在")
		}
		data["step"] = itoa(s.ID)
		return "step_edit", data, nil
	})
}

// AddConsultation records a 会诊.
func (db *CaseStore) AddConsultation(ctx context.Context, id int64, version int, k *xinfang.Consultation) (*xinfang.Case, error) {
	return db.changeCase(ctx, id, version, func(tx *Tx, c *xinfang.Case) (string, map[string]string, error) {
		if err := k.Validate(); err != nil {
			return "", nil, err
		}
		att, err := json.Marshal(k.Attendees)
		if err != nil {
			return "", nil, err
		}
		if k.ID, err = tx.insert(ctx, `INSERT INTO case_consultations (case_id, held_on, attendees, findings, decisions) VALUES (?, ?, ?, ?, ?)`,
			c.ID, k.Date, string(att), k.Findings, k.Decisions); err != nil {
			return "", nil, err
		}
		names := make([]string, len(k.Attendees))
		for i, a := range k.Attendees {
			names[i] = a.Name + "（" + xinfang.LabelOf(xinfang.AttendeeKinds, a.Kind) + "）"
		}
		return "consultation", map[string]string{"date": k.Date, "attendees": strings.Join(names, "、"), "findings": k.Findings, "decisions": k.Decisions}, nil
	})
}

// AddProgress records a 进展报告 by the actor; the date defaults to today.
func (db *CaseStore) AddProgress(ctx context.Context, id int64, version int, r *xinfang.ProgressReport) (*xinfang.Case, error) {
	actor := xinfang.UserFromContext(ctx)
	return db.changeCase(ctx, id, version, func(tx *Tx, c *xinfang.Case) (string, map[string]string, error) {
		if r.Date == "" {
			r.Date = calendar.DateOf(tx.now).String()
		}
		if err := r.Validate(); err != nil {
			return "", nil, err
		}
		r.AuthorID, r.AuthorName = actor.ID, actor.Name
		var err error
		if r.ID, err = tx.insert(ctx, `INSERT INTO case_progress (case_id, reported_on, author_id, author_name, text) VALUES (?, ?, ?, ?, ?)`,
			c.ID, r.Date, actor.ID, actor.Name, r.Text); err != nil {
			return "", nil, err
		}
		return "progress", map[string]string{"date": r.Date, "text": r.Text}, nil
	})
}

// SetResolution records the resolution of a case: facts established, the
// problem solved or lawfully terminated, the petitioner's position and the
// follow-up visit. What is still missing is said when 已化解 is asked for.
func (db *CaseStore) SetResolution(ctx context.Context, id int64, version int, r xinfang.Resolution) (*xinfang.Case, error) {
	return db.changeCase(ctx, id, version, func(tx *Tx, c *xinfang.Case) (string, map[string]string, error) {
		if c.State == xinfang.CaseClosed {
			return "", nil, xinfang.Errorf(xinfang.ECONFLICT, "案件已销号，不能再修改化解情况")
		}
		if err := r.Validate(); err != nil {
			return "", nil, err
		}
		f := r.Followup
		if _, err := tx.exec(ctx, `UPDATE cases SET facts = ?, solution = ?, solution_text = ?, petitioner_position = ?,
			followup_date = ?, followup_by = ?, followup_how = ?, followup_mood = ?, followup_settled = ? WHERE id = ?`,
			r.Facts, r.Solution, r.SolutionText, r.PetitionerPosition, f.Date, f.By, f.How, f.Mood, b2i(f.Settled), c.ID); err != nil {
			return "", nil, err
		}
		settled := ""
		if f.Date != "" {
			settled = "否"
			if f.Settled {
				settled = "是"
			}
		}
		return "resolution", map[string]string{"facts": r.Facts, "solution": xinfang.LabelOf(xinfang.Solutions, r.Solution), "solution_text": r.SolutionText,
			"petitioner_position": r.PetitionerPosition, "followup_date": f.Date, "followup_by": f.By, "followup_how": f.How, "followup_mood": f.Mood,
			"followup_settled": settled}, nil
	})
}

// SignOffCase records the 包案领导's signature on a resolved case. Only the
// case's own leader may sign.
func (db *CaseStore) SignOffCase(ctx context.Context, id int64, version int, note string) (*xinfang.Case, error) {
	actor := xinfang.UserFromContext(ctx)
	return db.changeCase(ctx, id, version, func(tx *Tx, c *xinfang.Case) (string, map[string]string, error) {
		if err := xinfang.CheckSignOff(c, actor); err != nil {
			return "", nil, err
		}
		note = strings.TrimSpace(note)
		if _, err := tx.exec(ctx, `UPDATE cases SET signed_by = ?, signed_at = ?, sign_note = ? WHERE id = ?`, actor.ID, fmtTime(tx.now), note, c.ID); err != nil {
			return "", nil, err
		}
		return "sign_off", map[string]string{"by": actor.Name, "note": note}, nil
	})
}

// ActCase moves a case by one transition (start, resolve, close, reopen)
// under the closure rule of xinfang.CheckTransition. Reopening clears the
// leader's signature: it signed a resolution that no longer stands.
func (db *CaseStore) ActCase(ctx context.Context, id int64, version int, action, note string) (*xinfang.Case, error) {
	return db.changeCase(ctx, id, version, func(tx *Tx, c *xinfang.Case) (string, map[string]string, error) {
		to, err := xinfang.CheckTransition(c, action)
		if err != nil {
			return "", nil, err
		}
		q := `UPDATE cases SET state = ? WHERE id = ?`
		if action == "reopen" {
			q = `UPDATE cases SET state = ?, signed_by = NULL, signed_at = '', sign_note = '' WHERE id = ?`
		}
		if _, err := tx.exec(ctx, q, string(to), c.ID); err != nil {
			return "", nil, err
		}
		return action, map[string]string{"from": c.State.Label(), "to": to.Label(), "note": strings.TrimSpace(note)}, nil
	})
}

// AddCaseTask splits a case into one more task (三跨三分离).
func (db *CaseStore) AddCaseTask(ctx context.Context, id int64, version int, t *xinfang.Task) (*xinfang.Case, error) {
	return db.changeCase(ctx, id, version, func(tx *Tx, c *xinfang.Case) (string, map[string]string, error) {
		if c.State.Done() {
			return "", nil, xinfang.Errorf(xinfang.ECONFLICT, "案件已化解，不能再拆分任务")
		}
		t.CaseID, t.PetitionID = c.ID, 0
		if err := db.insertTask(ctx, tx, t); err != nil {
			return "", nil, err
		}
		return "task_add", taskData(t), nil
	})
}

// ChangeCaseTask finishes, releases (with a reason) or reopens a task of
// a case.
func (db *CaseStore) ChangeCaseTask(ctx context.Context, id int64, version int, taskID int64, ch xinfang.TaskChange) (*xinfang.Case, error) {
	return db.changeCase(ctx, id, version, func(tx *Tx, c *xinfang.Case) (string, map[string]string, error) {
		var t *xinfang.Task
		for _, x := range c.Tasks {
			if x.ID == taskID {
				t = x
			}
		}
		if t == nil {
			return "", nil, xinfang.Errorf(xinfang.ENOTFOUND, "任务不存在")
		}
		if ch.State == xinfang.TaskOpen && c.State.Done() {
			return "", nil, xinfang.Errorf(xinfang.ECONFLICT, "案件已化解，不能重新打开任务")
		}
		if err := db.updateTask(ctx, tx, t, ch); err != nil {
			return "", nil, err
		}
		return "task_edit", taskData(t), nil
	})
}

func taskData(t *xinfang.Task) map[string]string {
	return map[string]string{"task": itoa(t.ID), "kind": xinfang.LabelOf(xinfang.TaskKinds, t.Kind), "title": t.Title, "owner_unit": t.OwnerUnitName,
		"owner_user": t.OwnerUserName, "deadline": t.Deadline, "state": xinfang.LabelOf(xinfang.TaskStates, t.State), "release_reason": t.ReleaseReason, "done_note": t.DoneNote}
}

func (db *CaseStore) insertTask(ctx context.Context, tx *Tx, t *xinfang.Task) error {
	if err := t.Validate(); err != nil {
		return err
	}
	p := xinfang.Problems{}
	if t.OwnerUnitID != 0 {
		if err := tx.queryRow(ctx, `SELECT name FROM units WHERE id = ?`, t.OwnerUnitID).Scan(&t.OwnerUnitName); err != nil {
			p.Add("owner_unit_id", "责任单位不存在")
		}
	}
	if t.OwnerUserID != 0 {
		if err := tx.queryRow(ctx, `SELECT name FROM users WHERE id = ?`, t.OwnerUserID).Scan(&t.OwnerUserName); err != nil {
			p.Add("owner_user_id", "责任人不存在")
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	t.State, t.Version, t.CreatedAt, t.UpdatedAt = xinfang.TaskOpen, 1, tx.now, tx.now
	id, err := tx.insert(ctx, `INSERT INTO tasks (case_id, petition_id, version, kind, title, owner_unit_id, owner_user_id, deadline, state, created_at, updated_at)
		VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)`, nullID(t.CaseID), nullID(t.PetitionID), t.Kind, t.Title, nullID(t.OwnerUnitID), nullID(t.OwnerUserID),
		t.Deadline, t.State, fmtTime(tx.now), fmtTime(tx.now))
	t.ID = id
	return err
}

// updateTask applies ch to t and stores it at t's version.
func (db *CaseStore) updateTask(ctx context.Context, tx *Tx, t *xinfang.Task, ch xinfang.TaskChange) error {
	if err := t.Apply(ch); err != nil {
		return err
	}
	res, err := tx.exec(ctx, `UPDATE tasks SET state = ?, release_reason = ?, done_note = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		t.State, t.ReleaseReason, t.DoneNote, fmtTime(tx.now), t.ID, t.Version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该任务已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
	}
	t.Version++
	t.UpdatedAt = tx.now
	return nil
}

// FindPetitionTasks returns the 三跨三分离 tasks of a petition in scope.
func (db *CaseStore) FindPetitionTasks(ctx context.Context, petitionID int64) ([]*xinfang.Task, error) {
	if _, err := db.findPetition(ctx, db.rdb, petitionID); err != nil {
		return nil, err
	}
	return db.tasks(ctx, cq{db.core, db.rdb}, "t.petition_id = ?", petitionID)
}

// AddPetitionTask splits a petition in scope into one more task.
func (db *CaseStore) AddPetitionTask(ctx context.Context, petitionID int64, t *xinfang.Task) error {
	if err := requireRole(ctx, caseEditors...); err != nil {
		return err
	}
	return db.write(ctx, func(tx *Tx) error {
		p, err := db.findPetition(ctx, tx, petitionID)
		if err != nil {
			return err
		}
		if p.State.Closed() {
			return xinfang.Errorf(xinfang.ECONFLICT, "信访件已%s，不能再拆分任务", p.State.Label())
		}
		t.PetitionID, t.CaseID = petitionID, 0
		return db.insertTask(ctx, tx, t)
	})
}

// ChangePetitionTask finishes, releases or reopens a task of a petition in
// scope, at the task's version.
func (db *CaseStore) ChangePetitionTask(ctx context.Context, petitionID, taskID int64, version int, ch xinfang.TaskChange) (*xinfang.Task, error) {
	if err := requireRole(ctx, caseEditors...); err != nil {
		return nil, err
	}
	var out *xinfang.Task
	err := db.write(ctx, func(tx *Tx) error {
		if _, err := db.findPetition(ctx, tx, petitionID); err != nil {
			return err
		}
		list, err := db.tasks(ctx, cq{db.core, tx}, "t.petition_id = ? AND t.id = ?", petitionID, taskID)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return xinfang.Errorf(xinfang.ENOTFOUND, "任务不存在")
		}
		t := list[0]
		if t.Version != version {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该任务已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
		}
		if err := db.updateTask(ctx, tx, t, ch); err != nil {
			return err
		}
		out = t
		return nil
	})
	return out, err
}

// OpenTasks returns the number of open 三跨三分离 tasks of a petition: the
// petition cannot be concluded (办结) while it is not zero.
func (db *CaseStore) OpenTasks(ctx context.Context, petitionID int64) (int, error) {
	return db.openTasks(ctx, db.rdb, petitionID)
}

func (db *core) openTasks(ctx context.Context, q rowQuerier, petitionID int64) (int, error) {
	var n int
	err := cq{db, q}.row(ctx, `SELECT COUNT(*) FROM tasks WHERE petition_id = ? AND state = 'open'`, petitionID).Scan(&n)
	return n, err
}

// ConcludeAllowed refuses the conclusion (办结) of a petition while one of
// its tasks is open: "the whole concludes only when every task is done or
// released with a reason". Call it inside the acting transaction (q = tx).
func (db *CaseStore) ConcludeAllowed(ctx context.Context, q rowQuerier, petitionID int64) error {
	return db.concludeAllowed(ctx, q, petitionID)
}

func (db *core) concludeAllowed(ctx context.Context, q rowQuerier, petitionID int64) error {
	n, err := db.openTasks(ctx, q, petitionID)
	if err != nil {
		return err
	}
	if n > 0 {
		msg := fmt.Sprintf("尚有 %d 项三跨三分离任务未办结：每项任务须办结或写明理由解除，信访件方可办结", n)
		return &xinfang.Error{Code: xinfang.EINVALID, Message: "不能办结：" + msg, Fields: map[string]string{"tasks": msg}}
	}
	return nil
}

// AddInstruction records a leader's 批示 on a case or a petition the
// leader can see. It returns the users it reaches (InstructionRecipients).
func (db *CaseStore) AddInstruction(ctx context.Context, in *xinfang.Instruction) ([]int64, error) {
	actor := xinfang.UserFromContext(ctx)
	if err := requireRole(ctx, xinfang.RoleLeader); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if (in.CaseID == 0) == (in.PetitionID == 0) {
		return nil, xinfang.FieldError("case_id", "批示须针对一件积案或一件信访件")
	}
	var recipients []int64
	err := db.write(ctx, func(tx *Tx) error {
		var what string // the number and title, for the message
		if in.CaseID != 0 {
			c, err := db.findCase(ctx, tx, in.CaseID)
			if err != nil {
				return err
			}
			what = c.Number + " " + c.Title
		} else {
			p, err := db.findPetition(ctx, tx, in.PetitionID)
			if err != nil {
				return err
			}
			what = p.Number
			if p.Purpose != xinfang.PurposeAccusation {
				what += " " + p.Summary
			}
		}
		p := xinfang.Problems{}
		for _, id := range in.ToUsers {
			var n int
			if tx.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE id = ?`, id).Scan(&n); n == 0 {
				p.Add("to_users", "人员 #"+itoa(id)+" 不存在")
			}
		}
		for _, id := range in.ToUnits {
			var n int
			if tx.queryRow(ctx, `SELECT COUNT(*) FROM units WHERE id = ?`, id).Scan(&n); n == 0 {
				p.Add("to_units", "单位 #"+itoa(id)+" 不存在")
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		in.AuthorID, in.AuthorName, in.At = actor.ID, actor.Name, tx.now
		id, err := tx.insert(ctx, `INSERT INTO instructions (case_id, petition_id, author_id, author_name, text, at, to_users, to_units) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			nullID(in.CaseID), nullID(in.PetitionID), actor.ID, actor.Name, in.Text, fmtTime(tx.now), joinIDs(in.ToUsers), joinIDs(in.ToUnits))
		if err != nil {
			return err
		}
		in.ID = id
		if in.CaseID != 0 {
			// A 批示 is part of the case's history; it does not change the
			// case's version, so nobody's open form goes stale by it.
			if err := db.caseEvent(ctx, tx, in.CaseID, "instruction", map[string]string{"by": actor.Name, "text": in.Text}); err != nil {
				return err
			}
		}
		if recipients, err = db.instructionRecipients(ctx, cq{db.core, tx}, in); err != nil {
			return err
		}
		// It reaches them in their inbox (站内消息), written with the 批示.
		subject, link, kind, item := "领导批示：积案 "+what, "/cases/"+itoa(in.CaseID), "case", in.CaseID
		if in.PetitionID != 0 {
			subject, link, kind, item = "领导批示：信访件 "+what, "/petitions/"+itoa(in.PetitionID)+"/tasks", "petition", in.PetitionID
		}
		notes := make([]*xinfang.Notification, len(recipients))
		for i, uid := range recipients {
			notes[i] = &xinfang.Notification{UserID: uid, Kind: xinfang.NoteInstruction, Subject: subject, Body: actor.Name + "：" + in.Text, Link: link,
				ItemKind: kind, ItemID: item, DedupeKey: fmt.Sprintf("instruction:%d:u%d", in.ID, uid)}
		}
		_, err = db.insertNotes(ctx, tx, notes)
		return err
	})
	return recipients, err
}

// FindPetitionInstructions returns the 批示 on a petition in scope.
func (db *CaseStore) FindPetitionInstructions(ctx context.Context, petitionID int64) ([]*xinfang.Instruction, error) {
	if _, err := db.findPetition(ctx, db.rdb, petitionID); err != nil {
		return nil, err
	}
	return db.instructions(ctx, cq{db.core, db.rdb}, "petition_id = ?", petitionID)
}

// InstructionRecipients returns the ids of the users an instruction
// reaches: the users and the users of the units it names, and the people
// responsible — for a case its 包案领导, team members and the owners of its
// steps and tasks; for a petition the users of its handling unit (or of
// the registering unit while it has none) and the owners of its tasks.
// The author is left out. A notification inbox calls this to deliver it.
func (db *CaseStore) InstructionRecipients(ctx context.Context, in *xinfang.Instruction) ([]int64, error) {
	return db.instructionRecipients(ctx, cq{db.core, db.rdb}, in)
}

func (db *CaseStore) instructionRecipients(ctx context.Context, r cq, in *xinfang.Instruction) ([]int64, error) {
	set := map[int64]bool{}
	collect := func(q string, args ...any) error {
		rows, err := r.rows(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			set[id] = true
		}
		return rows.Err()
	}
	for _, id := range in.ToUsers {
		set[id] = true
	}
	for _, id := range in.ToUnits {
		if err := collect(`SELECT id FROM users WHERE unit_id = ? AND disabled = 0`, id); err != nil {
			return nil, err
		}
	}
	if in.CaseID != 0 {
		for _, q := range []string{
			`SELECT leader_id FROM cases WHERE id = ? AND leader_id IS NOT NULL`,
			`SELECT user_id FROM case_members WHERE case_id = ? AND user_id IS NOT NULL`,
			`SELECT owner_id FROM case_steps WHERE case_id = ? AND owner_id IS NOT NULL`,
			`SELECT owner_user_id FROM tasks WHERE case_id = ? AND owner_user_id IS NOT NULL`,
		} {
			if err := collect(q, in.CaseID); err != nil {
				return nil, err
			}
		}
	}
	if in.PetitionID != 0 {
		if err := collect(`SELECT u.id FROM users u JOIN petitions p ON u.unit_id = COALESCE(p.handling_unit_id, p.reg_unit_id) WHERE p.id = ? AND u.disabled = 0`, in.PetitionID); err != nil {
			return nil, err
		}
		if err := collect(`SELECT owner_user_id FROM tasks WHERE petition_id = ? AND owner_user_id IS NOT NULL`, in.PetitionID); err != nil {
			return nil, err
		}
	}
	delete(set, in.AuthorID)
	out := make([]int64, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

// caseSevere is the day after which a deadline set at start is 严重超期:
// overdue by the deadline's own length again (at least one day), as for
// the statutory clocks.
func caseSevere(start, due string) string {
	d, err := calendar.ParseDate(due)
	if err != nil {
		return ""
	}
	period := 1
	if s, err := calendar.ParseDate(start); err == nil && d.Sub(s) > 1 {
		period = d.Sub(s)
	}
	return d.AddDays(period).String()
}

// LeaderCases returns the cases the signed-in user leads (包案), those
// still running first, each with its late items and its next steps.
func (db *CaseStore) LeaderCases(ctx context.Context) ([]*xinfang.LeaderCase, error) {
	actor := xinfang.UserFromContext(ctx)
	if actor == nil {
		return nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	list, _, err := db.FindCases(ctx, xinfang.CaseFilter{LeaderID: actor.ID, Limit: -1})
	if err != nil {
		return nil, err
	}
	today := db.today()
	out := []*xinfang.LeaderCase{}
	for _, row := range list {
		c, err := db.FindCaseByID(ctx, row.ID)
		if err != nil {
			return nil, err
		}
		lc := &xinfang.LeaderCase{Case: c, Late: []xinfang.LeaderItem{}, Next: []xinfang.LeaderItem{}, Open: []*xinfang.Task{}}
		if c.Overdue {
			lc.Late = append(lc.Late, xinfang.LeaderItem{Kind: "case", ID: c.ID, Text: "化解时限已过，案件仍" + c.State.Label(), Deadline: c.Deadline})
		}
		for _, s := range c.Plan {
			switch {
			case s.Late(today):
				lc.Late = append(lc.Late, xinfang.LeaderItem{Kind: "step", ID: s.ID, Text: s.Content, Owner: s.Owner, Deadline: s.Deadline})
			case s.DoneOn == "" && len(lc.Next) < 3:
				lc.Next = append(lc.Next, xinfang.LeaderItem{Kind: "step", ID: s.ID, Text: s.Content, Owner: s.Owner, Deadline: s.Deadline})
			}
		}
		for _, t := range c.Tasks {
			if !t.Open() {
				continue
			}
			lc.Open = append(lc.Open, t)
			if t.Late(today) {
				owner := t.OwnerUserName
				if owner == "" {
					owner = t.OwnerUnitName
				}
				lc.Late = append(lc.Late, xinfang.LeaderItem{Kind: "task", ID: t.ID, Text: t.Title, Owner: owner, Deadline: t.Deadline})
			}
		}
		if n := len(c.Progress); n > 0 {
			lc.Last = c.Progress[n-1]
		}
		out = append(out, lc)
	}
	sort.SliceStable(out, func(i, j int) bool {
		di, dj := out[i].Case.State.Done(), out[j].Case.State.Done()
		if di != dj {
			return !di
		}
		return len(out[i].Late) > len(out[j].Late)
	})
	return out, nil
}

// CaseUsers lists the active staff a case may name, leaders first. Any
// signed-in user may read it: names and units of colleagues only.
func (db *CaseStore) CaseUsers(ctx context.Context) ([]xinfang.CaseUser, error) {
	if xinfang.UserFromContext(ctx) == nil {
		return nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	rows, err := db.query(ctx, `SELECT u.id, u.name, n.name, u.roles FROM users u JOIN units n ON n.id = u.unit_id WHERE u.disabled = 0 ORDER BY n.path, u.name, u.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []xinfang.CaseUser{}
	for rows.Next() {
		var u xinfang.CaseUser
		var roles string
		if err := rows.Scan(&u.ID, &u.Name, &u.UnitName, &roles); err != nil {
			return nil, err
		}
		if roles == string(xinfang.RoleAdmin) || roles == string(xinfang.RoleAuditor) {
			continue // they do no case work
		}
		u.Leader = strings.Contains(","+roles+",", ","+string(xinfang.RoleLeader)+",")
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Leader && !out[j].Leader })
	return out, nil
}
