package sqldb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/procedure"
)

const petitionCols = `p.id, p.number, p.version, p.channel, p.received_at, p.reg_unit_id, p.reg_user_id, COALESCE(p.first_unit_id, 0), p.petitioner_id,
	p.person_count, p.involved_count, p.grp, p.summary, p.content, p.request, p.category, p.purpose, p.reason, p.locality_id, p.accused, p.sys,
	` + legalCaseCol + `, p.urgent, p.anonymous, p.threat, p.hot, p.public, p.cross_flags, p.escalation, p.repeat_flag, COALESCE(p.repeat_of_id, 0),
	p.risk_level, p.risk_reason, p.state, COALESCE(p.handling_unit_id, 0), p.outcome, p.evaluation, p.due_date, p.severe_date, p.due_clock,
	p.created_at, p.updated_at,
	pt.name, pt.id_number, pt.phone, pt.org_code, ru.name, ru.code, ru.kind, ru.path, COALESCE(hu.name, ''), COALESCE(hu.kind, ''), COALESCE(hu.path, ''), lu.name, lu.path, lu.code, lu.kind, COALESCE(ru.parent_id, 0)`

// legalCaseCol is the 涉法涉诉 flag as read: set at registration, or by a
// screening that found the item so (legal_referrals). The registered
// column stays as registered: it is sealed in the registered MAC.
const legalCaseCol = `(CASE WHEN p.legal_case = 1 OR EXISTS (SELECT 1 FROM legal_referrals lcf WHERE lcf.petition_id = p.id AND lcf.finding = 'legal') THEN 1 ELSE 0 END)`

const petitionFrom = ` FROM petitions p
	JOIN petitioners pt ON pt.id = p.petitioner_id
	JOIN units ru ON ru.id = p.reg_unit_id
	LEFT JOIN units hu ON hu.id = p.handling_unit_id
	JOIN units lu ON lu.id = p.locality_id`

// scanPetition reads a row of petitionCols and opens the petitioner's
// sealed fields.
func (db *core) scanPetition(s interface{ Scan(...any) error }) (*xinfang.Petition, error) {
	p, err := scanPetitionRow(s)
	if err != nil {
		return nil, err
	}
	return p, db.openPetitioner(p.Petitioner)
}

// scanPetitionRow reads a row of petitionCols followed by the columns of
// more, and leaves the petitioner's fields sealed.
func scanPetitionRow(s interface{ Scan(...any) error }, more ...any) (*xinfang.Petition, error) {
	p := &xinfang.Petition{Petitioner: &xinfang.Petitioner{}, RegUnit: &xinfang.Unit{}, Locality: &xinfang.Unit{}}
	var received, created, updated, state, dueClock, ruKind, huName, huKind, huPath, luKind string
	err := s.Scan(append([]any{&p.ID, &p.Number, &p.Version, &p.Channel, &received, &p.RegUnitID, &p.RegUserID, &p.FirstUnitID, &p.Petitioner.ID,
		&p.PersonCount, &p.InvolvedCount, &p.Group, &p.Summary, &p.Content, &p.Request, &p.Category, &p.Purpose, &p.Reason, &p.LocalityID, &p.Accused, &p.System,
		&p.LegalCase, &p.Urgent, &p.Anonymous, &p.Threat, &p.Hot, &p.Public, &p.CrossFlags, &p.Escalation, &p.Repeat, &p.RepeatOfID,
		&p.RiskLevel, &p.RiskReason, &state, &p.HandlingUnitID, &p.Outcome, &p.Evaluation, &p.DueDate, &p.SevereDate, &dueClock,
		&created, &updated,
		&p.Petitioner.Name, &p.Petitioner.IDNumber, &p.Petitioner.Phone, &p.Petitioner.OrgCode, &p.RegUnit.Name, &p.RegUnit.Code, &ruKind, &p.RegUnit.Path,
		&huName, &huKind, &huPath, &p.Locality.Name, &p.Locality.Path, &p.Locality.Code, &luKind, &p.RegUnit.ParentID}, more...)...)
	if err != nil {
		return nil, err
	}
	p.ReceivedAt, p.CreatedAt, p.UpdatedAt = parseTime(received), parseTime(created), parseTime(updated)
	p.State, p.DueClock = xinfang.State(state), xinfang.ClockKind(dueClock)
	p.RegUnit.ID, p.RegUnit.Kind = p.RegUnitID, xinfang.UnitKind(ruKind)
	p.Locality.ID, p.Locality.Kind = p.LocalityID, xinfang.UnitKind(luKind)
	if p.HandlingUnitID != 0 {
		p.HandlingUnit = &xinfang.Unit{ID: p.HandlingUnitID, Name: huName, Kind: xinfang.UnitKind(huKind), Path: huPath}
	}
	return p, nil
}

