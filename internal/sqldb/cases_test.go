package sqldb_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"xinfang"
	"xinfang/internal/calendar"
	"xinfang/internal/sqldb"
	"xinfang/internal/sqldb/sqldbtest"
)

// caseWorld is the fixture city with a petition of town A and a leader of
// town B who leads cases elsewhere: a leader at a town has no city-wide
// scope, so he sees a case of town A only because he leads it.
type caseWorld struct {
	*sqldbtest.Fixture
	TownLeader *xinfang.User // leader at town B
	Petition   *xinfang.Petition
}

func newCaseWorld(t *testing.T, db *sqldb.DB) *caseWorld {
	t.Helper()
	fixClock(db, at("2026-04-01"))
	f := sqldbtest.NewFixture(t, db)
	w := &caseWorld{Fixture: f}
	u := &xinfang.User{Username: "yz.leader", Name: "郑书记", UnitID: f.TownB.ID, Roles: []xinfang.Role{xinfang.RoleLeader}}
	if err := db.Directory.CreateUser(context.Background(), u, sqldbtest.Password); err != nil {
		t.Fatal(err)
	}
	var err error
	if w.TownLeader, err = db.Directory.FindUserByID(context.Background(), u.ID); err != nil {
		t.Fatal(err)
	}
	w.Petition = f.MustRegister(t, f.RegistrarA, f.NewPetition(f.VillageA, 1))
	return w
}

// newCase files a case of town A led by leader, from the world's petition.
func (w *caseWorld) newCase(t *testing.T, as, leader *xinfang.User) *xinfang.Case {
	t.Helper()
	c := &xinfang.Case{Title: "东村工资拖欠积案", Source: "repeat", Petitioners: "张三", ResponsibleUnitID: w.TownA.ID,
		LeaderID: leader.ID, PetitionIDs: []int64{w.Petition.ID}, Deadline: calendar.MustParseDate("2026-06-30"), Tags: []xinfang.CaseTag{xinfang.CaseTagTrace, xinfang.CaseTagConsult}}
	if err := w.DB.Cases.CreateCase(w.Ctx(as), c); err != nil {
		t.Fatalf("create case as %s: %v", as.Username, err)
	}
	return c
}

