package web_test

import (
	"database/sql"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"xinfang"
	"xinfang/internal/web"
)

// Scenario A: a petition the 信访局 registers just before 国庆 2026 goes to
// a town, is extended, answered, delivered, evaluated and, when the review
// window has closed, concluded. Every due date is worked out by hand from
// the State Council's 2026 schedule: 09-25..27 中秋节, 10-01..07 国庆节,
// 09-20 and 10-10 (a Saturday) are make-up working days.
func TestScenarioConcluded(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-09-25T10:00")
	registrar := env.user(t, "xfj_reg", "XFJ", xinfang.RoleRegistrar)
	handler := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	head := env.user(t, "za_head", "ZA", xinfang.RoleUnitHead)

	// 09-25 (中秋节 holiday; the bureau registers anyway): 15 days, day 15 is
	// 10-10, a Saturday worked for 国庆 — a working day, no roll-forward.
	p := registrar.register(t, registration("2026-09-25T09:30:00+08:00", env.Units["ZA"].ID, nil))
	if p.QueryCode == "" || !strings.HasPrefix(p.Number, "XFJ-2026-") {
		t.Fatalf("registration reply: number %q query code %q", p.Number, p.QueryCode)
	}
	wantState(t, p, xinfang.StateRegistered, "2026-10-10", dues{xinfang.ClockDisposal: "2026-10-10"})
	if !p.allows(xinfang.ActTransfer) || p.allows(xinfang.ActAccept) {
		t.Errorf("registrar's allowed actions: %+v", p.AllowedActions)
	}
	if again := registrar.get(t, p); again.QueryCode != "" {
		t.Errorf("query code shown again: %q", again.QueryCode)
	}

	// 09-28 transfer: notice 15 days → 10-13 (Tue). Objection 5 working
	// days: 09-29, 09-30, (10-01..07 国庆), 10-08, 10-09, 10-10 (make-up
	// Saturday) → 10-10. The item's due date is the earliest running duty
	// clock: notice (the objection window is the town's right, not a duty).
	env.setNow(t, "2026-09-28T09:00")
	p = registrar.act(t, p, xinfang.ActTransfer, map[string]any{"unit_id": env.Units["ZA"].ID})
	wantState(t, p, xinfang.StatePendingSign, "2026-10-13", dues{
		xinfang.ClockDisposal: "2026-10-10", xinfang.ClockNotice: "2026-10-13", xinfang.ClockObjection: "2026-10-10"})
	if c := p.clock(t, xinfang.ClockDisposal); c.Running || c.DoneOn.String() != "2026-09-28" || !c.OnTime {
		t.Errorf("disposal clock after transfer: %+v", c)
	}
	if c := p.clock(t, xinfang.ClockObjection); !strings.Contains(strings.Join(c.Why, "\n"), "2026-10-10(国庆节调休上班)") {
		t.Errorf("objection clock does not explain the make-up day: %q", c.Why)
	}
	if p.HandlingUnitID != env.Units["ZA"].ID {
		t.Errorf("handling unit %d", p.HandlingUnitID)
	}
	if n, found := handler.queue(t, "to_sign", p.ID); n != 1 || !found {
		t.Errorf("town handler's to_sign: count %d, found %v", n, found)
	}

	// 09-29 the town signs for it: the clocks run on.
	env.setNow(t, "2026-09-29T09:00")
	p = handler.act(t, handler.get(t, p), xinfang.ActSign, nil)
	wantState(t, p, xinfang.StateSigned, "2026-10-13", dues{
		xinfang.ClockDisposal: "2026-10-10", xinfang.ClockNotice: "2026-10-13", xinfang.ClockObjection: "2026-10-10"})
	if n, found := handler.queue(t, "to_accept", p.ID); n != 1 || !found {
		t.Errorf("town handler's to_accept: count %d, found %v", n, found)
	}

	// 09-30 accepted: 60 days, day 60 is 11-29, a Sunday → 11-30.
	env.setNow(t, "2026-09-30T09:00")
	p = handler.act(t, p, xinfang.ActAccept, nil)
	wantState(t, p, xinfang.StateHandling, "2026-11-30", dues{
		xinfang.ClockDisposal: "2026-10-10", xinfang.ClockNotice: "2026-10-13", xinfang.ClockObjection: "2026-10-10",
		xinfang.ClockHandling: "2026-11-30"})
	if c := p.clock(t, xinfang.ClockHandling); !strings.Contains(strings.Join(c.Why, "\n"), "顺延至 2026-11-30") {
		t.Errorf("handling clock does not explain the roll-forward: %q", c.Why)
	}
	if p.allows(xinfang.ActExtend) {
		t.Error("a handler may not extend; the unit head approves extensions")
	}
	if n, found := handler.queue(t, "to_reply", p.ID); n != 1 || !found {
		t.Errorf("town handler's to_reply: count %d, found %v", n, found)
	}

	// 10-12 the unit head extends by 15 days: 75 days from 09-30 → 12-14 (Mon).
	env.setNow(t, "2026-10-12T09:00")
	p = head.get(t, p)
	if !p.allows(xinfang.ActExtend) {
		t.Errorf("unit head may not extend: %+v", p.AllowedActions)
	}
	p = head.act(t, p, xinfang.ActExtend, map[string]any{"days": 15, "reason": "涉及多个部门，需进一步核实"})
	wantState(t, p, xinfang.StateHandling, "2026-12-14", dues{
		xinfang.ClockDisposal: "2026-10-10", xinfang.ClockNotice: "2026-10-13", xinfang.ClockObjection: "2026-10-10",
		xinfang.ClockHandling: "2026-12-14"})
	if c := p.clock(t, xinfang.ClockHandling); c.ExtendedDays != 15 {
		t.Errorf("extended days %d", c.ExtendedDays)
	}
	r := head.do(t, "POST", p.path()+"/actions/extend", map[string]any{"version": p.Version, "data": map[string]any{"days": 5, "reason": "再延"}})
	wantError(t, r, http.StatusUnprocessableEntity, "days")

	// 11-20 reply: the handling clock stops on time; nothing is due.
	env.setNow(t, "2026-11-20T09:00")
	p = handler.act(t, p, xinfang.ActReply, map[string]any{"outcome": "support", "facts": "经核实，工程款已拨付，包工头未发放工资。", "opinion": "责令于 12 月 1 日前结清。"})
	wantState(t, p, xinfang.StateReplied, "", dues{
		xinfang.ClockDisposal: "2026-10-10", xinfang.ClockNotice: "2026-10-13", xinfang.ClockObjection: "2026-10-10",
		xinfang.ClockHandling: "2026-12-14"})
	if c := p.clock(t, xinfang.ClockHandling); c.Running || c.DoneOn.String() != "2026-11-20" || !c.OnTime || p.Outcome != "support" {
		t.Errorf("after reply: outcome %q handling %+v", p.Outcome, c)
	}

	// 11-23 delivered on 11-23: the review window is 30 days → 12-23, and so
	// is the evaluation window.
	env.setNow(t, "2026-11-23T15:00")
	p = handler.act(t, p, xinfang.ActDeliver, map[string]any{"method": "in_person", "delivered_on": "2026-11-23", "receipt": "signed", "petitioner_opinion": "agree"})
	wantState(t, p, xinfang.StateReplied, "", dues{
		xinfang.ClockDisposal: "2026-10-10", xinfang.ClockNotice: "2026-10-13", xinfang.ClockObjection: "2026-10-10",
		xinfang.ClockHandling: "2026-12-14", xinfang.ClockReviewRequest: "2026-12-23", xinfang.ClockEvaluation: "2026-12-23"})

	// 11-24 evaluated.
	env.setNow(t, "2026-11-24T10:00")
	p = handler.act(t, p, xinfang.ActEvaluate, map[string]any{"rating_bureau": "satisfied", "rating_unit": "basic"})
	if p.Evaluation != "done" {
		t.Errorf("evaluation %q", p.Evaluation)
	}

	// 12-23 is the window's last day: too early to conclude.
	env.setNow(t, "2026-12-23T16:00")
	p = handler.get(t, p)
	r = handler.do(t, "POST", p.path()+"/actions/conclude", map[string]any{"version": p.Version})
	wantError(t, r, http.StatusUnprocessableEntity, "action")

	// 12-24 the window has closed without a request: 办结.
	env.setNow(t, "2026-12-24T09:00")
	p = handler.act(t, handler.get(t, p), xinfang.ActConclude, nil)
	wantState(t, p, xinfang.StateConcluded, "", dues{
		xinfang.ClockDisposal: "2026-10-10", xinfang.ClockNotice: "2026-10-13", xinfang.ClockObjection: "2026-10-10",
		xinfang.ClockHandling: "2026-12-14", xinfang.ClockReviewRequest: "2026-12-23", xinfang.ClockEvaluation: "2026-12-23"})
	for _, a := range []xinfang.Action{xinfang.ActConclude, xinfang.ActReply, xinfang.ActRequestReview, xinfang.ActDeliver} {
		if p.allows(a) {
			t.Errorf("%s allowed on a concluded item", a)
		}
	}
	var events struct{ Items []xinfang.Event }
	handler.ok(t, http.StatusOK, "GET", p.path()+"/events", nil, &events)
	var got []string
	for _, e := range events.Items {
		got = append(got, string(e.Action))
	}
	if want := "register transfer sign accept extend reply deliver evaluate conclude"; strings.Join(got, " ") != want {
		t.Errorf("events %q, want %q", strings.Join(got, " "), want)
	}
	var v struct {
		OK      bool
		Message string
	}
	handler.ok(t, http.StatusOK, "GET", p.path()+"/verify", nil, &v)
	if !v.OK || v.Message == "" {
		t.Errorf("verify: %+v", v)
	}
}

