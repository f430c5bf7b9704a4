package sqldb

import (
	"context"
	"fmt"

	"xinfang"
	"xinfang/internal/calendar"
)

// MediationStore is the mediators (调解员) and the mediations (调解); an
// agreement that concludes a petition writes the petition's
// mediation_conclude event in the same transaction.
type MediationStore struct{ *core }

const mediatorCols = `d.id, d.name, d.kind, d.unit_id, u.name, d.phone, COALESCE(d.user_id, 0), d.available, d.note`

func scanMediator(s scanner) (*xinfang.Mediator, error) {
	m := &xinfang.Mediator{}
	var avail int
	if err := s.Scan(&m.ID, &m.Name, &m.Kind, &m.UnitID, &m.UnitName, &m.Phone, &m.UserID, &avail, &m.Note); err != nil {
		return nil, err
	}
	m.Available = avail != 0
	return m, nil
}

// SaveMediator creates a mediator (ID 0) or replaces one.
func (db *MediationStore) SaveMediator(ctx context.Context, m *xinfang.Mediator) error {
	if _, err := requireSocietyWriter(ctx); err != nil {
		return err
	}
	if err := m.Validate(); err != nil {
		return err
	}
	err := db.write(ctx, func(tx *Tx) error {
		if _, err := scanUnit(tx.queryRow(ctx, `SELECT `+unitCols+` FROM units WHERE id = ?`, m.UnitID)); err != nil {
			return db.notFoundField(err, "unit_id", "单位不存在")
		}
		if err := checkAccount(ctx, db.core, tx, m.UserID, "user_id"); err != nil {
			return err
		}
		now := fmtTime(tx.now)
		if m.ID == 0 {
			id, err := tx.insert(ctx, `INSERT INTO mediators (name, kind, unit_id, phone, user_id, available, note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				m.Name, string(m.Kind), m.UnitID, m.Phone, nullID(m.UserID), b2i(m.Available), m.Note, now, now)
			m.ID = id
			tx.created("mediator", id)
			return err
		}
		n, err := tx.change(ctx, `UPDATE mediators SET name = ?, kind = ?, unit_id = ?, phone = ?, user_id = ?, available = ?, note = ?, updated_at = ? WHERE id = ?`,
			m.Name, string(m.Kind), m.UnitID, m.Phone, nullID(m.UserID), b2i(m.Available), m.Note, now, m.ID)
		if err == nil && n != 1 {
			return xinfang.Errorf(xinfang.ENOTFOUND, "调解员不存在")
		}
		return err
	})
	if err != nil {
		return err
	}
	list, err := db.FindMediators(ctx, 0)
	if err != nil {
		return err
	}
	for _, x := range list {
		if x.ID == m.ID {
			*m = *x
		}
	}
	return nil
}

// FindMediators lists the mediators, of a unit's subtree when unitID is
// given, by unit and name.
func (db *MediationStore) FindMediators(ctx context.Context, unitID int64) ([]*xinfang.Mediator, error) {
	if _, err := requireSocietyReader(ctx); err != nil {
		return nil, err
	}
	where, args := "1 = 1", []any{}
	if unitID != 0 {
		u, err := db.findUnit(ctx, unitID)
		if err != nil {
			return nil, db.notFoundField(err, "unit_id", "单位不存在")
		}
		c, a := subtree(u.Path, "u.path")
		where, args = c, a
	}
	rows, err := db.query(ctx, `SELECT `+mediatorCols+` FROM mediators d JOIN units u ON u.id = d.unit_id WHERE `+where+` ORDER BY u.path, d.name, d.id LIMIT 2000`, args...)
	return scanAll(rows, err, scanMediator)
}

const mediationCols = `m.id, m.number, COALESCE(m.petition_id, 0), COALESCE(p.number, ''), COALESCE(m.case_id, 0), COALESCE(c.number, ''), m.unit_id, u.name,
	m.dispute, m.parties, m.started_on, m.state, m.agreement, m.agreed_on, m.fulfil_by, m.fulfilled_on, m.fail_reason, m.concluded, m.version,
	m.created_by, m.created_by_name, m.created_at`

const mediationFrom = ` FROM mediations m JOIN units u ON u.id = m.unit_id LEFT JOIN petitions p ON p.id = m.petition_id LEFT JOIN cases c ON c.id = m.case_id`

func scanMediation(s scanner) (*xinfang.Mediation, error) {
	m := &xinfang.Mediation{Mediators: []xinfang.MediationMediator{}, Sessions: []xinfang.MediationSession{}}
	var concluded int
	var created string
	if err := s.Scan(&m.ID, &m.Number, &m.PetitionID, &m.PetitionNumber, &m.CaseID, &m.CaseNumber, &m.UnitID, &m.UnitName,
		&m.Dispute, &m.Parties, &m.StartedOn, &m.State, &m.Agreement, &m.AgreedOn, &m.FulfilBy, &m.FulfilledOn, &m.FailReason, &concluded, &m.Version,
		&m.CreatedByID, &m.CreatedByName, &created); err != nil {
		return nil, err
	}
	m.Concluded, m.CreatedAt = concluded != 0, parseTime(created)
	return m, nil
}

func (db *MediationStore) loadMediationParts(ctx context.Context, q rowQuerier, list []*xinfang.Mediation) error {
	if len(list) == 0 {
		return nil
	}
	byID := map[int64]*xinfang.Mediation{}
	ids := make([]int64, len(list))
	today := db.todayDate()
	near := db.Cfg.NearDays
	if near <= 0 {
		near = 3
	}
	for i, m := range list {
		byID[m.ID], ids[i] = m, m.ID
		m.Warning = m.FulfilmentWarning(today, near)
	}
	r := cq{db.core, q}
	rows, err := r.rows(ctx, `SELECT mm.mediation_id, d.id, d.name, d.kind FROM mediation_mediators mm JOIN mediators d ON d.id = mm.mediator_id
		WHERE mm.mediation_id IN (`+placeholders(len(ids))+`) ORDER BY mm.mediation_id, d.id`, idArgs(ids)...)
	err = eachRow(rows, err, func(s scanner) error {
		var mid int64
		var x xinfang.MediationMediator
		if err := s.Scan(&mid, &x.MediatorID, &x.Name, &x.Kind); err != nil {
			return err
		}
		byID[mid].Mediators = append(byID[mid].Mediators, x)
		return nil
	})
	if err != nil {
		return err
	}
	rows, err = r.rows(ctx, `SELECT mediation_id, id, held_on, place, summary FROM mediation_sessions WHERE mediation_id IN (`+placeholders(len(ids))+`) ORDER BY mediation_id, held_on, id`, idArgs(ids)...)
	return eachRow(rows, err, func(s scanner) error {
		var mid int64
		var x xinfang.MediationSession
		if err := s.Scan(&mid, &x.ID, &x.HeldOn, &x.Place, &x.Summary); err != nil {
			return err
		}
		byID[mid].Sessions = append(byID[mid].Sessions, x)
		return nil
	})
}

func (db *MediationStore) findMediation(ctx context.Context, q rowQuerier, id int64) (*xinfang.Mediation, error) {
	scope, args, err := mediationScope(ctx)
	if err != nil {
		return nil, err
	}
	m, err := scanMediation(cq{db.core, q}.row(ctx, `SELECT `+mediationCols+mediationFrom+` WHERE m.id = ? AND `+scope, append([]any{id}, args...)...))
	if err != nil {
		return nil, db.notFound(err, "调解不存在或无权查看")
	}
	return m, db.loadMediationParts(ctx, q, []*xinfang.Mediation{m})
}

// FindMediationByID returns a mediation the reader may see.
func (db *MediationStore) FindMediationByID(ctx context.Context, id int64) (*xinfang.Mediation, error) {
	_, err := allow(ctx, xinfang.CanReadMediations, "无权查看调解")
	if err != nil {
		return nil, err
	}
	var m *xinfang.Mediation
	err = db.read(ctx, func(q rowQuerier) error {
		var err error
		m, err = db.findMediation(ctx, q, id)
		return err
	})
	return m, err
}

// FindMediations lists the mediations the reader may see, newest first;
// Overdue keeps the agreements past their fulfilment day.
func (db *MediationStore) FindMediations(ctx context.Context, f xinfang.MediationFilter) ([]*xinfang.Mediation, int, error) {
	_, err := allow(ctx, xinfang.CanReadMediations, "无权查看调解")
	if err != nil {
		return nil, 0, err
	}
	scope, args, err := mediationScope(ctx)
	if err != nil {
		return nil, 0, err
	}
	where := scope
	if f.State != "" {
		if !f.State.Valid() {
			return nil, 0, xinfang.FieldError("state", "未知的调解状态")
		}
		where += " AND m.state = ?"
		args = append(args, string(f.State))
	}
	if f.Overdue {
		where += " AND m.state = 'agreed' AND m.fulfilled_on = '' AND m.fulfil_by <> '' AND m.fulfil_by < ?"
		args = append(args, db.todayDate().String())
	}
	if f.PetitionID != 0 {
		where += " AND m.petition_id = ?"
		args = append(args, f.PetitionID)
	}
	if f.Limit, err = pageLimit(f.Limit, f.Offset); err != nil {
		return nil, 0, err
	}
	var total int
	var out []*xinfang.Mediation
	err = db.read(ctx, func(q rowQuerier) error {
		r := cq{db.core, q}
		if err := r.row(ctx, `SELECT COUNT(*)`+mediationFrom+` WHERE `+where, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := r.rows(ctx, `SELECT `+mediationCols+mediationFrom+` WHERE `+where+` ORDER BY m.started_on DESC, m.id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
		if out, err = scanAll(rows, err, scanMediation); err != nil {
			return err
		}
		return db.loadMediationParts(ctx, q, out)
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// CreateMediation opens a mediation on a petition or case the actor sees,
// held in a unit, with mediators of the register.
func (db *MediationStore) CreateMediation(ctx context.Context, m *xinfang.Mediation) error {
	actor, err := requireSocietyWriter(ctx)
	if err != nil {
		return err
	}
	if err := m.Validate(db.todayDate()); err != nil {
		return err
	}
	err = db.write(ctx, func(tx *Tx) error {
		if m.PetitionID != 0 {
			p, err := db.findPetition(ctx, tx, m.PetitionID)
			if err != nil {
				return db.notFoundField(err, "petition_id", "信访件不存在或无权查看")
			}
			if p.Purpose == xinfang.PurposeAccusation {
				return xinfang.FieldError("petition_id", "检举控告件不适用调解")
			}
		} else {
			cs, cargs, err := caseScope(ctx)
			if err != nil {
				return err
			}
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM cases c WHERE c.id = ? AND `+cs, append([]any{m.CaseID}, cargs...)...).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return xinfang.FieldError("case_id", "信访积案不存在或无权查看")
			}
		}
		unit, err := scanUnit(tx.queryRow(ctx, `SELECT `+unitCols+` FROM units WHERE id = ?`, m.UnitID))
		if err != nil {
			return db.notFoundField(err, "unit_id", "单位不存在")
		}
		users := map[int64]int64{}
		for _, x := range m.Mediators {
			var avail int
			var uid int64
			if err := tx.queryRow(ctx, `SELECT available, COALESCE(user_id, 0) FROM mediators WHERE id = ?`, x.MediatorID).Scan(&avail, &uid); err != nil {
				return db.notFoundField(err, "mediators", "调解员不存在")
			}
			if avail == 0 {
				return xinfang.FieldError("mediators", "所选调解员目前不可参加")
			}
			if _, dup := users[x.MediatorID]; dup {
				return xinfang.FieldError("mediators", "同一调解员不能重复选择")
			}
			users[x.MediatorID] = uid
		}
		year := calendar.DateOf(tx.now).Year
		var seq int64
		if err := tx.queryRow(ctx, `INSERT INTO mediation_counters (year, next) VALUES (?, 1)
			ON CONFLICT (year) DO UPDATE SET next = mediation_counters.next + 1 RETURNING next`, year).Scan(&seq); err != nil {
			return err
		}
		now := fmtTime(tx.now)
		id, err := tx.insert(ctx, `INSERT INTO mediations (number, petition_id, case_id, unit_id, unit_path, dispute, parties, started_on, state, created_by, created_by_name, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, fmt.Sprintf(xinfang.MediationNumberFormat, year, seq), nullID(m.PetitionID), nullID(m.CaseID), m.UnitID, unit.Path,
			m.Dispute, m.Parties, m.StartedOn, string(xinfang.MediationOpen), actor.ID, actor.Name, now, now)
		if err != nil {
			return err
		}
		m.ID = id
		tx.created("mediation", id)
		for mid, uid := range users {
			if _, err := tx.exec(ctx, `INSERT INTO mediation_mediators (mediation_id, mediator_id, user_id) VALUES (?, ?, ?)`, id, mid, nullID(uid)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	got, err := db.FindMediationByID(ctx, m.ID)
	if err != nil {
		return err
	}
	*m = *got
	return nil
}

// changeMediation loads a mediation in scope in a write, checks its
// version, and lets fn change it; the version moves on.
func (db *MediationStore) changeMediation(ctx context.Context, id int64, version int, fn func(tx *Tx, actor *xinfang.User, m *xinfang.Mediation) error) (*xinfang.Mediation, error) {
	actor, err := requireSocietyWriter(ctx)
	if err != nil {
		return nil, err
	}
	err = db.write(ctx, func(tx *Tx) error {
		m, err := db.findMediation(ctx, tx, id)
		if err != nil {
			return err
		}
		if m.Version != version {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该调解已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
		}
		if err := fn(tx, actor, m); err != nil {
			return err
		}
		_, err = tx.exec(ctx, `UPDATE mediations SET version = version + 1, updated_at = ? WHERE id = ?`, fmtTime(tx.now), id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.FindMediationByID(ctx, id)
}

// AddMediationSession records a sitting of an open mediation.
func (db *MediationStore) AddMediationSession(ctx context.Context, id int64, version int, s xinfang.MediationSession) (*xinfang.Mediation, error) {
	return db.changeMediation(ctx, id, version, func(tx *Tx, _ *xinfang.User, m *xinfang.Mediation) error {
		if m.State != xinfang.MediationOpen {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "调解已结束", Fields: map[string]string{"action": "当前状态不允许此操作"}}
		}
		if err := s.Validate(m, db.todayDate()); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO mediation_sessions (mediation_id, held_on, place, summary) VALUES (?, ?, ?, ?)`, id, s.HeldOn, s.Place, s.Summary)
		return err
	})
}

// RecordMediationOutcome ends an open mediation with an agreement or a
// failure. An agreement on a petition being handled by the actor's side
// may conclude it (调解结案, 第三十三条): the petition's event is written
// in the same transaction, or nothing is.
func (db *MediationStore) RecordMediationOutcome(ctx context.Context, id int64, o xinfang.MediationOutcome) (*xinfang.Mediation, error) {
	return db.changeMediation(ctx, id, o.Version, func(tx *Tx, actor *xinfang.User, m *xinfang.Mediation) error {
		if m.State != xinfang.MediationOpen {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "调解已结束", Fields: map[string]string{"action": "当前状态不允许此操作"}}
		}
		if err := o.Validate(m, db.todayDate()); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE mediations SET state = ?, agreement = ?, agreed_on = ?, fulfil_by = ?, fail_reason = ?, concluded = ? WHERE id = ?`,
			string(o.Result), o.Agreement, o.AgreedOn, o.FulfilBy, o.FailReason, b2i(o.Conclude), id); err != nil {
			return err
		}
		if !o.Conclude {
			return nil
		}
		p, err := db.findPetition(ctx, tx, m.PetitionID)
		if err != nil {
			return err
		}
		if p.State != xinfang.StateHandling {
			return xinfang.FieldError("conclude_petition", "信访件当前为「"+p.State.Label()+"」，只有办理中的信访件可以调解结案")
		}
		ps := &PetitionStore{db.core}
		_, err = ps.actIn(ctx, tx, db.Procedure(ctx), actor, p.ID, xinfang.ActionInput{Action: xinfang.ActMediationConclude, Version: p.Version,
			Data: map[string]string{"agreement": o.Agreement, "mediation": m.Number}})
		return err
	})
}

// RecordFulfilment records the day an agreement was fulfilled (履行完毕).
func (db *MediationStore) RecordFulfilment(ctx context.Context, id int64, version int, on calendar.Date) (*xinfang.Mediation, error) {
	return db.changeMediation(ctx, id, version, func(tx *Tx, _ *xinfang.User, m *xinfang.Mediation) error {
		if err := xinfang.CheckFulfilled(m, on, db.todayDate()); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `UPDATE mediations SET fulfilled_on = ? WHERE id = ?`, on, id)
		return err
	})
}