func TestCaseNumbersAndScope(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		c1 := w.newCase(t, w.HandlerA, w.Leader)
		c2 := w.newCase(t, w.HandlerA, w.TownLeader)
		if c1.Number != "JZ-JA-2026-0001" || c2.Number != "JZ-JA-2026-0002" {
			t.Errorf("numbers %s, %s", c1.Number, c2.Number)
		}
		// Petition numbers count apart.
		p2 := w.MustRegister(t, w.RegistrarA, w.NewPetition(w.VillageA, 2))
		if !strings.HasSuffix(p2.Number, "-000002") {
			t.Errorf("petition number after two cases: %s", p2.Number)
		}

		got, err := db.Cases.FindCaseByID(w.Ctx(w.HandlerA), c1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != xinfang.CaseUnresolved || got.LeaderName != "李市长" || got.ResponsibleUnitName != "甲镇" || len(got.Petitions) != 1 || got.Petitions[0].Number != w.Petition.Number {
			t.Errorf("case as read: %+v", got)
		}

		// A town handler cannot see another town's case.
		_, err = db.Cases.FindCaseByID(w.Ctx(w.HandlerB), c1.ID)
		wantErr(t, err, xinfang.ENOTFOUND, "")
		if _, n, err := db.Cases.FindCases(w.Ctx(w.HandlerB), xinfang.CaseFilter{}); err != nil || n != 0 {
			t.Errorf("town B lists %d cases (%v)", n, err)
		}
		_, err = db.Cases.UpdateCase(w.Ctx(w.HandlerB), c1.ID, 1, xinfang.CaseUpdate{})
		wantErr(t, err, xinfang.ENOTFOUND, "")
		// The city's leader sees all; the town leader only the case he leads.
		if _, n, _ := db.Cases.FindCases(w.Ctx(w.Leader), xinfang.CaseFilter{}); n != 2 {
			t.Errorf("city leader sees %d cases", n)
		}
		list, n, err := db.Cases.FindCases(w.Ctx(w.TownLeader), xinfang.CaseFilter{})
		if err != nil || n != 1 || list[0].ID != c2.ID {
			t.Errorf("town leader sees %d cases (%v)", n, err)
		}
		mine, err := db.Cases.LeaderCases(w.Ctx(w.TownLeader))
		if err != nil || len(mine) != 1 || mine[0].Case.ID != c2.ID {
			t.Errorf("我包的案 of the town leader: %v %v", mine, err)
		}
		// A team member sees the case, even from another town.
		if _, err := db.Cases.SetCaseTeam(w.Ctx(w.HandlerA), c1.ID, 1, []xinfang.CaseMember{{UserID: w.HandlerB.ID, Role: "成员"}, {Name: "刘律师", Role: "法律顾问"}}); err != nil {
			t.Fatal(err)
		}
		if c, err := db.Cases.FindCaseByID(w.Ctx(w.HandlerB), c1.ID); err != nil || c.Team[0].Name != "周承办" {
			t.Errorf("team member reads the case: %v %v", c, err)
		}

		// Filters.
		for _, tt := range []struct {
			f    xinfang.CaseFilter
			want int
		}{
			{xinfang.CaseFilter{LeaderID: w.Leader.ID}, 1},
			{xinfang.CaseFilter{UnitID: w.TownA.ID}, 2},
			{xinfang.CaseFilter{UnitID: w.TownB.ID}, 0},
			{xinfang.CaseFilter{Source: "central"}, 0},
			{xinfang.CaseFilter{State: []xinfang.CaseState{xinfang.CaseUnresolved}}, 2},
			{xinfang.CaseFilter{Text: "jz-ja-2026-0002"}, 1},
		} {
			if _, n, err := db.Cases.FindCases(w.Ctx(w.Leader), tt.f); err != nil || n != tt.want {
				t.Errorf("filter %+v: %d (%v), want %d", tt.f, n, err, tt.want)
			}
		}
		yes := true
		if _, n, _ := db.Cases.FindCases(w.Ctx(w.Leader), xinfang.CaseFilter{Overdue: &yes}); n != 0 {
			t.Errorf("%d overdue before the deadline", n)
		}
		fixClock(db, at("2026-07-01"))
		if _, n, _ := db.Cases.FindCases(w.Ctx(w.Leader), xinfang.CaseFilter{Overdue: &yes}); n != 2 {
			t.Errorf("%d overdue after the deadline, want 2", n)
		}

		// Bad references.
		bad := &xinfang.Case{Title: "乙镇的案", Source: "self", Petitioners: "李四", ResponsibleUnitID: w.TownB.ID, LeaderID: w.Leader.ID}
		wantErr(t, db.Cases.CreateCase(w.Ctx(w.HandlerA), bad), xinfang.EINVALID, "responsible_unit_id")
		bad = &xinfang.Case{Title: "甲镇的案", Source: "self", Petitioners: "李四", ResponsibleUnitID: w.TownA.ID, LeaderID: w.HandlerA.ID}
		wantErr(t, db.Cases.CreateCase(w.Ctx(w.HandlerA), bad), xinfang.EINVALID, "leader_id")
		bad = &xinfang.Case{Title: "甲镇的案", Source: "self", Petitioners: "李四", ResponsibleUnitID: w.TownA.ID, LeaderID: w.Leader.ID, PetitionIDs: []int64{w.Petition.ID}}
		wantErr(t, db.Cases.CreateCase(w.Ctx(w.HandlerB), bad), xinfang.EINVALID, "")
		wantErr(t, db.Cases.CreateCase(w.Ctx(w.Auditor), bad), xinfang.EFORBIDDEN, "")
	})
}

