package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
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

// Cases are searchable beside petitions, within the case scope.
func init() {
	registerSearchKind(xinfang.SearchCase, "JOIN cases c ON c.id = d.ref_id", "c.number || ' ' || c.title", "c.created_at DESC, c.id DESC", caseScope)
}

// indexCase writes the case's full-text document: number, title, summary
// and petitioners.
func (db *CaseStore) indexCase(ctx context.Context, tx *Tx, c *xinfang.Case) error {
	return db.indexSearchDoc(ctx, tx, xinfang.SearchCase, c.ID, strings.Join([]string{c.Number, c.Title, c.Summary, c.Petitioners}, " "))
}

var caseCols = `c.id, c.number, c.version, c.title, c.source, c.summary, c.petitioners, c.responsible_unit_id, ru.name, COALESCE(c.leader_id, 0), COALESCE(lu.name, ''),
	c.stability_plan, c.deadline, c.tags, c.state, c.facts, c.solution, c.solution_text, c.petitioner_position,
	c.followup_date, c.followup_by, c.followup_how, c.followup_mood, c.followup_settled,
	COALESCE(c.signed_by, 0), COALESCE(su.name, ''), c.signed_at, c.sign_note, c.created_by, c.created_at, c.updated_at,
	(SELECT COUNT(*) FROM case_steps x WHERE x.case_id = c.id),
	(SELECT COUNT(*) FROM case_steps x WHERE x.case_id = c.id AND x.done_on <> ''),
	(SELECT COUNT(*) FROM case_steps x WHERE x.case_id = c.id AND x.done_on = '' AND x.deadline <> '' AND x.deadline < ?),
	(SELECT COUNT(*) FROM tasks x WHERE x.case_id = c.id AND x.state IN ` + openTaskState + `)`

const caseFrom = ` FROM cases c
	JOIN units ru ON ru.id = c.responsible_unit_id
	LEFT JOIN users lu ON lu.id = c.leader_id
	LEFT JOIN users su ON su.id = c.signed_by`

func scanCase(s interface{ Scan(...any) error }, today calendar.Date) (*xinfang.Case, error) {
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
	c.Tags = splitList[xinfang.CaseTag](tags)
	if signedBy != 0 {
		c.SignOff = &xinfang.SignOff{ByID: signedBy, ByName: signedName, At: parseTime(signedAt), Note: signNote}
	}
	c.CreatedAt, c.UpdatedAt = parseTime(created), parseTime(updated)
	c.Overdue = c.IsOverdue(today)
	c.PetitionIDs, c.Team, c.Plan, c.Consultations, c.Progress, c.Tasks, c.Instructions =
		[]int64{}, []xinfang.CaseMember{}, []*xinfang.PlanStep{}, []*xinfang.Consultation{}, []*xinfang.ProgressReport{}, []*xinfang.Task{}, []*xinfang.Instruction{}
	return c, nil
}

// splitList reads a comma-separated column into its codes.
func splitList[T ~string](s string) []T {
	out := []T{}
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, T(x))
		}
	}
	return out
}

