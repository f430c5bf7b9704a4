package sqldb

import (
	"context"
	"sort"

	"xinfang"
	"xinfang/internal/calendar"
)

// LawyerDutyStore is the lawyers' duty rota of the reception points and
// their reception records (lawyerduty.go).
type LawyerDutyStore struct{ *core }

// dutyScope is the scope of rows of alias a with a point_path and a
// lawyer_id: the whole city for city-wide roles, the points in the
// subtree for the other staff, and always the reader's own rows — all a
// lawyer sees.
func dutyScope(ctx context.Context, a string) (string, []any, error) {
	s, err := scopeOf(ctx)
	if err != nil {
		return "", nil, err
	}
	own := "(" + a + ".lawyer_id = ?)"
	switch {
	case s.All:
		return all, nil, nil
	case s.None:
		return own, []any{s.user.ID}, nil
	}
	c, args := subtree(s.UnitPath, a+".point_path")
	return "(" + c + " OR " + own + ")", append(args, s.user.ID), nil
}

// Lawyers returns the active users with the lawyer role, by id: the
// lawyers a rota is planned over.
func (db *LawyerDutyStore) Lawyers(ctx context.Context) ([]*xinfang.User, error) {
	if _, err := allow(ctx, xinfang.CanReadLawyerDuty, "无权查看律师值班"); err != nil {
		return nil, err
	}
	var out []*xinfang.User
	err := db.read(ctx, func(q rowQuerier) error {
		var err error
		out, err = db.lawyers(ctx, q)
		return err
	})
	return out, err
}

func (db *LawyerDutyStore) lawyers(ctx context.Context, q rowQuerier) ([]*xinfang.User, error) {
	rows, err := cq{db.core, q}.rows(ctx, `SELECT id, name, username FROM users WHERE disabled = 0 AND (',' || roles || ',') LIKE ? ORDER BY id`, "%,"+string(xinfang.RoleLawyer)+",%")
	return scanAll(rows, err, func(s scanner) (*xinfang.User, error) {
		u := &xinfang.User{Roles: []xinfang.Role{xinfang.RoleLawyer}}
		return u, s.Scan(&u.ID, &u.Name, &u.Username)
	})
}

