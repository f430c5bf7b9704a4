package sqldb

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/procedure"
)

// PortalStore is the public portal (网上信访): the petitioner's
// submissions, follow page, evaluation and requests for review, read and
// written without a staff session. What it may touch is proven by the
// item's number and 查询码; a wrong 查询码 counts against the number typed
// (known or not, so that the answer says nothing of which numbers exist)
// and, past a few, makes it wait. Items submitted online are registered by
// the portal's own account, which can never sign in.
type PortalStore struct{ *core }

// The portal's account: disabled, with no usable password, in the bureau.
const (
	portalUsername = "~portal"
	portalName     = "网上信访（信访人本人）"
)

// Limits of the portal.
const (
	// PortalDailyLimit is how many items one ID number may submit in 24 hours.
	PortalDailyLimit = 3
	// portalFreeFailures is how many wrong 查询码 a number may get before
	// it waits: a minute after the next, doubling to an hour.
	portalFreeFailures = 5
	portalMaxWait      = time.Hour
	// challengeLife is how long a captcha question may be answered.
	challengeLife = 10 * time.Minute
)

// errWrongCode is the one answer to a number and 查询码 that do not open an
// item, whether the number exists or not.
var errWrongCode = &xinfang.Error{Code: xinfang.EINVALID, Message: "信访件编号或查询码不正确，请核对后重新输入",
	Fields: map[string]string{"query_code": "信访件编号或查询码不正确"}}

