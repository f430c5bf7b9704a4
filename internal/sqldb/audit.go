package sqldb

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"xinfang"
)

// The audit log. A change's entry is appended by the write path (apply),
// inside the change's transaction, from the xinfang.Auditing the web layer
// put in the context; reads, exports and failed sign-ins, which change
// nothing, are appended by Record in a write of their own. Appending reads
// the one row of audit_head (SELECT … FOR UPDATE locks it on PostgreSQL
// until the commit, behind the end-of-batch advisory lock), so that
// entries are numbered without gaps and chained in the order they commit,
// across instances; the entries of one batch are chained in memory and
// the head is written once, after the last.

const auditCols = `id, at, COALESCE(user_id, 0), username, COALESCE(unit_id, 0), kind, route, object, detail, ip, prev_hash, hash`

func auditText(e *xinfang.AuditEntry) string {
	return strings.Join([]string{strconv.FormatInt(e.ID, 10), fmtTime(e.At), strconv.FormatInt(e.UserID, 10), e.Username,
		strconv.FormatInt(e.UnitID, 10), string(e.Kind), e.Route, e.Object, e.Detail, e.IP}, "\x1f")
}

func (db *core) auditHash(prev string, e *xinfang.AuditEntry) string {
	m := db.Keys.MAC("audit")
	m.Write([]byte(prev + "\n" + auditText(e)))
	return hex.EncodeToString(m.Sum(nil))
}

// appendAudit numbers, chains and inserts e in tx, at the end of the
// write (the audit head is a row every write shares: Tx.atEnd).
func (db *core) appendAudit(ctx context.Context, tx *Tx, e *xinfang.AuditEntry) {
	tx.atEnd(endShared, func() error { return db.writeAudit(ctx, tx, e) })
}

// writeAudit numbers and chains e. The head is read once per transaction;
// the entries of a transaction are chained in memory and inserted, with
// the head written after them, in flushAuditHead: two statements for all
// the entries of a batch.
func (db *core) writeAudit(ctx context.Context, tx *Tx, e *xinfang.AuditEntry) error {
	h := &tx.sh.audit
	if !h.loaded {
		if err := tx.queryRow(ctx, `SELECT seq, hash FROM audit_head WHERE one = 1`+db.dialect.forUpdate()).Scan(&h.seq, &h.hash); err != nil {
			return fmt.Errorf("audit head: %w", err)
		}
		h.loaded = true
	}
	e.ID, e.PrevHash = h.seq+1, h.hash
	e.At = tx.now
	e.Hash = db.auditHash(e.PrevHash, e)
	h.pending = append(h.pending, e.ID, fmtTime(e.At), nullID(e.UserID), e.Username, nullID(e.UnitID), string(e.Kind),
		e.Route, e.Object, e.Detail, e.IP, e.PrevHash, e.Hash)
	h.seq, h.hash, h.dirty = e.ID, e.Hash, true
	return nil
}

// auditInsertCols are the columns writeAudit gives an entry.
const auditInsertCols = `id, at, user_id, username, unit_id, kind, route, object, detail, ip, prev_hash, hash`

// auditInsertRows bounds the rows of one INSERT of entries (12 values
// each, well under either database's limit of parameters).
const auditInsertRows = 64

// flushAuditHead inserts the transaction's entries and writes the head
// after the last of them.
func (db *core) flushAuditHead(ctx context.Context, stx *sql.Tx, sh *txShared) error {
	h := &sh.audit
	if !h.dirty {
		return nil
	}
	const n = 12               // values per entry (auditInsertCols)
	tx := &Tx{Tx: stx, db: db} // its statements, prepared and counted
	for vals := h.pending; len(vals) > 0; {
		rows := min(len(vals)/n, auditInsertRows)
		q := `INSERT INTO audit_log (` + auditInsertCols + `) VALUES ` + strings.TrimSuffix(strings.Repeat("("+placeholders(n)+"), ", rows), ", ")
		if _, err := tx.exec(ctx, q, vals[:rows*n]...); err != nil {
			return err
		}
		vals = vals[rows*n:]
	}
	h.pending = nil
	_, err := tx.exec(ctx, `UPDATE audit_head SET seq = ?, hash = ?, mac = ? WHERE one = 1`, h.seq, h.hash, db.auditHeadMAC(h.seq, h.hash))
	h.dirty = false
	return err
}

// auditHeadMAC keys the head, so that one who deletes the newest entries
// cannot set the head back to the last one left without the keys (only
// back to a head read earlier, which the README says).
func (db *core) auditHeadMAC(seq int64, hash string) string {
	if seq == 0 {
		return ""
	}
	m := db.Keys.MAC("audit-head")
	m.Write([]byte(strconv.FormatInt(seq, 10) + "|" + hash))
	return hex.EncodeToString(m.Sum(nil))
}

// auditEntry is the entry of what ctx does as a: the acting user, and the
// records the transaction created.
func auditEntry(ctx context.Context, a *xinfang.Auditing, created []string) *xinfang.AuditEntry {
	e := &xinfang.AuditEntry{Kind: a.Kind, Route: a.Route, Object: a.Object, IP: a.IP}
	if u := xinfang.UserFromContext(ctx); u != nil {
		e.UserID, e.Username, e.UnitID = u.ID, u.Username, u.UnitID
	}
	if len(created) > 0 {
		e.Detail = "新建 " + strings.Join(created, "、")
	}
	return e
}

