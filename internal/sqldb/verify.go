package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"xinfang"
	"xinfang/internal/procedure"
)

// Verification: every path that checks a petition's tamper evidence — the
// API's verify, VerifyAll behind `xinfang verify` — goes through
// verifyPetition, so that they cannot disagree.

// VerifyEvents checks a petition in scope (verifyPetition), read as one
// view, and returns the number of its events. When the evidence fails the
// error is ECONFLICT, its message naming every problem found.
func (db *PetitionStore) VerifyEvents(ctx context.Context, petitionID int64) (int, error) {
	pr := db.Procedure(ctx)
	var v verification
	scope, args, err := petitionScope(ctx)
	if err != nil {
		return 0, err
	}
	err = db.read(ctx, func(q rowQuerier) error {
		// The scope alone, not findPetition: a petitioner's value that
		// does not open is a finding here, not a failure to read.
		var id int64
		if err := (cq{db.core, q}).row(ctx, `SELECT p.id FROM petitions p WHERE p.id = ? AND `+scope, append([]any{petitionID}, args...)...).Scan(&id); err != nil {
			return db.notFound(err, "信访件不存在或无权查看")
		}
		var err error
		v, err = db.verifyPetition(ctx, q, pr, petitionID)
		return err
	})
	if err != nil {
		return 0, err
	}
	if len(v.problems) > 0 {
		return v.events, xinfang.Errorf(xinfang.ECONFLICT, "%s", strings.Join(v.problems, "；"))
	}
	return v.events, nil
}

// verification is what verifyPetition found about one petition.
type verification struct {
	number   string
	events   int
	problems []string // empty when the evidence holds
}

// verifyPetition compares petition id's rows with a replay of its
// history, whoever asks (no scope): the events chain under the key and
// end at head_hash; head_mac is the MAC of the head and the projection;
// the registered content has the MAC the register event carries; the
// state, handling unit and outcome are those the procedure derives from
// the events; the handling path is the handling unit's; the repeat link
// is the registered one, or the one a later 合并 or repeat decision set.
// Every query runs on q, so that the caller decides the view.
func (db *core) verifyPetition(ctx context.Context, q rowQuerier, pr *procedure.Procedure, id int64) (verification, error) {
	r := cq{db, q}
	var v verification
	var head, state, handlingPath, outcome string
	var handling, repeatOf, importID int64
	var repeat bool
	err := r.row(ctx, `SELECT number, head_hash, state, COALESCE(handling_unit_id, 0), handling_path, outcome, repeat_flag, COALESCE(repeat_of_id, 0),
		COALESCE(import_id, 0) FROM petitions WHERE id = ?`, id).Scan(&v.number, &head, &state, &handling, &handlingPath, &outcome, &repeat, &repeatOf, &importID)
	if err != nil {
		return v, db.notFound(err, "信访件不存在")
	}
	events, err := db.events(ctx, q, id)
	if err != nil {
		return v, err
	}
	v.events = len(events)
	add := func(format string, args ...any) { v.problems = append(v.problems, fmt.Sprintf(format, args...)) }

	intact := len(events) > 0
	if len(events) == 0 {
		add("办理记录全部缺失，可能被删除")
	} else if p := chainProblem(events, db.eventHash); p != "" {
		add("%s", p)
		intact = false
	}
	if len(events) > 0 && events[len(events)-1].Hash != head {
		add("最新的办理记录缺失（共 %d 条），可能被删除", len(events))
	}
	want, stored, err := db.headMAC(ctx, q, id)
	if err != nil {
		return v, err
	}
	if want != stored {
		add("信访件的当前状态、期限或最新记录与密钥校验值不符，可能被改动")
	}

	var reg *xinfang.Event
	// An imported item's first event is the import, which carries the
	// MAC of the content as imported; the row names its import.
	if len(events) > 0 && events[0].Seq == 1 && (events[0].Action == xinfang.ActRegister || events[0].Action == xinfang.ActImport) {
		reg = events[0]
	} else if len(events) > 0 {
		add("登记记录缺失")
	}
	if reg != nil && (reg.Action == xinfang.ActImport) != (importID != 0) {
		add("导入标记与第 1 条记录不符，可能被改动")
	}
	if reg != nil {
		mac, err := db.registeredMAC(ctx, q, id)
		var f finding
		switch {
		case errors.As(err, &f):
			add("%s", f)
		case err != nil:
			return v, err
		case reg.Data[dataRegistered] == "":
			add("登记记录没有登记内容的校验值")
		case mac != reg.Data[dataRegistered]:
			add("登记内容（概况、内容、诉求、信访人信息等）与登记时不符，可能被改动")
		}
	}

	// A replay of a broken chain says nothing: the break is the finding.
	if intact {
		st := pr.Derive(events, events[len(events)-1].At)
		if string(st.State) != state {
			add("状态为“%s”，按办理记录应为“%s”", xinfang.State(state).Label(), st.State.Label())
		}
		if st.HandlingUnitID != handling {
			add("承办单位与办理记录不符")
		}
		if string(st.Outcome) != outcome {
			add("办理结果与办理记录不符")
		}
		if ok, err := db.repeatReplays(ctx, q, id, events, repeat, repeatOf); err != nil {
			return v, err
		} else if !ok {
			add("重复件关联与登记、合并及关联记录不符，可能被改动")
		}
	}
	wantPath := ""
	if handling != 0 {
		if err := r.row(ctx, `SELECT path FROM units WHERE id = ?`, handling).Scan(&wantPath); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return v, err
		}
	}
	if handlingPath != wantPath {
		add("承办单位的路径与承办单位不符")
	}
	return v, nil
}

