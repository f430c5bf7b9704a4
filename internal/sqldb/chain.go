package sqldb

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/emmansun/gmsm/sm3"

	"xinfang"
)

// Tamper evidence of a petition, three keyed MACs (HMAC-SM3 under keys
// derived from the keys file, which is never in the database):
//
//   - its events form a hash chain: each event's hash is the MAC ("chain")
//     of the previous hash and the event's canonical text, so an edited,
//     inserted or deleted event breaks the chain;
//   - the register event carries the MAC ("registered") of the content as
//     registered: the registered columns of the petitions row and the
//     petitioners' records, personal data as plaintext;
//   - the row carries head_mac, the MAC ("head") of its head hash and the
//     projection written with it, so a lost tail shows even when head_hash
//     is rewritten to match.
//
// Someone with write access to the database but not the keys can change
// rows; they cannot write MACs that verify. verifyPetition checks all three.

func canonical(e *xinfang.Event) string {
	keys := make([]string, 0, len(e.Data))
	for k := range e.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "%d|%d|%s|%s|%s|%d|%s|%d|%s|%s", e.PetitionID, e.Seq, e.Action, e.From, e.To, e.ActorID, e.ActorName, e.ActorUnitID, fmtTime(e.At), e.Note)
	for _, k := range keys {
		v, _ := json.Marshal(e.Data[k]) // a string always marshals
		fmt.Fprintf(&b, "|%s=%s", k, v)
	}
	return b.String()
}

// eventHash is an event's link in the chain: the MAC of the previous hash
// and the event.
func (db *core) eventHash(prev string, e *xinfang.Event) string {
	m := db.Keys.MAC("chain")
	m.Write([]byte(prev + "\n" + canonical(e)))
	return hex.EncodeToString(m.Sum(nil))
}

// unkeyedHash is the link of versions before migration 0014: plain SM3,
// which anyone who can write the table can recompute. Only the upgrade
// (keyChains) reads it.
func unkeyedHash(prev string, e *xinfang.Event) string {
	h := sm3.Sum([]byte(prev + "\n" + canonical(e)))
	return hex.EncodeToString(h[:])
}

// chainEvent links e after prev.
func (db *core) chainEvent(e *xinfang.Event, prev string) {
	e.PrevHash = prev
	e.Hash = db.eventHash(prev, e)
}

// chainProblem checks one petition's events, in order, against a link
// rule and describes the first break, "" when there is none.
func chainProblem(events []*xinfang.Event, link func(prev string, e *xinfang.Event) string) string {
	prev := ""
	for i, e := range events {
		if e.Seq != i+1 {
			return fmt.Sprintf("第 %d 条记录缺失或顺序被改动", i+1)
		}
		if e.PrevHash != prev || e.Hash != link(prev, e) {
			return fmt.Sprintf("第 %d 条记录（%s）与哈希链不符，可能被篡改", e.Seq, e.Action.Label())
		}
		prev = e.Hash
	}
	return ""
}

// The register event's data keys that storage writes beside the
// procedure's: the MAC of the registered content, and the repeat link as
// registered (repeat_flag and repeat_of_id change later, by 合并 and by a
// repeat decision, so they are replayed rather than hashed).
const (
	dataRegistered = "registered"
	dataRepeat     = "repeat"
	dataRepeatOf   = "repeat_of"
)

// registeredCols are the columns of petitions that registration writes and
// nothing changes afterwards, in the order the MAC reads them. Names and
// order are part of the MAC (its form is "v1"): a change makes every
// stored MAC fail, so it needs a new form and a re-sealing upgrade.
var registeredCols = []string{"id", "number", "query_hash", "channel", "received_at", "reg_unit_id", "reg_user_id", "COALESCE(first_unit_id, 0)",
	"petitioner_id", "person_id", "person_count", "involved_count", "grp", "summary", "content", "request", "category", "purpose", "reason",
	"locality_id", "accused", "sys", "legal_case", "urgent", "anonymous", "threat", "hot", "public", "cross_flags", "escalation",
	"risk_level", "risk_reason", "reg_path", "created_at"}

// registeredPetitionerCols are a petitioner record's columns, all written
// at registration; the sealed ones are opened, so that the MAC is of the
// plaintext and a key rotation leaves it valid.
var registeredPetitionerCols = []string{"id", "person_id", "org", "name", "id_type", "id_number", "id_index", "org_code", "phone", "phone_index",
	"gender", "ethnicity", "occupation", "hukou_address", "residence", "address", "key_person", "key_reason", "foreign_flag", "created_at"}

// finding is an error that describes what is wrong with a record (a
// sealed value that does not open): verification reports it as a problem
// of the record, not as a failure of the check.
type finding string

func (f finding) Error() string { return string(f) }

