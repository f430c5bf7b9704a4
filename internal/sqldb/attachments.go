package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"xinfang"
	"xinfang/internal/attach"
)

// AttachmentStore keeps the files of petitions and backlog cases (附件).
// Who may see a file is who may see its record; who may add one is who
// works on the record: for a petition the people who handle it (the
// registrar who took it in, and the registrars, handlers and unit heads of
// the unit that has it and above: xinfang.CanUnmask, since a letter's scan
// carries the petitioner's data in full), for a case its workers
// (xinfang.CanWorkOnCase).
type AttachmentStore struct{ *core }

// chunkSize is the size of the rows a file is stored in: small enough that
// a download holds one chunk in memory at a time, large enough that a
// 20 MB scan is eighty rows.
const chunkSize = 256 << 10

// attachmentLimit is the largest file accepted.
func (db *core) attachmentLimit() int64 {
	if db.AttachmentLimit > 0 {
		return db.AttachmentLimit
	}
	return xinfang.DefaultAttachmentLimit
}

// AddAttachment keeps the size bytes of r as a file named name of the
// record owner/ownerID. The kind is read from the content and must be one
// of attach's; an image gets a thumbnail. Everything is checked before
// the write, and the file is written in one transaction: a refused file
// leaves nothing, and the message names it and says why.
func (db *AttachmentStore) AddAttachment(ctx context.Context, owner xinfang.AttachmentOwner, ownerID int64, name string, r io.ReaderAt, size int64) (*xinfang.Attachment, error) {
	return db.AddPartAttachment(ctx, owner, ownerID, "", 0, name, r, size)
}

// AddPartAttachment is AddAttachment for a file of an entry of the
// record — one of its events, plan steps, consultations or 督办单
// (xinfang.AttachmentOwner.Allows) — which must belong to the record; an
// empty part is the record itself.
func (db *AttachmentStore) AddPartAttachment(ctx context.Context, owner xinfang.AttachmentOwner, ownerID int64, part xinfang.AttachmentPart, partID int64, name string, r io.ReaderAt, size int64) (*xinfang.Attachment, error) {
	if part != "" && !owner.Allows(part) || part == "" && partID != 0 {
		return nil, xinfang.FieldError("part", "附件不能附于此类记录")
	}
	u := xinfang.UserFromContext(ctx)
	if u == nil {
		return nil, xinfang.Errorf(xinfang.EUNAUTHORIZED, "请先登录")
	}
	f, err := db.prepareFile(u, xinfang.Upload{Name: name, Content: r, Size: size}, "file")
	if err != nil {
		return nil, err
	}
	err = db.write(ctx, func(tx *Tx) error {
		if err := db.mayAttach(ctx, tx, u, owner, ownerID); err != nil {
			return err
		}
		if part != "" {
			if err := partOf(ctx, tx, owner, ownerID, part, partID); err != nil {
				return err
			}
			f.a.Part, f.a.PartID = part, partID
		}
		return db.writeFile(ctx, tx, f, owner, ownerID)
	})
	if err != nil {
		return nil, err
	}
	return f.a, nil
}

// preparedFile is an upload checked and ready to write: its record, its
// thumbnail, its content.
type preparedFile struct {
	a     *xinfang.Attachment
	thumb []byte
	r     io.ReaderAt
}

// prepareFile checks an upload of u — name, size, kind — and computes its
// hash and thumbnail, outside any transaction; a refusal names the file
// on field.
func (db *core) prepareFile(u *xinfang.User, up xinfang.Upload, field string) (*preparedFile, error) {
	name, err := attachmentName(up.Name, field)
	if err != nil {
		return nil, err
	}
	r, size := up.Content, up.Size
	switch limit := db.attachmentLimit(); {
	case size <= 0 || r == nil:
		return nil, xinfang.FieldError(field, fmt.Sprintf("文件“%s”是空的", name))
	case size > limit:
		return nil, xinfang.FieldError(field, fmt.Sprintf("文件“%s”有 %s，超过上限 %s", name, megabytes(size), megabytes(limit)))
	}
	kind, err := attach.Sniff(r, size)
	if errors.Is(err, attach.ErrUnknown) {
		return nil, xinfang.FieldError(field, fmt.Sprintf("文件“%s”%s", name, err.Error()))
	}
	if err != nil {
		return nil, err
	}
	sum := sha256.New()
	if _, err := io.Copy(sum, io.NewSectionReader(r, 0, size)); err != nil {
		return nil, err
	}
	f := &preparedFile{r: r}
	if kind.Image {
		if f.thumb, err = attach.Thumbnail(io.NewSectionReader(r, 0, size)); err != nil {
			return nil, xinfang.FieldError(field, fmt.Sprintf("图片“%s”无法读取：%v", name, err))
		}
	}
	f.a = &xinfang.Attachment{Name: name, Type: kind.Type, Label: kind.Label, Size: size,
		SHA256: hex.EncodeToString(sum.Sum(nil)), UploadedBy: u.ID, UploaderName: u.Name, Image: kind.Image}
	return f, nil
}

