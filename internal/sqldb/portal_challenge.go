package sqldb

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"strings"

	"xinfang"
)

// The portal's captcha (验证码): the web layer asks a question and keeps
// its answer here, hashed, so that any instance can check it; an answer
// is checked once, right or wrong, and expires after challengeLife.

func challengeHash(id, answer string) string {
	h := sha256.Sum256([]byte("xinfang-challenge:" + id + ":" + strings.TrimSpace(answer)))
	return hex.EncodeToString(h[:])
}

// CreateChallenge keeps the answer of a new question and returns its id.
func (db *PortalStore) CreateChallenge(ctx context.Context, answer string) (string, error) {
	id := randomToken(16)
	err := db.write(xinfang.WithAuditing(ctx, nil), func(tx *Tx) error {
		// The expired questions go as new ones come.
		if _, err := tx.exec(ctx, `DELETE FROM portal_challenges WHERE expires_at < ?`, fmtTime(tx.now)); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO portal_challenges (id, answer_hash, expires_at) VALUES (?, ?, ?)`, id, challengeHash(id, answer), fmtTime(tx.now.Add(challengeLife)))
		return err
	})
	return id, err
}

// errChallenge refuses a wrong, used or expired answer.
var errChallenge = &xinfang.Error{Code: xinfang.EINVALID, Message: "验证码不正确或已过期，请重新计算新的验证题",
	Fields: map[string]string{"captcha": "验证码不正确或已过期"}}

// CheckChallenge checks the answer to question id and uses the question
// up, whatever the answer.
func (db *PortalStore) CheckChallenge(ctx context.Context, id, answer string) error {
	if id == "" || strings.TrimSpace(answer) == "" {
		return errChallenge
	}
	var hash, expires string
	err := db.write(xinfang.WithAuditing(ctx, nil), func(tx *Tx) error {
		err := tx.queryRow(ctx, `DELETE FROM portal_challenges WHERE id = ? RETURNING answer_hash, expires_at`, id).Scan(&hash, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil {
		return err
	}
	if hash == "" || parseTime(expires).Before(db.Now()) || subtle.ConstantTimeCompare([]byte(hash), []byte(challengeHash(id, answer))) != 1 {
		return errChallenge
	}
	return nil
}
