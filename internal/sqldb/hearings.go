package sqldb

import (
	"context"
	"fmt"
	"slices"

	"xinfang"
	"xinfang/internal/calendar"
)

// Hearings (听证): scheduled, held, concluded or cancelled, with their
// officers and observers. A hearing on a petition in 复核 drives the
// petition's hearing_start and hearing_end events in the same
// transaction, with its own days, so that the 复核 clock stands still
// exactly from the day it starts to the day it ends.

// HearingStore is the hearings.
type HearingStore struct{ *core }

const hearingCols = `h.id, h.number, COALESCE(h.petition_id, 0), COALESCE(p.number, ''), COALESCE(h.case_id, 0), COALESCE(c.number, ''), h.unit_id, u.name,
	h.subject, h.place, h.scheduled_on, h.notice_on, h.public, h.closed_reason, h.chair_user_id, h.chair_name, h.parties, h.state, h.started_on, h.ended_on,
	h.record, h.conclusion, h.petitioner_attended, h.cancel_reason, h.pauses_clock, h.version, h.created_by, h.created_by_name, h.created_at, h.updated_at`

const hearingFrom = ` FROM hearings h JOIN units u ON u.id = h.unit_id LEFT JOIN petitions p ON p.id = h.petition_id LEFT JOIN cases c ON c.id = h.case_id`

func scanHearing(s scanner) (*xinfang.Hearing, error) {
	h := &xinfang.Hearing{}
	var public, attended, pauses int
	var created, updated string
	if err := s.Scan(&h.ID, &h.Number, &h.PetitionID, &h.PetitionNumber, &h.CaseID, &h.CaseNumber, &h.UnitID, &h.UnitName,
		&h.Subject, &h.Place, &h.ScheduledOn, &h.NoticeOn, &public, &h.ClosedReason, &h.ChairUserID, &h.ChairName, &h.Parties, &h.State, &h.StartedOn, &h.EndedOn,
		&h.Record, &h.Conclusion, &attended, &h.CancelReason, &pauses, &h.Version, &h.CreatedByID, &h.CreatedByName, &created, &updated); err != nil {
		return nil, err
	}
	h.Public, h.PetitionerAttended, h.PausesClock = public != 0, attended != 0, pauses != 0
	h.CreatedAt, h.UpdatedAt = parseTime(created), parseTime(updated)
	h.Participants = []xinfang.HearingParticipant{}
	return h, nil
}

func requireHearingReader(ctx context.Context) (*xinfang.User, error) {
	u, err := allow(ctx, xinfang.CanReadHearings, "无权查看听证")
	if err != nil {
		return nil, err
	}
	return u, nil
}

// findHearing loads one hearing in the reader's scope with its
// participants; out of scope is not found.
func (db *HearingStore) findHearing(ctx context.Context, q rowQuerier, id int64) (*xinfang.Hearing, error) {
	scope, args, err := hearingScope(ctx)
	if err != nil {
		return nil, err
	}
	r := cq{db.core, q}
	h, err := scanHearing(r.row(ctx, `SELECT `+hearingCols+hearingFrom+` WHERE h.id = ? AND `+scope, append([]any{id}, args...)...))
	if err != nil {
		return nil, db.notFound(err, "听证不存在或无权查看")
	}
	return h, db.loadParticipants(ctx, q, []*xinfang.Hearing{h})
}

func (db *HearingStore) loadParticipants(ctx context.Context, q rowQuerier, list []*xinfang.Hearing) error {
	if len(list) == 0 {
		return nil
	}
	byID := map[int64]*xinfang.Hearing{}
	ids := make([]int64, len(list))
	for i, h := range list {
		byID[h.ID], ids[i] = h, h.ID
	}
	rows, err := cq{db.core, q}.rows(ctx, `SELECT hearing_id, id, role, kind, COALESCE(expert_id, 0), COALESCE(observer_id, 0), COALESCE(user_id, 0), name, affiliation, attendance, remarks
		FROM hearing_participants WHERE hearing_id IN (`+placeholders(len(ids))+`) ORDER BY hearing_id, id`, idArgs(ids)...)
	return eachRow(rows, err, func(r scanner) error {
		var hid int64
		var x xinfang.HearingParticipant
		if err := r.Scan(&hid, &x.ID, &x.Role, &x.Kind, &x.ExpertID, &x.ObserverID, &x.UserID, &x.Name, &x.Affiliation, &x.Attendance, &x.Remarks); err != nil {
			return err
		}
		byID[hid].Participants = append(byID[hid].Participants, x)
		return nil
	})
}

