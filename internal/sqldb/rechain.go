package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"

	"xinfang"
)

// keyChains re-seals, once, the chains that versions before migration 0014
// wrote unkeyed (plain SM3): each petition's chain is verified with the old
// rule, then its register event gets the MAC of the registered content
// (and the repeat link as registered, where no later change hides it), its
// events are linked again under the key and its head sealed. A chain that
// fails the old verification is left as it is and logged: re-sealing it
// would erase the evidence. Batches are their own transactions and a chain
// already keyed is skipped, so an interrupted upgrade resumes at the next
// start; keyring_check.chained records that it is done.
//
// Instances of an older version must be stopped first: an event one of
// them appends to a re-sealed chain is unkeyed and fails verification.
func (db *DB) keyChains(ctx context.Context) error {
	done := func() (bool, error) {
		var chained int
		err := db.queryRow(ctx, `SELECT chained FROM keyring_check`).Scan(&chained)
		return chained == 1, err
	}
	if ok, err := done(); err != nil || ok {
		return err
	}
	if db.Postgres() {
		// Instances starting together on one database: one re-seals, the
		// others wait for it and then find the work done.
		conn, err := db.wdb.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		unlock, err := db.sessionLock(ctx, conn, lockKeyChains, "key chains")
		if err != nil {
			return err
		}
		defer unlock()
		if ok, err := done(); err != nil || ok {
			return err
		}
	}
	keyed, left := 0, 0
	after := int64(0)
	for {
		rows, err := db.query(ctx, `SELECT id FROM petitions WHERE id > ? ORDER BY id LIMIT 200`, after)
		ids, err := scanAll(rows, err, scanID)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			break
		}
		type leftChain struct {
			id          int64
			number, why string
		}
		var n int
		var skipped []leftChain
		err = db.write(ctx, func(tx *Tx) error {
			n, skipped = 0, nil
			restore := func() error { return nil }
			lifted := false
			lift := func() error {
				if lifted {
					return nil
				}
				r, err := db.liftAppendOnly(ctx, tx)
				restore, lifted = r, err == nil
				return err
			}
			for _, id := range ids {
				number, why, err := db.rechain(ctx, tx, id, lift)
				switch {
				case err != nil:
					return err
				case why != "":
					skipped = append(skipped, leftChain{id, number, why})
				case number != "":
					n++
				}
			}
			return restore()
		})
		if err != nil {
			return err
		}
		keyed += n
		left += len(skipped)
		for _, s := range skipped {
			db.Logger.Warn("hash chain left unkeyed: it fails the verification of the version that wrote it", "petition", s.id, "number", s.number, "problem", s.why)
		}
		after = ids[len(ids)-1]
	}
	if keyed+left > 0 {
		db.Logger.Info("hash chains keyed", "petitions", keyed, "left_unkeyed", left)
	}
	return db.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE keyring_check SET chained = 1`)
		return err
	})
}

// rechain keys the chain of petition id: it returns the petition's number
// when it did, why it left the chain when it fails the old rule, and
// neither when the chain is keyed already. lift lets the transaction
// rewrite events.
func (db *DB) rechain(ctx context.Context, tx *Tx, id int64, lift func() error) (number, why string, err error) {
	var head string
	var repeat bool
	var repeatOf int64
	if err := tx.queryRow(ctx, `SELECT number, head_hash, repeat_flag, COALESCE(repeat_of_id, 0) FROM petitions WHERE id = ?`, id).Scan(&number, &head, &repeat, &repeatOf); err != nil {
		return "", "", err
	}
	events, err := db.events(ctx, tx, id)
	if err != nil {
		return "", "", err
	}
	if len(events) == 0 {
		return number, "没有办理记录", nil
	}
	last := events[len(events)-1].Hash
	if last == head && chainProblem(events, db.eventHash) == "" {
		return "", "", nil // keyed by an earlier start that stopped midway
	}
	if p := chainProblem(events, unkeyedHash); p != "" {
		return number, p, nil
	}
	if last != head {
		return number, "最新的办理记录缺失", nil
	}
	reg := events[0]
	if reg.Action != xinfang.ActRegister {
		return number, "第 1 条记录不是登记", nil
	}
	if err := lift(); err != nil {
		return "", "", err
	}
	mac, err := db.registeredMAC(ctx, tx, id)
	if err != nil {
		var f finding
		if errors.As(err, &f) {
			return number, string(f), nil
		}
		return "", "", err
	}
	if reg.Data == nil {
		reg.Data = map[string]string{}
	}
	reg.Data[dataRegistered] = mac
	// The repeat link as registered is the one stored, unless a 合并 or a
	// repeat decision may have changed it since; then it is that change
	// which verification compares, and the registered one does not matter.
	changed := false
	for _, e := range events {
		changed = changed || e.Action == xinfang.ActMerge
	}
	if !changed {
		var links int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM repeat_decisions WHERE petition_id = ? AND decision = ?`, id, xinfang.RepeatLink).Scan(&links); err != nil {
			return "", "", err
		}
		if links == 0 && repeat {
			reg.Data[dataRepeat] = "1"
		}
		if links == 0 && repeatOf != 0 {
			reg.Data[dataRepeatOf] = strconv.FormatInt(repeatOf, 10)
		}
	}
	data, err := json.Marshal(reg.Data)
	if err != nil {
		return "", "", err
	}
	prev := ""
	for _, e := range events {
		db.chainEvent(e, prev)
		if e == reg {
			_, err = tx.exec(ctx, `UPDATE events SET data = ?, prev_hash = ?, hash = ? WHERE id = ?`, string(data), e.PrevHash, e.Hash, e.ID)
		} else {
			_, err = tx.exec(ctx, `UPDATE events SET prev_hash = ?, hash = ? WHERE id = ?`, e.PrevHash, e.Hash, e.ID)
		}
		if err != nil {
			return "", "", err
		}
		prev = e.Hash
	}
	if _, err := tx.exec(ctx, `UPDATE petitions SET head_hash = ? WHERE id = ?`, prev, id); err != nil {
		return "", "", err
	}
	return number, "", db.sealHead(ctx, tx, id)
}

// liftAppendOnly lets tx rewrite events, which a trigger keeps
// append-only: on SQLite the trigger is dropped and on PostgreSQL disabled
// inside the transaction, and the function returned puts it back before
// the commit, so no other connection ever sees the table without it (DDL
// is transactional on both). A trigger that is missing stays missing.
func (db *core) liftAppendOnly(ctx context.Context, tx *Tx) (restore func() error, err error) {
	none := func() error { return nil }
	if db.Postgres() {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM pg_trigger WHERE tgname = 'events_no_update' AND tgrelid = 'events'::regclass`).Scan(&n); err != nil || n == 0 {
			return none, err
		}
		if _, err := tx.exec(ctx, `ALTER TABLE events DISABLE TRIGGER events_no_update`); err != nil {
			return none, err
		}
		return func() error {
			_, err := tx.exec(ctx, `ALTER TABLE events ENABLE TRIGGER events_no_update`)
			return err
		}, nil
	}
	var ddl string
	err = tx.queryRow(ctx, `SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'events_no_update'`).Scan(&ddl)
	if errors.Is(err, sql.ErrNoRows) {
		return none, nil
	}
	if err != nil {
		return none, err
	}
	if _, err := tx.exec(ctx, `DROP TRIGGER events_no_update`); err != nil {
		return none, err
	}
	return func() error {
		_, err := tx.exec(ctx, ddl)
		return err
	}, nil
}
