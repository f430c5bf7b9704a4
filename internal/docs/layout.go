package docs

import (
	"strings"
	"unicode/utf8"
)

// Page geometry in points (1 mm = 72/25.4 pt): A4 with the GB/T 9704
// margins (top 37 mm, left 28 mm) and a 158 × 225 mm type area, wide
// enough for 28 characters of 16 pt.
const (
	PageW      = 595.28
	PageH      = 841.89
	MarginTop  = 104.88
	MarginLeft = 79.37
	BodyW      = 448.0
	BodyH      = 637.80
	FooterY    = MarginTop + BodyH + 22 // baseline of the page number, from the top

	cellLineH = 20.0 // a table cell's line at 12 pt
	cellPad   = 4.0  // a table cell's padding, top and bottom, left and right
	cellSize  = 12.0
)

// ColumnW are the widths of a form's four columns: label, value, label,
// value.
var ColumnW = [4]float64{84, 140, 84, 140}

type metric struct {
	size  float64 // font size, pt
	lineH float64 // height of one line, pt
	units int     // half-width units a line holds (a Chinese character is 2)
}

var metrics = map[Style]metric{
	StyleTitle:   {22, 40, 40},
	StyleNumber:  {16, 29, 56},
	StyleBody:    {16, 29, 56},
	StyleHeading: {16, 29, 56},
	StyleSign:    {16, 29, 52},
	StyleSmall:   {12, 20, 74},
	StyleGap:     {16, 14.5, 56},
}

// Size is the font size of a style, in points.
func Size(s Style) float64 {
	if s == StyleRow {
		return cellSize
	}
	return metrics[s].size
}

// CellSize is the font size in table cells, in points.
const CellSize = cellSize

// CellLineH and CellPad are a table cell's line height and padding, in
// points.
const (
	CellLineH = cellLineH
	CellPad   = cellPad
)

// runeUnits is a character's width in half-width units: 1 for ASCII and
// other Western text, 2 for Chinese characters and full-width punctuation.
func runeUnits(r rune) int {
	if r < 0x2000 {
		return 1
	}
	return 2
}

// Units is the width of s in half-width units.
func Units(s string) int {
	n := 0
	for _, r := range s {
		n += runeUnits(r)
	}
	return n
}

// Closing punctuation never starts a line (it hangs at the end of the
// previous one instead); opening punctuation never ends one.
const (
	noStart = "，。、；：？！）》」』”’…%,.;:?!)]"
	noEnd   = "（《「『“‘(["
)

// wrap breaks text into lines of at most units half-width units. A newline
// in text starts a new line; first is prefixed to the first line of each
// paragraph (the two-character indent).
func wrap(text string, units int, first string) []string {
	var out []string
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		para = strings.TrimRight(para, " \t　")
		out = append(out, wrapLine(first+para, units)...)
	}
	return out
}

func wrapLine(s string, units int) []string {
	var lines []string
	for Units(s) > units {
		cut, w := 0, 0
		for i, r := range s {
			if w+runeUnits(r) > units {
				cut = i
				break
			}
			w += runeUnits(r)
		}
		// Hang closing punctuation (up to two marks, "。”") on this line.
		for k := 0; k < 2 && cut < len(s); k++ {
			r, size := utf8.DecodeRuneInString(s[cut:])
			if !strings.ContainsRune(noStart, r) {
				break
			}
			cut += size
		}
		// Carry an opening mark over to the next line.
		if r, size := utf8.DecodeLastRuneInString(s[:cut]); cut > size && strings.ContainsRune(noEnd, r) {
			cut -= size
		}
		// Keep a run of digits or Latin letters whole when it is short.
		if word := asciiTail(s[:cut]); word > 0 && word < cut && word <= 12 && isASCIIWord(s[cut:]) {
			cut -= word
		}
		lines = append(lines, s[:cut])
		s = s[cut:]
	}
	return append(lines, s)
}

func isWordByte(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '-' || b == '.' || b == '_'
}

// asciiTail is the length of the run of word characters ending s.
func asciiTail(s string) int {
	n := 0
	for n < len(s) && isWordByte(s[len(s)-1-n]) {
		n++
	}
	return n
}

func isASCIIWord(s string) bool { return s != "" && isWordByte(s[0]) }

// block is a unit of composition before layout.
type block struct {
	style Style
	text  string
	row   []cellText // StyleRow
	keep  int        // lines of the previous block kept on the page with this one
}

type cellText struct {
	text string
	head bool
	span int
}

// cellWidth is the width of a cell starting at column col spanning span.
func cellWidth(col, span int) float64 {
	w := 0.0
	for i := col; i < col+span && i < 4; i++ {
		w += ColumnW[i]
	}
	return w
}