// findPetition loads one petition within the actor's scope; out of scope
// is not found, so that the existence of an item is not revealed.
func (db *core) findPetition(ctx context.Context, q rowQuerier, id int64) (*xinfang.Petition, error) {
	scope, args, err := petitionScope(ctx)
	if err != nil {
		return nil, err
	}
	row := q.QueryRowContext(ctx, db.dialect.rebind(`SELECT `+petitionCols+petitionFrom+` WHERE p.id = ? AND `+scope), append([]any{id}, args...)...)
	p, err := db.scanPetition(row)
	if err != nil {
		return nil, db.notFound(err, "信访件不存在或无权查看")
	}
	return p, nil
}

// detailCols are what a petition's page shows beyond petitionCols that
// its row gives (with detailFrom): the petitioner in full, the
// registrar's name (empty when the account is missing, as in a
// hand-edited database), the count of the item's repeats, and whether it
// has co-petitioners — most have none, and then their query is not run.
var detailCols = `, ` + prefixed("pt.", petitionerCols) + `, COALESCE(reg.name, ''), (SELECT COUNT(*) FROM petitions r WHERE r.repeat_of_id = p.id),
	EXISTS (SELECT 1 FROM petition_petitioners pp WHERE pp.petition_id = p.id AND pp.petitioner_id <> p.petitioner_id)`

const detailFrom = ` LEFT JOIN users reg ON reg.id = p.reg_user_id`