func TestCaseVersionConflict(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		c := w.newCase(t, w.HandlerA, w.Leader)
		plan := "专人稳控，每周走访"
		got, err := db.Cases.UpdateCase(w.Ctx(w.HandlerA), c.ID, 1, xinfang.CaseUpdate{StabilityPlan: &plan})
		if err != nil || got.Version != 2 || got.StabilityPlan != plan {
			t.Fatalf("update: %+v %v", got, err)
		}
		before := count(t, db, "case_events")
		title := "改名"
		_, err = db.Cases.UpdateCase(w.Ctx(w.HeadA), c.ID, 1, xinfang.CaseUpdate{Title: &title})
		wantErr(t, err, xinfang.ECONFLICT, "version")
		_, err = db.Cases.SaveCaseStep(w.Ctx(w.HeadA), c.ID, 1, &xinfang.PlanStep{Content: "走访", Owner: "孙镇长", Deadline: calendar.MustParseDate("2026-04-10")})
		wantErr(t, err, xinfang.ECONFLICT, "version")
		if n := count(t, db, "case_events"); n != before {
			t.Errorf("a stale change wrote %d events", n-before)
		}
		if n := count(t, db, "case_steps"); n != 0 {
			t.Errorf("a stale change wrote %d steps", n)
		}
		// The history is append-only.
		if _, err := db.RawSQL().Exec(`DELETE FROM case_events`); err == nil {
			t.Error("case events could be deleted")
		}
	})
}

func TestCaseClosureInStorage(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		c := w.newCase(t, w.HandlerA, w.TownLeader)
		ctx := w.Ctx(w.HandlerA)
		v := c.Version
		must := func(c *xinfang.Case, err error) *xinfang.Case {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			if c.Version != v+1 {
				t.Fatalf("version %d after %d", c.Version, v)
			}
			v = c.Version
			return c
		}
		c = must(db.Cases.SaveCaseStep(ctx, c.ID, v, &xinfang.PlanStep{Content: "核查工资发放台账", OwnerID: w.HandlerA.ID, Deadline: calendar.MustParseDate("2026-04-15")}))
		if c.State != xinfang.CaseResolving || len(c.Plan) != 1 || c.Plan[0].Owner != "钱承办" {
			t.Fatalf("after the first step: %s %+v", c.State, c.Plan)
		}
		c = must(db.Cases.AddCaseTask(ctx, c.ID, v, &xinfang.Task{Kind: "unit", Title: "公安局核查用工单位负责人下落", OwnerUnitID: w.Police.ID, Deadline: calendar.MustParseDate("2026-04-20")}))
		taskID := c.Tasks[0].ID

		_, err := db.Cases.ActCase(ctx, c.ID, v, "resolve", "")
		wantErr(t, err, xinfang.EINVALID, "")
		for _, f := range []string{"resolution.facts", "resolution.solution", "resolution.petitioner_position", "resolution.followup", "tasks"} {
			if xinfang.ErrorFields(err)[f] == "" {
				t.Errorf("已化解 refused without naming %s: %v", f, err)
			}
		}
		_, err = db.Cases.ActCase(ctx, c.ID, v, "close", "")
		wantErr(t, err, xinfang.EINVALID, "sign_off")

		c = must(db.Cases.SetResolution(ctx, c.ID, v, xinfang.Resolution{
			Facts: "用工单位拖欠 3 个月工资属实。", Solution: "solved", SolutionText: "镇劳动保障所督促结清工资 2.4 万元。",
			PetitionerPosition: "信访人认可处理结果。",
			Followup:           xinfang.FollowupVisit{Date: calendar.MustParseDate("2026-04-01"), By: "钱承办", How: "当面", Mood: "平稳", Settled: true},
		}))
		_, err = db.Cases.ActCase(ctx, c.ID, v, "resolve", "")
		if f := xinfang.ErrorFields(err); len(f) != 1 || f["tasks"] == "" {
			t.Fatalf("with the records, only the open task refuses: %v", err)
		}
		_, err = db.Cases.ChangeCaseTask(ctx, c.ID, v, taskID, xinfang.TaskChange{State: xinfang.TaskReleased})
		wantErr(t, err, xinfang.EINVALID, "release_reason")
		c = must(db.Cases.ChangeCaseTask(ctx, c.ID, v, taskID, xinfang.TaskChange{State: xinfang.TaskReleased, Reason: "负责人已到案，另案处理"}))
		c = must(db.Cases.ActCase(ctx, c.ID, v, "resolve", ""))
		if c.State != xinfang.CaseResolved {
			t.Fatalf("state %s", c.State)
		}

		// Only the case's own leader signs off: not the handler, not the
		// city's leader.
		_, err = db.Cases.SignOffCase(ctx, c.ID, v, "")
		wantErr(t, err, xinfang.EFORBIDDEN, "")
		_, err = db.Cases.SignOffCase(w.Ctx(w.Leader), c.ID, v, "")
		wantErr(t, err, xinfang.EFORBIDDEN, "")
		c = must(db.Cases.SignOffCase(w.Ctx(w.TownLeader), c.ID, v, "同意销号"))
		if c.SignOff == nil || c.SignOff.ByName != "郑书记" {
			t.Fatalf("sign-off %+v", c.SignOff)
		}
		c = must(db.Cases.ActCase(ctx, c.ID, v, "close", "问题已解决"))
		if c.State != xinfang.CaseClosed {
			t.Fatalf("state %s", c.State)
		}
		_, err = db.Cases.SaveCaseStep(ctx, c.ID, v, &xinfang.PlanStep{Content: "再走访", Owner: "钱承办", Deadline: calendar.MustParseDate("2026-05-01")})
		wantErr(t, err, xinfang.ECONFLICT, "")

		events, err := db.Cases.FindCaseEvents(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var whats []string
		for _, e := range events {
			whats = append(whats, string(e.What))
		}
		want := "create,step_add,task_add,resolution,task_edit,resolve,sign_off,close"
		if strings.Join(whats, ",") != want {
			t.Errorf("history %v, want %s", whats, want)
		}
		if events[len(events)-1].ActorName != "钱承办" || events[len(events)-1].Data["to"] != "销号" {
			t.Errorf("last event %+v", events[len(events)-1])
		}
	})
}

