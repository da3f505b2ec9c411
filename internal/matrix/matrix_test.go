package matrix

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goport/goport/internal/cross"
	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/kb"
	"github.com/goport/goport/internal/target"
	"github.com/goport/goport/internal/testenv"
	"github.com/goport/goport/internal/triage"
	"github.com/goport/goport/runbooks"
)

// Test modules are tiny programs; every package shares the user's GOCACHE
// so the standard library is compiled once per target across tests.

const hello = `package main

import (
	"fmt"
	"os"
	"runtime"
)

func main() { fmt.Println("hello", runtime.GOOS, runtime.GOARCH, os.Args[1:]) }
`

// unixonly calls syscall.Kill without a build constraint: it compiles
// everywhere but Windows.
const unixonly = `package main

import "syscall"

func main() { _ = syscall.Kill(0, 0) }
`

const linuxonly = `//go:build linux

package main

func main() {}
`

const usecgo = `package main

// int answer(void) { return 42; }
import "C"

import "fmt"

func main() { fmt.Println(C.answer()) }
`

func writeModule(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files["go.mod"] = "module example.com/m\n\ngo 1.22\n"
	if err := testenv.WriteFiles(dir, files); err != nil {
		t.Fatal(err)
	}
	return dir
}

type toolchain struct {
	env   *goenv.Env
	ports []goenv.Port
}

var (
	tcOnce sync.Once
	tc     toolchain
	tcErr  error
)

func loadToolchain(t *testing.T) toolchain {
	t.Helper()
	tcOnce.Do(func() {
		tc.env, tcErr = goenv.Load(context.Background(), os.TempDir(), os.Environ())
		if tcErr == nil {
			tc.ports, tcErr = goenv.DistList(context.Background(), os.Environ())
		}
	})
	if tcErr != nil {
		t.Fatal(tcErr)
	}
	return tc
}

