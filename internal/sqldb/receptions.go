package sqldb

import (
	"context"
	"slices"

	"xinfang"
	"xinfang/internal/calendar"
)

// ReceptionStore is the leaders' receptions (领导接访、下访、约访): the
// published schedule, the record of each reception with the lawyers and
// observers invited, and the matters received — each one a petition
// registered through the registration path in the same write (channel
// 领导接访), or joined to a petition the recorder sees.
type ReceptionStore struct{ *core }

// receptionScope is the scope of receptions r.
var receptionScope = scoped((*dataScope).receptions)

// receptions is the scope of receptions r: organised in the subtree or
// held at a place in it (a 下访 to a village of the subtree), the whole
// city for city-wide roles, and always to the leader received and the
// invited with an account, who (lawyers, observers) see nothing else.
func (s *dataScope) receptions() (string, []any, error) {
	if s.All {
		return all, nil, nil
	}
	id := s.user.ID
	involved := `(r.leader_id = ? OR EXISTS (SELECT 1 FROM reception_participants rpu WHERE rpu.reception_id = r.id AND rpu.user_id = ?))`
	if s.None {
		return involved, []any{id, id}, nil
	}
	own, args := subtree(s.UnitPath, "r.unit_path", "r.place_path")
	return `(` + own + ` OR ` + involved + `)`, append(args, id, id), nil
}

const receptionCols = `r.id, r.kind, r.leader_id, lu.name, r.held_on, r.place, COALESCE(r.place_unit_id, 0), COALESCE(pu.name, ''), r.topic,
	r.unit_id, u.name, r.state, r.summary, r.cancel_reason, r.version, r.created_by, r.created_by_name, r.created_at, r.updated_at`

const receptionFrom = ` FROM receptions r JOIN users lu ON lu.id = r.leader_id JOIN units u ON u.id = r.unit_id LEFT JOIN units pu ON pu.id = r.place_unit_id`

func scanReception(s scanner) (*xinfang.Reception, error) {
	r := &xinfang.Reception{Participants: []xinfang.ReceptionParticipant{}, Matters: []xinfang.ReceptionMatter{}}
	var created, updated string
	if err := s.Scan(&r.ID, &r.Kind, &r.LeaderID, &r.LeaderName, &r.On, &r.Place, &r.PlaceUnitID, &r.PlaceUnitName, &r.Topic,
		&r.UnitID, &r.UnitName, &r.State, &r.Summary, &r.CancelReason, &r.Version, &r.CreatedByID, &r.CreatedByName, &created, &updated); err != nil {
		return nil, err
	}
	r.CreatedAt, r.UpdatedAt = parseTime(created), parseTime(updated)
	return r, nil
}

// loadReceptionParts loads the invited and the matters of list; a
// matter's petition number shows only to a reader who sees the petition.
func (db *ReceptionStore) loadReceptionParts(ctx context.Context, q rowQuerier, list []*xinfang.Reception) error {
	if len(list) == 0 {
		return nil
	}
	byID := map[int64]*xinfang.Reception{}
	ids := make([]int64, len(list))
	for i, r := range list {
		byID[r.ID], ids[i] = r, r.ID
	}
	rq := cq{db.core, q}
	rows, err := rq.rows(ctx, `SELECT reception_id, id, kind, COALESCE(observer_id, 0), COALESCE(user_id, 0), name, affiliation, attendance, remarks
		FROM reception_participants WHERE reception_id IN (`+placeholders(len(ids))+`) ORDER BY reception_id, id`, idArgs(ids)...)
	err = eachRow(rows, err, func(s scanner) error {
		var rid int64
		var x xinfang.ReceptionParticipant
		if err := s.Scan(&rid, &x.ID, &x.Kind, &x.ObserverID, &x.UserID, &x.Name, &x.Affiliation, &x.Attendance, &x.Remarks); err != nil {
			return err
		}
		byID[rid].Participants = append(byID[rid].Participants, x)
		return nil
	})
	if err != nil {
		return err
	}
	scope, sargs, err := petitionScope(ctx)
	if err != nil {
		return err
	}
	rows, err = rq.rows(ctx, `SELECT m.reception_id, m.id, m.petitioners, m.raised, m.instruction, m.petition_id, CASE WHEN `+scope+` THEN p.number ELSE '' END,
		m.registered, m.created_by_name, m.created_at
		FROM reception_matters m JOIN petitions p ON p.id = m.petition_id WHERE m.reception_id IN (`+placeholders(len(ids))+`) ORDER BY m.reception_id, m.id`,
		append(sargs, idArgs(ids)...)...)
	return eachRow(rows, err, func(s scanner) error {
		x, err := scanMatter(s)
		if err != nil {
			return err
		}
		byID[x.ReceptionID].Matters = append(byID[x.ReceptionID].Matters, *x)
		return nil
	})
}