// ReceptionPoints returns the units that keep a rota.
func (db *LawyerDutyStore) ReceptionPoints(ctx context.Context) ([]*xinfang.Unit, error) {
	if _, err := allow(ctx, xinfang.CanReadLawyerDuty, "无权查看律师值班"); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT `+unitCols+` FROM units WHERE kind IN (?, ?) ORDER BY path`, string(xinfang.UnitBureau), string(xinfang.UnitTown))
	units, err := scanAll(rows, err, scanUnit)
	if err != nil {
		return nil, err
	}
	out := units[:0]
	for _, u := range units {
		if xinfang.IsReceptionPoint(u) {
			out = append(out, u)
		}
	}
	return out, nil
}

const dutyCols = `w.id, w.point_id, u.name, w.week_start, w.lawyer_id, w.lawyer_name, w.version`
const dutyFrom = ` FROM lawyer_rota w JOIN units u ON u.id = w.point_id`

func scanDutyWeek(s scanner) (*xinfang.DutyWeek, error) {
	w := &xinfang.DutyWeek{Changes: []xinfang.DutyChange{}}
	return w, s.Scan(&w.ID, &w.PointID, &w.PointName, &w.WeekStart, &w.LawyerID, &w.LawyerName, &w.Version)
}

// GenerateRota plans the weeks of the request that have no lawyer yet
// (xinfang.PlanRota over the lawyers) and returns how many it created.
func (db *LawyerDutyStore) GenerateRota(ctx context.Context, req xinfang.RotaRequest) (int, error) {
	if _, err := allow(ctx, xinfang.CanPlanRota, "律师值班表由信访局排定"); err != nil {
		return 0, err
	}
	if err := req.Validate(); err != nil {
		return 0, err
	}
	weeks := req.Weeks()
	created := 0
	err := db.write(ctx, func(tx *Tx) error {
		created = 0
		points := map[int64]*xinfang.Unit{}
		for _, id := range req.PointIDs {
			u, err := scanUnit(tx.queryRow(ctx, `SELECT `+unitCols+` FROM units WHERE id = ?`, id))
			if err != nil {
				return db.notFoundField(err, "point_ids", "接访点不存在")
			}
			if !xinfang.IsReceptionPoint(u) {
				return xinfang.FieldError("point_ids", u.Name+"不是接访点（信访局或镇/街道）")
			}
			points[id] = u
		}
		ids := make([]int64, 0, len(points))
		for id := range points {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		lawyers, err := db.lawyers(ctx, tx)
		if err != nil {
			return err
		}
		names := map[int64]string{}
		var lids []int64
		for _, l := range lawyers {
			names[l.ID] = l.Name
			lids = append(lids, l.ID)
		}
		// Every week of the period at every point of the request, and the
		// weeks of other points the same weeks: a lawyer is at one point a
		// week.
		have := map[calendar.Date]map[int64]int64{}
		rows, err := cq{db.core, tx}.rows(ctx, `SELECT week_start, point_id, lawyer_id FROM lawyer_rota WHERE week_start >= ? AND week_start <= ?`, weeks[0], weeks[len(weeks)-1])
		err = eachRow(rows, err, func(s scanner) error {
			var wk calendar.Date
			var point, lawyer int64
			if err := s.Scan(&wk, &point, &lawyer); err != nil {
				return err
			}
			if have[wk] == nil {
				have[wk] = map[int64]int64{}
			}
			have[wk][point] = lawyer
			return nil
		})
		if err != nil {
			return err
		}
		var slots []xinfang.RotaSlot
		for _, wk := range weeks {
			var others []int64
			for point := range have[wk] {
				if points[point] == nil {
					others = append(others, point)
				}
			}
			sort.Slice(others, func(i, j int) bool { return others[i] < others[j] })
			for _, point := range append(append([]int64{}, ids...), others...) {
				slots = append(slots, xinfang.RotaSlot{PointID: point, WeekStart: wk, LawyerID: have[wk][point]})
			}
		}
		if err := xinfang.PlanRota(slots, lids); err != nil {
			return err
		}
		now := fmtTime(tx.now)
		for _, s := range slots {
			if have[s.WeekStart][s.PointID] != 0 {
				continue
			}
			if _, err := tx.exec(ctx, `INSERT INTO lawyer_rota (point_id, point_path, week_start, lawyer_id, lawyer_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				s.PointID, points[s.PointID].Path, s.WeekStart, s.LawyerID, names[s.LawyerID], now, now); err != nil {
				return err
			}
			created++
		}
		return nil
	})
	return created, err
}