// An event edited behind the application's back breaks the hash chain,
// and verify says which one.
func TestVerifyDetectsTampering(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	c := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	p := c.register(t, registration("2026-03-02T08:00:00+08:00", env.Units["ZA"].ID, nil))
	p = c.act(t, p, xinfang.ActAccept, nil)
	var v struct {
		OK      bool
		Message string
	}
	c.ok(t, http.StatusOK, "GET", p.path()+"/verify", nil, &v)
	if !v.OK {
		t.Fatalf("untouched chain: %+v", v)
	}
	// With a busy timeout: the server's own background writers (the
	// indexer, the checkpoint) may hold the file a moment.
	raw, err := sql.Open("sqlite", "file:"+env.DB.DSN+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// The append-only trigger stops an UPDATE; someone with the database
	// file can drop it first.
	for _, q := range []string{`DROP TRIGGER events_no_update`, `UPDATE events SET note = '改过' WHERE seq = 2`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	c.ok(t, http.StatusOK, "GET", p.path()+"/verify", nil, &v)
	if v.OK || !strings.Contains(v.Message, "第 2 条") {
		t.Errorf("tampered chain: %+v", v)
	}
}

// Scenario B: a town registers and accepts a claim itself, answers late,
// and the petitioner goes through review and re-review with a hearing,
// which ends the procedure (终结).
func TestScenarioTerminated(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-04-01T09:00")
	handler := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)

	// 04-01 registered at the town: disposal 15 days → 04-16 (Thu).
	p := handler.register(t, registration("2026-04-01T08:30:00+08:00", env.Units["ZA"].ID, nil))
	wantState(t, p, xinfang.StateRegistered, "2026-04-16", dues{xinfang.ClockDisposal: "2026-04-16"})
	if n, found := handler.queue(t, "to_accept", p.ID); n != 1 || !found {
		t.Errorf("a directly received item is not to_accept: count %d found %v", n, found)
	}

	// Accepted the same day: 60 days, day 60 is 05-31, a Sunday → 06-01.
	env.setNow(t, "2026-04-01T10:00")
	p = handler.act(t, p, xinfang.ActAccept, nil)
	base := dues{xinfang.ClockDisposal: "2026-04-16", xinfang.ClockHandling: "2026-06-01"}
	wantState(t, p, xinfang.StateHandling, "2026-06-01", base)

	// Warning levels as the due date nears and passes (临期: within 3 days).
	for _, c := range []struct {
		now, level       string
		dueSoon, overdue bool
	}{
		{"2026-05-28T09:00", "normal", false, false},
		{"2026-05-29T09:00", "near", true, false},
		{"2026-06-01T09:00", "near", true, false},
		{"2026-06-02T09:00", "overdue", false, true},
	} {
		env.setNow(t, c.now)
		p = handler.get(t, p)
		if got := p.clock(t, xinfang.ClockHandling).Level; string(got) != c.level {
			t.Errorf("%s: level %s, want %s", c.now, got, c.level)
		}
		if _, found := handler.queue(t, "due_soon", p.ID); found != c.dueSoon {
			t.Errorf("%s: in due_soon %v, want %v", c.now, found, c.dueSoon)
		}
		if _, found := handler.queue(t, "overdue", p.ID); found != c.overdue {
			t.Errorf("%s: in overdue %v, want %v", c.now, found, c.overdue)
		}
	}

	// 06-02 answered a day late.
	p = handler.act(t, p, xinfang.ActReply, map[string]any{"outcome": "reject", "facts": "经核实，所反映工资已于三月结清。", "opinion": "不予支持。"})
	wantState(t, p, xinfang.StateReplied, "", base)
	if c := p.clock(t, xinfang.ClockHandling); c.OnTime || c.DoneOn.String() != "2026-06-02" {
		t.Errorf("late reply counted on time: %+v", c)
	}

	// 06-03 delivered: review request window 30 days → 07-03 (Fri).
	env.setNow(t, "2026-06-03T09:00")
	p = handler.act(t, p, xinfang.ActDeliver, map[string]any{"method": "post", "delivered_on": "2026-06-03", "receipt": "signed", "petitioner_opinion": "disagree"})
	base[xinfang.ClockReviewRequest], base[xinfang.ClockEvaluation] = "2026-07-03", "2026-07-03"
	wantState(t, p, xinfang.StateReplied, "", base)

	// 06-10 review requested (received that day): review opinion due in 30
	// days → 07-10 (Fri).
	env.setNow(t, "2026-06-10T09:00")
	p = handler.act(t, p, xinfang.ActRequestReview, map[string]any{"received_on": "2026-06-10", "request": "不服处理意见，请求复查"})
	base[xinfang.ClockReview] = "2026-07-10"
	wantState(t, p, xinfang.StateReviewing, "2026-07-10", base)

	// 07-01 review opinion, 07-02 delivered: re-review request window 30
	// days, day 30 is 08-01, a Saturday → 08-03 (Mon).
	env.setNow(t, "2026-07-01T09:00")
	p = handler.act(t, p, xinfang.ActReviewReply, map[string]any{"outcome": "reject", "facts": "复查认定事实清楚。", "opinion": "维持原处理意见。"})
	wantState(t, p, xinfang.StateReviewed, "", base)
	env.setNow(t, "2026-07-02T09:00")
	p = handler.act(t, p, xinfang.ActDeliver, map[string]any{"method": "in_person", "delivered_on": "2026-07-02", "receipt": "refused", "petitioner_opinion": "disagree"})
	base[xinfang.ClockRereviewRequest] = "2026-08-03"
	wantState(t, p, xinfang.StateReviewed, "", base)

	// 07-06 re-review requested: 30 days → 08-05 (Wed).
	env.setNow(t, "2026-07-06T09:00")
	p = handler.act(t, p, xinfang.ActRequestRereview, map[string]any{"received_on": "2026-07-06", "request": "请求复核"})
	base[xinfang.ClockRereview] = "2026-08-05"
	wantState(t, p, xinfang.StateRereviewing, "2026-08-05", base)

	// 07-20 a hearing opens: the re-review clock stands still, so it runs
	// no duty that falls due; its due date moves with every hearing day
	// (07-20 itself → 31 days → 08-06).
	env.setNow(t, "2026-07-20T09:00")
	p = handler.act(t, p, xinfang.ActHearingStart, map[string]any{"place": "市信访局听证室"})
	base[xinfang.ClockRereview] = "2026-08-06"
	wantState(t, p, xinfang.StateRereviewing, "", base)
	if c := p.clock(t, xinfang.ClockRereview); !c.Paused || c.PausedDays != 1 {
		t.Errorf("hearing day 1: %+v", c)
	}
	env.setNow(t, "2026-07-21T09:00")
	if c := handler.get(t, p).clock(t, xinfang.ClockRereview); c.Due.String() != "2026-08-07" || c.PausedDays != 2 {
		t.Errorf("hearing day 2: due %s paused %d, want 2026-08-07 and 2", c.Due, c.PausedDays)
	}
	r := handler.do(t, "POST", p.path()+"/actions/rereview_reply", map[string]any{"version": p.Version, "data": map[string]any{"outcome": "reject", "facts": "f", "opinion": "o"}})
	wantError(t, r, http.StatusUnprocessableEntity, "action")

	// 07-23 the hearing ends three days later: 07-20..07-23 are 4 days not
	// counted, 30 + 4 = 34 days from 07-06 is 08-09, a Sunday → 08-10.
	env.setNow(t, "2026-07-23T17:00")
	p = handler.act(t, p, xinfang.ActHearingEnd, map[string]any{"conclusion": "听证员一致认为处理意见适当"})
	base[xinfang.ClockRereview] = "2026-08-10"
	wantState(t, p, xinfang.StateRereviewing, "2026-08-10", base)
	if c := p.clock(t, xinfang.ClockRereview); c.Paused || c.PausedDays != 4 {
		t.Errorf("after the hearing: %+v", c)
	}

	// 07-28 re-review opinion: 终结, no further procedure.
	env.setNow(t, "2026-07-28T09:00")
	p = handler.act(t, p, xinfang.ActRereviewReply, map[string]any{"outcome": "reject", "facts": "复核认定事实清楚。", "opinion": "维持复查意见。"})
	wantState(t, p, xinfang.StateTerminated, "", base)
	if c := p.clock(t, xinfang.ClockRereview); c.DoneOn.String() != "2026-07-28" || !c.OnTime {
		t.Errorf("re-review clock: %+v", c)
	}
	if n := handler.eventCount(t, p); n != 11 {
		t.Errorf("%d events, want 11", n)
	}
}

// Two people act on the same version at once: one wins, the other is told
// the item changed, and exactly one event is written.
func TestConcurrentActions(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	a := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	b := env.user(t, "za_head", "ZA", xinfang.RoleUnitHead)
	p := a.register(t, registration("2026-03-02T08:00:00+08:00", env.Units["ZA"].ID, nil))
	pa, pb := a.get(t, p), b.get(t, p)
	if pa.Version != pb.Version {
		t.Fatalf("versions %d and %d", pa.Version, pb.Version)
	}
	before := a.eventCount(t, p)
	var wg sync.WaitGroup
	res, errs := make([]*apiResp, 2), make([]error, 2)
	for i, c := range []*apiClient{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i], errs[i] = c.sendE("POST", p.path()+"/actions/accept", map[string]any{"version": pa.Version}, true)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	codes := []int{res[0].Status, res[1].Status}
	sort.Ints(codes)
	if codes[0] != http.StatusOK || codes[1] != http.StatusConflict {
		t.Fatalf("want one 200 and one 409, got %s and %s", res[0], res[1])
	}
	loser := res[0]
	if loser.Status == http.StatusOK {
		loser = res[1]
	}
	wantError(t, loser, http.StatusConflict, "version")
	if after := a.eventCount(t, p); after != before+1 {
		t.Errorf("events %d → %d, want exactly one more", before, after)
	}
}

// The data scope: out of scope is not found, and 检举控告 items stay hidden
// from the unit they accuse, whatever its role.
func TestDataScope(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	handlerA := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	registrarA := env.user(t, "za_reg", "ZA", xinfang.RoleRegistrar)
	headA := env.user(t, "za_head", "ZA", xinfang.RoleUnitHead)
	handlerB := env.user(t, "zb_handler", "ZB", xinfang.RoleHandler)
	bureauHead := env.user(t, "xfj_head", "XFJ", xinfang.RoleUnitHead)
	inspector := env.user(t, "jw_handler", "JW", xinfang.RoleHandler)

	// A valid ID number other than the claimant's.
	accuser := "11010519800101001" + string(xinfang.IDNumberCheckChar("11010519800101001"))
	claim := handlerA.register(t, registration("2026-03-02T08:00:00+08:00", env.Units["ZA"].ID, nil))
	accusation := registrarA.register(t, registration("2026-03-02T08:10:00+08:00", env.Units["ZA"].ID, map[string]any{
		"purpose": "accusation", "category": "0403", "accused": "甲镇党委书记",
		"summary": "举报甲镇干部吃拿卡要", "content": "甲镇某干部在低保审批中收受好处。",
		"petitioner": map[string]any{"name": "李四", "id_number": accuser, "phone": "13900001111"},
	}))

	t.Run("other town", func(t *testing.T) {
		for _, path := range []string{claim.path(), claim.path() + "/events", claim.path() + "/verify"} {
			wantError(t, handlerB.do(t, "GET", path, nil), http.StatusNotFound, "")
		}
		r := handlerB.do(t, "POST", claim.path()+"/actions/accept", map[string]any{"version": claim.Version})
		wantError(t, r, http.StatusNotFound, "")
		var pg struct{ Items []xinfang.Petition }
		handlerB.ok(t, http.StatusOK, "GET", "/api/v1/petitions", nil, &pg)
		if len(pg.Items) != 0 {
			t.Errorf("town B lists %d petitions of town A", len(pg.Items))
		}
		var m struct{ Items []json.RawMessage }
		handlerB.ok(t, http.StatusOK, "GET", "/api/v1/petitioners/matches?id_number=11010519491231002X", nil, &m)
		if len(m.Items) != 0 {
			t.Errorf("town B sees matches of town A: %d", len(m.Items))
		}
	})

	t.Run("accused unit", func(t *testing.T) {
		for _, c := range []*apiClient{headA, handlerA, bureauHead} {
			wantError(t, c.do(t, "GET", accusation.path(), nil), http.StatusNotFound, "")
			wantError(t, c.do(t, "POST", accusation.path()+"/actions/withdraw", map[string]any{"version": 1, "data": map[string]any{"reason": "x"}}), http.StatusNotFound, "")
		}
		var pg struct {
			Total int
			Items []xinfang.Petition
		}
		headA.ok(t, http.StatusOK, "GET", "/api/v1/petitions", nil, &pg)
		if pg.Total != 1 || len(pg.Items) != 1 || pg.Items[0].ID != claim.ID {
			t.Errorf("town A head lists %d (%+v), want only the claim", pg.Total, pg.Items)
		}
		var m struct{ Items []json.RawMessage }
		headA.ok(t, http.StatusOK, "GET", "/api/v1/petitioners/matches?id_number="+accuser, nil, &m)
		if len(m.Items) != 0 {
			t.Errorf("the accused unit sees the accuser's petitions: %d", len(m.Items))
		}
	})

	t.Run("registrar and discipline body", func(t *testing.T) {
		p := registrarA.get(t, accusation)
		p = registrarA.act(t, p, xinfang.ActTransfer, map[string]any{"unit_id": env.Units["JW"].ID})
		if got := inspector.get(t, p); got.State != xinfang.StatePendingSign {
			t.Errorf("discipline body sees state %s", got.State)
		}
		wantError(t, headA.do(t, "GET", accusation.path(), nil), http.StatusNotFound, "")
	})
}

// Bad input is refused with the field named, and nothing is written.
func TestBadInput(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	registrar := env.user(t, "xfj_reg", "XFJ", xinfang.RoleRegistrar)
	bureauHead := env.user(t, "xfj_head", "XFJ", xinfang.RoleUnitHead)
	handler := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	za := env.Units["ZA"].ID

	bureauItem := registrar.register(t, registration("2026-03-02T08:00:00+08:00", za, nil))
	sent := registrar.act(t, registrar.register(t, registration("2026-03-02T08:05:00+08:00", za, nil)), xinfang.ActTransfer, map[string]any{"unit_id": za})
	townItem := handler.register(t, registration("2026-03-02T08:10:00+08:00", za, nil))
	items := []petitionView{bureauItem, sent, townItem}
	count := bureauHead.total(t)
	events := map[int64]int{}
	for _, p := range items {
		events[p.ID] = bureauHead.eventCount(t, p)
	}
	wrongCheck := "110105194912310021" // the right check character is X

	registrations := []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"ID number check digit", registration("2026-03-02T08:00:00+08:00", za, map[string]any{"petitioner": map[string]any{"name": "张三", "id_number": wrongCheck}}), 422, "petitioner.id_number"},
		{"phone", registration("2026-03-02T08:00:00+08:00", za, map[string]any{"petitioner": map[string]any{"name": "张三", "phone": "1381234"}}), 422, "petitioner.phone"},
		{"received in the future", registration("2026-03-03T08:00:00+08:00", za, nil), 422, "received_at"},
		{"malformed time", registration("2026-03-32T08:00:00+08:00", za, nil), 422, "received_at"},
		{"time of the wrong type", registration("", za, map[string]any{"received_at": 20260302}), 422, "received_at"},
		{"unknown locality", registration("2026-03-02T08:00:00+08:00", 999999, nil), 422, "locality_id"},
		{"unknown category", registration("2026-03-02T08:00:00+08:00", za, map[string]any{"category": "9999"}), 422, "category"},
		{"derived field", registration("2026-03-02T08:00:00+08:00", za, map[string]any{"state": "concluded"}), 422, "state"},
		{"unknown field", registration("2026-03-02T08:00:00+08:00", za, map[string]any{"colour": "red"}), 422, "colour"},
		{"malformed JSON", `{"channel": "visit",`, 422, "body"},
	}
	for _, c := range registrations {
		t.Run("register/"+c.name, func(t *testing.T) {
			wantError(t, registrar.do(t, "POST", "/api/v1/petitions", c.body), c.status, c.field)
		})
	}

	actions := []struct {
		name   string
		as     *apiClient
		p      petitionView
		action string
		body   any
		status int
		field  string
	}{
		{"transfer to an unknown unit", registrar, bureauItem, "transfer", map[string]any{"version": 1, "data": map[string]any{"unit_id": 999999}}, 422, "unit_id"},
		{"accept by a registrar", registrar, bureauItem, "accept", map[string]any{"version": 1}, 403, ""},
		{"accept by another unit's head", bureauHead, townItem, "accept", map[string]any{"version": 1}, 403, ""},
		{"reply before signing", handler, sent, "reply", map[string]any{"version": sent.Version, "data": map[string]any{"outcome": "support", "facts": "f", "opinion": "o"}}, 409, "action"},
		{"not_accept without reason", handler, townItem, "not_accept", map[string]any{"version": 1}, 422, "reason"},
		{"bad choice", handler, townItem, "divert", map[string]any{"version": 1, "data": map[string]any{"route": "astrology"}}, 422, "route"},
		{"data the action does not take", handler, townItem, "accept", map[string]any{"version": 1, "data": map[string]any{"days": 3}}, 422, "days"},
		{"unknown action", handler, townItem, "approve", map[string]any{"version": 1}, 422, "action"},
		{"stale version", handler, townItem, "accept", map[string]any{"version": 7}, 409, "version"},
		{"no version", handler, townItem, "accept", map[string]any{}, 422, "version"},
		{"unknown body field", handler, townItem, "accept", map[string]any{"version": 1, "reason": "x"}, 422, "reason"},
		{"future action time", handler, townItem, "accept", map[string]any{"version": 1, "at": "2026-03-05T09:00:00+08:00"}, 422, "at"},
		{"malformed action time", handler, townItem, "accept", map[string]any{"version": 1, "at": "tomorrow"}, 422, "at"},
	}
	for _, c := range actions {
		t.Run("act/"+c.name, func(t *testing.T) {
			wantError(t, c.as.do(t, "POST", c.p.path()+"/actions/"+c.action, c.body), c.status, c.field)
		})
	}

	queries := []struct{ path, field string }{
		{"/api/v1/petitions?state=registered,bogus", "state"},
		{"/api/v1/petitions?limit=0", "limit"},
		{"/api/v1/petitions?limit=501", "limit"},
		{"/api/v1/petitions?offset=-1", "offset"},
		{"/api/v1/petitions?from=2026-02-30", "from"},
		{"/api/v1/petitions?from=2026-03-02&to=2026-03-01", "to"},
		{"/api/v1/petitions?unit_id=abc", "unit_id"},
		{"/api/v1/petitions?unit_id=999999", "unit_id"},
		{"/api/v1/petitions?channel=pigeon", "channel"},
		{"/api/v1/petitions?warning=red", "warning"},
		{"/api/v1/petitions?legal_case=maybe", "legal_case"},
		{"/api/v1/petitions?sort=colour", "sort"},
		{"/api/v1/petitions?colour=red", "colour"},
		{"/api/v1/petitioners/matches?id_number=" + wrongCheck, "id_number"},
		{"/api/v1/petitioners/matches?phone=12", "phone"},
		{"/api/v1/deadline?clock=forever&start=2026-09-29", "clock"},
		{"/api/v1/deadline?clock=handling&start=2026-09-31", "start"},
		{"/api/v1/deadline?clock=handling&extra=400", "extra"},
		{"/api/v1/dictionary?kind=colours", "kind"},
	}
	for _, c := range queries {
		t.Run("query/"+c.path, func(t *testing.T) {
			wantError(t, bureauHead.do(t, "GET", c.path, nil), http.StatusUnprocessableEntity, c.field)
		})
	}

	t.Run("CSRF", func(t *testing.T) {
		body := registration("2026-03-02T08:00:00+08:00", za, nil)
		wantError(t, registrar.send(t, "POST", "/api/v1/petitions", body, false), http.StatusForbidden, "")
		saved := registrar.CSRF
		registrar.CSRF = "forged"
		wantError(t, registrar.send(t, "POST", "/api/v1/petitions", body, true), http.StatusForbidden, "")
		registrar.CSRF = saved
		wantError(t, registrar.send(t, "POST", bureauItem.path()+"/actions/withdraw", map[string]any{"version": 1, "data": map[string]any{"reason": "x"}}, false), http.StatusForbidden, "")
	})

	if n := bureauHead.total(t); n != count {
		t.Errorf("petitions %d → %d after refused input", count, n)
	}
	for _, p := range items {
		if n := bureauHead.eventCount(t, p); n != events[p.ID] {
			t.Errorf("%s: events %d → %d after refused input", p.Number, events[p.ID], n)
		}
	}
}

