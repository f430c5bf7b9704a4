// Package docs composes the official documents (文书) of a petition and of
// a 督办单 — 受理告知书, 意见书, 登记表, 送达回证 … — from the item's data
// and its events, and lays them out on A4 pages.
//
// It is pure: data in, document out. It never reads storage nor knows of
// HTTP, so that the staff pages, a PDF download and a public portal serving
// the petitioner's own documents print the very same pages. It must never
// import internal/sqldb, internal/web or internal/app.
//
// Pagination is done here, not by the browser: every line is broken and
// every page filled in Go with fixed metrics (GB/T 9704: 16 pt body, 28
// characters a line, 22 lines a page on a 156 × 225 mm type area), so the
// preview shows exactly the pages the print and the PDF have, each with
// its page number.
package docs

import (
	"xinfang"
)

// Kind names a document.
type Kind string

// The documents.
const (
	KindRegister  Kind = "register"  // 信访事项登记表
	KindTransfer  Kind = "transfer"  // 转送单
	KindAssign    Kind = "assign"    // 交办单
	KindAccept    Kind = "accept"    // 受理告知书
	KindReject    Kind = "reject"    // 不予受理告知书
	KindExtend    Kind = "extend"    // 延期告知书
	KindOpinion   Kind = "opinion"   // 信访处理意见书
	KindReview    Kind = "review"    // 复查意见书
	KindRereview  Kind = "rereview"  // 复核意见书
	KindTerminate Kind = "terminate" // 终结告知书
	KindReceipt   Kind = "receipt"   // 送达回证
	KindSupervise Kind = "supervise" // 督办通知书
	KindUrge      Kind = "urge"      // 催办函
)

// Titles are the documents' names, in the order a petition's page lists
// them.
var Titles = []xinfang.Label{
	{Code: string(KindRegister), Label: "信访事项登记表"},
	{Code: string(KindTransfer), Label: "转送单"},
	{Code: string(KindAssign), Label: "交办单"},
	{Code: string(KindAccept), Label: "受理告知书"},
	{Code: string(KindReject), Label: "不予受理告知书"},
	{Code: string(KindExtend), Label: "延期告知书"},
	{Code: string(KindOpinion), Label: "信访处理意见书"},
	{Code: string(KindReview), Label: "复查意见书"},
	{Code: string(KindRereview), Label: "复核意见书"},
	{Code: string(KindTerminate), Label: "终结告知书"},
	{Code: string(KindReceipt), Label: "送达回证"},
	{Code: string(KindSupervise), Label: "督办通知书"},
	{Code: string(KindUrge), Label: "催办函"},
}

// Title returns the document's name, "" for an unknown kind.
func (k Kind) Title() string {
	for _, t := range Titles {
		if t.Code == string(k) {
			return t.Label
		}
	}
	return ""
}

// Document is a composed and paginated document.
type Document struct {
	Kind   Kind
	Title  string
	Number string // the number the document bears (编号)
	Pages  []*Page
}

// Page is one A4 sheet: its lines and rows from the top of the type area
// down, and its number.
type Page struct {
	Items  []Item
	Number int
	Of     int
}

// Footer is the page number printed under the type area.
func (p *Page) Footer() string {
	if p.Of <= 1 {
		return ""
	}
	return "第 " + itoa(p.Number) + " 页 共 " + itoa(p.Of) + " 页"
}

// Style says how a line is set.
type Style string

// The styles of a line; each has fixed metrics (see metrics).
const (
	StyleTitle   Style = "title"   // 22 pt, centred
	StyleNumber  Style = "number"  // right-aligned 编号
	StyleBody    Style = "body"    // 16 pt, left
	StyleHeading Style = "heading" // 16 pt 黑体
	StyleSign    Style = "sign"    // right-aligned, four characters from the edge
	StyleSmall   Style = "small"   // 12 pt, right-aligned (制表日期)
	StyleGap     Style = "gap"     // an empty half line
	StyleRow     Style = "row"     // a table row
)

// Item is one line of text or one table row.
type Item struct {
	Style Style
	Text  string // a line of text
	Row   *Row   // StyleRow
}

// Height is the item's height in points.
func (it Item) Height() float64 {
	if it.Style == StyleRow {
		return it.Row.Height()
	}
	return metrics[it.Style].lineH
}

// Row is a table row of a form (登记表, 转送单, 送达回证): four columns,
// label and value twice, a cell spanning one to four of them.
type Row struct {
	Cells []*Cell
}

// Height is the row's height in points.
func (r *Row) Height() float64 {
	n := 1
	for _, c := range r.Cells {
		if len(c.Lines) > n {
			n = len(c.Lines)
		}
	}
	return float64(n)*cellLineH + 2*cellPad
}

// Cell is a table cell: its broken lines, whether it is a label, and how
// many of the four columns it spans.
type Cell struct {
	Lines []string
	Head  bool
	Span  int
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	if neg {
		b = append([]byte{'-'}, b...)
	}
	return string(b)
}
