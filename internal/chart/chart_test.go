package chart_test

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"xinfang/internal/chart"
)

// wellFormed fails unless svg parses as XML.
func wellFormed(t *testing.T, svg string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		if _, err := d.Token(); err == io.EOF {
			return
		} else if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, svg)
		}
	}
}

func TestHBars(t *testing.T) {
	svg := string(chart.HBars("按状态", []chart.Bar{
		{Label: "办理中", Value: 30, Href: "/petitions?state=handling&a=1"},
		{Label: "已答复<>", Value: 10},
		{Label: "按期办结率", Value: 80, Text: "80.0%", Mark: 90},
	}, 480, 0))
	wellFormed(t, svg)
	for _, want := range []string{`<a href="/petitions?state=handling&amp;a=1" class="bar-link">`, "已答复&lt;&gt;", "80.0%", `stroke="#b03a2e"`, "<title>办理中：30</title>"} {
		if !strings.Contains(svg, want) {
			t.Errorf("missing %q in %s", want, svg)
		}
	}
	// The largest value (the target 90 here) spans the plot; the bar of 30
	// is a third of 90.
	if strings.Contains(svg, "style=") || strings.Contains(svg, "<script") {
		t.Error("style attribute or script in the SVG")
	}
	if n := strings.Count(svg, "<a "); n != 1 {
		t.Errorf("%d links, want 1", n)
	}
	empty := string(chart.HBars("空", nil, 300, 0))
	wellFormed(t, empty)
	if !strings.Contains(empty, "无数据") {
		t.Error("an empty chart says nothing")
	}
}

func TestColumns(t *testing.T) {
	labels := []string{"2026-01", "2026-02", "2026-03"}
	svg := string(chart.Columns("越级访", labels, []chart.Series{
		{Name: "赴省", Bars: []chart.Bar{{Value: 1, Href: "/x?m=1"}, {Value: 0}, {Value: 4, Href: "/x?m=3"}}},
		{Name: "进京", Bars: []chart.Bar{{Value: 2, Href: "/y?m=1"}, {Value: 0}, {Value: 0}}},
	}, 400, 200))
	wellFormed(t, svg)
	if n := strings.Count(svg, `class="bar-link"`); n != 3 {
		t.Errorf("%d links, want 3", n)
	}
	for _, want := range []string{"2026-03 赴省：4", "进京", "2026-01"} {
		if !strings.Contains(svg, want) {
			t.Errorf("missing %q", want)
		}
	}
	// The tallest column (4) fills the plot: 200 - 30 - 34 = 136 pixels.
	if !strings.Contains(svg, `height="136.0"`) {
		t.Errorf("the tallest column does not fill the plot: %s", svg)
	}
}