func engine(t *testing.T) *triage.Engine {
	t.Helper()
	e, err := triage.New(kb.Load(kb.Source{Name: "builtin", FS: runbooks.FS(), Builtin: true}).Runbooks())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func firstClass(t *testing.T, ports []goenv.Port) []target.Target {
	var out []target.Target
	for _, p := range goenv.FirstClassPorts(ports) {
		out = append(out, target.Target{GOOS: p.GOOS, GOARCH: p.GOARCH})
	}
	if len(out) < 8 {
		t.Fatalf("only %d first-class ports", len(out))
	}
	return out
}

// matrix plans and runs in one call, as the CLI does.
func matrix(t *testing.T, ctx context.Context, dir string, targets []target.Target, mode CgoMode, mod func(*Options)) (*Result, error) {
	t.Helper()
	tc := loadToolchain(t)
	inv := cross.Discover(ctx, cross.Options{Environ: os.Environ(), GoEnv: tc.env, Host: goenv.DetectHost()})
	plan, err := MakePlan(ctx, PlanOptions{Dir: dir, Targets: targets, Cgo: mode, Jobs: 2, Environ: os.Environ(), Ports: tc.ports, Cross: inv})
	if err != nil {
		return nil, err
	}
	opts := Options{Dir: dir, Environ: os.Environ(), GoEnv: tc.env, OutDir: filepath.Join(dir, "dist"), Jobs: 2, Cross: inv, Triage: sync.OnceValue(func() *triage.Engine { return engine(t) })}
	if mod != nil {
		mod(&opts)
	}
	return Run(ctx, opts, plan)
}

func byKey(r *Result) map[string]PairResult {
	m := map[string]PairResult{}
	for _, p := range r.Pairs {
		m[p.Target.String()+" "+p.Name] = p
	}
	return m
}

func TestMatrixFirstClass(t *testing.T) {
	t.Parallel()
	dir := writeModule(t, map[string]string{
		"cmd/hello/main.go":     hello,
		"cmd/unixonly/main.go":  unixonly,
		"cmd/linuxonly/main.go": linuxonly,
	})
	targets := firstClass(t, loadToolchain(t).ports)
	res, err := matrix(t, context.Background(), dir, targets, CgoAuto, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(res.Pairs), 3*len(targets); got != want {
		t.Fatalf("%d pairs, want %d", got, want)
	}
	pairs := byKey(res)
	for _, tg := range targets {
		h := pairs[tg.String()+" hello"]
		if h.Status != OK || !h.Verified {
			t.Errorf("%s hello: %s %s\n%s", tg, h.Status, h.Reason, h.Log)
		}
		want := filepath.Join("dist", tg.DirName(), "hello"+tg.ExeSuffix())
		if h.Output != want {
			t.Errorf("%s hello output %q, want %q", tg, h.Output, want)
		}
		if _, err := os.Stat(filepath.Join(dir, want)); err != nil {
			t.Error(err)
		}
		l := pairs[tg.String()+" linuxonly"]
		if tg.GOOS == "linux" && l.Status != OK {
			t.Errorf("%s linuxonly: %s %s", tg, l.Status, l.Reason)
		}
		if tg.GOOS != "linux" && (l.Status != Skipped || !strings.Contains(l.Reason, "build constraints")) {
			t.Errorf("%s linuxonly: %s %q, want skipped for build constraints", tg, l.Status, l.Reason)
		}
		u := pairs[tg.String()+" unixonly"]
		if tg.GOOS == "windows" {
			if u.Status != Failed || u.Rule != RuleBuildFailed.ID || !strings.Contains(u.Log, "syscall.Kill") {
				t.Errorf("%s unixonly: %s %s %q, want failure naming syscall.Kill", tg, u.Status, u.Rule, u.Log)
			}
			if u.Explained == nil || !strings.Contains(u.Explained.Title, "syscall") || !strings.Contains(u.Explained.Fix, "//go:build") {
				t.Errorf("%s unixonly: explained %+v, want the OS-specific syscall runbook", tg, u.Explained)
			}
			if _, err := os.Stat(filepath.Join(dir, "dist", tg.DirName(), "unixonly.exe")); !os.IsNotExist(err) {
				t.Errorf("failed build left an output: %v", err)
			}
		} else if u.Status != OK {
			t.Errorf("%s unixonly: %s %s", tg, u.Status, u.Reason)
		}
	}
	if !res.Failed() {
		t.Error("Failed() = false with failing windows builds")
	}
	findings := res.Findings()
	if len(findings) != 2 {
		t.Errorf("%d findings, want 2 (unixonly on both windows targets): %+v", len(findings), findings)
	}
	assertNoTemporaries(t, filepath.Join(dir, "dist"))
	var junit bytes.Buffer
	if err := res.WriteJUnit(&junit); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(junit.Bytes(), &doc); err != nil {
		t.Fatalf("JUnit does not parse: %v\n%s", err, junit.String())
	}
	if doc.Tests != 3*len(targets) || doc.Failures != 2 || doc.Skipped != 4 || len(doc.Suites) != len(targets) {
		t.Errorf("JUnit tests=%d failures=%d skipped=%d suites=%d", doc.Tests, doc.Failures, doc.Skipped, len(doc.Suites))
	}
}

func assertNoTemporaries(t *testing.T, out string) {
	t.Helper()
	_ = filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", p)
		}
		if err == nil && d.Name() == LockName {
			t.Errorf("lock file left behind: %s", p)
		}
		return nil
	})
}