func TestLogin(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	c := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	stranger := &apiClient{env: env, Username: "nobody", epoch: -1}

	wrong := wantError(t, c.tryLogin(t, "Wrong-pass1"), http.StatusUnauthorized, "")
	unknown := wantError(t, stranger.tryLogin(t, "Wrong-pass1"), http.StatusUnauthorized, "")
	if wrong.Error.Message != unknown.Error.Message {
		t.Errorf("a wrong password (%q) and an unknown user (%q) are told apart", wrong.Error.Message, unknown.Error.Message)
	}
	wantError(t, c.send(t, "POST", "/api/v1/login", map[string]string{"username": "za_handler"}, false), http.StatusUnprocessableEntity, "password")

	// Four more failures make five: the account locks for this address,
	// and even the right password is refused until the lockout ends — in
	// the words of a wrong password, so that a lock does not tell a
	// stranger that the account exists.
	for i := 0; i < 4; i++ {
		wantError(t, c.tryLogin(t, "Wrong-pass1"), http.StatusUnauthorized, "")
	}
	locked := wantError(t, c.tryLogin(t, testPassword), http.StatusUnauthorized, "")
	if locked.Error.Message != wrong.Error.Message {
		t.Errorf("a locked account (%q) is told apart from a wrong password (%q)", locked.Error.Message, wrong.Error.Message)
	}
	env.setNow(t, "2026-03-02T09:16")
	if r := c.tryLogin(t, testPassword); r.Status != http.StatusOK {
		t.Fatalf("login after the lockout: %s", r)
	}

	var me struct {
		User      xinfang.User
		CSRFToken string `json:"csrf_token"`
	}
	c.ok(t, http.StatusOK, "GET", "/api/v1/me", nil, &me)
	if me.User.Username != "za_handler" || me.User.Unit == nil || me.User.Unit.Code != "ZA" || me.CSRFToken != c.CSRF {
		t.Errorf("me: %+v", me)
	}
	wantError(t, c.send(t, "POST", "/api/v1/logout", nil, false), http.StatusForbidden, "")
	if r := c.send(t, "POST", "/api/v1/logout", nil, true); r.Status != http.StatusOK {
		t.Fatalf("logout: %s", r)
	}
	wantError(t, c.send(t, "GET", "/api/v1/me", nil, false), http.StatusUnauthorized, "")
}

