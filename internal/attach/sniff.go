// Package attach knows the files a bureau keeps with its records: which
// kinds are accepted, recognised by their content (never by the name a
// browser sends), and the thumbnails of images.
package attach

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"strings"
)

// Kind is an accepted kind of file.
type Kind struct {
	Type  string // the media type the file is served as
	Ext   string // the usual extension, with its dot
	Label string // what the pages call it
	Image bool   // shown inline in the viewer, with a thumbnail
}

// The accepted kinds: scans, photos, recordings and office files.
var (
	PDF  = Kind{"application/pdf", ".pdf", "PDF 文件", false}
	JPEG = Kind{"image/jpeg", ".jpg", "JPEG 图片", true}
	PNG  = Kind{"image/png", ".png", "PNG 图片", true}
	TIFF = Kind{"image/tiff", ".tif", "TIFF 扫描件", false}
	MP3  = Kind{"audio/mpeg", ".mp3", "MP3 录音", false}
	AMR  = Kind{"audio/amr", ".amr", "AMR 录音", false}
	WAV  = Kind{"audio/wav", ".wav", "WAV 录音", false}
	DOCX = Kind{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "Word 文档", false}
	XLSX = Kind{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "Excel 表格", false}
	PPTX = Kind{"application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx", "PowerPoint 演示文稿", false}
	// OLE is the compound file of the Office formats before 2007 (.doc,
	// .xls, .ppt); its content does not say which without parsing it, so
	// it is served as a generic Office file under its own extension.
	OLE = Kind{"application/x-ole-storage", ".doc", "Office 文档（旧格式）", false}
)

// Kinds are the accepted kinds.
var Kinds = []Kind{PDF, JPEG, PNG, TIFF, MP3, AMR, WAV, DOCX, XLSX, PPTX, OLE}

// ErrUnknown is a file of none of the accepted kinds.
var ErrUnknown = errors.New("不是可接收的文件类型（可接收：PDF、JPEG、PNG、TIFF、MP3、AMR、WAV、Word、Excel、PowerPoint）")

// Sniff returns the kind of the size bytes of r, read from its content.
// Office files of 2007 and later are zip archives told apart by their
// parts, so r is an io.ReaderAt.
func Sniff(r io.ReaderAt, size int64) (Kind, error) {
	head := make([]byte, 64)
	n, err := r.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return Kind{}, err
	}
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return PDF, nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return JPEG, nil
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return PNG, nil
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return TIFF, nil
	case bytes.HasPrefix(head, []byte("#!AMR")):
		return AMR, nil
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WAVE":
		return WAV, nil
	case bytes.HasPrefix(head, []byte("ID3")), mpegFrame(head):
		return MP3, nil
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return OLE, nil
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return officeZip(r, size)
	}
	return Kind{}, ErrUnknown
}

// mpegFrame reports whether head starts with an MPEG audio layer III
// frame header: eleven set sync bits, a valid version, layer III, and a
// bitrate and sample rate that are not reserved.
func mpegFrame(head []byte) bool {
	if len(head) < 4 || head[0] != 0xFF || head[1]&0xE0 != 0xE0 {
		return false
	}
	version, layer := (head[1]>>3)&3, (head[1]>>1)&3
	bitrate, rate := head[2]>>4, (head[2]>>2)&3
	return version != 1 && layer == 1 && bitrate != 0 && bitrate != 15 && rate != 3
}

// officeZip tells the Office formats of 2007 and later apart by the part
// each holds; any other zip archive is refused.
func officeZip(r io.ReaderAt, size int64) (Kind, error) {
	z, err := zip.NewReader(r, size)
	if err != nil {
		return Kind{}, ErrUnknown
	}
	types := false
	for _, f := range z.File {
		types = types || f.Name == "[Content_Types].xml"
	}
	if !types {
		return Kind{}, ErrUnknown
	}
	for _, f := range z.File {
		switch {
		case strings.HasPrefix(f.Name, "word/"):
			return DOCX, nil
		case strings.HasPrefix(f.Name, "xl/"):
			return XLSX, nil
		case strings.HasPrefix(f.Name, "ppt/"):
			return PPTX, nil
		}
	}
	return Kind{}, ErrUnknown
}