// portalActor returns the portal's account with its unit, created on first
// use in the root-most active 信访局.
func (db *PortalStore) portalActor(ctx context.Context) (*xinfang.User, error) {
	find := func() (*xinfang.User, error) {
		return scanUser(db.queryRow(ctx, `SELECT `+userCols+` FROM users u JOIN units n ON n.id = u.unit_id WHERE u.username = ?`, portalUsername))
	}
	u, err := find()
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return u, err
	}
	var unitID int64
	err = db.queryRow(ctx, `SELECT id FROM units WHERE kind = ? AND disabled = 0 ORDER BY LENGTH(path), id LIMIT 1`, string(xinfang.UnitBureau)).Scan(&unitID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, xinfang.Errorf(xinfang.EINVALID, "尚未设置信访局，网上信访暂不能受理")
	}
	if err != nil {
		return nil, err
	}
	err = db.write(xinfang.WithAuditing(ctx, nil), func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO users (username, name, unit_id, roles, phone, password_hash, must_change_password, disabled, created_at)
			VALUES (?, ?, ?, ?, '', '!', 0, 1, ?) ON CONFLICT (username) DO NOTHING`, portalUsername, portalName, unitID, string(xinfang.RoleRegistrar), fmtTime(tx.now))
		return err
	})
	if err != nil {
		return nil, err
	}
	return find()
}

// Submit registers an item submitted online (网上信访) as channel 网上信访 at
// the bureau, with its files, its 查询码 (in p.QueryCode, shown once) and
// its intake record, in one transaction; the repeat index takes it as any
// registration. One ID number submits at most PortalDailyLimit a day.
func (db *PortalStore) Submit(ctx context.Context, s *xinfang.PortalSubmission) (*xinfang.Petition, error) {
	now := db.Now()
	p, err := s.Petition(now)
	if err != nil {
		return nil, err
	}
	idx := db.Keys.Index("id", xinfang.NormalizeIDNumber(p.Petitioner.IDNumber))
	var n int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM portal_intake WHERE id_index = ? AND submitted_at > ?`, idx, fmtTime(now.Add(-24*time.Hour))).Scan(&n); err != nil {
		return nil, err
	}
	if n >= PortalDailyLimit {
		return nil, &xinfang.Error{Code: xinfang.ETHROTTLED, Message: fmt.Sprintf("同一身份证号 24 小时内最多网上提交 %d 件，请稍后再提交或通过“查询”关注已提交的事项", PortalDailyLimit),
			Fields: map[string]string{"id_number": "提交次数已达上限"}}
	}
	actor, err := db.portalActor(ctx)
	if err != nil {
		return nil, err
	}
	email := ""
	if s.Email != "" {
		email = db.Keys.Seal("portal_intake.email", s.Email)
	}
	err = (&PetitionStore{db.core}).register(xinfang.NewContextWithUser(ctx, actor), p, nil, func(tx *Tx, id int64, code string) error {
		if _, err := tx.exec(ctx, `INSERT INTO portal_intake (petition_id, id_index, submitted_at, email) VALUES (?, ?, ?, ?)`, id, idx, fmtTime(tx.now), email); err != nil {
			return err
		}
		// The number and the 查询码 go to the petitioner by message too,
		// once the number is drawn (at the end of the write).
		tx.atEnd(endText, func() error {
			p.ID = id
			return db.enqueueMessage(ctx, tx, p, xinfang.MsgSubmitted, map[string]string{"number": p.Number}, code)
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// guardKey is the key a number's failures count under: a hash of the
// number as typed, so that unknown numbers count and wait alike.
func guardKey(number string) string {
	h := sha256.Sum256([]byte("xinfang-portal-guard:" + number))
	return hex.EncodeToString(h[:])
}

// open checks number and code and returns the item's id; what names the
// request in the audit log (查询, 评价 …). A refusal is audited and
// counted; a number with too many refusals waits, known or not.
func (db *PortalStore) open(ctx context.Context, number, code, what string) (int64, error) {
	number = xinfang.NormalizeNumber(number)
	key := guardKey(number)
	now := db.Now()
	var failures int
	var locked string
	err := db.queryRow(ctx, `SELECT failures, locked_until FROM portal_guard WHERE key = ?`, key).Scan(&failures, &locked)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	if until := parseTime(locked); !until.IsZero() && now.Before(until) {
		mins := int(until.Sub(now)/time.Minute) + 1
		db.portalAudit(ctx, what+"被拒绝：查询码错误次数过多，等待中")
		return 0, &xinfang.Error{Code: xinfang.ETHROTTLED, Message: fmt.Sprintf("查询码错误次数过多，请 %d 分钟后再试", mins),
			Fields: map[string]string{"query_code": "请稍后再试"}}
	}
	var id int64
	var hash string
	err = db.queryRow(ctx, `SELECT id, query_hash FROM petitions WHERE number = ?`, number).Scan(&id, &hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	// The hash is computed whether the number exists or not.
	want := hashCode(code)
	if err == nil && strings.TrimSpace(code) != "" && subtle.ConstantTimeCompare([]byte(hash), []byte(want)) == 1 {
		err := db.write(xinfang.WithAuditing(ctx, nil), func(tx *Tx) error {
			if failures > 0 {
				if _, err := tx.exec(ctx, `DELETE FROM portal_guard WHERE key = ?`, key); err != nil {
					return err
				}
			}
			db.appendAudit(ctx, tx, db.portalEntry(ctx, what+"：信访件 "+number))
			return nil
		})
		return id, err
	}
	failures++
	until := ""
	if over := failures - portalFreeFailures; over > 0 {
		wait := time.Minute
		for i := 1; i < over && wait < portalMaxWait; i++ {
			wait *= 2
		}
		until = fmtTime(now.Add(min(wait, portalMaxWait)))
	}
	err = db.write(xinfang.WithAuditing(ctx, nil), func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO portal_guard (key, failures, locked_until, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until, updated_at = excluded.updated_at`,
			key, failures, until, fmtTime(tx.now)); err != nil {
			return err
		}
		db.appendAudit(ctx, tx, db.portalEntry(ctx, what+"被拒绝：信访件编号或查询码不正确（编号 "+number+"）"))
		return nil
	})
	if err != nil {
		return 0, err
	}
	return 0, errWrongCode
}

// portalEntry is an audit entry of the portal's request in ctx.
func (db *PortalStore) portalEntry(ctx context.Context, detail string) *xinfang.AuditEntry {
	e := &xinfang.AuditEntry{Kind: xinfang.AuditPortal, Username: portalUsername, Detail: detail}
	if a := xinfang.AuditingFrom(ctx); a != nil {
		e.Route, e.Object, e.IP = a.Route, a.Object, a.IP
	}
	return e
}

// portalAudit records a refusal that changes nothing.
func (db *PortalStore) portalAudit(ctx context.Context, detail string) {
	if err := db.write(xinfang.WithAuditing(ctx, nil), func(tx *Tx) error {
		db.appendAudit(ctx, tx, db.portalEntry(ctx, detail))
		return nil
	}); err != nil {
		db.Logger.Error("portal audit", "err", err)
	}
}

// AuditRefusal records a portal request refused before it reached the
// item (captcha, rate limit, a window closed).
func (db *PortalStore) AuditRefusal(ctx context.Context, detail string) {
	db.portalAudit(ctx, detail)
}

// portalPetition reads an item for the portal, whatever the staff's
// scopes (the 查询码 proved the right to it), with its clocks derived.
func (db *PortalStore) portalPetition(ctx context.Context, q rowQuerier, id int64) (*xinfang.Petition, []*xinfang.Event, error) {
	p, err := db.scanPetition(q.QueryRowContext(ctx, db.dialect.rebind(`SELECT `+petitionCols+petitionFrom+` WHERE p.id = ?`), id))
	if err != nil {
		return nil, nil, db.notFound(err, "信访件不存在")
	}
	events, err := db.events(ctx, q, id)
	if err != nil {
		return nil, nil, err
	}
	pr := db.Procedure(ctx)
	pr.Project(p, pr.Derive(events, db.Now()))
	return p, events, nil
}

// Follow opens the follow page (查询) of the item number with code.
func (db *PortalStore) Follow(ctx context.Context, number, code string) (*xinfang.PortalItem, error) {
	id, err := db.open(ctx, number, code, "网上查询")
	if err != nil {
		return nil, err
	}
	var it *xinfang.PortalItem
	err = db.read(ctx, func(q rowQuerier) error {
		p, events, err := db.portalPetition(ctx, q, id)
		if err != nil {
			return err
		}
		names, err := db.unitNames(ctx, q)
		if err != nil {
			return err
		}
		it = xinfang.NewPortalItem(p, events, func(id int64) string { return names[id] }, calendar.DateOf(db.Now()))
		if phone := strings.TrimSpace(p.Petitioner.Phone); phone != "" {
			it.HasPhone = true
			var n int
			if err := (cq{db.core, q}).row(ctx, `SELECT COUNT(*) FROM message_optouts WHERE phone_index = ?`, db.Keys.Index("phone", phone)).Scan(&n); err != nil {
				return err
			}
			it.OptedOut = n > 0
		}
		return nil
	})
	return it, err
}

// unitNames maps every unit's id to its name.
func (db *PortalStore) unitNames(ctx context.Context, q rowQuerier) (map[int64]string, error) {
	rows, err := cq{db.core, q}.rows(ctx, `SELECT id, name FROM units`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}

// Document returns document doc (accept, reject, opinion) of the item.
func (db *PortalStore) Document(ctx context.Context, number, code, doc string) (*xinfang.PortalDocument, error) {
	id, err := db.open(ctx, number, code, "网上查看文书 "+doc)
	if err != nil {
		return nil, err
	}
	var d *xinfang.PortalDocument
	err = db.read(ctx, func(q rowQuerier) error {
		p, events, err := db.portalPetition(ctx, q, id)
		if err != nil {
			return err
		}
		ev, title := xinfang.PortalDocEvent(events, doc)
		if ev == nil {
			return xinfang.Errorf(xinfang.ENOTFOUND, "该信访事项尚无此文书")
		}
		var issuer string
		var parent int64
		if err := (cq{db.core, q}).row(ctx, `SELECT name, COALESCE(parent_id, 0) FROM units WHERE id = ?`, ev.ActorUnitID).Scan(&issuer, &parent); err != nil {
			return err
		}
		superior := "本机关的上一级行政机关"
		if parent != 0 {
			if err := (cq{db.core, q}).row(ctx, `SELECT name FROM units WHERE id = ?`, parent).Scan(&superior); err != nil {
				return err
			}
		}
		d = xinfang.NewPortalDocument(p, ev, doc, title, issuer, superior)
		return nil
	})
	return d, err
}

// Evaluate records the petitioner's evaluation (评价) of the item: the
// procedure's evaluate event, marked as given on the portal.
func (db *PortalStore) Evaluate(ctx context.Context, number, code string, e xinfang.PortalEvaluation) error {
	if err := e.Validate(); err != nil {
		return err
	}
	id, err := db.open(ctx, number, code, "网上评价")
	if err != nil {
		return err
	}
	data := map[string]string{"rating_bureau": string(e.RatingBureau), "rating_unit": string(e.RatingUnit)}
	return db.act(ctx, id, func(p *xinfang.Petition) xinfang.Action { return xinfang.ActEvaluate }, data, map[string]string{"comment": e.Comment}, nil)
}

// RequestReview records the petitioner's request for 复查 (after a reply)
// or 复核 (after a review opinion), received today, with its files.
func (db *PortalStore) RequestReview(ctx context.Context, number, code string, r xinfang.PortalReview) (xinfang.Action, error) {
	if err := r.Validate(); err != nil {
		return "", err
	}
	// The files are checked before anything is opened or written.
	actor, err := db.portalActor(ctx)
	if err != nil {
		return "", err
	}
	files := make([]*preparedFile, len(r.Files))
	for i, up := range r.Files {
		if files[i], err = db.prepareFile(actor, up, "files"); err != nil {
			return "", err
		}
	}
	id, err := db.open(ctx, number, code, "网上申请复查/复核")
	if err != nil {
		return "", err
	}
	var taken xinfang.Action
	which := func(p *xinfang.Petition) xinfang.Action {
		taken = xinfang.ActRequestReview
		if p.State == xinfang.StateReviewed {
			taken = xinfang.ActRequestRereview
		}
		return taken
	}
	err = db.act(ctx, id, which, map[string]string{"request": r.Reasons}, nil, files)
	return taken, err
}

// act applies the petitioner's action (chosen by which from the item as
// it is in the transaction) with data, adds extra to the event's data
// and writes files to the item, in one transaction.
func (db *PortalStore) act(ctx context.Context, id int64, which func(*xinfang.Petition) xinfang.Action, data, extra map[string]string, files []*preparedFile) error {
	actor, err := db.portalActor(ctx)
	if err != nil {
		return err
	}
	pr := db.Procedure(ctx)
	ps := &PetitionStore{db.core}
	return db.write(ctx, func(tx *Tx) error {
		p, events, err := db.portalPetition(ctx, tx, id)
		if err != nil {
			return err
		}
		in := xinfang.ActionInput{Action: which(p), Version: p.Version, Data: data}
		ev, err := pr.ApplyPetitioner(procedure.Request{Petition: p, Events: events, Actor: actor, Input: in, Now: tx.now}, &lookup{db: db.core, ctx: ctx, tx: tx})
		if err != nil {
			return err
		}
		ev.ActorName = portalName
		ev.Data["source"] = "portal"
		for k, v := range extra {
			if v != "" {
				ev.Data[k] = v
			}
		}
		for _, f := range files {
			if err := db.writeFile(ctx, tx, f, xinfang.AttachPetition, id); err != nil {
				return err
			}
		}
		return ps.commitEvent(ctx, tx, pr, p, events, ev, p.Version, actor)
	})
}

// OptOut records that the petitioner of the item wants no more messages
// (退订), or wants them again; by the phone number, for every item.
func (db *PortalStore) OptOut(ctx context.Context, number, code string, out bool) error {
	id, err := db.open(ctx, number, code, "网上退订短信")
	if err != nil {
		return err
	}
	return db.write(ctx, func(tx *Tx) error {
		p, _, err := db.portalPetition(ctx, tx, id)
		if err != nil {
			return err
		}
		if p.Petitioner.Phone == "" {
			return xinfang.FieldError("phone", "该信访事项没有登记手机号码")
		}
		idx := db.Keys.Index("phone", strings.TrimSpace(p.Petitioner.Phone))
		if !out {
			_, err := tx.exec(ctx, `DELETE FROM message_optouts WHERE phone_index = ?`, idx)
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO message_optouts (phone_index, created_at) VALUES (?, ?) ON CONFLICT (phone_index) DO NOTHING`, idx, fmtTime(tx.now))
		return err
	})
}
