package triage

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goport/goport/internal/kb"
)

func explainString(t testing.TB, e *Engine, log string) *Result {
	t.Helper()
	res, err := e.Explain(strings.NewReader(log))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func causeIDs(res *Result) []string {
	var ids []string
	for _, c := range res.Causes {
		ids = append(ids, c.ID)
	}
	return ids
}

// TestRunbookExamples runs every built-in runbook's own symptom examples
// (the text block of its ## Symptoms section, taken from real tool output)
// through the whole catalogue: the runbook must be the top cause.
func TestRunbookExamples(t *testing.T) {
	t.Parallel()
	s, e := builtinEngine(t)
	for _, rb := range s.Runbooks() {
		if len(rb.Symptoms) == 0 {
			continue // rule runbooks explain doctor findings, not logs
		}
		sec, _ := rb.Section("symptoms")
		block := codeBlock(sec)
		if block == "" {
			t.Errorf("%s: no example in ## Symptoms", rb.ID)
			continue
		}
		res := explainString(t, e, block)
		if len(res.Causes) == 0 || res.Causes[0].ID != rb.ID {
			t.Errorf("%s: example %q explained as %v", rb.ID, block, causeIDs(res))
		}
	}
}

func codeBlock(md string) string {
	_, rest, ok := strings.Cut(md, "```text\n")
	if !ok {
		return ""
	}
	block, _, _ := strings.Cut(rest, "```")
	return block
}

// TestPassingBuildsHaveNoCause builds real modules verbosely (go build -x
// -v and go test -v, with and without cgo) and requires that no symptom of
// the catalogue matches the output of a successful build.
func TestPassingBuildsHaveNoCause(t *testing.T) {
	if testing.Short() {
		t.Skip("builds real modules")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	_, e := builtinEngine(t)
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/ok\n\ngo 1.22\n",
		"main.go": `package main

import (
	"errors"
	"fmt"
	"os"
)

func main() {
	err := errors.New("expected error: connection refused")
	fmt.Fprintln(os.Stderr, "warning:", err)
}
`,
		"ok_test.go": `package main

import "testing"

func TestFailsWithoutArgs(t *testing.T) {
	t.Log("got expected failure: undefined: syscall.SIGUSR1; exec format error")
	t.Log("fatal error: pcap.h: No such file or directory (expected)")
}
`,
		"cgo/cgo.go": `package cgo

// #include <stdlib.h>
// static int twice(int x) { return 2 * x; }
import "C"

func Twice(x int) int { return int(C.twice(C.int(x))) }
`,
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, ccErr := exec.LookPath("gcc")
	runs := [][]string{
		{"build", "-x", "-v", "-o", filepath.Join(t.TempDir(), "ok"), "."},
		{"test", "-x", "-v", "-count=1", "."},
		{"vet", "./..."},
	}
	if ccErr == nil {
		runs = append(runs, []string{"build", "-x", "-v", "./cgo"})
	}
	for _, args := range runs {
		cmd := exec.Command(goBin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=", "GOTOOLCHAIN=local", "GOPROXY=off", "GOWORK=off")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %v: %v\n%s", args, err, out)
		}
		res, err := e.Explain(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Causes) > 0 {
			t.Errorf("go %v: passing build explained as %v, evidence %v", args, causeIDs(res), res.Causes[0].Evidence)
		}
		if len(res.Suspicious) > 0 {
			t.Errorf("go %v: passing build has suspicious lines %v", args, res.Suspicious)
		}
	}
}

func TestExplainInputs(t *testing.T) {
	t.Parallel()
	_, e := builtinEngine(t)
	const hit = "go: unsupported GOOS/GOARCH pair linux/aarch64"
	huge := strings.Repeat("x", MaxLine+5000)
	tests := []struct {
		name      string
		log       string
		want      []string
		lines     int
		truncated int
	}{
		{"empty", "", nil, 0, 0},
		{"crlf", "ok\r\n" + hit + "\r\n", []string{"GP-BUILD-032"}, 2, 0},
		{"ansi colour", "\x1b[31m" + strings.Replace(hit, "GOOS", "\x1b[1mGOOS\x1b[0m", 1) + "\x1b[0m\n", []string{"GP-BUILD-032"}, 1, 0},
		{"invalid utf-8", "\xff\xfe" + hit + "\xc3\n", []string{"GP-BUILD-032"}, 1, 0},
		{"no final newline", "a\n" + hit, []string{"GP-BUILD-032"}, 2, 0},
		{"huge line then match", huge + "\n" + hit + "\n", []string{"GP-BUILD-032"}, 2, 1},
		{"match at start of huge line", hit + " " + huge + "\n", []string{"GP-BUILD-032"}, 1, 1},
		{"nul bytes", "\x00\x00\n" + hit + "\n", []string{"GP-BUILD-032"}, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := explainString(t, e, tt.log)
			if diff := cmp.Diff(tt.want, causeIDs(res)); diff != "" {
				t.Error(diff)
			}
			if res.Lines != tt.lines || res.Truncated != tt.truncated {
				t.Errorf("lines %d truncated %d, want %d %d", res.Lines, res.Truncated, tt.lines, tt.truncated)
			}
			if res.Bytes != int64(len(tt.log)) {
				t.Errorf("bytes %d, want %d", res.Bytes, len(tt.log))
			}
		})
	}
}