func TestPasswordChange(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	c := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	wantError(t, c.do(t, "POST", "/api/v1/password", map[string]string{"old_password": "Wrong-pass1", "password": "N3w-password"}), 422, "old_password")
	wantError(t, c.do(t, "POST", "/api/v1/password", map[string]string{"old_password": testPassword, "password": "short"}), 422, "password")
	elsewhere := &apiClient{env: env, Username: c.Username, Password: testPassword, epoch: -1}
	elsewhere.ok(t, http.StatusOK, "GET", "/api/v1/me", nil, nil)
	c.ok(t, http.StatusOK, "POST", "/api/v1/password", map[string]string{"old_password": testPassword, "password": "N3w-password"}, nil)
	c.ok(t, http.StatusOK, "GET", "/api/v1/me", nil, nil)
	wantError(t, elsewhere.send(t, "GET", "/api/v1/me", nil, false), http.StatusUnauthorized, "")
	wantError(t, c.tryLogin(t, testPassword), http.StatusUnauthorized, "")
	if r := c.tryLogin(t, "N3w-password"); r.Status != http.StatusOK {
		t.Fatalf("login with the new password: %s", r)
	}
}

func TestDeadlineCalculator(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-09-29T09:00")
	c := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	cases := []struct {
		query, due, why string
	}{
		{"clock=disposal&start=2026-09-25", "2026-10-10", "2026-10-10(国庆节调休上班)"},
		{"clock=objection&start=2026-09-29", "2026-10-12", "2026-10-10 为国庆节调休上班，计为第 4 个工作日"},
		{"clock=handling&start=2026-09-30", "2026-11-30", "顺延至 2026-11-30"},
		{"clock=handling&start=2026-09-30&extra=15", "2026-12-14", "经批准延长 15 日"},
		{"clock=rereview&start=2026-07-06&extra=4", "2026-08-10", "听证等中止期间 4 日不计入"},
		// An unencoded "+" arrives as a space.
		{"clock=notice&start=2026-09-28T23:30:00+08:00", "2026-10-13", "对应日期 2026-09-28"},
		{"clock=notice&start=" + url.QueryEscape("2026-09-28T16:30:00Z"), "2026-10-14", "对应日期 2026-09-29"},
		{"clock=disposal", "2026-10-14", "对应日期 2026-09-29"},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			var d struct {
				Due string
				Why []string
			}
			c.ok(t, http.StatusOK, "GET", "/api/v1/deadline?"+tc.query, nil, &d)
			if d.Due != tc.due {
				t.Errorf("due %s, want %s", d.Due, tc.due)
			}
			if why := strings.Join(d.Why, "\n"); !strings.Contains(why, tc.why) {
				t.Errorf("why lacks %q:\n%s", tc.why, why)
			}
		})
	}
}