// writeFile writes a prepared file of record owner/ownerID in tx, in
// chunks.
func (db *core) writeFile(ctx context.Context, tx *Tx, f *preparedFile, owner xinfang.AttachmentOwner, ownerID int64) error {
	a := f.a
	a.Owner, a.OwnerID, a.UploadedAt = owner, ownerID, parseTime(fmtTime(tx.now))
	id, err := tx.insert(ctx, `INSERT INTO attachments (owner, owner_id, part, part_id, name, type, size, sha256, uploaded_by, uploader_name, uploaded_at, thumb)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, string(owner), ownerID, string(a.Part), a.PartID, a.Name, a.Type, a.Size, a.SHA256, a.UploadedBy, a.UploaderName, fmtTime(tx.now), f.thumb)
	if err != nil {
		return err
	}
	a.ID = id
	tx.created("attachment", id)
	buf := make([]byte, chunkSize)
	for n, off := 0, int64(0); off < a.Size; n, off = n+1, off+chunkSize {
		want := min(chunkSize, a.Size-off)
		k, err := f.r.ReadAt(buf[:want], off)
		if err != nil && !(errors.Is(err, io.EOF) && int64(k) == want) {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO attachment_chunks (attachment_id, n, data) VALUES (?, ?, ?)`, id, n, buf[:k]); err != nil {
			return err
		}
	}
	return nil
}

// partOf checks that entry part/partID belongs to record owner/ownerID.
func partOf(ctx context.Context, tx *Tx, owner xinfang.AttachmentOwner, ownerID int64, part xinfang.AttachmentPart, partID int64) error {
	var q string
	switch {
	case part == xinfang.PartEvent:
		q = `SELECT 1 FROM events WHERE id = ? AND petition_id = ?`
	case part == xinfang.PartStep:
		q = `SELECT 1 FROM case_steps WHERE id = ? AND case_id = ?`
	case part == xinfang.PartConsultation:
		q = `SELECT 1 FROM case_consultations WHERE id = ? AND case_id = ?`
	case part == xinfang.PartSupervision && owner == xinfang.AttachPetition:
		q = `SELECT 1 FROM supervisions WHERE id = ? AND petition_id = ?`
	case part == xinfang.PartSupervision && owner == xinfang.AttachCase:
		q = `SELECT 1 FROM supervisions WHERE id = ? AND case_id = ?`
	}
	var one int
	if err := tx.queryRow(ctx, q, partID, ownerID).Scan(&one); err != nil {
		return tx.db.notFoundField(err, "part_id", part.Label()+"不存在或不属于此件")
	}
	return nil
}

// mayAttach checks that u sees the record and may add files to it.
func (db *AttachmentStore) mayAttach(ctx context.Context, q rowQuerier, u *xinfang.User, owner xinfang.AttachmentOwner, id int64) error {
	switch owner {
	case xinfang.AttachPetition:
		p, err := db.findPetition(ctx, q, id)
		if err != nil {
			return err
		}
		if !xinfang.CanUnmask(u, p) {
			return xinfang.Errorf(xinfang.EFORBIDDEN, "只有办理此件的登记员、承办人和单位负责人可以添加附件")
		}
		return nil
	case xinfang.AttachCase:
		c, err := (&CaseStore{db.core}).findCaseRow(ctx, q, id)
		if err != nil {
			return err
		}
		if !xinfang.CanWorkOnCase(u, c) {
			return xinfang.Errorf(xinfang.EFORBIDDEN, "无权为此积案添加附件")
		}
		if c.State == xinfang.CaseClosed {
			return xinfang.Errorf(xinfang.ECONFLICT, "案件已销号，不能再添加附件")
		}
		return nil
	}
	return xinfang.FieldError("owner", "未知的附件所属类型")
}

// mayRead checks that the acting user sees the record: ENOTFOUND if not,
// as for the record itself.
func (db *AttachmentStore) mayRead(ctx context.Context, q rowQuerier, owner xinfang.AttachmentOwner, id int64) error {
	switch owner {
	case xinfang.AttachPetition:
		_, err := db.findPetition(ctx, q, id)
		return err
	case xinfang.AttachCase:
		_, err := (&CaseStore{db.core}).findCaseRow(ctx, q, id)
		return err
	}
	return xinfang.FieldError("owner", "未知的附件所属类型")
}

const attachmentCols = `id, owner, owner_id, part, part_id, name, type, size, sha256, uploaded_by, uploader_name, uploaded_at`

func scanAttachment(s scanner) (*xinfang.Attachment, error) {
	a := &xinfang.Attachment{}
	var owner, part, at string
	if err := s.Scan(&a.ID, &owner, &a.OwnerID, &part, &a.PartID, &a.Name, &a.Type, &a.Size, &a.SHA256, &a.UploadedBy, &a.UploaderName, &at); err != nil {
		return nil, err
	}
	a.Owner, a.Part, a.UploadedAt = xinfang.AttachmentOwner(owner), xinfang.AttachmentPart(part), parseTime(at)
	for _, k := range attach.Kinds {
		if k.Type == a.Type {
			a.Label, a.Image = k.Label, k.Image
		}
	}
	return a, nil
}

