package sqldb

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/similar"
)

// commitRow writes one checked row in the commit's transaction.
func (k *importChecker) commitRow(row *importRow) error {
	if k.im.Kind == xinfang.ImportCases {
		return k.commitCase(row)
	}
	return k.commitPetition(row)
}

// commitPetition writes an imported petition as registration writes one
// (petitioners sealed, the watch and repeat indexes, the search queue),
// under its original number, with the import event as the first of its
// hash chain: the event carries the MAC of the content as imported, the
// state the file gives and the dates its clocks start from, so that
// verification replays it like any history.
func (k *importChecker) commitPetition(row *importRow) error {
	ctx, tx, db := k.ctx, k.tx, k.db
	p, actor, now := row.p, k.actor, tx.now
	regUnit := k.unitsByID[p.RegUnitID]
	if regUnit == nil || regUnit.Disabled {
		return &rowError{k.heads()["reg_unit"], "登记单位不存在或已停用"}
	}
	pr := db.Procedure(ctx)
	data := map[string]string{"channel": string(p.Channel), "received_on": calendar.DateOf(p.ReceivedAt).String(),
		"import": strconv.FormatInt(k.im.ID, 10), "row": strconv.Itoa(row.line)}
	if !row.stateOn.IsZero() {
		data["state_on"] = row.stateOn.String()
	}
	if row.unitID != 0 {
		data["unit_id"] = strconv.FormatInt(row.unitID, 10)
	}
	if row.outcome != "" {
		data["outcome"] = string(row.outcome)
	}
	ev := &xinfang.Event{Seq: 1, Action: xinfang.ActImport, To: row.state, ActorID: actor.ID, ActorName: actor.Name, ActorUnitID: actor.UnitID, At: now, Data: data}
	pr.Project(p, pr.Derive([]*xinfang.Event{ev}, now))
	handlingPath := ""
	p.RegUnit, p.HandlingUnit = regUnit, nil
	if p.HandlingUnitID != 0 {
		hu := k.unitsByID[p.HandlingUnitID]
		if hu == nil {
			return &rowError{k.heads()["handling_unit"], "承办单位不存在"}
		}
		p.HandlingUnit, handlingPath = hu, hu.Path
	}
	saved, err := db.savePetitioner(ctx, tx, p.Petitioner)
	if err != nil {
		return err
	}
	pid, person := saved.id, saved.person
	p.Petitioner.ID = pid
	tx.noteSevereGap(p.DueDate, p.SevereDate)
	p.RegUserID, p.FirstUnitID = actor.ID, p.RegUnitID
	queryHash := hashCode(newQueryCode())
	id, err := tx.insert(ctx, `INSERT INTO petitions (number, query_hash, version, channel, received_at, reg_unit_id, reg_user_id, first_unit_id, petitioner_id,
		person_count, involved_count, grp, summary, content, request, category, purpose, reason, locality_id, accused, sys,
		legal_case, urgent, anonymous, threat, hot, public, cross_flags, escalation, repeat_flag, repeat_of_id, risk_level, risk_reason,
		state, handling_unit_id, outcome, evaluation, due_date, severe_date, due_clock, reg_path, handling_path, created_at, updated_at, person_id, import_id, import_hash)
		VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.Number, queryHash, p.Channel, fmtTime(p.ReceivedAt), p.RegUnitID, p.RegUserID, p.FirstUnitID, pid,
		p.PersonCount, p.InvolvedCount, b2i(p.Group), p.Summary, p.Content, p.Request, p.Category, p.Purpose, p.Reason, p.LocalityID, p.Accused, p.System,
		b2i(p.LegalCase), b2i(p.Urgent), b2i(p.Anonymous), b2i(p.Threat), b2i(p.Hot), b2i(p.Public), p.CrossFlags, p.Escalation, p.RiskLevel, p.RiskReason,
		string(p.State), nullID(p.HandlingUnitID), p.Outcome, p.Evaluation, p.DueDate, p.SevereDate, string(p.DueClock), regUnit.Path, handlingPath,
		fmtTime(now), fmtTime(now), person, k.im.ID, row.hash)
	if db.dialect.unique(err) {
		return &rowError{k.heads()["number"], "系统中已有此编号"}
	}
	if err != nil {
		return err
	}
	p.ID = id
	if err := db.indexWatch(ctx, tx, p, person); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO petition_petitioners (petition_id, petitioner_id) VALUES (?, ?)`, id, pid); err != nil {
		return err
	}
	if err := db.enqueueImported(ctx, tx, p); err != nil {
		return err
	}
	// The MACs of what was just written, from the values themselves
	// rather than read back (macOfRegistered, headOf): the same text
	// verification reads (a test verifies every imported item on both
	// databases).
	ev.PetitionID = id
	ev.Data[dataRegistered] = db.macOfRegistered(registeredOf(p, queryHash, regUnit.Path, fmtTime(now), person), [][]string{saved.vals})
	db.chainEvent(ev, "")
	evData, err := json.Marshal(ev.Data)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO events (petition_id, seq, action, from_state, to_state, actor_id, actor_name, actor_unit_id, at, note, data, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, ev.Seq, string(ev.Action), string(ev.From), string(ev.To), ev.ActorID, ev.ActorName, ev.ActorUnitID,
		fmtTime(ev.At), ev.Note, string(evData), ev.PrevHash, ev.Hash); err != nil {
		return err
	}
	// The indicators' facts, as for an item registered here.
	if err := db.writeNewFacts(ctx, tx, pr, p, []*xinfang.Event{ev}); err != nil {
		return err
	}
	head := db.macOfHead(headOf(p, ev.Hash, handlingPath))
	_, err = tx.exec(ctx, `UPDATE petitions SET head_hash = ?, head_mac = ? WHERE id = ?`, ev.Hash, head, id)
	return err
}

