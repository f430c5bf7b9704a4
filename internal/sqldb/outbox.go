package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"xinfang"
)

// The outbox of messages to petitioners (短信、电子邮件): written in the
// transaction of the event a message tells of, sent by the outbox worker
// (internal/outbox) on one instance at a time, with retries and backoff.
// The recipient and the text are sealed at rest.

// OutboxStore is what the outbox worker and the pages need: the messages
// due, their outcome, the item's messages, the editable texts.
type OutboxStore struct{ *core }

// OutboxLease is the lease the instances' workers compete for.
const OutboxLease = "outbox"

// Retries of a message that fails: after MaxAttempts it is given up.
const (
	MaxAttempts  = 8
	firstBackoff = 30 * time.Second
	maxBackoff   = time.Hour
)

// template returns the text of kind: the administrator's, else the built-in.
func (db *core) messageTemplate(ctx context.Context, tx *Tx, kind xinfang.MessageKind) (string, error) {
	var body string
	err := tx.queryRow(ctx, `SELECT body FROM message_templates WHERE kind = ?`, string(kind)).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return xinfang.DefaultTemplates[kind], nil
	}
	return body, err
}

// maskPhone shows a phone as 139****5678.
func maskPhone(s string) string {
	if len(s) >= 11 {
		return s[:3] + "****" + s[len(s)-4:]
	}
	return "****"
}

func maskEmail(s string) string {
	at := strings.IndexByte(s, '@')
	if at <= 1 {
		return "***" + s[max(at, 0):]
	}
	return s[:1] + "***" + s[at:]
}

