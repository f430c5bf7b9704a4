package sqldb

import (
	"context"
	"slices"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
)

// The matters a leader received, each one either a new petition of the
// channel 领导接访 registered in the same write as the matter, or joined
// to an existing petition the recorder sees; and the lookups of the
// reception pages.

// receptionKey marks a registration made from a reception's record: the
// only way an item of the channel 领导接访 is registered.
type receptionKey struct{}

func fromReception(ctx context.Context) bool {
	v, _ := ctx.Value(receptionKey{}).(bool)
	return v
}

// AddReceptionMatter records one matter of reception id at its version.
// A matter with a petition to register registers it through the
// registration path (numbers, petitioners, events, index), the matter
// written in the same transaction; a matter joined to a petition names
// one the actor sees (petition_id otherwise). Nothing is written when
// either part is refused.
func (db *ReceptionStore) AddReceptionMatter(ctx context.Context, id int64, in xinfang.ReceptionMatterInput) (*xinfang.Reception, error) {
	actor, err := allow(ctx, xinfang.CanManageReceptions, "无权记录领导接访")
	if err != nil {
		return nil, err
	}
	r, err := db.FindReceptionByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Version != in.Version {
		return nil, staleReception
	}
	if err := in.Validate(r, db.todayDate()); err != nil {
		return nil, err
	}
	insert := func(tx *Tx, petitionID int64, registered bool) error {
		if err := bumpReception(ctx, tx, r.ID, r.Version, ""); err != nil {
			return err
		}
		mid, err := tx.insert(ctx, `INSERT INTO reception_matters (reception_id, petitioners, raised, instruction, petition_id, registered, created_by, created_by_name, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, in.Petitioners, in.Raised, in.Instruction, petitionID, b2i(registered), actor.ID, actor.Name, fmtTime(tx.now))
		tx.created("reception_matter", mid)
		return err
	}
	if p := in.Petition; p != nil {
		if !xinfang.CanRegister(actor) {
			return nil, xinfang.FieldError("petition", "登记信访件须由登记员、承办人或单位负责人办理；可关联已有信访件")
		}
		// The item was received on the reception's day, at the time of
		// the record when that is the day, else at nine in the morning.
		p.Channel = xinfang.ChannelLeaderReception
		now := db.Now()
		p.ReceivedAt = now
		if day := calendar.DateOf(now); r.On.Before(day) {
			p.ReceivedAt = time.Date(r.On.Year, time.Month(r.On.Month), r.On.Day, 9, 0, 0, 0, now.Location())
		}
		if p.Summary == "" {
			p.Summary = in.Raised
			if n := []rune(p.Summary); len(n) > 60 {
				p.Summary = string(n[:60])
			}
		}
		if p.Content == "" {
			p.Content = in.Raised
		}
		ps := &PetitionStore{db.core}
		err := ps.register(context.WithValue(ctx, receptionKey{}, true), p, nil, func(tx *Tx, pid int64, _ string) error {
			return insert(tx, pid, true)
		})
		if err != nil {
			return nil, err
		}
	} else {
		err := db.write(ctx, func(tx *Tx) error {
			if _, err := db.findPetition(ctx, tx, in.PetitionID); err != nil {
				return db.notFoundField(err, "petition_id", "信访件不存在或无权查看")
			}
			return insert(tx, in.PetitionID, false)
		})
		if err != nil {
			return nil, err
		}
	}
	return db.FindReceptionByID(ctx, id)
}

// FindPetitionReceptions returns the matters received by leaders about a
// petition in the reader's scope (领导接访 records), newest first.
func (db *ReceptionStore) FindPetitionReceptions(ctx context.Context, petitionID int64) ([]xinfang.ReceptionMatter, error) {
	if _, err := db.findPetition(ctx, db.pool(), petitionID); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT m.reception_id, m.id, m.petitioners, m.raised, m.instruction, m.petition_id, p.number, m.registered, m.created_by_name, m.created_at,
		r.held_on, r.kind, lu.name
		FROM reception_matters m JOIN petitions p ON p.id = m.petition_id JOIN receptions r ON r.id = m.reception_id JOIN users lu ON lu.id = r.leader_id
		WHERE m.petition_id = ? ORDER BY r.held_on DESC, m.id DESC`, petitionID)
	list, err := scanAll(rows, err, func(s scanner) (xinfang.ReceptionMatter, error) {
		var on calendar.Date
		var kind xinfang.ReceptionKind
		var leader string
		x, err := scanMatter(s, &on, &kind, &leader)
		if err != nil {
			return xinfang.ReceptionMatter{}, err
		}
		x.ReceptionOn, x.ReceptionKind, x.LeaderName = on, kind, leader
		return *x, nil
	})
	if list == nil {
		list = []xinfang.ReceptionMatter{}
	}
	return list, err
}

// ReceptionPeople returns whom a reception's form offers: the leaders,
// the lawyers with accounts, the available observers.
func (db *ReceptionStore) ReceptionPeople(ctx context.Context) (*xinfang.ReceptionPeople, error) {
	if _, err := allow(ctx, xinfang.CanManageReceptions, "无权安排领导接访"); err != nil {
		return nil, err
	}
	out := &xinfang.ReceptionPeople{Leaders: []xinfang.CaseUser{}, Lawyers: []xinfang.CaseUser{}}
	err := db.read(ctx, func(q rowQuerier) error {
		r := cq{db.core, q}
		rows, err := r.rows(ctx, `SELECT u.id, u.name, n.name, u.roles FROM users u JOIN units n ON n.id = u.unit_id WHERE u.disabled = 0 AND (u.roles LIKE ? OR u.roles LIKE ?) ORDER BY n.path, u.name, u.id`,
			"%"+string(xinfang.RoleLeader)+"%", "%"+string(xinfang.RoleLawyer)+"%")
		err = eachRow(rows, err, func(s scanner) error {
			var u xinfang.CaseUser
			var roles string
			if err := s.Scan(&u.ID, &u.Name, &u.UnitName, &roles); err != nil {
				return err
			}
			rs := parseRoles(roles)
			if slices.Contains(rs, xinfang.RoleLeader) {
				out.Leaders = append(out.Leaders, u)
			}
			if slices.Contains(rs, xinfang.RoleLawyer) {
				out.Lawyers = append(out.Lawyers, u)
			}
			return nil
		})
		if err != nil {
			return err
		}
		rows, err = r.rows(ctx, `SELECT `+observerCols+` FROM observers o WHERE o.available = 1 ORDER BY o.kind, o.name, o.id`)
		out.Observers, err = scanAll(rows, err, scanObserver)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// receptionAttendances lists the receptions, in the reader's scope, the
// observer was invited to, newest first.
func (db *core) receptionAttendances(ctx context.Context, q rowQuerier, observerID int64) ([]xinfang.ReceptionAttendance, error) {
	scope, args, err := receptionScope(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := cq{db, q}.rows(ctx, `SELECT r.id, r.held_on, r.kind, lu.name, rp.attendance, rp.remarks
		FROM reception_participants rp JOIN receptions r ON r.id = rp.reception_id JOIN users lu ON lu.id = r.leader_id
		WHERE rp.observer_id = ? AND `+scope+` ORDER BY r.held_on DESC, r.id DESC LIMIT 500`, append([]any{observerID}, args...)...)
	return scanAll(rows, err, func(s scanner) (xinfang.ReceptionAttendance, error) {
		var x xinfang.ReceptionAttendance
		err := s.Scan(&x.ReceptionID, &x.On, &x.Kind, &x.LeaderName, &x.Attendance, &x.Remarks)
		return x, err
	})
}
