package sqldb

import (
	"context"
	"strings"

	"xinfang"
)

// SeatStore keeps the seats (列席) of experts and observers on backlog
// cases' consultations and on 督办单 (xinfang.Seat). A seat is read by
// whoever reads its record (the case, the 督办单), and given and recorded
// by the staff who keep the society registers (CanManageSociety) and may
// work on the record: the case's workers for a consultation
// (CanWorkOnCase), the issuing side for a 督办单 (CanRemind).
type SeatStore struct{ *core }

const seatCols = `st.id, st.version, CASE WHEN st.consultation_id IS NULL THEN 'supervision' ELSE 'consultation' END,
	COALESCE(st.consultation_id, st.supervision_id), COALESCE(k.case_id, s.case_id, 0), COALESCE(c.number, sc.number, ''), COALESCE(s.number, ''),
	COALESCE(k.held_on, s.deadline), COALESCE(st.expert_id, 0), COALESCE(st.observer_id, 0), st.name, st.affiliation, st.attendance, st.remarks,
	st.invited_at, st.updated_at`

// seatFrom joins a seat to its record and the record's case, so that the
// scope of cases (c) or of 督办单 (s) applies.
const seatFrom = ` FROM seats st
	LEFT JOIN case_consultations k ON k.id = st.consultation_id LEFT JOIN cases c ON c.id = k.case_id
	LEFT JOIN supervisions s ON s.id = st.supervision_id LEFT JOIN cases sc ON sc.id = s.case_id`

func scanSeat(r scanner) (*xinfang.Seat, error) {
	st := &xinfang.Seat{}
	var date, invited, updated string
	err := r.Scan(&st.ID, &st.Version, &st.On, &st.RecordID, &st.CaseID, &st.CaseNumber, &st.Number, &date, &st.ExpertID, &st.ObserverID,
		&st.Name, &st.Affiliation, &st.Attendance, &st.Remarks, &invited, &updated)
	st.Date, st.InvitedAt, st.UpdatedAt = itemDate(date), parseTime(invited), parseTime(updated)
	return st, err
}

// seatScope is the reader's scope over the seat's record: the case of a
// consultation, or the 督办单.
func seatScope(ctx context.Context) (string, []any, error) {
	cs, cargs, err := caseScope(ctx)
	if err != nil {
		return "", nil, err
	}
	ss, sargs, err := supervisionScope(ctx)
	if err != nil {
		return "", nil, err
	}
	return "((st.consultation_id IS NOT NULL AND " + cs + ") OR (st.supervision_id IS NOT NULL AND " + ss + "))", append(cargs, sargs...), nil
}

