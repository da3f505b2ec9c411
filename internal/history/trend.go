package history

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/matrix"
	"github.com/goport/goport/internal/target"
)

// The rules trends report. IDs are never reused.
var (
	RuleSizeGrowth = finding.Rule{
		ID: "GP-TREND-001", Title: "Binary grew beyond the threshold since the previous run", Severity: finding.Warning,
		Explanation: "The output of a main package for a target is larger, by more than the threshold, than the same output in the previous matrix run recorded in .goport/history. A new dependency, embedded files, a dropped `-ldflags=\"-s -w\"` or a build tag that pulls in more code are the usual causes.",
		Fix:         "Compare the two builds' dependencies with `go version -m BINARY` and their sizes with `goport inspect`; if the growth is expected, accept it or raise --threshold.",
	}
	RuleTimeGrowth = finding.Rule{
		ID: "GP-TREND-002", Title: "Build time grew beyond the threshold since the previous run", Severity: finding.Warning,
		Explanation: "Building a main package for a target took longer, by more than the threshold, than in the previous matrix run recorded in .goport/history. A cold or evicted build cache, a new cgo dependency, a heavier dependency or a busier machine are the usual causes; a single run-to-run jump after a cache miss is expected.",
		Fix:         "Run the matrix again with a warm cache; if the time stays high, look at what changed in go.mod and at cgo (`go build -x` shows the slow steps).",
	}
)

// Rules lists the rules of trends.
func Rules() []finding.Rule { return []finding.Rule{RuleSizeGrowth, RuleTimeGrowth} }

// TrendOptions selects and judges the builds of a history.
type TrendOptions struct {
	// Targets, when not empty, keeps only these targets.
	Targets []target.Target
	// Threshold is the relative growth flagged, 0.1 for 10%.
	Threshold float64
}

// Trend is the size and build time of every matrix output over the
// history.
type Trend struct {
	Threshold float64  `json:"threshold"`
	Series    []Series `json:"series"`
	// Findings are the growths beyond Threshold.
	Findings []finding.Finding `json:"-"`
}

// Series is one package × target over the matrix runs that built it.
type Series struct {
	Target  target.Target `json:"target"`
	Package string        `json:"package"`
	Points  []Point       `json:"points"`
	// SizeChange and TimeChange compare the newest point with the one
	// before it (0.1 is 10% more); nil with fewer than two points.
	SizeChange *float64 `json:"size_change,omitempty"`
	TimeChange *float64 `json:"time_change,omitempty"`
}

// Point is one successful build of a series.
type Point struct {
	Time            time.Time `json:"time"`
	File            string    `json:"file"`
	SizeBytes       int64     `json:"size_bytes,omitempty"`
	DurationSeconds float64   `json:"duration_seconds,omitempty"`
}

// Trends follows every successful matrix build of runs (oldest first)
// and flags the newest size and build time when they grew beyond the
// threshold since the previous run that built the same pair.
func Trends(runs []*Run, opts TrendOptions) *Trend {
	tr := &Trend{Threshold: opts.Threshold}
	index := map[BuildKey]int{}
	for _, run := range runs {
		if run.Matrix == nil {
			continue
		}
		for _, p := range run.Matrix.Pairs {
			if p.Status != matrix.OK || (len(opts.Targets) > 0 && !slices.Contains(opts.Targets, p.Target)) {
				continue
			}
			pt := Point{Time: run.Time, File: run.File, SizeBytes: p.Size}
			if b := run.Build(p.Target, p.Package); b != nil {
				pt.DurationSeconds = b.DurationSeconds
			}
			if pt.SizeBytes <= 0 && pt.DurationSeconds <= 0 {
				continue
			}
			key := BuildKey{p.Target, p.Package}
			i, ok := index[key]
			if !ok {
				i = len(tr.Series)
				index[key] = i
				tr.Series = append(tr.Series, Series{Target: p.Target, Package: p.Package})
			}
			tr.Series[i].Points = append(tr.Series[i].Points, pt)
		}
	}
	slices.SortFunc(tr.Series, func(a, b Series) int {
		return cmp.Or(target.Compare(a.Target, b.Target), strings.Compare(a.Package, b.Package))
	})
	for i := range tr.Series {
		s := &tr.Series[i]
		if prev, last, ok := lastTwo(s.Points, func(p Point) float64 { return float64(p.SizeBytes) }); ok {
			s.SizeChange = change(prev, last, func(p Point) float64 { return float64(p.SizeBytes) })
			if *s.SizeChange > opts.Threshold {
				tr.Findings = append(tr.Findings, growth(RuleSizeGrowth, s, prev, last, "binary grew", *s.SizeChange, formatBytes(prev.SizeBytes), formatBytes(last.SizeBytes)))
			}
		}
		if prev, last, ok := lastTwo(s.Points, func(p Point) float64 { return p.DurationSeconds }); ok {
			s.TimeChange = change(prev, last, func(p Point) float64 { return p.DurationSeconds })
			if *s.TimeChange > opts.Threshold {
				tr.Findings = append(tr.Findings, growth(RuleTimeGrowth, s, prev, last, "build time grew", *s.TimeChange, formatSeconds(prev.DurationSeconds), formatSeconds(last.DurationSeconds)))
			}
		}
	}
	return tr
}