func TestMatrixCgo(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc not installed (Debian: build-essential)")
	}
	dir := writeModule(t, map[string]string{"cmd/usecgo/main.go": usecgo, "cmd/hello/main.go": hello})
	targets, _ := target.ParseList("linux/amd64,linux/arm64,windows/amd64,js/wasm,linux/s390x")
	res, err := matrix(t, context.Background(), dir, targets, CgoAuto, nil)
	if err != nil {
		t.Fatal(err)
	}
	pairs := byKey(res)
	for _, tg := range targets {
		h := pairs[tg.String()+" hello"]
		if h.Status != OK || h.Cgo {
			t.Errorf("%s hello: %s cgo=%v %s", tg, h.Status, h.Cgo, h.Reason)
		}
	}
	host := pairs["linux/amd64 usecgo"]
	if host.Status != OK || !host.Cgo || !host.Verified {
		t.Errorf("linux/amd64 usecgo: %s cgo=%v %s\n%s", host.Status, host.Cgo, host.Reason, host.Log)
	}
	if w := pairs["js/wasm usecgo"]; w.Status != Failed || w.Rule != RuleNoCgo.ID {
		t.Errorf("js/wasm usecgo: %s %s %s, want %s", w.Status, w.Rule, w.Reason, RuleNoCgo.ID)
	}
	for _, c := range []struct{ target, gcc string }{
		{"linux/arm64", "aarch64-linux-gnu-gcc"},
		{"windows/amd64", "x86_64-w64-mingw32-gcc"},
		{"linux/s390x", "s390x-linux-gnu-gcc"},
	} {
		p := pairs[c.target+" usecgo"]
		if _, err := exec.LookPath(c.gcc); err != nil {
			if p.Status != Failed || p.Rule != RuleNoCompiler.ID || !strings.Contains(p.Reason, "needs a C cross compiler for "+c.target) {
				t.Errorf("%s usecgo without %s: %s %s %q", c.target, c.gcc, p.Status, p.Rule, p.Reason)
			}
			t.Logf("%s not installed: checked the missing-compiler failure instead of a real cgo build", c.gcc)
			continue
		}
		if p.Status != OK || !p.Cgo || p.Compiler == nil || p.Compiler.CC != c.gcc {
			t.Errorf("%s usecgo: %s %s compiler=%+v\n%s", c.target, p.Status, p.Reason, p.Compiler, p.Log)
		}
	}
}

func TestMatrixRun(t *testing.T) {
	t.Parallel()
	dir := writeModule(t, map[string]string{"cmd/hello/main.go": hello})
	targets, _ := target.ParseList("linux/amd64,linux/arm64,js/wasm,windows/amd64,darwin/arm64")
	res, err := matrix(t, context.Background(), dir, targets, CgoOff, func(o *Options) { o.RunArgs = []string{"x", "y"} })
	if err != nil {
		t.Fatal(err)
	}
	tc := loadToolchain(t)
	inv := cross.Discover(context.Background(), cross.Options{Environ: os.Environ(), GoEnv: tc.env, Host: goenv.DetectHost()})
	for _, p := range res.Pairs {
		if p.Status != OK || p.Run == nil {
			t.Fatalf("%s: %s %s run=%+v", p.Target, p.Status, p.Reason, p.Run)
		}
		if inv.Runner(p.Target) == nil {
			if p.Run.Status != "not-run" {
				t.Errorf("%s: run %+v without a runner", p.Target, p.Run)
			}
			continue
		}
		want := "hello " + p.Target.GOOS + " " + p.Target.GOARCH + " [x y]"
		if p.Run.Status != "passed" || strings.TrimSpace(p.Run.Output) != want {
			t.Errorf("%s: run %+v, want output %q", p.Target, p.Run, want)
		}
	}
	if f := byKey(res)["darwin/arm64 hello"]; runtime.GOOS != "darwin" && f.Run.Status != "not-run" {
		t.Errorf("darwin/arm64 on %s: %+v, want not-run", runtime.GOOS, f.Run)
	}
}