// The administration routes: units, users, dictionary, calendar, labels.
func TestAdministration(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-09-29T09:00")
	admin := env.user(t, "admin", "XC", xinfang.RoleAdmin)
	staff := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	city := env.Units["XC"].ID

	var tree struct {
		Items []struct {
			Code     string
			Children []struct{ Code string }
		}
	}
	staff.ok(t, http.StatusOK, "GET", "/api/v1/units", nil, &tree)
	if len(tree.Items) != 1 || tree.Items[0].Code != "XC" || len(tree.Items[0].Children) != 4 {
		t.Errorf("unit tree: %+v", tree)
	}
	village := map[string]any{"parent_id": env.Units["ZA"].ID, "code": "ZA-01", "name": "幸福村", "kind": "village"}
	wantError(t, staff.do(t, "POST", "/api/v1/units", village), http.StatusForbidden, "")
	var u xinfang.Unit
	admin.ok(t, http.StatusCreated, "POST", "/api/v1/units", village, &u)
	if u.ID == 0 || u.Path != env.Units["ZA"].Path+strconv.FormatInt(u.ID, 10)+"/" {
		t.Errorf("created unit %+v", u)
	}
	wantError(t, admin.do(t, "POST", "/api/v1/units", village), 422, "code")
	wantError(t, admin.do(t, "POST", "/api/v1/units", map[string]any{"parent_id": city, "code": "X", "name": "", "kind": "castle"}), 422, "kind")

	// The system admin opens accounts without roles (三员分立).
	newUser := map[string]any{"username": "village_clerk", "name": "王五", "unit_id": u.ID, "roles": []string{"handler"}, "password": "Cl3rk-pass"}
	wantError(t, admin.do(t, "POST", "/api/v1/users", newUser), 422, "roles")
	delete(newUser, "roles")
	wantError(t, staff.do(t, "POST", "/api/v1/users", newUser), http.StatusForbidden, "")
	var created xinfang.User
	admin.ok(t, http.StatusCreated, "POST", "/api/v1/users", newUser, &created)
	if !created.MustChangePassword || created.Unit == nil || created.Unit.Code != "ZA-01" {
		t.Errorf("created user %+v", created)
	}
	// The new account holds an initial password: nothing but me, password
	// and logout until it is changed.
	clerk := &apiClient{env: env, Username: "village_clerk", Password: "Cl3rk-pass", epoch: -1}
	wantError(t, clerk.do(t, "GET", "/api/v1/workbench", nil), http.StatusForbidden, "password")
	var me struct{ User xinfang.User }
	clerk.ok(t, http.StatusOK, "GET", "/api/v1/me", nil, &me)
	if !me.User.MustChangePassword {
		t.Errorf("me: %+v", me.User)
	}
	clerk.ok(t, http.StatusOK, "POST", "/api/v1/password", map[string]string{"old_password": "Cl3rk-pass", "password": "Cl3rk-pass2"}, nil)
	clerk.ok(t, http.StatusOK, "GET", "/api/v1/workbench", nil, nil)

	newUser["username"] = "weak"
	newUser["password"] = "weak"
	wantError(t, admin.do(t, "POST", "/api/v1/users", newUser), 422, "password")
	var users struct{ Items []xinfang.User }
	admin.ok(t, http.StatusOK, "GET", "/api/v1/users", nil, &users)
	if len(users.Items) != 3 {
		t.Errorf("%d users, want 3", len(users.Items))
	}
	wantError(t, staff.do(t, "GET", "/api/v1/users", nil), http.StatusForbidden, "")

	entry := map[string]any{"kind": "category", "code": "0599", "parent": "05", "label": "农民工欠薪", "sort": 99, "active": true}
	wantError(t, staff.do(t, "PUT", "/api/v1/dictionary", entry), http.StatusForbidden, "")
	admin.ok(t, http.StatusOK, "PUT", "/api/v1/dictionary", entry, nil)
	var dict struct {
		Items []struct{ Code, Label string }
	}
	staff.ok(t, http.StatusOK, "GET", "/api/v1/dictionary?kind=category", nil, &dict)
	found := false
	for _, e := range dict.Items {
		found = found || e.Code == "0599" && e.Label == "农民工欠薪"
	}
	if !found {
		t.Error("saved dictionary entry not listed")
	}

	// Making 2026-10-12 a holiday moves an objection deadline that ended on it.
	objection := "/api/v1/deadline?clock=objection&start=2026-09-29"
	var d struct{ Due string }
	staff.ok(t, http.StatusOK, "GET", objection, nil, &d)
	if d.Due != "2026-10-12" {
		t.Fatalf("objection due %s", d.Due)
	}
	wantError(t, staff.do(t, "PUT", "/api/v1/holidays/2026-10-12", map[string]string{"kind": "holiday", "name": "测试"}), http.StatusForbidden, "")
	wantError(t, admin.do(t, "PUT", "/api/v1/holidays/2026-10-32", map[string]string{"kind": "holiday", "name": "测试"}), 422, "date")
	wantError(t, admin.do(t, "PUT", "/api/v1/holidays/2026-10-12", map[string]string{"kind": "party", "name": "测试"}), 422, "kind")
	admin.ok(t, http.StatusOK, "PUT", "/api/v1/holidays/2026-10-12", map[string]string{"kind": "holiday", "name": "测试"}, nil)
	staff.ok(t, http.StatusOK, "GET", objection, nil, &d)
	if d.Due != "2026-10-13" {
		t.Errorf("objection due %s after the new holiday, want 2026-10-13", d.Due)
	}
	var hol struct {
		Items []struct{ Date, Kind, Name string }
	}
	staff.ok(t, http.StatusOK, "GET", "/api/v1/holidays", nil, &hol)
	found = false
	for _, h := range hol.Items {
		found = found || h.Date == "2026-10-12" && h.Kind == "holiday"
	}
	if !found {
		t.Error("saved holiday not listed")
	}
	admin.ok(t, http.StatusOK, "PUT", "/api/v1/holidays/2026-10-12", map[string]string{"kind": ""}, nil)
	staff.ok(t, http.StatusOK, "GET", objection, nil, &d)
	if d.Due != "2026-10-12" {
		t.Errorf("objection due %s after removing the holiday", d.Due)
	}

	var labels map[string][]xinfang.Label
	staff.ok(t, http.StatusOK, "GET", "/api/v1/labels", nil, &labels)
	for _, k := range []string{"states", "actions", "channels", "purposes", "outcomes", "warnings", "delivery_methods", "ratings", "legal_routes", "roles", "unit_kinds"} {
		if len(labels[k]) == 0 {
			t.Errorf("labels lack %s", k)
		}
	}
	if xinfang.LabelOf(labels["states"], "pending_sign") != "待签收" {
		t.Errorf("state label: %v", labels["states"])
	}
}

