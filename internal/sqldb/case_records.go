package sqldb

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strconv"
	"strings"

	"xinfang"
	"xinfang/internal/calendar"
)

// The records of a backlog case under 五包一: team, plan steps, consultations, progress, resolution, sign-off, transitions; and the leaders' view of their cases.

// SetCaseTeam replaces the 工作专班 of a case.
func (db *CaseStore) SetCaseTeam(ctx context.Context, id int64, version int, team []xinfang.CaseMember) (*xinfang.Case, error) {
	return db.changeCase(ctx, id, version, func(tx *Tx, c *xinfang.Case) (xinfang.CaseEventKind, map[string]string, error) {
		names, err := db.writeTeam(ctx, tx, c.ID, team)
		if err != nil {
			return "", nil, err
		}
		return xinfang.CaseEventTeam, map[string]string{"team": names}, nil
	})
}

// writeTeam checks a case's 工作专班 and replaces the stored one with it,
// returning the members as the history names them.
func (db *CaseStore) writeTeam(ctx context.Context, tx *Tx, caseID int64, team []xinfang.CaseMember) (string, error) {
	p := xinfang.Problems{}
	// A team over its size is refused before any of it is looked up.
	if xinfang.ValidateTeam(team, p); p["team"] != "" {
		return "", p.Err()
	}
	names := make([]string, 0, len(team))
	for i := range team {
		m := &team[i]
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
		return "", err
	}
	if _, err := tx.exec(ctx, `DELETE FROM case_members WHERE case_id = ?`, caseID); err != nil {
		return "", err
	}
	for _, m := range team {
		if _, err := tx.exec(ctx, `INSERT INTO case_members (case_id, user_id, name, role) VALUES (?, ?, ?, ?)`, caseID, nullID(m.UserID), m.Name, m.Role); err != nil {
			return "", err
		}
	}
	return strings.Join(names, "、"), nil
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
	return db.changeCase(ctx, id, version, func(tx *Tx, c *xinfang.Case) (xinfang.CaseEventKind, map[string]string, error) {
		if c.State == xinfang.CaseClosed {
			return "", nil, xinfang.Errorf(xinfang.ECONFLICT, "案件已销号，不能再修改化解方案")
		}
		if err := s.Validate(calendar.DateOf(tx.now)); err != nil {
			return "", nil, err
		}
		name, err := ownerName(ctx, tx, s.OwnerID, s.Owner, "owner_id")
		if err != nil {
			return "", nil, err
		}
		s.Owner = name
		data := map[string]string{"content": s.Content, "owner": s.Owner, "deadline": s.Deadline.String(), "done_on": s.DoneOn.String(), "evidence": s.Evidence}
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
			return xinfang.CaseEventStepAdd, data, nil
		}
		n, err := tx.change(ctx, `UPDATE case_steps SET content = ?, owner_id = ?, owner = ?, deadline = ?, done_on = ?, evidence = ? WHERE id = ? AND case_id = ?`,
			s.Content, nullID(s.OwnerID), s.Owner, s.Deadline, s.DoneOn, s.Evidence, s.ID, c.ID)
		if err != nil {
			return "", nil, err
		}
		if n != 1 {
			return "", nil, xinfang.Errorf(xinfang.ENOTFOUND, "方案步骤不存在")
		}
		data["step"] = itoa(s.ID)
		return xinfang.CaseEventStepEdit, data, nil
	})
}

// AddConsultation records a 会诊.
func (db *CaseStore) AddConsultation(ctx context.Context, id int64, version int, k *xinfang.Consultation) (*xinfang.Case, error) {
	return db.changeCase(ctx, id, version, func(tx *Tx, c *xinfang.Case) (xinfang.CaseEventKind, map[string]string, error) {
		if err := k.Validate(calendar.DateOf(tx.now)); err != nil {
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
			names[i] = a.Name + "（" + a.Kind.Label() + "）"
		}
		return xinfang.CaseEventConsultation, map[string]string{"date": k.Date.String(), "attendees": strings.Join(names, "、"), "findings": k.Findings, "decisions": k.Decisions}, nil
	})
}

// AddProgress records a 进展报告 by the actor; the date defaults to today.
func (db *CaseStore) AddProgress(ctx context.Context, id int64, version int, r *xinfang.ProgressReport) (*xinfang.Case, error) {
	actor := xinfang.UserFromContext(ctx)
	return db.changeCase(ctx, id, version, func(tx *Tx, c *xinfang.Case) (xinfang.CaseEventKind, map[string]string, error) {
		if r.Date.IsZero() {
			r.Date = calendar.DateOf(tx.now)
		}
		if err := r.Validate(calendar.DateOf(tx.now)); err != nil {
			return "", nil, err
		}
		r.AuthorID, r.AuthorName = actor.ID, actor.Name
		var err error
		if r.ID, err = tx.insert(ctx, `INSERT INTO case_progress (case_id, reported_on, author_id, author_name, text) VALUES (?, ?, ?, ?, ?)`,
			c.ID, r.Date, actor.ID, actor.Name, r.Text); err != nil {
			return "", nil, err
		}
		return xinfang.CaseEventProgress, map[string]string{"date": r.Date.String(), "text": r.Text}, nil
	})
}

