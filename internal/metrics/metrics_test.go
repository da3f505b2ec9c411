package metrics

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/history"
	"github.com/goport/goport/internal/matrix"
	"github.com/goport/goport/internal/target"
)

var (
	t0      = time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)
	linux   = target.Target{GOOS: "linux", GOARCH: "amd64", Variant: "v3"}
	windows = target.Target{GOOS: "windows", GOARCH: "arm64"}
)

// synthetic is a history with every kind of run: two matrix runs (the
// latest with a failure), a doctor run and two verify runs.
func synthetic() *history.Set {
	ok := func(t target.Target, size int64) history.Pair {
		return history.Pair{Package: "example.com/m/cmd/a", Target: t, Status: matrix.OK, Size: size, Verified: true}
	}
	return &history.Set{Skipped: 2, Runs: []*history.Run{
		{Time: t0, Command: "matrix", Matrix: &history.MatrixFacts{Schema: matrix.Schema, Pairs: []history.Pair{
			ok(linux, 1000),
			{Package: "example.com/m/cmd/a", Target: windows, Status: matrix.Failed, Rule: "GP-MATRIX-001", Explained: &history.Explained{Runbook: "GP-BUILD-007"}},
		}}},
		{Time: t0.Add(time.Minute), Command: "doctor", Findings: []history.Finding{
			{Rule: "GP-MOD-001", Severity: finding.Error}, {Rule: "GP-PROXY-002", Severity: finding.Warning}, {Rule: "GP-PROXY-002", Severity: finding.Warning},
		}},
		{Time: t0.Add(2 * time.Minute), Command: "verify", Findings: []history.Finding{{Rule: "GP-REL-001", Severity: finding.Error}}},
		{Time: t0.Add(3 * time.Minute), Command: "matrix",
			Builds: []history.Build{
				{Target: linux, Package: "example.com/m/cmd/a", DurationSeconds: 1.5, MinGlibc: "2.34"},
				{Target: windows, Package: "example.com/m/cmd/a", DurationSeconds: 0.25},
			},
			Findings: []history.Finding{{Rule: "GP-MATRIX-001", Severity: finding.Error}},
			Matrix: &history.MatrixFacts{Schema: matrix.Schema, Pairs: []history.Pair{
				ok(linux, 2000),
				{Package: "example.com/m/cmd/a", Target: windows, Status: matrix.Failed, Rule: "GP-MATRIX-001"},
				{Package: "example.com/m/cmd/b", Target: windows, Status: matrix.Skipped},
			}}},
		{Time: t0.Add(4 * time.Minute), Command: "verify"},
	}}
}

func load(set *history.Set) func() (*history.Set, error) {
	return func() (*history.Set, error) { return set, nil }
}