// FindHearingByID returns a hearing the reader may see.
func (db *HearingStore) FindHearingByID(ctx context.Context, id int64) (*xinfang.Hearing, error) {
	if _, err := requireHearingReader(ctx); err != nil {
		return nil, err
	}
	var h *xinfang.Hearing
	err := db.read(ctx, func(q rowQuerier) error {
		var err error
		h, err = db.findHearing(ctx, q, id)
		return err
	})
	return h, err
}

// FindHearings lists the hearings the reader may see, the latest
// scheduled first; count, page and participants are one view.
func (db *HearingStore) FindHearings(ctx context.Context, f xinfang.HearingFilter) ([]*xinfang.Hearing, int, error) {
	if _, err := requireHearingReader(ctx); err != nil {
		return nil, 0, err
	}
	scope, args, err := hearingScope(ctx)
	if err != nil {
		return nil, 0, err
	}
	where := scope
	if f.State != "" {
		if !f.State.Valid() {
			return nil, 0, xinfang.FieldError("state", "未知的听证状态")
		}
		where += " AND h.state = ?"
		args = append(args, string(f.State))
	}
	if f.PetitionID != 0 {
		where += " AND h.petition_id = ?"
		args = append(args, f.PetitionID)
	}
	if f.CaseID != 0 {
		where += " AND h.case_id = ?"
		args = append(args, f.CaseID)
	}
	if f.Limit, err = pageLimit(f.Limit, f.Offset); err != nil {
		return nil, 0, err
	}
	var total int
	var out []*xinfang.Hearing
	err = db.read(ctx, func(q rowQuerier) error {
		r := cq{db.core, q}
		if err := r.row(ctx, `SELECT COUNT(*)`+hearingFrom+` WHERE `+where, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := r.rows(ctx, `SELECT `+hearingCols+hearingFrom+` WHERE `+where+` ORDER BY h.scheduled_on DESC, h.id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
		if out, err = scanAll(rows, err, scanHearing); err != nil {
			return err
		}
		return db.loadParticipants(ctx, q, out)
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// CreateHearing schedules a hearing: the petition or case in the
// scheduler's scope, the chair a member of staff who did not handle the
// item (回避), the officers and observers from the registers and the
// lawyers' accounts; the notice served at least the configured days
// before (xinfang.Hearing.Validate).
func (db *HearingStore) CreateHearing(ctx context.Context, h *xinfang.Hearing) error {
	actor, err := requireSocietyWriter(ctx)
	if err != nil {
		return err
	}
	if actor.Unit == nil {
		return xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	pr := db.Procedure(ctx)
	if err := h.Validate(db.todayDate(), pr.Cfg.HearingNoticeDays); err != nil {
		return err
	}
	err = db.write(ctx, func(tx *Tx) error {
		if h.PetitionID != 0 {
			if _, err := db.findPetition(ctx, tx, h.PetitionID); err != nil {
				return db.notFoundField(err, "petition_id", "信访件不存在或无权查看")
			}
		}
		if h.CaseID != 0 {
			scope, args, err := caseScope(ctx)
			if err != nil {
				return err
			}
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM cases c WHERE c.id = ? AND `+scope, append([]any{h.CaseID}, args...)...).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return xinfang.FieldError("case_id", "信访积案不存在或无权查看")
			}
		}
		if err := db.checkChair(ctx, tx, h); err != nil {
			return err
		}
		for i := range h.Participants {
			if err := db.resolveParticipant(ctx, tx, &h.Participants[i]); err != nil {
				return err
			}
			if h.Participants[i].UserID != 0 && h.Participants[i].UserID == h.ChairUserID {
				return xinfang.FieldError("chair_user_id", "主持人不能同时担任听证员或列席")
			}
		}
		year := calendar.DateOf(tx.now).Year
		var seq int64
		if err := tx.queryRow(ctx, `INSERT INTO hearing_counters (year, next) VALUES (?, 1)
			ON CONFLICT (year) DO UPDATE SET next = hearing_counters.next + 1 RETURNING next`, year).Scan(&seq); err != nil {
			return err
		}
		now := fmtTime(tx.now)
		id, err := tx.insert(ctx, `INSERT INTO hearings (number, petition_id, case_id, unit_id, unit_path, subject, place, scheduled_on, notice_on, public, closed_reason,
			chair_user_id, chair_name, parties, state, created_by, created_by_name, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, fmt.Sprintf(xinfang.HearingNumberFormat, year, seq), nullID(h.PetitionID), nullID(h.CaseID),
			actor.UnitID, actor.Unit.Path, h.Subject, h.Place, h.ScheduledOn, h.NoticeOn, b2i(h.Public), h.ClosedReason, h.ChairUserID, h.ChairName, h.Parties,
			string(xinfang.HearingScheduled), actor.ID, actor.Name, now, now)
		if err != nil {
			return err
		}
		h.ID = id
		tx.created("hearing", id)
		for _, x := range h.Participants {
			if _, err := tx.exec(ctx, `INSERT INTO hearing_participants (hearing_id, role, kind, expert_id, observer_id, user_id, name, affiliation, remarks)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, string(x.Role), string(x.Kind), nullID(x.ExpertID), nullID(x.ObserverID), nullID(x.UserID), x.Name, x.Affiliation, x.Remarks); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	got, err := db.FindHearingByID(ctx, h.ID)
	if err != nil {
		return err
	}
	*h = *got
	return nil
}

// checkChair loads the chair's name: an active member of staff who works
// on items, and not one who accepted or answered the petition (回避,
// 第二十八条; data.md: the chair must not be the item's handler).
func (db *HearingStore) checkChair(ctx context.Context, tx *Tx, h *xinfang.Hearing) error {
	var name, roles string
	var disabled int
	if err := tx.queryRow(ctx, `SELECT name, roles, disabled FROM users WHERE id = ?`, h.ChairUserID).Scan(&name, &roles, &disabled); err != nil {
		return db.notFoundField(err, "chair_user_id", "主持人账号不存在")
	}
	if disabled != 0 || !xinfang.CanManageSociety(&xinfang.User{ID: h.ChairUserID, Roles: parseRoles(roles)}) {
		return xinfang.FieldError("chair_user_id", "主持人须为在岗的工作人员")
	}
	if h.PetitionID != 0 {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM events WHERE petition_id = ? AND actor_id = ? AND action IN (?, ?, ?)`, h.PetitionID, h.ChairUserID,
			string(xinfang.ActAccept), string(xinfang.ActReply), string(xinfang.ActReviewReply)).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return xinfang.FieldError("chair_user_id", "主持人曾承办该信访件，应当回避")
		}
	}
	h.ChairName = name
	return nil
}

// resolveParticipant fills a participant from its register: the expert or
// observer (available, with its account if any), or the lawyer's account.
func (db *HearingStore) resolveParticipant(ctx context.Context, tx *Tx, x *xinfang.HearingParticipant) error {
	var avail int
	var uid int64
	switch x.Kind {
	case xinfang.FromExpert:
		x.ObserverID = 0
		var title string
		if err := tx.queryRow(ctx, `SELECT name, employer, title, available, COALESCE(user_id, 0) FROM experts WHERE id = ?`, x.ExpertID).Scan(&x.Name, &x.Affiliation, &title, &avail, &uid); err != nil {
			return db.notFoundField(err, "participants", "专家不存在")
		}
		if title != "" {
			x.Affiliation += "（" + title + "）"
		}
	case xinfang.FromObserver:
		x.ExpertID = 0
		if err := tx.queryRow(ctx, `SELECT name, affiliation, available, COALESCE(user_id, 0) FROM observers WHERE id = ?`, x.ObserverID).Scan(&x.Name, &x.Affiliation, &avail, &uid); err != nil {
			return db.notFoundField(err, "participants", "监督员不存在")
		}
	case xinfang.FromLawyer:
		x.ExpertID, x.ObserverID = 0, 0
		var roles string
		var disabled int
		if err := tx.queryRow(ctx, `SELECT u.name, n.name, u.roles, u.disabled FROM users u JOIN units n ON n.id = u.unit_id WHERE u.id = ?`, x.UserID).Scan(&x.Name, &x.Affiliation, &roles, &disabled); err != nil {
			return db.notFoundField(err, "participants", "律师账号不存在")
		}
		if disabled != 0 || !slices.Contains(parseRoles(roles), xinfang.RoleLawyer) {
			return xinfang.FieldError("participants", x.Name+" 不是在岗的律师")
		}
		return nil
	}
	if avail == 0 {
		return xinfang.FieldError("participants", x.Name+" 目前不可参加（已标为不可用）")
	}
	x.UserID = uid
	return nil
}