func TestPetitionTasksHoldConclusion(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		ctx := w.Ctx(w.HandlerA)
		pid := w.Petition.ID
		if n, err := db.Cases.CountOpenTasks(ctx, pid); err != nil || n != 0 {
			t.Fatalf("open tasks of a new petition: %d %v", n, err)
		}
		t1 := &xinfang.Task{Kind: "person", Title: "张三本人工资", OwnerUserID: w.HandlerA.ID, Deadline: calendar.MustParseDate("2026-04-20")}
		t2 := &xinfang.Task{Kind: "unit", Title: "公安局追查欠薪逃匿", OwnerUnitID: w.Police.ID}
		for _, tk := range []*xinfang.Task{t1, t2} {
			if err := db.Cases.AddPetitionTask(ctx, pid, tk); err != nil {
				t.Fatal(err)
			}
		}
		wantErr(t, db.Cases.AddPetitionTask(ctx, pid, &xinfang.Task{Kind: "x", Title: ""}), xinfang.EINVALID, "kind")
		wantErr(t, db.Cases.AddPetitionTask(w.Ctx(w.HandlerB), pid, &xinfang.Task{Kind: "matter", Title: "越权", OwnerUnitID: w.TownB.ID}), xinfang.ENOTFOUND, "")
		if n, _ := db.Cases.CountOpenTasks(ctx, pid); n != 2 {
			t.Fatalf("open tasks %d, want 2", n)
		}
		if _, err := db.Cases.ChangePetitionTask(ctx, pid, t1.ID, 1, xinfang.TaskChange{State: xinfang.TaskDone, Note: "已结清"}); err != nil {
			t.Fatal(err)
		}
		_, err := db.Cases.ChangePetitionTask(ctx, pid, t1.ID, 1, xinfang.TaskChange{State: xinfang.TaskOpen})
		wantErr(t, err, xinfang.ECONFLICT, "version")
		_, err = db.Cases.ChangePetitionTask(ctx, pid, t2.ID, 1, xinfang.TaskChange{State: xinfang.TaskReleased})
		wantErr(t, err, xinfang.EINVALID, "release_reason")
		if n, _ := db.Cases.CountOpenTasks(ctx, pid); n != 1 {
			t.Fatalf("open tasks %d, want 1", n)
		}
		tk, err := db.Cases.ChangePetitionTask(ctx, pid, t2.ID, 1, xinfang.TaskChange{State: xinfang.TaskReleased, Reason: "已移送公安机关立案"})
		if err != nil || tk.State != xinfang.TaskReleased || tk.Version != 2 {
			t.Fatalf("release: %+v %v", tk, err)
		}
		if n, _ := db.Cases.CountOpenTasks(ctx, pid); n != 0 {
			t.Fatalf("open tasks %d, want 0: every task done or released", n)
		}
		list, err := db.Cases.FindPetitionTasks(ctx, pid)
		if err != nil || len(list) != 2 || list[1].OwnerUnitName != "示例市公安局" {
			t.Errorf("tasks %+v %v", list, err)
		}
	})
}

