package doctor

import (
	"encoding/json"
	"fmt"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/target"
)

const plainGoMod = "module example.com/p\n\ngo 1.26\n"

var vetLine = regexp.MustCompile(`(?m)^(?:\./)?(\S+\.go):(\d+):\d+: (.*)$`)

func TestBuildTagsAgreeWithVet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		// gofmtAdds is the //go:build line gofmt inserts; doctor must
		// report a missing //go:build line with the same expression unless
		// misplaced is set (vet's misplaced-line error covers it).
		gofmtAdds string
		misplaced bool
		// goErr is the go command's own error when it rejects the file
		// before vet runs.
		goErr string
	}{
		{name: "plus build only", src: "// +build linux,amd64 darwin\n\npackage p\n", gofmtAdds: "//go:build (linux && amd64) || darwin"},
		{name: "two plus build lines", src: "// +build linux\n// +build !cgo\n\npackage p\n", gofmtAdds: "//go:build linux && !cgo"},
		{name: "disagreeing lines", src: "//go:build linux\n// +build windows\n\npackage p\n"},
		{name: "matching lines", src: "//go:build linux || windows\n// +build linux windows\n\npackage p\n"},
		{name: "go:build only", src: "//go:build !windows\n\npackage p\n"},
		{name: "misplaced go:build", src: "package p\n\n//go:build linux\n\nfunc f() {}\n", gofmtAdds: "//go:build linux", misplaced: true},
		{name: "extra go:build", src: "//go:build linux\n//go:build amd64\n\npackage p\n", goErr: "p.go: multiple //go:build comments"},
		{name: "space in go:build", src: "// go:build linux\n\npackage p\n"},
		{name: "misspelled go version", src: "//go:build go.21\n\npackage p\n"},
		{name: "plus build adjoining package clause", src: "// +build linux\npackage p\n", gofmtAdds: "//go:build linux", misplaced: true},
		{name: "no constraints", src: "package p\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// other.go keeps the package non-empty, so vet also checks p.go
			// when its constraints exclude it.
			dir := writeModule(t, map[string]string{"go.mod": plainGoMod, "p.go": tt.src, "other.go": "package p\n"})
			env := healthyEnv(t)
			fs := findingsOf(t, gather(t, dir, env), "GP-SRC-001")

			// Everything vet's buildtag check reports, doctor reports as an
			// error with the same position and wording.
			out, _ := goCommand(t, dir, env, "vet", "-buildtag", ".")
			var want []string
			for _, m := range vetLine.FindAllStringSubmatch(out, -1) {
				want = append(want, m[1]+":"+m[2]+": "+m[3])
			}
			var got []string
			var missing []finding.Finding
			for _, f := range fs {
				if f.Severity == finding.Warning {
					missing = append(missing, f)
					continue
				}
				msg, _, _ := strings.Cut(strings.TrimPrefix(f.Message, "p.go: "), "; go vet reports it")
				got = append(got, fmt.Sprintf("%s:%d: %s", f.Location().Path, f.Location().Line, msg))
			}
			if tt.goErr != "" {
				if !strings.Contains(out, tt.goErr) || len(got) == 0 {
					t.Errorf("go vet output %q should contain %q, doctor should report an error: %q", out, tt.goErr, got)
				}
			} else if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("doctor disagrees with go vet (-vet +doctor):\n%s\nvet output:\n%s", diff, out)
			}

			// The one thing vet does not report: what gofmt adds.
			formatted := runGofmt(t, filepath.Join(dir, "p.go"))
			added := ""
			if first, _, _ := strings.Cut(formatted, "\n"); strings.HasPrefix(first, "//go:build") && !strings.HasPrefix(tt.src, "//go:build") {
				added = first
			}
			if added != tt.gofmtAdds {
				t.Fatalf("gofmt adds %q, test expects %q", added, tt.gofmtAdds)
			}
			switch {
			case tt.misplaced && (len(missing) > 0 || len(got) == 0):
				t.Errorf("misplaced line: want vet's error and no missing-//go:build warning, got %q and %+v", got, missing)
			case tt.misplaced:
			case added == "" && len(missing) > 0:
				t.Errorf("unexpected finding: %s", missing[0].Message)
			case added != "" && len(missing) != 1:
				t.Errorf("want one missing-//go:build finding, got %+v", missing)
			case added != "" && !strings.Contains(missing[0].Message, "gofmt adds `"+added+"`"):
				t.Errorf("message %q does not give gofmt's line %q", missing[0].Message, added)
			}
		})
	}
}

