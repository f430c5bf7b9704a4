package sqldb

import (
	"context"

	"xinfang"
)

// The lawyers' reception records (接访记录), in the LawyerDutyStore: each
// lawyer writes and corrects his own; the staff read those of the points
// in their scope.

const dutyReceptionCols = `r.id, r.lawyer_id, r.lawyer_name, r.point_id, u.name, r.received_on, r.visitors, r.matter, r.advice, r.diverted, r.route,
	COALESCE(r.petition_id, 0), COALESCE(p.number, ''), COALESCE(r.opinion_id, 0), COALESCE(o.number, ''), r.version, r.created_at, r.updated_at`

const dutyReceptionFrom = ` FROM lawyer_receptions r JOIN units u ON u.id = r.point_id LEFT JOIN petitions p ON p.id = r.petition_id LEFT JOIN legal_opinions o ON o.id = r.opinion_id`

func scanDutyReception(s scanner) (*xinfang.DutyReception, error) {
	r := &xinfang.DutyReception{}
	var diverted int
	var created, updated string
	if err := s.Scan(&r.ID, &r.LawyerID, &r.LawyerName, &r.PointID, &r.PointName, &r.ReceivedOn, &r.Visitors, &r.Matter, &r.Advice, &diverted, &r.Route,
		&r.PetitionID, &r.PetitionNumber, &r.OpinionID, &r.OpinionNumber, &r.Version, &created, &updated); err != nil {
		return nil, err
	}
	r.Diverted, r.CreatedAt, r.UpdatedAt = diverted != 0, parseTime(created), parseTime(updated)
	return r, nil
}