func TestInstructions(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		c := w.newCase(t, w.HandlerA, w.TownLeader)
		if _, err := db.Cases.SetCaseTeam(w.Ctx(w.HandlerA), c.ID, 1, []xinfang.CaseMember{{UserID: w.HeadA.ID, Role: "组长"}}); err != nil {
			t.Fatal(err)
		}
		_, err := db.Cases.AddInstruction(w.Ctx(w.HandlerA), &xinfang.Instruction{CaseID: c.ID, Text: "抓紧办理"})
		wantErr(t, err, xinfang.EFORBIDDEN, "")
		in := &xinfang.Instruction{CaseID: c.ID, Text: "请专班一周内拿出方案", ToUsers: []int64{w.HandlerA.ID}}
		got, err := db.Cases.AddInstruction(w.Ctx(w.Leader), in)
		if err != nil {
			t.Fatal(err)
		}
		want := []int64{w.HandlerA.ID, w.HeadA.ID, w.TownLeader.ID}
		sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("case instruction reaches %v, want %v", got, want)
		}
		if n := count(t, db, "notifications"); n != 3 {
			t.Errorf("the 批示 wrote %d inbox messages, want 3", n)
		}
		rc, err := db.Cases.FindCaseByID(w.Ctx(w.HeadA), c.ID)
		if err != nil || len(rc.Instructions) != 1 || rc.Instructions[0].AuthorName != "李市长" || rc.Version != 2 {
			t.Errorf("instructions on the case %+v %v", rc, err)
		}

		// On a petition: the users of the unit that has it.
		got, err = db.Cases.AddInstruction(w.Ctx(w.Leader), &xinfang.Instruction{PetitionID: w.Petition.ID, Text: "依法依规处理"})
		if err != nil {
			t.Fatal(err)
		}
		want = []int64{w.RegistrarA.ID, w.HandlerA.ID, w.HeadA.ID}
		sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("petition instruction reaches %v, want %v", got, want)
		}
		list, err := db.Cases.FindPetitionInstructions(w.Ctx(w.HandlerA), w.Petition.ID)
		if err != nil || len(list) != 1 {
			t.Errorf("petition instructions %v %v", list, err)
		}
		_, err = db.Cases.AddInstruction(w.Ctx(w.TownLeader), &xinfang.Instruction{PetitionID: w.Petition.ID, Text: "越权批示"})
		wantErr(t, err, xinfang.ENOTFOUND, "")

		// A 批示 carries the item's number and summary: it reaches nobody
		// who may not open the item.
		before := count(t, db, "notifications")
		_, err = db.Cases.AddInstruction(w.Ctx(w.Leader), &xinfang.Instruction{PetitionID: w.Petition.ID, Text: "请乙镇配合", ToUsers: []int64{w.HandlerB.ID}})
		wantErr(t, err, xinfang.EINVALID, "to_users")
		_, err = db.Cases.AddInstruction(w.Ctx(w.Leader), &xinfang.Instruction{PetitionID: w.Petition.ID, Text: "请乙镇配合", ToUnits: []int64{w.TownB.ID}})
		wantErr(t, err, xinfang.EINVALID, "to_units")
		if n := count(t, db, "notifications"); n != before {
			t.Errorf("refused 批示 wrote %d inbox messages", n-before)
		}
	})
}