// Lists: filters, paging and masked personal data.
func TestPetitionList(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	c := env.user(t, "za_handler", "ZA", xinfang.RoleHandler)
	za := env.Units["ZA"].ID
	first := c.register(t, registration("2026-02-27T10:00:00+08:00", za, nil))
	second := c.register(t, registration("2026-03-01T10:00:00+08:00", za, map[string]any{"channel": "letter", "category": "0502", "summary": "劳动合同纠纷"}))
	second = c.act(t, second, xinfang.ActAccept, nil)
	// Personal data is masked in every answer, the registration's too;
	// the full values come only on request, to whoever CanUnmask admits.
	if first.Petitioner.IDNumber != "110105********002X" {
		t.Errorf("registration reply shows the ID number as %q", first.Petitioner.IDNumber)
	}
	var full struct {
		xinfang.Petition
		Unmasked, MayUnmask bool `json:"-"`
	}
	c.ok(t, http.StatusOK, "GET", "/api/v1/petitions/"+strconv.FormatInt(first.ID, 10)+"?unmask=1", nil, &full)
	if full.Petitioner.IDNumber != "11010519491231002X" || full.Petitioner.Phone == "" || strings.Contains(full.Petitioner.Phone, "*") {
		t.Errorf("unmasked for the registrar: %+v", full.Petitioner)
	}
	leader := env.user(t, "xc_leader", "XC", xinfang.RoleLeader)
	wantError(t, leader.do(t, "GET", "/api/v1/petitions/"+strconv.FormatInt(first.ID, 10)+"?unmask=1", nil), http.StatusForbidden, "")
	var masked xinfang.Petition
	leader.ok(t, http.StatusOK, "GET", "/api/v1/petitions/"+strconv.FormatInt(first.ID, 10), nil, &masked)
	if masked.Petitioner.IDNumber != "110105********002X" {
		t.Errorf("the leader reads the ID number as %q", masked.Petitioner.IDNumber)
	}

	cases := []struct {
		query string
		want  []int64
	}{
		{"", []int64{second.ID, first.ID}},
		{"sort=received", []int64{first.ID, second.ID}},
		{"state=handling", []int64{second.ID}},
		{"state=registered&state=handling", []int64{second.ID, first.ID}},
		{"channel=letter", []int64{second.ID}},
		{"category=05", []int64{second.ID, first.ID}},
		{"category=0502", []int64{second.ID}},
		{"from=2026-02-28", []int64{second.ID}},
		{"to=2026-02-27", []int64{first.ID}},
		{"q=" + url.QueryEscape("劳动合同"), []int64{second.ID}},
		{"unit_id=" + strconv.FormatInt(za, 10), []int64{second.ID, first.ID}},
		{"unit_id=" + strconv.FormatInt(env.Units["ZB"].ID, 10), nil},
		{"petitioner_id=" + strconv.FormatInt(first.Petitioner.ID, 10), []int64{second.ID, first.ID}},
		{"open=true&limit=1", []int64{second.ID}},
		{"limit=1&offset=1", []int64{first.ID}},
		{"legal_case=true", nil},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			var pg struct {
				Items         []xinfang.Petition
				Total, Offset int
				Limit         int
			}
			c.ok(t, http.StatusOK, "GET", "/api/v1/petitions?"+tc.query, nil, &pg)
			var got []int64
			for _, p := range pg.Items {
				got = append(got, p.ID)
				if p.Petitioner.IDNumber != "110105********002X" || p.Petitioner.Phone != "138****5678" {
					t.Errorf("list shows %q %q unmasked", p.Petitioner.IDNumber, p.Petitioner.Phone)
				}
			}
			if toString(got) != toString(tc.want) {
				t.Errorf("items %v, want %v", got, tc.want)
			}
			if pg.Limit == 0 || (pg.Total < len(pg.Items)) {
				t.Errorf("page %+v", pg)
			}
		})
	}

	var m struct {
		Items []struct {
			Petition xinfang.Petition
			Reason   string
		}
	}
	c.ok(t, http.StatusOK, "GET", "/api/v1/petitioners/matches?id_number=11010519491231002x", nil, &m)
	if len(m.Items) != 2 || m.Items[0].Reason == "" || m.Items[0].Petition.Petitioner.IDNumber != "110105********002X" {
		t.Errorf("matches: %+v", m.Items)
	}
}

