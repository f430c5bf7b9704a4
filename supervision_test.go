package xinfang_test

import (
	"strings"
	"testing"

	"xinfang"
)

func TestSupervisionValidate(t *testing.T) {
	ok := func() *xinfang.Supervision {
		return &xinfang.Supervision{TargetUnitID: 3, PetitionID: 9, Requirements: " 查清事实 ", Deadline: "2026-03-09"}
	}
	if err := ok().Validate("2026-03-02"); err != nil {
		t.Fatal(err)
	}
	if err := ok().Validate("2026-03-09"); err != nil {
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
		{"bad deadline", "deadline", func(s *xinfang.Supervision) { s.Deadline = "2026-3-9" }},
		{"past deadline", "deadline", func(s *xinfang.Supervision) { s.Deadline = "2026-03-01" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := ok()
			tc.change(s)
			err := s.Validate("2026-03-02")
			if xinfang.ErrorCode(err) != xinfang.EINVALID || xinfang.ErrorFields(err)[tc.field] == "" {
				t.Fatalf("%v does not name %s", err, tc.field)
			}
		})
	}
	if s := ok(); s.Validate("2026-03-02") == nil && s.Requirements != "查清事实" {
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
		if got := xinfang.MayIssueSupervision(u); got != want {
			t.Errorf("%d may issue = %v", u.ID, got)
		}
	}
	s := &xinfang.Supervision{IssuerID: townLeader.ID, IssuerPath: town.Path, TargetUnitID: town.ID, TargetPath: town.Path}
	for u, want := range map[*xinfang.User]bool{townLeader: true, citySup: true, bureauHead: true, otherLeader: false, townHandler: false} {
		if got := s.IssuingSide(u); got != want {
			t.Errorf("%d issuing side = %v", u.ID, got)
		}
	}
	for u, want := range map[*xinfang.User]bool{townHandler: true, townHead: true, townLeader: false, citySup: false} {
		if got := s.MayAnswer(u); got != want {
			t.Errorf("%d may answer = %v", u.ID, got)
		}
	}
}