// FindPetitionByID returns one petition in scope, with its co-petitioners
// and its clocks derived from its events as of now, read as one view:
// the row with what it shows beyond it in one query (detailCols), then
// the co-petitioners and the events.
func (db *PetitionStore) FindPetitionByID(ctx context.Context, id int64) (*xinfang.Petition, error) {
	pr := db.Procedure(ctx)
	scope, args, err := petitionScope(ctx)
	if err != nil {
		return nil, err
	}
	query := db.dialect.rebind(`SELECT ` + petitionCols + detailCols + petitionFrom + detailFrom + ` WHERE p.id = ? AND ` + scope)
	var p *xinfang.Petition
	err = db.read(ctx, func(q rowQuerier) error {
		pt := &xinfang.Petitioner{}
		var regName string
		var repeats int
		var co bool
		var err error
		p, err = scanPetitionRow(q.QueryRowContext(ctx, query, append([]any{id}, args...)...), append(petitionerFields(pt), &regName, &repeats, &co)...)
		if err != nil {
			return db.notFound(err, "信访件不存在或无权查看")
		}
		if err := db.openPetitioner(pt); err != nil {
			return err
		}
		p.Petitioner, p.RegUserName, p.RepeatCount = pt, regName, repeats
		if !co {
			p.CoPetitioners = []*xinfang.Petitioner{}
			err = db.loadClocks(ctx, q, pr, p)
		} else {
			err = db.loadLinked(ctx, q, pr, p)
		}
		if err != nil {
			return err
		}
		return db.stripForReader(ctx, q, p)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// FindPetitionByNumber returns one petition in scope by its number.
func (db *PetitionStore) FindPetitionByNumber(ctx context.Context, number string) (*xinfang.Petition, error) {
	var id int64
	if err := db.queryRow(ctx, `SELECT id FROM petitions WHERE number = ?`, strings.TrimSpace(number)).Scan(&id); err != nil {
		return nil, db.notFound(err, "信访件不存在或无权查看")
	}
	return db.FindPetitionByID(ctx, id)
}

// coPetitioners loads the co-petitioners (联名信访人) of a petition.
func (db *core) coPetitioners(ctx context.Context, q rowQuerier, p *xinfang.Petition) ([]*xinfang.Petitioner, error) {
	rows, err := cq{db, q}.rows(ctx, `SELECT `+prefixed("x.", petitionerCols)+` FROM petition_petitioners pp JOIN petitioners x ON x.id = pp.petitioner_id
		WHERE pp.petition_id = ? AND pp.petitioner_id <> ? ORDER BY x.id`, p.ID, p.Petitioner.ID)
	return scanAll(rows, err, db.scanPetitioner)
}

// loadDetail fills what a petition's page shows beyond its row: the
// petitioners, the count of its repeats, the registrar's name and the
// clocks of its history as of now, all read through q.
func (db *PetitionStore) loadDetail(ctx context.Context, q rowQuerier, pr *procedure.Procedure, p *xinfang.Petition) error {
	r := cq{db.core, q}
	pt, err := db.findPetitioner(ctx, q, p.Petitioner.ID)
	if err != nil {
		return err
	}
	p.Petitioner = pt
	if err := r.row(ctx, `SELECT COUNT(*) FROM petitions WHERE repeat_of_id = ?`, p.ID).Scan(&p.RepeatCount); err != nil {
		return err
	}
	// Accounts are disabled, never deleted; a registrar missing all the
	// same (a hand-edited database) leaves the name empty.
	if err := r.row(ctx, `SELECT name FROM users WHERE id = ?`, p.RegUserID).Scan(&p.RegUserName); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return db.loadLinked(ctx, q, pr, p)
}

// loadLinked loads p's co-petitioners and derives its clocks as of now
// from its events, read through q.
func (db *PetitionStore) loadLinked(ctx context.Context, q rowQuerier, pr *procedure.Procedure, p *xinfang.Petition) error {
	var err error
	if p.CoPetitioners, err = db.coPetitioners(ctx, q, p); err != nil {
		return err
	}
	return db.loadClocks(ctx, q, pr, p)
}

// loadClocks derives p's clocks as of now from its events, read through q.
func (db *PetitionStore) loadClocks(ctx context.Context, q rowQuerier, pr *procedure.Procedure, p *xinfang.Petition) error {
	events, err := db.clockEvents(ctx, q, p.ID)
	if err != nil {
		return err
	}
	pr.Project(p, pr.Derive(events, db.Now()))
	return nil
}

// clockEvents reads a petition's events with what Derive reads of them:
// the action, the states, the time and the data — not the actor, the
// note or the chain's hashes, which a detail read for its clocks alone
// decoded for nothing (a tenth of its CPU was this read).
func (db *core) clockEvents(ctx context.Context, q rowQuerier, petitionID int64) ([]*xinfang.Event, error) {
	rows, err := cq{db, q}.rows(ctx, `SELECT seq, action, from_state, to_state, at, data FROM events WHERE petition_id = ? ORDER BY seq`, petitionID)
	return scanAll(rows, err, func(r scanner) (*xinfang.Event, error) {
		e := &xinfang.Event{PetitionID: petitionID}
		var action, from, to, at, data string
		if err := r.Scan(&e.Seq, &action, &from, &to, &at, &data); err != nil {
			return nil, err
		}
		return e, fillEvent(e, action, from, to, at, data)
	})
}

// FindEvents returns the history of a petition in scope.
func (db *PetitionStore) FindEvents(ctx context.Context, petitionID int64) ([]*xinfang.Event, error) {
	var events []*xinfang.Event
	err := db.read(ctx, func(q rowQuerier) error {
		if _, err := db.findPetition(ctx, q, petitionID); err != nil {
			return err
		}
		var err error
		events, err = db.events(ctx, q, petitionID)
		return err
	})
	return events, err
}

type rowQuerier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sqlRow
	QueryContext(ctx context.Context, q string, args ...any) (*sqlRows, error)
}

func (db *core) events(ctx context.Context, q rowQuerier, petitionID int64) ([]*xinfang.Event, error) {
	rows, err := cq{db, q}.rows(ctx, `SELECT id, petition_id, seq, action, from_state, to_state, actor_id, actor_name, actor_unit_id, at, note, data, prev_hash, hash
		FROM events WHERE petition_id = ? ORDER BY seq`, petitionID)
	return scanAll(rows, err, scanEvent)
}

func scanEvent(r scanner) (*xinfang.Event, error) {
	e := &xinfang.Event{}
	var action, from, to, at, data string
	if err := r.Scan(&e.ID, &e.PetitionID, &e.Seq, &action, &from, &to, &e.ActorID, &e.ActorName, &e.ActorUnitID, &at, &e.Note, &data, &e.PrevHash, &e.Hash); err != nil {
		return nil, err
	}
	return e, fillEvent(e, action, from, to, at, data)
}

// fillEvent sets what an event's row gives as text.
func fillEvent(e *xinfang.Event, action, from, to, at, data string) error {
	e.Action, e.From, e.To, e.At = xinfang.Action(action), xinfang.State(from), xinfang.State(to), parseTime(at)
	if err := json.Unmarshal([]byte(data), &e.Data); err != nil {
		return fmt.Errorf("event %d of petition %d data: %w", e.Seq, e.PetitionID, err)
	}
	return nil
}

// FindPetitions lists petitions in scope with filters, and the total count
// (more than the count limit reports limit+1, see listPetitions).
func (db *PetitionStore) FindPetitions(ctx context.Context, f xinfang.PetitionFilter) ([]*xinfang.Petition, int, error) {
	pq, err := db.petitionQuery(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	if f.Limit, err = pageLimit(f.Limit, f.Offset); err != nil {
		return nil, 0, err
	}
	if pq.text {
		page, total, err := db.petitionPage(ctx, pq.list.where, pq.list.args, pq.order, f.Limit, f.Offset)
		if pq.textCapped && err == nil {
			// The text filter read only the newest matches of its words:
			// the count is a floor, which lists show as capped ("1万+").
			total = db.countLimit(ctx) + 1
		}
		return page, total, err
	}
	return db.listPetitions(ctx, pq.list, f.Limit, f.Offset)
}

// petitionQuery is a list of petitions as FindPetitions reads it: the
// list of a tree's paths, or, filtered by text, the rows the search index
// found, in order.
type petitionQuery struct {
	list       petitionList
	text       bool   // the search index drives; list.tree is ""
	textCapped bool   // the text filter read only the newest matches
	order      string // ORDER BY of the text list, the order of list.segs
}

// petitionQuery turns f into the query of its list, in the user's scope.
func (db *PetitionStore) petitionQuery(ctx context.Context, f xinfang.PetitionFilter) (*petitionQuery, error) {
	ds, err := scopeOf(ctx)
	if err != nil {
		return nil, err
	}
	tree := ds.tree()
	var unit *xinfang.Unit
	if f.UnitID != 0 {
		if unit, err = db.findUnit(ctx, f.UnitID); err != nil {
			return nil, db.notFoundField(err, "unit_id", "单位不存在")
		}
		tree = unit.Path
	}
	text := strings.TrimSpace(f.Text)
	scope, args, err := ds.petitionsWithin(tree)
	if text != "" {
		scope, args, err = ds.petitions() // the search index drives, not the paths
	}
	if err != nil {
		return nil, err
	}
	// w is the page's WHERE, c the count's. The count finds states by the
	// state indexes; the page leaves its order's index to drive where that
	// is what serves it (p.state || '' is the same test, not indexed): a
	// path's branch, or several states, by state, would collect and sort
	// every match. Where due dates bound the rows (a warning level, the
	// order by due date), their index drives the count too, so "open" is
	// said there as NOT IN, which no index serves.
	w, c := newConds(scope, args), newConds(scope, args)
	byDueDate := f.Warning != "" || f.Sort == "due" // see the order below
	switch {
	case len(f.State) == 1 && tree == "":
		w.and("p.state = ?", string(f.State[0]))
		c.and("p.state = ?", string(f.State[0]))
	case len(f.State) == 1:
		w.and("p.state || '' = ?", string(f.State[0]))
		c.and("p.state = ?", string(f.State[0]))
	case len(f.State) > 1:
		w.clause(inList("p.state || ''", f.State))
		c.clause(inList("p.state", f.State))
	}
	if f.Open {
		w.and("p.state NOT IN " + closedPetitionStates)
		if byDueDate {
			c.and("p.state NOT IN " + closedPetitionStates)
		} else {
			c.and("p.state IN " + openPetitionStates)
		}
	}
	// The other filters are the same for both: added to w, copied to c.
	n, na := len(w.list), len(w.args)
	if unit != nil && text != "" {
		w.clause(subtree(unit.Path, "p.reg_path", "p.handling_path"))
	}
	// A filter whose value a partial index names (channel = 'handed_down',
	// repeat_flag = 1), or a LIKE's pattern, would have SQLite compile the
	// prepared list again on every run if given as a placeholder (see
	// inlineLimits): the channel, a name of the product's own, and the
	// flag are written into the text, and the pattern is made in SQL.
	if f.Channel.Valid() {
		w.and("p.channel = '" + string(f.Channel) + "'")
	} else if f.Channel != "" {
		w.and("p.channel = ?", f.Channel)
	}
	if f.Category != "" {
		w.and(`p.category LIKE ? || '%' ESCAPE '\'`, escapeLike(f.Category))
	}
	if f.Petitioner != 0 {
		w.and("p.id IN ("+personPetitions+")", f.Petitioner)
	}
	if f.LegalCase != nil {
		w.and(legalCaseCol+" = ?", b2i(*f.LegalCase))
	}
	if f.Repeat != nil {
		w.and("p.repeat_flag = " + strconv.Itoa(b2i(*f.Repeat)))
	}
	if !f.From.IsZero() {
		w.and("p.received_at >= ?", fmtTime(f.From))
	}
	if !f.To.IsZero() {
		w.and("p.received_at < ?", fmtTime(f.To))
	}
	textCapped := false
	if text != "" {
		clause, a, capped, err := db.petitionTextClause(ctx, text)
		if err != nil {
			return nil, err
		}
		w.clause(clause, a)
		textCapped = capped
	}
	if f.Warning != "" {
		today := calendar.DateOf(db.Now())
		if !f.Today.IsZero() {
			today = f.Today
		}
		clause, a, err := db.warningClause(f.Warning, today)
		if err != nil {
			return nil, err
		}
		w.clause(clause, a)
	}
	// A warning level is a range of due dates: unless another order is
	// asked for, its list comes in due-date order, most urgent first,
	// off the due-date index (in the order of receipt it would walk the
	// items received since, all of another level, to find its first).
	if f.Sort == "" && f.Warning != "" {
		f.Sort = "due"
	}
	segs, order := byReceivedDesc, "p.received_at DESC, p.id DESC"
	switch f.Sort {
	case "", "-received":
	case "received":
		segs, order = byReceived, "p.received_at, p.id"
	case "due":
		segs, order = byDue, "p.due_date, p.id"
	case "number":
		segs, order = byNumber, "p.number"
	default:
		return nil, xinfang.FieldError("sort", "未知的排序方式")
	}
	c.list, c.args = append(c.list, w.list[n:]...), append(c.args, w.args[na:]...)
	if text != "" {
		// The text filter is driven by the search index, not by the
		// list's order.
		if f.Sort == "due" {
			w.and("p.due_date <> ''")
		}
		return &petitionQuery{list: petitionList{where: w.where(), args: w.args, segs: segs}, text: true, textCapped: textCapped, order: order}, nil
	}
	count := func(r cq) (int, bool, error) { return db.dashListCount(ctx, r, ds, tree, f) }
	l := petitionList{where: w.where(), args: w.args, countWhere: c.where(), countArgs: c.args, tree: tree, segs: segs, count: count}
	if f.Sort == "number" && tree != "" && db.Postgres() {
		// Off an index made after the start (online_indexes.go); SQLite
		// reads its lists by number off (handling_path, number) within
		// their goal.
		l.plan = func(ctx context.Context, r cq) ([]string, [][]any, error) { return numberBranches(ctx, r, tree) }
	}
	return &petitionQuery{list: l, order: order}, nil
}

// petitionPage counts the petitions matching where and returns one page of
// them in order, each with its warning level as of today. Every list of
// petitions goes through it, after the caller has put petitionScope in where.
func (db *core) petitionPage(ctx context.Context, where string, args []any, order string, limit, offset int) ([]*xinfang.Petition, int, error) {
	// Counting needs the joins only when the filter reads the joined
	// tables; the joins follow required foreign keys, so they drop no row.
	from := petitionFrom
	if !strings.Contains(where, "pt.") && !strings.Contains(where, "ru.") && !strings.Contains(where, "hu.") && !strings.Contains(where, "lu.") {
		from = " FROM petitions p"
	}
	// The count stops at MaxCount+1: beyond that a list is "10000+" and
	// an exact figure would cost a scan of every match on every page.
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1`+from+` WHERE `+where+` LIMIT ?) c`, append(append([]any(nil), args...), xinfang.MaxCount+1)...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT `+petitionCols+petitionFrom+` WHERE `+where+` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	out, err := scanAll(rows, err, db.scanPetition)
	if err != nil {
		return nil, 0, err
	}
	if err := db.stripForReader(ctx, db.pool(), out...); err != nil {
		return nil, 0, err
	}
	pr := db.Procedure(ctx)
	today := calendar.DateOf(db.Now())
	for _, p := range out {
		p.Warning = pr.WarningOf(p.DueDate, p.SevereDate, today)
	}
	return out, total, nil
}

func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// NoFurtherReason is the reason recorded when a repeat of a terminated
// item is registered.
const NoFurtherReason = "同一事实和理由已经复核终结，依据《信访工作条例》第三十六条不再受理"

// RegisterPetition validates and registers a petition: petitioners found or
// created, a gap-free number, a 查询码, and the register event — all in one
// transaction. p.QueryCode holds the plain 查询码 afterwards; only its hash is
// stored.
func (db *PetitionStore) RegisterPetition(ctx context.Context, p *xinfang.Petition) error {
	return db.register(ctx, p, nil, nil)
}

// register is RegisterPetition, recording the registration under once's
// idempotency key in its transaction when once is set, and running also
// (the portal's intake record) in it when set, with the new item's id
// and 查询码.
func (db *PetitionStore) register(ctx context.Context, p *xinfang.Petition, once *onceKey, also func(tx *Tx, id int64, code string) error) error {
	actor, err := allow(ctx, xinfang.CanRegister)
	if err != nil {
		return err
	}
	if actor.Unit == nil {
		// The number and the scope path come from the unit; a caller that
		// built the user by hand must load it (FindUserByID does).
		return xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	now := db.Now()
	if err := p.Validate(now); err != nil {
		return err
	}
	if p.Channel == xinfang.ChannelLeaderReception && !fromReception(ctx) {
		return xinfang.FieldError("channel", "领导接访的信访件须在领导接访记录中登记")
	}
	probs := xinfang.Problems{}
	if _, err := db.findUnit(ctx, p.LocalityID); problem(probs, err, "locality_id", "问题属地单位不存在") != nil {
		return err
	}
	if _, err := db.dictEntry(ctx, xinfang.DictCategory, p.Category); problem(probs, err, "category", "内容分类不存在") != nil {
		return err
	}
	if p.Reason != "" {
		if _, err := db.dictEntry(ctx, xinfang.DictReason, p.Reason); problem(probs, err, "reason", "信访原因不存在") != nil {
			return err
		}
	}
	// An item repeating one whose re-review has concluded (终结) gets the
	// 不再受理 notice instead of a new procedure (第三十六条).
	noFurther := false
	if p.RepeatOfID != 0 {
		earlier, err := db.findPetition(ctx, db.pool(), p.RepeatOfID)
		if problem(probs, err, "repeat_of_id", "被重复的信访件不存在") != nil {
			return err
		}
		noFurther = err == nil && earlier.State == xinfang.StateTerminated
		p.Repeat = true
	}
	if p.FirstUnitID != 0 {
		if _, err := db.findUnit(ctx, p.FirstUnitID); problem(probs, err, "first_unit_id", "首访单位不存在") != nil {
			return err
		}
	}
	// The files that come with the item (the letter's scan), checked and
	// hashed before the write.
	files := make([]*preparedFile, len(p.Files))
	for i, up := range p.Files {
		f, err := db.prepareFile(actor, up, "files")
		if err != nil {
			for k, m := range xinfang.ErrorFields(err) {
				probs.Add(k, m)
			}
			if xinfang.ErrorCode(err) != xinfang.EINVALID {
				return err
			}
		}
		files[i] = f
	}
	if err := probs.Err(); err != nil {
		return err
	}
	code := newQueryCode()
	pr := db.Procedure(ctx)
	fp := printOf(p)
	err = db.write(ctx, func(tx *Tx) error {
		// The units as they are now, inside the transaction: a unit moved
		// or deactivated since the session loaded its user is seen as it
		// is, so that the item's path is its unit's path at commit.
		ids, fields := []int64{actor.UnitID, p.LocalityID}, []string{"reg_unit_id", "locality_id"}
		if p.FirstUnitID != 0 {
			ids, fields = append(ids, p.FirstUnitID), append(fields, "first_unit_id")
		}
		units, err := tx.activeUnits(ctx, ids, fields)
		if err != nil {
			return err
		}
		regUnit, locality := units[0], units[1]
		// What a read of the item gives (scanPetition): the locality's
		// name, path, code and kind.
		p.Locality = &xinfang.Unit{ID: locality.ID, Name: locality.Name, Path: locality.Path, Code: locality.Code, Kind: locality.Kind}
		main, err := db.savePetitioner(ctx, tx, p.Petitioner)
		if err != nil {
			return err
		}
		pid, person := main.id, main.person
		p.Petitioner.ID = pid
		people := [][]string{main.vals}
		// The number comes at the end of the write (below); until then
		// the row holds a unique stand-in no reader ever sees.
		p.Number = "~" + randomToken(12)
		p.RegUnitID, p.RegUserID, p.RegUnit, p.RegUserName = actor.UnitID, actor.ID, regUnit, actor.Name
		if p.FirstUnitID == 0 {
			p.FirstUnitID = actor.UnitID
		}
		ev := &xinfang.Event{Seq: 1, Action: xinfang.ActRegister, To: xinfang.StateRegistered, ActorID: actor.ID, ActorName: actor.Name, ActorUnitID: actor.UnitID, At: now, Data: map[string]string{"channel": string(p.Channel), "received_on": calendar.DateOf(p.ReceivedAt).String()}}
		pr.Project(p, pr.Derive([]*xinfang.Event{ev}, now))
		p.Version, p.CreatedAt, p.UpdatedAt = 1, now, now
		id, err := tx.insert(ctx, `INSERT INTO petitions (number, query_hash, version, channel, received_at, reg_unit_id, reg_user_id, first_unit_id, petitioner_id,
			person_count, involved_count, grp, summary, content, request, category, purpose, reason, locality_id, accused, sys,
			legal_case, urgent, anonymous, threat, hot, public, cross_flags, escalation, repeat_flag, repeat_of_id, risk_level, risk_reason,
			state, handling_unit_id, outcome, evaluation, due_date, severe_date, due_clock, reg_path, handling_path, created_at, updated_at, person_id)
			VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, '', '', ?, ?, ?, ?, '', ?, ?, ?)`,
			p.Number, hashCode(code), p.Channel, fmtTime(p.ReceivedAt), p.RegUnitID, p.RegUserID, nullID(p.FirstUnitID), pid,
			p.PersonCount, p.InvolvedCount, b2i(p.Group), p.Summary, p.Content, p.Request, p.Category, p.Purpose, p.Reason, p.LocalityID, p.Accused, p.System,
			b2i(p.LegalCase), b2i(p.Urgent), b2i(p.Anonymous), b2i(p.Threat), b2i(p.Hot), b2i(p.Public), p.CrossFlags, p.Escalation, b2i(p.Repeat), nullID(p.RepeatOfID), p.RiskLevel, p.RiskReason,
			string(p.State), p.DueDate, p.SevereDate, string(p.DueClock), regUnit.Path, fmtTime(now), fmtTime(now), person)
		if err != nil {
			return err
		}
		p.ID = id
		tx.created("petition", id)
		if err := db.recordOnce(ctx, tx, once, id, code); err != nil {
			return err
		}
		if also != nil {
			if err := also(tx, id, code); err != nil {
				return err
			}
		}
		for _, f := range files {
			if err := db.writeFile(ctx, tx, f, xinfang.AttachPetition, id); err != nil {
				return err
			}
		}
		if err := db.indexWatch(ctx, tx, p, person); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO petition_petitioners (petition_id, petitioner_id) VALUES (?, ?)`, id, pid); err != nil {
			return err
		}
		persons := map[int64]bool{person: true}
		for i, c := range p.CoPetitioners {
			co, err := db.savePetitioner(ctx, tx, c)
			if err != nil {
				return err
			}
			cid, cperson := co.id, co.person
			c.ID = cid
			people = append(people, co.vals)
			if cperson == person {
				return xinfang.FieldError("co_petitioners."+strconv.Itoa(i)+".name", "联名信访人与主访人相同")
			}
			if persons[cperson] {
				return xinfang.FieldError("co_petitioners."+strconv.Itoa(i)+".name", "联名信访人重复")
			}
			persons[cperson] = true
			if _, err := tx.exec(ctx, `INSERT INTO petition_petitioners (petition_id, petitioner_id) VALUES (?, ?)`, id, cid); err != nil {
				return err
			}
		}
		// The fingerprint, and the item queued for the rest of its repeat
		// and search index, in the same transaction: the readers of the
		// index read the queue too, so an item is never registered but
		// unfindable (index_queue.go).
		if err := db.enqueueIndex(ctx, tx, p, fp); err != nil {
			return err
		}
		ev.PetitionID = id
		// The item's events: the register event, and the 不再受理 notice
		// with it when the matter was ended already; their facts for the
		// indicators now, outside the end phase's lock (they depend on
		// neither number nor hash).
		evs := []*xinfang.Event{ev}
		var nf *xinfang.Event
		if noFurther {
			nf = &xinfang.Event{PetitionID: id, Seq: 2, Action: xinfang.ActNotAccept, From: xinfang.StateRegistered, To: xinfang.StateNotAccepted,
				ActorID: actor.ID, ActorName: actor.Name, ActorUnitID: actor.UnitID, At: now,
				Data: map[string]string{"reason": NoFurtherReason, "no_further": "1"}}
			evs = append(evs, nf)
		}
		if err := db.writeNewFacts(ctx, tx, pr, p, evs); err != nil {
			return err
		}
		// The gap-free number, and what depends on it — the registered
		// content's MAC and the first events of the hash chain — at the
		// end of the write: the counter row stays locked from here to the
		// commit only (Tx.atEnd), so that registrations on PostgreSQL do
		// not queue behind it for the whole of their transactions.
		tx.atEnd(endShared, func() error {
			year := calendar.DateOf(now).Year
			seq, err := db.nextNumber(ctx, tx, actor.UnitID, year)
			if err != nil {
				return err
			}
			p.Number = fmt.Sprintf("%s-%d-%06d", regUnit.Code, year, seq)
			// The registered MAC and the head's from the values written,
			// not read back (macOfRegistered); the number, head and
			// head_mac then go in one statement.
			db.registerData(ev, registeredOf(p, hashCode(code), regUnit.Path, fmtTime(now), person), people, p.Repeat, p.RepeatOfID)
			if err := db.insertEvent(ctx, tx, ev, ""); err != nil {
				return err
			}
			head := ev.Hash
			if nf != nil {
				if err := db.insertEvent(ctx, tx, nf, ev.Hash); err != nil {
					return err
				}
				pr.Project(p, pr.Derive([]*xinfang.Event{ev, nf}, now))
				p.DueDate, p.SevereDate, p.DueClock = calendar.Date{}, calendar.Date{}, ""
				head = nf.Hash
			}
			// A registered item has no handling unit, outcome or
			// evaluation yet (the INSERT above).
			reg := *p
			reg.HandlingUnitID, reg.Outcome, reg.Evaluation = 0, "", ""
			tx.noteSevereGap(p.DueDate, p.SevereDate)
			_, err = tx.exec(ctx, `UPDATE petitions SET number = ?, state = ?, due_date = ?, severe_date = ?, due_clock = ?, head_hash = ?, head_mac = ? WHERE id = ?`,
				p.Number, string(p.State), p.DueDate, p.SevereDate, string(p.DueClock), head, db.macOfHead(headOf(&reg, head, "")), id)
			return err
		})
		return nil
	})
	if err != nil {
		return err
	}
	db.kickIndexer()
	p.QueryCode = code
	// The item as a read gives it back: times as stored, no co-petitioners
	// an empty list.
	p.ReceivedAt, p.CreatedAt, p.UpdatedAt = parseTime(fmtTime(p.ReceivedAt)), parseTime(fmtTime(now)), parseTime(fmtTime(now))
	if p.CoPetitioners == nil {
		p.CoPetitioners = []*xinfang.Petitioner{}
	}
	return nil
}