// The scheduler's sources: plan steps and tasks near or past their
// deadline, addressed to their owners.
func TestCaseClocksDue(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		c := w.newCase(t, w.HandlerA, w.TownLeader)
		ctx := w.Ctx(w.HandlerA)
		c, err := db.Cases.SaveCaseStep(ctx, c.ID, c.Version, &xinfang.PlanStep{Content: "走访", OwnerID: w.HeadA.ID, Deadline: calendar.MustParseDate("2026-04-03")})
		if err != nil {
			t.Fatal(err)
		}
		c, err = db.Cases.SaveCaseStep(ctx, c.ID, c.Version, &xinfang.PlanStep{Content: "远期", Owner: "村干部", Deadline: calendar.MustParseDate("2026-05-30")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Cases.AddCaseTask(ctx, c.ID, c.Version, &xinfang.Task{Kind: "unit", Title: "公安核查", OwnerUnitID: w.Police.ID, Deadline: calendar.MustParseDate("2026-04-02")}); err != nil {
			t.Fatal(err)
		}
		if err := db.Cases.AddPetitionTask(ctx, w.Petition.ID, &xinfang.Task{Kind: "person", Title: "本人欠薪", OwnerUserID: w.HandlerA.ID, Deadline: calendar.MustParseDate("2026-04-20")}); err != nil {
			t.Fatal(err)
		}
		today := calendar.MustParseDate("2026-04-02")
		steps, err := db.Clocks.CaseStepsDue(context.Background(), today)
		if err != nil {
			t.Fatal(err)
		}
		if len(steps) != 1 || steps[0].Kind != "case_step" || steps[0].Due.String() != "2026-04-03" || fmt.Sprint(steps[0].Users) != fmt.Sprint([]int64{w.HeadA.ID, w.TownLeader.ID}) || steps[0].Severe.String() != "2026-04-05" {
			t.Errorf("steps due %+v", steps)
		}
		tasks, err := db.Clocks.TasksDue(context.Background(), today)
		if err != nil {
			t.Fatal(err)
		}
		if len(tasks) != 1 || tasks[0].UnitID != w.Police.ID || !strings.Contains(tasks[0].Title, "公安核查") {
			t.Errorf("tasks due %+v", tasks)
		}
		tasks, _ = db.Clocks.TasksDue(context.Background(), calendar.MustParseDate("2026-04-25"))
		if len(tasks) != 2 || fmt.Sprint(tasks[1].Users) != fmt.Sprint([]int64{w.HandlerA.ID}) || !strings.HasPrefix(tasks[1].Link, "/petitions/") {
			t.Errorf("tasks due later %+v", tasks)
		}
	})
}

// Case numbers stay unique and gap-free when several writers file cases at
// once (on PostgreSQL, as several instances would).
func TestCaseNumbersConcurrent(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		const n = 8
		var wg sync.WaitGroup
		numbers := make([]string, n)
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := &xinfang.Case{Title: fmt.Sprintf("积案 %d", i), Source: "city", Petitioners: "某某", ResponsibleUnitID: w.TownA.ID, LeaderID: w.Leader.ID}
				errs[i] = db.Cases.CreateCase(w.Ctx(w.HandlerA), c)
				numbers[i] = c.Number
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		sort.Strings(numbers)
		for i, num := range numbers {
			if want := fmt.Sprintf("JZ-JA-2026-%04d", i+1); num != want {
				t.Errorf("number %d = %s, want %s", i, num, want)
			}
		}
	})
}

