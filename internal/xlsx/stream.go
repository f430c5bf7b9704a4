package xlsx

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
)

// Stream writes a workbook of one sheet row by row straight to its
// writer: the zip's parts before the sheet, then the sheet's rows as they
// come, then the end. Nothing is held but the row being written and the
// compressor's window, so a sheet of any length takes the same memory,
// and its first bytes leave before its last row is read. excelize's
// StreamWriter, by contrast, keeps the rows in a temporary file (in memory
// up to 16 MB) and writes the zip only when the sheet is done. Cells are
// inline strings: no shared-string table to grow with the rows.
type Stream struct {
	zw    *zip.Writer
	w     *bufio.Writer
	row   int
	cols  int
	ended bool
}

// The styles of a stream's cells: the cellXfs of streamStyles.
const (
	StyleText  = 0 // wrapped text
	StyleHead  = 1 // bold, filled, bordered
	StyleTitle = 2 // bold, larger
)

// NewStream starts a workbook whose one sheet is named sheet, with the
// column widths widths (in characters).
func NewStream(out io.Writer, sheet string, widths []float64) (*Stream, error) {
	zw := zip.NewWriter(out)
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", xml.Header + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
			`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
			`</Types>`},
		{"_rels/.rels", xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
			`</Relationships>`},
		{"xl/workbook.xml", xml.Header + `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ` +
			`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>` +
			`<sheet name="` + escape(sheet) + `" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
			`</Relationships>`},
		{"xl/styles.xml", streamStyles},
	}
	for _, p := range parts {
		f, err := zw.Create(p.name)
		if err != nil {
			return nil, err
		}
		if _, err := io.WriteString(f, p.body); err != nil {
			return nil, err
		}
	}
	f, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return nil, err
	}
	s := &Stream{zw: zw, w: bufio.NewWriterSize(f, 32<<10), cols: len(widths)}
	s.w.WriteString(xml.Header + `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	if len(widths) > 0 {
		s.w.WriteString(`<cols>`)
		for i, wd := range widths {
			n := strconv.Itoa(i + 1)
			s.w.WriteString(`<col min="` + n + `" max="` + n + `" width="` + strconv.FormatFloat(wd, 'f', -1, 64) + `" customWidth="1"/>`)
		}
		s.w.WriteString(`</cols>`)
	}
	s.w.WriteString(`<sheetData>`)
	return s, nil
}

// Row writes the next row, its cells in style.
func (s *Stream) Row(style int, cells ...string) error {
	if s.ended {
		return errors.New("xlsx: row after Close")
	}
	s.row++
	r := strconv.Itoa(s.row)
	st := ""
	if style != StyleText {
		st = ` s="` + strconv.Itoa(style) + `"`
	}
	s.w.WriteString(`<row r="` + r + `">`)
	for i, c := range cells {
		s.w.WriteString(`<c r="` + column(i) + r + `"` + st + ` t="inlineStr"><is><t xml:space="preserve">`)
		if err := xml.EscapeText(s.w, []byte(c)); err != nil {
			return err
		}
		s.w.WriteString(`</t></is></c>`)
	}
	_, err := s.w.WriteString(`</row>`)
	return err
}

// Rows is the number of rows written.
func (s *Stream) Rows() int { return s.row }

// Close ends the sheet and the workbook; the writer given to NewStream
// is not closed.
func (s *Stream) Close() error {
	if s.ended {
		return nil
	}
	s.ended = true
	s.w.WriteString(`</sheetData><pageSetup paperSize="9" orientation="landscape"/></worksheet>`)
	if err := s.w.Flush(); err != nil {
		return err
	}
	return s.zw.Close()
}

// column is the letters of the 0-based column i: A, …, Z, AA, ….
func column(i int) string {
	name := ""
	for i++; i > 0; i = (i - 1) / 26 {
		name = string(rune('A'+(i-1)%26)) + name
	}
	return name
}

func escape(s string) string {
	var b []byte
	buf := &byteWriter{b}
	_ = xml.EscapeText(buf, []byte(s))
	return string(buf.b)
}

type byteWriter struct{ b []byte }

func (w *byteWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }

// streamStyles: fonts 宋体 and bold 宋体 (and larger), a header fill, a thin
// border; cellXfs 0 text, 1 header, 2 title (see the Style constants).
const streamStyles = xml.Header + `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
	`<fonts count="3"><font><sz val="11"/><name val="宋体"/></font><font><b/><sz val="11"/><name val="宋体"/></font><font><b/><sz val="14"/><name val="宋体"/></font></fonts>` +
	`<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>` +
	`<fill><patternFill patternType="solid"><fgColor rgb="FFE7ECF3"/></patternFill></fill></fills>` +
	`<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>` +
	`<border><left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/><diagonal/></border></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="3">` +
	`<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
	`<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"/>` +
	`<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>` +
	`</cellXfs></styleSheet>`