// created notes a record the transaction created, for its audit entry.
func (tx *Tx) created(kind string, id int64) {
	tx.objects = append(tx.objects, kind+" "+strconv.FormatInt(id, 10))
}

// Record appends an entry that no change carries — a read, an
// unmasking, an export, a sign-in — in a transaction of its own. The
// caller must not show what it records until Record has returned nil.
func (db *AuditStore) Record(ctx context.Context, e *xinfang.AuditEntry) error {
	if !e.Kind.Valid() {
		return fmt.Errorf("audit: unknown kind %q", e.Kind)
	}
	if e.UserID == 0 {
		if u := xinfang.UserFromContext(ctx); u != nil {
			e.UserID, e.Username, e.UnitID = u.ID, u.Username, u.UnitID
		}
	}
	return db.write(xinfang.WithAuditing(ctx, nil), func(tx *Tx) error {
		db.appendAudit(ctx, tx, e)
		return nil
	})
}

// FindAudit returns the entries f selects, newest first, and their count;
// only the audit administrator reads them.
func (db *AuditStore) FindAudit(ctx context.Context, f xinfang.AuditFilter) ([]*xinfang.AuditEntry, int, error) {
	if _, err := allow(ctx, xinfang.CanReadAudit); err != nil {
		return nil, 0, err
	}
	w := newConds("1 = 1", nil)
	if f.UserID != 0 {
		w.and("user_id = ?", f.UserID)
	}
	if f.Username != "" {
		w.and("username = ?", f.Username)
	}
	if f.Kind != "" {
		if !f.Kind.Valid() {
			return nil, 0, xinfang.FieldError("kind", "未知的审计类别")
		}
		w.and("kind = ?", string(f.Kind))
	}
	if f.Object != "" {
		like := "%" + escapeLike(strings.ToLower(f.Object)) + "%"
		w.and(`(LOWER(object) LIKE ? ESCAPE '\' OR LOWER(route) LIKE ? ESCAPE '\' OR LOWER(detail) LIKE ? ESCAPE '\')`, like, like, like)
	}
	if !f.From.IsZero() {
		w.and("at >= ?", fmtTime(f.From))
	}
	if !f.To.IsZero() {
		w.and("at < ?", fmtTime(f.To))
	}
	limit, err := pageLimit(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, err
	}
	var out []*xinfang.AuditEntry
	var total int
	err = db.read(ctx, func(q rowQuerier) error {
		r := cq{db.core, q}
		if err := r.row(ctx, `SELECT COUNT(*) FROM audit_log WHERE `+w.where(), w.args...).Scan(&total); err != nil {
			return err
		}
		rows, err := r.rows(ctx, `SELECT `+auditCols+` FROM audit_log WHERE `+w.where()+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(w.args, limit, f.Offset)...)
		out, err = scanAll(rows, err, scanAudit)
		return err
	})
	return out, total, err
}

func scanAudit(r scanner) (*xinfang.AuditEntry, error) {
	e := &xinfang.AuditEntry{}
	var at, kind string
	if err := r.Scan(&e.ID, &at, &e.UserID, &e.Username, &e.UnitID, &kind, &e.Route, &e.Object, &e.Detail, &e.IP, &e.PrevHash, &e.Hash); err != nil {
		return nil, err
	}
	e.At, e.Kind = parseTime(at), xinfang.AuditKind(kind)
	return e, nil
}

// VerifyAudit walks the whole log in order: the numbers run 1, 2, 3 …
// without a gap, each entry's hash is the keyed hash of the one before and
// its own text, and the last is the one audit_head names. It returns how
// many entries it checked and the first break it found.
func (db *AuditStore) VerifyAudit(ctx context.Context) (int64, error) {
	var headSeq int64
	var headHash, headMAC string
	if err := db.queryRow(ctx, `SELECT seq, hash, mac FROM audit_head WHERE one = 1`).Scan(&headSeq, &headHash, &headMAC); err != nil {
		return 0, err
	}
	if headMAC != db.auditHeadMAC(headSeq, headHash) {
		return 0, xinfang.Errorf(xinfang.ECONFLICT, "审计日志的链头（第 %d 条）被改动", headSeq)
	}
	var n int64
	prev := ""
	after := int64(0)
	for {
		rows, err := db.query(ctx, `SELECT `+auditCols+` FROM audit_log WHERE id > ? ORDER BY id LIMIT 5000`, after)
		batch, err := scanAll(rows, err, scanAudit)
		if err != nil {
			return n, err
		}
		for _, e := range batch {
			n++
			if e.ID != n {
				return n, xinfang.Errorf(xinfang.ECONFLICT, "审计日志第 %d 条缺失或顺序被改动", n)
			}
			if e.PrevHash != prev || e.Hash != db.auditHash(prev, e) {
				return n, xinfang.Errorf(xinfang.ECONFLICT, "审计日志第 %d 条与哈希链不符，可能被篡改", n)
			}
			prev = e.Hash
		}
		if len(batch) == 0 {
			break
		}
		after = batch[len(batch)-1].ID
	}
	if n != headSeq || prev != headHash {
		return n, xinfang.Errorf(xinfang.ECONFLICT, "审计日志共 %d 条，末条记录应为第 %d 条：末尾的记录被删除", n, headSeq)
	}
	return n, nil
}
