package xinfang_test

import (
	"strings"
	"testing"

	"xinfang"
	"xinfang/internal/calendar"
)

func TestSupervisionValidate(t *testing.T) {
	ok := func() *xinfang.Supervision {
		return &xinfang.Supervision{TargetUnitID: 3, PetitionID: 9, Requirements: " 查清事实 ", Deadline: calendar.MustParseDate("2026-03-09")}
	}
	if err := ok().Validate(calendar.MustParseDate("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	if err := ok().Validate(calendar.MustParseDate("2026-03-09")); err != nil {
		t.Fatalf("deadline today: %v", err)
	}
	for _, tc := range []struct {
		name, field string
		change      func(s *xinfang.Supervision)
	}{
		{"no target", "target_unit_id", func(s *xinfang.Supervision) { s.TargetUnitID = 0 }},
		{"no item", "petition_id", func(s *xinfang.Supervision) { s.PetitionID = 0 }},
		{"two items", "petition_id", func(s *xinfang.Supervision) { s.CaseID = 4 }},
		{"no requirements", "requirements", func(s *xinfang.Supervision) { s.Requirements = "  " }},
		{"long requirements", "requirements", func(s *xinfang.Supervision) { s.Requirements = strings.Repeat("字", 4001) }},
		{"no deadline", "deadline", func(s *xinfang.Supervision) { s.Deadline = calendar.Date{} }},
		{"past deadline", "deadline", func(s *xinfang.Supervision) { s.Deadline = calendar.MustParseDate("2026-03-01") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := ok()
			tc.change(s)
			err := s.Validate(calendar.MustParseDate("2026-03-02"))
			if xinfang.ErrorCode(err) != xinfang.EINVALID || xinfang.ErrorFields(err)[tc.field] == "" {
				t.Fatalf("%v does not name %s", err, tc.field)
			}
		})
	}
	if s := ok(); s.Validate(calendar.MustParseDate("2026-03-02")) == nil && s.Requirements != "查清事实" {
		t.Fatalf("requirements not trimmed: %q", s.Requirements)
	}
}

func TestSupervisionRoles(t *testing.T) {
	city := &xinfang.Unit{ID: 1, Kind: xinfang.UnitCity, Path: "/1/"}
	bureau := &xinfang.Unit{ID: 2, Kind: xinfang.UnitBureau, Path: "/1/2/"}
	town := &xinfang.Unit{ID: 3, Kind: xinfang.UnitTown, Path: "/1/3/"}
	other := &xinfang.Unit{ID: 4, Kind: xinfang.UnitTown, Path: "/1/4/"}
	user := func(id int64, unit *xinfang.Unit, roles ...xinfang.Role) *xinfang.User {
		return &xinfang.User{ID: id, UnitID: unit.ID, Unit: unit, Roles: roles}
	}
	bureauHead := user(1, bureau, xinfang.RoleUnitHead)
	townHead := user(2, town, xinfang.RoleUnitHead)
	townLeader := user(3, town, xinfang.RoleLeader)
	citySup := user(4, city, xinfang.RoleSupervisor)
	townHandler := user(5, town, xinfang.RoleHandler)
	otherLeader := user(6, other, xinfang.RoleLeader)
	for u, want := range map[*xinfang.User]bool{bureauHead: true, townHead: false, townLeader: true, citySup: true, townHandler: false} {
		if got := xinfang.CanIssueSupervision(u, nil); got != want {
			t.Errorf("%d may issue = %v", u.ID, got)
		}
	}
	s := &xinfang.Supervision{IssuerID: townLeader.ID, IssuerPath: town.Path, TargetUnitID: town.ID, TargetPath: town.Path}
	for u, want := range map[*xinfang.User]bool{townLeader: true, citySup: true, bureauHead: true, otherLeader: false, townHandler: false} {
		if got := xinfang.CanRemind(u, s); got != want {
			t.Errorf("%d issuing side = %v", u.ID, got)
		}
	}
	for u, want := range map[*xinfang.User]bool{townHandler: true, townHead: true, townLeader: false, citySup: false} {
		if got := xinfang.CanAnswerSupervision(u, s); got != want {
			t.Errorf("%d may answer = %v", u.ID, got)
		}
	}
}

// The life of a 督办单: every action from every state by the issuing side,
// the target unit and an outsider, with the errors the API returns.
func TestCheckSupervisionAction(t *testing.T) {
	town := &xinfang.Unit{ID: 5, Kind: xinfang.UnitTown, Path: "/1/5/"}
	village := &xinfang.Unit{ID: 6, Kind: xinfang.UnitVillage, Path: "/1/5/6/"}
	other := &xinfang.Unit{ID: 7, Kind: xinfang.UnitTown, Path: "/1/7/"}
	actors := map[string]*xinfang.User{
		"issuer":   {ID: 1, UnitID: town.ID, Unit: town, Roles: []xinfang.Role{xinfang.RoleLeader}},
		"target":   {ID: 2, UnitID: village.ID, Unit: village, Roles: []xinfang.Role{xinfang.RoleHandler}},
		"outsider": {ID: 3, UnitID: other.ID, Unit: other, Roles: []xinfang.Role{xinfang.RoleLeader, xinfang.RoleHandler}},
	}
	const (
		ok        = ""
		forbidden = xinfang.EFORBIDDEN
		conflict  = xinfang.ECONFLICT
	)
	open, fedBack, closed := xinfang.SupervisionOpen, xinfang.SupervisionFedBack, xinfang.SupervisionClosed
	tests := []struct {
		action xinfang.SupervisionAction
		state  xinfang.SupervisionState
		actor  string
		code   string
		to     xinfang.SupervisionState
		msg    string // the message of the refusal
	}{
		{xinfang.SupervisionActRemind, open, "issuer", ok, open, ""},
		{xinfang.SupervisionActRemind, fedBack, "issuer", conflict, "", "已反馈或已办结的督办单不能催办"},
		{xinfang.SupervisionActRemind, closed, "issuer", conflict, "", "已反馈或已办结的督办单不能催办"},
		{xinfang.SupervisionActRemind, open, "target", forbidden, "", "仅督办方可以催办"},
		{xinfang.SupervisionActRemind, fedBack, "target", forbidden, "", "仅督办方可以催办"},
		{xinfang.SupervisionActRemind, open, "outsider", forbidden, "", "仅督办方可以催办"},

		{xinfang.SupervisionActFeedback, open, "target", ok, fedBack, ""},
		{xinfang.SupervisionActFeedback, fedBack, "target", conflict, "", "该督办单已反馈或已办结"},
		{xinfang.SupervisionActFeedback, closed, "target", conflict, "", "该督办单已反馈或已办结"},
		{xinfang.SupervisionActFeedback, open, "issuer", forbidden, "", "仅被督办单位的承办人或负责人可以反馈"},
		{xinfang.SupervisionActFeedback, open, "outsider", forbidden, "", "仅被督办单位的承办人或负责人可以反馈"},

		{xinfang.SupervisionActClose, fedBack, "issuer", ok, closed, ""},
		{xinfang.SupervisionActClose, open, "issuer", conflict, "", "被督办单位反馈后才能办结"},
		{xinfang.SupervisionActClose, closed, "issuer", conflict, "", "被督办单位反馈后才能办结"},
		{xinfang.SupervisionActClose, fedBack, "target", forbidden, "", "仅督办方可以办结督办单"},
		{xinfang.SupervisionActClose, fedBack, "outsider", forbidden, "", "仅督办方可以办结督办单"},
	}
	for _, tc := range tests {
		t.Run(string(tc.action)+"/"+string(tc.state)+"/"+tc.actor, func(t *testing.T) {
			s := &xinfang.Supervision{IssuerID: 1, IssuerUnitID: town.ID, IssuerPath: town.Path, TargetUnitID: village.ID, TargetPath: village.Path, State: tc.state}
			to, err := xinfang.CheckSupervisionAction(s, tc.action, actors[tc.actor])
			if xinfang.ErrorCode(err) != tc.code || to != tc.to {
				t.Fatalf("%q %v, want %q %q", to, err, tc.to, tc.code)
			}
			if err == nil {
				return
			}
			if got := xinfang.ErrorMessage(err); got != tc.msg {
				t.Errorf("message %q, want %q", got, tc.msg)
			}
			// A wrong state is 409 on fields.state with the same words.
			if tc.code == conflict && (len(xinfang.ErrorFields(err)) != 1 || xinfang.ErrorFields(err)["state"] != tc.msg) {
				t.Errorf("fields %v, want state: %s", xinfang.ErrorFields(err), tc.msg)
			}
			if tc.code == forbidden && xinfang.ErrorFields(err) != nil {
				t.Errorf("a 403 with fields %v", xinfang.ErrorFields(err))
			}
		})
	}
	s := &xinfang.Supervision{IssuerID: 1, IssuerPath: town.Path, TargetUnitID: village.ID, State: open}
	if _, err := xinfang.CheckSupervisionAction(s, "reopen", actors["issuer"]); xinfang.ErrorCode(err) != xinfang.ENOTFOUND {
		t.Errorf("unknown action: %v", err)
	}
	if _, err := xinfang.CheckSupervisionAction(s, xinfang.SupervisionActRemind, nil); xinfang.ErrorCode(err) != xinfang.EUNAUTHORIZED {
		t.Errorf("nil actor: %v", err)
	}
	// Every action has a row and a label; the table leads from open to
	// closed only through the feedback.
	for _, l := range xinfang.SupervisionActions {
		if _, ok := xinfang.FindSupervisionTransition(xinfang.SupervisionAction(l.Code)); !ok {
			t.Errorf("no row for %s", l.Code)
		}
	}
	if len(xinfang.SupervisionActions) != len(xinfang.SupervisionTransitions) {
		t.Errorf("%d labels for %d rows", len(xinfang.SupervisionActions), len(xinfang.SupervisionTransitions))
	}
	for _, r := range xinfang.SupervisionTransitions {
		if r.To == xinfang.SupervisionClosed && r.From != xinfang.SupervisionFedBack {
			t.Errorf("%s closes from %s", r.Action, r.From)
		}
		if !r.From.Valid() || !r.To.Valid() {
			t.Errorf("%s: unknown state %s → %s", r.Action, r.From, r.To)
		}
	}
	// The guarded UPDATE's conflict is the same error.
	r, _ := xinfang.FindSupervisionTransition(xinfang.SupervisionActFeedback)
	if err := r.ConflictError(); xinfang.ErrorFields(err)["state"] != "该督办单已反馈或已办结" {
		t.Errorf("ConflictError %v", err)
	}
}