func TestTargetAndEvidence(t *testing.T) {
	t.Parallel()
	_, e := builtinEngine(t)
	res := explainString(t, e, "# x\n-race is not supported on linux/386\nexit status 2\n")
	if len(res.Causes) != 1 || res.Causes[0].Target == nil || res.Causes[0].Target.String() != "linux/386" {
		t.Fatalf("causes %+v", res.Causes)
	}
	if diff := cmp.Diff([]Line{{N: 2, Text: "-race is not supported on linux/386"}}, res.Causes[0].Evidence); diff != "" {
		t.Error(diff)
	}
}

func TestUnrecognisedAndNoise(t *testing.T) {
	t.Parallel()
	_, e := builtinEngine(t)
	res := explainString(t, e, "# example.com/x\nx.go:3:2: frobnicator overheated\nexit status 1\n")
	if len(res.Causes) != 0 || !res.Unrecognised() {
		t.Fatalf("want unrecognised, got %v", causeIDs(res))
	}
	if diff := cmp.Diff([]Line{{2, "x.go:3:2: frobnicator overheated"}, {3, "exit status 1"}}, res.Suspicious); diff != "" {
		t.Error(diff)
	}
	// Follow-on noise alone is no cause.
	res = explainString(t, e, "# runtime/cgo\ncollect2: error: ld returned 1 exit status\nexit status 1\nFAIL\n")
	if len(res.Causes) != 0 {
		t.Errorf("noise explained as %v", causeIDs(res))
	}
}

func TestMultiLineWindow(t *testing.T) {
	t.Parallel()
	rb := &kb.Runbook{ID: "RB-2026-001", Symptoms: []kb.Symptom{{Pattern: "first thing", Then: "second thing", Window: 2, Confidence: 0.9}}}
	e, err := New([]*kb.Runbook{rb})
	if err != nil {
		t.Fatal(err)
	}
	for log, want := range map[string]int{
		"first thing\nx\nsecond thing\n":    1,
		"first thing\nx\ny\nsecond thing\n": 0,
		"second thing\nfirst thing\n":       0,
	} {
		if got := len(explainString(t, e, log).Causes); got != want {
			t.Errorf("%q: %d causes, want %d", log, got, want)
		}
	}
}

func TestNewRejectsBadPattern(t *testing.T) {
	t.Parallel()
	_, err := New([]*kb.Runbook{{ID: "RB-2026-001", Source: "team/x.md", Symptoms: []kb.Symptom{{Pattern: "(", Line: 7}}}})
	if err == nil || !strings.HasPrefix(err.Error(), "team/x.md:7: RB-2026-001: invalid pattern") {
		t.Errorf("err = %v", err)
	}
}

func TestPrefilterMatchesNaive(t *testing.T) {
	t.Parallel()
	lits := []string{"error", "Err", "rror:", "he", "she", "hers", "x86-64", "‘-mthreads’"}
	p := newPrefilter(lits)
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("eErRoO:hsx86-4 ‘’mthreads")
	for range 2000 {
		line := make([]byte, r.IntN(40))
		for i := range line {
			line[i] = alphabet[r.IntN(len(alphabet))]
		}
		got := map[int32]bool{}
		p.scan(line, func(l int32) { got[l] = true })
		for i, l := range lits {
			want := bytes.Contains(bytes.ToLower(line), bytes.ToLower([]byte(l)))
			if got[int32(i)] != want {
				t.Fatalf("line %q literal %q: got %v want %v", line, l, got[int32(i)], want)
			}
		}
	}
}

func FuzzExplain(f *testing.F) {
	_, e := builtinEngine(f)
	f.Add([]byte("gcc_arm64.S:30: Error: no such instruction\n"))
	f.Add([]byte("\x1b[31mpanic: x\x1b"))
	f.Add([]byte("\r\n\r\n\xff\xfe\x00"))
	f.Add([]byte("# x\nx.go:1:1: missing function body\n//go:linkname only allowed in Go files that import \"unsafe\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := e.Explain(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if res.Bytes != int64(len(data)) {
			t.Fatalf("bytes %d != %d", res.Bytes, len(data))
		}
		for _, c := range res.Causes {
			if len(c.Evidence) == 0 || c.Confidence <= 0 || c.Confidence > 1 {
				t.Fatalf("bad cause %+v", c)
			}
		}
	})
}