// registeredMAC is the MAC of petition id's registered content as stored:
// its registered columns, then each of its petitioners (main and co-
// petitioners, by id) with the sealed fields opened. Every value is read
// as text, so the form is the same on both databases. Keyed, it also
// cannot confirm a guessed ID number the way a plain hash would.
func (db *core) registeredMAC(ctx context.Context, q rowQuerier, id int64) (string, error) {
	r := cq{db, q}
	vals, err := textRow(r.row(ctx, `SELECT `+strings.Join(registeredCols, ", ")+` FROM petitions WHERE id = ?`, id), len(registeredCols))
	if err != nil {
		return "", err
	}
	var pts [][]string
	rows, err := r.rows(ctx, `SELECT `+prefixed("x.", strings.Join(registeredPetitionerCols, ", "))+` FROM petition_petitioners pp
		JOIN petitioners x ON x.id = pp.petitioner_id WHERE pp.petition_id = ? ORDER BY x.id`, id)
	err = eachRow(rows, err, func(s scanner) error {
		vals, err := textRow(s, len(registeredPetitionerCols))
		if err != nil {
			return err
		}
		for i, col := range registeredPetitionerCols {
			if isSealed(col) {
				if vals[i], err = db.Keys.Open(sealedField(col), vals[i]); err != nil {
					return finding(fmt.Sprintf("信访人 #%s 的%s无法解密，可能被改动", vals[0], sealedLabel(col)))
				}
			}
		}
		pts = append(pts, vals)
		return nil
	})
	if err != nil {
		return "", err
	}
	return db.registeredMACOf(vals, pts), nil
}

// registeredMACOf is the MAC of a petition's registered content given as
// text: the values of registeredCols, then of registeredPetitionerCols for
// each petitioner in id order, sealed fields as plaintext. A writer that
// knows what it wrote (an import) computes it without reading back.
func (db *core) registeredMACOf(vals []string, petitioners [][]string) string {
	m := db.Keys.MAC("registered")
	m.Write([]byte("xinfang registered v1\n"))
	for i, v := range vals {
		fmt.Fprintf(m, "%s=%q\n", registeredCols[i], v)
	}
	for _, pt := range petitioners {
		m.Write([]byte("petitioner\n"))
		for i, col := range registeredPetitionerCols {
			fmt.Fprintf(m, "%s=%q\n", col, pt[i])
		}
	}
	return hex.EncodeToString(m.Sum(nil))
}

// textRow scans a row of n columns as text.
func textRow(s scanner, n int) ([]string, error) {
	vals := make([]string, n)
	dst := make([]any, n)
	for i := range vals {
		dst[i] = &vals[i]
	}
	return vals, s.Scan(dst...)
}

func isSealed(col string) bool {
	for _, c := range sealedCols {
		if c == col {
			return true
		}
	}
	return false
}

func sealedLabel(col string) string {
	return map[string]string{"id_number": "证件号码", "phone": "联系电话", "address": "通讯地址", "residence": "现居住地", "hukou_address": "户籍地"}[col]
}

// headCols are what head_mac covers: the head of the chain and the
// projection written with it (names and order are part of the MAC, as
// with registeredCols).
var headCols = []string{"id", "number", "head_hash", "state", "COALESCE(handling_unit_id, 0)", "handling_path", "outcome", "evaluation", "due_date", "severe_date", "due_clock"}

// headMAC reads a petition's head columns through q and returns their MAC
// and the stored head_mac.
func (db *core) headMAC(ctx context.Context, q rowQuerier, id int64) (want, stored string, err error) {
	vals, err := textRow(cq{db, q}.row(ctx, `SELECT `+strings.Join(headCols, ", ")+`, head_mac FROM petitions WHERE id = ?`, id), len(headCols)+1)
	if err != nil {
		return "", "", err
	}
	return db.headMACOf(vals[:len(headCols)]), vals[len(headCols)], nil
}

// headMACOf is the MAC of the values of headCols given as text.
func (db *core) headMACOf(vals []string) string {
	m := db.Keys.MAC("head")
	m.Write([]byte("xinfang head v1\n"))
	for i, col := range headCols {
		fmt.Fprintf(m, "%s=%q\n", col, vals[i])
	}
	return hex.EncodeToString(m.Sum(nil))
}

// sealHead writes head_mac for the head and projection a write left in
// petition id; every write of either ends with it.
func (db *core) sealHead(ctx context.Context, tx *Tx, id int64) error {
	mac, _, err := db.headMAC(ctx, tx, id)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `UPDATE petitions SET head_mac = ? WHERE id = ?`, mac, id)
	return err
}

// registerData adds to the register event's data what verification
// compares with the rows: the registered content's MAC, read back from
// the rows just written, and the repeat link as registered.
func (db *core) registerData(ctx context.Context, tx *Tx, e *xinfang.Event, repeat bool, repeatOf int64) error {
	mac, err := db.registeredMAC(ctx, tx, e.PetitionID)
	if err != nil {
		return err
	}
	if e.Data == nil {
		e.Data = map[string]string{}
	}
	e.Data[dataRegistered] = mac
	if repeat {
		e.Data[dataRepeat] = "1"
	}
	if repeatOf != 0 {
		e.Data[dataRepeatOf] = strconv.FormatInt(repeatOf, 10)
	}
	return nil
}