// lastTwo finds the newest two points that have a value.
func lastTwo(points []Point, value func(Point) float64) (prev, last Point, ok bool) {
	n := 0
	for i := len(points) - 1; i >= 0 && n < 2; i-- {
		if value(points[i]) <= 0 {
			continue
		}
		if n == 0 {
			last = points[i]
		} else {
			prev = points[i]
		}
		n++
	}
	return prev, last, n == 2
}

func change(prev, last Point, value func(Point) float64) *float64 {
	// Rounded to a millionth, so that 1000 → 1200 reads 0.2 in JSON.
	c := math.Round((value(last)/value(prev)-1)*1e6) / 1e6
	return &c
}

func growth(rule finding.Rule, s *Series, prev, last Point, what string, change float64, from, to string) finding.Finding {
	t := s.Target
	return finding.Finding{
		Rule: rule.ID, Severity: rule.Severity, Target: &t, Fix: rule.Fix,
		Message: fmt.Sprintf("%s: %s %.1f%% since the previous run (%s → %s)", s.Package, what, change*100, from, to),
		Evidence: []finding.Evidence{
			{Location: &finding.Location{Path: filepath.ToSlash(filepath.Join(Dir, last.File))}, Text: "latest run, " + last.Time.UTC().Format(time.RFC3339)},
			{Location: &finding.Location{Path: filepath.ToSlash(filepath.Join(Dir, prev.File))}, Text: "previous run, " + prev.Time.UTC().Format(time.RFC3339)},
		},
	}
}

// WriteText prints one line per series: its latest size and build time
// and their change since the previous run, growth beyond the threshold
// marked with "!".
func (tr *Trend) WriteText(w io.Writer, _ bool) error {
	if len(tr.Series) == 0 {
		_, err := fmt.Fprintln(w, "no successful matrix builds in the history")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET\tPACKAGE\tRUNS\tSIZE\tCHANGE\tBUILD TIME\tCHANGE")
	for _, s := range tr.Series {
		size, dur := latestCells(s)
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", printable(s.Target.String()), printable(s.Package), len(s.Points), size, tr.changeCell(s.SizeChange), dur, tr.changeCell(s.TimeChange))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\nchanges are since the previous run that built the same package and target; ! marks growth above %s\n", formatPercent(tr.Threshold))
	return err
}

// printable shows a name read from a history file as Go would quote it
// when it holds anything but printable characters, so that a hostile file
// cannot move the cursor, recolour the terminal or break the table.
func printable(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) < 0 {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

// latestCells are the newest size and build time of a series, "-" for
// none.
func latestCells(s Series) (size, dur string) {
	size, dur = "-", "-"
	if _, p, ok := lastTwo(s.Points, func(p Point) float64 { return float64(p.SizeBytes) }); ok || p.SizeBytes > 0 {
		size = formatBytes(p.SizeBytes)
	}
	if _, p, ok := lastTwo(s.Points, func(p Point) float64 { return p.DurationSeconds }); ok || p.DurationSeconds > 0 {
		dur = formatSeconds(p.DurationSeconds)
	}
	return size, dur
}

func (tr *Trend) changeCell(c *float64) string {
	if c == nil {
		return "-"
	}
	s := fmt.Sprintf("%+.1f%%", *c*100)
	if *c > tr.Threshold {
		s += " !"
	}
	return s
}

// WriteMarkdown prints the same table for CI step summaries.
func (tr *Trend) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("| target | package | runs | size | change | build time | change |\n|---|---|---|---|---|---|---|\n")
	for _, s := range tr.Series {
		size, dur := latestCells(s)
		fmt.Fprintf(&b, "| `%s` | `%s` | %d | %s | %s | %s | %s |\n", printable(s.Target.String()), printable(s.Package), len(s.Points), size, tr.changeCell(s.SizeChange), dur, tr.changeCell(s.TimeChange))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// formatBytes uses binary units with one decimal: 2.3 MiB.
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n)/unit, 0
	for v >= unit && i < 3 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGT"[i])
}

func formatSeconds(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(time.Millisecond).String()
}

func formatPercent(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", f*100), "0"), ".") + "%"
}