// oneByteReader forces the line reader through its buffer-full path.
type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) { return o.r.Read(p[:1]) }

func TestSlowReader(t *testing.T) {
	t.Parallel()
	_, e := builtinEngine(t)
	res, err := e.Explain(oneByteReader{strings.NewReader("a\ngo: unsupported GOOS/GOARCH pair foo/amd64\n")})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"GP-BUILD-032"}, causeIDs(res)); diff != "" {
		t.Error(diff)
	}
}

func TestCXXSymbolsDemangled(t *testing.T) {
	t.Parallel()
	_, e := builtinEngine(t)
	res := explainString(t, e, "./tagger: symbol lookup error: ./tagger: undefined symbol: _ZN3tok9TokenizerC1ERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE\n")
	if len(res.Causes) != 1 || res.Causes[0].ID != "GP-CC-008" {
		t.Fatalf("causes %v", causeIDs(res))
	}
	want := []string{
		"_ZN3tok9TokenizerC1ERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE is tok::Tokenizer::Tokenizer(std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > const&)",
	}
	notes := res.Causes[0].Notes
	if len(notes) != 2 || notes[0] != want[0] || !strings.Contains(notes[1], "_GLIBCXX_USE_CXX11_ABI=0") {
		t.Errorf("notes %q", notes)
	}
	// A plain C symbol gets no ABI note.
	res = explainString(t, e, "/tmp/go-build/x.cgo2.c:88: undefined reference to `acme_sign_ex'\n")
	if len(res.Causes) != 1 || len(res.Causes[0].Notes) != 0 {
		t.Errorf("C symbol: %+v", res.Causes)
	}
}

// repeatReader yields n bytes of b without holding them in memory.
type repeatReader struct {
	b byte
	n int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n)
	for i := range p[:k] {
		p[i] = r.b
	}
	r.n -= k
	return k, nil
}

// TestHugeLineBoundedMemory streams a 50 MB single line followed by a real
// failure: the line is cut for matching, the failure is found, and the
// reader allocates a bounded amount whatever the line's length.
func TestHugeLineBoundedMemory(t *testing.T) {
	_, e := builtinEngine(t)
	const hit = "go: unsupported GOOS/GOARCH pair linux/aarch64\n"
	log := io.MultiReader(strings.NewReader("build start\n"), &repeatReader{b: 'x', n: 50 << 20}, strings.NewReader("\n"+hit))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res, err := e.Explain(log)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"GP-BUILD-032"}, causeIDs(res)); diff != "" {
		t.Error(diff)
	}
	if res.Lines != 3 || res.Truncated != 1 || res.Bytes != int64(12+50<<20+1+len(hit)) {
		t.Errorf("lines %d truncated %d bytes %d", res.Lines, res.Truncated, res.Bytes)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("allocated %d bytes for a 50 MB line", alloc)
	}
}

func TestPackageHeader(t *testing.T) {
	t.Parallel()
	_, e := builtinEngine(t)
	res := explainString(t, e, "# runtime/cgo\ncgo: C compiler \"gcc\" not found: exec: \"gcc\": executable file not found in $PATH\n# import config\n")
	if len(res.Causes) != 1 || res.Causes[0].Package != "runtime/cgo" {
		t.Errorf("causes %+v", res.Causes)
	}
	res = explainString(t, e, "# [example.com/x]\nx.go:3:2: fmt.Sprintf format %d has arg s of wrong type string\n")
	if len(res.Causes) != 1 || res.Causes[0].Package != "example.com/x" {
		t.Errorf("vet causes %+v", res.Causes)
	}
}

