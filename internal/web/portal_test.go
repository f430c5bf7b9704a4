package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"xinfang"
)

// solveChallenge answers a captcha question from its text alternative
// ("七 加 五 等于多少？"), as a screen reader's user would.
func solveChallenge(t *testing.T, question string) string {
	t.Helper()
	digits := map[string]int{"零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
	f := strings.Fields(question)
	if len(f) < 3 {
		t.Fatalf("question %q", question)
	}
	a, b := digits[f[0]], digits[f[2]]
	if f[1] == "减" {
		return strconv.Itoa(a - b)
	}
	return strconv.Itoa(a + b)
}

// portalGuest is a petitioner's client: no session.
type portalGuest struct {
	env *apiEnv
	c   *apiClient
}

func newGuest(env *apiEnv) *portalGuest {
	return &portalGuest{env: env, c: &apiClient{env: env, epoch: -1}}
}

// ok sends a request without a session that must answer want.
func (g *portalGuest) ok(t *testing.T, want int, method, path string, body, out any) {
	t.Helper()
	r := g.c.send(t, method, path, body, false)
	if r.Status != want {
		t.Fatalf("%s %s: want %d, got %s", method, path, want, r)
	}
	if out != nil {
		r.decode(t, out)
	}
}

// challenge gets a question and its answer.
func (g *portalGuest) challenge(t *testing.T) (string, string) {
	t.Helper()
	var ch struct{ ID, Question, Image string }
	g.ok(t, http.StatusOK, "GET", "/api/v1/portal/challenge", nil, &ch)
	if !strings.HasPrefix(ch.Image, "data:image/png;base64,") {
		t.Fatalf("challenge image %.40s", ch.Image)
	}
	return ch.ID, solveChallenge(t, ch.Question)
}

// follow posts the follow form as a browser would and returns status and body.
func (g *portalGuest) form(t *testing.T, path string, form url.Values) (int, string) {
	t.Helper()
	res, err := http.PostForm(g.env.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// pageChallenge reads the captcha of a portal page.
func pageChallenge(t *testing.T, body string) (string, string) {
	t.Helper()
	id := regexp.MustCompile(`name="captcha_id" value="([^"]+)"`).FindStringSubmatch(body)
	q := regexp.MustCompile(`id="captcha-question">文字题：([^<]+)<`).FindStringSubmatch(body)
	if id == nil || q == nil {
		t.Fatalf("no captcha on the page:\n%s", body)
	}
	return id[1], solveChallenge(t, q[1])
}

func (g *portalGuest) get(t *testing.T, path string) string {
	t.Helper()
	res, err := http.Get(g.env.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, res.StatusCode)
	}
	return string(b)
}

// The follow page and the API show nothing internal of an item with notes,
// 批示, tasks and a repeat link: no staff name, note, instruction, task or
// the earlier item's number.
func TestPortalShowsNothingInternal(t *testing.T) {
	env := newAPIEnv(t, "2026-03-02T09:00")
	reg := env.user(t, "reg_wang", "XFJ", xinfang.RoleRegistrar)
	handler := env.user(t, "handler_qian", "ZA", xinfang.RoleHandler, xinfang.RoleRegistrar)
	leader := env.user(t, "leader_li", "XC", xinfang.RoleLeader)
	first := reg.register(t, registration("2026-03-02T08:30:00+08:00", env.Units["ZA"].ID, nil))
	var p struct {
		petitionView
		QueryCode string `json:"query_code"`
	}
	reg.ok(t, http.StatusCreated, "POST", "/api/v1/petitions", registration("2026-03-02T08:40:00+08:00", env.Units["ZA"].ID, map[string]any{"repeat_of_id": first.ID}), &p)
	pv := p.petitionView
	pv = reg.act(t, pv, xinfang.ActTransfer, map[string]any{"unit_id": env.Units["ZA"].ID})
	handler.ok(t, http.StatusOK, "POST", pv.path()+"/actions/sign", map[string]any{"version": pv.Version, "note": "内部备注：信访人情绪激动"}, nil)
	pv = handler.get(t, pv)
	leader.ok(t, http.StatusCreated, "POST", pv.path()+"/instructions", map[string]any{"text": "领导批示：务必稳控"}, nil)
	handler.ok(t, http.StatusCreated, "POST", pv.path()+"/tasks", map[string]any{"kind": "person", "title": "内部任务：约谈包工头", "owner_user_id": handler.ID}, nil)

	g := newGuest(env)
	id, ans := g.challenge(t)
	r := g.c.send(t, "POST", "/api/v1/portal/follow", map[string]any{"number": pv.Number, "query_code": p.QueryCode, "captcha_id": id, "captcha_answer": ans}, false)
	if r.Status != http.StatusOK {
		t.Fatalf("follow: %s", r)
	}
	body := g.get(t, "/portal/follow")
	cid, cans := pageChallenge(t, body)
	status, page := g.form(t, "/portal/follow", url.Values{"number": {pv.Number}, "query_code": {p.QueryCode}, "captcha_id": {cid}, "captcha": {cans}})
	if status != http.StatusOK || !strings.Contains(page, "已转交甲镇办理") {
		t.Fatalf("follow page %d:\n%s", status, page)
	}
	for _, secret := range []string{"内部备注", "情绪激动", "批示", "稳控", "内部任务", "包工头", "reg_wang", "handler_qian", "leader_li", first.Number, "重复", "张三", "11010519491231002X", "13812345678"} {
		if strings.Contains(page, secret) {
			t.Errorf("the follow page shows %q", secret)
		}
		if strings.Contains(string(r.Body), secret) {
			t.Errorf("the follow API shows %q", secret)
		}
	}
}

// Wrong 查询码, expired evaluation window, second evaluation and a review
// after its window are each refused with a clear message and change
// nothing; guessing from one address is throttled after the free
// refusals, counted.
func TestPortalRefusals(t *testing.T) {
	env := newAPIEnv(t, "2026-03-02T09:00")
	reg := env.user(t, "reg", "XFJ", xinfang.RoleRegistrar)
	handler := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	g := newGuest(env)

	// Submitted online through the API.
	id, ans := g.challenge(t)
	var created struct {
		Number    string `json:"number"`
		QueryCode string `json:"query_code"`
	}
	g.ok(t, http.StatusCreated, "POST", "/api/v1/portal/submissions", map[string]any{"name": "王五", "id_number": "11010519491231002X", "phone": "13812345678",
		"summary": "反映路灯不亮", "content": "村口路灯坏了一年。", "request": "修好路灯", "category": "0501", "locality_id": env.Units["ZA"].ID,
		"rules_accepted": true, "captcha_id": id, "captcha_answer": ans}, &created)
	if created.QueryCode == "" {
		t.Fatal("no 查询码")
	}
	// A used captcha is refused.
	r := g.c.send(t, "POST", "/api/v1/portal/follow", map[string]any{"number": created.Number, "query_code": created.QueryCode, "captcha_id": id, "captcha_answer": ans}, false)
	wantError(t, r, http.StatusUnprocessableEntity, "captcha")

	key := map[string]any{"number": created.Number, "query_code": created.QueryCode}
	with := func(m map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range key {
			out[k] = v
		}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	// Staff take it in and handle it; the reply is delivered on 03-10.
	var list struct {
		Items []petitionView
		Total int
	}
	reg.ok(t, http.StatusOK, "GET", "/api/v1/intake", nil, &list)
	if list.Total != 1 || strings.Contains(list.Items[0].Petitioner.IDNumber, "19491231") {
		t.Fatalf("intake %+v", list)
	}
	p := list.Items[0]
	reg.ok(t, http.StatusOK, "POST", "/api/v1/intake/"+strconv.FormatInt(p.ID, 10)+"/confirm", nil, nil)
	p = reg.get(t, p)
	p = reg.act(t, p, xinfang.ActTransfer, map[string]any{"unit_id": env.Units["ZA"].ID})
	p = handler.act(t, p, xinfang.ActSign, nil)
	p = handler.act(t, p, xinfang.ActAccept, nil)
	env.setNow(t, "2026-03-10T09:00")
	p = handler.act(t, p, xinfang.ActReply, map[string]any{"outcome": "support", "facts": "属实", "opinion": "修复"})
	p = handler.act(t, p, xinfang.ActDeliver, map[string]any{"method": "in_person", "delivered_on": "2026-03-10", "receipt": "signed", "petitioner_opinion": "agree"})
	events := reg.eventCount(t, p)

	// Wrong 查询码: refused, nothing written.
	r = g.c.send(t, "POST", "/api/v1/portal/evaluation", map[string]any{"number": created.Number, "query_code": "AAAA-BBBB-CCCC-DDDD", "rating_bureau": "satisfied", "rating_unit": "satisfied"}, false)
	if e := wantError(t, r, http.StatusUnprocessableEntity, "query_code"); !strings.Contains(e.Error.Message, "查询码不正确") {
		t.Errorf("wrong code: %s", r)
	}
	// First evaluation; the second is refused.
	g.ok(t, http.StatusOK, "POST", "/api/v1/portal/evaluation", with(map[string]any{"rating_bureau": "satisfied", "rating_unit": "basic"}), nil)
	r = g.c.send(t, "POST", "/api/v1/portal/evaluation", with(map[string]any{"rating_bureau": "satisfied", "rating_unit": "basic"}), false)
	if e := wantError(t, r, http.StatusUnprocessableEntity, "rating_unit"); !strings.Contains(e.Error.Message, "不能重复评价") {
		t.Errorf("second evaluation: %s", r)
	}
	if n := reg.eventCount(t, p); n != events+1 {
		t.Errorf("events %d, want %d", n, events+1)
	}
	// After the window: review refused with its date, nothing written.
	env.setNow(t, "2026-05-20T09:00")
	r = g.c.send(t, "POST", "/api/v1/portal/review", with(map[string]any{"reasons": "不服"}), false)
	if e := wantError(t, r, http.StatusUnprocessableEntity, "received_on"); !strings.Contains(e.Error.Message, "届满") {
		t.Errorf("late review: %s", r)
	}
	if n := reg.eventCount(t, p); n != events+1 {
		t.Errorf("a refused review wrote: events %d", n)
	}

	// Guessing from one address: refused for each wrong code, then made
	// to wait (429) — by the number's lockout first.
	refused, throttled := 0, 0
	for i := 0; i < 30; i++ {
		r := g.c.send(t, "POST", "/api/v1/portal/document", map[string]any{"number": "XFJ-2026-" + strconv.Itoa(100000+i%3), "query_code": "AAAA-AAAA-AAAA-AAA" + strconv.Itoa(i%10), "doc": "opinion"}, false)
		switch r.Status {
		case http.StatusUnprocessableEntity:
			refused++
		case http.StatusTooManyRequests:
			throttled++
		default:
			t.Fatalf("guess %d: %s", i, r)
		}
	}
	if refused != 18 || throttled != 12 {
		t.Errorf("%d refused, %d throttled; want 18 refused (6 for each of 3 numbers) and the rest throttled", refused, throttled)
	}
	auditor := env.user(t, "auditor", "XC", xinfang.RoleAuditor)
	au, err := env.DB.Directory.FindUserByID(context.Background(), auditor.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, audited, err := env.DB.Audit.FindAudit(xinfang.NewContextWithUser(context.Background(), au), xinfang.AuditFilter{Kind: xinfang.AuditPortal, Limit: 1})
	if err != nil || audited < 35 {
		t.Errorf("portal audit entries %d (%v)", audited, err)
	}
}
