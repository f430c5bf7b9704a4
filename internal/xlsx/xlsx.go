// Package xlsx writes Excel workbooks of Xinfang data: with excelize, the
// one-case sheet of a backlog case (一案一表) and the case ledger (积案台账).
// Rows are written with excelize's StreamWriter, so a ledger of any length
// is written in one pass; and, with Stream (stream.go), the petition
// ledger (信访台账), whose rows go to the answer as they are read. It
// depends on the domain and the calendar only;
// it must never import storage or HTTP.
package xlsx

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"xinfang"
	"xinfang/internal/calendar"
)

// ContentType is the media type of the workbooks written here.
const ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Sheet names, so that readers (and tests) find the data.
const (
	CaseSheetName   = "一案一表"
	LedgerSheetName = "积案台账"
)

// LedgerHeader is the header row of the ledger.
var LedgerHeader = []string{"序号", "编号", "案件名称", "积案来源", "信访人", "责任单位", "包案领导", "化解方法", "化解时限", "状态", "是否超期",
	"方案步骤（完成/总数）", "逾期步骤", "未办结任务", "立案日期"}

// styles of a workbook.
type styles struct {
	title, head, label, text int
}

func newStyles(f *excelize.File) (*styles, error) {
	border := []excelize.Border{{Type: "left", Color: "000000", Style: 1}, {Type: "top", Color: "000000", Style: 1},
		{Type: "right", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1}}
	var s styles
	var err error
	if s.title, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16, Family: "宋体"},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}); err != nil {
		return nil, err
	}
	if s.head, err = f.NewStyle(&excelize.Style{Border: border, Font: &excelize.Font{Bold: true, Family: "宋体"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7ECF3"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}); err != nil {
		return nil, err
	}
	if s.label, err = f.NewStyle(&excelize.Style{Border: border, Font: &excelize.Font{Bold: true, Family: "宋体"},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}); err != nil {
		return nil, err
	}
	if s.text, err = f.NewStyle(&excelize.Style{Border: border, Font: &excelize.Font{Family: "宋体"},
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}); err != nil {
		return nil, err
	}
	return &s, nil
}

// sheetWriter writes rows one after another on a stream.
type sheetWriter struct {
	sw   *excelize.StreamWriter
	st   *styles
	row  int
	cols int
}

func (w *sheetWriter) cell(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

// values writes one row of cells in style.
func (w *sheetWriter) values(style int, vals ...any) error {
	w.row++
	cells := make([]any, len(vals))
	for i, v := range vals {
		cells[i] = excelize.Cell{StyleID: style, Value: v}
	}
	return w.sw.SetRow(w.cell(1, w.row), cells)
}

// merged writes one value across every column.
func (w *sheetWriter) merged(style int, v string, height float64) error {
	w.row++
	cells := make([]any, w.cols)
	for i := range cells {
		cells[i] = excelize.Cell{StyleID: style}
	}
	cells[0] = excelize.Cell{StyleID: style, Value: v}
	opts := []excelize.RowOpts{}
	if height > 0 {
		opts = append(opts, excelize.RowOpts{Height: height})
	}
	if err := w.sw.SetRow(w.cell(1, w.row), cells, opts...); err != nil {
		return err
	}
	return w.sw.MergeCell(w.cell(1, w.row), w.cell(w.cols, w.row))
}

// field writes a label in the first column and its value across the rest.
func (w *sheetWriter) field(label, value string) error {
	w.row++
	cells := make([]any, w.cols)
	for i := range cells {
		cells[i] = excelize.Cell{StyleID: w.st.text}
	}
	cells[0] = excelize.Cell{StyleID: w.st.label, Value: label}
	cells[1] = excelize.Cell{StyleID: w.st.text, Value: value}
	if err := w.sw.SetRow(w.cell(1, w.row), cells); err != nil {
		return err
	}
	return w.sw.MergeCell(w.cell(2, w.row), w.cell(w.cols, w.row))
}

// table writes a section title, a header and rows padded to the width.
func (w *sheetWriter) table(title string, header []string, rows [][]string) error {
	if err := w.merged(w.st.head, title, 0); err != nil {
		return err
	}
	if err := w.values(w.st.label, pad(header, w.cols)...); err != nil {
		return err
	}
	if len(rows) == 0 {
		return w.merged(w.st.text, "（无）", 0)
	}
	for _, r := range rows {
		if err := w.values(w.st.text, pad(r, w.cols)...); err != nil {
			return err
		}
	}
	return nil
}

func pad(vals []string, n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = ""
		if i < len(vals) {
			out[i] = vals[i]
		}
	}
	return out
}

// day is the Shanghai date of an instant.
func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return calendar.DateOf(t).String()
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// CaseSheet writes the 一案一表 of c: its fields, team, plan, tasks,
// consultations, progress, instructions, resolution and sign-off.
func CaseSheet(out io.Writer, c *xinfang.Case) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", CaseSheetName); err != nil {
		return err
	}
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(CaseSheetName)
	if err != nil {
		return err
	}
	for i, width := range []float64{14, 30, 14, 14, 14, 24} {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	w := &sheetWriter{sw: sw, st: st, cols: 6}
	if err := w.merged(st.title, "信访积案一案一表", 30); err != nil {
		return err
	}
	if err := w.values(st.label, "编号", c.Number, "状态", c.State.Label(), "化解时限", orDash(c.Deadline.String())); err != nil {
		return err
	}
	var petitions []string
	for _, p := range c.Petitions {
		if p.Hidden {
			petitions = append(petitions, fmt.Sprintf("#%d", p.ID))
		} else {
			petitions = append(petitions, p.Number+" "+p.Summary)
		}
	}
	fields := [][2]string{
		{"案件名称", c.Title},
		{"积案来源", c.Source.Label()},
		{"信访人（包案对象）", c.Petitioners},
		{"责任单位", c.ResponsibleUnitName},
		{"包案领导", orDash(c.LeaderName)},
		{"关联信访件", orDash(strings.Join(petitions, "\n"))},
		{"化解方法", orDash(c.TagLabels())},
		{"基本案情", orDash(c.Summary)},
		{"稳控方案", orDash(c.StabilityPlan)},
	}
	for _, fv := range fields {
		if err := w.field(fv[0], fv[1]); err != nil {
			return err
		}
	}

	var rows [][]string
	for _, m := range c.Team {
		rows = append(rows, []string{m.Name, m.Role})
	}
	if err := w.table("工作专班", []string{"姓名", "职责"}, rows); err != nil {
		return err
	}
	rows = nil
	for i, s := range c.Plan {
		rows = append(rows, []string{fmt.Sprint(i + 1), s.Content, s.Owner, s.Deadline.String(), orDash(s.DoneOn.String()), s.Evidence})
	}
	if err := w.table("化解方案", []string{"序号", "内容", "责任人", "完成时限", "完成日期", "佐证材料"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, t := range c.Tasks {
		owner := strings.Trim(t.OwnerUnitName+" "+t.OwnerUserName, " ")
		note := t.DoneNote
		if t.State == xinfang.TaskReleased {
			note = "解除理由：" + t.ReleaseReason
		}
		rows = append(rows, []string{t.Kind.Label(), t.Title, owner, t.Deadline.String(), t.State.Label(), note})
	}
	if err := w.table("三跨三分离任务", []string{"类别", "任务", "责任单位/人", "时限", "状态", "说明"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, k := range c.Consultations {
		var names []string
		for _, a := range k.Attendees {
			names = append(names, a.Name+"（"+a.Kind.Label()+"）")
		}
		rows = append(rows, []string{k.Date.String(), strings.Join(names, "、"), "", k.Findings, "", k.Decisions})
	}
	if err := w.table("会诊", []string{"日期", "参加人", "", "会诊意见", "", "决定"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, p := range c.Progress {
		rows = append(rows, []string{p.Date.String(), p.AuthorName, p.Text})
	}
	if err := w.table("进展报告", []string{"日期", "报告人", "内容"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, in := range c.Instructions {
		rows = append(rows, []string{day(in.At), in.AuthorName, in.Text})
	}
	if err := w.table("领导批示", []string{"日期", "批示领导", "内容"}, rows); err != nil {
		return err
	}

	r := c.Resolution
	if err := w.merged(st.head, "化解情况（问题不查清不结案、问题不解决不销案）", 0); err != nil {
		return err
	}
	followup := "—"
	if !r.Followup.Date.IsZero() {
		settled := "未息诉罢访"
		if r.Followup.Settled {
			settled = "已息诉罢访"
		}
		followup = fmt.Sprintf("%s %s（%s），%s；%s", r.Followup.Date, r.Followup.By, r.Followup.How, orDash(r.Followup.Mood), settled)
	}
	solution := "—"
	if r.Solution != "" {
		solution = r.Solution.Label() + "：" + r.SolutionText
	}
	for _, fv := range [][2]string{
		{"查清的事实", orDash(r.Facts)},
		{"解决或依法终结", solution},
		{"信访人意见", orDash(r.PetitionerPosition)},
		{"回访", followup},
	} {
		if err := w.field(fv[0], fv[1]); err != nil {
			return err
		}
	}
	sign := "—"
	if c.SignOff != nil {
		sign = c.SignOff.ByName + " " + day(c.SignOff.At)
		if c.SignOff.Note != "" {
			sign += "：" + c.SignOff.Note
		}
	}
	if err := w.field("包案领导签字", sign); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(out)
}

// CaseLedger writes the ledger of cases, one row each, in the order given;
// today decides 是否超期.
func CaseLedger(out io.Writer, cases []*xinfang.Case, today calendar.Date) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", LedgerSheetName); err != nil {
		return err
	}
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(LedgerSheetName)
	if err != nil {
		return err
	}
	for i, width := range []float64{6, 18, 32, 10, 14, 16, 10, 18, 12, 8, 8, 12, 8, 10, 12} {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	w := &sheetWriter{sw: sw, st: st, cols: len(LedgerHeader)}
	header := make([]any, len(LedgerHeader))
	for i, h := range LedgerHeader {
		header[i] = h
	}
	if err := w.values(st.head, header...); err != nil {
		return err
	}
	for i, c := range cases {
		overdue := "否"
		if c.IsOverdue(today) {
			overdue = "是"
		}
		if err := w.values(st.text, i+1, c.Number, c.Title, c.Source.Label(), c.Petitioners, c.ResponsibleUnitName,
			c.LeaderName, c.TagLabels(), c.Deadline, c.State.Label(), overdue,
			fmt.Sprintf("%d/%d", c.Stats.StepsDone, c.Stats.Steps), c.Stats.StepsLate, c.Stats.OpenTasks,
			day(c.CreatedAt)); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(out)
}
