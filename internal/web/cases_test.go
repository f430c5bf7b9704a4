package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"xinfang"
	"xinfang/internal/xlsx"
)

// caseJSON is a case as the API shows it.
type caseJSON struct {
	xinfang.Case
}

func (c caseJSON) path() string { return "/api/v1/cases/" + strconv.FormatInt(c.ID, 10) }

// caseSheetRows opens an xlsx reply and returns the rows of sheet.
func caseSheetRows(t *testing.T, r *apiResp, sheet string) [][]string {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("export: %s", r)
	}
	if ct := r.Header.Get("Content-Type"); ct != xlsx.ContentType {
		t.Fatalf("export content type %q", ct)
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatalf("open the workbook: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestCaseAPI files a case from a petition and takes it through the
// closure rule to 销号 over the API, with the scope, the version check and
// the exports on the way.
func TestCaseAPI(t *testing.T) {
	env := newAPIEnv(t, "2026-04-01T09:00")
	reg := env.user(t, "za_reg", "ZA", xinfang.RoleRegistrar, xinfang.RoleHandler)
	leader := env.user(t, "xc_leader", "XC", xinfang.RoleLeader)
	zb := env.user(t, "zb_h", "ZB", xinfang.RoleHandler)
	za, zbUnit := env.Units["ZA"], env.Units["ZB"]
	p := reg.register(t, registration("2026-04-01T08:30:00+08:00", za.ID, nil))

	// A case refused for a team member who does not exist leaves nothing:
	// no case, no number used.
	wantError(t, reg.do(t, "POST", "/api/v1/cases", map[string]any{
		"title": "废案", "source": "repeat", "petitioners": "张三", "responsible_unit_id": za.ID, "leader_id": leader.ID,
		"petition_ids": []int64{p.ID}, "team": []map[string]any{{"user_id": 999999, "role": "组长"}},
	}), http.StatusUnprocessableEntity, "team.0.user_id")
	var none struct{ Total int }
	reg.ok(t, http.StatusOK, "GET", "/api/v1/cases", nil, &none)
	if none.Total != 0 {
		t.Fatalf("a refused case left %d cases behind", none.Total)
	}

	var c caseJSON
	reg.ok(t, http.StatusCreated, "POST", "/api/v1/cases", map[string]any{
		"title": "张三工资拖欠积案", "source": "repeat", "petitioners": "张三", "responsible_unit_id": za.ID, "leader_id": leader.ID,
		"petition_ids": []int64{p.ID}, "deadline": "2026-06-30", "tags": []string{"consult", "trace"},
		"team": []map[string]any{{"user_id": reg.ID, "role": "组长"}, {"name": "刘律师", "role": "法律顾问"}},
	}, &c)
	if c.Number != "ZA-JA-2026-0001" || c.State != xinfang.CaseUnresolved || len(c.Team) != 2 || c.Version != 1 || fmt.Sprint(c.Tags) != "[trace consult]" {
		t.Fatalf("created %+v", c.Case)
	}
	wantError(t, reg.do(t, "POST", "/api/v1/cases", map[string]any{"title": "", "source": "x", "responsible_unit_id": za.ID, "leader_id": reg.ID}), http.StatusUnprocessableEntity, "source")
	wantError(t, reg.do(t, "POST", "/api/v1/cases", map[string]any{"title": "x", "source": "self", "petitioners": "某", "responsible_unit_id": za.ID, "leader_id": reg.ID}), http.StatusUnprocessableEntity, "leader_id")

	// Another town sees nothing of it.
	wantError(t, zb.do(t, "GET", c.path(), nil), http.StatusNotFound, "")
	wantError(t, zb.do(t, "GET", c.path()+"/sheet.xlsx", nil), http.StatusNotFound, "")
	var pg struct{ Total int }
	zb.ok(t, http.StatusOK, "GET", "/api/v1/cases", nil, &pg)
	if pg.Total != 0 {
		t.Errorf("town B lists %d cases", pg.Total)
	}
	wantError(t, reg.do(t, "GET", "/api/v1/cases?colour=red", nil), http.StatusUnprocessableEntity, "colour")

	reg.ok(t, http.StatusOK, "POST", c.path()+"/steps", map[string]any{"version": c.Version, "content": "核查工资台账", "owner_id": reg.ID, "deadline": "2026-04-10"}, &c)
	if c.State != xinfang.CaseResolving || len(c.Plan) != 1 {
		t.Fatalf("after a step: %s %+v", c.State, c.Plan)
	}
	reg.ok(t, http.StatusOK, "POST", c.path()+"/tasks", map[string]any{"version": c.Version, "kind": "unit", "title": "乙镇核查用工单位", "owner_unit_id": zbUnit.ID}, &c)
	// The task's owner unit does not open the case to town B; its owner user would.
	reg.ok(t, http.StatusOK, "POST", c.path()+"/consultations", map[string]any{"version": c.Version, "date": "2026-04-01",
		"attendees": []map[string]string{{"kind": "petitioner", "name": "张三"}, {"kind": "lawyer", "name": "刘律师"}}, "findings": "欠薪属实", "decisions": "限期支付"}, &c)
	reg.ok(t, http.StatusOK, "POST", c.path()+"/progress", map[string]any{"version": c.Version, "text": "已约谈用工单位"}, &c)

	// 销号 now: every missing record is named.
	e := wantError(t, reg.do(t, "POST", c.path()+"/actions/close", map[string]any{"version": c.Version}), http.StatusUnprocessableEntity, "")
	for _, f := range []string{"resolution.facts", "resolution.solution", "resolution.petitioner_position", "resolution.followup", "tasks", "state", "sign_off"} {
		if e.Error.Fields[f] == "" {
			t.Errorf("销号 refused without naming %s: %+v", f, e.Error)
		}
	}
	stale := c.Version
	reg.ok(t, http.StatusOK, "PUT", c.path()+"/resolution", map[string]any{"version": c.Version, "facts": "欠薪 3 个月属实", "solution": "solved",
		"solution_text": "用工单位已支付 2.4 万元", "petitioner_position": "满意", "followup": map[string]any{"date": "2026-04-01", "by": "za_reg", "how": "当面", "settled": true}}, &c)
	wantError(t, reg.do(t, "POST", c.path()+"/actions/resolve", map[string]any{"version": stale}), http.StatusConflict, "version")
	e = wantError(t, reg.do(t, "POST", c.path()+"/actions/resolve", map[string]any{"version": c.Version}), http.StatusUnprocessableEntity, "tasks")
	if len(e.Error.Fields) != 1 {
		t.Errorf("only the open task is missing: %+v", e.Error)
	}
	wantError(t, reg.do(t, "PUT", fmt.Sprintf("%s/tasks/%d", c.path(), c.Tasks[0].ID), map[string]any{"version": c.Version, "state": "released"}), http.StatusUnprocessableEntity, "release_reason")
	reg.ok(t, http.StatusOK, "PUT", fmt.Sprintf("%s/tasks/%d", c.path(), c.Tasks[0].ID), map[string]any{"version": c.Version, "state": "released", "release_reason": "用工单位已结清，无需核查"}, &c)
	reg.ok(t, http.StatusOK, "POST", c.path()+"/actions/resolve", map[string]any{"version": c.Version}, &c)
	if c.State != xinfang.CaseResolved {
		t.Fatalf("state %s", c.State)
	}
	// Only the case's leader signs off.
	wantError(t, reg.do(t, "POST", c.path()+"/sign-off", map[string]any{"version": c.Version}), http.StatusForbidden, "sign_off")
	e = wantError(t, reg.do(t, "POST", c.path()+"/actions/close", map[string]any{"version": c.Version}), http.StatusUnprocessableEntity, "sign_off")
	if len(e.Error.Fields) != 1 {
		t.Errorf("only the sign-off is missing: %+v", e.Error)
	}
	var mine struct {
		Items []struct {
			Case caseJSON
			Late []struct{ Kind, Text string }
		}
	}
	leader.ok(t, http.StatusOK, "GET", "/api/v1/leaders/me/cases", nil, &mine)
	if len(mine.Items) != 1 || mine.Items[0].Case.ID != c.ID {
		t.Fatalf("我包的案: %+v", mine)
	}
	env.setNow(t, "2026-04-12T09:00")
	leader.ok(t, http.StatusOK, "GET", "/api/v1/leaders/me/cases", nil, &mine)
	if len(mine.Items[0].Late) != 1 || mine.Items[0].Late[0].Text != "核查工资台账" {
		t.Errorf("the undone step past its deadline is late: %+v", mine.Items[0].Late)
	}
	leader.ok(t, http.StatusOK, "POST", c.path()+"/sign-off", map[string]any{"version": c.Version, "note": "同意销号"}, &c)
	reg.ok(t, http.StatusOK, "POST", c.path()+"/actions/close", map[string]any{"version": c.Version}, &c)
	if c.State != xinfang.CaseClosed || c.SignOff == nil {
		t.Fatalf("after 销号: %s %+v", c.State, c.SignOff)
	}
	var events struct{ Items []xinfang.CaseEvent }
	reg.ok(t, http.StatusOK, "GET", c.path()+"/events", nil, &events)
	if n := len(events.Items); n < 10 || events.Items[n-1].What != "close" || events.Items[n-2].What != "sign_off" {
		t.Errorf("history %+v", events.Items)
	}

	// Instructions on the petition reach its unit.
	var ins struct {
		Instruction xinfang.Instruction
		Recipients  []int64
	}
	leader.ok(t, http.StatusCreated, "POST", p.path()+"/instructions", map[string]any{"text": "依法依规办理"}, &ins)
	if len(ins.Recipients) != 1 || ins.Recipients[0] != reg.ID {
		t.Errorf("recipients %v", ins.Recipients)
	}
	wantError(t, reg.do(t, "POST", p.path()+"/instructions", map[string]any{"text": "我也批示"}), http.StatusForbidden, "")

	// Exports: the ledger with the list's filters, and the case's sheet.
	rows := caseSheetRows(t, leader.do(t, "GET", "/api/v1/cases.xlsx?state=closed", nil), xlsx.LedgerSheetName)
	if len(rows) != 2 || rows[1][1] != c.Number || rows[1][9] != "销号" || rows[1][6] != "xc_leader" {
		t.Errorf("ledger rows %v", rows)
	}
	if rows := caseSheetRows(t, leader.do(t, "GET", "/api/v1/cases.xlsx?state=unresolved", nil), xlsx.LedgerSheetName); len(rows) != 1 {
		t.Errorf("filtered ledger rows %v", rows)
	}
	if rows := caseSheetRows(t, zb.do(t, "GET", "/api/v1/cases.xlsx", nil), xlsx.LedgerSheetName); len(rows) != 1 {
		t.Errorf("town B exports %d rows", len(rows)-1)
	}
	wantError(t, leader.do(t, "GET", "/api/v1/cases.xlsx?limit=5", nil), http.StatusUnprocessableEntity, "limit")
	sheet := caseSheetRows(t, reg.do(t, "GET", c.path()+"/sheet.xlsx", nil), xlsx.CaseSheetName)
	var text strings.Builder
	for _, r := range sheet {
		text.WriteString(strings.Join(r, "|") + "\n")
	}
	for _, want := range []string{"编号|" + c.Number + "|状态|销号", "核查工资台账", "乙镇核查用工单位", "欠薪 3 个月属实", "包案领导签字|xc_leader"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("一案一表 lacks %q:\n%s", want, text.String())
		}
	}
}

// TestPetitionTaskAPI splits a petition into tasks and holds it open
// until each is done or released.
func TestPetitionTaskAPI(t *testing.T) {
	env := newAPIEnv(t, "2026-04-01T09:00")
	reg := env.user(t, "za_reg", "ZA", xinfang.RoleRegistrar, xinfang.RoleHandler)
	zb := env.user(t, "zb_h", "ZB", xinfang.RoleHandler)
	p := reg.register(t, registration("2026-04-01T08:30:00+08:00", env.Units["ZA"].ID, nil))
	var tk xinfang.Task
	reg.ok(t, http.StatusCreated, "POST", p.path()+"/tasks", map[string]any{"kind": "person", "title": "张三本人欠薪", "owner_user_id": reg.ID, "deadline": "2026-04-20"}, &tk)
	wantError(t, zb.do(t, "POST", p.path()+"/tasks", map[string]any{"kind": "person", "title": "x", "owner_user_id": zb.ID}), http.StatusNotFound, "")
	if n, err := env.DB.Cases.CountOpenTasks(context.Background(), p.ID); err != nil || n != 1 {
		t.Fatalf("open tasks %d %v", n, err)
	}
	path := fmt.Sprintf("%s/tasks/%d", p.path(), tk.ID)
	reg.ok(t, http.StatusOK, "PUT", path, map[string]any{"version": tk.Version, "state": "done", "note": "已结清"}, &tk)
	wantError(t, reg.do(t, "PUT", path, map[string]any{"version": 1, "state": "open"}), http.StatusConflict, "version")
	var list struct{ Items []xinfang.Task }
	reg.ok(t, http.StatusOK, "GET", p.path()+"/tasks", nil, &list)
	if len(list.Items) != 1 || list.Items[0].State != xinfang.TaskDone || list.Items[0].OwnerUserName != "za_reg" {
		t.Errorf("tasks %+v", list.Items)
	}
	if n, _ := env.DB.Cases.CountOpenTasks(context.Background(), p.ID); n != 0 {
		t.Errorf("open tasks %d after done", n)
	}
}

var caseVersionRE = regexp.MustCompile(`name="version" value="(\d+)"`)

// caseLeader adds a city leader to the page app.
func caseLeader(t *testing.T, a *pageApp) *xinfang.User {
	t.Helper()
	u := &xinfang.User{Username: "city_leader", Name: "周市长", UnitID: a.Units["city"].ID, Roles: []xinfang.Role{xinfang.RoleLeader}}
	if err := a.DB.Directory.CreateUser(context.Background(), u, pagePassword); err != nil {
		t.Fatal(err)
	}
	a.Users[u.Username] = u
	return u
}

func TestCasePages(t *testing.T) {
	a := newPageApp(t)
	leader := caseLeader(t, a)
	p := a.seedPetition(t, "a_staff", "张建国", validIDNumber("11010519800101123"), "反映拖欠工资问题")
	c := a.client(t)
	c.login("a_staff")
	csrf := c.csrf()

	home := c.get("/")
	wantPageContains(t, home, "menu", `href="/cases"`, "积案台账")
	if strings.Contains(home.Body, "我包的案") {
		t.Error("a handler sees 我包的案")
	}

	form := c.get("/cases/new?petition=" + strconv.FormatInt(p.ID, 10))
	wantPageStatus(t, form, http.StatusOK, "new case form")
	wantPageContains(t, form, "prefilled form", `value="反映拖欠工资问题"`, `value="张建国"`, `value="`+p.Number+`"`, "周市长")

	bad := c.post("/cases", url.Values{"csrf_token": {csrf}, "title": {"x"}, "source": {"repeat"}, "petitioners": {"张建国"},
		"responsible_unit_id": {strconv.FormatInt(a.Units["townA"].ID, 10)}, "petitions": {"TA-2099-000001"}})
	wantPageStatus(t, bad, http.StatusUnprocessableEntity, "bad case")
	wantPageContains(t, bad, "messages", "TA-2099-000001 不存在或无权查看", "请指定包案领导")

	res := c.post("/cases", url.Values{"csrf_token": {csrf}, "title": {"张建国欠薪积案"}, "source": {"repeat"}, "petitioners": {"张建国"},
		"responsible_unit_id": {strconv.FormatInt(a.Units["townA"].ID, 10)}, "leader_id": {strconv.FormatInt(leader.ID, 10)},
		"petitions": {p.Number}, "deadline": {"2026-06-30"}, "tags": {"trace", "consult"}})
	wantPageStatus(t, res, http.StatusSeeOther, "create case")
	casePath := strings.SplitN(res.Location, "?", 2)[0]
	page := c.get(res.Location)
	wantPageStatus(t, page, http.StatusOK, "case page")
	wantPageContains(t, page, "case page", "TA-JA-2026-0001", "已立案", "未化解", "周市长", p.Number, "溯源", "会诊")

	version := func(body string) string {
		m := caseVersionRE.FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no version on the case page")
		}
		return m[1]
	}
	res = c.post(casePath+"/steps", url.Values{"csrf_token": {csrf}, "version": {version(page.Body)}, "content": {"核查工资发放台账"}, "owner": {"李承办"}, "deadline": {"2026-03-05"}})
	wantPageStatus(t, res, http.StatusSeeOther, "add step")
	page = c.get(casePath)
	wantPageContains(t, page, "after step", "核查工资发放台账", "化解中")

	res = c.post(casePath+"/actions/close", url.Values{"csrf_token": {csrf}, "version": {version(page.Body)}})
	wantPageStatus(t, res, http.StatusUnprocessableEntity, "close refused")
	wantPageContains(t, res, "refusal", "「销号」未完成", "未记录查清的事实", "未记录问题已解决或已依法终结", "未记录信访人对处理结果的意见", "未记录回访", "包案领导")

	res = c.post(casePath+"/steps", url.Values{"csrf_token": {csrf}, "version": {"1"}, "content": {"走访"}, "owner": {"李承办"}, "deadline": {"2026-03-05"}})
	wantPageStatus(t, res, http.StatusConflict, "stale form")
	wantPageContains(t, res, "stale", "已被他人修改")

	// Another town: not found; the sheet prints.
	other := a.client(t)
	other.login("b_staff")
	wantPageStatus(t, other.get(casePath), http.StatusNotFound, "town B opens town A's case")
	wantPageStatus(t, other.get(casePath+"/print"), http.StatusNotFound, "town B prints town A's case")
	pr := c.get(casePath + "/print")
	wantPageStatus(t, pr, http.StatusOK, "print")
	wantPageContains(t, pr, "sheet", "信访积案一案一表", "TA-JA-2026-0001", "核查工资发放台账", "返回积案")

	ledger := c.get("/cases?state=resolving")
	wantPageContains(t, ledger, "ledger", "TA-JA-2026-0001", `href="/api/v1/cases.xlsx?state=resolving"`)
	if l := c.get("/cases?state=closed"); strings.Contains(l.Body, "TA-JA-2026-0001") {
		t.Error("the ledger filter by state does not filter")
	}

	// 三跨三分离 on the petition.
	tp := "/petitions/" + strconv.FormatInt(p.ID, 10) + "/tasks"
	wantPageContains(t, c.get(tp), "task page", "三跨三分离", "未拆分任务")
	res = c.post(tp, url.Values{"csrf_token": {csrf}, "kind": {"unit"}, "title": {""}})
	wantPageStatus(t, res, http.StatusUnprocessableEntity, "bad task")
	wantPageContains(t, res, "bad task", "请填写任务内容")
	res = c.post(tp, url.Values{"csrf_token": {csrf}, "kind": {"unit"}, "title": {"西城镇核查"}, "owner_unit_id": {strconv.FormatInt(a.Units["townB"].ID, 10)}})
	wantPageStatus(t, res, http.StatusSeeOther, "add task")
	wantPageContains(t, c.get(tp), "task listed", "西城镇核查", "办理中")

	// The leader sees 我包的案.
	lc := a.client(t)
	lc.login("city_leader")
	mine := lc.get("/cases/mine")
	wantPageStatus(t, mine, http.StatusOK, "我包的案")
	wantPageContains(t, mine, "我包的案", "TA-JA-2026-0001", "逾期", "核查工资发放台账")
}