func toString(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return "[" + strings.Join(s, " ") + "]"
}

// Every route that needs a session answers 401 in the API's error shape.
func TestUnauthenticated(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-03-02T09:00")
	anon := &apiClient{env: env, epoch: -1}
	fill := strings.NewReplacer("{id}", "1", "{action}", "accept", "{date}", "2026-10-01")
	for _, rt := range web.APIRoutes() {
		t.Run(rt.Method+" "+rt.Path, func(t *testing.T) {
			r := anon.send(t, rt.Method, fill.Replace(rt.Path), "{}", false)
			if rt.Public {
				if r.Status == http.StatusUnauthorized || r.Status == http.StatusNotFound || r.Status == http.StatusMethodNotAllowed {
					t.Errorf("public route answers %s", r)
				}
				return
			}
			if e := wantError(t, r, http.StatusUnauthorized, ""); e.Error.Code != xinfang.EUNAUTHORIZED {
				t.Errorf("code %q", e.Error.Code)
			}
		})
	}
}

// openAPIDoc is the part of openapi.json the coverage test reads.
type openAPIDoc struct {
	OpenAPI string `json:"openapi"`
	Paths   map[string]map[string]struct {
		Parameters []struct {
			Ref  string `json:"$ref"`
			Name string `json:"name"`
			In   string `json:"in"`
		} `json:"parameters"`
		Responses map[string]json.RawMessage `json:"responses"`
	} `json:"paths"`
	Components struct {
		Parameters map[string]struct {
			Name string `json:"name"`
			In   string `json:"in"`
		} `json:"parameters"`
	} `json:"components"`
}