// repeatReplays reports whether the repeat link of a petition (flag and
// original) is what its history sets: the one registered, unless a 合并
// or a repeat decision (关联为重复件) changed it since, when it is the
// last such change. A merge's time is the one its actor gave, a link's the
// time it was recorded; when a petition has both, either last one holds.
func (db *core) repeatReplays(ctx context.Context, q rowQuerier, id int64, events []*xinfang.Event, repeat bool, repeatOf int64) (bool, error) {
	type change struct {
		at time.Time
		of int64
	}
	var merges, links []change
	for _, e := range events {
		if e.Action == xinfang.ActMerge {
			into, _ := strconv.ParseInt(e.Data["into"], 10, 64)
			merges = append(merges, change{e.At, into})
		}
	}
	rows, err := cq{db, q}.rows(ctx, `SELECT candidate_id, at FROM repeat_decisions WHERE petition_id = ? AND decision = ? ORDER BY id`, id, xinfang.RepeatLink)
	err = eachRow(rows, err, func(s scanner) error {
		var c change
		var at string
		if err := s.Scan(&c.of, &at); err != nil {
			return err
		}
		c.at = parseTime(at)
		links = append(links, c)
		return nil
	})
	if err != nil {
		return false, err
	}
	if len(merges) == 0 && len(links) == 0 {
		reg := events[0].Data
		of, _ := strconv.ParseInt(reg[dataRepeatOf], 10, 64)
		return repeat == (reg[dataRepeat] == "1") && repeatOf == of, nil
	}
	last := func(cs []change) int64 {
		if len(cs) == 0 {
			return -1
		}
		sort.SliceStable(cs, func(i, j int) bool { return cs[i].at.Before(cs[j].at) })
		return cs[len(cs)-1].of
	}
	return repeat && (repeatOf == last(merges) || repeatOf == last(links)), nil
}

// Report is what VerifyAll found.
type Report struct {
	Petitions int       // petitions checked
	Events    int       // their events
	Findings  []Finding // the records whose evidence fails; none when all holds
}

// Finding is one record whose tamper evidence fails.
type Finding struct {
	PetitionID int64    // the petition, 0 for a finding about no single petition
	Record     string   // what it is about, in words: "信访件 JZ-2026-000001（#12）"
	Problems   []string // what is wrong
}

