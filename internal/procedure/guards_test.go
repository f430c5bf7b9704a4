package procedure_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"xinfang"
)

// facts is a Lookup with the facts storage would load for one item: its
// open 三跨三分离 tasks, or the error of loading them.
type facts struct {
	lookup
	openTasks int
	err       error
}

func (f facts) OpenTasks(int64) (int, error) { return f.openTasks, f.err }

// The conclusion (办结) waits for every 三跨三分离 task (README "三跨三分离"):
// the guard reads the count from the Lookup; storage only loads it.
func TestGuardConcludeOpenTasks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		now   string // the review window runs to 2026-04-20
		facts facts
		code  string
		field string
		inMsg string
	}{
		{name: "no open task", now: "2026-04-21"},
		{name: "two open tasks", now: "2026-04-21", facts: facts{openTasks: 2}, code: xinfang.EINVALID, field: "tasks", inMsg: "尚有 2 项三跨三分离任务未办结"},
		{name: "one open task", now: "2026-04-21", facts: facts{openTasks: 1}, code: xinfang.EINVALID, field: "tasks", inMsg: "1 项"},
		// The review window is told first: it says when to come back.
		{name: "open tasks within the review window", now: "2026-04-20", facts: facts{openTasks: 2}, code: xinfang.EINVALID, field: "action"},
		{name: "the facts cannot be loaded", now: "2026-04-21", facts: facts{err: errors.New("connection reset")}, code: xinfang.EINTERNAL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it := build(t, townFlow, "delivered")
			e, err := pr.Apply(it.request(registrar, xinfang.ActConclude, day(tc.now), nil), tc.facts)
			if tc.code == "" {
				if err != nil || e.To != xinfang.StateConcluded {
					t.Fatalf("conclude: %v %v", e, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("conclude accepted with %d open tasks", tc.facts.openTasks)
			}
			if got := xinfang.ErrorCode(err); got != tc.code {
				t.Fatalf("code %q, want %q: %v", got, tc.code, err)
			}
			if tc.field != "" && xinfang.ErrorFields(err)[tc.field] == "" {
				t.Errorf("field %q not named: %v", tc.field, err)
			}
			if !strings.Contains(xinfang.ErrorMessage(err), tc.inMsg) {
				t.Errorf("message %q, want it to hold %q", xinfang.ErrorMessage(err), tc.inMsg)
			}
		})
	}
}

// A merge target is judged on its facts: itself, an item merged in turn and
// a later item are refused on "into"; the earlier original is accepted.
func TestGuardMergeTarget(t *testing.T) {
	for _, tc := range []struct {
		name  string
		into  string
		prep  func(it *item)
		inMsg string
	}{
		{name: "the earlier original", into: "50"},
		{name: "itself", into: "50", prep: func(it *item) { it.p.ID, it.p.ReceivedAt = earlier.ID, earlier.ReceivedAt }, inMsg: "不能合并至本件"},
		{name: "an item merged in turn", into: "55", inMsg: "已是重复件"},
		{name: "a later item", into: "60", inMsg: "较早"},
		{name: "an unknown item", into: "999", inMsg: "不存在"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it := build(t, townFlow, "registered")
			if tc.prep != nil {
				tc.prep(it)
			}
			e, err := pr.Apply(it.request(registrar, xinfang.ActMerge, it.last().Add(24*time.Hour), map[string]string{"into": tc.into}), lookup{})
			if tc.inMsg == "" {
				if err != nil || e.To != xinfang.StateMerged {
					t.Fatalf("merge: %v %v", e, err)
				}
				return
			}
			if xinfang.ErrorCode(err) != xinfang.EINVALID || !strings.Contains(xinfang.ErrorFields(err)["into"], tc.inMsg) {
				t.Fatalf("merge into %s: %v (fields %v), want EINVALID on into holding %q", tc.into, err, xinfang.ErrorFields(err), tc.inMsg)
			}
		})
	}
}
