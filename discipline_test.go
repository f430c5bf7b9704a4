package xinfang_test

import (
	"testing"
	"time"

	"xinfang"
)

// wantFields fails unless err is an *Error of code naming exactly fields.
func wantFields(t *testing.T, err error, code string, fields ...string) {
	t.Helper()
	if len(fields) == 0 && code == "" {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	if got := xinfang.ErrorCode(err); got != code {
		t.Fatalf("code %q (%v), want %q", got, err, code)
	}
	got := xinfang.ErrorFields(err)
	if len(got) != len(fields) {
		t.Fatalf("fields %v, want %v", got, fields)
	}
	for _, f := range fields {
		if got[f] == "" {
			t.Fatalf("fields %v lack %q", got, f)
		}
	}
}

func TestInvestigationCloseRefusal(t *testing.T) {
	tests := []struct {
		name       string
		caseOut    string
		respOut    string
		wantFields []string
	}{
		{"nothing concluded", "", "", []string{"case_track", "responsibility_track"}},
		{"only the matter", "resolved", "", []string{"responsibility_track"}},
		{"only the officials", "", "none", []string{"case_track"}},
		{"both", "rectified", "accountability", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iv := &xinfang.Investigation{CaseTrack: xinfang.CaseTrack{Outcome: tt.caseOut}, ResponsibilityTrack: xinfang.ResponsibilityTrack{Outcome: tt.respOut}}
			err := iv.CloseRefusal()
			if tt.wantFields == nil {
				wantFields(t, err, "")
				return
			}
			wantFields(t, err, xinfang.ECONFLICT, tt.wantFields...)
		})
	}
}

func TestDisciplineInputs(t *testing.T) {
	tests := []struct {
		name   string
		err    func() error
		fields []string
	}{
		{"investigation ok", func() error {
			return (&xinfang.InvestigationInput{PetitionID: 1, Cause: "unclear", Summary: " 查不清 "}).Validate()
		}, nil},
		{"investigation without item, cause, summary", func() error { return (&xinfang.InvestigationInput{}).Validate() },
			[]string{"petition_id", "cause", "summary"}},
		{"case track in progress", func() error { return (&xinfang.CaseTrackInput{Findings: "初步查明"}).Validate() }, nil},
		{"case track concluded without records", func() error { return (&xinfang.CaseTrackInput{Outcome: "resolved"}).Validate() },
			[]string{"findings", "measures"}},
		{"case track unknown outcome", func() error {
			return (&xinfang.CaseTrackInput{Findings: "x", Measures: "y", Outcome: "maybe"}).Validate()
		}, []string{"outcome"}},
		{"officials incomplete", func() error {
			return (&xinfang.ResponsibilityTrackInput{Officials: []xinfang.Official{{Name: " "}}}).Validate()
		}, []string{"officials.0.name", "officials.0.unit_id", "officials.0.position"}},
		{"a measure needs an official", func() error {
			return (&xinfang.ResponsibilityTrackInput{Findings: "失职", Outcome: "talk"}).Validate()
		}, []string{"officials"}},
		{"no pursuit needs no official", func() error {
			return (&xinfang.ResponsibilityTrackInput{Findings: "已尽责", Outcome: "none"}).Validate()
		}, nil},
		{"accountability of an official", func() error {
			return (&xinfang.Accountability{Target: "official", UnitID: 3, Measure: "talk", DecidedOn: "2026-06-01", Ground: "x"}).Validate()
		}, []string{"official_name", "official_position"}},
		{"accountability without ground", func() error {
			return (&xinfang.Accountability{Target: "unit", UnitID: 3, Measure: "listed", DecidedOn: "2026-06-01"}).Validate()
		}, []string{"ground"}},
		{"accountability with a linked item", func() error {
			return (&xinfang.Accountability{Target: "unit", UnitID: 3, Measure: "rectify", DecidedOn: "2026-06-01", PetitionIDs: []int64{7}}).Validate()
		}, nil},
		{"accountability bad measure and date", func() error {
			return (&xinfang.Accountability{Target: "unit", UnitID: 3, Measure: "fine", DecidedOn: "1.6.2026", Ground: "x"}).Validate()
		}, []string{"measure", "decided_on"}},
		{"letter without targets", func() error {
			return (&xinfang.ResponsibilityLetter{UnitID: 3, Year: 2026, SignedOn: "2026-01-05", Targets: []string{"", "  "}}).Validate()
		}, []string{"targets"}},
		{"letter bad year", func() error {
			return (&xinfang.ResponsibilityLetter{UnitID: 3, Year: 26, SignedOn: "2026-01-05", Targets: []string{"x"}}).Validate()
		}, []string{"year"}},
		{"watch filter kind", func() error { return (&xinfang.WatchFilter{Kind: "all"}).Validate() }, []string{"kind"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err()
			if tt.fields == nil {
				wantFields(t, err, "")
				return
			}
			wantFields(t, err, xinfang.EINVALID, tt.fields...)
		})
	}
}

func TestDisciplineRights(t *testing.T) {
	unit := func(kind xinfang.UnitKind) *xinfang.Unit { return &xinfang.Unit{ID: 1, Kind: kind, Path: "/1/"} }
	user := func(kind xinfang.UnitKind, roles ...xinfang.Role) *xinfang.User {
		return &xinfang.User{ID: 1, Unit: unit(kind), Roles: roles, CreatedAt: time.Now()}
	}
	tests := []struct {
		name          string
		u             *xinfang.User
		inspect, read bool
	}{
		{"inspector of the 纪委监委", user(xinfang.UnitDiscipline, xinfang.RoleInspector), true, true},
		{"handler of the 纪委监委", user(xinfang.UnitDiscipline, xinfang.RoleHandler), false, false},
		{"inspector role at a town", user(xinfang.UnitTown, xinfang.RoleInspector), false, false},
		{"leader of the city", user(xinfang.UnitCity, xinfang.RoleLeader), false, true},
		{"supervisor of the 信访局", user(xinfang.UnitBureau, xinfang.RoleSupervisor), false, true},
		{"leader of a town", user(xinfang.UnitTown, xinfang.RoleLeader), false, false},
		{"auditor", user(xinfang.UnitCity, xinfang.RoleAuditor), false, false},
		{"nobody", nil, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := xinfang.CanInspect(tt.u); got != tt.inspect {
				t.Errorf("CanInspect = %v", got)
			}
			if got := xinfang.CanReadDiscipline(tt.u); got != tt.read {
				t.Errorf("CanReadDiscipline = %v", got)
			}
		})
	}
}
