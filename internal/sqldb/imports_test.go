package sqldb_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

const importHead = "原编号*,收到日期*,信访形式*,信访人*,身份证号,联系电话,通讯地址,信访人数,概况*,投诉内容*,诉求,内容分类*,信访目的*,问题属地*,登记单位,状态*,承办单位,状态日期,处理结果,涉法涉诉\n"

// importLine is one row of the petitions' template as CSV.
func importLine(number, id, state, unit, stateOn, outcome string) string {
	return strings.Join([]string{number, "2025-03-04 09:30", "来信", "张三", id, "13800138000", "甲镇东村 1 号", "1",
		"反映工资拖欠问题", "某公司拖欠工资三个月，请求协调解决。", "发放工资", "0501", "申诉求决", "甲镇东村", "", state, unit, stateOn, outcome, "否"}, ",") + "\n"
}

// runImport uploads, checks and (when the check passes and commit is
// set) commits a file, and returns the import as it ends.
func runImport(t *testing.T, db *sqldb.DB, ctx context.Context, kind xinfang.ImportKind, text string, commit bool) (*xinfang.Import, error) {
	t.Helper()
	im, err := db.Imports.CreateImport(ctx, kind, "台账.csv", []byte(text))
	if err != nil {
		t.Fatalf("create import: %v", err)
	}
	if err := db.Imports.CheckImport(ctx, im.ID); err != nil {
		t.Fatalf("check import: %v", err)
	}
	var cerr error
	if commit {
		if im, err = db.Imports.FindImport(ctx, im.ID); err != nil {
			t.Fatal(err)
		}
		if im.State == xinfang.ImportReady {
			cerr = db.Imports.CommitImport(ctx, im.ID)
		}
	}
	im, err = db.Imports.FindImport(ctx, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	return im, cerr
}

// TestImportPetitions: a file with one bad row imports nothing and names
// its row and column; the good file imports every row under its number,
// in its state, with a chain that verifies; importing it again changes
// nothing; a row that went bad between check and commit fails the whole.
func TestImportPetitions(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		fixClock(db, at("2026-06-10"))
		f := sqldbtest.NewFixture(t, db)
		ctx := f.Ctx(f.BureauRegistrar)
		badID := sqldbtest.IDNumber(3)
		badID = badID[:17] + map[bool]string{true: "1", false: "2"}[badID[17] != '1']
		good := importHead +
			importLine("OLD-2025-0001", sqldbtest.IDNumber(1), "登记", "", "", "") +
			importLine("OLD-2025-0002", sqldbtest.IDNumber(2), "办理中", "甲镇", "2025-03-10", "") +
			importLine("OLD-2025-0003", sqldbtest.IDNumber(3), "办结", "JZ", "2025-05-01", "解释说明")
		bad := strings.Replace(good, sqldbtest.IDNumber(3), badID, 1)

		if _, err := db.Imports.CreateImport(f.Ctx(f.RegistrarA), xinfang.ImportPetitions, "a.csv", []byte(good)); xinfang.ErrorCode(err) != xinfang.EFORBIDDEN {
			t.Errorf("a town's registrar imports: %v, want forbidden", err)
		}

		before := count(t, db, "petitions")
		im, err := runImport(t, db, ctx, xinfang.ImportPetitions, bad, true)
		if err != nil || im.State != xinfang.ImportInvalid || im.Errors != 1 || im.Rows != 3 {
			t.Fatalf("bad file: %+v, %v; want invalid with one error in 3 rows", im, err)
		}
		probs, err := db.Imports.FindImportProblems(ctx, im.ID, 0, 0)
		if err != nil || len(probs) != 1 || probs[0].Row != 4 || probs[0].Column != "身份证号" {
			t.Fatalf("problems %+v, %v; want row 4, 身份证号", probs, err)
		}
		if err := db.Imports.CommitImport(ctx, im.ID); xinfang.ErrorCode(err) != xinfang.ECONFLICT {
			t.Errorf("commit of a file with errors: %v, want conflict", err)
		}
		if n := count(t, db, "petitions"); n != before {
			t.Fatalf("%d petitions after the bad file, want %d", n, before)
		}

		im, err = runImport(t, db, ctx, xinfang.ImportPetitions, good, true)
		if err != nil || im.State != xinfang.ImportDone || im.New != 3 || im.Unchanged != 0 {
			t.Fatalf("good file: %+v, %v", im, err)
		}
		p, err := db.Petitions.FindPetitionByNumber(ctx, "OLD-2025-0002")
		if err != nil {
			t.Fatal(err)
		}
		if p.State != xinfang.StateHandling || p.HandlingUnitID != f.TownA.ID || p.DueClock != xinfang.ClockHandling || p.DueDate.String() != "2025-05-09" {
			t.Errorf("imported item: state %s, unit %d, clock %s due %s; want handling at 甲镇, due 2025-05-09 (60 days from 2025-03-10)",
				p.State, p.HandlingUnitID, p.DueClock, p.DueDate)
		}
		// The item's clock bounds the 超期 list like a registered one's
		// (severe_gap.go): no item of the fixture had a handling clock.
		if gap, built, err := db.SevereGap(ctx); err != nil || !built || gap != p.SevereDate.Sub(p.DueDate) {
			t.Errorf("the 超期 bound after the import: %d days (counted %v, %v), want the handling clock's %d", gap, built, err, p.SevereDate.Sub(p.DueDate))
		}
		if p.ReceivedAt.Format("2006-01-02") != "2025-03-04" || p.Petitioner.IDNumber != sqldbtest.IDNumber(2) {
			t.Errorf("imported item received %v, ID %s", p.ReceivedAt, p.Petitioner.IDNumber)
		}
		events, err := db.Petitions.FindEvents(ctx, p.ID)
		if err != nil || len(events) != 1 || events[0].Action != xinfang.ActImport {
			t.Fatalf("events %+v, %v; want the import event", events, err)
		}
		done, err := db.Petitions.FindPetitionByNumber(ctx, "OLD-2025-0003")
		if err != nil || done.State != xinfang.StateConcluded || done.Outcome != xinfang.OutcomeExplain {
			t.Errorf("concluded row: %+v, %v", done, err)
		}
		rep, err := db.VerifyAll(context.Background())
		if err != nil || len(rep.Findings) != 0 {
			t.Fatalf("verify after import: %+v, %v", rep, err)
		}
		// The imported item goes on through the procedure.
		f.MustAct(t, f.HandlerA, p.ID, xinfang.ActionInput{Action: xinfang.ActReply, Version: p.Version,
			Data: map[string]string{"outcome": "support", "facts": "查明属实", "opinion": "支持"}})
		if rep, err := db.VerifyAll(context.Background()); err != nil || len(rep.Findings) != 0 {
			t.Fatalf("verify after a reply: %+v, %v", rep, err)
		}

		// The same file again: nothing changes.
		before, events0 := count(t, db, "petitions"), count(t, db, "events")
		im, err = runImport(t, db, ctx, xinfang.ImportPetitions, good, true)
		if err != nil || im.State != xinfang.ImportDone || im.New != 0 || im.Unchanged != 3 {
			t.Fatalf("re-import: %+v, %v; want 3 unchanged", im, err)
		}
		if count(t, db, "petitions") != before || count(t, db, "events") != events0 {
			t.Fatalf("re-import changed the petitions or events")
		}
		// A row of the same number with other content is an error.
		changed := strings.ReplaceAll(good, "发放工资", "发放全部工资")
		im, _ = runImport(t, db, ctx, xinfang.ImportPetitions, changed, false)
		if im.State != xinfang.ImportInvalid || im.Errors != 3 {
			t.Errorf("changed rows: %+v; want all three refused", im)
		}

		// Checked good, then one row's number taken before the commit:
		// the commit imports nothing and names the row.
		later := importHead + importLine("NEW-1", sqldbtest.IDNumber(5), "登记", "", "", "") + importLine("NEW-2", sqldbtest.IDNumber(6), "登记", "", "", "")
		first, err := db.Imports.CreateImport(ctx, xinfang.ImportPetitions, "b.csv", []byte(later))
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Imports.CheckImport(ctx, first.ID); err != nil {
			t.Fatal(err)
		}
		if im, _ := runImport(t, db, ctx, xinfang.ImportPetitions, importHead+importLine("NEW-2", sqldbtest.IDNumber(7), "登记", "", "", ""), true); im.State != xinfang.ImportDone {
			t.Fatalf("other file: %+v", im)
		}
		before = count(t, db, "petitions")
		if err := db.Imports.CommitImport(ctx, first.ID); xinfang.ErrorCode(err) != xinfang.EINVALID {
			t.Errorf("commit after the number was taken: %v", err)
		}
		if count(t, db, "petitions") != before {
			t.Errorf("a failed commit imported rows")
		}
		probs, _ = db.Imports.FindImportProblems(ctx, first.ID, 0, 0)
		if len(probs) != 1 || probs[0].Row != 3 || probs[0].Column != "原编号" {
			t.Errorf("problems %+v; want row 3, 原编号", probs)
		}

		// Duplicates within the file, a bad date, an unknown unit and a
		// state that needs its unit, each by row and column.
		messy := importHead + importLine("D-1", sqldbtest.IDNumber(8), "登记", "", "", "") + importLine("D-1", sqldbtest.IDNumber(9), "登记", "", "", "") +
			strings.Replace(importLine("D-2", sqldbtest.IDNumber(10), "办理中", "", "", ""), "2025-03-04 09:30", "2025-13-40", 1) +
			strings.Replace(importLine("D-3", sqldbtest.IDNumber(11), "登记", "", "", ""), "甲镇东村,,", "无此村,,", 1)
		im, _ = runImport(t, db, ctx, xinfang.ImportPetitions, messy, false)
		probs, _ = db.Imports.FindImportProblems(ctx, im.ID, 0, 0)
		want := map[string]bool{"3 原编号": true, "4 收到日期": true, "4 承办单位": true, "5 问题属地": true}
		got := map[string]bool{}
		for _, p := range probs {
			got[fmt.Sprintf("%d %s", p.Row, p.Column)] = true
		}
		for k := range want {
			if !got[k] {
				t.Errorf("no problem at %s; got %+v", k, probs)
			}
		}
		// The imported items are in the 态势 page's counts as a count
		// again from the items finds them.
		imported := dashRows(t, db.RawSQL())
		if err := db.RecountDashboard(context.Background(), 0, true); err != nil {
			t.Fatal(err)
		}
		if counted := dashRows(t, db.RawSQL()); len(imported) == 0 || !reflect.DeepEqual(imported, counted) {
			t.Errorf("dash_counts after the imports: %d rows, counted again from the items %d", len(imported), len(counted))
		}
	})
}

