package sqldb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"xinfang"
)

// Imports (导入) from the bureau's earlier ledger. A file is kept in the
// database as uploaded (CreateImport), its rows checked one by one
// (CheckImport: every problem named by row and column, nothing written
// but the problems), and, when every row is good, committed as a whole in
// one transaction (CommitImport), which checks every row again against
// the database as it then is: one bad row, and nothing is imported. A row
// whose original number was imported before with the same content is
// left as it is, so that importing a file again changes nothing. Who may
// import is xinfang.CanImport; the imports are the bureau's, seen by all
// who may import.

// ImportStore is the imports with their files, problems and progress.
type ImportStore struct {
	*core
	live *importProgress
}

// importProgress counts the rows done by the checks and commits running
// in this instance, for the progress bar: a commit is one transaction, so
// its progress is nowhere in the database until it ends.
type importProgress struct{ m sync.Map } // id → *atomic.Int64

func (p *importProgress) start(id int64) *atomic.Int64 {
	n := new(atomic.Int64)
	p.m.Store(id, n)
	return n
}

func (p *importProgress) stop(id int64) { p.m.Delete(id) }

func (p *importProgress) done(id int64) (int, bool) {
	v, ok := p.m.Load(id)
	if !ok {
		return 0, false
	}
	return int(v.(*atomic.Int64).Load()), true
}

// importChunk is the size of a stored file's chunks.
const importChunk = 256 << 10

const importCols = `id, kind, file_name, size, sha256, state, total_rows, errors, new_rows, unchanged, message, user_id, user_name, unit_id, created_at, updated_at`

func scanImport(s scanner) (*xinfang.Import, error) {
	im := &xinfang.Import{}
	var kind, state, created, updated string
	if err := s.Scan(&im.ID, &kind, &im.FileName, &im.Size, &im.SHA256, &state, &im.Rows, &im.Errors, &im.New, &im.Unchanged, &im.Message,
		&im.UserID, &im.UserName, &im.UnitID, &created, &updated); err != nil {
		return nil, err
	}
	im.Kind, im.State = xinfang.ImportKind(kind), xinfang.ImportState(state)
	im.CreatedAt, im.UpdatedAt = parseTime(created), parseTime(updated)
	if im.State == xinfang.ImportDone || im.State == xinfang.ImportReady || im.State == xinfang.ImportInvalid {
		im.Done = im.Rows
	}
	return im, nil
}

