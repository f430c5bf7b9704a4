package sqldb_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/png"
	"io"
	"strings"
	"testing"

	"xinfang"
	"xinfang/internal/sqldb"
)

func pngFile(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pdfFile is a PDF of n bytes: its header, then filler.
func pdfFile(n int) []byte {
	b := bytes.Repeat([]byte("0123456789abcdef"), n/16+1)[:n]
	copy(b, "%PDF-1.7\n")
	return b
}

func readAll(t *testing.T, db *sqldb.DB, ctx context.Context, id int64) ([]byte, error) {
	t.Helper()
	_, r, err := db.Attachments.OpenAttachment(ctx, id)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// TestAttachments: the people who handle a petition keep files with it;
// the content, kept in chunks, comes back as it was; whoever sees the
// petition sees its files and nobody else learns they exist; a refused
// file names itself and why, and leaves nothing.
func TestAttachments(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		ctx := w.Ctx(w.RegistrarA)
		id := w.Petition.ID
		add := func(ctx context.Context, owner xinfang.AttachmentOwner, ownerID int64, name string, data []byte) (*xinfang.Attachment, error) {
			return db.Attachments.AddAttachment(ctx, owner, ownerID, name, bytes.NewReader(data), int64(len(data)))
		}
		// Three chunks and a bit: 256 KiB each.
		big := pdfFile(3*256<<10 + 1000)
		a, err := add(ctx, xinfang.AttachPetition, id, `C:\fakepath\来信扫描件.pdf`, big)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(big)
		if a.Name != "来信扫描件.pdf" || a.Type != "application/pdf" || a.Size != int64(len(big)) || a.SHA256 != hex.EncodeToString(sum[:]) || a.UploaderName != w.RegistrarA.Name {
			t.Errorf("attachment %+v", a)
		}
		if got, err := readAll(t, db, ctx, a.ID); err != nil || !bytes.Equal(got, big) {
			t.Fatalf("read back %d bytes of %d: %v", len(got), len(big), err)
		}
		photo, err := add(ctx, xinfang.AttachPetition, id, "现场照片.pdf", pngFile(t, 800, 600))
		if err != nil {
			t.Fatal(err)
		}
		if photo.Type != "image/png" || !photo.Image {
			t.Errorf("a PNG named .pdf kept as %s", photo.Type)
		}
		thumb, err := db.Attachments.AttachmentThumb(ctx, photo.ID)
		if err != nil || !bytes.HasPrefix(thumb, []byte{0xFF, 0xD8, 0xFF}) {
			t.Errorf("thumbnail: %d bytes, %v", len(thumb), err)
		}
		wantErr(t, func() error { _, err := db.Attachments.AttachmentThumb(ctx, a.ID); return err }(), xinfang.ENOTFOUND, "")
		list, err := db.Attachments.FindAttachments(w.Ctx(w.Leader), xinfang.AttachPetition, id)
		if err != nil || len(list) != 2 || list[0].ID != a.ID || list[1].Label != "PNG 图片" {
			t.Errorf("the leader's list: %v, %v", list, err)
		}

		// Town B sees neither the petition nor its files.
		other := w.Ctx(w.HandlerB)
		_, err = db.Attachments.FindAttachments(other, xinfang.AttachPetition, id)
		wantErr(t, err, xinfang.ENOTFOUND, "")
		_, err = readAll(t, db, other, a.ID)
		wantErr(t, err, xinfang.ENOTFOUND, "")
		_, err = db.Attachments.AttachmentThumb(other, photo.ID)
		wantErr(t, err, xinfang.ENOTFOUND, "")
		_, err = add(other, xinfang.AttachPetition, id, "x.pdf", pdfFile(100))
		wantErr(t, err, xinfang.ENOTFOUND, "")
		// The leader reads the petition but does not handle it.
		_, err = add(w.Ctx(w.Leader), xinfang.AttachPetition, id, "x.pdf", pdfFile(100))
		wantErr(t, err, xinfang.EFORBIDDEN, "")

		// Refused files: each names itself and why; nothing is written.
		before := count(t, db, "attachment_chunks")
		for name, data := range map[string][]byte{"病毒.exe": []byte("MZ\x90\x00\x03"), "网页.pdf": []byte("<html><script>")} {
			_, err := add(ctx, xinfang.AttachPetition, id, name, data)
			wantErr(t, err, xinfang.EINVALID, "file")
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("refusal of %s does not name it: %v", name, err)
			}
		}
		_, err = add(ctx, xinfang.AttachPetition, id, "空.pdf", nil)
		wantErr(t, err, xinfang.EINVALID, "file")
		db.AttachmentLimit = 512 << 10
		_, err = add(ctx, xinfang.AttachPetition, id, "大.pdf", big)
		wantErr(t, err, xinfang.EINVALID, "file")
		if err == nil || !strings.Contains(err.Error(), "上限 0.5 MB") {
			t.Errorf("size refusal: %v", err)
		}
		db.AttachmentLimit = 0
		if n := count(t, db, "attachment_chunks"); n != before || count(t, db, "attachments") != 2 {
			t.Errorf("refused files left rows: %d chunks (were %d)", n, before)
		}

		// A case's files follow the case's scope: its workers add them,
		// town B's leader who leads it sees them.
		c := w.newCase(t, w.HandlerA, w.TownLeader)
		ca, err := add(w.Ctx(w.HandlerA), xinfang.AttachCase, c.ID, "会商纪要.pdf", pdfFile(2000))
		if err != nil {
			t.Fatal(err)
		}
		if list, err := db.Attachments.FindAttachments(w.Ctx(w.TownLeader), xinfang.AttachCase, c.ID); err != nil || len(list) != 1 || list[0].ID != ca.ID {
			t.Errorf("the case leader's list: %v, %v", list, err)
		}
		_, err = db.Attachments.FindAttachments(w.Ctx(w.HandlerB), xinfang.AttachCase, c.ID)
		wantErr(t, err, xinfang.ENOTFOUND, "")

		// A chunk changed in the database fails the download.
		if _, err := db.RawSQL().Exec(db.Rebind(`UPDATE attachment_chunks SET data = ? WHERE attachment_id = ? AND n = 1`), pdfFile(256<<10), a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := readAll(t, db, ctx, a.ID); err == nil || !strings.Contains(err.Error(), "SHA-256") {
			t.Errorf("a changed chunk was served: %v", err)
		}
	})
}
