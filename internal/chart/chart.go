// Package chart draws the dashboard's charts as SVG on the server: no
// script, printable, and clean under a Content-Security-Policy without
// inline styles (colours and fonts are presentation attributes, never
// style attributes). Each bar may be a link (an SVG <a>) to the items
// behind it, and each chart carries its numbers as <title> text for
// screen readers. It imports nothing of the application.
package chart

import (
	"fmt"
	"html"
	"html/template"
	"strings"
	"unicode/utf8"
)

// Bar is one bar: its label, its value and where it leads ("" for no link).
type Bar struct {
	Label string
	Value float64
	Text  string // the value as shown; the number itself when empty
	Href  string
	Mark  float64 // a target drawn across the bar (0: none)
}

// Series is one series of a column chart, drawn in Color.
type Series struct {
	Name  string
	Color string
	Bars  []Bar // one per category, in the order of the chart's labels
}

// Palette are the colours series and bars take in turn.
var Palette = []string{"#2f6fb0", "#d9822b", "#3c9a5f", "#b03a2e", "#7d5ba6", "#8c6d31", "#2aa198", "#6c757d"}

const (
	font     = `font-family="sans-serif"`
	rowH     = 22
	barH     = 14
	labelPad = 8
)

func esc(s string) string { return html.EscapeString(s) }

// width of a label in pixels: CJK characters are about twice as wide.
func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		if r < 0x2E80 {
			w += size * 0.6
		} else {
			w += size
		}
	}
	return w
}

func shown(b Bar) string {
	if b.Text != "" {
		return b.Text
	}
	return trimFloat(b.Value)
}

func trimFloat(v float64) string {
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprintf("%.1f", v)
}

// truncate shortens a label to at most n characters.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// HBars draws horizontal bars, one row per bar, scaled to the largest
// value (or to max when it is larger), width pixels wide.
func HBars(title string, bars []Bar, width int, max float64) template.HTML {
	var b strings.Builder
	labelW := 0.0
	for _, bar := range bars {
		labelW = maxf(labelW, textWidth(truncate(bar.Label, 14), 12))
	}
	labelW += labelPad
	for _, bar := range bars {
		max = maxf(max, maxf(bar.Value, bar.Mark))
	}
	if max <= 0 {
		max = 1
	}
	h := len(bars)*rowH + 10
	if len(bars) == 0 {
		h = rowH + 10
	}
	plot := float64(width) - labelW - 50
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="%d" height="%d" viewBox="0 0 %d %d"><title>%s</title>`,
		width, h, width, h, esc(title))
	if len(bars) == 0 {
		fmt.Fprintf(&b, `<text x="4" y="20" font-size="12" fill="#666" %s>无数据</text>`, font)
	}
	for i, bar := range bars {
		y := float64(i*rowH + 5)
		w := plot * bar.Value / max
		if bar.Value > 0 && w < 1 {
			w = 1
		}
		open, close := "", ""
		if bar.Href != "" {
			open, close = fmt.Sprintf(`<a href="%s" class="bar-link">`, esc(bar.Href)), `</a>`
		}
		color := Palette[i%len(Palette)]
		fmt.Fprintf(&b, `%s<g class="bar"><title>%s：%s</title>`, open, esc(bar.Label), esc(shown(bar)))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="12" text-anchor="end" fill="#333" %s>%s</text>`, labelW-labelPad/2, y+barH-2, font, esc(truncate(bar.Label, 14)))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%d" fill="%s"/>`, labelW, y, w, barH, color)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" fill="#333" %s>%s</text>`, labelW+w+4, y+barH-3, font, esc(shown(bar)))
		if bar.Mark > 0 {
			x := labelW + plot*bar.Mark/max
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#b03a2e" stroke-width="2"/>`, x, y-2, x, y+barH+2)
		}
		b.WriteString(`</g>` + close)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// Columns draws vertical columns: for each label one column per series,
// side by side, height pixels high.
func Columns(title string, labels []string, series []Series, width, height int) template.HTML {
	var b strings.Builder
	max := 0.0
	for _, s := range series {
		for _, bar := range s.Bars {
			max = maxf(max, bar.Value)
		}
	}
	if max <= 0 {
		max = 1
	}
	top, bottom, left := 16.0, 34.0, 30.0
	if len(series) > 1 {
		top = 30
	}
	plotH := float64(height) - top - bottom
	plotW := float64(width) - left - 6
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="%d" height="%d" viewBox="0 0 %d %d"><title>%s</title>`,
		width, height, width, height, esc(title))
	// The axis and the largest value.
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#999"/>`, left, top+plotH, left+plotW, top+plotH)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" text-anchor="end" fill="#666" %s>%s</text>`, left-3, top+8, font, trimFloat(max))
	if len(series) > 1 {
		x := left
		for i, s := range series {
			fmt.Fprintf(&b, `<rect x="%.1f" y="6" width="10" height="10" fill="%s"/><text x="%.1f" y="15" font-size="11" fill="#333" %s>%s</text>`,
				x, color(s, i), x+13, font, esc(s.Name))
			x += 13 + textWidth(s.Name, 11) + 12
		}
	}
	n := len(labels)
	if n == 0 {
		b.WriteString(`</svg>`)
		return template.HTML(b.String())
	}
	slot := plotW / float64(n)
	colW := (slot * 0.8) / float64(max1(len(series)))
	every, widest := 1, 0.0
	for _, l := range labels {
		widest = maxf(widest, textWidth(l, 10))
	}
	for slot*float64(every) < widest+4 {
		every++
	}
	for i, label := range labels {
		x0 := left + slot*float64(i) + slot*0.1
		for k, s := range series {
			if i >= len(s.Bars) {
				continue
			}
			bar := s.Bars[i]
			h := plotH * bar.Value / max
			if bar.Value > 0 && h < 1 {
				h = 1
			}
			x := x0 + colW*float64(k)
			open, close := "", ""
			if bar.Href != "" {
				open, close = fmt.Sprintf(`<a href="%s" class="bar-link">`, esc(bar.Href)), `</a>`
			}
			name := label
			if len(series) > 1 {
				name = label + " " + s.Name
			}
			fmt.Fprintf(&b, `%s<g class="bar"><title>%s：%s</title><rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/></g>%s`,
				open, esc(name), esc(shown(bar)), x, top+plotH-h, maxf(colW-1, 1), maxf(h, 0), color(s, k), close)
		}
		if i%every == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" text-anchor="middle" fill="#333" %s>%s</text>`, x0+slot*0.4, top+plotH+14, font, esc(label))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func color(s Series, i int) string {
	if s.Color != "" {
		return s.Color
	}
	return Palette[i%len(Palette)]
}

func maxf(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}
