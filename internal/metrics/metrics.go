// Package metrics turns goport's run history into Prometheus metrics: a
// Collector that reads the history on every collection, for a /metrics
// endpoint or a node_exporter textfile. Gauges describe the latest run of
// each command; counters total the runs the history retains.
package metrics

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/history"
	"github.com/goport/goport/internal/matrix"
)

// buildLabels identify an output of a matrix run.
var buildLabels = []string{"goos", "goarch", "variant", "package"}

// The metrics goport exports. Names follow the Prometheus conventions:
// base units in the name, _total only on counters, targets, commands and
// rules as labels.
var (
	lastRun = prometheus.NewDesc("goport_last_run_timestamp_seconds",
		"Unix time of the latest recorded run of each command.", []string{"command"}, nil)
	runs = prometheus.NewDesc("goport_runs_total",
		"Runs of each command in the retained history.", []string{"command"}, nil)
	findings = prometheus.NewDesc("goport_findings",
		"Findings of the latest run of each command, by severity and rule.", []string{"command", "severity", "rule"}, nil)
	buildSuccess = prometheus.NewDesc("goport_build_success",
		"1 when the output of the latest matrix run built and verified for its target, 0 when it failed; skipped and interrupted pairs are absent.", buildLabels, nil)
	buildDuration = prometheus.NewDesc("goport_build_duration_seconds",
		"Time from the start of go build to the result of each pair of the latest matrix run, verification included.", buildLabels, nil)
	binarySize = prometheus.NewDesc("goport_binary_size_bytes",
		"Size of each output of the latest matrix run.", buildLabels, nil)
	minGlibc = prometheus.NewDesc("goport_binary_min_glibc_version",
		"Oldest glibc each linux output of the latest matrix run needs, as major + minor/100 (2.34 is 2.34, 2.4 is 2.04); absent when it needs none.", buildLabels, nil)
	verifySuccess = prometheus.NewDesc("goport_verify_success",
		"1 when the latest goport verify found no error, 0 when it did.", nil, nil)
	failures = prometheus.NewDesc("goport_failures_total",
		"Failed matrix builds in the retained history, by the runbook that explains them (the one matched on the build log, else the failure's rule).", []string{"runbook"}, nil)
	skipped = prometheus.NewDesc("goport_history_skipped_files",
		"History files that could not be read: truncated, malformed or of another schema version.", nil, nil)
)

// Names lists the name of every metric goport exports.
func Names() []string {
	return []string{
		"goport_last_run_timestamp_seconds", "goport_runs_total", "goport_findings",
		"goport_build_success", "goport_build_duration_seconds", "goport_binary_size_bytes",
		"goport_binary_min_glibc_version", "goport_verify_success", "goport_failures_total",
		"goport_history_skipped_files",
	}
}

func descs() []*prometheus.Desc {
	return []*prometheus.Desc{lastRun, runs, findings, buildSuccess, buildDuration, binarySize, minGlibc, verifySuccess, failures, skipped}
}

// Collector computes the metrics from the history each time it is
// collected, so a long-running /metrics endpoint follows new runs.
type Collector struct {
	load func() (*history.Set, error)
}

// NewCollector returns a Collector reading the history with load.
func NewCollector(load func() (*history.Set, error)) *Collector {
	return &Collector{load: load}
}