// joinList is the stored form of a list of codes: joined by commas.
func joinList[T ~string](list []T) string {
	s := make([]string, len(list))
	for i, c := range list {
		s[i] = string(c)
	}
	return strings.Join(s, ",")
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
	for _, x := range splitList[string](s) {
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

// findCase loads a case within the actor's scope with all its records.
func (db *CaseStore) findCase(ctx context.Context, q rowQuerier, id int64) (*xinfang.Case, error) {
	scope, args, err := caseScope(ctx)
	if err != nil {
		return nil, err
	}
	r := cq{db.core, q}
	c, err := scanCase(r.row(ctx, `SELECT `+caseCols+caseFrom+` WHERE c.id = ? AND `+scope, append([]any{db.todayDate(), id}, args...)...), db.todayDate())
	if err != nil {
		return nil, db.notFound(err, "积案不存在或无权查看")
	}
	if err := db.loadCaseRecords(ctx, r, c); err != nil {
		return nil, err
	}
	return c, nil
}

// FindCaseByID returns one case in scope with its records, read as one
// view: the case and its seven kinds of record are of the same moment.
func (db *CaseStore) FindCaseByID(ctx context.Context, id int64) (*xinfang.Case, error) {
	var c *xinfang.Case
	err := db.read(ctx, func(q rowQuerier) error {
		var err error
		if c, err = db.findCase(ctx, q, id); err != nil {
			return err
		}
		return db.stripCasesForReader(ctx, q, c)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// FindCaseByNumber returns one backlog case in scope by its number
// (JZ-JA-2026-0001), as FindCaseByID does.
func (db *CaseStore) FindCaseByNumber(ctx context.Context, number string) (*xinfang.Case, error) {
	var id int64
	if err := db.queryRow(ctx, `SELECT id FROM cases WHERE number = ?`, strings.ToUpper(strings.TrimSpace(number))).Scan(&id); err != nil {
		return nil, db.notFound(err, "积案不存在或无权查看")
	}
	return db.FindCaseByID(ctx, id)
}

func (db *CaseStore) loadCaseRecords(ctx context.Context, r cq, c *xinfang.Case) error {
	// Linked petitions: the reader sees number and summary of those in
	// his own petition scope, and only that others exist.
	rows, err := r.rows(ctx, `SELECT petition_id FROM case_petitions WHERE case_id = ? ORDER BY petition_id`, c.ID)
	if c.PetitionIDs, err = scanAll(rows, err, scanID); err != nil {
		return err
	}
	if len(c.PetitionIDs) > 0 {
		scope, args, err := petitionScope(ctx)
		if err != nil {
			return err
		}
		rows, err := r.rows(ctx, `SELECT p.id, p.number, p.summary, p.state FROM petitions p JOIN case_petitions cp ON cp.petition_id = p.id
			WHERE cp.case_id = ? AND `+scope, append([]any{c.ID}, args...)...)
		seen, err := scanAll(rows, err, func(r scanner) (*xinfang.CasePetition, error) {
			p := &xinfang.CasePetition{}
			var st string
			err := r.Scan(&p.ID, &p.Number, &p.Summary, &st)
			p.State = xinfang.State(st)
			return p, err
		})
		if err != nil {
			return err
		}
		for _, id := range c.PetitionIDs {
			i := slices.IndexFunc(seen, func(p *xinfang.CasePetition) bool { return p.ID == id })
			if i >= 0 {
				c.Petitions = append(c.Petitions, seen[i])
			} else {
				c.Petitions = append(c.Petitions, &xinfang.CasePetition{ID: id, Hidden: true})
			}
		}
	}

	rows, err = r.rows(ctx, `SELECT m.id, COALESCE(m.user_id, 0), m.name, m.role FROM case_members m WHERE m.case_id = ? ORDER BY m.id`, c.ID)
	if c.Team, err = scanAll(rows, err, func(r scanner) (xinfang.CaseMember, error) {
		var m xinfang.CaseMember
		err := r.Scan(&m.ID, &m.UserID, &m.Name, &m.Role)
		return m, err
	}); err != nil {
		return err
	}

	rows, err = r.rows(ctx, `SELECT id, content, COALESCE(owner_id, 0), owner, deadline, done_on, evidence FROM case_steps WHERE case_id = ? ORDER BY deadline, id`, c.ID)
	if c.Plan, err = scanAll(rows, err, func(r scanner) (*xinfang.PlanStep, error) {
		s := &xinfang.PlanStep{}
		err := r.Scan(&s.ID, &s.Content, &s.OwnerID, &s.Owner, &s.Deadline, &s.DoneOn, &s.Evidence)
		return s, err
	}); err != nil {
		return err
	}

	rows, err = r.rows(ctx, `SELECT id, held_on, attendees, findings, decisions FROM case_consultations WHERE case_id = ? ORDER BY held_on, id`, c.ID)
	if c.Consultations, err = scanAll(rows, err, func(r scanner) (*xinfang.Consultation, error) {
		k := &xinfang.Consultation{}
		var att string
		if err := r.Scan(&k.ID, &k.Date, &att, &k.Findings, &k.Decisions); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(att), &k.Attendees); err != nil {
			return nil, fmt.Errorf("consultation %d attendees: %w", k.ID, err)
		}
		return k, nil
	}); err != nil {
		return err
	}

	rows, err = r.rows(ctx, `SELECT id, reported_on, author_id, author_name, text FROM case_progress WHERE case_id = ? ORDER BY reported_on, id`, c.ID)
	if c.Progress, err = scanAll(rows, err, func(r scanner) (*xinfang.ProgressReport, error) {
		p := &xinfang.ProgressReport{}
		err := r.Scan(&p.ID, &p.Date, &p.AuthorID, &p.AuthorName, &p.Text)
		return p, err
	}); err != nil {
		return err
	}

	if c.Tasks, err = db.tasks(ctx, r, "t.case_id = ?", c.ID); err != nil {
		return err
	}
	if c.Instructions, err = db.instructions(ctx, r, "case_id = ?", c.ID); err != nil {
		return err
	}
	return nil
}

// FindCases lists the cases in scope with filters, and the total count.
// Limit -1 returns every match (exports).
func (db *CaseStore) FindCases(ctx context.Context, f xinfang.CaseFilter) ([]*xinfang.Case, int, error) {
	scope, sargs, err := caseScope(ctx)
	if err != nil {
		return nil, 0, err
	}
	today := db.todayDate()
	w := newConds(scope, sargs)
	if f.LeaderID != 0 {
		w.and("c.leader_id = ?", f.LeaderID)
	}
	if f.UnitID != 0 {
		u, err := db.findUnit(ctx, f.UnitID)
		if err != nil {
			return nil, 0, db.notFoundField(err, "unit_id", "单位不存在")
		}
		w.clause(subtree(u.Path, "c.responsible_path"))
	}
	if f.Source != "" {
		w.and("c.source = ?", f.Source)
	}
	if len(f.State) > 0 {
		w.clause(inList("c.state", f.State))
	}
	if f.Overdue != nil {
		overdue := "(c.deadline <> '' AND c.deadline < ? AND c.state IN " + runningCaseStates + ")"
		if *f.Overdue {
			w.and(overdue, today)
		} else {
			w.and("NOT "+overdue, today)
		}
	}
	caseDated(w, f.Dated)
	if q := strings.TrimSpace(f.Text); q != "" {
		like := "%" + escapeLike(strings.ToLower(q)) + "%"
		names, nargs := `LOWER(c.petitioners) LIKE ? ESCAPE '\'`, []any{like}
		if u := xinfang.UserFromContext(ctx); xinfang.OutsideReader(u) {
			// An expert or an observer does not find a case by the names
			// he does not read (stripCasesForReader).
			names += ` AND EXISTS (SELECT 1 FROM assignments ia WHERE ia.case_id = c.id AND ia.user_id = ? AND ia.ended_at = '' AND ia.role IN ` + identityRoles() + `)`
			nargs = append(nargs, u.ID)
		}
		w.and(`(LOWER(c.title) LIKE ? ESCAPE '\' OR LOWER(c.number) LIKE ? ESCAPE '\' OR (`+names+`) OR LOWER(c.summary) LIKE ? ESCAPE '\')`, append(append([]any{like, like}, nargs...), like)...)
	}
	limit, err := pageLimit(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, err
	}
	// The count, then the page's ids in order, on the cases' own columns
	// (a city has thousands of cases, not millions), in one view; only
	// the page's rows then get the joins and the counts of plan steps.
	// Open cases first — the overdue among them first, as their deadlines
	// come first — then those resolved, then those struck off.
	order := ` ORDER BY CASE c.state WHEN '` + string(xinfang.CaseClosed) + `' THEN 2 WHEN '` + string(xinfang.CaseResolved) + `' THEN 1 ELSE 0 END, c.deadline = '', c.deadline, c.id`
	var ids []int64
	total := 0
	err = db.read(ctx, func(q rowQuerier) error {
		r := cq{db.core, q}
		page, args := "", w.args
		if f.Limit != -1 {
			if err := r.row(ctx, `SELECT COUNT(*) FROM cases c WHERE `+w.where(), w.args...).Scan(&total); err != nil {
				return err
			}
			page, args = ` LIMIT ? OFFSET ?`, append(append([]any(nil), w.args...), limit, f.Offset)
		}
		rows, err := r.rows(ctx, `SELECT c.id FROM cases c WHERE `+w.where()+order+page, args...)
		ids, err = scanAll(rows, err, func(r scanner) (int64, error) {
			var id int64
			return id, r.Scan(&id)
		})
		if f.Limit == -1 {
			total = len(ids)
		}
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	if len(ids) == 0 {
		return []*xinfang.Case{}, total, nil
	}
	byID := make(map[int64]*xinfang.Case, len(ids))
	for from := 0; from < len(ids); from += 500 {
		part := ids[from:min(from+500, len(ids))]
		rows, err := db.query(ctx, `SELECT `+caseCols+caseFrom+` WHERE c.id IN (`+placeholders(len(part))+`)`, append([]any{today}, idArgs(part)...)...)
		got, err := scanAll(rows, err, func(r scanner) (*xinfang.Case, error) { return scanCase(r, today) })
		if err != nil {
			return nil, 0, err
		}
		if err := db.stripCasesForReader(ctx, db.pool(), got...); err != nil {
			return nil, 0, err
		}
		for _, c := range got {
			byID[c.ID] = c
		}
	}
	return inOrder(ids, byID), total, nil
}

// checkCaseRefs checks that the unit, the leader and the petitions a case
// names exist and that the actor may link them.
func (db *CaseStore) checkCaseRefs(ctx context.Context, tx *Tx, c *xinfang.Case) (unitPath string, numbers string, err error) {
	p := xinfang.Problems{}
	r := cq{db.core, tx}
	if c.ResponsibleUnitID > 0 {
		var disabled bool
		if err := r.row(ctx, `SELECT path, disabled FROM units WHERE id = ?`, c.ResponsibleUnitID).Scan(&unitPath, &disabled); err != nil {
			p.Add("responsible_unit_id", "责任单位不存在")
		} else if disabled {
			p.Add("responsible_unit_id", "责任单位已停用")
		}
	}
	if c.LeaderID != 0 {
		var roles string
		if err := r.row(ctx, `SELECT roles FROM users WHERE id = ? AND disabled = 0`, c.LeaderID).Scan(&roles); err != nil {
			p.Add("leader_id", "包案领导不存在")
		} else if !xinfang.CanLeadCase(&xinfang.User{ID: c.LeaderID, Roles: parseRoles(roles)}) {
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
		pt, err := db.findPetition(ctx, tx, id)
		if err := problem(p, err, "petition_ids", "信访件 #"+itoa(id)+" 不存在或无权查看"); err != nil {
			return "", "", err
		}
		if err == nil {
			nums = append(nums, pt.Number)
		}
		ids = append(ids, id)
	}
	c.PetitionIDs = ids
	return unitPath, strings.Join(nums, "、"), p.Err()
}

// CreateCase registers a backlog case: a gap-free number of the actor's
// unit and year ({unit}-JA-{year}-{seq}), its links to petitions, its
// 工作专班 (c.Team) and the create event, in one transaction: a case
// refused for any of them leaves nothing behind, not even its number.
func (db *CaseStore) CreateCase(ctx context.Context, c *xinfang.Case) error {
	return db.createCase(ctx, c, nil)
}

// createCase is CreateCase, running also (a screening report's link to
// the new case) in its transaction when set.
func (db *CaseStore) createCase(ctx context.Context, c *xinfang.Case, also func(tx *Tx, id int64) error) error {
	actor, err := allow(ctx, mayFileCase)
	if err != nil {
		return err
	}
	if actor.Unit == nil {
		return xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	if err := c.Validate(db.todayDate()); err != nil {
		return err
	}
	c.State = xinfang.CaseUnresolved
	if c.LeaderID == 0 {
		return xinfang.FieldError("leader_id", "请指定包案领导")
	}
	return db.write(ctx, func(tx *Tx) error { return db.createCaseIn(ctx, tx, actor, c, also) })
}

// createCaseIn is CreateCase's transaction, for a write that files a case
// with its own change (a follow-up visit that finds the matter unsettled),
// running also (a screening report's link to the new case) in it when set.
func (db *CaseStore) createCaseIn(ctx context.Context, tx *Tx, actor *xinfang.User, c *xinfang.Case, also func(tx *Tx, id int64) error) error {
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
		c.StabilityPlan, c.Deadline, joinList(c.Tags), string(c.State), actor.ID, fmtTime(tx.now), fmtTime(tx.now))
	if err != nil {
		return err
	}
	c.ID = id
	tx.created("case", id)
	if also != nil {
		if err := also(tx, id); err != nil {
			return err
		}
	}
	if err := db.linkPetitions(ctx, tx, id, c.PetitionIDs); err != nil {
		return err
	}
	if err := db.indexCase(ctx, tx, c); err != nil {
		return err
	}
	if err := db.caseEvent(ctx, tx, id, xinfang.CaseEventCreate, map[string]string{"number": c.Number, "title": c.Title, "petitions": numbers}); err != nil {
		return err
	}
	if len(c.Team) == 0 {
		return nil
	}
	names, err := db.writeTeam(ctx, tx, id, c.Team)
	if err != nil {
		return err
	}
	return db.caseEvent(ctx, tx, id, xinfang.CaseEventTeam, map[string]string{"team": names})
}

func (db *CaseStore) linkPetitions(ctx context.Context, tx *Tx, caseID int64, ids []int64) error {
	if _, err := tx.exec(ctx, `DELETE FROM case_petitions WHERE case_id = ?`, caseID); err != nil {
		return err
	}
	for _, pid := range ids {
		// The link keeps the petition's paths and purpose (scope.go, cases).
		n, err := tx.change(ctx, `INSERT INTO case_petitions (case_id, petition_id, reg_path, handling_path, purpose)
			SELECT ?, id, reg_path, handling_path, purpose FROM petitions WHERE id = ?`, caseID, pid)
		if err != nil {
			return err
		}
		if n != 1 {
			return xinfang.FieldError("petition_ids", "信访件不存在")
		}
	}
	return nil
}

func (db *CaseStore) caseEvent(ctx context.Context, tx *Tx, caseID int64, what xinfang.CaseEventKind, data map[string]string) error {
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
	var out []*xinfang.CaseEvent
	err := db.read(ctx, func(q rowQuerier) error {
		if _, err := db.findCaseRow(ctx, q, caseID); err != nil {
			return err
		}
		rows, err := cq{db.core, q}.rows(ctx, `SELECT id, case_id, actor_id, actor_name, at, what, data FROM case_events WHERE case_id = ? ORDER BY id`, caseID)
		if out, err = scanAll(rows, err, scanCaseEvent); err != nil {
			return err
		}
		return db.hidePetitionNumbers(ctx, q, out)
	})
	return out, err
}

// hidePetitionNumbers removes from the history the numbers of linked
// petitions the reader may not see — a 检举控告 linked to the case, above
// all, whose number must not reach the unit it accuses — and says how many
// were left out.
func (db *CaseStore) hidePetitionNumbers(ctx context.Context, q rowQuerier, events []*xinfang.CaseEvent) error {
	var numbers []any
	for _, e := range events {
		for _, n := range strings.Split(e.Data["petitions"], "、") {
			if n != "" {
				numbers = append(numbers, n)
			}
		}
	}
	if len(numbers) == 0 {
		return nil
	}
	scope, sargs, err := petitionScope(ctx)
	if err != nil {
		return err
	}
	rows, err := cq{db.core, q}.rows(ctx, `SELECT p.number FROM petitions p WHERE p.number IN (`+placeholders(len(numbers))+`) AND `+scope, append(numbers, sargs...)...)
	visible := map[string]bool{}
	err = eachRow(rows, err, func(r scanner) error {
		var n string
		err := r.Scan(&n)
		visible[n] = true
		return err
	})
	if err != nil {
		return err
	}
	for _, e := range events {
		if e.Data["petitions"] == "" {
			continue
		}
		var shown []string
		hidden := 0
		for _, n := range strings.Split(e.Data["petitions"], "、") {
			if visible[n] {
				shown = append(shown, n)
			} else if n != "" {
				hidden++
			}
		}
		if hidden > 0 {
			shown = append(shown, fmt.Sprintf("另有 %d 件无权查看", hidden))
		}
		e.Data["petitions"] = strings.Join(shown, "、")
	}
	return nil
}

func scanCaseEvent(r scanner) (*xinfang.CaseEvent, error) {
	e := &xinfang.CaseEvent{}
	var at, data string
	if err := r.Scan(&e.ID, &e.CaseID, &e.ActorID, &e.ActorName, &at, &e.What, &data); err != nil {
		return nil, err
	}
	e.At = parseTime(at)
	if err := json.Unmarshal([]byte(data), &e.Data); err != nil {
		return nil, fmt.Errorf("case event %d: %w", e.ID, err)
	}
	return e, nil
}

// findCaseRow checks that a case is in scope, without its records.
func (db *CaseStore) findCaseRow(ctx context.Context, q rowQuerier, id int64) (*xinfang.Case, error) {
	scope, args, err := caseScope(ctx)
	if err != nil {
		return nil, err
	}
	c, err := scanCase(cq{db.core, q}.row(ctx, `SELECT `+caseCols+caseFrom+` WHERE c.id = ? AND `+scope, append([]any{db.todayDate(), id}, args...)...), db.todayDate())
	if err != nil {
		return nil, db.notFound(err, "积案不存在或无权查看")
	}
	return c, nil
}

// caseChange is one change of a case inside changeCase: it may write the
// case's records through tx and returns what it did for the history.
type caseChange func(tx *Tx, c *xinfang.Case) (what xinfang.CaseEventKind, data map[string]string, err error)

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
		if !xinfang.CanWorkOnCase(actor, c) {
			return xinfang.Errorf(xinfang.EFORBIDDEN, "您无权办理该积案")
		}
		if c.Version != version {
			return staleCase
		}
		what, data, err := fn(tx, c)
		if err != nil {
			return err
		}
		n, err := tx.change(ctx, `UPDATE cases SET version = version + 1, updated_at = ? WHERE id = ? AND version = ?`, fmtTime(tx.now), id, version)
		if err != nil {
			return err
		}
		if n != 1 {
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
	return db.changeCase(ctx, id, version, func(tx *Tx, c *xinfang.Case) (xinfang.CaseEventKind, map[string]string, error) {
		changed := u.Apply(c)
		if err := c.Validate(calendar.DateOf(tx.now)); err != nil {
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
			c.Title, c.Source, c.Summary, c.Petitioners, c.ResponsibleUnitID, path, nullID(c.LeaderID), c.StabilityPlan, c.Deadline, joinList(c.Tags), c.ID); err != nil {
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
			data["deadline"] = c.Deadline.String()
		}
		if u.LeaderID != nil {
			// checkCaseRefs found the leader in this transaction.
			var name string
			if err := tx.queryRow(ctx, `SELECT name FROM users WHERE id = ?`, c.LeaderID).Scan(&name); err != nil {
				return "", nil, err
			}
			data["leader"] = name
		}
		if u.PetitionIDs != nil {
			data["petitions"] = numbers
		}
		return xinfang.CaseEventUpdate, data, nil
	})
}

// caseFieldLabels name the fields of a case in its history.
var caseFieldLabels = []xinfang.Label{
	{Code: "title", Label: "案件名称"}, {Code: "source", Label: "积案来源"}, {Code: "summary", Label: "基本案情"}, {Code: "petitioners", Label: "信访人"},
	{Code: "stability_plan", Label: "稳控方案"}, {Code: "deadline", Label: "化解时限"}, {Code: "responsible_unit_id", Label: "责任单位"},
	{Code: "leader_id", Label: "包案领导"}, {Code: "tags", Label: "化解方法"}, {Code: "petition_ids", Label: "关联信访件"},
}