// checkReceptionLinks checks the point, the petition (one the lawyer
// sees: assigned to him) and the opinion (his own) of a record, and
// returns the point's path.
func (db *LawyerDutyStore) checkReceptionLinks(ctx context.Context, tx *Tx, actor *xinfang.User, r *xinfang.DutyReception) (string, error) {
	u, err := scanUnit(tx.queryRow(ctx, `SELECT `+unitCols+` FROM units WHERE id = ?`, r.PointID))
	if err != nil {
		return "", db.notFoundField(err, "point_id", "接访点不存在")
	}
	if !xinfang.IsReceptionPoint(u) {
		return "", xinfang.FieldError("point_id", u.Name+"不是接访点（信访局或镇/街道）")
	}
	if r.PetitionID != 0 {
		if _, err := db.findPetition(ctx, tx, r.PetitionID); err != nil {
			return "", db.notFoundField(err, "petition_id", "信访件不存在或未指派给您")
		}
	}
	if r.OpinionID != 0 {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM legal_opinions WHERE id = ? AND lawyer_id = ?`, r.OpinionID, actor.ID).Scan(&n); err != nil {
			return "", err
		}
		if n == 0 {
			return "", xinfang.FieldError("opinion_id", "法律意见书不存在或不是您出具的")
		}
	}
	return u.Path, nil
}

// CreateReception records a reception of the acting lawyer.
func (db *LawyerDutyStore) CreateReception(ctx context.Context, r *xinfang.DutyReception) error {
	actor, err := allow(ctx, xinfang.CanRecordReception, "接访记录由值班律师填写")
	if err != nil {
		return err
	}
	if err := r.Validate(db.todayDate()); err != nil {
		return err
	}
	err = db.write(ctx, func(tx *Tx) error {
		path, err := db.checkReceptionLinks(ctx, tx, actor, r)
		if err != nil {
			return err
		}
		now := fmtTime(tx.now)
		id, err := tx.insert(ctx, `INSERT INTO lawyer_receptions (lawyer_id, lawyer_name, point_id, point_path, received_on, visitors, matter, advice, diverted, route,
			petition_id, opinion_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			actor.ID, actor.Name, r.PointID, path, r.ReceivedOn, r.Visitors, r.Matter, r.Advice, b2i(r.Diverted), string(r.Route),
			nullID(r.PetitionID), nullID(r.OpinionID), now, now)
		r.ID = id
		tx.created("lawyer_reception", id)
		return err
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

// UpdateReception corrects a record of the acting lawyer at r.Version;
// another's record is not found.
func (db *LawyerDutyStore) UpdateReception(ctx context.Context, r *xinfang.DutyReception) error {
	actor, err := allow(ctx, xinfang.CanRecordReception, "接访记录由值班律师填写")
	if err != nil {
		return err
	}
	if err := r.Validate(db.todayDate()); err != nil {
		return err
	}
	err = db.write(ctx, func(tx *Tx) error {
		var version int
		if err := tx.queryRow(ctx, `SELECT version FROM lawyer_receptions WHERE id = ? AND lawyer_id = ?`, r.ID, actor.ID).Scan(&version); err != nil {
			return db.notFound(err, "接访记录不存在或不是您填写的")
		}
		if version != r.Version {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该接访记录已被修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
		}
		path, err := db.checkReceptionLinks(ctx, tx, actor, r)
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `UPDATE lawyer_receptions SET point_id = ?, point_path = ?, received_on = ?, visitors = ?, matter = ?, advice = ?, diverted = ?, route = ?,
			petition_id = ?, opinion_id = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			r.PointID, path, r.ReceivedOn, r.Visitors, r.Matter, r.Advice, b2i(r.Diverted), string(r.Route), nullID(r.PetitionID), nullID(r.OpinionID),
			fmtTime(tx.now), r.ID, r.Version)
		return err
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

// FindReceptionByID returns a record the reader may see.
func (db *LawyerDutyStore) FindReceptionByID(ctx context.Context, id int64) (*xinfang.DutyReception, error) {
	if _, err := allow(ctx, xinfang.CanReadLawyerDuty, "无权查看律师接访记录"); err != nil {
		return nil, err
	}
	scope, args, err := dutyScope(ctx, "r")
	if err != nil {
		return nil, err
	}
	r, err := scanDutyReception(db.queryRow(ctx, `SELECT `+dutyReceptionCols+dutyReceptionFrom+` WHERE r.id = ? AND `+scope, append([]any{id}, args...)...))
	if err != nil {
		return nil, db.notFound(err, "接访记录不存在或无权查看")
	}
	return r, nil
}

// FindReceptions lists the records the reader may see, newest first.
func (db *LawyerDutyStore) FindReceptions(ctx context.Context, f xinfang.DutyReceptionFilter) ([]*xinfang.DutyReception, int, error) {
	if _, err := allow(ctx, xinfang.CanReadLawyerDuty, "无权查看律师接访记录"); err != nil {
		return nil, 0, err
	}
	where, args, err := dutyScope(ctx, "r")
	if err != nil {
		return nil, 0, err
	}
	if f.LawyerID != 0 {
		where += " AND r.lawyer_id = ?"
		args = append(args, f.LawyerID)
	}
	if f.PointID != 0 {
		where += " AND r.point_id = ?"
		args = append(args, f.PointID)
	}
	if f.Diverted != nil {
		where += " AND r.diverted = ?"
		args = append(args, b2i(*f.Diverted))
	}
	if f.Limit, err = pageLimit(f.Limit, f.Offset); err != nil {
		return nil, 0, err
	}
	var total int
	var out []*xinfang.DutyReception
	err = db.read(ctx, func(q rowQuerier) error {
		c := cq{db.core, q}
		if err := c.row(ctx, `SELECT COUNT(*)`+dutyReceptionFrom+` WHERE `+where, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := c.rows(ctx, `SELECT `+dutyReceptionCols+dutyReceptionFrom+` WHERE `+where+` ORDER BY r.received_on DESC, r.id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
		out, err = scanAll(rows, err, scanDutyReception)
		return err
	})
	return out, total, err
}