// NewRegistry returns a registry holding a Collector and nothing else:
// no process or Go runtime metrics, no global state.
func NewRegistry(load func() (*history.Set, error)) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector(load))
	return reg
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range descs() {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	set, err := c.load()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(skipped, fmt.Errorf("reading history: %w", err))
		return
	}
	ch <- prometheus.MustNewConstMetric(skipped, prometheus.GaugeValue, float64(set.Skipped))
	counts := map[string]int{}
	latest := map[string]*history.Run{}
	failed := map[string]int{}
	for _, run := range set.Runs {
		counts[run.Command]++
		latest[run.Command] = run
		if run.Matrix == nil {
			continue
		}
		for _, p := range run.Matrix.Pairs {
			if p.Status == matrix.Failed {
				failed[p.Runbook()]++
			}
		}
	}
	for cmd, n := range counts {
		ch <- prometheus.MustNewConstMetric(runs, prometheus.CounterValue, float64(n), cmd)
	}
	for rb, n := range failed {
		ch <- prometheus.MustNewConstMetric(failures, prometheus.CounterValue, float64(n), rb)
	}
	for cmd, run := range latest {
		ch <- prometheus.MustNewConstMetric(lastRun, prometheus.GaugeValue, float64(run.Time.UnixNano())/1e9, cmd)
		collectFindings(ch, cmd, run)
	}
	if run := latest["matrix"]; run != nil {
		collectBuilds(ch, run)
	}
	if run := latest["verify"]; run != nil {
		ch <- prometheus.MustNewConstMetric(verifySuccess, prometheus.GaugeValue, boolValue(!run.Failed()))
	}
}

func collectFindings(ch chan<- prometheus.Metric, cmd string, run *history.Run) {
	type key struct {
		sev  finding.Severity
		rule string
	}
	n := map[key]int{}
	for _, f := range run.Findings {
		n[key{f.Severity, f.Rule}]++
	}
	for k, v := range n {
		ch <- prometheus.MustNewConstMetric(findings, prometheus.GaugeValue, float64(v), cmd, k.sev.String(), k.rule)
	}
}

func collectBuilds(ch chan<- prometheus.Metric, run *history.Run) {
	// A report is one pair per package and target; a hand-edited one
	// could repeat a pair, which would make the registry fail the whole
	// collection.
	seen := map[history.BuildKey]bool{}
	for _, p := range run.Matrix.Pairs {
		key := history.BuildKey{Target: p.Target, Package: p.Package}
		// An interrupted pair did not fail: it has no result to show.
		if seen[key] || p.Status == matrix.Skipped || p.Status == matrix.Interrupted {
			continue
		}
		seen[key] = true
		labels := []string{p.Target.GOOS, p.Target.GOARCH, p.Target.Variant, p.Package}
		ok := p.Status == matrix.OK && (p.Verified || run.Matrix.Check)
		ch <- prometheus.MustNewConstMetric(buildSuccess, prometheus.GaugeValue, boolValue(ok), labels...)
		if p.Size > 0 {
			ch <- prometheus.MustNewConstMetric(binarySize, prometheus.GaugeValue, float64(p.Size), labels...)
		}
		b := run.Build(p.Target, p.Package)
		if b == nil {
			continue
		}
		if b.DurationSeconds > 0 {
			ch <- prometheus.MustNewConstMetric(buildDuration, prometheus.GaugeValue, b.DurationSeconds, labels...)
		}
		if v, ok := GlibcValue(b.MinGlibc); ok {
			ch <- prometheus.MustNewConstMetric(minGlibc, prometheus.GaugeValue, v, labels...)
		}
	}
}

// GlibcValue encodes a glibc version as major + minor/100, so that
// versions compare as numbers: 2.4 is 2.04 and sorts below 2.34, and
// 2.40 is 2.40, not 2.4.
func GlibcValue(v string) (float64, bool) {
	major, minor, ok := strings.Cut(v, ".")
	if !ok {
		return 0, false
	}
	minor, _, _ = strings.Cut(minor, ".") // a patch level does not matter
	a, err1 := strconv.Atoi(major)
	b, err2 := strconv.Atoi(minor)
	if err1 != nil || err2 != nil || a < 0 || b < 0 || b > 99 {
		return 0, false
	}
	return float64(a) + float64(b)/100, true
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// WriteTextfile writes the metrics for node_exporter's textfile
// collector: through a temporary file in the same directory, renamed
// into place, so the collector never reads half a file.
func WriteTextfile(path string, g prometheus.Gatherer) error {
	return prometheus.WriteToTextfile(path, g)
}