func runGofmt(t *testing.T, file string) string {
	t.Helper()
	out, err := exec.Command(filepath.Join(realGoDir(t), "gofmt"), file).Output()
	if err != nil {
		t.Fatalf("gofmt %s: %v", file, err)
	}
	return string(out)
}

// firstClassCrossPorts asks the real toolchain for its first-class ports
// other than the host.
func firstClassCrossPorts(t *testing.T, dir string, env []string) []string {
	t.Helper()
	var ports []distPort
	if err := json.Unmarshal([]byte(runGo(t, dir, env, "tool", "dist", "list", "-json")), &ports); err != nil {
		t.Fatal(err)
	}
	var list []string
	for _, p := range ports {
		if p.FirstClass && (p.GOOS != runtime.GOOS || p.GOARCH != runtime.GOARCH) {
			list = append(list, p.GOOS+"/"+p.GOARCH)
		}
	}
	return list
}

func TestCgoTargets(t *testing.T) {
	t.Parallel()
	const cgoFile = "package sensor\n\n// int one(void) { return 1; }\nimport \"C\"\n\nfunc One() int { return int(C.one()) }\n"
	host := runtime.GOOS + "/" + runtime.GOARCH
	tests := []struct {
		name     string
		files    map[string]string
		targets  []string // empty: first-class ports
		severity finding.Severity
		// cross are the targets the message must list as needing a cross
		// compiler (nil: the first-class ports but the host).
		cross []string
		want  string // further text the message must contain
	}{
		{name: "first-class ports", files: map[string]string{"sensor/sensor.go": cgoFile}, severity: finding.Warning},
		{
			name:     "configured targets, cgo unsupported on one",
			files:    map[string]string{"sensor/sensor.go": cgoFile},
			targets:  []string{"linux/arm64", "js/wasm", host, "windows/amd64"},
			severity: finding.Warning,
			cross:    []string{"linux/arm64", "windows/amd64"},
			want:     "cgo is not supported on js/wasm",
		},
		{
			name:     "cgo file for linux only",
			files:    map[string]string{"sensor/sensor_linux.go": cgoFile, "sensor/doc.go": "package sensor\n"},
			targets:  []string{"linux/arm64", "windows/amd64", "darwin/arm64"},
			severity: finding.Info, // doc.go remains without cgo: linux/arm64 falls back
			want:     "for linux/arm64, builds without CGO_ENABLED=1",
		},
		{
			name:     "pure-Go fallback",
			files:    map[string]string{"sensor/sensor.go": "//go:build cgo\n\n" + cgoFile, "sensor/fallback.go": "//go:build !cgo\n\npackage sensor\n\nfunc One() int { return 1 }\n"},
			targets:  []string{"linux/arm64"},
			severity: finding.Info,
		},
		{
			name:    "only the host",
			files:   map[string]string{"sensor/sensor.go": cgoFile},
			targets: []string{host},
		},
		{
			name:  "test file importing C is not a cgo package",
			files: map[string]string{"sensor/sensor.go": "package sensor\n", "sensor/sensor_test.go": cgoFile},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			files := map[string]string{"go.mod": plainGoMod}
			for k, v := range tt.files {
				files[k] = v
			}
			dir := writeModule(t, files)
			env := healthyEnv(t)
			c := gather(t, dir, env)
			for _, s := range tt.targets {
				tg, err := target.Parse(s)
				if err != nil {
					t.Fatal(err)
				}
				c.Targets = append(c.Targets, tg)
			}
			fs := findingsOf(t, c, "GP-SRC-002")
			if tt.severity == 0 {
				if len(fs) != 0 {
					t.Errorf("unexpected findings: %+v", fs)
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("got %d findings, want 1: %+v", len(fs), fs)
			}
			f := fs[0]
			if f.Severity != tt.severity || !strings.HasPrefix(f.Message, `package ./sensor imports "C": `) || !strings.Contains(f.Message, tt.want) {
				t.Errorf("got %v %q, want %v with %q", f.Severity, f.Message, tt.severity, tt.want)
			}
			if loc := f.Location(); loc == nil || loc.Line != importCLine(files[loc.Path]) {
				t.Errorf("evidence %+v does not point at the import line", f.Evidence)
			}
			cross := tt.cross
			if cross == nil && tt.severity == finding.Warning {
				cross = firstClassCrossPorts(t, dir, env)
			}
			if len(cross) > 0 {
				if !strings.Contains(f.Message, "building it for "+strings.Join(cross, ", ")+" needs a C cross compiler") {
					t.Errorf("message %q does not list %v", f.Message, cross)
				}
				// The go command agrees: cross-compiling with the default
				// CGO_ENABLED excludes every file of the package.
				tg, _ := target.Parse(cross[0])
				got := listError(t, dir, withEnv(env, tg.Env()...))
				if !strings.Contains(got, "build constraints exclude all Go files") {
					t.Errorf("go list for %s: error %q, want build constraints exclude all Go files", cross[0], got)
				}
			}
		})
	}
}