// insertEvent chains e after prev and inserts it; the caller sets the
// petition's head_hash and head_mac (headOf) in its own UPDATE.
func (db *PetitionStore) insertEvent(ctx context.Context, tx *Tx, e *xinfang.Event, prev string) error {
	db.chainEvent(e, prev)
	data, err := json.Marshal(e.Data)
	if err != nil {
		return err
	}
	if e.Data == nil {
		data = []byte("{}")
	}
	id, err := tx.insert(ctx, `INSERT INTO events (petition_id, seq, action, from_state, to_state, actor_id, actor_name, actor_unit_id, at, note, data, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.PetitionID, e.Seq, string(e.Action), string(e.From), string(e.To), e.ActorID, e.ActorName, e.ActorUnitID,
		fmtTime(e.At), e.Note, string(data), e.PrevHash, e.Hash)
	if db.dialect.unique(err) {
		return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该信访件已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
	}
	if err != nil {
		return err
	}
	e.ID = id
	return nil
}

// nextNumber takes the next sequence number of a unit and year. The upsert
// locks the counter row until the transaction ends, so concurrent writers
// (several instances on PostgreSQL) queue, and a rolled-back registration
// gives its number back: numbers stay unique and gap-free.
func (db *core) nextNumber(ctx context.Context, tx *Tx, unitID int64, year int) (int64, error) {
	var n int64
	err := tx.queryRow(ctx, `INSERT INTO counters (unit_id, year, next) VALUES (?, ?, 1)
		ON CONFLICT (unit_id, year) DO UPDATE SET next = counters.next + 1 RETURNING next`, unitID, year).Scan(&n)
	return n, err
}

// newQueryCode returns a 查询码 of 80 random bits, as 16 characters of
// base32 in groups of four.
func newQueryCode() string {
	b := make([]byte, 10)
	rand.Read(b) // never fails (crypto/rand)
	s := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
}

func hashCode(code string) string {
	code = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(code), "-", ""))
	h := sha256.Sum256([]byte("xinfang-query:" + code))
	return hex.EncodeToString(h[:])
}

// Today is the Shanghai date of the DB's clock.
func (db *core) todayDate() calendar.Date { return calendar.DateOf(db.Now()) }
