package history

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goport/goport/internal/target"
)

var t0 = time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)

// report is a minimal goport.report/v1 document of command.
func report(command string, facts string) json.RawMessage {
	s := `{"schema":"goport.report/v1","tool":"goport","version":"test","command":"` + command + `","findings":[{"rule":"GP-MOD-001","severity":"error","message":"m"}]`
	if facts != "" {
		s += `,"facts":` + facts
	}
	return json.RawMessage(s + "}")
}

func matrixFacts(size int64) string {
	return fmt.Sprintf(`{"schema":"goport.matrix/v1","go_version":"go1.26.8","shard":{"index":0,"count":0},"pairs":[`+
		`{"package":"example.com/m","name":"m","target":{"goos":"linux","goarch":"amd64"},"cgo":false,"status":"ok","output":"dist/linux_amd64/m","size":%d,"cache_key":"k","verified":true},`+
		`{"package":"example.com/m","name":"m","target":{"goos":"windows","goarch":"amd64"},"cgo":false,"status":"failed","reason":"r","rule":"GP-MATRIX-001","cache_key":"k","verified":false,"explained":{"runbook":"GP-BUILD-007","title":"t","confidence":0.9}}]}`, size)
}

func TestAppendPrunesOldest(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), ".goport", "history")
	var written []string
	for i := range 5 {
		p, err := Append(dir, Record{Time: t0.Add(time.Duration(i) * time.Minute), Command: "doctor", Report: report("doctor", "")}, 3)
		if err != nil {
			t.Fatal(err)
		}
		written = append(written, filepath.Base(p))
	}
	names, err := Names(dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(written[2:], names); diff != "" {
		t.Errorf("kept records (-want +got):\n%s", diff)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("%d files in the history directory, want 3 (no temporaries left)", len(entries))
	}
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Runs) != 3 || set.Skipped != 0 {
		t.Fatalf("Load: %d runs, %d skipped; want 3, 0", len(set.Runs), set.Skipped)
	}
	for i, r := range set.Runs {
		if want := t0.Add(time.Duration(i+2) * time.Minute); !r.Time.Equal(want) || r.Command != "doctor" {
			t.Errorf("run %d: %s at %v, want doctor at %v", i, r.Command, r.Time, want)
		}
	}
}

// TestPruneRemovesStaleTemps: a temporary left by a run that died is
// removed once it is old; one being written now is not.
func TestPruneRemovesStaleTemps(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	stale, fresh := filepath.Join(dir, ".20261126T150000.000000000Z-doctor-1-aa.json.tmp-1"), filepath.Join(dir, ".20261126T150001.000000000Z-doctor-1-bb.json.tmp-2")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("{"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if _, err := Append(dir, Record{Time: t0, Command: "doctor", Report: report("doctor", "")}, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temporary still there: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh temporary removed: %v", err)
	}
}

// TestAppendConcurrent: runs that record at the same instant, from many
// goroutines, each get their own file.
func TestAppendConcurrent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			if _, err := Append(dir, Record{Time: t0, Command: "matrix", Report: report("matrix", matrixFacts(1))}, 0); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	names, err := Names(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 32 {
		t.Errorf("%d records, want 32", len(names))
	}
	for _, n := range names {
		if !strings.HasPrefix(n, "20261126T150000.000000000Z-matrix-") {
			t.Errorf("record name %q does not start with its time and command", n)
		}
	}
}

func TestNamesSortByTime(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	times := []time.Time{t0.Add(time.Hour), t0, t0.Add(time.Nanosecond), t0.Add(-24 * time.Hour)}
	for _, tm := range times {
		if _, err := Append(dir, Record{Time: tm, Command: "verify", Report: report("verify", "")}, 0); err != nil {
			t.Fatal(err)
		}
	}
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []time.Time
	for _, r := range set.Runs {
		got = append(got, r.Time)
	}
	want := slices.Clone(times)
	slices.SortFunc(want, time.Time.Compare)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("run order (-want +got):\n%s", diff)
	}
}

func TestAppendUnwritable(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("root writes into read-only directories")
	}
	parent := t.TempDir()
	if err := os.Chmod(parent, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(parent, 0o755) })
	_, err := Append(filepath.Join(parent, ".goport", "history"), Record{Time: t0, Command: "doctor", Report: report("doctor", "")}, 10)
	if !errors.Is(err, os.ErrPermission) {
		t.Errorf("Append into a read-only directory: %v, want permission denied", err)
	}
}

func TestAppendRejectsOddCommand(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"", "../x", "a/b", "Doctor", strings.Repeat("a", 65)} {
		if _, err := Append(t.TempDir(), Record{Time: t0, Command: cmd, Report: report("x", "")}, 0); err == nil {
			t.Errorf("Append accepted command %q", cmd)
		}
	}
}

