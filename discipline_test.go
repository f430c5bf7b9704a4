package xinfang_test

import (
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/calendar"
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
		caseOut    xinfang.MatterTrackOutcome
		respOut    xinfang.ResponsibilityOutcome
		wantFields []string
	}{
		{"nothing concluded", "", "", []string{"case_track", "responsibility_track"}},
		{"only the matter", xinfang.MatterResolved, "", []string{"responsibility_track"}},
		{"only the officials", "", xinfang.ResponsibilityNone, []string{"case_track"}},
		{"both", xinfang.MatterRectified, xinfang.ResponsibilityAccountability, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iv := &xinfang.Investigation{MatterTrack: xinfang.MatterTrack{Outcome: tt.caseOut}, ResponsibilityTrack: xinfang.ResponsibilityTrack{Outcome: tt.respOut}}
			err := iv.CloseRefusal()
			if tt.wantFields == nil {
				wantFields(t, err, "")
				return
			}
			wantFields(t, err, xinfang.ECONFLICT, tt.wantFields...)
		})
	}
}

// testToday is the day the domain's inputs are judged on.
var testToday = calendar.MustParseDate("2026-06-15")

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
		{"case track in progress", func() error { return (&xinfang.MatterTrackInput{Findings: "初步查明"}).Validate() }, nil},
		{"case track concluded without records", func() error { return (&xinfang.MatterTrackInput{Outcome: "resolved"}).Validate() },
			[]string{"findings", "measures"}},
		{"case track unknown outcome", func() error {
			return (&xinfang.MatterTrackInput{Findings: "x", Measures: "y", Outcome: "maybe"}).Validate()
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
			return (&xinfang.Accountability{Target: "official", UnitID: 3, Measure: "talk", DecidedOn: calendar.MustParseDate("2026-06-01"), Ground: "x"}).Validate(testToday)
		}, []string{"official_name", "official_position"}},
		{"accountability without ground", func() error {
			return (&xinfang.Accountability{Target: "unit", UnitID: 3, Measure: "listed", DecidedOn: calendar.MustParseDate("2026-06-01")}).Validate(testToday)
		}, []string{"ground"}},
		{"accountability with a linked item", func() error {
			return (&xinfang.Accountability{Target: "unit", UnitID: 3, Measure: "rectify", DecidedOn: calendar.MustParseDate("2026-06-01"), PetitionIDs: []int64{7}}).Validate(testToday)
		}, nil},
		{"accountability bad measure and no date", func() error {
			return (&xinfang.Accountability{Target: "unit", UnitID: 3, Measure: "fine", Ground: "x"}).Validate(testToday)
		}, []string{"measure", "decided_on"}},
		{"letter without targets", func() error {
			return (&xinfang.ResponsibilityLetter{UnitID: 3, Year: 2026, SignedOn: calendar.MustParseDate("2026-01-05"), Targets: []string{"", "  "}}).Validate(testToday)
		}, []string{"targets"}},
		{"letter bad year", func() error {
			return (&xinfang.ResponsibilityLetter{UnitID: 3, Year: 26, SignedOn: calendar.MustParseDate("2026-01-05"), Targets: []string{"x"}}).Validate(testToday)
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

// The life of a raised investigation: every action from both states, by an
// inspector and by others, with and without records, with the errors the
// API returns.
func TestCheckInvestigationAction(t *testing.T) {
	disc := &xinfang.Unit{ID: 4, Kind: xinfang.UnitDiscipline, Path: "/1/4/"}
	city := &xinfang.Unit{ID: 1, Kind: xinfang.UnitCity, Path: "/1/"}
	inspector := &xinfang.User{ID: 1, UnitID: disc.ID, Unit: disc, Roles: []xinfang.Role{xinfang.RoleInspector}}
	leader := &xinfang.User{ID: 2, UnitID: city.ID, Unit: city, Roles: []xinfang.Role{xinfang.RoleLeader, xinfang.RoleSupervisor}}
	discHandler := &xinfang.User{ID: 3, UnitID: disc.ID, Unit: disc, Roles: []xinfang.Role{xinfang.RoleHandler}}

	empty := func(state xinfang.InvestigationState) *xinfang.Investigation {
		return &xinfang.Investigation{State: state}
	}
	concluded := func(state xinfang.InvestigationState) *xinfang.Investigation {
		return &xinfang.Investigation{State: state,
			MatterTrack:         xinfang.MatterTrack{Findings: "查明", Measures: "整改", Outcome: "resolved"},
			ResponsibilityTrack: xinfang.ResponsibilityTrack{Findings: "认定", Outcome: "none"}}
	}
	halfDone := func() *xinfang.Investigation {
		iv := concluded(xinfang.InvestigationOpen)
		iv.ResponsibilityTrack.Outcome = ""
		return iv
	}
	const closedMsg = "提级调查已办结，不能再修改"
	const recordedMsg = "提级调查已有调查记录或问责记录，不能删除"
	open, closed := xinfang.InvestigationOpen, xinfang.InvestigationClosed
	tests := []struct {
		name   string
		action xinfang.InvestigationAction
		iv     *xinfang.Investigation
		actor  *xinfang.User
		linked int
		to     xinfang.InvestigationState
		code   string
		msg    string
		fields []string
	}{
		{"update open", xinfang.InvestigationActUpdate, empty(open), inspector, 0, open, "", "", nil},
		{"update closed", xinfang.InvestigationActUpdate, concluded(closed), inspector, 0, "", xinfang.ECONFLICT, closedMsg, []string{"state"}},
		{"update by a leader", xinfang.InvestigationActUpdate, empty(open), leader, 0, "", xinfang.EFORBIDDEN, "只有纪委监委的纪检监察员可以进行此操作", nil},
		{"update by the discipline body's handler", xinfang.InvestigationActUpdate, empty(open), discHandler, 0, "", xinfang.EFORBIDDEN, "只有纪委监委的纪检监察员可以进行此操作", nil},
		{"case track open", xinfang.InvestigationActMatterTrack, halfDone(), inspector, 0, open, "", "", nil},
		{"case track closed", xinfang.InvestigationActMatterTrack, concluded(closed), inspector, 0, "", xinfang.ECONFLICT, closedMsg, []string{"state"}},
		{"responsibility track open", xinfang.InvestigationActResponsibilityTrack, empty(open), inspector, 0, open, "", "", nil},
		{"responsibility track closed", xinfang.InvestigationActResponsibilityTrack, concluded(closed), inspector, 0, "", xinfang.ECONFLICT, closedMsg, []string{"state"}},
		{"responsibility track by a leader", xinfang.InvestigationActResponsibilityTrack, empty(open), leader, 0, "", xinfang.EFORBIDDEN, "只有纪委监委的纪检监察员可以进行此操作", nil},
		{"close concluded", xinfang.InvestigationActClose, concluded(open), inspector, 0, closed, "", "", nil},
		{"close with accountability records", xinfang.InvestigationActClose, concluded(open), inspector, 2, closed, "", "", nil},
		{"close nothing concluded", xinfang.InvestigationActClose, empty(open), inspector, 0, "", xinfang.ECONFLICT,
			"一案双查未完成，不能办结：“事”的调查（案件查处）尚未作出结论；“人”的调查（责任追究）尚未作出处理结果", []string{"case_track", "responsibility_track"}},
		{"close one track", xinfang.InvestigationActClose, halfDone(), inspector, 0, "", xinfang.ECONFLICT,
			"一案双查未完成，不能办结：“人”的调查（责任追究）尚未作出处理结果", []string{"responsibility_track"}},
		{"close closed", xinfang.InvestigationActClose, concluded(closed), inspector, 0, "", xinfang.ECONFLICT, closedMsg, []string{"state"}},
		{"close by a leader", xinfang.InvestigationActClose, concluded(open), leader, 0, "", xinfang.EFORBIDDEN, "只有纪委监委的纪检监察员可以进行此操作", nil},
		{"delete empty", xinfang.InvestigationActDelete, empty(open), inspector, 0, "", "", "", nil},
		{"delete with findings", xinfang.InvestigationActDelete, &xinfang.Investigation{State: open, MatterTrack: xinfang.MatterTrack{Findings: "查明"}}, inspector, 0, "", xinfang.ECONFLICT, recordedMsg, []string{"state"}},
		{"delete with measures", xinfang.InvestigationActDelete, &xinfang.Investigation{State: open, MatterTrack: xinfang.MatterTrack{Measures: "整改"}}, inspector, 0, "", xinfang.ECONFLICT, recordedMsg, []string{"state"}},
		{"delete with an official", xinfang.InvestigationActDelete, &xinfang.Investigation{State: open, ResponsibilityTrack: xinfang.ResponsibilityTrack{Officials: []xinfang.Official{{Name: "钱某"}}}}, inspector, 0, "", xinfang.ECONFLICT, recordedMsg, []string{"state"}},
		{"delete with responsibility findings", xinfang.InvestigationActDelete, &xinfang.Investigation{State: open, ResponsibilityTrack: xinfang.ResponsibilityTrack{Findings: "认定"}}, inspector, 0, "", xinfang.ECONFLICT, recordedMsg, []string{"state"}},
		{"delete with an accountability record", xinfang.InvestigationActDelete, empty(open), inspector, 1, "", xinfang.ECONFLICT, recordedMsg, []string{"state"}},
		{"delete closed", xinfang.InvestigationActDelete, concluded(closed), inspector, 0, "", xinfang.ECONFLICT, recordedMsg, []string{"state"}},
		{"delete by a leader", xinfang.InvestigationActDelete, empty(open), leader, 0, "", xinfang.EFORBIDDEN, "只有纪委监委的纪检监察员可以进行此操作", nil},
		{"nobody", xinfang.InvestigationActUpdate, empty(open), nil, 0, "", xinfang.EUNAUTHORIZED, "请先登录", nil},
		{"unknown action", "reopen", concluded(closed), inspector, 0, "", xinfang.ENOTFOUND, "未知的提级调查操作", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			to, err := xinfang.CheckInvestigationAction(tc.iv, tc.action, tc.actor, tc.linked)
			if to != tc.to {
				t.Errorf("leads to %q, want %q", to, tc.to)
			}
			wantFields(t, err, tc.code, tc.fields...)
			if got := xinfang.ErrorMessage(err); got != tc.msg {
				t.Errorf("message %q, want %q", got, tc.msg)
			}
		})
	}
	// fields.state carries the short words the API returns today.
	_, err := xinfang.CheckInvestigationAction(concluded(closed), xinfang.InvestigationActUpdate, inspector, 0)
	if got := xinfang.ErrorFields(err)["state"]; got != "已办结" {
		t.Errorf("closed: fields.state %q", got)
	}
	_, err = xinfang.CheckInvestigationAction(empty(open), xinfang.InvestigationActDelete, inspector, 1)
	if got := xinfang.ErrorFields(err)["state"]; got != "已有记录" {
		t.Errorf("recorded: fields.state %q", got)
	}
	for _, r := range xinfang.InvestigationTransitions {
		if r.From != open {
			t.Errorf("%s from %s: nothing changes a closed investigation", r.Action, r.From)
		}
	}
}