// importCLine is the 1-based line of `import "C"` in src, or -1.
func importCLine(src string) int {
	i := strings.Index(src, `import "C"`)
	if i < 0 {
		return -1
	}
	return strings.Count(src[:i], "\n") + 1
}

// wantLines returns the 1-based lines of src that carry a "// want"
// comment.
func wantLines(src string) []int {
	var lines []int
	for i, line := range strings.Split(src, "\n") {
		if strings.Contains(line, "// want") {
			lines = append(lines, i+1)
		}
	}
	return lines
}

func TestManualMemoryControl(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
		testFile  bool
		other     string // q.go, another file of the package
	}{
		{name: "ReadMemStats in a loop", src: `package p

import "runtime"

func watch() {
	var m runtime.MemStats
	for {
		runtime.ReadMemStats(&m) // want
		if m.HeapAlloc > 1<<30 {
			runtime.GC() // want
		}
	}
}
`},
		{name: "ReadMemStats once at start-up", src: `package p

import "runtime"

func startup() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.Sys
}
`},
		{name: "ranging over a ticker in a goroutine", src: `package p

import (
	"runtime"
	"time"
)

func watch(t *time.Ticker) {
	go func() {
		var m runtime.MemStats
		for range t.C {
			runtime.ReadMemStats(&m) // want
		}
	}()
}
`},
		{name: "function driven by a ticker", src: `package p

import (
	"runtime"
	"time"
)

func poll() {
	t := time.NewTicker(time.Second)
	<-t.C
	var m runtime.MemStats
	runtime.ReadMemStats(&m) // want
}
`},
		{name: "AfterFunc callback", src: `package p

import (
	"runtime"
	"time"
)

func later() {
	time.AfterFunc(time.Second, func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m) // want
	})
}
`},
		{name: "helper called from a loop", src: `package p

import "runtime"

type sampler struct{ m runtime.MemStats }

func (s *sampler) sample() {
	runtime.ReadMemStats(&s.m) // want
}

func run(s *sampler) {
	for i := 0; i < 10; i++ {
		s.sample()
	}
}
`},
		{name: "closure stored in a loop is not called there", src: `package p

import "runtime"

func handlers(names []string) []func() {
	var hs []func()
	for range names {
		hs = append(hs, func() {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
		})
	}
	return hs
}
`},
		{name: "renamed and dot imports", src: `package p

import (
	rt "runtime"
	. "runtime/debug"
)

type collector struct{}

func (collector) GC() {}

func free(c collector) {
	rt.GC() // want
	FreeOSMemory() // want
	SetGCPercent(50) // want
	c.GC()
}
`},
		{name: "SetGCPercent with a memory limit", src: `package p

import "runtime/debug"

func tune() {
	debug.SetMemoryLimit(1 << 30)
	debug.SetGCPercent(-1)
}
`},
		{name: "shadowed by a parameter", src: `package p

import "runtime"

type pool struct{ stats runtime.MemStats }

func (*pool) GC() {}

func drain(runtime *pool) {
	for i := 0; i < 3; i++ {
		runtime.GC()
	}
}
`},
		{name: "shadowed by a short variable declaration", src: `package p

import "runtime/debug"

type tuner struct{}

func (tuner) FreeOSMemory()   {}
func (tuner) SetGCPercent(int) {}

var _ = debug.Stack

func tune() {
	debug := tuner{}
	debug.FreeOSMemory()
	debug.SetGCPercent(50)
}
`},
		{name: "shadowed by a var declaration", src: `package p

import "runtime"

type pool struct{}

func (pool) ReadMemStats(*runtime.MemStats) {}

func watch() {
	var runtime pool
	for {
		runtime.ReadMemStats(nil)
	}
}
`},
		{name: "shadowed by a range variable", src: `package p

import "runtime"

type pool struct{}

func (pool) GC() {}

var _ = runtime.NumCPU

func drain(pools []pool) {
	for _, runtime := range pools {
		runtime.GC()
	}
}
`},
		{name: "shadowed by a named result", src: `package p

import "runtime/debug"

type tuner struct{}

func (*tuner) SetGCPercent(int) int { return 0 }

var _ = debug.Stack

func tune() (debug *tuner) {
	debug = new(tuner)
	debug.SetGCPercent(50)
	return
}
`},
		{name: "shadowed by a type switch binding", src: `package p

import "runtime"

type collector interface{ GC() }

var _ = runtime.NumCPU

func collect(v any) {
	for {
		switch runtime := v.(type) {
		case collector:
			runtime.GC()
		}
	}
}
`},
		{name: "shadowed by a receiver", src: `package p

import "runtime"

type pool struct{ m runtime.MemStats }

func (*pool) GC() {}

func (runtime *pool) drain() {
	for {
		runtime.GC()
	}
}
`},
		{name: "shadowed by a closure parameter", src: `package p

import "runtime/debug"

type tuner struct{}

func (tuner) FreeOSMemory() {}

var _ = debug.Stack

var free = func(debug tuner) { debug.FreeOSMemory() }
`},
		{name: "dot import shadowed by a local", src: `package p

import . "runtime"

var _ = NumCPU

func collect() {
	GC := func() {}
	for {
		GC()
	}
}
`},
		// The go command rejects this pair ("GC already declared through
		// dot-import"); the package-level name still is not runtime.GC.
		{name: "dot import shadowed by a package-level name in another file", src: `package p

import . "runtime"

var _ = NumCPU

func collect() {
	GC()
	FreeOSMemory()
}
`, other: `package p

func GC() {}

var FreeOSMemory = func() {}
`},
		{name: "a local time is not a ticker", src: `package p

import (
	"runtime"
	"time"
)

type clock struct{ d time.Duration }

func (clock) Tick() {}

func poll(time clock) {
	time.Tick()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
}
`},
		{name: "shadows in a sibling function or an ended block do not hide the package", src: `package p

import "runtime"

func other(runtime int) int { return runtime }

func collect() {
	{
		runtime := 1
		_ = runtime
	}
	runtime.GC() // want
}

func later() {
	runtime.GC() // want
	runtime := 1
	_ = runtime
}
`},
		{name: "helper called through a local named like the import", src: `package p

import "runtime"

type sampler struct{ m runtime.MemStats }

func (s *sampler) sample() {
	runtime.ReadMemStats(&s.m) // want
}

func run(runtime *sampler) {
	for {
		runtime.sample()
	}
}
`},
		{name: "test files are exempt", testFile: true, src: `package p

import (
	"runtime"
	"testing"
)

func TestAlloc(t *testing.T) {
	var m runtime.MemStats
	for i := 0; i < 3; i++ {
		runtime.GC()
		runtime.ReadMemStats(&m)
	}
}
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			name := "p.go"
			if tt.testFile {
				name = "p_test.go"
			}
			files := map[string]string{"go.mod": plainGoMod, name: tt.src}
			if tt.other != "" {
				files["q.go"] = tt.other
			}
			dir := writeModule(t, files)
			c := gather(t, dir, healthyEnv(t))
			for _, f := range c.Files {
				if f.Err != nil {
					t.Fatalf("test source does not parse: %v", f.Err)
				}
			}
			var got []int
			for _, f := range findingsOf(t, c, "GP-SRC-003") {
				loc := f.Location()
				if loc == nil || loc.Path != name {
					t.Fatalf("finding %q has location %v", f.Message, loc)
				}
				if !strings.HasPrefix(f.Message, loc.String()+": ") || !strings.Contains(f.Message+f.Fix, "GOMEMLIMIT") {
					t.Errorf("message %q should start with %s and recommend GOMEMLIMIT", f.Message, loc)
				}
				got = append(got, loc.Line)
			}
			slices.Sort(got)
			if diff := cmp.Diff(wantLines(tt.src), got); diff != "" {
				t.Errorf("reported lines (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSourcesParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
		severity  finding.Severity // 0: no finding
	}{
		{name: "syntax error", src: "package p\n\nfunc f() {\n\treturn 1 +\n}\n", severity: finding.Error},
		{name: "merge conflict", src: "package p\n\n<<<<<<< HEAD\nvar x = 1\n=======\nvar x = 2\n>>>>>>> other\n", severity: finding.Error},
		{name: "excluded by constraints", src: "//go:build ignore\n\npackage p\n\nfunc f( {\n", severity: finding.Warning},
		{name: "valid", src: "package p\n\nfunc f() {}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeModule(t, map[string]string{"go.mod": plainGoMod, "p.go": tt.src})
			fs := findingsOf(t, gather(t, dir, healthyEnv(t)), "GP-SRC-004")
			// gofmt -l reports the same first error at the same position.
			out, err := exec.Command(filepath.Join(realGoDir(t), "gofmt"), "-l", filepath.Join(dir, "p.go")).CombinedOutput()
			if tt.severity == 0 {
				if err != nil || len(fs) != 0 {
					t.Errorf("gofmt: %v %s; findings %+v", err, out, fs)
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("got %d findings, want 1: %+v", len(fs), fs)
			}
			f := fs[0]
			if f.Severity != tt.severity {
				t.Errorf("severity %v, want %v: %s", f.Severity, tt.severity, f.Message)
			}
			pos := fmt.Sprintf("p.go:%d:%d: %s", f.Location().Line, f.Location().Column, f.Evidence[0].Text)
			if first, _, _ := strings.Cut(string(out), "\n"); err == nil || !strings.HasSuffix(first, pos) {
				t.Errorf("doctor says %q, gofmt says %q", pos, first)
			}
		})
	}
}

// FuzzSourceChecks feeds arbitrary source to the checks that read the
// AST: they must never panic, whatever go/parser makes of the input.
func FuzzSourceChecks(f *testing.F) {
	f.Add("// +build linux,!cgo\n\npackage p\n")
	f.Add("//go:build linux\n// +build windows\n\npackage p\n/*\n//go:build x\n*/\n")
	f.Add("package p\n\nimport (\n\trt \"runtime\"\n\t. \"runtime/debug\"\n)\n\nfunc f() { for { rt.ReadMemStats(nil); FreeOSMemory() } }\n")
	f.Add("package p\n\nimport (\n\t\"runtime\"\n\t. \"runtime/debug\"\n)\n\nfunc f(runtime T) { for { runtime.GC() } }\nfunc g(v any) { switch runtime := v.(type) { default: runtime.GC(); FreeOSMemory := 1; FreeOSMemory() } }\n")
	f.Add("package p\nimport \"C\"\nfunc (s *T) g() { go func() { for range time.Tick(1) { s.g() } }() }\n")
	f.Add("// +build !!x a=b\n//go:build go.21 &&\npackage p\n")
	f.Add("\xff\xfe//go:build\npackage")
	f.Fuzz(func(t *testing.T, src string) {
		c := &Context{Root: "/m", Fset: token.NewFileSet()}
		file, err := parser.ParseFile(c.Fset, "/m/p.go", src, parser.ParseComments|parser.SkipObjectResolution)
		c.Files = []*SourceFile{{Path: "p.go", Abs: "/m/p.go", AST: file, Err: err}}
		for _, check := range []func(*Context) []finding.Finding{checkBuildTags, checkManualMemoryControl, checkSourcesParse} {
			for _, f := range check(c) {
				if f.Message == "" {
					t.Errorf("finding without message: %+v", f)
				}
			}
		}
		_ = c.cgoPackages()
	})
}

func FuzzGoQuotedFields(f *testing.F) {
	for _, s := range []string{"", "-mod=vendor", `ccache "gcc -m32" 'x y'`, "'unterminated", "a\tb\r\nc", `"" ''`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fields, err := quotedFields(s)
		if err != nil {
			return
		}
		if !strings.ContainsAny(s, `"'`) {
			// Without quotes it is plain splitting on ASCII white space.
			want := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' })
			if !slices.Equal(fields, want) && !(len(fields) == 0 && len(want) == 0) {
				t.Errorf("quotedFields(%q) = %q, want %q", s, fields, want)
			}
		}
	})
}