// One member of the team and the completion of one step are changes of
// their own, in the API as on the case page, with the same rules.
func TestCaseMemberAndStepDone(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-04-01T09:00")
	reg := env.user(t, "za_reg", "ZA", xinfang.RoleRegistrar, xinfang.RoleHandler)
	leader := env.user(t, "xc_leader", "XC", xinfang.RoleLeader)
	za := env.Units["ZA"]
	var c caseJSON
	reg.ok(t, http.StatusCreated, "POST", "/api/v1/cases", map[string]any{"title": "张三工资拖欠积案", "source": "repeat", "petitioners": "张三",
		"responsible_unit_id": za.ID, "leader_id": leader.ID, "team": []map[string]any{{"user_id": reg.ID, "role": "组长"}}}, &c)

	// API: add, refuse, remove a member.
	reg.ok(t, http.StatusOK, "POST", c.path()+"/team/members", map[string]any{"version": c.Version, "name": "刘律师", "role": "法律顾问"}, &c)
	if len(c.Team) != 2 || c.Team[1].Name != "刘律师" || c.Team[0].Role != "组长" {
		t.Fatalf("team %+v", c.Team)
	}
	wantError(t, reg.do(t, "POST", c.path()+"/team/members", map[string]any{"version": c.Version, "name": "王五"}), http.StatusUnprocessableEntity, "role")
	wantError(t, reg.do(t, "POST", c.path()+"/team/members", map[string]any{"version": c.Version - 1, "name": "王五", "role": "成员"}), http.StatusConflict, "version")
	wantError(t, reg.do(t, "DELETE", c.path()+"/team/members/999999?version="+strconv.Itoa(c.Version), nil), http.StatusNotFound, "")
	wantError(t, reg.do(t, "DELETE", fmt.Sprintf("%s/team/members/%d", c.path(), c.Team[1].ID), nil), http.StatusUnprocessableEntity, "version")
	reg.ok(t, http.StatusOK, "DELETE", fmt.Sprintf("%s/team/members/%d?version=%d", c.path(), c.Team[1].ID, c.Version), nil, &c)
	if len(c.Team) != 1 || c.Team[0].Role != "组长" {
		t.Fatalf("team after removal %+v", c.Team)
	}

	// API: a step recorded as done keeps what it was. Done on a day that
	// has come: the clock moves to 3 April.
	env.setNow(t, "2026-04-03T09:00")
	reg.ok(t, http.StatusOK, "POST", c.path()+"/steps", map[string]any{"version": c.Version, "content": "核查工资台账", "owner": "李承办", "deadline": "2026-04-10"}, &c)
	step := fmt.Sprintf("%s/steps/%d/done", c.path(), c.Plan[0].ID)
	wantError(t, reg.do(t, "POST", step, map[string]any{"version": c.Version}), http.StatusUnprocessableEntity, "done_on")
	wantError(t, reg.do(t, "POST", c.path()+"/steps/999999/done", map[string]any{"version": c.Version, "done_on": "2026-04-02"}), http.StatusNotFound, "")
	reg.ok(t, http.StatusOK, "POST", step, map[string]any{"version": c.Version, "done_on": "2026-04-02", "evidence": "台账复印件"}, &c)
	if s := c.Plan[0]; s.DoneOn.String() != "2026-04-02" || s.Evidence != "台账复印件" || s.Content != "核查工资台账" || s.Owner != "李承办" || s.Deadline.String() != "2026-04-10" {
		t.Errorf("step after done %+v", s)
	}

	// The page's forms post to the same changes.
	form := func(path string, v url.Values) (int, string, string) {
		t.Helper()
		st, loc, body := reg.page(t, "POST", path, v)
		return st, body, loc
	}
	page := "/cases/" + strconv.FormatInt(c.ID, 10)
	if st, body, loc := form(page+"/team/members", url.Values{"version": {strconv.Itoa(c.Version)}, "name": {"赵专家"}, "role": {"成员"}}); st != http.StatusSeeOther || !strings.HasPrefix(loc, page+"?done=member") {
		t.Fatalf("add member on the page: %d %s", st, pageExcerpt(body))
	}
	reg.ok(t, http.StatusOK, "GET", c.path(), nil, &c)
	if st, body, _ := form(fmt.Sprintf("%s/team/members/%d/remove", page, c.Team[1].ID), url.Values{"version": {strconv.Itoa(c.Version)}}); st != http.StatusSeeOther {
		t.Fatalf("remove member on the page: %d %s", st, pageExcerpt(body))
	}
	reg.ok(t, http.StatusOK, "POST", c.path()+"/steps", map[string]any{"version": c.Version + 1, "content": "约谈用工单位", "owner": "李承办", "deadline": "2026-04-20"}, &c)
	if st, body, _ := form(fmt.Sprintf("%s/steps/%d/done", page, c.Plan[1].ID), url.Values{"version": {strconv.Itoa(c.Version)}, "done_on": {""}}); st != http.StatusUnprocessableEntity || !strings.Contains(body, "请填写完成日期") {
		t.Fatalf("step done without a date on the page: %d", st)
	}
	if st, body, loc := form(fmt.Sprintf("%s/steps/%d/done", page, c.Plan[1].ID), url.Values{"version": {strconv.Itoa(c.Version)}, "done_on": {"2026-04-03"}, "evidence": {"约谈笔录"}}); st != http.StatusSeeOther || !strings.Contains(loc, "done=step_done") {
		t.Fatalf("step done on the page: %d %s", st, pageExcerpt(body))
	}
	reg.ok(t, http.StatusOK, "GET", c.path(), nil, &c)
	if len(c.Team) != 1 || c.Plan[1].DoneOn.String() != "2026-04-03" || c.Plan[1].Content != "约谈用工单位" {
		t.Errorf("after the page's forms: team %+v, plan %+v", c.Team, c.Plan[1])
	}
	// The history names the step by its content, never by its internal id.
	_, _, body := reg.page(t, "GET", page, nil)
	history := body[strings.Index(body, `id="history"`):]
	if !strings.Contains(history, "约谈用工单位") || strings.Contains(history, "<dt>步骤</dt>") {
		t.Errorf("the history of the step done:\n%s", pageExcerpt(history))
	}
}