// FindDutyWeeks lists the rota weeks the reader may see, by week and point.
func (db *LawyerDutyStore) FindDutyWeeks(ctx context.Context, f xinfang.DutyFilter) ([]*xinfang.DutyWeek, int, error) {
	if _, err := allow(ctx, xinfang.CanReadLawyerDuty, "无权查看律师值班"); err != nil {
		return nil, 0, err
	}
	where, args, err := dutyScope(ctx, "w")
	if err != nil {
		return nil, 0, err
	}
	if f.PointID != 0 {
		where += " AND w.point_id = ?"
		args = append(args, f.PointID)
	}
	if f.LawyerID != 0 {
		where += " AND w.lawyer_id = ?"
		args = append(args, f.LawyerID)
	}
	if !f.From.IsZero() {
		where += " AND w.week_start >= ?"
		args = append(args, xinfang.MondayOf(f.From))
	}
	if !f.To.IsZero() {
		where += " AND w.week_start <= ?"
		args = append(args, f.To)
	}
	if f.Limit, err = pageLimit(f.Limit, f.Offset); err != nil {
		return nil, 0, err
	}
	var total int
	var out []*xinfang.DutyWeek
	err = db.read(ctx, func(q rowQuerier) error {
		r := cq{db.core, q}
		if err := r.row(ctx, `SELECT COUNT(*)`+dutyFrom+` WHERE `+where, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := r.rows(ctx, `SELECT `+dutyCols+dutyFrom+` WHERE `+where+` ORDER BY w.week_start, u.path, w.id LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
		out, err = scanAll(rows, err, scanDutyWeek)
		return err
	})
	return out, total, err
}

func (db *LawyerDutyStore) findDutyWeek(ctx context.Context, q rowQuerier, id int64) (*xinfang.DutyWeek, error) {
	scope, args, err := dutyScope(ctx, "w")
	if err != nil {
		return nil, err
	}
	r := cq{db.core, q}
	w, err := scanDutyWeek(r.row(ctx, `SELECT `+dutyCols+dutyFrom+` WHERE w.id = ? AND `+scope, append([]any{id}, args...)...))
	if err != nil {
		return nil, db.notFound(err, "值班安排不存在或无权查看")
	}
	rows, err := r.rows(ctx, `SELECT from_name, to_name, reason, changed_by_name, changed_at FROM lawyer_rota_changes WHERE rota_id = ? ORDER BY id`, id)
	err = eachRow(rows, err, func(s scanner) error {
		var c xinfang.DutyChange
		var at string
		if err := s.Scan(&c.FromName, &c.ToName, &c.Reason, &c.ByName, &at); err != nil {
			return err
		}
		c.At = parseTime(at)
		w.Changes = append(w.Changes, c)
		return nil
	})
	return w, err
}

// FindDutyWeekByID returns a week the reader may see, with its changes.
func (db *LawyerDutyStore) FindDutyWeekByID(ctx context.Context, id int64) (*xinfang.DutyWeek, error) {
	if _, err := allow(ctx, xinfang.CanReadLawyerDuty, "无权查看律师值班"); err != nil {
		return nil, err
	}
	var w *xinfang.DutyWeek
	err := db.read(ctx, func(q rowQuerier) error {
		var err error
		w, err = db.findDutyWeek(ctx, q, id)
		return err
	})
	return w, err
}

// SwapDuty gives a week to another lawyer (调班), keeping the change with
// its reason and who made it.
func (db *LawyerDutyStore) SwapDuty(ctx context.Context, id int64, s xinfang.DutySwap) (*xinfang.DutyWeek, error) {
	actor, err := allow(ctx, xinfang.CanPlanRota, "律师值班表由信访局调整")
	if err != nil {
		return nil, err
	}
	err = db.write(ctx, func(tx *Tx) error {
		w, err := db.findDutyWeek(ctx, tx, id)
		if err != nil {
			return err
		}
		if w.Version != s.Version {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该周值班已被他人调整，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
		}
		if err := s.Validate(w); err != nil {
			return err
		}
		lawyers, err := db.lawyers(ctx, tx)
		if err != nil {
			return err
		}
		name := ""
		for _, l := range lawyers {
			if l.ID == s.LawyerID {
				name = l.Name
			}
		}
		if name == "" {
			return xinfang.FieldError("lawyer_id", "须为启用的律师账号")
		}
		var busy int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM lawyer_rota WHERE week_start = ? AND lawyer_id = ? AND id <> ?`, w.WeekStart, s.LawyerID, id).Scan(&busy); err != nil {
			return err
		}
		if busy > 0 {
			return xinfang.FieldError("lawyer_id", name+"该周已在其他接访点值班")
		}
		now := fmtTime(tx.now)
		if _, err := tx.exec(ctx, `UPDATE lawyer_rota SET lawyer_id = ?, lawyer_name = ?, version = version + 1, updated_at = ? WHERE id = ?`, s.LawyerID, name, now, id); err != nil {
			return err
		}
		cid, err := tx.insert(ctx, `INSERT INTO lawyer_rota_changes (rota_id, from_lawyer_id, from_name, to_lawyer_id, to_name, reason, changed_by, changed_by_name, changed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, w.LawyerID, w.LawyerName, s.LawyerID, name, s.Reason, actor.ID, actor.Name, now)
		tx.created("lawyer_rota_change", cid)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.FindDutyWeekByID(ctx, id)
}
