package attach

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

func zipOf(t *testing.T, names ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, n := range names {
		w, err := z.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("<x/>"))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pngOf(t *testing.T, w, h int, c color.Color) []byte {
	t.Helper()
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestSniff: every accepted kind is recognised from its content, whatever
// its name, and everything else is refused.
func TestSniff(t *testing.T) {
	var jpg bytes.Buffer
	jpeg.Encode(&jpg, image.NewGray(image.Rect(0, 0, 8, 8)), nil)
	wav := append([]byte("RIFF\x24\x00\x00\x00WAVEfmt "), make([]byte, 40)...)
	cases := []struct {
		name string
		data []byte
		want Kind
	}{
		{"pdf", []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj"), PDF},
		{"jpeg", jpg.Bytes(), JPEG},
		{"png", pngOf(t, 4, 4, color.White), PNG},
		{"tiff little-endian", []byte("II*\x00\x08\x00\x00\x00"), TIFF},
		{"tiff big-endian", []byte("MM\x00*\x00\x00\x00\x08"), TIFF},
		{"amr", []byte("#!AMR\n\x3c\x00"), AMR},
		{"wav", wav, WAV},
		{"mp3 with a tag", []byte("ID3\x03\x00\x00\x00\x00\x00\x00"), MP3},
		{"mp3 frame", []byte{0xFF, 0xFB, 0x90, 0x64, 0, 0}, MP3},
		{"doc", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0}, OLE},
		{"docx", zipOf(t, "[Content_Types].xml", "word/document.xml"), DOCX},
		{"xlsx", zipOf(t, "[Content_Types].xml", "xl/workbook.xml"), XLSX},
		{"pptx", zipOf(t, "[Content_Types].xml", "ppt/presentation.xml"), PPTX},
	}
	for _, c := range cases {
		got, err := Sniff(bytes.NewReader(c.data), int64(len(c.data)))
		if err != nil || got != c.want {
			t.Errorf("%s: %v, %v; want %v", c.name, got, err, c.want)
		}
	}
	for name, data := range map[string][]byte{
		"plain zip":      zipOf(t, "a.txt"),
		"zip with types": zipOf(t, "[Content_Types].xml", "other/x.xml"),
		"executable":     []byte("MZ\x90\x00\x03\x00\x00\x00"),
		"html":           []byte("<!DOCTYPE html><script>alert(1)</script>"),
		"text":           []byte("普通文本"),
		"empty":          nil,
		"mpeg sync only": {0xFF, 0xFF, 0xFF, 0xFF},
		"broken zip":     []byte("PK\x03\x04garbage"),
	} {
		if got, err := Sniff(bytes.NewReader(data), int64(len(data))); !errors.Is(err, ErrUnknown) {
			t.Errorf("%s accepted as %v (%v)", name, got, err)
		}
	}
}

// TestThumbnail: the longest side becomes ThumbSize with the proportions
// kept, a small image keeps its size, transparency turns white, and an
// image claiming more pixels than maxPixels is refused before decoding.
func TestThumbnail(t *testing.T) {
	for _, c := range []struct{ w, h, tw, th int }{{1000, 500, 240, 120}, {300, 900, 80, 240}, {100, 50, 100, 50}} {
		out, err := Thumbnail(bytes.NewReader(pngOf(t, c.w, c.h, color.RGBA{200, 10, 10, 255})))
		if err != nil {
			t.Fatal(err)
		}
		m, err := jpeg.Decode(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		if b := m.Bounds(); b.Dx() != c.tw || b.Dy() != c.th {
			t.Errorf("%d×%d: thumbnail %d×%d, want %d×%d", c.w, c.h, b.Dx(), b.Dy(), c.tw, c.th)
		}
		if r, g, _, _ := m.At(c.tw/2, c.th/2).RGBA(); r>>8 < 180 || g>>8 > 40 {
			t.Errorf("%d×%d: the colour became %d,%d", c.w, c.h, r>>8, g>>8)
		}
	}
	out, err := Thumbnail(bytes.NewReader(pngOf(t, 10, 10, color.NRGBA{0, 0, 0, 0})))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := jpeg.Decode(bytes.NewReader(out))
	if r, _, _, _ := m.At(5, 5).RGBA(); r>>8 < 245 {
		t.Errorf("a transparent image's thumbnail is %d, want white", r>>8)
	}
	// A PNG whose header claims 100,000 × 100,000 pixels.
	bomb := pngOf(t, 1, 1, color.White)
	binary.BigEndian.PutUint32(bomb[16:], 100_000)
	binary.BigEndian.PutUint32(bomb[20:], 100_000)
	binary.BigEndian.PutUint32(bomb[29:], crc32.ChecksumIEEE(bomb[12:29]))
	if _, _, err := image.DecodeConfig(bytes.NewReader(bomb)); err != nil {
		t.Fatalf("the test's image header is broken: %v", err)
	}
	if _, err := Thumbnail(bytes.NewReader(bomb)); err == nil {
		t.Error("a 10-gigapixel image was decoded")
	}
}