// CreateImport keeps an uploaded file of kind for checking; the check is
// CheckImport's, which the caller starts.
func (db *ImportStore) CreateImport(ctx context.Context, kind xinfang.ImportKind, name string, data []byte) (*xinfang.Import, error) {
	actor, err := allow(ctx, xinfang.CanImport)
	if err != nil {
		return nil, err
	}
	p := xinfang.Problems{}
	if !kind.Valid() {
		p.Add("kind", "请选择导入信访件或信访积案")
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = "导入文件"
	}
	if n, err := xinfang.CheckName("file", name); err != nil {
		p.Add("file", "文件名无效")
	} else {
		name = n
	}
	switch {
	case len(data) == 0:
		p.Add("file", "请选择要导入的文件（.xlsx 或 .csv）")
	case len(data) > xinfang.MaxImportSize:
		p.Add("file", fmt.Sprintf("文件 %s 超过 %d MB", name, xinfang.MaxImportSize>>20))
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	im := &xinfang.Import{Kind: kind, FileName: name, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), State: xinfang.ImportChecking,
		UserID: actor.ID, UserName: actor.Name, UnitID: actor.UnitID}
	err = db.write(ctx, func(tx *Tx) error {
		im.CreatedAt, im.UpdatedAt = tx.now, tx.now
		id, err := tx.insert(ctx, `INSERT INTO imports (kind, file_name, size, sha256, state, user_id, user_name, unit_id, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, string(kind), name, im.Size, im.SHA256, string(im.State), actor.ID, actor.Name, actor.UnitID,
			fmtTime(tx.now), fmtTime(tx.now))
		if err != nil {
			return err
		}
		im.ID = id
		tx.created("import", id)
		for n := 0; n*importChunk < len(data); n++ {
			end := min((n+1)*importChunk, len(data))
			if _, err := tx.exec(ctx, `INSERT INTO import_chunks (import_id, n, data) VALUES (?, ?, ?)`, id, n, data[n*importChunk:end]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return im, nil
}

// FindImport returns one import, with the progress of a check or commit
// running in this instance.
func (db *ImportStore) FindImport(ctx context.Context, id int64) (*xinfang.Import, error) {
	if _, err := allow(ctx, xinfang.CanImport); err != nil {
		return nil, err
	}
	im, err := scanImport(db.queryRow(ctx, `SELECT `+importCols+` FROM imports WHERE id = ?`, id))
	if err != nil {
		return nil, db.notFound(err, "导入记录不存在")
	}
	if n, ok := db.live.done(id); ok {
		im.Done = n
	} else if db.interrupted(im) {
		// Nothing of an interrupted commit was written (its transaction
		// never committed); a check wrote nothing either.
		msg := "服务在校验或导入完成前停止，未导入任何数据；请重新上传"
		if err := db.write(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, `UPDATE imports SET state = ?, message = ?, updated_at = ? WHERE id = ? AND state = ?`,
				string(xinfang.ImportFailed), msg, fmtTime(tx.now), id, string(im.State))
			return err
		}); err != nil {
			return nil, err
		}
		im.State, im.Message = xinfang.ImportFailed, msg
	}
	return im, nil
}

// interrupted reports whether a check or commit shown as running was cut
// off by a stop of the server: on SQLite, which one instance serves, work
// that runs has its progress in this instance from its first second on.
// (On PostgreSQL another instance may be doing it, so it is left as it is.)
func (db *ImportStore) interrupted(im *xinfang.Import) bool {
	return im.State.Running() && !db.Postgres() && db.Now().Sub(im.UpdatedAt) > time.Minute
}

// FindImports returns the newest imports, at most limit.
func (db *ImportStore) FindImports(ctx context.Context, limit int) ([]*xinfang.Import, error) {
	if _, err := allow(ctx, xinfang.CanImport); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	rows, err := db.query(ctx, `SELECT `+importCols+` FROM imports ORDER BY id DESC LIMIT ?`, limit)
	return scanAll(rows, err, scanImport)
}

// FindImportProblems returns the problems of an import in the order of
// the file, from offset, at most limit (0: all kept).
func (db *ImportStore) FindImportProblems(ctx context.Context, id int64, offset, limit int) ([]xinfang.ImportProblem, error) {
	if _, err := db.FindImport(ctx, id); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = xinfang.MaxImportProblems
	}
	rows, err := db.query(ctx, `SELECT row_no, col, message FROM import_problems WHERE import_id = ? ORDER BY n LIMIT ? OFFSET ?`, id, limit, offset)
	return scanAll(rows, err, func(s scanner) (xinfang.ImportProblem, error) {
		var p xinfang.ImportProblem
		err := s.Scan(&p.Row, &p.Column, &p.Message)
		return p, err
	})
}

// importFile reads an import's stored file.
func (db *core) importFile(ctx context.Context, q rowQuerier, id int64) ([]byte, error) {
	var buf bytes.Buffer
	rows, err := cq{db, q}.rows(ctx, `SELECT data FROM import_chunks WHERE import_id = ? ORDER BY n`, id)
	err = eachRow(rows, err, func(s scanner) error {
		var b []byte
		if err := s.Scan(&b); err != nil {
			return err
		}
		buf.Write(b)
		return nil
	})
	return buf.Bytes(), err
}

// CheckImport checks every row of an import that waits for its check and
// records what it found: the problems, or that it is ready to commit.
func (db *ImportStore) CheckImport(ctx context.Context, id int64) error {
	im, err := db.FindImport(ctx, id)
	if err != nil {
		return err
	}
	if im.State != xinfang.ImportChecking {
		return xinfang.Errorf(xinfang.ECONFLICT, "该导入已校验")
	}
	done := db.live.start(id)
	defer db.live.stop(id)
	var data []byte
	if err := db.read(ctx, func(q rowQuerier) error {
		var err error
		data, err = db.importFile(ctx, q, id)
		return err
	}); err != nil {
		return err
	}
	var res importResult
	err = db.read(ctx, func(q rowQuerier) error {
		k, err := db.newImportChecker(ctx, q, im)
		if err != nil {
			return err
		}
		res, err = k.walk(data, done, nil)
		return err
	})
	if err != nil {
		db.finishImport(ctx, id, xinfang.ImportFailed, importResult{message: "校验未能完成：" + xinfang.ErrorMessage(err)})
		return err
	}
	state := xinfang.ImportReady
	if res.errors > 0 {
		state = xinfang.ImportInvalid
	}
	return db.finishImport(ctx, id, state, res)
}

// importResult is what a walk of a file found or did.
type importResult struct {
	rows, errors, fresh, unchanged int
	problems                       []xinfang.ImportProblem // the first MaxImportProblems
	message                        string
}

func (r *importResult) add(ps ...xinfang.ImportProblem) {
	for _, p := range ps {
		r.errors++
		if len(r.problems) < xinfang.MaxImportProblems {
			r.problems = append(r.problems, p)
		}
	}
}

// finishImport records the end of a check or a commit: the state, the
// counts, and the problems in place of any found before.
func (db *ImportStore) finishImport(ctx context.Context, id int64, state xinfang.ImportState, res importResult) error {
	return db.write(ctx, func(tx *Tx) error {
		if err := db.recordImport(ctx, tx, id, state, res); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM import_problems WHERE import_id = ?`, id); err != nil {
			return err
		}
		for i, p := range res.problems {
			if _, err := tx.exec(ctx, `INSERT INTO import_problems (import_id, n, row_no, col, message) VALUES (?, ?, ?, ?, ?)`, id, i+1, p.Row, p.Column, p.Message); err != nil {
				return err
			}
		}
		return nil
	})
}