// The procedure's 办结 is refused while a 三跨三分离 task of the petition is
// open, and allowed once every task is done or released.
func TestConcludeWaitsForTasks(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		clk := fixClock(db, at("2026-04-01"))
		id := w.Petition.ID
		act := func(a xinfang.Action, v int, data map[string]string) *xinfang.Petition {
			return w.MustAct(t, w.HandlerA, id, xinfang.ActionInput{Action: a, Version: v, Data: data})
		}
		p := act(xinfang.ActAccept, 1, nil)
		p = act(xinfang.ActReply, p.Version, map[string]string{"outcome": "support", "facts": "查明欠薪属实", "opinion": "责令支付"})
		p = act(xinfang.ActDeliver, p.Version, map[string]string{"method": "in_person", "delivered_on": "2026-04-01", "receipt": "signed", "petitioner_opinion": "agree"})
		tk := &xinfang.Task{Kind: "unit", Title: "公安局追查欠薪逃匿", OwnerUnitID: w.Police.ID}
		if err := db.Cases.AddPetitionTask(w.Ctx(w.HandlerA), id, tk); err != nil {
			t.Fatal(err)
		}
		clk.Set(at("2026-05-15")) // the 30-day review window has closed
		_, err := db.Petitions.Act(w.Ctx(w.HandlerA), id, xinfang.ActionInput{Action: xinfang.ActConclude, Version: p.Version})
		wantErr(t, err, xinfang.EINVALID, "tasks")
		if !strings.Contains(xinfang.ErrorMessage(err), "1 项") {
			t.Errorf("message %q", xinfang.ErrorMessage(err))
		}
		if got, _ := db.Petitions.FindPetitionByID(w.Ctx(w.HandlerA), id); got.State != xinfang.StateReplied || got.Version != p.Version {
			t.Fatalf("a refused conclusion changed the item: %s v%d", got.State, got.Version)
		}
		if _, err := db.Cases.ChangePetitionTask(w.Ctx(w.HandlerA), id, tk.ID, 1, xinfang.TaskChange{State: xinfang.TaskReleased, Reason: "已移送公安机关立案"}); err != nil {
			t.Fatal(err)
		}
		if p = act(xinfang.ActConclude, p.Version, nil); p.State != xinfang.StateConcluded {
			t.Fatalf("state %s, want concluded", p.State)
		}
	})
}

// Cases are found by full-text search within the case scope, and a new
// title is found after an update.
func TestCaseSearch(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		c := w.newCase(t, w.RegistrarA, w.Leader)
		hits, total, _, err := db.Search.SearchDocs(w.Ctx(w.Leader), xinfang.SearchCase, "工资拖欠", 10, 0)
		if err != nil || total != 1 || len(hits) != 1 || hits[0].ID != c.ID {
			t.Fatalf("leader's search: %+v %d %v", hits, total, err)
		}
		if hits, total, _, err := db.Search.SearchDocs(w.Ctx(w.HandlerB), xinfang.SearchCase, "工资拖欠", 10, 0); err != nil || total != 0 || len(hits) != 0 {
			t.Errorf("another town's handler finds the case: %+v %d %v", hits, total, err)
		}
		title := "东村养殖场污染积案"
		if _, err := db.Cases.UpdateCase(w.Ctx(w.RegistrarA), c.ID, c.Version, xinfang.CaseUpdate{Title: &title}); err != nil {
			t.Fatal(err)
		}
		if _, total, _, _ := db.Search.SearchDocs(w.Ctx(w.Leader), xinfang.SearchCase, "养殖场", 10, 0); total != 1 {
			t.Errorf("updated title not found: total %d", total)
		}
	})
}

