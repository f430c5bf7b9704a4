package loadgen

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
)

// WriteText prints r as a table: one row per kind and the total, then the
// errors by status, the servers' memory and the note.
func WriteText(w io.Writer, r *Report) {
	fmt.Fprintf(w, "%s: %d clients, %.1f s (limits %s, %d requests)", r.Mode, r.Clients, r.Elapsed, r.Limit, r.MaxCount)
	if len(r.Targets) > 0 {
		fmt.Fprintf(w, ", %s", strings.Join(r.Targets, " "))
	}
	fmt.Fprintf(w, "; load average %.2f before, %.2f after\n", r.Load[0], r.Load[1])
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\trequests\terrors\tempty\treq/s\tp50 ms\tp95 ms\tp99 ms\tmax ms\t")
	row := func(name string, s *Stats) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.1f\t%.2f\t%.2f\t%.2f\t%.2f\t\n", name, s.Requests, s.Failed(), s.Empty, s.PerSec, s.P50, s.P95, s.P99, s.Max)
	}
	for _, k := range r.Order {
		row(k, r.Kinds[k])
	}
	if len(r.Order) > 1 {
		row("total", r.Total)
	}
	tw.Flush()
	if r.Total.Failed() > 0 {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(r.Total.Errors)) {
			parts = append(parts, fmt.Sprintf("%s×%d", k, r.Total.Errors[k]))
		}
		fmt.Fprintf(w, "errors by status: %s; first: %s\n", strings.Join(parts, " "), r.Total.ErrText)
	}
	// CPU per request: of every request made, failed ones too.
	perReq := func(cpu float64) float64 { return 1000 * cpu / float64(max(r.Total.Requests, 1)) }
	for _, m := range r.Servers {
		fmt.Fprintf(w, "server pid %d: RSS idle %.1f MB, peak during the run %.1f MB (VmHWM %.1f MB); CPU %.2f s in the run, %.3f ms per request\n",
			m.PID, mb(m.IdleKB), mb(m.PeakKB), mb(m.HWMKB), m.CPU, perReq(m.CPU))
	}
	fmt.Fprintf(w, "this process (%s): CPU %.2f s in the run, %.3f ms per request\n", selfName(r.Mode), r.CPU, perReq(r.CPU))
	if r.Note != "" {
		fmt.Fprintln(w, r.Note)
	}
}

// selfName says what this process's CPU time was spent on in a run of mode.
func selfName(mode string) string {
	if mode == "raw" {
		return "the raw baseline's writers"
	}
	return "the load generator"
}

func mb(kb int64) float64 { return float64(kb) / 1024 }