// TestMatrixInterrupt cancels the run as soon as the first pair finishes:
// what finished is complete on disk, nothing else is, and no temporary
// remains.
func TestMatrixInterrupt(t *testing.T) {
	t.Parallel()
	dir := writeModule(t, map[string]string{"cmd/hello/main.go": hello, "cmd/unixonly/main.go": unixonly})
	targets := firstClass(t, loadToolchain(t).ports)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := matrix(t, ctx, dir, targets, CgoOff, func(o *Options) {
		o.Progress = func(PairResult) { cancel() }
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted {
		t.Error("Interrupted = false after cancel")
	}
	out := filepath.Join(dir, "dist")
	assertNoTemporaries(t, out)
	var want, got []string
	for _, p := range res.Pairs {
		if p.Status == OK {
			want = append(want, filepath.Join(dir, p.Output))
		}
	}
	_ = filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			got = append(got, p)
		}
		return nil
	})
	slices.Sort(want)
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("files in the output directory differ from completed pairs (-want +got):\n%s", diff)
	}
	if c := res.Counts(); c[Interrupted] == 0 {
		t.Errorf("no pair reported interrupted: %v", c)
	}
}

func TestLockRefusesSecondRun(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	unlock, err := LockDir(out)
	if err != nil {
		t.Fatal(err)
	}
	_, err = LockDir(out)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "another goport matrix") {
		t.Fatalf("second lock: %v, want ErrLocked", err)
	}
	unlock()
	unlock2, err := LockDir(out)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	unlock2()
}

func TestCheck(t *testing.T) {
	t.Parallel()
	dir := writeModule(t, map[string]string{"cmd/unixonly/main.go": unixonly, "lib/lib.go": "package lib\n\nfunc F() {}\n"})
	targets, _ := target.ParseList("linux/arm64,windows/amd64")
	res, err := matrix(t, context.Background(), dir, targets, CgoOff, func(o *Options) { o.Check = true })
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Status{}
	for _, p := range res.Pairs {
		got[p.Target.String()] = p.Status
	}
	want := map[string]Status{"linux/arm64": OK, "windows/amd64": Failed}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := os.Stat(filepath.Join(dir, "dist")); !os.IsNotExist(err) {
		t.Errorf("--check created the output directory: %v", err)
	}
}