// TestTargetFromVerboseLog reads the target from the generated goos and
// goarch files that a verbose (-x) build passes to the compiler.
func TestTargetFromVerboseLog(t *testing.T) {
	t.Parallel()
	_, e := builtinEngine(t)
	log := `/usr/local/go/pkg/tool/linux_amd64/compile -o $WORK/b007/_pkg_.a -trimpath "$WORK/b007=>" -p internal/goarch -lang=go1.26 -std -complete -pack /usr/local/go/src/internal/goarch/goarch.go /usr/local/go/src/internal/goarch/goarch_arm64.go /usr/local/go/src/internal/goarch/zgoarch_arm64.go
/usr/local/go/pkg/tool/linux_amd64/compile -o $WORK/b011/_pkg_.a -trimpath "$WORK/b011=>" -p internal/goos -lang=go1.26 -std -complete -pack /usr/local/go/src/internal/goos/goos.go /usr/local/go/src/internal/goos/unix.go /usr/local/go/src/internal/goos/zgoos_windows.go
# example.com/x/reload
reload/reload.go:12:28: undefined: syscall.SIGUSR1
`
	res := explainString(t, e, log)
	if res.Target == nil || res.Target.String() != "windows/arm64" {
		t.Fatalf("log target %v", res.Target)
	}
	if len(res.Causes) != 1 || res.Causes[0].Target == nil || res.Causes[0].Target.String() != "windows/arm64" {
		t.Errorf("causes %+v", res.Causes)
	}
}

// TestWarningsOfPassingCommands: warnings the go command prints while still
// exiting 0 are no cause.
func TestWarningsOfPassingCommands(t *testing.T) {
	t.Parallel()
	_, e := builtinEngine(t)
	for _, log := range []string{
		"go: warning: \"./e2e/...\" matched no packages\n",
		"go: warning: GOPATH set to GOROOT (/usr/local/go) has no effect\n",
		"go: downloading golang.org/x/text v0.14.0\ngo: finding module for package golang.org/x/text\n",
	} {
		if res := explainString(t, e, log); len(res.Causes) > 0 || len(res.Suspicious) > 0 {
			t.Errorf("%q explained as %v, suspicious %v", log, causeIDs(res), res.Suspicious)
		}
	}
}

// scopedRunbook is a team runbook as written on disk, so that the
// applies front matter goes through the real parser.
func scopedRunbook(t *testing.T, id, applies string) *kb.Runbook {
	t.Helper()
	md := "---\nid: " + id + "\ntitle: 'Vendor SDK link fails'\ncreated: 2026-01-05\nupdated: 2026-01-05\n" +
		"applies: " + applies + "\nsymptoms:\n  - pattern: 'cannot find -lvendorsdk'\n---\n\n" +
		"## Symptoms\nx\n## Cause\nx\n## Fix\nx\n## Rollback\nx\n## References\nx\n"
	rb, err := kb.Parse(id+".md", []byte(md))
	if err != nil {
		t.Fatal(err)
	}
	return rb
}

func TestApplies(t *testing.T) {
	t.Parallel()
	linux := scopedRunbook(t, "RB-2026-101", "{goos: [linux], go: '>=1.22 <1.24'}")
	windows := scopedRunbook(t, "RB-2026-102", "{goos: [windows], goarch: [amd64]}")
	e, err := New([]*kb.Runbook{linux, windows})
	if err != nil {
		t.Fatal(err)
	}
	const log = "# example.com/app\n/usr/bin/ld: cannot find -lvendorsdk: No such file or directory\nexit status 1\n"
	for _, tc := range []struct {
		name  string
		log   string
		scope kb.Scope
		want  []string
	}{
		{"nothing known", log, kb.Scope{}, []string{"RB-2026-101", "RB-2026-102"}},
		{"linux", log, kb.Scope{GOOS: "linux", GOARCH: "arm64"}, []string{"RB-2026-101"}},
		{"windows/amd64", log, kb.Scope{GOOS: "windows", GOARCH: "amd64"}, []string{"RB-2026-102"}},
		{"windows/arm64", log, kb.Scope{GOOS: "windows", GOARCH: "arm64"}, nil},
		{"linux, go in range", log, kb.Scope{GOOS: "linux", Go: "1.23.4"}, []string{"RB-2026-101"}},
		{"linux, go too new", log, kb.Scope{GOOS: "linux", Go: "go1.24.0"}, nil},
		{"linux, go too old", log, kb.Scope{GOOS: "linux", Go: "1.21"}, nil},
		{"target from a verbose log", "compile -p internal/goos /usr/local/go/src/internal/goos/zgoos_windows.go\n" +
			"compile -p internal/goarch /usr/local/go/src/internal/goarch/zgoarch_amd64.go\n" + log, kb.Scope{}, []string{"RB-2026-102"}},
		{"the caller's scope wins over the log", "x /usr/local/go/src/internal/goos/zgoos_windows.go\n" + log,
			kb.Scope{GOOS: "linux"}, []string{"RB-2026-101"}},
	} {
		res, err := e.ExplainIn(strings.NewReader(tc.log), tc.scope)
		if err != nil {
			t.Fatal(err)
		}
		got := causeIDs(res)
		slices.Sort(got)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
		if tc.want == nil && !res.Unrecognised() {
			t.Errorf("%s: a failure no runbook applies to must be reported unrecognised", tc.name)
		}
	}
}
