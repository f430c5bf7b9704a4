package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"xinfang"
	"xinfang/internal/app"
	"xinfang/internal/calendar"
)

func supMust(t *testing.T, page, want string) {
	t.Helper()
	if !strings.Contains(page, want) {
		t.Fatalf("page lacks %q:\n%s", want, page)
	}
}

// supervisionView is a 督办单 as the API shows it.
type supervisionView struct {
	xinfang.Supervision
}

func (s supervisionView) path() string { return "/api/v1/supervisions/" + strconv.FormatInt(s.ID, 10) }

type supInboxPage struct {
	Items  []xinfang.Notification
	Total  int
	Unread int
}

func TestSupervisionAPI(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	reg := env.user(t, "za_reg", "ZA", xinfang.RoleRegistrar)
	handler := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	head := env.user(t, "za_head", "ZA", xinfang.RoleUnitHead)
	other := env.user(t, "zb_handler", "ZB", xinfang.RoleHandler)
	sup := env.user(t, "xfj_sup", "XFJ", xinfang.RoleSupervisor)
	p := reg.register(t, registration("2026-03-02T08:30:00+08:00", env.Units["ZA"].ID, nil))

	body := map[string]any{"target_unit_id": env.Units["ZA"].ID, "petition_id": p.ID, "requirements": "请查清事实，按期书面反馈", "deadline": "2026-03-09", "listed": true}
	wantError(t, handler.do(t, "POST", "/api/v1/supervisions", body), http.StatusForbidden, "")
	wantError(t, sup.do(t, "POST", "/api/v1/supervisions", map[string]any{"target_unit_id": env.Units["ZA"].ID, "deadline": "2026-03-01"}), http.StatusUnprocessableEntity, "deadline")
	wantError(t, sup.do(t, "POST", "/api/v1/supervisions", map[string]any{"number": "DB-1"}), http.StatusUnprocessableEntity, "number")
	var s supervisionView
	sup.ok(t, http.StatusCreated, "POST", "/api/v1/supervisions", body, &s)
	if s.Number != "DB-2026-0001" || s.State != xinfang.SupervisionOpen || !s.Listed || s.PetitionNumber != p.Number || s.TargetUnit.Name != "甲镇" {
		t.Fatalf("created %+v", s.Supervision)
	}

	// Scope: town B does not see it; town A and the issuer do.
	wantError(t, other.do(t, "GET", s.path(), nil), http.StatusNotFound, "")
	var pg struct {
		Items []xinfang.Supervision
		Total int
	}
	other.ok(t, http.StatusOK, "GET", "/api/v1/supervisions", nil, &pg)
	if pg.Total != 0 {
		t.Fatalf("town B sees %d", pg.Total)
	}
	handler.ok(t, http.StatusOK, "GET", "/api/v1/supervisions?state=open&listed=true&target_unit_id="+strconv.FormatInt(env.Units["ZA"].ID, 10), nil, &pg)
	if pg.Total != 1 || pg.Items[0].ID != s.ID {
		t.Fatalf("town A list %+v", pg)
	}
	wantError(t, sup.do(t, "GET", "/api/v1/supervisions?colour=red", nil), http.StatusUnprocessableEntity, "colour")
	wantError(t, sup.do(t, "GET", "/api/v1/supervisions?state=lost", nil), http.StatusUnprocessableEntity, "state")

	// 催办 by the issuer reaches town A's handler and head.
	wantError(t, handler.do(t, "POST", s.path()+"/reminders", map[string]any{"text": "催"}), http.StatusForbidden, "")
	sup.ok(t, http.StatusCreated, "POST", s.path()+"/reminders", map[string]any{"text": "请于 3 月 6 日前反馈"}, &s)
	if len(s.Reminders) != 1 {
		t.Fatalf("reminders %+v", s.Reminders)
	}
	var unread map[string]int
	head.ok(t, http.StatusOK, "GET", "/api/v1/notifications/unread", nil, &unread)
	if unread["unread"] != 2 {
		t.Fatalf("head unread %v", unread)
	}

	// Feedback closes the clock; a second one conflicts; the issuer closes.
	wantError(t, other.do(t, "POST", s.path()+"/feedback", map[string]any{"text": "x"}), http.StatusNotFound, "")
	wantError(t, handler.do(t, "POST", s.path()+"/feedback", map[string]any{"text": ""}), http.StatusUnprocessableEntity, "text")
	handler.ok(t, http.StatusOK, "POST", s.path()+"/feedback", map[string]any{"text": "已查清并答复"}, &s)
	if s.State != xinfang.SupervisionFedBack || s.Feedback == nil || s.Feedback.Late {
		t.Fatalf("after feedback %+v", s.Supervision)
	}
	wantError(t, head.do(t, "POST", s.path()+"/feedback", map[string]any{"text": "again"}), http.StatusConflict, "state")
	sup.ok(t, http.StatusOK, "POST", s.path()+"/close", map[string]any{"note": "同意办结"}, &s)
	if s.State != xinfang.SupervisionClosed {
		t.Fatalf("after close %+v", s.Supervision)
	}

	// The inbox: the issuer got the feedback; marking read is per user.
	var in supInboxPage
	sup.ok(t, http.StatusOK, "GET", "/api/v1/notifications", nil, &in)
	if in.Total != 1 || in.Unread != 1 || in.Items[0].Kind != xinfang.NotificationFeedback {
		t.Fatalf("issuer inbox %+v", in)
	}
	wantError(t, handler.do(t, "POST", "/api/v1/notifications/"+strconv.FormatInt(in.Items[0].ID, 10)+"/read", nil), http.StatusNotFound, "")
	var m xinfang.Notification
	sup.ok(t, http.StatusOK, "POST", "/api/v1/notifications/"+strconv.FormatInt(in.Items[0].ID, 10)+"/read", nil, &m)
	if m.ReadAt.IsZero() {
		t.Fatalf("not read: %+v", m)
	}
	var marked map[string]int
	handler.ok(t, http.StatusOK, "POST", "/api/v1/notifications/read-all", nil, &marked)
	handler.ok(t, http.StatusOK, "GET", "/api/v1/notifications?unread=true", nil, &in)
	if marked["marked"] != 2 || in.Total != 0 || in.Unread != 0 {
		t.Fatalf("after read-all: %v %+v", marked, in)
	}
	wantError(t, handler.do(t, "GET", "/api/v1/notifications?limit=0", nil), http.StatusUnprocessableEntity, "limit")
	// Without the CSRF token a change is refused.
	r := handler.send(t, "POST", "/api/v1/notifications/read-all", nil, false)
	wantError(t, r, http.StatusForbidden, "")
}