func TestCollect(t *testing.T) {
	t.Parallel()
	want := `
# HELP goport_binary_min_glibc_version Oldest glibc each linux output of the latest matrix run needs, as major + minor/100 (2.34 is 2.34, 2.4 is 2.04); absent when it needs none.
# TYPE goport_binary_min_glibc_version gauge
goport_binary_min_glibc_version{goarch="amd64",goos="linux",package="example.com/m/cmd/a",variant="v3"} 2.34
# HELP goport_binary_size_bytes Size of each output of the latest matrix run.
# TYPE goport_binary_size_bytes gauge
goport_binary_size_bytes{goarch="amd64",goos="linux",package="example.com/m/cmd/a",variant="v3"} 2000
# HELP goport_build_duration_seconds Time from the start of go build to the result of each pair of the latest matrix run, verification included.
# TYPE goport_build_duration_seconds gauge
goport_build_duration_seconds{goarch="amd64",goos="linux",package="example.com/m/cmd/a",variant="v3"} 1.5
goport_build_duration_seconds{goarch="arm64",goos="windows",package="example.com/m/cmd/a",variant=""} 0.25
# HELP goport_build_success 1 when the output of the latest matrix run built and verified for its target, 0 when it failed; skipped and interrupted pairs are absent.
# TYPE goport_build_success gauge
goport_build_success{goarch="amd64",goos="linux",package="example.com/m/cmd/a",variant="v3"} 1
goport_build_success{goarch="arm64",goos="windows",package="example.com/m/cmd/a",variant=""} 0
# HELP goport_failures_total Failed matrix builds in the retained history, by the runbook that explains them (the one matched on the build log, else the failure's rule).
# TYPE goport_failures_total counter
goport_failures_total{runbook="GP-BUILD-007"} 1
goport_failures_total{runbook="GP-MATRIX-001"} 1
# HELP goport_findings Findings of the latest run of each command, by severity and rule.
# TYPE goport_findings gauge
goport_findings{command="doctor",rule="GP-MOD-001",severity="error"} 1
goport_findings{command="doctor",rule="GP-PROXY-002",severity="warning"} 2
goport_findings{command="matrix",rule="GP-MATRIX-001",severity="error"} 1
# HELP goport_history_skipped_files History files that could not be read: truncated, malformed or of another schema version.
# TYPE goport_history_skipped_files gauge
goport_history_skipped_files 2
# HELP goport_last_run_timestamp_seconds Unix time of the latest recorded run of each command.
# TYPE goport_last_run_timestamp_seconds gauge
goport_last_run_timestamp_seconds{command="doctor"} 1.79570526e+09
goport_last_run_timestamp_seconds{command="matrix"} 1.79570538e+09
goport_last_run_timestamp_seconds{command="verify"} 1.79570544e+09
# HELP goport_runs_total Runs of each command in the retained history.
# TYPE goport_runs_total counter
goport_runs_total{command="doctor"} 1
goport_runs_total{command="matrix"} 2
goport_runs_total{command="verify"} 2
# HELP goport_verify_success 1 when the latest goport verify found no error, 0 when it did.
# TYPE goport_verify_success gauge
goport_verify_success 1
`
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewCollector(load(synthetic())))
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
}

// TestCollectEmpty: an empty history exports only the skipped-file
// count, and a history that cannot be read fails the gathering instead
// of exporting zeros.
func TestCollectEmpty(t *testing.T) {
	t.Parallel()
	reg := NewRegistry(load(&history.Set{}))
	want := "# HELP goport_history_skipped_files History files that could not be read: truncated, malformed or of another schema version.\n# TYPE goport_history_skipped_files gauge\ngoport_history_skipped_files 0\n"
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
	broken := NewRegistry(func() (*history.Set, error) { return nil, errors.New("permission denied") })
	if _, err := broken.Gather(); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("Gather of an unreadable history: %v", err)
	}
}

// TestCollectDuplicatePair: a hand-edited report repeating a pair must
// not make the registry reject the whole collection.
func TestCollectDuplicatePair(t *testing.T) {
	t.Parallel()
	p := history.Pair{Package: "m", Target: linux, Status: matrix.OK, Size: 1, Verified: true}
	set := &history.Set{Runs: []*history.Run{{Time: t0, Command: "matrix", Matrix: &history.MatrixFacts{Pairs: []history.Pair{p, p}}}}}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewCollector(load(set)))
	if _, err := reg.Gather(); err != nil {
		t.Error(err)
	}
}

// TestNames: Names lists exactly the metrics the collector describes.
func TestNames(t *testing.T) {
	t.Parallel()
	ch := make(chan *prometheus.Desc, 32)
	NewCollector(load(synthetic())).Describe(ch)
	close(ch)
	var described []string
	for d := range ch {
		s := d.String()
		s = s[strings.Index(s, `fqName: "`)+len(`fqName: "`):]
		described = append(described, s[:strings.IndexByte(s, '"')])
	}
	if diff := cmp.Diff(described, Names()); diff != "" {
		t.Errorf("Names (-described +listed):\n%s", diff)
	}
	for _, n := range Names() {
		if !model.LegacyValidation.IsValidMetricName(n) {
			t.Errorf("%s is not a valid metric name", n)
		}
	}
}

