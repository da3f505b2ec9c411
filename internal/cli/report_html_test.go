package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestReportHTML runs report html in memory: exit codes, one-line errors,
// and a directory that holds either the complete page or nothing new.
func TestReportHTML(t *testing.T) {
	t.Parallel()
	good := `{"schema":"goport.report/v1","tool":"goport","version":"v1","command":"doctor","findings":[` +
		`{"rule":"GP-PROXY-005","severity":"error","message":"GOPROXY=https://u:hunter2@proxy.example <script>x</script>"}]}`
	tests := []struct {
		name     string
		files    map[string]string
		args     []string // file names are joined to the test's directory
		code     int
		stdout   string // substring
		stderr   string // the whole of stderr's first line
		wantFile bool
	}{
		{name: "page", files: map[string]string{"r.json": good}, args: []string{"r.json", "-o", "out.html"}, wantFile: true},
		{name: "stdout", files: map[string]string{"r.json": good}, args: []string{"r.json", "-o", "-"}, stdout: "GP-PROXY-005"},
		{name: "no -o", files: map[string]string{"r.json": good}, args: []string{"r.json"}, code: ExitUsage,
			stderr: "goport: report html: missing -o FILE (- for standard output)"},
		{name: "truncated", files: map[string]string{"r.json": good, "t.json": good[:40]}, args: []string{"r.json", "t.json", "-o", "out.html"}, code: ExitIncomplete,
			stderr: "goport: report html: DIR/t.json: not a goport JSON report: truncated: unexpected end of JSON input"},
		{name: "other schema", files: map[string]string{"r.json": `{"schema":"goport.report/v9"}`}, args: []string{"r.json", "-o", "out.html"}, code: ExitIncomplete,
			stderr: `goport: report html: DIR/r.json: unsupported schema "goport.report/v9" (want goport.report/v1 or goport.matrix/v1)`},
		{name: "missing", args: []string{"nope.json", "-o", "out.html"}, code: ExitIncomplete,
			stderr: "goport: report html: reading report: open DIR/nope.json: no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, body := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			args := []string{"report", "html"}
			for _, a := range tt.args {
				if strings.HasSuffix(a, ".json") || strings.HasSuffix(a, ".html") {
					a = filepath.Join(dir, a)
				}
				args = append(args, a)
			}
			code, stdout, stderr := run(t, false, nil, args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstderr: %s", code, tt.code, stderr)
			}
			if !strings.Contains(stdout, tt.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdout, stdout)
			}
			first, _, _ := strings.Cut(stderr, "\n")
			if diff := cmp.Diff(tt.stderr, strings.ReplaceAll(first, dir, "DIR")); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
			if tt.code == ExitIncomplete && strings.Count(stderr, "\n") != 1 {
				t.Errorf("error is not one line:\n%s", stderr)
			}
			// Only the inputs and, on success, the page: no temporaries.
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			var want []string
			for name := range tt.files {
				want = append(want, name)
			}
			if tt.wantFile {
				want = append(want, "out.html")
			}
			slices.Sort(want)
			if diff := cmp.Diff(want, names); diff != "" {
				t.Errorf("directory (-want +got):\n%s", diff)
			}
			if tt.wantFile {
				out := filepath.Join(dir, "out.html")
				page, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o644 {
					t.Errorf("page mode: %v %v, want 0644", st.Mode(), err)
				}
				for _, bad := range []string{"hunter2", "<script>"} {
					if strings.Contains(string(page), bad) {
						t.Errorf("page contains %q", bad)
					}
				}
				if !strings.Contains(string(page), "Generated 2026-01-02T03:04:05Z") {
					t.Error("page lacks the injected clock's time")
				}
			}
		})
	}
}

// TestReportHTMLBadOutput: an output that cannot be written is named in
// one line, without the temporary file's name, and nothing is left.
func TestReportHTMLBadOutput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	report := filepath.Join(dir, "r.json")
	if err := os.WriteFile(report, []byte(`{"schema":"goport.report/v1","command":"doctor","findings":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "page.html"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ out, want string }{
		{filepath.Join(dir, "page.html"), "goport: report html: writing DIR/page.html: is a directory\n"},
		{filepath.Join(dir, "missing", "page.html"), "goport: report html: writing DIR/missing/page.html: no such file or directory\n"},
	} {
		code, stdout, stderr := run(t, false, nil, "report", "html", report, "-o", tc.out)
		if code != ExitIncomplete || stdout != "" {
			t.Errorf("-o %s: exit %d, stdout %q; want %d", tc.out, code, stdout, ExitIncomplete)
		}
		if diff := cmp.Diff(tc.want, strings.ReplaceAll(stderr, dir, "DIR")); diff != "" {
			t.Errorf("-o %s: stderr (-want +got):\n%s", tc.out, diff)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("left behind: %v", entries)
	}
}

// TestReportHTMLFIFOInterrupted: a report that is a FIFO nobody writes to
// blocks the open; an interrupt still ends the command, exit 3.
func TestReportHTMLFIFOInterrupted(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "r.json")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	s := &Streams{In: strings.NewReader(""), Out: &out, Err: &errOut, Now: time.Now}
	code := Main(ctx, []string{"report", "html", fifo, "-o", filepath.Join(dir, "page.html")}, s)
	if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
		w.Close()
	}
	if code != ExitIncomplete || !strings.HasPrefix(errOut.String(), "goport: report html: ") || strings.Count(errOut.String(), "\n") != 1 {
		t.Errorf("exit %d, stderr %q; want %d and one line", code, errOut.String(), ExitIncomplete)
	}
	if _, err := os.Stat(filepath.Join(dir, "page.html")); err == nil {
		t.Error("page written")
	}
}

// TestReportHTMLIntoFIFO: -o naming something that is not a regular file
// (a FIFO here; /dev/stdout in CI) is written into, not replaced by a
// renamed temporary file.
func TestReportHTMLIntoFIFO(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	report := filepath.Join(dir, "r.json")
	if err := os.WriteFile(report, []byte(`{"schema":"goport.report/v1","command":"doctor","findings":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "page.html")
	read := fifoReader(t, fifo)
	code, _, stderr := run(t, false, nil, "report", "html", report, "-o", fifo)
	if code != ExitOK {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("page.html is no longer the FIFO: %v, %v", fi, err)
	}
	if page := <-read; !strings.Contains(page, "</html>") {
		t.Errorf("the FIFO carried %d bytes, not the page", len(page))
	}
}