// TestEvents checks the event stream a progress display relies on: every
// pair queued before any starts, each built pair started before it
// finishes, a pair skipped at planning finished without starting, and
// one Finished per pair of the result.
func TestEvents(t *testing.T) {
	t.Parallel()
	dir := writeModule(t, map[string]string{"cmd/hello/main.go": hello, "cmd/linuxonly/main_linux.go": "package main\n\nfunc main() {}\n"})
	targets, _ := target.ParseList("linux/amd64,windows/amd64")
	var events []string
	res, err := matrix(t, context.Background(), dir, targets, CgoOff, func(o *Options) {
		o.Events = func(ev Event) {
			s := string(ev.Kind) + " " + ev.Pair.Target.String() + " " + ev.Pair.Package
			if (ev.Kind == Finished) != (ev.Result != nil) {
				t.Errorf("%s: Result = %v", s, ev.Result)
			}
			if ev.Result != nil {
				s += " " + string(ev.Result.Status)
			}
			events = append(events, s)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) < 4 {
		t.Fatalf("events = %q", events)
	}
	queued := events[:len(res.Pairs)]
	var wantQueued []string
	for _, p := range res.Pairs {
		wantQueued = append(wantQueued, "queued "+p.Target.String()+" "+p.Package)
	}
	if diff := cmp.Diff(wantQueued, queued); diff != "" {
		t.Errorf("queued events (-want +got):\n%s", diff)
	}
	// Order between pairs depends on scheduling; per pair it must not.
	perPair := map[string][]string{}
	for _, e := range events[len(res.Pairs):] {
		kind, rest, _ := strings.Cut(e, " ")
		f := strings.Fields(rest)
		perPair[f[0]+" "+f[1]] = append(perPair[f[0]+" "+f[1]], kind+" "+strings.Join(f[2:], " "))
	}
	mod := "example.com/m/cmd/"
	want := map[string][]string{
		"linux/amd64 " + mod + "hello":       {"started ", "finished ok"},
		"windows/amd64 " + mod + "hello":     {"started ", "finished ok"},
		"linux/amd64 " + mod + "linuxonly":   {"started ", "finished ok"},
		"windows/amd64 " + mod + "linuxonly": {"finished skipped"},
	}
	if diff := cmp.Diff(want, perPair); diff != "" {
		t.Errorf("events per pair (-want +got):\n%s\nall: %q", diff, events)
	}
}

func TestShardsPartitionThePlan(t *testing.T) {
	t.Parallel()
	dir := writeModule(t, map[string]string{"cmd/a/main.go": hello, "cmd/b/main.go": linuxonly})
	tc := loadToolchain(t)
	targets := firstClass(t, tc.ports)
	plan := func(s target.Shard) []Pair {
		p, err := MakePlan(context.Background(), PlanOptions{Dir: dir, Targets: targets, Cgo: CgoOff, Jobs: 2, Environ: os.Environ(), Ports: tc.ports, Shard: s})
		if err != nil {
			t.Fatal(err)
		}
		return p.Pairs
	}
	all := plan(target.Shard{})
	var union []Pair
	for i := 1; i <= 3; i++ {
		union = append(union, plan(target.Shard{Index: i, Count: 3})...)
	}
	key := func(a, b Pair) int { return strings.Compare(a.Target.String()+a.Package, b.Target.String()+b.Package) }
	slices.SortFunc(all, key)
	slices.SortFunc(union, key)
	if diff := cmp.Diff(all, union); diff != "" {
		t.Errorf("shards do not partition the plan (-all +union):\n%s", diff)
	}
}

func TestPlanErrors(t *testing.T) {
	t.Parallel()
	tc := loadToolchain(t)
	targets, _ := target.ParseList("linux/amd64")
	for name, files := range map[string]map[string]string{
		"no main":        {"lib/lib.go": "package lib\n"},
		"duplicate name": {"a/tool/main.go": hello, "b/tool/main.go": hello},
	} {
		dir := writeModule(t, files)
		_, err := MakePlan(context.Background(), PlanOptions{Dir: dir, Targets: targets, Cgo: CgoOff, Environ: os.Environ(), Ports: tc.ports})
		if err == nil {
			t.Errorf("%s: MakePlan succeeded", name)
		}
	}
}

func TestVerifyDetectsMismatch(t *testing.T) {
	t.Parallel()
	dir := writeModule(t, map[string]string{"main.go": hello})
	bin := filepath.Join(t.TempDir(), "hello")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	tests := []struct {
		pair Pair
		want string
	}{
		{Pair{Target: target.Target{GOOS: "linux", GOARCH: "amd64"}}, ""},
		{Pair{Target: target.Target{GOOS: "linux", GOARCH: "amd64", Variant: "v1"}}, ""},
		{Pair{Target: target.Target{GOOS: "linux", GOARCH: "arm64"}}, "built for linux/amd64"},
		{Pair{Target: target.Target{GOOS: "linux", GOARCH: "amd64", Variant: "v3"}}, "variant GOAMD64=v1, want v3"},
		{Pair{Target: target.Target{GOOS: "linux", GOARCH: "amd64"}, Cgo: true}, "CGO_ENABLED=0 in build information, want 1"},
	}
	for _, tt := range tests {
		problems, err := Verify(bin, tt.pair, "")
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Join(problems, "; ")
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("Verify(%s cgo=%v) = %q, want %q", tt.pair.Target, tt.pair.Cgo, got, tt.want)
		}
	}
	if _, err := Verify(filepath.Join(dir, "go.mod"), Pair{}, ""); err == nil {
		t.Error("Verify of a text file succeeded")
	}
}

func TestSmallFunctions(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"example.com/cmd/tool": "tool", "example.com/cmd/tool/v2": "tool", "v2": "v2", "example.com/m": "m",
	} {
		if got := ExecName(in); got != want {
			t.Errorf("ExecName(%q) = %q, want %q", in, got, want)
		}
	}
	for _, c := range []struct {
		a, b string
		less bool
	}{{"2.17", "2.31", true}, {"2.31", "2.17", false}, {"2.9", "2.17", true}, {"2.31", "2.31", false}, {"2", "2.1", true}} {
		if got := versionLess(c.a, c.b); got != c.less {
			t.Errorf("versionLess(%s, %s) = %v", c.a, c.b, got)
		}
	}
	if got := Tail("a\nb\nc\n", 2); got != "b\nc" {
		t.Errorf("Tail = %q", got)
	}
	if _, err := ParseCgoMode("maybe"); err == nil {
		t.Error("ParseCgoMode accepted maybe")
	}
}

