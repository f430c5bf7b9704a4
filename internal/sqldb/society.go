package sqldb

import (
	"context"
	"strings"

	"xinfang"
)

// The expert pool (专家库) and the observers' register (监督员名录): small
// city-wide registers that the staff with a data scope read and the staff
// who work on items keep (xinfang.CanReadSociety, CanManageSociety). Each
// person's hearings are read through the hearings' scope.

// SocietyStore is the expert pool and the observers' register.
type SocietyStore struct{ *core }

func requireSocietyReader(ctx context.Context) (*xinfang.User, error) {
	u, err := allow(ctx, xinfang.CanReadSociety, "专家库和监督员名录仅供工作人员查看")
	if err != nil {
		return nil, err
	}
	return u, nil
}

func requireSocietyWriter(ctx context.Context) (*xinfang.User, error) {
	u, err := allow(ctx, xinfang.CanManageSociety, "无权维护专家库和监督员名录")
	if err != nil {
		return nil, err
	}
	return u, nil
}

const expertCols = `e.id, e.name, e.field, e.title, e.employer, e.phone, e.available, COALESCE(e.user_id, 0), e.note, e.created_at, e.updated_at`

func scanExpert(s scanner) (*xinfang.Expert, error) {
	e := &xinfang.Expert{}
	var avail int
	var created, updated string
	if err := s.Scan(&e.ID, &e.Name, &e.Field, &e.Title, &e.Employer, &e.Phone, &avail, &e.UserID, &e.Note, &created, &updated); err != nil {
		return nil, err
	}
	e.Available, e.CreatedAt, e.UpdatedAt = avail != 0, parseTime(created), parseTime(updated)
	return e, nil
}

// checkAccount checks that an account named on field exists, in tx.
func checkAccount(ctx context.Context, db *core, tx *Tx, id int64, field string) error {
	if id == 0 {
		return nil
	}
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE id = ?`, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return xinfang.FieldError(field, "账号不存在")
	}
	return nil
}

// SaveExpert creates an expert (ID 0) or replaces one.
func (db *SocietyStore) SaveExpert(ctx context.Context, e *xinfang.Expert) error {
	if _, err := requireSocietyWriter(ctx); err != nil {
		return err
	}
	if err := e.Validate(); err != nil {
		return err
	}
	err := db.write(ctx, func(tx *Tx) error {
		if err := checkAccount(ctx, db.core, tx, e.UserID, "user_id"); err != nil {
			return err
		}
		now := fmtTime(tx.now)
		if e.ID == 0 {
			id, err := tx.insert(ctx, `INSERT INTO experts (name, field, title, employer, phone, available, user_id, note, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.Name, string(e.Field), e.Title, e.Employer, e.Phone, b2i(e.Available), nullID(e.UserID), e.Note, now, now)
			e.ID = id
			tx.created("expert", id)
			return err
		}
		n, err := tx.change(ctx, `UPDATE experts SET name = ?, field = ?, title = ?, employer = ?, phone = ?, available = ?, user_id = ?, note = ?, updated_at = ? WHERE id = ?`,
			e.Name, string(e.Field), e.Title, e.Employer, e.Phone, b2i(e.Available), nullID(e.UserID), e.Note, now, e.ID)
		if err != nil {
			return err
		}
		if n != 1 {
			return xinfang.Errorf(xinfang.ENOTFOUND, "专家不存在")
		}
		return nil
	})
	if err != nil {
		return err
	}
	got, err := db.FindExpertByID(ctx, e.ID)
	if err != nil {
		return err
	}
	*e = *got
	return nil
}