// A 检举控告 linked to a case does not show its number in the case's
// history to the town it accuses, which reads the case.
func TestCaseHistoryHidesAccusations(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		acc := w.NewPetition(w.VillageA, 9)
		acc.Purpose, acc.Category, acc.Summary, acc.Accused = xinfang.PurposeAccusation, "0402", "举报镇干部收受礼金", "甲镇某干部"
		w.MustRegister(t, w.BureauRegistrar, acc)
		ordinary := w.Petition // registered by town A
		c := &xinfang.Case{Title: "东村积案", Source: "repeat", Petitioners: "张三", ResponsibleUnitID: w.TownA.ID,
			LeaderID: w.Leader.ID, PetitionIDs: []int64{acc.ID, ordinary.ID}, Deadline: calendar.MustParseDate("2026-06-30")}
		if err := db.Cases.CreateCase(w.Ctx(w.BureauRegistrar), c); err != nil {
			t.Fatal(err)
		}
		history := func(u *xinfang.User) string {
			t.Helper()
			evs, err := db.Cases.FindCaseEvents(w.Ctx(u), c.ID)
			if err != nil {
				t.Fatal(err)
			}
			return evs[0].Data["petitions"]
		}
		if got := history(w.HandlerA); strings.Contains(got, acc.Number) || !strings.Contains(got, ordinary.Number) || !strings.Contains(got, "另有 1 件无权查看") {
			t.Errorf("town A reads the history as %q", got)
		}
		if got := history(w.BureauRegistrar); !strings.Contains(got, acc.Number) || !strings.Contains(got, ordinary.Number) {
			t.Errorf("the registrar of both reads %q", got)
		}
	})
}

// TestCasesByNumber: a case is found by its number (in any case of
// letters) within the scope, and a 督办单 on a case carries the case's
// number, so that no page shows a case by its internal id.
func TestCasesByNumber(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		c := w.newCase(t, w.HandlerA, w.Leader)
		got, err := db.Cases.FindCaseByNumber(w.Ctx(w.HandlerA), " "+strings.ToLower(c.Number)+" ")
		if err != nil || got.ID != c.ID {
			t.Fatalf("by number: %v, %v", got, err)
		}
		_, err = db.Cases.FindCaseByNumber(w.Ctx(w.HandlerB), c.Number)
		wantErr(t, err, xinfang.ENOTFOUND, "")
		_, err = db.Cases.FindCaseByNumber(w.Ctx(w.HandlerA), "JZ-JA-2026-9999")
		wantErr(t, err, xinfang.ENOTFOUND, "")

		sup := supUser(t, db, "xfj.sup", w.Bureau, xinfang.RoleSupervisor)
		s := &xinfang.Supervision{TargetUnitID: w.TownA.ID, CaseID: c.ID, Requirements: "限期化解", Deadline: calendar.MustParseDate("2026-04-20")}
		if err := db.Supervisions.CreateSupervision(w.Ctx(sup), s); err != nil {
			t.Fatal(err)
		}
		read, err := db.Supervisions.FindSupervisionByID(w.Ctx(sup), s.ID)
		if err != nil || s.CaseNumber != c.Number || read.CaseNumber != c.Number {
			t.Errorf("the 督办单's case number: created %q, read %q (%v), want %s", s.CaseNumber, read.CaseNumber, err, c.Number)
		}
	})
}

// TestCaseLedgerOrder: the ledger lists the open cases first, the overdue
// among them first, then the resolved, then the struck-off ones.
func TestCaseLedgerOrder(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		mk := func(deadline, state string) int64 {
			c := w.newCase(t, w.HandlerA, w.Leader)
			if _, err := db.RawSQL().Exec(db.Rebind(`UPDATE cases SET deadline = ?, state = ? WHERE id = ?`), deadline, state, c.ID); err != nil {
				t.Fatal(err)
			}
			return c.ID
		}
		closed := mk("2026-01-10", string(xinfang.CaseClosed))
		resolved := mk("2026-02-10", string(xinfang.CaseResolved))
		later := mk("2026-09-30", string(xinfang.CaseResolving))
		overdue := mk("2026-03-01", string(xinfang.CaseUnresolved))
		list, _, err := db.Cases.FindCases(w.Ctx(w.HandlerA), xinfang.CaseFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, c := range list {
			got = append(got, c.ID)
		}
		if want := []int64{overdue, later, resolved, closed}; !slices.Equal(got, want) {
			t.Errorf("ledger order %v, want %v (overdue, open, resolved, struck off)", got, want)
		}
	})
}