// TestMyCasesFilter: 我包的案 sums up all the leader's cases and lists
// those the filter keeps; an unknown state is refused, naming the field.
func TestMyCasesFilter(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-04-01T09:00")
	reg := env.user(t, "za_reg", "ZA", xinfang.RoleRegistrar, xinfang.RoleHandler)
	leader := env.user(t, "xc_leader", "XC", xinfang.RoleLeader)
	for i, deadline := range []string{"2026-03-20", "2026-06-30"} {
		var c caseJSON
		reg.ok(t, http.StatusCreated, "POST", "/api/v1/cases", map[string]any{"title": fmt.Sprintf("积案%d", i), "source": "repeat", "petitioners": "张三",
			"responsible_unit_id": env.Units["ZA"].ID, "leader_id": leader.ID, "deadline": deadline}, &c)
	}
	total := regexp.MustCompile(`id="mine-total">(\d+)<`)
	for query, want := range map[string]string{"": "2", "?overdue=1": "1", "?state=unresolved": "2", "?state=resolved": "0"} {
		status, _, body := leader.page(t, "GET", "/cases/mine"+query, nil)
		m := total.FindStringSubmatch(body)
		if status != http.StatusOK || m == nil || m[1] != want {
			t.Errorf("/cases/mine%s: %d, listed %v, want %s", query, status, m, want)
		}
		if !strings.Contains(body, `id="mine-overdue">1<`) {
			t.Errorf("/cases/mine%s: the summary does not count the overdue case", query)
		}
	}
	if status, _, body := leader.page(t, "GET", "/cases/mine?state=bogus", nil); status != http.StatusUnprocessableEntity || !strings.Contains(body, "未知的积案状态") {
		t.Errorf("an unknown state: %d", status)
	}
}