// FindExpertByID returns an expert with the hearings the reader may see
// that the expert took part in.
func (db *SocietyStore) FindExpertByID(ctx context.Context, id int64) (*xinfang.Expert, error) {
	if _, err := requireSocietyReader(ctx); err != nil {
		return nil, err
	}
	var e *xinfang.Expert
	err := db.read(ctx, func(q rowQuerier) error {
		var err error
		if e, err = scanExpert(cq{db.core, q}.row(ctx, `SELECT `+expertCols+` FROM experts e WHERE e.id = ?`, id)); err != nil {
			return db.notFound(err, "专家不存在")
		}
		if e.Participations, err = db.participations(ctx, q, "hp.expert_id = ?", id); err != nil {
			return err
		}
		e.Seats, err = db.seats(ctx, q, "st.expert_id = ?", id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// FindExperts lists the experts of the pool, by field and name.
func (db *SocietyStore) FindExperts(ctx context.Context, f xinfang.ExpertFilter) ([]*xinfang.Expert, error) {
	if _, err := requireSocietyReader(ctx); err != nil {
		return nil, err
	}
	where, args := "1 = 1", []any{}
	if f.Field != "" {
		if !f.Field.Valid() {
			return nil, xinfang.FieldError("field", "未知的专业领域")
		}
		where += " AND e.field = ?"
		args = append(args, string(f.Field))
	}
	if f.Available {
		where += " AND e.available = 1"
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		where += " AND (e.name LIKE ? OR e.employer LIKE ? OR e.title LIKE ?)"
		like := "%" + q + "%"
		args = append(args, like, like, like)
	}
	rows, err := db.query(ctx, `SELECT `+expertCols+` FROM experts e WHERE `+where+` ORDER BY e.field, e.name, e.id LIMIT 1000`, args...)
	return scanAll(rows, err, scanExpert)
}

const observerCols = `o.id, o.name, o.kind, o.affiliation, o.phone, o.available, COALESCE(o.user_id, 0), o.note, o.created_at, o.updated_at`

func scanObserver(s scanner) (*xinfang.Observer, error) {
	o := &xinfang.Observer{}
	var avail int
	var created, updated string
	if err := s.Scan(&o.ID, &o.Name, &o.Kind, &o.Affiliation, &o.Phone, &avail, &o.UserID, &o.Note, &created, &updated); err != nil {
		return nil, err
	}
	o.Available, o.CreatedAt, o.UpdatedAt = avail != 0, parseTime(created), parseTime(updated)
	return o, nil
}

// SaveObserver creates an observer (ID 0) or replaces one.
func (db *SocietyStore) SaveObserver(ctx context.Context, o *xinfang.Observer) error {
	if _, err := requireSocietyWriter(ctx); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return err
	}
	err := db.write(ctx, func(tx *Tx) error {
		if err := checkAccount(ctx, db.core, tx, o.UserID, "user_id"); err != nil {
			return err
		}
		now := fmtTime(tx.now)
		if o.ID == 0 {
			id, err := tx.insert(ctx, `INSERT INTO observers (name, kind, affiliation, phone, available, user_id, note, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, o.Name, string(o.Kind), o.Affiliation, o.Phone, b2i(o.Available), nullID(o.UserID), o.Note, now, now)
			o.ID = id
			tx.created("observer", id)
			return err
		}
		n, err := tx.change(ctx, `UPDATE observers SET name = ?, kind = ?, affiliation = ?, phone = ?, available = ?, user_id = ?, note = ?, updated_at = ? WHERE id = ?`,
			o.Name, string(o.Kind), o.Affiliation, o.Phone, b2i(o.Available), nullID(o.UserID), o.Note, now, o.ID)
		if err != nil {
			return err
		}
		if n != 1 {
			return xinfang.Errorf(xinfang.ENOTFOUND, "监督员不存在")
		}
		return nil
	})
	if err != nil {
		return err
	}
	got, err := db.FindObserverByID(ctx, o.ID)
	if err != nil {
		return err
	}
	*o = *got
	return nil
}

// FindObserverByID returns an observer with the hearings the reader may
// see that he was invited to, his attendance and remarks.
func (db *SocietyStore) FindObserverByID(ctx context.Context, id int64) (*xinfang.Observer, error) {
	if _, err := requireSocietyReader(ctx); err != nil {
		return nil, err
	}
	var o *xinfang.Observer
	err := db.read(ctx, func(q rowQuerier) error {
		var err error
		if o, err = scanObserver(cq{db.core, q}.row(ctx, `SELECT `+observerCols+` FROM observers o WHERE o.id = ?`, id)); err != nil {
			return db.notFound(err, "监督员不存在")
		}
		if o.Attendances, err = db.participations(ctx, q, "hp.observer_id = ?", id); err != nil {
			return err
		}
		if o.Seats, err = db.seats(ctx, q, "st.observer_id = ?", id); err != nil {
			return err
		}
		o.Receptions, err = db.receptionAttendances(ctx, q, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// FindObservers lists the observers, by kind and name.
func (db *SocietyStore) FindObservers(ctx context.Context, f xinfang.ObserverFilter) ([]*xinfang.Observer, error) {
	if _, err := requireSocietyReader(ctx); err != nil {
		return nil, err
	}
	where, args := "1 = 1", []any{}
	if f.Kind != "" {
		if !f.Kind.Valid() {
			return nil, xinfang.FieldError("kind", "未知的类别")
		}
		where += " AND o.kind = ?"
		args = append(args, string(f.Kind))
	}
	if f.Available {
		where += " AND o.available = 1"
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		where += " AND (o.name LIKE ? OR o.affiliation LIKE ?)"
		like := "%" + q + "%"
		args = append(args, like, like)
	}
	rows, err := db.query(ctx, `SELECT `+observerCols+` FROM observers o WHERE `+where+` ORDER BY o.kind, o.name, o.id LIMIT 1000`, args...)
	return scanAll(rows, err, scanObserver)
}

// participations lists the hearings, in the reader's scope, whose
// participants match cond, newest first.
func (db *core) participations(ctx context.Context, q rowQuerier, cond string, arg any) ([]xinfang.Participation, error) {
	scope, args, err := hearingScope(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := cq{db, q}.rows(ctx, `SELECT h.id, h.number, h.subject, h.scheduled_on, h.state, hp.role, hp.attendance, hp.remarks
		FROM hearing_participants hp JOIN hearings h ON h.id = hp.hearing_id WHERE `+cond+` AND `+scope+` ORDER BY h.scheduled_on DESC, h.id DESC LIMIT 500`,
		append([]any{arg}, args...)...)
	out := []xinfang.Participation{}
	err = eachRow(rows, err, func(r scanner) error {
		var p xinfang.Participation
		if err := r.Scan(&p.HearingID, &p.HearingNumber, &p.Subject, &p.ScheduledOn, &p.State, &p.Role, &p.Attendance, &p.Remarks); err != nil {
			return err
		}
		out = append(out, p)
		return nil
	})
	return out, err
}
