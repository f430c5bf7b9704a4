package xlsx_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/xlsx"
)

func sampleCase() *xinfang.Case {
	return &xinfang.Case{
		ID: 1, Number: "JZ-JA-2026-0001", Title: "东村工资拖欠积案", Source: "repeat", Petitioners: "张三", ResponsibleUnitName: "甲镇",
		LeaderName: "李市长", Deadline: calendar.MustParseDate("2026-06-30"), Tags: []xinfang.CaseTag{xinfang.CaseTagTrace, xinfang.CaseTagConsult}, State: xinfang.CaseResolving,
		Petitions:     []*xinfang.CasePetition{{ID: 3, Number: "JZ-2026-000001", Summary: "反映工资拖欠"}, {ID: 9, Hidden: true}},
		Team:          []xinfang.CaseMember{{Name: "钱承办", Role: "组长"}},
		Plan:          []*xinfang.PlanStep{{ID: 1, Content: "核查工资台账", Owner: "钱承办", Deadline: calendar.MustParseDate("2026-04-15")}},
		Tasks:         []*xinfang.Task{{ID: 1, Kind: "unit", Title: "公安局追查", OwnerUnitName: "公安局", State: xinfang.TaskReleased, ReleaseReason: "另案处理"}},
		Consultations: []*xinfang.Consultation{{Date: calendar.MustParseDate("2026-04-05"), Attendees: []xinfang.Attendee{{Kind: "lawyer", Name: "刘律师"}}, Findings: "事实清楚", Decisions: "限期支付"}},
		Progress:      []*xinfang.ProgressReport{{Date: calendar.MustParseDate("2026-04-06"), AuthorName: "钱承办", Text: "已约谈用工单位"}},
		Instructions:  []*xinfang.Instruction{{AuthorName: "李市长", Text: "抓紧化解", At: time.Date(2026, 4, 2, 1, 0, 0, 0, time.UTC)}},
		Stats:         xinfang.CaseStats{Steps: 1},
		CreatedAt:     time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC),
	}
}

func TestCaseSheet(t *testing.T) {
	var buf bytes.Buffer
	if err := xlsx.CaseSheet(&buf, sampleCase()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(xlsx.CaseSheetName)
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, r := range rows {
		all = append(all, strings.Join(r, "|"))
	}
	text := strings.Join(all, "\n")
	for _, want := range []string{"信访积案一案一表", "编号|JZ-JA-2026-0001|状态|化解中|化解时限|2026-06-30", "包案领导|李市长", "化解方法|溯源、会诊",
		"JZ-2026-000001 反映工资拖欠\n#9", "1|核查工资台账|钱承办|2026-04-15|—", "单位|公安局追查|公安局||已解除|解除理由：另案处理",
		"刘律师（律师）", "2026-04-02|李市长|抓紧化解", "包案领导签字|—"} {
		if !strings.Contains(text, want) {
			t.Errorf("sheet lacks %q:\n%s", want, text)
		}
	}
}

func TestCaseLedger(t *testing.T) {
	a, b := sampleCase(), sampleCase()
	b.Number, b.State, b.Deadline = "JZ-JA-2026-0002", xinfang.CaseClosed, calendar.MustParseDate("2026-01-01")
	var buf bytes.Buffer
	if err := xlsx.CaseLedger(&buf, []*xinfang.Case{a, b}, calendar.MustParseDate("2026-07-01")); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(xlsx.LedgerSheetName)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], "|") != strings.Join(xlsx.LedgerHeader, "|") {
		t.Fatalf("rows %v", rows)
	}
	if got := strings.Join(rows[1], "|"); got != "1|JZ-JA-2026-0001|东村工资拖欠积案|重复信访|张三|甲镇|李市长|溯源、会诊|2026-06-30|化解中|是|0/1|0|0|2026-04-01" {
		t.Errorf("row 1 %s", got)
	}
	if rows[2][9] != "销号" || rows[2][10] != "否" {
		t.Errorf("row 2 %v", rows[2])
	}
}