// openapi.json describes exactly the registered routes, each with its path
// parameters and responses, and every $ref in it resolves.
func TestOpenAPICoverage(t *testing.T) {
	t.Parallel()
	raw, err := web.MergeOpenAPI(os.DirFS("."))
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPIDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.0.") {
		t.Errorf("openapi version %q", doc.OpenAPI)
	}

	registered := map[string]bool{}
	for _, rt := range web.APIRoutes() {
		key := strings.ToLower(rt.Method) + " " + rt.Path
		registered[key] = true
		op, ok := doc.Paths[rt.Path][strings.ToLower(rt.Method)]
		if !ok {
			t.Errorf("%s is not described in openapi.json", key)
			continue
		}
		if len(op.Responses) == 0 {
			t.Errorf("%s has no responses", key)
		}
		hasSuccess := false
		for code := range op.Responses {
			hasSuccess = hasSuccess || code == "200" || code == "201"
		}
		if !hasSuccess {
			t.Errorf("%s describes no success response", key)
		}
		declared := map[string]bool{}
		for _, p := range op.Parameters {
			if p.Ref != "" {
				cp := doc.Components.Parameters[strings.TrimPrefix(p.Ref, "#/components/parameters/")]
				p.Name, p.In = cp.Name, cp.In
			}
			if p.In == "path" {
				declared[p.Name] = true
			}
		}
		for _, m := range regexp.MustCompile(`\{(\w+)\}`).FindAllStringSubmatch(rt.Path, -1) {
			if !declared[m[1]] {
				t.Errorf("%s: path parameter %s not described", key, m[1])
			}
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if !registered[method+" "+path] {
				t.Errorf("openapi.json describes %s %s, which is not a route", method, path)
			}
		}
	}

	// Every reference points at a component that exists.
	var tree any
	json.Unmarshal(raw, &tree)
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, child := range x {
				if s, ok := child.(string); ok && k == "$ref" {
					if !resolves(tree, s) {
						t.Errorf("dangling $ref %s", s)
					}
				}
				walk(child)
			}
		case []any:
			for _, child := range x {
				walk(child)
			}
		}
	}
	walk(tree)

	// The server serves the same document.
	env := newAPIEnv(t, "2026-03-02T09:00")
	r := (&apiClient{env: env, epoch: -1}).send(t, "GET", "/api/v1/openapi.json", nil, false)
	if r.Status != http.StatusOK || string(r.Body) != string(raw) {
		t.Errorf("served openapi.json differs from the file (status %d)", r.Status)
	}
}

func resolves(doc any, ref string) bool {
	if !strings.HasPrefix(ref, "#/") {
		return false
	}
	cur := doc
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[part]; !ok {
			return false
		}
	}
	return true
}

// TestRegisterAnswerIsTheStoredItem: the 201 answer of a registration is
// built from what RegisterPetition filled in, not read back; it must be
// exactly what GET answers for the item afterwards (but for the 查询码,
// shown only once), with and without co-petitioners and a repeat link.
func TestRegisterAnswerIsTheStoredItem(t *testing.T) {
	t.Parallel()
	env := newAPIEnv(t, "2026-09-25T10:00")
	registrar := env.user(t, "xfj_reg", "XFJ", xinfang.RoleRegistrar)
	first := registrar.register(t, registration("2026-09-25T09:30:00+08:00", env.Units["ZA"].ID, nil))
	for name, change := range map[string]map[string]any{
		"plain":  nil,
		"repeat": {"repeat_of_id": first.ID, "co_petitioners": []map[string]any{{"name": "李四", "id_number": "110101198001010029", "phone": "13900139000"}}},
	} {
		post := registrar.do(t, "POST", "/api/v1/petitions", registration("2026-09-25T09:40:00+08:00", env.Units["ZA"].ID, change))
		if post.Status != http.StatusCreated {
			t.Fatalf("%s: %s", name, post)
		}
		var created map[string]any
		post.decode(t, &created)
		if created["query_code"] == "" || created["query_code"] == nil {
			t.Fatalf("%s: no query code in %s", name, post)
		}
		delete(created, "query_code")
		var stored map[string]any
		registrar.ok(t, http.StatusOK, "GET", "/api/v1/petitions/"+strconv.FormatInt(int64(created["id"].(float64)), 10), nil, &stored)
		a, _ := json.Marshal(created)
		b, _ := json.Marshal(stored)
		if string(a) != string(b) {
			t.Errorf("%s: the registration answered\n%s\nGET answers\n%s", name, a, b)
		}
	}
}
