package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"xinfang"
)

// submitOnline submits an item through the API and returns its number and 查询码.
func (g *portalGuest) submit(t *testing.T, env *apiEnv, name, id, phone string) (string, string) {
	t.Helper()
	cid, ans := g.challenge(t)
	var created struct {
		Number    string `json:"number"`
		QueryCode string `json:"query_code"`
	}
	g.ok(t, http.StatusCreated, "POST", "/api/v1/portal/submissions", map[string]any{"name": name, "id_number": id, "phone": phone,
		"summary": "反映噪音扰民", "content": "工地夜间施工。", "request": "停止夜间施工", "category": "0501", "locality_id": env.Units["ZA"].ID,
		"rules_accepted": true, "captcha_id": cid, "captcha_answer": ans}, &created)
	return created.Number, created.QueryCode
}

// The registrar's page of online items: decline one with a reason the
// petitioner then reads on the portal, merge another into an earlier
// item, confirm a third; the messages each sent are on the item's page;
// the administrator's edited text is used by the next message and a bad
// text is refused naming the field; a petitioner who opts out on the
// portal is not sent the next one.
func TestPortalStaffPages(t *testing.T) {
	env := newAPIEnv(t, "2026-03-02T09:00")
	reg := env.user(t, "xfj_reg", "XFJ", xinfang.RoleRegistrar)
	admin := env.user(t, "sysadmin", "XC", xinfang.RoleAdmin)
	g := newGuest(env)
	earlier := reg.register(t, registration("2026-03-01T08:30:00+08:00", env.Units["ZA"].ID, nil))
	n1, c1 := g.submit(t, env, "钱一", "11010519491231002X", "13900000001")
	n2, _ := g.submit(t, env, "孙二", "110101198001010029", "13900000002")

	status, _, page := reg.page(t, "GET", "/intake", nil)
	if status != http.StatusOK || !strings.Contains(page, n1) || !strings.Contains(page, n2) || !strings.Contains(page, "不予登记") {
		t.Fatalf("intake page %d:\n%s", status, page)
	}
	p1, err := env.DB.Petitions.FindPetitionByNumber(xinfangCtx(t, env, reg), n1)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := env.DB.Petitions.FindPetitionByNumber(xinfangCtx(t, env, reg), n2)
	if err != nil {
		t.Fatal(err)
	}
	// Declining without a reason is refused, naming it.
	status, _, page = reg.page(t, "POST", "/petitions/"+strconv.FormatInt(p1.ID, 10)+"/actions/decline", url.Values{"version": {"1"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "理由") {
		t.Errorf("decline without reason: %d", status)
	}
	status, _, _ = reg.page(t, "POST", "/petitions/"+strconv.FormatInt(p1.ID, 10)+"/actions/decline", url.Values{"version": {"1"}, "reason": {"不属于信访事项，请拨打12345"}})
	if status != http.StatusSeeOther {
		t.Fatalf("decline: %d", status)
	}
	status, _, _ = reg.page(t, "POST", "/petitions/"+strconv.FormatInt(p2.ID, 10)+"/actions/merge", url.Values{"version": {"1"}, "into": {earlier.Number}})
	if status != http.StatusSeeOther {
		t.Fatalf("merge: %d", status)
	}
	if _, _, page = reg.page(t, "GET", "/intake", nil); !strings.Contains(page, "没有待确认的网上信访") {
		t.Errorf("the list still shows declined or merged items")
	}

	// The petitioner reads the reason.
	cid, ans := g.challenge(t)
	var it xinfang.PortalItem
	g.ok(t, http.StatusOK, "POST", "/api/v1/portal/follow", map[string]any{"number": n1, "query_code": c1, "captcha_id": cid, "captcha_answer": ans}, &it)
	if it.StateCode != xinfang.StateNotAccepted || it.Reason != "不属于信访事项，请拨打12345" {
		t.Errorf("declined item on the portal: %+v", it)
	}
	// Its page lists the messages: the number with the 查询码 masked, and the decline.
	_, _, page = reg.page(t, "GET", "/petitions/"+strconv.FormatInt(p1.ID, 10), nil)
	if !strings.Contains(page, "****-****-****-****") || strings.Contains(page, c1) || !strings.Contains(page, "不予登记，理由：不属于信访事项") || !strings.Contains(page, "139****0001") {
		t.Errorf("messages on the item's page:\n%s", page[strings.Index(page, "<main"):])
	}

	// The administrator edits the text of 已转交; a bad text is refused.
	status, _, page = admin.page(t, "POST", "/admin/messages", url.Values{"kind": {"transferred"}, "body": {"编号{number}，查询码{code}"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "查询码只在") {
		t.Errorf("a text with the 查询码: %d", status)
	}
	status, _, _ = admin.page(t, "POST", "/admin/messages", url.Values{"kind": {"transferred"}, "body": {"【信访局】{number}已转{unit}。"}})
	if status != http.StatusSeeOther {
		t.Fatalf("save text: %d", status)
	}
	status, _, page = reg.page(t, "GET", "/admin/messages", nil)
	if status != http.StatusForbidden {
		t.Errorf("the registrar opens the texts: %d", status)
	}

	// A third item: the petitioner opts out after the first message.
	n3, c3 := g.submit(t, env, "李三", "110101198001010045", "13900000003")
	status, body := g.form(t, "/portal/optout", url.Values{"number": {n3}, "query_code": {c3}, "opt_out": {"1"}})
	if status != http.StatusOK || !strings.Contains(body, "已退订") {
		t.Fatalf("opt out: %d\n%s", status, body)
	}
	p3, err := env.DB.Petitions.FindPetitionByNumber(xinfangCtx(t, env, reg), n3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.DB.Portal.ConfirmIntake(xinfangCtx(t, env, reg), p3.ID); err != nil {
		t.Fatal(err)
	}
	pv := reg.get(t, petitionView{Petition: *p3})
	reg.act(t, pv, xinfang.ActTransfer, map[string]any{"unit_id": env.Units["ZA"].ID})
	var msgs struct{ Items []xinfang.OutMessage }
	reg.ok(t, http.StatusOK, "GET", pv.path()+"/messages", nil, &msgs)
	if len(msgs.Items) != 2 || msgs.Items[1].Summary != "【信访局】"+n3+"已转甲镇。" || msgs.Items[1].State != xinfang.MessageSkipped {
		t.Errorf("messages after opting out: %+v", msgs.Items)
	}
}

// xinfangCtx is a context acting as c's user, for direct storage calls.
func xinfangCtx(t *testing.T, env *apiEnv, c *apiClient) context.Context {
	t.Helper()
	u, err := env.DB.Directory.FindUserByID(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return xinfang.NewContextWithUser(context.Background(), u)
}