func cellUnits(col, span int) int {
	return int((cellWidth(col, span) - 2*cellPad) / (cellSize / 2))
}

// paginate lays blocks out on pages. Paragraphs break between lines but
// leave no single line alone at a page's foot or head; a title, a
// signature and a table row's label stay whole; a row too tall for what is
// left of a page continues on the next with its label marked （续）.
func paginate(blocks []block) []*Page {
	var pages []*Page
	page := &Page{}
	used := 0.0
	newPage := func() {
		pages = append(pages, page)
		page = &Page{}
		used = 0
	}
	put := func(it Item) {
		page.Items = append(page.Items, it)
		used += it.Height()
	}
	for _, b := range blocks {
		if b.style == StyleRow {
			row := layoutRow(b.row)
			for row != nil {
				left := BodyH - used
				if row.Height() <= left {
					put(Item{Style: StyleRow, Row: row})
					break
				}
				fit := int((left - 2*cellPad) / cellLineH)
				if fit < 3 && len(page.Items) > 0 {
					newPage()
					continue
				}
				head, rest := splitRow(row, fit)
				put(Item{Style: StyleRow, Row: head})
				newPage()
				row = rest
			}
			continue
		}
		m := metrics[b.style]
		lines := []string{""}
		if b.style != StyleGap {
			lines = wrap(b.text, m.units, "")
		}
		whole := b.style == StyleTitle || b.style == StyleSign || b.style == StyleHeading
		need := float64(len(lines)) * m.lineH
		if whole || len(lines) <= 3 {
			if used+need > BodyH && len(page.Items) > 0 {
				carry := carryLines(page, b.keep)
				newPage()
				for _, it := range carry {
					put(it)
				}
			}
			for _, l := range lines {
				put(Item{Style: b.style, Text: l})
			}
			continue
		}
		// A paragraph breaks between pages leaving at least two of its
		// lines on each side (no orphan at a foot, no widow at a head).
		for len(lines) > 0 {
			room := int((BodyH - used + 0.01) / m.lineH)
			k := len(lines)
			if room < k {
				k = min(room, len(lines)-2)
				if k < 2 {
					newPage()
					continue
				}
			}
			for _, l := range lines[:k] {
				put(Item{Style: b.style, Text: l})
			}
			lines = lines[k:]
			if len(lines) > 0 {
				newPage()
			}
		}
	}
	if len(page.Items) > 0 || len(pages) == 0 {
		pages = append(pages, page)
	}
	// Gaps at a page's head are dropped: they only space blocks.
	for _, p := range pages {
		for len(p.Items) > 0 && p.Items[0].Style == StyleGap {
			p.Items = p.Items[1:]
		}
	}
	for i, p := range pages {
		p.Number, p.Of = i+1, len(pages)
	}
	return pages
}

// carryLines takes up to n body lines (and the gaps between) off the foot
// of page, to go with the block that follows onto the next page: a
// signature is never alone on its page.
func carryLines(page *Page, n int) []Item {
	if n == 0 {
		return nil
	}
	k := len(page.Items)
	taken := 0
	for k > 0 && taken < n {
		it := page.Items[k-1]
		if it.Style != StyleBody && it.Style != StyleGap {
			break
		}
		if it.Style == StyleBody {
			taken++
		}
		k--
	}
	// Leave at least one line behind.
	if k == 0 {
		return nil
	}
	carry := append([]Item(nil), page.Items[k:]...)
	page.Items = page.Items[:k]
	return carry
}

func layoutRow(cells []cellText) *Row {
	r := &Row{}
	col := 0
	for _, c := range cells {
		span := c.span
		if span == 0 {
			span = 1
		}
		r.Cells = append(r.Cells, &Cell{Lines: wrap(c.text, cellUnits(col, span), ""), Head: c.head, Span: span})
		col += span
	}
	return r
}

// splitRow cuts a row after its first n lines: the label cells stay with
// the head and read （续） on the rest.
func splitRow(r *Row, n int) (head, rest *Row) {
	head, rest = &Row{}, &Row{}
	for _, c := range r.Cells {
		h := &Cell{Head: c.Head, Span: c.Span}
		t := &Cell{Head: c.Head, Span: c.Span}
		if c.Head {
			h.Lines = c.Lines
			if len(c.Lines) > 0 {
				t.Lines = []string{strings.Join(c.Lines, "") + "（续）"}
			}
		} else if len(c.Lines) > n {
			h.Lines, t.Lines = c.Lines[:n], c.Lines[n:]
		} else {
			h.Lines = c.Lines
		}
		head.Cells = append(head.Cells, h)
		rest.Cells = append(rest.Cells, t)
	}
	return head, rest
}