func validRecord(t testing.TB) []byte {
	data, err := json.Marshal(Record{Schema: Schema, Time: t0, Command: "matrix",
		Builds: []Build{{Target: target.Target{GOOS: "linux", GOARCH: "amd64"}, Package: "example.com/m", DurationSeconds: 1.5, MinGlibc: "2.34"}},
		Report: report("matrix", matrixFacts(1000))})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestDecode(t *testing.T) {
	t.Parallel()
	good := validRecord(t)
	run, err := Decode(good)
	if err != nil {
		t.Fatal(err)
	}
	if run.Matrix == nil || len(run.Matrix.Pairs) != 2 || run.Matrix.Pairs[0].Size != 1000 || run.Matrix.Pairs[1].Runbook() != "GP-BUILD-007" {
		t.Errorf("decoded matrix facts: %+v", run.Matrix)
	}
	if b := run.Build(target.Target{GOOS: "linux", GOARCH: "amd64"}, "example.com/m"); b == nil || b.DurationSeconds != 1.5 || b.MinGlibc != "2.34" {
		t.Errorf("decoded build: %+v", b)
	}
	if !run.Failed() {
		t.Error("a run with an error finding is not Failed")
	}
	replace := func(old, new string) []byte { return []byte(strings.Replace(string(good), old, new, 1)) }
	for _, tc := range []struct {
		name       string
		data       []byte
		wantSchema bool
	}{
		{"empty", nil, false},
		{"truncated", good[:len(good)/2], false},
		{"not json", []byte("hello"), false},
		{"array", []byte("[]"), false},
		{"other history version", replace(Schema, "goport.history/v2"), true},
		{"no schema", replace(`"schema":"goport.history/v1",`, ""), true},
		{"other report version", replace("goport.report/v1", "goport.report/v2"), true},
		{"other matrix version", replace("goport.matrix/v1", "goport.matrix/v2"), true},
		{"no time", replace(`"time":"2026-11-26T15:00:00Z",`, ""), false},
		{"bad command", replace(`"command":"matrix"`, `"command":"../../etc"`), false},
		{"no report", []byte(`{"schema":"goport.history/v1","time":"2026-11-26T15:00:00Z","command":"doctor"}`), false},
		{"bad severity", replace(`"severity":"error"`, `"severity":"fatal"`), false},
		{"matrix facts not an object", replace(`"facts":{`, `"facts":[{`), false},
	} {
		_, err := Decode(tc.data)
		if err == nil {
			t.Errorf("%s: Decode succeeded", tc.name)
			continue
		}
		if got := errors.Is(err, ErrSchema); got != tc.wantSchema {
			t.Errorf("%s: %v; ErrSchema = %v, want %v", tc.name, err, got, tc.wantSchema)
		}
	}
}

// TestLoadSkipsBadFiles: files that cannot be used are counted, never
// fatal, and files that are not records are not even looked at.
func TestLoadSkipsBadFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := validRecord(t)
	files := map[string][]byte{
		"20261126T150000.000000000Z-matrix-1-aa.json": good,
		"20261126T150001.000000000Z-matrix-1-bb.json": good[:100],
		"20261126T150002.000000000Z-matrix-1-cc.json": []byte(strings.Replace(string(good), Schema, "goport.history/v9", 1)),
		"20261126T150003.000000000Z-doctor-1-dd.json": {0xff, 0xfe, 0x00},
		"notes.json":         []byte("{}"),
		".x.json.tmp-123":    good[:10],
		"README":             []byte("x"),
		"2026-bad-name.json": good,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Runs) != 1 || set.Skipped != 3 {
		t.Errorf("Load: %d runs, %d skipped; want 1 run, 3 skipped", len(set.Runs), set.Skipped)
	}
	missing, err := Load(filepath.Join(dir, "nope"))
	if err != nil || len(missing.Runs) != 0 {
		t.Errorf("Load of a missing directory: %v, %v; want an empty history", missing, err)
	}
}

func FuzzDecode(f *testing.F) {
	good := validRecord(f)
	f.Add(good)
	f.Add(good[:len(good)/3])
	f.Add([]byte(`{"schema":"goport.history/v1","time":"2026-11-26T15:00:00Z","command":"verify","report":{"schema":"goport.report/v1","findings":null}}`))
	f.Add([]byte(`{"schema":"goport.history/v1","time":"2026-11-26T15:00:00Z","command":"matrix","report":{"schema":"goport.report/v1","facts":{"schema":"goport.matrix/v1","pairs":[{"target":{"goos":"\xff"},"status":"ok","size":-1}]}}}`))
	f.Add([]byte(`{"schema":"goport.history/v2"}`))
	f.Add([]byte("\x00\xff{"))
	f.Fuzz(func(t *testing.T, data []byte) {
		run, err := Decode(data)
		if err != nil {
			if run != nil {
				t.Fatal("Decode returned a run with an error")
			}
			return
		}
		if run.Time.IsZero() || !validCommand(run.Command) {
			t.Fatalf("Decode accepted %+v", run)
		}
		// What Decode accepts, Trends must digest.
		Trends([]*Run{run, run}, TrendOptions{Threshold: 0.1})
	})
}