// TestVerifyCgoBinary checks the glibc floor and the static-linking rule
// on a real cgo binary built with the host C compiler.
func TestVerifyCgoBinary(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("glibc floors are a Linux matter")
	}
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc not installed (Debian: build-essential)")
	}
	dir := writeModule(t, map[string]string{"main.go": usecgo})
	bin := filepath.Join(t.TempDir(), "usecgo")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	host := target.Target{GOOS: "linux", GOARCH: runtime.GOARCH}
	if problems, err := Verify(bin, Pair{Target: host, Cgo: true}, "99.0"); err != nil || len(problems) > 0 {
		t.Errorf("healthy cgo binary: %v %v", problems, err)
	}
	problems, err := Verify(bin, Pair{Target: host, Cgo: true}, "2.0")
	if err != nil || len(problems) != 1 || !strings.Contains(problems[0], "newer than --glibc-max 2.0") {
		t.Errorf("glibc-max 2.0: %q %v", problems, err)
	}
	problems, _ = Verify(bin, Pair{Target: host}, "")
	joined := strings.Join(problems, "; ")
	if !strings.Contains(joined, "CGO_ENABLED=1 in build information, want 0") || !strings.Contains(joined, "dynamically linked") {
		t.Errorf("cgo binary for a cgo-off pair: %q", joined)
	}
}

// TestPlanCgoOff checks the plan without cgo, where packages are listed
// without their dependencies: a package excluded by build constraints is
// skipped for that target, a package made only of cgo files is not
// planned (with CGO_ENABLED=0, ./... does not match it: the go command's
// rule), and a main package importing one is still planned (its build
// fails and says why).
func TestPlanCgoOff(t *testing.T) {
	t.Parallel()
	dir := writeModule(t, map[string]string{
		"cmd/hello/main.go":     hello,
		"cmd/linuxonly/main.go": linuxonly,
		"cmd/usecgo/main.go":    usecgo,
		"cmd/viacgo/main.go":    "package main\n\nimport \"example.com/m/lib\"\n\nfunc main() { lib.F() }\n",
		"lib/lib.go":            "package lib\n\n// void f(void) {}\nimport \"C\"\n\nfunc F() { C.f() }\n",
	})
	tc := loadToolchain(t)
	targets := firstClass(t, tc.ports)
	plan, err := MakePlan(context.Background(), PlanOptions{Dir: dir, Targets: targets, Cgo: CgoOff, Jobs: 1, Environ: os.Environ(), Ports: tc.ports})
	if err != nil {
		t.Fatal(err)
	}
	type verdict struct{ Skipped, Cgo, Fails bool }
	got := map[string]verdict{}
	for _, p := range plan.Pairs {
		got[p.Target.String()+" "+p.Name] = verdict{Skipped: p.Skip != "", Cgo: p.Cgo, Fails: p.Fail != ""}
	}
	want := map[string]verdict{}
	for _, tg := range targets {
		want[tg.String()+" hello"] = verdict{}
		want[tg.String()+" linuxonly"] = verdict{Skipped: tg.GOOS != "linux"}
		want[tg.String()+" viacgo"] = verdict{}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("plan without cgo (-want +got):\n%s", diff)
	}
}