// FindSeats returns one consultation or 督办单 the reader sees, and its
// seats.
func (db *SeatStore) FindSeats(ctx context.Context, on xinfang.SeatOn, recordID int64) (*xinfang.SeatHolder, []*xinfang.Seat, error) {
	var h *xinfang.SeatHolder
	var seats []*xinfang.Seat
	err := db.read(ctx, func(q rowQuerier) error {
		var err error
		if h, err = db.checkRecord(ctx, q, on, recordID, false); err != nil {
			return err
		}
		seats, err = db.seats(ctx, q, "st."+string(on)+"_id = ?", recordID)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return h, seats, nil
}

// seats lists the seats in the reader's scope that match cond.
func (db *core) seats(ctx context.Context, q rowQuerier, cond string, arg any) ([]*xinfang.Seat, error) {
	scope, args, err := seatScope(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := cq{db, q}.rows(ctx, `SELECT `+seatCols+seatFrom+` WHERE `+cond+` AND `+scope+` ORDER BY COALESCE(k.held_on, s.deadline) DESC, st.id LIMIT 500`,
		append([]any{arg}, args...)...)
	out, err := scanAll(rows, err, scanSeat)
	if out == nil {
		out = []*xinfang.Seat{}
	}
	return out, err
}

// checkRecord finds the consultation or 督办单 in the reader's scope (404
// otherwise) and, for a change, checks that the actor may give its seats.
func (db *core) checkRecord(ctx context.Context, q rowQuerier, on xinfang.SeatOn, id int64, change bool) (*xinfang.SeatHolder, error) {
	actor := xinfang.UserFromContext(ctx)
	r := cq{db, q}
	h := &xinfang.SeatHolder{On: on, RecordID: id}
	switch on {
	case xinfang.SeatConsultation:
		scope, args, err := caseScope(ctx)
		if err != nil {
			return nil, err
		}
		var held string
		c, err := scanCase(r.row(ctx, `SELECT `+caseCols+caseFrom+` JOIN case_consultations k ON k.case_id = c.id WHERE k.id = ? AND `+scope,
			append([]any{db.todayDate(), id}, args...)...), db.todayDate())
		if err == nil {
			err = r.row(ctx, `SELECT held_on FROM case_consultations WHERE id = ?`, id).Scan(&held)
		}
		if err != nil {
			return nil, db.recordNotFound(err, change, "会诊记录不存在或无权查看")
		}
		if change && !xinfang.CanWorkOnCase(actor, c) {
			return nil, xinfang.Errorf(xinfang.EFORBIDDEN, "仅本案工作人员可以邀请专家和监督员参加会诊")
		}
		h.CaseID, h.CaseNumber, h.Date = c.ID, c.Number, itemDate(held)
	case xinfang.SeatSupervision:
		scope, args, err := supervisionScope(ctx)
		if err != nil {
			return nil, err
		}
		s, err := scanSupervision(r.row(ctx, `SELECT `+supervisionCols+supervisionFrom+` WHERE s.id = ? AND `+scope, append([]any{id}, args...)...))
		if err != nil {
			return nil, db.recordNotFound(err, change, "督办单不存在或无权查看")
		}
		if change && !xinfang.CanRemind(actor, s) {
			return nil, xinfang.Errorf(xinfang.EFORBIDDEN, "仅督办单的发出方可以邀请专家和监督员参加督查")
		}
		h.CaseID, h.CaseNumber, h.Number, h.Date = s.CaseID, s.CaseNumber, s.Number, s.Deadline
	default:
		return nil, xinfang.FieldError("on", "请选择会诊或督办")
	}
	return h, nil
}

// recordNotFound is the error of a record not found: an input naming a
// record that is not there, or a read of one (404).
func (db *core) recordNotFound(err error, change bool, msg string) error {
	if change {
		return db.notFoundField(err, "record_id", msg)
	}
	return db.notFound(err, msg)
}

// InviteSeats gives seats on one record to the experts and observers of
// in, all or none: each must exist, be available, and not sit on the
// record already.
func (db *SeatStore) InviteSeats(ctx context.Context, in xinfang.SeatInvitation) ([]*xinfang.Seat, error) {
	actor, err := requireSocietyWriter(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	err = db.write(ctx, func(tx *Tx) error {
		if _, err := db.checkRecord(ctx, tx, in.On, in.RecordID, true); err != nil {
			return err
		}
		col := string(in.On) + "_id"
		now := fmtTime(tx.now)
		for _, who := range []struct {
			field, table, col, what string
			ids                     []int64
		}{
			{"expert_ids", "experts", "expert_id", "专家", in.ExpertIDs},
			{"observer_ids", "observers", "observer_id", "监督员", in.ObserverIDs},
		} {
			for _, id := range who.ids {
				var name, affiliation string
				var avail int
				var err error
				if who.table == "experts" {
					var field xinfang.ExpertField
					err = tx.queryRow(ctx, `SELECT name, field, employer, available FROM experts WHERE id = ?`, id).Scan(&name, &field, &affiliation, &avail)
					affiliation = strings.Trim(field.Label()+" "+affiliation, " ")
				} else {
					var kind xinfang.ObserverKind
					err = tx.queryRow(ctx, `SELECT name, kind, affiliation, available FROM observers WHERE id = ?`, id).Scan(&name, &kind, &affiliation, &avail)
					affiliation = strings.Trim(kind.Label()+" "+affiliation, " ")
				}
				if err != nil {
					return db.notFoundField(err, who.field, who.what+"不存在")
				}
				if avail == 0 {
					return xinfang.FieldError(who.field, name+" 暂不可参加")
				}
				var taken int
				if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM seats WHERE `+col+` = ? AND `+who.col+` = ?`, in.RecordID, id).Scan(&taken); err != nil {
					return err
				}
				if taken > 0 {
					return xinfang.FieldError(who.field, name+" 已受邀")
				}
				if _, err := tx.insert(ctx, `INSERT INTO seats (`+col+`, `+who.col+`, name, affiliation, invited_by, invited_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
					in.RecordID, id, name, affiliation, actor.ID, now, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	_, seats, err := db.FindSeats(ctx, in.On, in.RecordID)
	return seats, err
}

// RecordSeat records whether the person of a seat came and what he said;
// version is the seat's as the writer read it.
func (db *SeatStore) RecordSeat(ctx context.Context, id int64, version int, rec xinfang.SeatRecord) (*xinfang.Seat, error) {
	if _, err := requireSocietyWriter(ctx); err != nil {
		return nil, err
	}
	if err := rec.Validate(); err != nil {
		return nil, err
	}
	var st *xinfang.Seat
	err := db.write(ctx, func(tx *Tx) error {
		got, err := db.seats(ctx, tx, "st.id = ?", id)
		if err != nil {
			return err
		}
		if len(got) == 0 {
			return xinfang.Errorf(xinfang.ENOTFOUND, "列席记录不存在或无权查看")
		}
		st = got[0]
		if _, err := db.checkRecord(ctx, tx, st.On, st.RecordID, true); err != nil {
			return err
		}
		if st.Version != version {
			return &xinfang.Error{Code: xinfang.ECONFLICT, Message: "该列席记录已被他人修改，请刷新后重试", Fields: map[string]string{"version": "版本已过期"}}
		}
		_, err = tx.exec(ctx, `UPDATE seats SET attendance = ?, remarks = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			rec.Attendance, rec.Remarks, fmtTime(tx.now), id)
		st.Attendance, st.Remarks, st.Version, st.UpdatedAt = rec.Attendance, rec.Remarks, st.Version+1, tx.now
		return err
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}