// FindAttachments lists the files of a record the acting user sees, in
// the order they were added.
func (db *AttachmentStore) FindAttachments(ctx context.Context, owner xinfang.AttachmentOwner, ownerID int64) ([]*xinfang.Attachment, error) {
	var out []*xinfang.Attachment
	err := db.read(ctx, func(q rowQuerier) error {
		if err := db.mayRead(ctx, q, owner, ownerID); err != nil {
			return err
		}
		rows, err := cq{db.core, q}.rows(ctx, `SELECT `+attachmentCols+` FROM attachments WHERE owner = ? AND owner_id = ? ORDER BY id`, string(owner), ownerID)
		out, err = scanAll(rows, err, scanAttachment)
		return err
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []*xinfang.Attachment{}
	}
	return out, nil
}

// findAttachment returns a file whose record the acting user sees.
func (db *AttachmentStore) findAttachment(ctx context.Context, id int64) (*xinfang.Attachment, error) {
	var a *xinfang.Attachment
	err := db.read(ctx, func(q rowQuerier) error {
		var err error
		if a, err = scanAttachment(q.QueryRowContext(ctx, db.dialect.rebind(`SELECT `+attachmentCols+` FROM attachments WHERE id = ?`), id)); err != nil {
			return db.notFound(err, "附件不存在或无权查看")
		}
		return db.mayRead(ctx, q, a.Owner, a.OwnerID)
	})
	if xinfang.ErrorCode(err) == xinfang.ENOTFOUND {
		return nil, xinfang.Errorf(xinfang.ENOTFOUND, "附件不存在或无权查看")
	}
	return a, err
}

// OpenAttachment returns a file the acting user may see and a reader of
// its content, chunk by chunk. The reader checks the content against the
// file's SHA-256 as it ends: a file changed in the database fails its
// download instead of being served as it is.
func (db *AttachmentStore) OpenAttachment(ctx context.Context, id int64) (*xinfang.Attachment, io.Reader, error) {
	a, err := db.findAttachment(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	return a, &chunkReader{ctx: ctx, db: db.core, a: a, sum: sha256.New()}, nil
}

// AttachmentThumb returns the thumbnail (a JPEG) of an image the acting
// user may see; ENOTFOUND for a file without one.
func (db *AttachmentStore) AttachmentThumb(ctx context.Context, id int64) ([]byte, error) {
	if _, err := db.findAttachment(ctx, id); err != nil {
		return nil, err
	}
	var thumb []byte
	err := db.queryRow(ctx, `SELECT thumb FROM attachments WHERE id = ? AND thumb IS NOT NULL`, id).Scan(&thumb)
	if err != nil {
		return nil, db.notFound(err, "此附件没有缩略图")
	}
	return thumb, nil
}

// chunkReader reads a file's chunks in order, one query each.
type chunkReader struct {
	ctx  context.Context
	db   *core
	a    *xinfang.Attachment
	n    int
	buf  []byte
	read int64
	sum  hash.Hash
	done bool
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.done {
			return 0, io.EOF
		}
		var data []byte
		err := r.db.queryRow(r.ctx, `SELECT data FROM attachment_chunks WHERE attachment_id = ? AND n = ?`, r.a.ID, r.n).Scan(&data)
		switch {
		case errors.Is(err, sql.ErrNoRows) || xinfang.ErrorCode(r.db.wrap(err)) == xinfang.ENOTFOUND:
			r.done = true
			if r.read != r.a.Size || hex.EncodeToString(r.sum.Sum(nil)) != r.a.SHA256 {
				return 0, fmt.Errorf("attachment %d: the stored content does not match its SHA-256 or size", r.a.ID)
			}
			return 0, io.EOF
		case err != nil:
			return 0, err
		}
		r.n++
		r.read += int64(len(data))
		r.sum.Write(data)
		r.buf = data
	}
	k := copy(p, r.buf)
	r.buf = r.buf[k:]
	return k, nil
}

// attachmentName is the file name of an upload as kept: without the
// folders some browsers send (C:\fakepath\…), without control characters,
// and at most 200 characters.
func attachmentName(name, field string) (string, error) {
	name = strings.ReplaceAll(name, `\`, "/")
	name = strings.TrimSpace(path.Base(name))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	switch {
	case name == "" || name == "." || name == "/":
		return "", xinfang.FieldError(field, "请选择要上传的文件")
	case utf8.RuneCountInString(name) > 200:
		return "", xinfang.FieldError(field, "文件名过长（至多 200 字）")
	}
	return name, nil
}

// megabytes says a size in MB with one decimal.
func megabytes(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}