// TestRebuildReusesOutput runs the matrix again over kept outputs: an
// unchanged program keeps its file (the go command found it up to date
// and did not link), a change relinks it, a failed build leaves the
// previous output alone, and a stray non-object file at the output's name
// is replaced as before.
func TestRebuildReusesOutput(t *testing.T) {
	t.Parallel()
	dir := writeModule(t, map[string]string{"cmd/hello/main.go": hello})
	targets, err := target.ParseList("linux/amd64,windows/amd64,darwin/arm64,js/wasm")
	if err != nil {
		t.Fatal(err)
	}
	type output struct {
		fi   os.FileInfo
		data []byte
	}
	build := func(step string, wantOK bool) map[target.Target]output {
		t.Helper()
		res, err := matrix(t, context.Background(), dir, targets, CgoOff, nil)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		out := map[target.Target]output{}
		for _, p := range res.Pairs {
			if (p.Status == OK && p.Verified) != wantOK {
				t.Fatalf("%s: %s %s %s, want ok %v\n%s", step, p.Target, p.Status, p.Reason, wantOK, p.Log)
			}
			f := OutputPath(filepath.Join(dir, "dist"), p.Pair)
			fi, err := os.Stat(f)
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out[p.Target] = output{fi, data}
		}
		assertNoTemporaries(t, filepath.Join(dir, "dist"))
		return out
	}
	first := build("first build", true)
	same := build("unchanged rebuild", true)
	for tg, o := range same {
		if !os.SameFile(first[tg].fi, o.fi) {
			t.Errorf("unchanged rebuild: %s output replaced, want the up-to-date file kept", tg)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "cmd/hello/main.go"), []byte(strings.Replace(hello, `"hello"`, `"hello again"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	changed := build("changed rebuild", true)
	for tg, o := range changed {
		if os.SameFile(same[tg].fi, o.fi) || !bytes.Contains(o.data, []byte("hello again")) {
			t.Errorf("changed rebuild: %s output not relinked with the change", tg)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "cmd/hello/main.go"), []byte("package main\n\nfunc main() { undefined() }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	failed := build("failed rebuild", false)
	for tg, o := range failed {
		if !os.SameFile(changed[tg].fi, o.fi) || !bytes.Equal(changed[tg].data, o.data) {
			t.Errorf("failed rebuild: %s previous output changed", tg)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "cmd/hello/main.go"), []byte(hello), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tg := range targets {
		f := OutputPath(filepath.Join(dir, "dist"), Pair{Name: "hello", Target: tg})
		if err := os.WriteFile(f, []byte("not a binary\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	build("rebuild over stray files", true)
}

// When a dependency, not the main package, brings cgo in, the failure
// names it: that is the package that may have a pure-Go fallback.
func TestMissingCompilerNamesTheCgoDependency(t *testing.T) {
	t.Parallel()
	dir := writeModule(t, map[string]string{
		"cmd/app/main.go":         "package main\n\nimport \"example.com/m/internal/stats\"\n\nfunc main() { println(stats.Pages()) }\n",
		"internal/stats/cgo.go":   "//go:build cgo\n\npackage stats\n\n// static int pages(void) { return 1; }\nimport \"C\"\n\nfunc Pages() int { return int(C.pages()) }\n",
		"internal/stats/nocgo.go": "//go:build !cgo\n\npackage stats\n\nfunc Pages() int { return 0 }\n",
	})
	tg := target.Target{GOOS: "darwin", GOARCH: "arm64"}
	res, err := matrix(t, context.Background(), dir, []target.Target{tg}, CgoAuto, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := byKey(res)["darwin/arm64 app"]
	if p.Compiler != nil {
		t.Skipf("a C compiler for darwin/arm64 is installed (%s)", p.Compiler.CC)
	}
	if p.Status != Failed || p.Rule != RuleNoCompiler.ID || !strings.Contains(p.Reason, "its dependency example.com/m/internal/stats has cgo files") {
		t.Errorf("got %s %s %q", p.Status, p.Rule, p.Reason)
	}
	if !strings.Contains(p.Fix, "--cgo off if example.com/m/internal/stats has a pure-Go fallback") {
		t.Errorf("fix %q does not name the dependency", p.Fix)
	}
}