// TestImportCases: backlog cases come in under their numbers and dates,
// in their state, with an import entry; again, nothing changes.
func TestImportCases(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		fixClock(db, at("2026-06-10"))
		f := sqldbtest.NewFixture(t, db)
		ctx := f.Ctx(f.BureauRegistrar)
		text := "原编号,案件名称,积案来源,信访人,案情概要,责任单位,包案领导,化解时限,状态,立案日期,关联信访件编号\n" +
			"JA-OLD-7,某小区物业问题,市排查,李四、王五,业主多次反映物业服务问题。,甲镇,leader,2026-03-31,化解中,2025-08-15,\n"
		im, err := runImport(t, db, ctx, xinfang.ImportCases, text, true)
		if err != nil || im.State != xinfang.ImportDone || im.New != 1 {
			t.Fatalf("cases: %+v, %v", im, err)
		}
		c, err := db.Cases.FindCaseByNumber(ctx, "JA-OLD-7")
		if err != nil || c.State != xinfang.CaseResolving || c.LeaderID != f.Leader.ID || calendar.DateOf(c.CreatedAt).String() != "2025-08-15" || !c.Overdue {
			t.Fatalf("case %+v, %v", c, err)
		}
		events, err := db.Cases.FindCaseEvents(ctx, c.ID)
		if err != nil || len(events) != 1 || events[0].What != xinfang.CaseEventImport {
			t.Errorf("case events %+v, %v", events, err)
		}
		im, err = runImport(t, db, ctx, xinfang.ImportCases, text, true)
		if err != nil || im.State != xinfang.ImportDone || im.Unchanged != 1 || count(t, db, "cases") != 1 {
			t.Errorf("cases again: %+v, %v", im, err)
		}
		bad := strings.Replace(text, ",化解中,", ",已化解,", 1)
		bad = strings.Replace(bad, "JA-OLD-7", "JA-OLD-8", 1)
		im, _ = runImport(t, db, ctx, xinfang.ImportCases, bad, false)
		probs, _ := db.Imports.FindImportProblems(ctx, im.ID, 0, 0)
		if im.State != xinfang.ImportInvalid || len(probs) != 1 || probs[0].Row != 2 || probs[0].Column != "状态" {
			t.Errorf("resolved case: %+v %+v", im, probs)
		}
	})
}

// TestImportInterrupted: on SQLite, an import left running by a stop of
// the server is shown as failed, with nothing imported, once it has not
// moved for a minute.
func TestImportInterrupted(t *testing.T) {
	db := sqldbtest.Open(t, "sqlite")
	clk := fixClock(db, at("2026-06-10"))
	f := sqldbtest.NewFixture(t, db)
	ctx := f.Ctx(f.BureauRegistrar)
	im, err := db.Imports.CreateImport(ctx, xinfang.ImportPetitions, "a.csv", []byte(importHead+importLine("X-1", sqldbtest.IDNumber(1), "登记", "", "", "")))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Imports.FindImport(ctx, im.ID); got.State != xinfang.ImportChecking {
		t.Fatalf("a fresh import: %s", got.State)
	}
	clk.Add(2 * time.Minute)
	got, err := db.Imports.FindImport(ctx, im.ID)
	if err != nil || got.State != xinfang.ImportFailed || got.Message == "" {
		t.Fatalf("an import left checking: %+v, %v", got, err)
	}
	if err := db.Imports.CheckImport(ctx, im.ID); xinfang.ErrorCode(err) != xinfang.ECONFLICT {
		t.Errorf("checking a failed import: %v", err)
	}
}
