package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	dto "github.com/prometheus/client_model/go"

	"github.com/goport/goport/internal/history"
	"github.com/goport/goport/internal/metrics"
	"github.com/goport/goport/internal/testenv"
)

// ticking calls Main with in-memory streams and a clock that moves one
// minute per run, so that records sort in run order.
func ticking(t *testing.T, environ []string) func(args ...string) (int, string, string) {
	t.Helper()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		now = now.Add(time.Minute)
		s := &Streams{In: strings.NewReader(""), Out: &out, Err: &errOut, Environ: environ, Now: func() time.Time { return now }}
		code := Main(context.Background(), args, s)
		return code, out.String(), errOut.String()
	}
}

// historyEnviron is testEnviron with recording on.
func historyEnviron(t *testing.T, extra ...string) []string {
	return testEnviron(t, append([]string{"GOPORT_NO_HISTORY="}, extra...)...)
}

func writeModule(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	if err := testenv.WriteFiles(dir, files); err != nil {
		t.Fatal(err)
	}
}

func historyNames(t *testing.T, root string) []string {
	t.Helper()
	names, err := history.Names(filepath.Join(root, history.Dir))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestHistoryFromRealRuns runs doctor and two real matrix builds over two
// targets on a tiny module, the second after the program gained
// net/http, then checks what the history recorded, the metrics exported
// from it and the size growth report trend flags.
func TestHistoryFromRealRuns(t *testing.T) {
	dir := t.TempDir()
	writeModule(t, dir, map[string]string{
		"go.mod":  "module example.com/m\n\ngo 1.22\n",
		"main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hi\") }\n",
	})
	t.Chdir(dir)
	// The real build cache keeps the four builds quick.
	gocache, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	run := ticking(t, historyEnviron(t, "GOCACHE="+strings.TrimSpace(string(gocache))))

	code, doctorJSON, stderr := run("doctor", "--format", "json")
	if code != ExitOK || stderr != "" {
		t.Fatalf("doctor: exit %d, stderr %q", code, stderr)
	}
	matrixArgs := []string{"matrix", "--targets", "linux/amd64,windows/amd64", "--cgo", "off", "-j", "1"}
	if code, _, stderr := run(matrixArgs...); code != ExitOK {
		t.Fatalf("matrix: exit %d, stderr %q", code, stderr)
	}
	writeModule(t, dir, map[string]string{
		"main.go": "package main\n\nimport \"net/http\"\n\nfunc main() { _ = http.ListenAndServe(\":0\", nil) }\n",
	})
	code, matrixJSON, stderr := run(append(matrixArgs, "--format", "json")...)
	if code != ExitOK {
		t.Fatalf("matrix: exit %d, stderr %q", code, stderr)
	}

	// The records hold the very JSON --format json printed.
	names := historyNames(t, dir)
	if len(names) != 3 {
		t.Fatalf("history holds %q, want 3 records", names)
	}
	for _, tc := range []struct{ name, stdout string }{{names[0], doctorJSON}, {names[2], matrixJSON}} {
		data, err := os.ReadFile(filepath.Join(dir, history.Dir, tc.name))
		if err != nil {
			t.Fatal(err)
		}
		var rec history.Record
		if err := json.Unmarshal(data, &rec); err != nil {
			t.Fatal(err)
		}
		var got, want bytes.Buffer
		if err := json.Indent(&got, rec.Report, "", "  "); err != nil {
			t.Fatal(err)
		}
		if err := json.Indent(&want, []byte(strings.TrimSpace(tc.stdout)), "", "  "); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want.String(), got.String()); diff != "" {
			t.Errorf("%s: recorded report differs from --format json (-stdout +recorded):\n%s", tc.name, diff)
		}
	}

	// Metrics from the history: values match the files on disk.
	prom := filepath.Join(dir, "textfile", "goport.prom")
	if err := os.Mkdir(filepath.Dir(prom), 0o755); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := run("metrics", "--textfile", prom); code != ExitOK || stdout != "" || stderr != "" {
		t.Fatalf("metrics: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	text, err := os.ReadFile(prom)
	if err != nil {
		t.Fatal(err)
	}
	problems, err := promlint.New(bytes.NewReader(text)).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
	mfs := parseMetrics(t, text)
	for _, tc := range []struct{ goos, file string }{{"linux", "dist/linux_amd64/m"}, {"windows", "dist/windows_amd64/m.exe"}} {
		fi, err := os.Stat(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		labels := map[string]string{"goos": tc.goos, "goarch": "amd64", "package": "example.com/m"}
		if got := metricValue(t, mfs, "goport_binary_size_bytes", labels); got != float64(fi.Size()) {
			t.Errorf("%s size = %v, want %d", tc.goos, got, fi.Size())
		}
		if got := metricValue(t, mfs, "goport_build_success", labels); got != 1 {
			t.Errorf("%s build_success = %v, want 1", tc.goos, got)
		}
		if got := metricValue(t, mfs, "goport_build_duration_seconds", labels); got <= 0 {
			t.Errorf("%s build_duration_seconds = %v, want > 0", tc.goos, got)
		}
	}
	if got := metricValue(t, mfs, "goport_runs_total", map[string]string{"command": "matrix"}); got != 2 {
		t.Errorf("matrix runs_total = %v, want 2", got)
	}
	if got := metricValue(t, mfs, "goport_runs_total", map[string]string{"command": "doctor"}); got != 1 {
		t.Errorf("doctor runs_total = %v, want 1", got)
	}
	if _, ok := mfs["goport_binary_min_glibc_version"]; ok {
		t.Error("static outputs have a glibc floor")
	}

	// net/http made both binaries far more than 10% larger.
	code, stdout, stderr := run("report", "trend", "--format", "json")
	if code != ExitOK || stderr != "" {
		t.Fatalf("report trend: exit %d, stderr %q", code, stderr)
	}
	var rep struct {
		Findings []struct {
			Rule   string `json:"rule"`
			Target struct {
				GOOS string `json:"goos"`
			} `json:"target"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	grown := map[string]bool{}
	for _, f := range rep.Findings {
		if f.Rule == "GP-TREND-001" {
			grown[f.Target.GOOS] = true
		}
	}
	if !grown["linux"] || !grown["windows"] {
		t.Errorf("report trend flagged size growth for %v, want linux and windows:\n%s", grown, stdout)
	}
	// Warnings fail the run only when asked.
	if code, _, _ := run("report", "trend", "--fail-on", "warning", "--target", "linux/amd64"); code != ExitFindings {
		t.Errorf("report trend --fail-on warning: exit %d, want %d", code, ExitFindings)
	}
	if code, _, _ := run("report", "trend", "--threshold", "1000%"); code != ExitOK {
		t.Errorf("report trend --threshold 1000%%: exit %d, want 0", code)
	}
}

func parseMetrics(t *testing.T, text []byte) map[string]*dto.MetricFamily {
	t.Helper()
	parser := expfmt.NewTextParser(model.LegacyValidation)
	mfs, err := parser.TextToMetricFamilies(bytes.NewReader(text))
	if err != nil {
		t.Fatalf("metrics do not parse: %v\n%s", err, text)
	}
	return mfs
}

// metricValue finds the one sample of name whose labels include labels.
func metricValue(t *testing.T, mfs map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	t.Helper()
	var found []float64
	for _, m := range mfs[name].GetMetric() {
		match := 0
		for _, lp := range m.GetLabel() {
			if v, ok := labels[lp.GetName()]; ok && v == lp.GetValue() {
				match++
			}
		}
		if match == len(labels) {
			found = append(found, m.GetGauge().GetValue()+m.GetCounter().GetValue())
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s%v: %d samples, want 1", name, labels, len(found))
	}
	return found[0]
}

// TestHistoryNeverChangesOutcome: recording cannot change a run's exit
// code or stdout; an unwritable history costs one warning line, no
// module or an opt-out costs nothing.
func TestHistoryNeverChangesOutcome(t *testing.T) {
	t.Parallel()
	broken := brokenModule(t)
	_, wantStdout, _ := run(t, false, testEnviron(t), "doctor", broken)

	t.Run("read-only", func(t *testing.T) {
		t.Parallel()
		if os.Geteuid() == 0 {
			t.Skip("root writes into read-only directories")
		}
		dir := brokenModule(t)
		if err := os.Mkdir(filepath.Join(dir, ".goport"), 0o555); err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr := run(t, false, historyEnviron(t), "doctor", dir)
		if code != ExitFindings || stdout != wantStdout {
			t.Errorf("exit %d, stdout %q; want %d, %q", code, stdout, ExitFindings, wantStdout)
		}
		if !strings.HasPrefix(stderr, "goport: warning: doctor: recording history: ") || !strings.HasSuffix(stderr, "permission denied\n") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("stderr = %q, want one warning line", stderr)
		}
	})
	t.Run(".goport is a file", func(t *testing.T) {
		t.Parallel()
		dir := brokenModule(t)
		writeModule(t, dir, map[string]string{".goport": "not a directory"})
		code, stdout, stderr := run(t, false, historyEnviron(t), "doctor", dir)
		if code != ExitFindings || stdout != wantStdout {
			t.Errorf("exit %d, stdout %q; want %d, %q", code, stdout, ExitFindings, wantStdout)
		}
		if !strings.HasPrefix(stderr, "goport: warning: doctor: recording history: ") || !strings.HasSuffix(stderr, "not a directory\n") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("stderr = %q, want one warning line", stderr)
		}
	})
	t.Run("bad goport.yaml", func(t *testing.T) {
		t.Parallel()
		dir := brokenModule(t)
		writeModule(t, dir, map[string]string{"goport.yaml": "history:\n  keep: lots\n"})
		code, stdout, stderr := run(t, false, historyEnviron(t), "doctor", dir)
		want := "goport: warning: doctor: recording history: " + filepath.Join(dir, "goport.yaml") + ":2: history.keep: want a number from 1 to 100000, not \"lots\"\n"
		if code != ExitFindings || stdout != wantStdout || stderr != want {
			t.Errorf("exit %d, stderr %q; want %d, %q", code, stderr, ExitFindings, want)
		}
	})
	t.Run("not a module", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		code, _, stderr := run(t, false, historyEnviron(t), "doctor", dir)
		if code != ExitOK || stderr != "" {
			t.Errorf("exit %d, stderr %q; want 0 and nothing", code, stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, ".goport")); !os.IsNotExist(err) {
			t.Errorf("a run outside any module made .goport: %v", err)
		}
	})
	for _, tc := range []struct {
		name  string
		env   []string
		yaml  string
		runs  int
		wantN int
	}{
		{"recorded", nil, "", 1, 1},
		{"GOPORT_NO_HISTORY", []string{"GOPORT_NO_HISTORY=1"}, "", 1, 0},
		{"GOPORT_NO_HISTORY=0 records", []string{"GOPORT_NO_HISTORY=0"}, "", 1, 1},
		{"history.disable", nil, "history:\n  disable: true\n", 1, 0},
		{"history.keep", nil, "history:\n  keep: 2\n", 3, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := brokenModule(t)
			if tc.yaml != "" {
				writeModule(t, dir, map[string]string{"goport.yaml": tc.yaml})
			}
			for range tc.runs {
				code, stdout, stderr := run(t, false, historyEnviron(t, tc.env...), "doctor", dir)
				if code != ExitFindings || stdout != wantStdout || stderr != "" {
					t.Errorf("exit %d, stderr %q, stdout changed: %v", code, stderr, stdout != wantStdout)
				}
			}
			if got := len(historyNames(t, dir)); got != tc.wantN {
				t.Errorf("%d records, want %d", got, tc.wantN)
			}
		})
	}
}

func TestMetricsErrors(t *testing.T) {
	t.Parallel()
	mod := brokenModule(t)
	notMod := t.TempDir()
	for _, tc := range []struct {
		name       string
		args       []string
		want       int
		wantStderr string
	}{
		{"both outputs", []string{"metrics", "--textfile", "x.prom", "--serve", ":0", mod}, ExitUsage, "goport: metrics: --textfile and --serve exclude each other\nRun 'goport metrics --help' for usage.\n"},
		{"not a module", []string{"metrics", notMod}, ExitIncomplete, "goport: metrics: " + notMod + ": not in a module: the run history lives in the module's .goport/history\n"},
		{"missing dir", []string{"metrics", filepath.Join(notMod, "nope")}, ExitIncomplete, "goport: metrics: " + filepath.Join(notMod, "nope") + ": not a directory\n"},
		{"missing textfile dir", []string{"metrics", "--textfile", filepath.Join(notMod, "no", "m.prom"), mod}, ExitIncomplete, "goport: metrics: writing " + filepath.Join(notMod, "no", "m.prom") + ": no such file or directory\n"},
		{"textfile dir is a file", []string{"metrics", "--textfile", filepath.Join(mod, "go.mod", "m.prom"), mod}, ExitIncomplete, "goport: metrics: writing " + filepath.Join(mod, "go.mod", "m.prom") + ": not a directory\n"},
		{"bad threshold", []string{"report", "trend", "--threshold", "ten", mod}, ExitUsage, "goport: report trend: invalid --threshold \"ten\": want a percentage like 10%\nRun 'goport report trend --help' for usage.\n"},
		{"negative threshold", []string{"report", "trend", "--threshold", "-5%", mod}, ExitUsage, "goport: report trend: invalid --threshold \"-5%\": want a percentage like 10%\nRun 'goport report trend --help' for usage.\n"},
		{"bad target", []string{"report", "trend", "--target", "linux", mod}, ExitUsage, "goport: report trend: invalid target \"linux\""},
		{"trend not a module", []string{"report", "trend", notMod}, ExitIncomplete, "goport: report trend: " + notMod + ": not in a module"},
	} {
		code, stdout, stderr := run(t, false, testEnviron(t), tc.args...)
		if code != tc.want || !strings.HasPrefix(stderr, tc.wantStderr) || stdout != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want %d, %q", tc.name, code, stdout, stderr, tc.want, tc.wantStderr)
		}
	}
}

func TestMetricsTextfileUnwritable(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("root writes into read-only directories")
	}
	mod := brokenModule(t)
	out := t.TempDir()
	if err := os.Chmod(out, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(out, 0o755) })
	prom := filepath.Join(out, "goport.prom")
	code, stdout, stderr := run(t, false, testEnviron(t), "metrics", "--textfile", prom, mod)
	want := "goport: metrics: writing " + prom + ": permission denied\n"
	if code != ExitIncomplete || stderr != want || stdout != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want %d, %q", code, stdout, stderr, ExitIncomplete, want)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("left %d files in the read-only directory", len(entries))
	}
}

// TestMetricsSkippedFiles: truncated and foreign records are counted in
// one warning and a metric, never fatal.
func TestMetricsSkippedFiles(t *testing.T) {
	t.Parallel()
	mod := brokenModule(t)
	if code, _, _ := run(t, false, historyEnviron(t), "doctor", mod); code != ExitFindings {
		t.Fatalf("doctor: exit %d", code)
	}
	hdir := filepath.Join(mod, history.Dir)
	writeModule(t, hdir, map[string]string{
		"20260101T000000.000000000Z-doctor-1-aa.json": `{"schema":"goport.history/v1","time":"2026-01-01T00:00:00Z","comm`,
		"20260101T000001.000000000Z-doctor-1-bb.json": `{"schema":"goport.history/v2","time":"2026-01-01T00:00:01Z"}`,
	})
	code, stdout, stderr := run(t, false, testEnviron(t), "metrics", mod)
	if code != ExitOK || stderr != "goport: warning: metrics: skipped 2 history file(s): truncated, malformed or of another schema version\n" {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	mfs := parseMetrics(t, []byte(stdout))
	if got := mfs["goport_history_skipped_files"].GetMetric()[0].GetGauge().GetValue(); got != 2 {
		t.Errorf("goport_history_skipped_files = %v, want 2", got)
	}
	if got := metricValue(t, mfs, "goport_findings", map[string]string{"command": "doctor", "rule": "GP-MOD-001", "severity": "error"}); got != 1 {
		t.Errorf("doctor GP-MOD-001 findings = %v, want 1", got)
	}
}

func TestServeMetrics(t *testing.T) {
	t.Parallel()
	mod := brokenModule(t)
	if code, _, _ := run(t, false, historyEnviron(t), "doctor", mod); code != ExitFindings {
		t.Fatalf("doctor: exit %d", code)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	reg := metrics.NewRegistry(func() (*history.Set, error) { return history.Load(filepath.Join(mod, history.Dir)) })
	go func() { done <- serveMetrics(ctx, ln, reg) }()
	scrape := func() string {
		resp, err := http.Get("http://" + ln.Addr().String() + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /metrics: %s\n%s", resp.Status, body)
		}
		return string(body)
	}
	if body := scrape(); !strings.Contains(body, `goport_runs_total{command="doctor"} 1`) {
		t.Errorf("/metrics lacks the doctor run:\n%s", body)
	}
	// Every scrape reads the history again.
	if code, _, _ := run(t, false, historyEnviron(t), "doctor", mod); code != ExitFindings {
		t.Fatalf("doctor: exit %d", code)
	}
	if body := scrape(); !strings.Contains(body, `goport_runs_total{command="doctor"} 2`) {
		t.Errorf("/metrics does not follow new runs:\n%s", body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serveMetrics: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("serveMetrics did not stop")
	}
}