func (db *ImportStore) recordImport(ctx context.Context, tx *Tx, id int64, state xinfang.ImportState, res importResult) error {
	msg := res.message
	if len(msg) > 2000 {
		msg = msg[:2000]
	}
	_, err := tx.exec(ctx, `UPDATE imports SET state = ?, total_rows = ?, errors = ?, new_rows = ?, unchanged = ?, message = ?, updated_at = ? WHERE id = ?`,
		string(state), res.rows, res.errors, res.fresh, res.unchanged, strings.ToValidUTF8(msg, ""), fmtTime(tx.now), id)
	return err
}

// CommitImport brings in every row of an import whose check passed, in
// one transaction that checks each row again: a row that fails now (the
// database changed since the check) fails the whole, which imports
// nothing and records the problems. Rows already imported with the same
// content are left as they are.
func (db *ImportStore) CommitImport(ctx context.Context, id int64) error {
	if err := db.StartCommit(ctx, id); err != nil {
		return err
	}
	return db.RunCommit(ctx, id)
}

// StartCommit marks an import whose check passed as committing: of two
// asking at once, one gets it. RunCommit then does the work.
func (db *ImportStore) StartCommit(ctx context.Context, id int64) error {
	im, err := db.FindImport(ctx, id)
	if err != nil {
		return err
	}
	return db.write(ctx, func(tx *Tx) error {
		n, err := tx.change(ctx, `UPDATE imports SET state = ?, updated_at = ? WHERE id = ? AND state = ?`,
			string(xinfang.ImportCommitting), fmtTime(tx.now), id, string(xinfang.ImportReady))
		if err == nil && n != 1 {
			err = xinfang.Errorf(xinfang.ECONFLICT, "该导入%s，不能导入", im.State.Label())
		}
		return err
	})
}

// RunCommit is the commit of an import StartCommit marked.
func (db *ImportStore) RunCommit(ctx context.Context, id int64) error {
	im, err := db.FindImport(ctx, id)
	if err != nil {
		return err
	}
	if im.State != xinfang.ImportCommitting {
		return xinfang.Errorf(xinfang.ECONFLICT, "该导入%s，不能导入", im.State.Label())
	}
	done := db.live.start(id)
	defer db.live.stop(id)
	var data []byte
	if err := db.read(ctx, func(q rowQuerier) error {
		var err error
		data, err = db.importFile(ctx, q, id)
		return err
	}); err != nil {
		db.finishImport(ctx, id, xinfang.ImportFailed, importResult{message: xinfang.ErrorMessage(err)})
		return err
	}
	var res importResult
	errRows := xinfang.Errorf(xinfang.EINVALID, "文件中有错误，未导入任何数据")
	err = db.write(ctx, func(tx *Tx) error {
		done.Store(0)
		tx.keepStatements()
		if !db.Postgres() {
			// A larger page cache for the one long transaction, so that
			// its index pages stay in memory rather than spill to the log
			// and come back; set back after it (below).
			if _, err := tx.Tx.ExecContext(ctx, `PRAGMA cache_size = -262144`); err != nil {
				return err
			}
		}
		k, err := db.newImportChecker(ctx, tx, im)
		if err != nil {
			return err
		}
		k.tx = tx
		res, err = k.walk(data, done, k.commitRow)
		if err != nil {
			return err
		}
		if res.errors > 0 {
			return errRows
		}
		if err := db.recordImport(ctx, tx, id, xinfang.ImportDone, res); err != nil {
			return err
		}
		tx.created("import", id)
		return nil
	})
	if !db.Postgres() {
		if _, perr := db.wdb.ExecContext(ctx, `PRAGMA cache_size = -65536`); perr != nil {
			db.Logger.Warn("import: page cache not set back", "err", perr)
		}
	}
	switch {
	case err == errRows:
		db.finishImport(ctx, id, xinfang.ImportInvalid, res)
		return err
	case err != nil:
		db.finishImport(ctx, id, xinfang.ImportFailed, importResult{rows: res.rows, message: "导入失败，未导入任何数据：" + xinfang.ErrorMessage(err)})
		return err
	}
	db.kickIndexer()
	return nil
}
