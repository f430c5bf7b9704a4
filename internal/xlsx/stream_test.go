package xlsx_test

import (
	"bytes"
	"slices"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"

	"xinfang"
	"xinfang/internal/xlsx"
)

// TestStream: a streamed workbook opens in excelize with its sheet name,
// every row and cell as written — markup characters, spaces at the ends,
// line breaks, a character XML cannot hold (replaced), and columns past Z.
func TestStream(t *testing.T) {
	var buf bytes.Buffer
	s, err := xlsx.NewStream(&buf, "信访<台账>", []float64{8, 20})
	if err != nil {
		t.Fatal(err)
	}
	wide := make([]string, 30)
	for i := range wide {
		wide[i] = "c" + strconv.Itoa(i)
	}
	rows := [][]string{
		{"标题"},
		{"a<b>&\"c'", "  两端空格  ", "第一行\n第二行"},
		wide,
		{"", "空的第一格"},
	}
	styles := []int{xlsx.StyleTitle, xlsx.StyleText, xlsx.StyleHead, xlsx.StyleText}
	for i, r := range rows {
		if err := s.Row(styles[i], r...); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Row(xlsx.StyleText, "控制\x01字符"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s.Rows() != 5 {
		t.Errorf("Rows() = %d", s.Rows())
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{"信访<台账>"}) {
		t.Fatalf("sheets %v", got)
	}
	got, err := f.GetRows("信访<台账>")
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range rows {
		if !slices.Equal(got[i], want) {
			t.Errorf("row %d: %q, want %q", i+1, got[i], want)
		}
	}
	if got[4][0] != "控制\uFFFD字符" {
		t.Errorf("control character: %q", got[4][0])
	}
	if err := s.Row(xlsx.StyleText, "late"); err == nil {
		t.Error("a row after Close was taken")
	}
}

func TestAssessmentSheet(t *testing.T) {
	a := &xinfang.Assessment{Rules: xinfang.AssessmentRules{Year: 2026, Frozen: true}, Units: []*xinfang.UnitScore{
		{UnitID: 1, UnitName: "甲镇", Rank: 1, Score: 28.5, Lines: []xinfang.ScoreLine{{Item: "按期办结率", Figure: "9/10 = 90.0%", Points: 9, Max: 10}, {Item: "重复信访", Points: -1}}},
	}}
	var buf bytes.Buffer
	if err := xlsx.AssessmentSheet(&buf, a); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("年度考核")
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][0] != "2026 年度信访工作考核（已冻结）" || rows[2][1] != "甲镇" || rows[2][2] != "28.5" {
		t.Errorf("ranking rows %q", rows[:3])
	}
	last := rows[len(rows)-1]
	if last[2] != "合计" || last[4] != "28.5" || rows[len(rows)-3][4] != "9" {
		t.Errorf("breakdown rows %q", rows[len(rows)-3:])
	}
}
