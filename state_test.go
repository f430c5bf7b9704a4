package xinfang_test

import (
	"slices"
	"testing"

	"xinfang"
)

// The closed states are those of procedure.md where no procedure runs any
// more: 办结, 终结, 不予受理, 导入法定途径, 合并, 撤回. Storage names them in
// SQL through SQLInList, so the list and State.Closed cannot drift apart.
func TestClosedStates(t *testing.T) {
	want := []xinfang.State{xinfang.StateConcluded, xinfang.StateTerminated, xinfang.StateNotAccepted,
		xinfang.StateDiverted, xinfang.StateMerged, xinfang.StateWithdrawn}
	if !slices.Equal(xinfang.ClosedStates, want) {
		t.Fatalf("ClosedStates %v, want %v", xinfang.ClosedStates, want)
	}
	for _, l := range xinfang.States {
		s := xinfang.State(l.Code)
		if s.Closed() != slices.Contains(want, s) {
			t.Errorf("%s: Closed() = %v", s, s.Closed())
		}
	}
	if xinfang.State("nonsense").Closed() {
		t.Error("an unknown state is closed")
	}
	// The literal the storage queries hold today.
	if got := xinfang.SQLInList(xinfang.ClosedStates); got != "('concluded','terminated','not_accepted','diverted','merged','withdrawn')" {
		t.Errorf("SQLInList(ClosedStates) = %s", got)
	}
}

func TestSQLInList(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{"open"}, "('open')"},
		{[]string{"unresolved", "resolving"}, "('unresolved','resolving')"},
		{[]string{"o'brien"}, "('o''brien')"},
		{nil, "()"},
	} {
		if got := xinfang.SQLInList(tc.in); got != tc.want {
			t.Errorf("SQLInList(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// A case runs against its 化解时限 while 未化解 or 化解中; Done is the rest.
func TestRunningCaseStates(t *testing.T) {
	if got := xinfang.SQLInList(xinfang.RunningCaseStates); got != "('unresolved','resolving')" {
		t.Errorf("running case states %s", got)
	}
	for _, tc := range []struct {
		s    xinfang.CaseState
		done bool
	}{
		{xinfang.CaseUnresolved, false}, {xinfang.CaseResolving, false}, {xinfang.CaseResolved, true}, {xinfang.CaseClosed, true}, {"nonsense", false},
	} {
		if got := tc.s.Done(); got != tc.done {
			t.Errorf("%s: Done() = %v, want %v", tc.s, got, tc.done)
		}
	}
	if len(xinfang.RunningCaseStates)+2 != len(xinfang.CaseStates) {
		t.Errorf("a case state is neither running nor done")
	}
}