func scanMatter(s scanner, extra ...any) (*xinfang.ReceptionMatter, error) {
	x := &xinfang.ReceptionMatter{}
	var reg int
	var created string
	if err := s.Scan(append([]any{&x.ReceptionID, &x.ID, &x.Petitioners, &x.Raised, &x.Instruction, &x.PetitionID, &x.PetitionNumber,
		&reg, &x.CreatedByName, &created}, extra...)...); err != nil {
		return nil, err
	}
	x.Registered, x.CreatedAt = reg != 0, parseTime(created)
	return x, nil
}

func (db *ReceptionStore) findReception(ctx context.Context, q rowQuerier, id int64) (*xinfang.Reception, error) {
	scope, args, err := receptionScope(ctx)
	if err != nil {
		return nil, err
	}
	r, err := scanReception(cq{db.core, q}.row(ctx, `SELECT `+receptionCols+receptionFrom+` WHERE r.id = ? AND `+scope, append([]any{id}, args...)...))
	if err != nil {
		return nil, db.notFound(err, "接访记录不存在或无权查看")
	}
	return r, db.loadReceptionParts(ctx, q, []*xinfang.Reception{r})
}

// FindReceptionByID returns a reception the reader may see, with its
// invited and its matters.
func (db *ReceptionStore) FindReceptionByID(ctx context.Context, id int64) (*xinfang.Reception, error) {
	if _, err := allow(ctx, xinfang.CanReadReceptions, "无权查看领导接访记录"); err != nil {
		return nil, err
	}
	var r *xinfang.Reception
	err := db.read(ctx, func(q rowQuerier) error {
		var err error
		r, err = db.findReception(ctx, q, id)
		return err
	})
	return r, err
}

