package history

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goport/goport/internal/matrix"
	"github.com/goport/goport/internal/target"
)

var (
	linux   = target.Target{GOOS: "linux", GOARCH: "amd64"}
	windows = target.Target{GOOS: "windows", GOARCH: "amd64"}
)

// matrixRun is a matrix run at minute i that built pkg for each target
// with the given size and duration.
func matrixRun(i int, sizes map[target.Target]int64, secs map[target.Target]float64) *Run {
	r := &Run{Time: t0.Add(time.Duration(i) * time.Minute), Command: "matrix", File: "run" + string(rune('a'+i)) + ".json", Matrix: &MatrixFacts{Schema: matrix.Schema}}
	for _, tg := range []target.Target{linux, windows} {
		size, ok := sizes[tg]
		if !ok {
			continue
		}
		r.Matrix.Pairs = append(r.Matrix.Pairs, Pair{Package: "example.com/m", Target: tg, Status: matrix.OK, Size: size, Verified: true})
		if s := secs[tg]; s > 0 {
			r.Builds = append(r.Builds, Build{Target: tg, Package: "example.com/m", DurationSeconds: s})
		}
	}
	return r
}

func TestTrends(t *testing.T) {
	t.Parallel()
	failed := matrixRun(3, nil, nil)
	failed.Matrix.Pairs = []Pair{{Package: "example.com/m", Target: linux, Status: matrix.Failed, Rule: "GP-MATRIX-001"}}
	runs := []*Run{
		matrixRun(0, map[target.Target]int64{linux: 1000, windows: 2000}, map[target.Target]float64{linux: 1, windows: 1}),
		{Time: t0.Add(time.Minute), Command: "doctor"},
		matrixRun(2, map[target.Target]int64{linux: 1050, windows: 2000}, map[target.Target]float64{linux: 1, windows: 2}),
		failed, // a failed build is not a point: growth is measured against the last success
		matrixRun(4, map[target.Target]int64{linux: 1200, windows: 2100}, map[target.Target]float64{linux: 1.05, windows: 2}),
	}
	tr := Trends(runs, TrendOptions{Threshold: 0.10})
	if len(tr.Series) != 2 {
		t.Fatalf("%d series, want 2", len(tr.Series))
	}
	type verdict struct {
		Rule, Target, Message string
	}
	var got []verdict
	for _, f := range tr.Findings {
		got = append(got, verdict{f.Rule, f.Target.String(), f.Message})
	}
	want := []verdict{
		// 1050 → 1200 is 14.3%; windows 2000 → 2100 is 5%, and its
		// build time doubled only between older runs.
		{"GP-TREND-001", "linux/amd64", "example.com/m: binary grew 14.3% since the previous run (1.0 KiB → 1.2 KiB)"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	lin := tr.Series[0]
	if lin.Target != linux || len(lin.Points) != 3 || lin.TimeChange == nil || *lin.TimeChange > 0.051 {
		t.Errorf("linux series: %+v", lin)
	}
	ev := tr.Findings[0].Evidence
	if len(ev) != 2 || !strings.HasSuffix(ev[0].Location.Path, "rune.json") || !strings.HasSuffix(ev[1].Location.Path, "runc.json") {
		t.Errorf("evidence does not name the two history files: %+v", ev)
	}

	// The build-time rule, and --target.
	slow := append(runs, matrixRun(5, map[target.Target]int64{linux: 1200, windows: 2100}, map[target.Target]float64{linux: 1.05, windows: 3}))
	tr = Trends(slow, TrendOptions{Threshold: 0.10, Targets: []target.Target{windows}})
	got = nil
	for _, f := range tr.Findings {
		got = append(got, verdict{f.Rule, f.Target.String(), f.Message})
	}
	want = []verdict{{"GP-TREND-002", "windows/amd64", "example.com/m: build time grew 50.0% since the previous run (2s → 3s)"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings for windows (-want +got):\n%s", diff)
	}
	if len(tr.Series) != 1 {
		t.Errorf("--target windows/amd64 kept %d series", len(tr.Series))
	}
}

// TestTrendsSteady: no growth, a shrink, growth below the threshold and a
// single run flag nothing.
func TestTrendsSteady(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		runs []*Run
	}{
		{"empty", nil},
		{"one run", []*Run{matrixRun(0, map[target.Target]int64{linux: 1000}, map[target.Target]float64{linux: 1})}},
		{"steady", []*Run{
			matrixRun(0, map[target.Target]int64{linux: 1000}, map[target.Target]float64{linux: 1}),
			matrixRun(1, map[target.Target]int64{linux: 1000}, map[target.Target]float64{linux: 1}),
		}},
		{"shrink", []*Run{
			matrixRun(0, map[target.Target]int64{linux: 1000}, map[target.Target]float64{linux: 3}),
			matrixRun(1, map[target.Target]int64{linux: 500}, map[target.Target]float64{linux: 1}),
		}},
		{"below threshold", []*Run{
			matrixRun(0, map[target.Target]int64{linux: 1000}, map[target.Target]float64{linux: 1}),
			matrixRun(1, map[target.Target]int64{linux: 1099}, map[target.Target]float64{linux: 1.099}),
		}},
	} {
		tr := Trends(tc.runs, TrendOptions{Threshold: 0.10})
		if len(tr.Findings) != 0 {
			t.Errorf("%s: findings %+v", tc.name, tr.Findings)
		}
	}
}

func TestTrendText(t *testing.T) {
	t.Parallel()
	tr := Trends([]*Run{
		matrixRun(0, map[target.Target]int64{linux: 2 << 20, windows: 3 << 20}, map[target.Target]float64{linux: 1.5}),
		matrixRun(1, map[target.Target]int64{linux: 3 << 20, windows: 3 << 20}, map[target.Target]float64{linux: 1.2}),
	}, TrendOptions{Threshold: 0.25})
	var b bytes.Buffer
	if err := tr.WriteText(&b, false); err != nil {
		t.Fatal(err)
	}
	want := `TARGET         PACKAGE        RUNS  SIZE     CHANGE    BUILD TIME  CHANGE
linux/amd64    example.com/m  2     3.0 MiB  +50.0% !  1.2s        -20.0%
windows/amd64  example.com/m  2     3.0 MiB  +0.0%     -           -

changes are since the previous run that built the same package and target; ! marks growth above 25%
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}
}

func TestTrendMarkdown(t *testing.T) {
	t.Parallel()
	tr := Trends([]*Run{
		matrixRun(0, map[target.Target]int64{linux: 1000}, nil),
		matrixRun(1, map[target.Target]int64{linux: 2000}, nil),
	}, TrendOptions{Threshold: 0.1})
	var b bytes.Buffer
	if err := tr.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	want := "| target | package | runs | size | change | build time | change |\n|---|---|---|---|---|---|---|\n| `linux/amd64` | `example.com/m` | 2 | 2.0 KiB | +100.0% ! | - | - |\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("markdown (-want +got):\n%s", diff)
	}
}

// TestTrendTextHostilePackage: a history file is data from disk; a
// package name in it cannot recolour the terminal or break the table.
func TestTrendTextHostilePackage(t *testing.T) {
	t.Parallel()
	runs := []*Run{matrixRun(0, map[target.Target]int64{linux: 1000}, nil), matrixRun(1, map[target.Target]int64{linux: 1000}, nil)}
	for _, r := range runs {
		r.Matrix.Pairs[0].Package = "evil\x1b[31mred\nsecond line"
	}
	var b bytes.Buffer
	if err := Trends(runs, TrendOptions{Threshold: 0.1}).WriteText(&b, false); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(b.String(), "\x1b") || strings.Count(b.String(), "\n") != 4 {
		t.Errorf("control characters reach the table:\n%q", b.String())
	}
	if !strings.Contains(b.String(), `evil\x1b[31mred\nsecond line`) {
		t.Errorf("package name not shown escaped:\n%s", b.String())
	}
}
