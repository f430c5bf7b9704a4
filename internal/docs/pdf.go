package docs

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
)

// WritePDF writes the document as a PDF: the same pages, lines and rows as
// the preview, each page with its number.
//
// The text is set in STSong-Light, one of the CJK fonts every PDF reader
// knows by name (ISO 32000-1 §9.7.5.2: the Adobe-GB1 character collection
// with the predefined UniGB-UCS2-H CMap), and is not embedded: the binary
// carries no 10–20 MB CJK font and a document is a few kilobytes. The
// reader substitutes its own 宋体; the layout does not depend on it, since
// every glyph's width is given (1000 units for a Chinese character, 500 for
// a Western one) and every line is placed by this writer. Readers used in
// Chinese offices (WPS, Foxit, Acrobat with its Asian font pack, Chrome's
// and Firefox's viewers) all carry such a font.
func (d *Document) WritePDF(w io.Writer) error {
	pw := &pdfWriter{}
	pw.buf.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	// Objects 1–5: catalog, page tree, the font and its parts, info; then
	// a page and its content stream for each page.
	n := len(d.Pages)
	kids := make([]string, n)
	for i := range d.Pages {
		kids[i] = fmt.Sprintf("%d 0 R", 6+2*i)
	}
	pw.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	pw.obj(2, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d /MediaBox [0 0 %.2f %.2f] >>", strings.Join(kids, " "), n, PageW, PageH))
	pw.obj(3, "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>")
	pw.obj(4, "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 5 0 R /DW 1000 /W [1 95 500 814 939 500] >>")
	pw.obj(5, "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>")
	for i, p := range d.Pages {
		content := pageContent(p)
		pw.obj(6+2*i, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", 7+2*i))
		pw.obj(7+2*i, fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	}
	info := 6 + 2*n
	pw.obj(info, "<< /Title "+pdfText(d.Title+" "+d.Number)+" /Producer (Xinfang) >>")
	xref := pw.buf.Len()
	fmt.Fprintf(&pw.buf, "xref\n0 %d\n0000000000 65535 f \n", info+1)
	for _, off := range pw.offsets[1:] {
		fmt.Fprintf(&pw.buf, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&pw.buf, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", info+1, info, xref)
	_, err := w.Write(pw.buf.Bytes())
	return err
}

type pdfWriter struct {
	buf     bytes.Buffer
	offsets []int
}

func (pw *pdfWriter) obj(n int, body string) {
	for len(pw.offsets) <= n {
		pw.offsets = append(pw.offsets, 0)
	}
	pw.offsets[n] = pw.buf.Len()
	fmt.Fprintf(&pw.buf, "%d 0 obj\n%s\nendobj\n", n, body)
}

// pdfText is a text string in UTF-16BE with its byte-order mark.
func pdfText(s string) string {
	return "<FEFF" + hex16(s) + ">"
}

// hex16 encodes s in UTF-16BE as hex digits: the codes of UniGB-UCS2-H.
// Characters outside the Basic Multilingual Plane are not in the
// collection and print as a full-width question mark.
func hex16(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > 0xFFFF {
			r = '？'
		}
		for _, u := range utf16.Encode([]rune{r}) {
			fmt.Fprintf(&b, "%04X", u)
		}
	}
	return b.String()
}

// pageContent draws one page: lines and rows from the top of the type
// area, then the page number.
func pageContent(p *Page) string {
	var b strings.Builder
	b.WriteString("0 g 0 G 0.6 w\n")
	top := MarginTop
	for _, it := range p.Items {
		hgt := it.Height()
		switch it.Style {
		case StyleGap:
		case StyleRow:
			drawRow(&b, it.Row, top)
		default:
			m := metrics[it.Style]
			x := MarginLeft
			w := float64(Units(it.Text)) * m.size / 2
			switch it.Style {
			case StyleTitle:
				x += (BodyW - w) / 2
			case StyleNumber, StyleSmall:
				x += BodyW - w
			case StyleSign:
				x += BodyW - 2*m.size - w
			}
			text(&b, x, top+baseline(hgt, m.size), m.size, it.Text, it.Style == StyleTitle || it.Style == StyleHeading)
		}
		top += hgt
	}
	if f := p.Footer(); f != "" {
		w := float64(Units(f)) * 10.5 / 2
		text(&b, MarginLeft+(BodyW-w)/2, FooterY, 10.5, f, false)
	}
	return b.String()
}

// baseline is where text of size sits in a line box of height hgt: the
// glyphs' body (ascent 0.88, descent 0.12 of the size) centred in it.
func baseline(hgt, size float64) float64 {
	return (hgt-size)/2 + 0.88*size
}

// text sets s with its baseline y points below the top of the page; bold
// is drawn by stroking the glyphs' outline as well (the font has no bold).
func text(b *strings.Builder, x, y, size float64, s string, bold bool) {
	if strings.TrimSpace(s) == "" {
		return
	}
	mode := 0
	if bold {
		mode = 2
	}
	fmt.Fprintf(b, "BT /F1 %.1f Tf %d Tr 0.35 w %.2f %.2f Td <%s> Tj ET\n", size, mode, x, PageH-y, hex16(s))
}

func drawRow(b *strings.Builder, r *Row, top float64) {
	hgt := r.Height()
	x := MarginLeft
	col := 0
	for _, c := range r.Cells {
		w := cellWidth(col, c.Span)
		fmt.Fprintf(b, "0.6 w %.2f %.2f %.2f %.2f re S\n", x, PageH-top-hgt, w, hgt)
		for i, l := range c.Lines {
			text(b, x+cellPad, top+cellPad+float64(i)*cellLineH+baseline(cellLineH, cellSize), cellSize, l, c.Head)
		}
		x += w
		col += c.Span
	}
}