// FindReceptions lists the receptions the reader may see, newest day
// first, with their total.
func (db *ReceptionStore) FindReceptions(ctx context.Context, f xinfang.ReceptionFilter) ([]*xinfang.Reception, int, error) {
	if _, err := allow(ctx, xinfang.CanReadReceptions, "无权查看领导接访记录"); err != nil {
		return nil, 0, err
	}
	where, args, err := receptionScope(ctx)
	if err != nil {
		return nil, 0, err
	}
	p := xinfang.Problems{}
	if f.Kind != "" && !f.Kind.Valid() {
		p.Add("kind", "未知的接访方式")
	}
	if f.State != "" && !f.State.Valid() {
		p.Add("state", "未知的接访状态")
	}
	if err := p.Err(); err != nil {
		return nil, 0, err
	}
	for _, c := range []struct {
		on  bool
		sql string
		arg any
	}{
		{f.Kind != "", " AND r.kind = ?", string(f.Kind)}, {f.State != "", " AND r.state = ?", string(f.State)},
		{f.LeaderID != 0, " AND r.leader_id = ?", f.LeaderID}, {!f.From.IsZero(), " AND r.held_on >= ?", f.From}, {!f.To.IsZero(), " AND r.held_on <= ?", f.To},
	} {
		if c.on {
			where += c.sql
			args = append(args, c.arg)
		}
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	var list []*xinfang.Reception
	var total int
	err = db.read(ctx, func(q rowQuerier) error {
		rq := cq{db.core, q}
		if err := rq.row(ctx, `SELECT COUNT(*) FROM receptions r WHERE `+where, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := rq.rows(ctx, `SELECT `+receptionCols+receptionFrom+` WHERE `+where+` ORDER BY r.held_on DESC, r.id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
		if list, err = scanAll(rows, err, scanReception); err != nil {
			return err
		}
		return db.loadReceptionParts(ctx, q, list)
	})
	return list, total, err
}

// ReceptionSchedule is the published schedule (接访日程) from day from to
// day to, in day order: every staff member reads it, without the records.
func (db *ReceptionStore) ReceptionSchedule(ctx context.Context, from, to calendar.Date) ([]xinfang.ScheduledReception, error) {
	if _, err := allow(ctx, xinfang.CanReadReceptionSchedule, "接访日程仅供工作人员查看"); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT r.id, r.kind, lu.name, r.held_on, r.place, COALESCE(pu.name, ''), r.topic, r.state
		FROM receptions r JOIN users lu ON lu.id = r.leader_id LEFT JOIN units pu ON pu.id = r.place_unit_id
		WHERE r.held_on >= ? AND r.held_on <= ? AND r.kind <> ? ORDER BY r.held_on, lu.name, r.id LIMIT 500`, from, to, string(xinfang.ReceptionAppointment))
	return scanAll(rows, err, func(s scanner) (xinfang.ScheduledReception, error) {
		var x xinfang.ScheduledReception
		err := s.Scan(&x.ID, &x.Kind, &x.LeaderName, &x.On, &x.Place, &x.PlaceUnitName, &x.Topic, &x.State)
		return x, err
	})
}

// ScheduleReception puts a reception day on the schedule: its leader (a
// user with the leader role), place, and the lawyers and observers
// invited.
func (db *ReceptionStore) ScheduleReception(ctx context.Context, r *xinfang.Reception) error {
	actor, err := allow(ctx, xinfang.CanManageReceptions, "无权安排领导接访")
	if err != nil {
		return err
	}
	if actor.Unit == nil {
		return xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	if err := r.Validate(db.todayDate()); err != nil {
		return err
	}
	err = db.write(ctx, func(tx *Tx) error {
		var roles string
		var disabled int
		if err := tx.queryRow(ctx, `SELECT name, roles, disabled FROM users WHERE id = ?`, r.LeaderID).Scan(&r.LeaderName, &roles, &disabled); err != nil {
			return db.notFoundField(err, "leader_id", "领导账号不存在")
		}
		if disabled != 0 || !slices.Contains(parseRoles(roles), xinfang.RoleLeader) {
			return xinfang.FieldError("leader_id", "接访领导须为在岗的领导")
		}
		placePath := ""
		if r.PlaceUnitID != 0 {
			u, err := db.findUnit(ctx, r.PlaceUnitID)
			if err != nil {
				return db.notFoundField(err, "place_unit_id", "单位不存在")
			}
			placePath = u.Path
		}
		hs := &HearingStore{db.core}
		for i := range r.Participants {
			x := &r.Participants[i]
			hp := xinfang.HearingParticipant{Kind: x.Kind, ObserverID: x.ObserverID, UserID: x.UserID}
			if err := hs.resolveParticipant(ctx, tx, &hp); err != nil {
				return err
			}
			x.Name, x.Affiliation, x.UserID, x.Attendance, x.Remarks = hp.Name, hp.Affiliation, hp.UserID, "", ""
		}
		now := fmtTime(tx.now)
		id, err := tx.insert(ctx, `INSERT INTO receptions (kind, leader_id, held_on, place, place_unit_id, place_path, topic, unit_id, unit_path, state,
			created_by, created_by_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			string(r.Kind), r.LeaderID, r.On, r.Place, nullID(r.PlaceUnitID), placePath, r.Topic, actor.UnitID, actor.Unit.Path,
			string(xinfang.ReceptionScheduled), actor.ID, actor.Name, now, now)
		if err != nil {
			return err
		}
		r.ID = id
		tx.created("reception", id)
		for _, x := range r.Participants {
			if _, err := tx.exec(ctx, `INSERT INTO reception_participants (reception_id, kind, observer_id, user_id, name, affiliation) VALUES (?, ?, ?, ?, ?, ?)`,
				id, string(x.Kind), nullID(x.ObserverID), nullID(x.UserID), x.Name, x.Affiliation); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	got, err := db.FindReceptionByID(ctx, r.ID)
	if err != nil {
		return err
	}
	*r = *got
	return nil
}

var staleReception = &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该接访记录已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}

// bumpReception raises reception id's version from version, or answers
// ECONFLICT when another write came first.
func bumpReception(ctx context.Context, tx *Tx, id int64, version int, set string, args ...any) error {
	n, err := tx.change(ctx, `UPDATE receptions SET `+set+`version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		append(args, fmtTime(tx.now), id, version)...)
	if err != nil {
		return err
	}
	if n != 1 {
		return staleReception
	}
	return nil
}

// changeReception loads reception id in scope at version and lets fn
// change it in one write.
func (db *ReceptionStore) changeReception(ctx context.Context, id int64, version int, fn func(tx *Tx, r *xinfang.Reception) error) (*xinfang.Reception, error) {
	if _, err := allow(ctx, xinfang.CanManageReceptions, "无权记录领导接访"); err != nil {
		return nil, err
	}
	err := db.write(ctx, func(tx *Tx) error {
		r, err := db.findReception(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.Version != version {
			return staleReception
		}
		return fn(tx, r)
	})
	if err != nil {
		return nil, err
	}
	return db.FindReceptionByID(ctx, id)
}

// RecordReception records a reception held: its summary and the
// attendance and remarks of the invited (as a hearing records them).
func (db *ReceptionStore) RecordReception(ctx context.Context, id int64, in xinfang.ReceptionRecord) (*xinfang.Reception, error) {
	return db.changeReception(ctx, id, in.Version, func(tx *Tx, r *xinfang.Reception) error {
		if r.State == xinfang.ReceptionCancelled {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "接访已取消，不能记录", Fields: map[string]string{"state": "已取消"}}
		}
		if err := in.Validate(r, calendar.DateOf(tx.now)); err != nil {
			return err
		}
		for _, a := range in.Attendance {
			if _, err := tx.exec(ctx, `UPDATE reception_participants SET attendance = ?, remarks = ? WHERE id = ? AND reception_id = ?`,
				string(a.Attendance), a.Remarks, a.ParticipantID, r.ID); err != nil {
				return err
			}
		}
		return bumpReception(ctx, tx, r.ID, r.Version, "state = ?, summary = ?, ", string(xinfang.ReceptionHeld), in.Summary)
	})
}

// CancelReception takes a scheduled reception day off the schedule, with
// the reason.
func (db *ReceptionStore) CancelReception(ctx context.Context, id int64, version int, reason string) (*xinfang.Reception, error) {
	reason, err := xinfang.CheckNote("cancel_reason", reason)
	if err != nil {
		return nil, err
	}
	if reason == "" {
		return nil, xinfang.FieldError("cancel_reason", "请说明取消的原因")
	}
	return db.changeReception(ctx, id, version, func(tx *Tx, r *xinfang.Reception) error {
		if r.State != xinfang.ReceptionScheduled {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "只有已排期的接访可以取消", Fields: map[string]string{"state": "当前状态不允许此操作"}}
		}
		return bumpReception(ctx, tx, r.ID, r.Version, "state = ?, cancel_reason = ?, ", string(xinfang.ReceptionCancelled), reason)
	})
}