// SetResolution records the resolution of a case: facts established, the
// problem solved or lawfully terminated, the petitioner's position and the
// follow-up visit. What is still missing is said when 已化解 is asked for.
func (db *CaseStore) SetResolution(ctx context.Context, id int64, version int, r xinfang.Resolution) (*xinfang.Case, error) {
	return db.changeCase(ctx, id, version, func(tx *Tx, c *xinfang.Case) (xinfang.CaseEventKind, map[string]string, error) {
		if c.State == xinfang.CaseClosed {
			return "", nil, xinfang.Errorf(xinfang.ECONFLICT, "案件已销号，不能再修改化解情况")
		}
		if err := r.Validate(calendar.DateOf(tx.now)); err != nil {
			return "", nil, err
		}
		f := r.Followup
		if _, err := tx.exec(ctx, `UPDATE cases SET facts = ?, solution = ?, solution_text = ?, petitioner_position = ?,
			followup_date = ?, followup_by = ?, followup_how = ?, followup_mood = ?, followup_settled = ? WHERE id = ?`,
			r.Facts, r.Solution, r.SolutionText, r.PetitionerPosition, f.Date, f.By, f.How, f.Mood, b2i(f.Settled), c.ID); err != nil {
			return "", nil, err
		}
		settled := ""
		if !f.Date.IsZero() {
			settled = "否"
			if f.Settled {
				settled = "是"
			}
		}
		return xinfang.CaseEventResolution, map[string]string{"facts": r.Facts, "solution": r.Solution.Label(), "solution_text": r.SolutionText,
			"petitioner_position": r.PetitionerPosition, "followup_date": f.Date.String(), "followup_by": f.By, "followup_how": f.How, "followup_mood": f.Mood,
			"followup_settled": settled}, nil
	})
}

// SignOffCase records the 包案领导's signature on a resolved case. Only the
// case's own leader may sign.
func (db *CaseStore) SignOffCase(ctx context.Context, id int64, version int, note string) (*xinfang.Case, error) {
	actor := xinfang.UserFromContext(ctx)
	return db.changeCase(ctx, id, version, func(tx *Tx, c *xinfang.Case) (xinfang.CaseEventKind, map[string]string, error) {
		if err := xinfang.CheckSignOff(c, actor); err != nil {
			return "", nil, err
		}
		note, err := xinfang.CheckNote("note", note)
		if err != nil {
			return "", nil, err
		}
		if _, err := tx.exec(ctx, `UPDATE cases SET signed_by = ?, signed_at = ?, sign_note = ? WHERE id = ?`, actor.ID, fmtTime(tx.now), note, c.ID); err != nil {
			return "", nil, err
		}
		return xinfang.CaseEventSignOff, map[string]string{"by": actor.Name, "note": note}, nil
	})
}

// ActCase moves a case by one transition (start, resolve, close, reopen)
// under the closure rule of xinfang.CheckTransition. Reopening clears the
// leader's signature: it signed a resolution that no longer stands.
func (db *CaseStore) ActCase(ctx context.Context, id int64, version int, action xinfang.CaseAction, note string) (*xinfang.Case, error) {
	return db.changeCase(ctx, id, version, func(tx *Tx, c *xinfang.Case) (xinfang.CaseEventKind, map[string]string, error) {
		note, err := xinfang.CheckNote("note", note)
		if err != nil {
			return "", nil, err
		}
		to, err := xinfang.CheckTransition(c, action)
		if err != nil {
			return "", nil, err
		}
		q := `UPDATE cases SET state = ? WHERE id = ?`
		if action == xinfang.CaseActReopen {
			q = `UPDATE cases SET state = ?, signed_by = NULL, signed_at = '', sign_note = '' WHERE id = ?`
		}
		if _, err := tx.exec(ctx, q, string(to), c.ID); err != nil {
			return "", nil, err
		}
		return xinfang.CaseEventKind(action), map[string]string{"from": c.State.Label(), "to": to.Label(), "note": note}, nil
	})
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
	today := db.todayDate()
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
			case s.DoneOn.IsZero() && len(lc.Next) < 3:
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
	out := []xinfang.CaseUser{}
	err = eachRow(rows, err, func(r scanner) error {
		var u xinfang.CaseUser
		var roles string
		if err := r.Scan(&u.ID, &u.Name, &u.UnitName, &roles); err != nil {
			return err
		}
		rs := parseRoles(roles)
		if !slices.ContainsFunc(rs, func(r xinfang.Role) bool { return !r.Administrative() }) {
			return nil // administrators, and accounts without roles, do no case work
		}
		u.Leader = xinfang.CanLeadCase(&xinfang.User{ID: u.ID, Roles: rs})
		out = append(out, u)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Leader && !out[j].Leader })
	return out, nil
}
