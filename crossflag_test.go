package xinfang_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"xinfang"
)

// The 三跨三分离 flags are codes with labels; the labels the page stored
// before map to their codes.
func TestCrossFlagOf(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want xinfang.CrossFlag
		ok   bool
	}{
		{"跨地区", xinfang.CrossRegion, true},
		{"跨部门", xinfang.CrossDepartment, true},
		{"跨行业", xinfang.CrossIndustry, true},
		{"人户分离", xinfang.SeparatePersonHousehold, true},
		{"人事分离", xinfang.SeparatePersonMatter, true},
		{"人事户分离", xinfang.SeparatePersonMatterHousehold, true},
		{" 人事户分离 ", xinfang.SeparatePersonMatterHousehold, true},
		{"cross_region", xinfang.CrossRegion, true},
		{"person_matter_household", xinfang.SeparatePersonMatterHousehold, true},
		{"跨省", "", false},
		{"CROSS_REGION", "", false},
		{"", "", false},
	} {
		got, ok := xinfang.CrossFlagOf(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("CrossFlagOf(%q) = %q %v, want %q %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	for _, l := range xinfang.CrossFlags {
		f := xinfang.CrossFlag(l.Code)
		if !f.Valid() || f.Label() != l.Label || strings.ContainsAny(l.Code, ", ") {
			t.Errorf("flag %s", l.Code)
		}
	}
	if xinfang.CrossFlag("跨地区").Valid() {
		t.Error("a label is a valid code")
	}
}

func TestParseCrossFlags(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []xinfang.CrossFlag
		bad  string // the value the error names
	}{
		{"", nil, ""},
		{" , ", nil, ""},
		{"cross_region", []xinfang.CrossFlag{xinfang.CrossRegion}, ""},
		// Canonical order, no repeats, labels and codes mixed.
		{"人事分离,cross_region,跨地区", []xinfang.CrossFlag{xinfang.CrossRegion, xinfang.SeparatePersonMatter}, ""},
		{"跨部门，人户分离、跨行业", []xinfang.CrossFlag{xinfang.CrossDepartment, xinfang.CrossIndustry, xinfang.SeparatePersonHousehold}, ""},
		{"cross_region,跨省", nil, "跨省"},
		{"anything at all", nil, "anything at all"},
	} {
		got, err := xinfang.ParseCrossFlags(tc.in)
		if tc.bad != "" {
			msg := xinfang.ErrorFields(err)["cross_flags"]
			if xinfang.ErrorCode(err) != xinfang.EINVALID || !strings.Contains(msg, "："+tc.bad+"（") {
				t.Errorf("ParseCrossFlags(%q): %v does not name %q on cross_flags", tc.in, err, tc.bad)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("ParseCrossFlags(%q) = %v %v, want %v", tc.in, got, err, tc.want)
		}
	}
}

// Validate refuses an unknown flag on cross_flags, naming it, and stores
// the flags as codes in canonical order whether codes or labels came in.
func TestPetitionValidateCrossFlags(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	petition := func(flags string) *xinfang.Petition {
		return &xinfang.Petition{Channel: "visit", ReceivedAt: now.Add(-time.Hour), Summary: "拖欠工资", Content: "……",
			Category: "0501", Purpose: "claim", LocalityID: 4, CrossFlags: flags,
			Petitioner: &xinfang.Petitioner{Name: "张三", Phone: "13812345678"}}
	}
	for _, tc := range []struct {
		in, stored string
	}{
		{"", ""},
		{"cross_department", "cross_department"},
		{"人事户分离,跨地区", "cross_region,person_matter_household"},
		{"person_household,person_household", "person_household"},
	} {
		p := petition(tc.in)
		if err := p.Validate(now); err != nil {
			t.Errorf("%q: %v", tc.in, err)
		} else if p.CrossFlags != tc.stored {
			t.Errorf("%q stored as %q, want %q", tc.in, p.CrossFlags, tc.stored)
		}
	}
	p := petition("cross_region,<script>")
	err := p.Validate(now)
	wantFields(t, err, xinfang.EINVALID, "cross_flags")
	if msg := xinfang.ErrorFields(err)["cross_flags"]; !strings.Contains(msg, "<script>") {
		t.Errorf("message %q does not name the bad value", msg)
	}
	if p.CrossFlags != "cross_region,<script>" {
		t.Errorf("a refused value was changed: %q", p.CrossFlags)
	}
}

// Labels for pages; values stored before the check are left out.
func TestPetitionCrossFlagLabels(t *testing.T) {
	for _, tc := range []struct{ stored, labels string }{
		{"", ""},
		{"cross_region,person_matter", "跨地区、人事分离"},
		{"跨部门,人户分离", "跨部门、人户分离"}, // stored as labels before the codes
		{"cross_region,junk,cross_region", "跨地区"},
	} {
		p := &xinfang.Petition{CrossFlags: tc.stored}
		if got := p.CrossFlagLabels(); got != tc.labels {
			t.Errorf("%q: labels %q, want %q", tc.stored, got, tc.labels)
		}
	}
	if got := xinfang.JoinCrossFlags([]xinfang.CrossFlag{xinfang.CrossRegion, xinfang.CrossIndustry}); got != "cross_region,cross_industry" {
		t.Errorf("JoinCrossFlags = %q", got)
	}
}