func TestGlibcValue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"2.34", 2.34, true},
		{"2.4", 2.04, true},
		{"2.40", 2.40, true},
		{"2.17.1", 2.17, true},
		{"", 0, false},
		{"2", 0, false},
		{"2.x", 0, false},
		{"2.100", 0, false},
		{"-1.2", 0, false},
	} {
		got, ok := GlibcValue(tc.in)
		if ok != tc.ok || (ok && (got-tc.want > 1e-9 || tc.want-got > 1e-9)) {
			t.Errorf("GlibcValue(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	// The encoding orders versions as glibc does.
	var vals []float64
	for _, v := range []string{"2.4", "2.17", "2.28", "2.34", "2.40"} {
		f, _ := GlibcValue(v)
		vals = append(vals, f)
	}
	if !slices.IsSorted(vals) {
		t.Errorf("encoded versions out of order: %v", vals)
	}
}

func TestWriteTextfile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "goport.prom")
	if err := WriteTextfile(path, NewRegistry(load(synthetic()))); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	parser := expfmt.NewTextParser(model.LegacyValidation)
	mfs, err := parser.TextToMetricFamilies(f)
	if err != nil {
		t.Fatalf("the textfile does not parse: %v", err)
	}
	if got := mfs["goport_binary_size_bytes"].GetMetric()[0].GetGauge().GetValue(); got != 2000 {
		t.Errorf("goport_binary_size_bytes = %v, want 2000", got)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if m.TimestampMs != nil {
				t.Errorf("%s has a timestamp; the textfile collector rejects them", mf.GetName())
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d files in the directory, want only goport.prom", len(entries))
	}
}

func TestWriteTextfileUnwritable(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("root writes into read-only directories")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	err := WriteTextfile(filepath.Join(dir, "goport.prom"), NewRegistry(load(synthetic())))
	if !errors.Is(err, os.ErrPermission) {
		t.Errorf("WriteTextfile into a read-only directory: %v, want permission denied", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left %d files behind", len(entries))
	}
}

// TestPromlintCatchesBadNames makes sure the lint in TestCollect can
// fail: a counter without _total and a unit-less duration are problems.
func TestPromlintCatchesBadNames(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "goport_builds", Help: "h"})
	reg.MustRegister(c)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil || len(problems) == 0 {
		t.Errorf("promlint found nothing wrong with a counter without _total: %v", err)
	}
}

// TestCollectInterrupted: a pair the run was stopped before finishing
// did not fail; like a skipped pair it has no success value, size or
// duration, and an alert on goport_build_success == 0 does not fire.
func TestCollectInterrupted(t *testing.T) {
	t.Parallel()
	set := &history.Set{Runs: []*history.Run{{Time: t0, Command: "matrix",
		Builds: []history.Build{{Target: windows, Package: "example.com/m/cmd/a", DurationSeconds: 3}},
		Matrix: &history.MatrixFacts{Schema: matrix.Schema, Pairs: []history.Pair{
			{Package: "example.com/m/cmd/a", Target: linux, Status: matrix.OK, Size: 1000, Verified: true},
			{Package: "example.com/m/cmd/a", Target: windows, Status: matrix.Interrupted},
		}}}}}
	want := `
# HELP goport_build_success 1 when the output of the latest matrix run built and verified for its target, 0 when it failed; skipped and interrupted pairs are absent.
# TYPE goport_build_success gauge
goport_build_success{goarch="amd64",goos="linux",package="example.com/m/cmd/a",variant="v3"} 1
`
	if err := testutil.CollectAndCompare(NewCollector(load(set)), strings.NewReader(want), "goport_build_success"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(NewCollector(load(set)), "goport_build_duration_seconds"); n != 0 {
		t.Errorf("%d build durations, want none for an interrupted pair", n)
	}
}