// enqueueImported queues an imported petition for its repeat and search
// index as registration does (enqueueIndex), writing the queue's row at
// once rather than at the end of the transaction, so that a commit of
// many rows keeps none of them in memory.
func (db *core) enqueueImported(ctx context.Context, tx *Tx, p *xinfang.Petition) error {
	fp, traits := similar.PetitionIndex(similar.Petition{Summary: p.Summary, Content: p.Content})
	if _, err := tx.exec(ctx, `INSERT INTO petition_fingerprints (petition_id, version, day, fp, traits) VALUES (?, ?, ?, ?, ?)`,
		p.ID, similar.FingerprintVersion, fpDay(p.ReceivedAt), encodeFP(fp), traits); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO index_queue (petition_id, text) VALUES (?, ?)`, p.ID, searchFold(petitionSearchText(p)))
	return err
}

// commitCase writes an imported backlog case under its original number,
// created on the date the file gives, with its links to petitions, its
// search document and the import as the first entry of its history.
func (k *importChecker) commitCase(row *importRow) error {
	ctx, tx, db := k.ctx, k.tx, k.db
	c, actor := row.c, k.actor
	u := k.unitsByID[c.ResponsibleUnitID]
	if u == nil {
		return &rowError{k.heads()["unit"], "责任单位不存在"}
	}
	cs := &CaseStore{db}
	c.Version, c.CreatedBy, c.UpdatedAt = 1, actor.ID, tx.now
	id, err := tx.insert(ctx, `INSERT INTO cases (number, version, title, source, summary, petitioners, responsible_unit_id, responsible_path, leader_id,
		stability_plan, deadline, tags, state, created_by, created_at, updated_at, import_id, import_hash) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, '', ?, '', ?, ?, ?, ?, ?, ?)`,
		c.Number, c.Title, c.Source, c.Summary, c.Petitioners, c.ResponsibleUnitID, u.Path, nullID(c.LeaderID),
		c.Deadline, string(c.State), actor.ID, fmtTime(c.CreatedAt), fmtTime(tx.now), k.im.ID, row.hash)
	if db.dialect.unique(err) {
		return &rowError{k.heads()["number"], "系统中已有此编号"}
	}
	if err != nil {
		return err
	}
	c.ID = id
	if err := cs.linkPetitions(ctx, tx, id, c.PetitionIDs); err != nil {
		return err
	}
	if err := cs.indexCase(ctx, tx, c); err != nil {
		return err
	}
	return cs.caseEvent(ctx, tx, id, xinfang.CaseEventImport, map[string]string{"number": c.Number, "title": c.Title,
		"import": fmt.Sprintf("%s 第 %d 行", k.im.FileName, row.line)})
}