func TestSupervisionPagesAndInbox(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	reg := env.user(t, "za_reg", "ZA", xinfang.RoleRegistrar)
	handler := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	other := env.user(t, "zb_handler", "ZB", xinfang.RoleHandler)
	sup := env.user(t, "xfj_sup", "XFJ", xinfang.RoleSupervisor)
	p := reg.register(t, registration("2026-03-02T08:30:00+08:00", env.Units["ZA"].ID, nil))

	// The list page offers the form to those who may issue.
	_, _, page := sup.page(t, "GET", "/supervisions", nil)
	supMust(t, page, `id="issue-supervision"`)
	supMust(t, page, `href="/inbox"`)
	if _, _, page := handler.page(t, "GET", "/supervisions", nil); strings.Contains(page, `id="issue-supervision"`) {
		t.Fatal("a handler is offered the issue form")
	}

	// 督办此件 on the petition page opens the form with the item and the
	// unit that has it filled in; a handler, who cannot issue, has no link.
	_, _, page = sup.page(t, "GET", "/petitions/"+strconv.FormatInt(p.ID, 10), nil)
	supMust(t, page, `href="/supervisions?petition=`+p.Number+`#new-supervision"`)
	if _, _, page := handler.page(t, "GET", "/petitions/"+strconv.FormatInt(p.ID, 10), nil); strings.Contains(page, `id="supervise-this"`) {
		t.Error("a handler is offered 督办此件")
	}
	// The 转送 form says what 转送 is, so that it is not taken for 交办.
	_, _, page = reg.page(t, "GET", "/petitions/"+strconv.FormatInt(p.ID, 10), nil)
	supMust(t, page, `id="hint-transfer">转送：`)
	_, _, page = sup.page(t, "GET", "/supervisions?petition="+p.Number, nil)
	supMust(t, page, `name="petition" value="`+p.Number+`"`)
	supMust(t, page, `<option value="`+strconv.FormatInt(env.Units["ZA"].ID, 10)+`" selected`)

	// A bad form comes back with its messages and the values kept.
	status, _, page := sup.page(t, "POST", "/supervisions", url.Values{"target_unit_id": {strconv.FormatInt(env.Units["ZA"].ID, 10)}, "petition": {p.Number}, "requirements": {"查清事实"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("bad form: %d", status)
	}
	supMust(t, page, "请填写反馈期限")
	supMust(t, page, "查清事实")
	status, loc, _ := sup.page(t, "POST", "/supervisions", url.Values{"target_unit_id": {strconv.FormatInt(env.Units["ZA"].ID, 10)}, "petition": {p.Number},
		"requirements": {"查清事实，书面反馈"}, "deadline": {"2026-03-04"}, "listed": {"1"}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/supervisions/") {
		t.Fatalf("issue: %d %q", status, loc)
	}
	detail := strings.SplitN(loc, "?", 2)[0]
	_, _, page = sup.page(t, "GET", loc, nil)
	supMust(t, page, "DB-2026-0001")
	supMust(t, page, "挂牌督办")
	supMust(t, page, `id="do-remind"`)

	// Town B cannot open it; town A's handler may answer.
	if status, _, _ := other.page(t, "GET", detail, nil); status != http.StatusNotFound {
		t.Fatalf("town B: %d", status)
	}

	// The scheduler warns town A: due in two days is 临期.
	if _, err := app.NewScheduler(env.DB, nil, 0).RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, _, page = handler.page(t, "GET", "/inbox", nil)
	supMust(t, page, `id="inbox-unread">2<`)
	supMust(t, page, `id="nav-unread">2<`)
	supMust(t, page, "收到挂牌督办单 DB-2026-0001")
	supMust(t, page, "【临期】督办单 DB-2026-0001（挂牌督办） 将于 2026-03-04 到期")

	_, _, page = handler.page(t, "GET", detail, nil)
	supMust(t, page, `id="do-feedback"`)
	if strings.Contains(page, `id="do-remind"`) {
		t.Fatal("the target unit is offered 催办")
	}
	if status, _, page := handler.page(t, "POST", detail+"/feedback", url.Values{"text": {""}}); status != http.StatusUnprocessableEntity || !strings.Contains(page, "请填写内容") {
		t.Fatalf("empty feedback: %d", status)
	}
	if status, loc, _ := handler.page(t, "POST", detail+"/feedback", url.Values{"text": {"已办理完毕"}}); status != http.StatusSeeOther || loc != detail+"?done=feedback" {
		t.Fatalf("feedback: %d %q", status, loc)
	}
	_, _, page = handler.page(t, "GET", detail+"?done=feedback", nil)
	supMust(t, page, `id="on-time"`)
	supMust(t, page, "已反馈，督办方已收到消息。")

	// Opening a message marks it read and goes to its page.
	var in supInboxPage
	handler.ok(t, http.StatusOK, "GET", "/api/v1/notifications", nil, &in)
	first := in.Items[0]
	status, loc, _ = handler.page(t, "POST", "/inbox/"+strconv.FormatInt(first.ID, 10)+"/read", url.Values{"open": {"1"}})
	if status != http.StatusSeeOther || loc != first.Link {
		t.Fatalf("open message: %d %q, want %q", status, loc, first.Link)
	}
	_, _, page = handler.page(t, "GET", "/inbox", nil)
	supMust(t, page, `id="inbox-unread">1<`)
	if status, loc, _ := handler.page(t, "POST", "/inbox/read-all", url.Values{}); status != http.StatusSeeOther || loc != "/inbox?done=all" {
		t.Fatalf("read all: %d %q", status, loc)
	}
	_, _, page = handler.page(t, "GET", "/inbox", nil)
	supMust(t, page, `id="inbox-unread">0<`)

	// The issuer closes it.
	if status, _, _ := sup.page(t, "POST", detail+"/close", url.Values{"note": {"同意"}}); status != http.StatusSeeOther {
		t.Fatalf("close: %d", status)
	}
	_, _, page = sup.page(t, "GET", detail, nil)
	supMust(t, page, "已办结")

	// A case is named by its number, and shown by it.
	hu, err := env.DB.Directory.FindUserByID(context.Background(), handler.ID)
	if err != nil {
		t.Fatal(err)
	}
	leader := env.user(t, "xc_leader", "XC", xinfang.RoleLeader)
	c := &xinfang.Case{Title: "甲镇工资拖欠积案", Source: "repeat", Petitioners: "张三", ResponsibleUnitID: env.Units["ZA"].ID, LeaderID: leader.ID,
		PetitionIDs: []int64{p.ID}, Deadline: calendar.MustParseDate("2026-06-30")}
	if err := env.DB.Cases.CreateCase(xinfang.NewContextWithUser(context.Background(), hu), c); err != nil {
		t.Fatal(err)
	}
	status, _, page = sup.page(t, "POST", "/supervisions", url.Values{"target_unit_id": {strconv.FormatInt(env.Units["ZA"].ID, 10)}, "case": {"ZA-JA-2026-9999"},
		"requirements": {"限期化解"}, "deadline": {"2026-03-20"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("an unknown case number: %d", status)
	}
	supMust(t, page, "积案 ZA-JA-2026-9999 不存在或无权查看")
	status, loc, _ = sup.page(t, "POST", "/supervisions", url.Values{"target_unit_id": {strconv.FormatInt(env.Units["ZA"].ID, 10)}, "case": {c.Number},
		"requirements": {"限期化解"}, "deadline": {"2026-03-20"}})
	if status != http.StatusSeeOther {
		t.Fatalf("a case's 督办: %d", status)
	}
	_, _, page = sup.page(t, "GET", loc, nil)
	supMust(t, page, `id="supervised-case">`+c.Number+`<`)
	_, _, page = sup.page(t, "GET", "/supervisions", nil)
	supMust(t, page, `">`+c.Number+`</a>`)
}
