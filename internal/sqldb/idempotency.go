package sqldb

import (
	"context"
	"errors"
	"time"

	"xinfang"
)

// Idempotent registration: a client that did not get the answer to a
// registration (a dropped connection, a browser's F5 on the form it
// posted) sends it again under the same key, and gets the item the first
// request registered — its number and its 查询码 — instead of a second
// item under a new number.

// onceKey is a registration's idempotency key: its user, the key, and the
// hash of the request it was first used with.
type onceKey struct {
	user        int64
	key, digest string
}

// idempotencyWindow is how long a key stands for its registration.
const idempotencyWindow = 24 * time.Hour

// errKeyTaken is a registration whose key another request recorded first.
var errKeyTaken = errors.New("idempotency key taken")

// RegisterPetitionOnce is RegisterPetition under an idempotency key of
// the acting user (1 to 100 visible ASCII characters) for a request whose
// content hashes to digest. A key used before, within a day, by the same
// request gives back that registration's petition with its 查询码 and
// replayed true; by another request it is refused (EINVALID on field
// "idempotency_key"). An empty key is a plain registration.
func (db *PetitionStore) RegisterPetitionOnce(ctx context.Context, p *xinfang.Petition, key, digest string) (*xinfang.Petition, bool, error) {
	if key == "" {
		return p, false, db.RegisterPetition(ctx, p)
	}
	if len(key) > 100 || !visibleASCII(key) {
		return nil, false, xinfang.FieldError("idempotency_key", "幂等键须为 1 至 100 个可见 ASCII 字符")
	}
	u := xinfang.UserFromContext(ctx)
	if u == nil {
		return nil, false, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	once := &onceKey{user: u.ID, key: key, digest: digest}
	if prev, err := db.replay(ctx, once); prev != nil || err != nil {
		return prev, prev != nil, err
	}
	err := db.register(ctx, p, once, nil)
	if errors.Is(err, errKeyTaken) {
		// A request with the same key got there first, at the same time.
		prev, err := db.replay(ctx, once)
		return prev, prev != nil, err
	}
	return p, false, err
}

// replay returns the petition registered under once's key within the
// window, with its 查询码; nil when there is none.
func (db *PetitionStore) replay(ctx context.Context, once *onceKey) (*xinfang.Petition, error) {
	var id int64
	var digest, sealed string
	err := db.queryRow(ctx, `SELECT petition_id, request_hash, query_code FROM idempotency_keys WHERE user_id = ? AND key = ? AND created_at >= ?`,
		once.user, once.key, fmtTime(db.Now().Add(-idempotencyWindow))).Scan(&id, &digest, &sealed)
	if xinfang.ErrorCode(db.wrap(err)) == xinfang.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if digest != once.digest {
		return nil, xinfang.FieldError("idempotency_key", "此幂等键已用于另一次登记，内容不同；新的登记请用新的键")
	}
	p, err := db.FindPetitionByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.QueryCode, err = db.Keys.Open("idempotency.query_code", sealed); err != nil {
		return nil, err
	}
	return p, nil
}

// recordOnce records the registration of petition id under once's key in
// its transaction, and drops the keys past the window. A key recorded by
// another transaction meanwhile fails this one with errKeyTaken: its
// registration is the one the key stands for.
func (db *core) recordOnce(ctx context.Context, tx *Tx, once *onceKey, id int64, code string) error {
	if once == nil {
		return nil
	}
	if _, err := tx.exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < ?`, fmtTime(tx.now.Add(-idempotencyWindow))); err != nil {
		return err
	}
	n, err := tx.change(ctx, `INSERT INTO idempotency_keys (user_id, key, request_hash, petition_id, query_code, created_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id, key) DO NOTHING`, once.user, once.key, once.digest, id, db.Keys.Seal("idempotency.query_code", code), fmtTime(tx.now))
	if err != nil {
		return err
	}
	if n == 0 {
		return errKeyTaken
	}
	return nil
}

func visibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