// VerifyAll checks the whole database: every petition as VerifyEvents does
// (without a scope), events whose petition is gone, and the numbering
// (gap-free per unit and year, so that a deleted petition shows). It
// returns a report; an error means the check itself could not run.
func (db *DB) VerifyAll(ctx context.Context) (*Report, error) {
	rep := &Report{Findings: []Finding{}}
	for _, check := range []func(context.Context, *Report) error{
		db.verifyPetitions,
		db.verifyOrphanEvents,
		db.verifyNumbers,
		db.verifyAuditLog,
	} {
		if err := check(ctx, rep); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// verifyAuditLog checks the audit log's numbering, chain and head.
func (db *DB) verifyAuditLog(ctx context.Context, rep *Report) error {
	n, err := db.Audit.VerifyAudit(ctx)
	if xinfang.ErrorCode(err) == xinfang.ECONFLICT {
		rep.Findings = append(rep.Findings, Finding{Record: fmt.Sprintf("审计日志（已核对 %d 条）", n), Problems: []string{xinfang.ErrorMessage(err)}})
		return nil
	}
	return err
}

// verifyPetitions runs verifyPetition on every petition, each read as one
// view.
func (db *DB) verifyPetitions(ctx context.Context, rep *Report) error {
	pr := db.Procedure(ctx)
	after := int64(0)
	for {
		rows, err := db.query(ctx, `SELECT id FROM petitions WHERE id > ? ORDER BY id LIMIT 1000`, after)
		ids, err := scanAll(rows, err, scanID)
		if err != nil || len(ids) == 0 {
			return err
		}
		for _, id := range ids {
			var v verification
			if err := db.read(ctx, func(q rowQuerier) error {
				var err error
				v, err = db.verifyPetition(ctx, q, pr, id)
				return err
			}); err != nil {
				return fmt.Errorf("petition %d: %w", id, err)
			}
			rep.Petitions++
			rep.Events += v.events
			if len(v.problems) > 0 {
				rep.Findings = append(rep.Findings, Finding{PetitionID: id, Record: fmt.Sprintf("信访件 %s（#%d）", v.number, id), Problems: v.problems})
			}
		}
		after = ids[len(ids)-1]
	}
}

// verifyOrphanEvents finds events whose petition row is gone: a deletion
// that foreign keys would have refused.
func (db *DB) verifyOrphanEvents(ctx context.Context, rep *Report) error {
	rows, err := db.query(ctx, `SELECT DISTINCT e.petition_id FROM events e LEFT JOIN petitions p ON p.id = e.petition_id WHERE p.id IS NULL ORDER BY e.petition_id`)
	ids, err := scanAll(rows, err, scanID)
	for _, id := range ids {
		rep.Findings = append(rep.Findings, Finding{PetitionID: id, Record: fmt.Sprintf("信访件 #%d", id), Problems: []string{"信访件已不存在，其办理记录仍在：信访件可能被删除"}})
	}
	return err
}

// verifyNumbers checks that the numbers of each unit and year run from 1
// to the unit's counter without a gap, so that a deleted petition shows.
func (db *DB) verifyNumbers(ctx context.Context, rep *Report) error {
	type key struct {
		unit int64
		year int
	}
	seqs := map[key][]int{}
	names := map[int64]string{}
	// Imported items keep the numbers of the earlier ledger, outside this
	// numbering (their first event says so, which verifyPetition checks).
	rows, err := db.query(ctx, `SELECT p.reg_unit_id, u.name, p.number FROM petitions p JOIN units u ON u.id = p.reg_unit_id WHERE p.import_id IS NULL`)
	err = eachRow(rows, err, func(s scanner) error {
		var unit int64
		var name, number string
		if err := s.Scan(&unit, &name, &number); err != nil {
			return err
		}
		names[unit] = name
		parts := strings.Split(number, "-")
		var year, seq int
		var e1, e2 error
		if n := len(parts); n >= 3 {
			year, e1 = strconv.Atoi(parts[n-2])
			seq, e2 = strconv.Atoi(parts[n-1])
		}
		if len(parts) < 3 || e1 != nil || e2 != nil {
			rep.Findings = append(rep.Findings, Finding{Record: "编号 " + number, Problems: []string{"编号不是“单位代码-年份-序号”的格式"}})
			return nil
		}
		k := key{unit, year}
		seqs[k] = append(seqs[k], seq)
		return nil
	})
	if err != nil {
		return err
	}
	counters := map[key]int{}
	// A negative year counts the unit's backlog cases (caseNumberYear).
	rows, err = db.query(ctx, `SELECT c.unit_id, u.name, c.year, c.next FROM counters c JOIN units u ON u.id = c.unit_id WHERE c.year > 0`)
	err = eachRow(rows, err, func(s scanner) error {
		var k key
		var name string
		var next int
		if err := s.Scan(&k.unit, &name, &k.year, &next); err != nil {
			return err
		}
		names[k.unit], counters[k] = name, next
		return nil
	})
	if err != nil {
		return err
	}
	var keys []key
	for k := range seqs {
		keys = append(keys, k)
	}
	for k := range counters {
		if _, ok := seqs[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].unit != keys[j].unit {
			return keys[i].unit < keys[j].unit
		}
		return keys[i].year < keys[j].year
	})
	for _, k := range keys {
		have := map[int]bool{}
		var problems []string
		var beyond []string
		for _, s := range seqs[k] {
			have[s] = true
			if s < 1 || s > counters[k] {
				beyond = append(beyond, strconv.Itoa(s))
			}
		}
		var missing []string
		for s := 1; s <= counters[k]; s++ {
			if !have[s] {
				missing = append(missing, strconv.Itoa(s))
			}
		}
		if len(missing) > 0 {
			problems = append(problems, fmt.Sprintf("缺少第 %s 号（共 %d 个）：信访件可能被删除", listSome(missing), len(missing)))
		}
		if len(beyond) > 0 {
			problems = append(problems, fmt.Sprintf("第 %s 号超出计数（%d）", listSome(beyond), counters[k]))
		}
		if len(problems) > 0 {
			rep.Findings = append(rep.Findings, Finding{Record: fmt.Sprintf("%s %d 年的编号", names[k.unit], k.year), Problems: problems})
		}
	}
	return nil
}

// listSome joins up to ten items with 、, and says when there are more.
func listSome(items []string) string {
	if len(items) > 10 {
		return strings.Join(items[:10], "、") + " 等"
	}
	return strings.Join(items, "、")
}