// enqueueMessage writes message kind of p to its petitioner's phone and,
// when the petitioner gave one on the portal, e-mail address, in tx;
// code is the 查询码 of the first message of an online item, or "". A
// petitioner who opted out gets the message recorded as not sent.
func (db *core) enqueueMessage(ctx context.Context, tx *Tx, p *xinfang.Petition, kind xinfang.MessageKind, vars map[string]string, code string) error {
	if p.Petitioner == nil || p.Anonymous {
		return nil
	}
	phone := strings.TrimSpace(p.Petitioner.Phone)
	var email string
	var sealed string
	err := tx.queryRow(ctx, `SELECT email FROM portal_intake WHERE petition_id = ?`, p.ID).Scan(&sealed)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if sealed != "" {
		if email, err = db.Keys.Open("portal_intake.email", sealed); err != nil {
			return err
		}
	}
	if phone == "" && email == "" {
		return nil
	}
	tmpl, err := db.messageTemplate(ctx, tx, kind)
	if err != nil {
		return err
	}
	vars["code"] = code
	body := xinfang.RenderTemplate(tmpl, vars)
	summary := body
	if code != "" {
		summary = strings.ReplaceAll(body, code, "****-****-****-****")
	}
	state := xinfang.MessagePending
	if phone != "" {
		var one int
		err := tx.queryRow(ctx, `SELECT 1 FROM message_optouts WHERE phone_index = ?`, db.Keys.Index("phone", phone)).Scan(&one)
		if err == nil {
			state = xinfang.MessageSkipped
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	for _, to := range []struct {
		ch        xinfang.MessageChannel
		addr, hnt string
	}{{xinfang.ChannelSMS, phone, maskPhone(phone)}, {xinfang.ChannelEmail, email, maskEmail(email)}} {
		if to.addr == "" {
			continue
		}
		id, err := tx.insert(ctx, `INSERT INTO outbox (petition_id, kind, channel, recipient, hint, body, summary, idem_key, state, next_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.ID, string(kind), string(to.ch), db.Keys.Seal("outbox.recipient", to.addr), to.hnt,
			db.Keys.Seal("outbox.body", body), summary, "xf-msg-"+randomToken(16), state, fmtTime(tx.now), fmtTime(tx.now))
		if err != nil {
			return err
		}
		tx.created("message", id)
	}
	return nil
}

// messageForEvent writes the message ev sends, if any, for p as it is
// after ev.
func (db *core) messageForEvent(ctx context.Context, tx *Tx, p *xinfang.Petition, ev *xinfang.Event) error {
	unit := ""
	switch {
	case p.HandlingUnit != nil:
		unit = p.HandlingUnit.Name
	case p.RegUnit != nil:
		unit = p.RegUnit.Name
	}
	kind, vars := xinfang.MessageFor(ev, p, unit)
	if kind == "" {
		return nil
	}
	return db.enqueueMessage(ctx, tx, p, kind, vars, "")
}

const outboxCols = `id, petition_id, kind, channel, recipient, hint, body, summary, idem_key, state, attempts, next_at, sent_at, last_error, created_at`

// scanMessage reads a message; open says whether to open the sealed
// recipient and text (the worker's read only).
func (db *core) scanMessage(s scanner, open bool) (*xinfang.OutMessage, error) {
	m := &xinfang.OutMessage{}
	var next, sent, created string
	if err := s.Scan(&m.ID, &m.PetitionID, &m.Kind, &m.Channel, &m.To, &m.Hint, &m.Body, &m.Summary, &m.Key, &m.State, &m.Attempts, &next, &sent, &m.LastError, &created); err != nil {
		return nil, err
	}
	m.NextAt, m.SentAt, m.CreatedAt = parseTime(next), parseTime(sent), parseTime(created)
	if !open {
		m.To, m.Body = "", ""
		return m, nil
	}
	var err error
	if m.To, err = db.Keys.Open("outbox.recipient", m.To); err != nil {
		return nil, err
	}
	if m.Body, err = db.Keys.Open("outbox.body", m.Body); err != nil {
		return nil, err
	}
	return m, nil
}

// AcquireLease takes or renews the outbox worker's lease for holder.
func (db *OutboxStore) AcquireLease(ctx context.Context, holder string, ttl time.Duration) (bool, error) {
	return (&ClockStore{db.core}).AcquireLease(ctx, OutboxLease, holder, ttl)
}

// ReleaseLease gives the outbox worker's lease up.
func (db *OutboxStore) ReleaseLease(ctx context.Context, holder string) error {
	return (&ClockStore{db.core}).ReleaseLease(ctx, OutboxLease, holder)
}

// DueMessages returns up to limit messages waiting to be sent now, oldest
// first, opened for sending.
func (db *OutboxStore) DueMessages(ctx context.Context, limit int) ([]*xinfang.OutMessage, error) {
	rows, err := db.query(ctx, `SELECT `+outboxCols+` FROM outbox WHERE state = ? AND next_at <= ? ORDER BY id LIMIT ?`, xinfang.MessagePending, fmtTime(db.Now()), limit)
	return scanAll(rows, err, func(r scanner) (*xinfang.OutMessage, error) { return db.scanMessage(r, true) })
}

// MarkSent records that message id was accepted by the gateway.
func (db *OutboxStore) MarkSent(ctx context.Context, id int64) error {
	return db.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE outbox SET state = ?, attempts = attempts + 1, sent_at = ?, last_error = '' WHERE id = ? AND state = ?`,
			xinfang.MessageSent, fmtTime(tx.now), id, xinfang.MessagePending)
		return err
	})
}

// MarkFailed records a failed attempt: the message waits longer each
// time, and is given up after MaxAttempts.
func (db *OutboxStore) MarkFailed(ctx context.Context, id int64, reason string) error {
	return db.write(ctx, func(tx *Tx) error {
		var attempts int
		if err := tx.queryRow(ctx, `SELECT attempts FROM outbox WHERE id = ?`, id).Scan(&attempts); err != nil {
			return err
		}
		attempts++
		state, wait := xinfang.MessagePending, firstBackoff
		for i := 1; i < attempts && wait < maxBackoff; i++ {
			wait *= 2
		}
		if attempts >= MaxAttempts {
			state = xinfang.MessageFailed
		}
		if len(reason) > 500 {
			reason = reason[:500]
		}
		_, err := tx.exec(ctx, `UPDATE outbox SET state = ?, attempts = ?, next_at = ?, last_error = ? WHERE id = ? AND state = ?`,
			state, attempts, fmtTime(tx.now.Add(min(wait, maxBackoff))), reason, id, xinfang.MessagePending)
		return err
	})
}

// FindMessages lists the messages of a petition in scope, newest last,
// without their recipients or 查询码.
func (db *OutboxStore) FindMessages(ctx context.Context, petitionID int64) ([]*xinfang.OutMessage, error) {
	var out []*xinfang.OutMessage
	err := db.read(ctx, func(q rowQuerier) error {
		if _, err := db.findPetition(ctx, q, petitionID); err != nil {
			return err
		}
		rows, err := (cq{db.core, q}).rows(ctx, `SELECT `+outboxCols+` FROM outbox WHERE petition_id = ? ORDER BY id`, petitionID)
		out, err = scanAll(rows, err, func(r scanner) (*xinfang.OutMessage, error) { return db.scanMessage(r, false) })
		return err
	})
	return out, err
}

// FindTemplates returns every message text, edited or built-in; for the
// administrator.
func (db *OutboxStore) FindTemplates(ctx context.Context) ([]*xinfang.MessageTemplate, error) {
	if _, err := allow(ctx, xinfang.CanAdminister); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT kind, body, updated_by, updated_at FROM message_templates`)
	edited, err := scanAll(rows, err, func(r scanner) (*xinfang.MessageTemplate, error) {
		t := &xinfang.MessageTemplate{}
		var at string
		err := r.Scan(&t.Kind, &t.Body, &t.UpdatedBy, &at)
		t.UpdatedAt = parseTime(at)
		return t, err
	})
	if err != nil {
		return nil, err
	}
	var out []*xinfang.MessageTemplate
	for _, l := range xinfang.MessageKinds {
		t := &xinfang.MessageTemplate{Kind: xinfang.MessageKind(l.Code), Label: l.Label, Body: xinfang.DefaultTemplates[xinfang.MessageKind(l.Code)], Default: true}
		for _, e := range edited {
			if e.Kind == t.Kind {
				t.Body, t.Default, t.UpdatedBy, t.UpdatedAt = e.Body, false, e.UpdatedBy, e.UpdatedAt
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// SaveTemplate sets the text of kind; an empty body with reset gives the
// built-in text back.
func (db *OutboxStore) SaveTemplate(ctx context.Context, kind xinfang.MessageKind, body string, reset bool) error {
	actor, err := allow(ctx, xinfang.CanAdminister)
	if err != nil {
		return err
	}
	if reset {
		return db.write(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, `DELETE FROM message_templates WHERE kind = ?`, string(kind))
			return err
		})
	}
	body = strings.TrimSpace(body)
	if err := xinfang.ValidateTemplate(kind, body); err != nil {
		return err
	}
	return db.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO message_templates (kind, body, updated_by, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (kind) DO UPDATE SET body = excluded.body, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			string(kind), body, actor.Name, fmtTime(tx.now))
		return err
	})
}
