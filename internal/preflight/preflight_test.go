package preflight

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/goport/goport/internal/cross"
	"github.com/goport/goport/internal/doctor"
	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/target"
)

var (
	portsOnce sync.Once
	ports     []goenv.Port
	portsErr  error
)

func realPorts(t *testing.T) []goenv.Port {
	t.Helper()
	portsOnce.Do(func() { ports, portsErr = goenv.DistList(context.Background(), os.Environ()) })
	if portsErr != nil {
		t.Skipf("no usable go command: %v", portsErr)
	}
	return ports
}

// world is a controlled environment: a PATH holding the real go command
// and, unless noCC, the system directories with the C compilers; a fresh
// GOENV file.
type world struct {
	dir     string
	environ []string
	// toolchains stand for goport.yaml's per-target C toolchains.
	toolchains map[target.Target]Toolchain
}

func newWorld(t *testing.T, noCC bool, goenvFile string, extra ...string) *world {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	gobin, _ = filepath.EvalSymlinks(gobin)
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(gobin, filepath.Join(bin, "go")); err != nil {
		t.Fatal(err)
	}
	path := bin
	if !noCC {
		path += string(os.PathListSeparator) + os.Getenv("PATH")
	}
	// The telemetry mode file, not GOTELEMETRY, turns counters off, so
	// that nothing is still written into dir during cleanup.
	mode := filepath.Join(dir, ".config", "go", "telemetry", "mode")
	if err := os.MkdirAll(filepath.Dir(mode), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mode, []byte("off"), 0o644); err != nil {
		t.Fatal(err)
	}
	envPath := filepath.Join(dir, "goenv")
	if err := os.WriteFile(envPath, []byte(goenvFile), 0o644); err != nil {
		t.Fatal(err)
	}
	gocache, _ := exec.Command(gobin, "env", "GOCACHE").Output()
	environ := []string{"PATH=" + path, "HOME=" + dir, "XDG_CONFIG_HOME=" + filepath.Join(dir, ".config"), "GOENV=" + envPath, "GOTOOLCHAIN=local",
		"GOFLAGS=", "GOCACHE=" + strings.TrimSpace(string(gocache)), "GOPROXY=off"}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/m\n\ngo 1.21\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return &world{dir: dir, environ: append(environ, extra...)}
}

// run is what the CLI does: one go env -json, settings, blockers, Run.
func (w *world) run(t *testing.T, targets ...target.Target) ([]Result, []finding.Finding) {
	t.Helper()
	ctx := context.Background()
	env, err := goenv.Load(ctx, w.dir, w.environ)
	if err != nil {
		t.Fatal(err)
	}
	s, err := goenv.LoadSettings(w.environ, env)
	if err != nil {
		t.Fatal(err)
	}
	blockers, _, err := doctor.BuildBlockers(w.dir, w.environ, env)
	if err != nil {
		t.Fatal(err)
	}
	host := goenv.Host{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH}
	inv := cross.Discover(ctx, cross.Options{Environ: w.environ, GoEnv: env, Host: host})
	return Run(ctx, Options{Targets: targets, GoEnv: env, Ports: realPorts(t), Settings: s, Cross: inv, Blockers: blockers,
		CXXFile: FindCXXFile(w.dir), Toolchains: w.toolchains})
}

// goEnvCgo asks the real go command what it decides for t.
func (w *world) goEnvCgo(t *testing.T, tg target.Target) bool {
	t.Helper()
	cmd := exec.Command("go", "env", "CGO_ENABLED")
	cmd.Path = filepath.Join(w.dir, "bin", "go")
	cmd.Dir = w.dir
	cmd.Env = append(append([]string(nil), w.environ...), tg.Env()...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go env CGO_ENABLED: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out)) == "1"
}

func hostTarget() target.Target { return target.Target{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH} }

func crossTarget() target.Target {
	if runtime.GOARCH == "arm64" {
		return target.Target{GOOS: "linux", GOARCH: "amd64"}
	}
	return target.Target{GOOS: "linux", GOARCH: "arm64"}
}

func hasDefaultCC(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath(DefaultCC(runtime.GOOS)); err != nil {
		t.Skipf("no %s on PATH", DefaultCC(runtime.GOOS))
	}
}

// TestCgoDecisionMatchesGo compares the predicted CGO_ENABLED with what
// the installed go command prints for the same environment and target.
func TestCgoDecisionMatchesGo(t *testing.T) {
	t.Parallel()
	hasDefaultCC(t)
	host, other := hostTarget(), crossTarget()
	amd64v3 := target.Target{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH}
	if runtime.GOARCH == "amd64" {
		amd64v3.Variant = "v3"
	}
	tests := []struct {
		name    string
		noCC    bool
		goenv   string
		extra   []string
		target  target.Target
		want    bool
		silence bool // GP-PRE-006 expected
	}{
		{name: "host", target: host, want: true},
		{name: "host variant", target: amd64v3, want: true},
		{name: "host without compiler", noCC: true, target: host, want: false, silence: true},
		{name: "host without compiler, CC in environment", noCC: true, extra: []string{"CC=no-such-cc"}, target: host, want: true},
		{name: "host without compiler, CC in GOENV file only", noCC: true, goenv: "CC=gcc\n", target: host, want: false, silence: true},
		{name: "host without compiler, empty CC", noCC: true, extra: []string{"CC="}, target: host, want: false, silence: true},
		{name: "host without compiler, CGO_ENABLED=1", noCC: true, extra: []string{"CGO_ENABLED=1"}, target: host, want: true},
		{name: "cross", target: other, want: false},
		{name: "cross with CC", extra: []string{"CC=aarch64-linux-gnu-gcc"}, target: other, want: false},
		{name: "cross with CGO_ENABLED=1", extra: []string{"CGO_ENABLED=1"}, target: other, want: true},
		{name: "host CGO_ENABLED=true is ignored", extra: []string{"CGO_ENABLED=true"}, target: host, want: true},
		{name: "cross CGO_ENABLED=true is ignored", extra: []string{"CGO_ENABLED=true"}, target: other, want: false},
		{name: "GOENV file CGO_ENABLED=0", goenv: "CGO_ENABLED=0\n", target: host, want: false},
		{name: "GOENV file CGO_ENABLED=1 cross", goenv: "CGO_ENABLED=1\n", target: other, want: true},
		{name: "environment beats GOENV file", goenv: "CGO_ENABLED=0\n", extra: []string{"CGO_ENABLED=1"}, target: host, want: true},
		{name: "386 on amd64 is cross", target: target.Target{GOOS: runtime.GOOS, GOARCH: "386"}, want: false},
		{name: "windows with mingw CC", extra: []string{"CC=x86_64-w64-mingw32-gcc"}, target: target.Target{GOOS: "windows", GOARCH: "amd64"}, want: false},
		{name: "js/wasm CGO_ENABLED=1", extra: []string{"CGO_ENABLED=1"}, target: target.Target{GOOS: "js", GOARCH: "wasm"}, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, tt.noCC, tt.goenv, tt.extra...)
			if got := w.goEnvCgo(t, tt.target); got != tt.want {
				t.Fatalf("the go command says CGO_ENABLED=%v for %s, the table says %v: the test case is wrong", got, tt.target, tt.want)
			}
			res, fs := w.run(t, tt.target)
			if res[0].Cgo.Enabled != tt.want {
				t.Errorf("predicted cgo %v (%s), go env CGO_ENABLED says %v", res[0].Cgo.Enabled, res[0].Cgo.Reason, tt.want)
			}
			if got := hasRule(fs, RuleCgoSilentlyOff.ID); got != tt.silence {
				t.Errorf("GP-PRE-006 reported = %v, want %v; findings: %v", got, tt.silence, rules(fs))
			}
		})
	}
}

func TestDecideCgoBootstrapDefault(t *testing.T) {
	t.Parallel()
	base := CgoInputs{HostGOOS: "linux", HostGOARCH: "amd64", Target: target.Target{GOOS: "linux", GOARCH: "arm64"}}
	on := base
	on.BootstrapDefault = "1"
	if !DecideCgo(on).Enabled {
		t.Error("toolchain built with CGO_ENABLED=1 should default cross builds to cgo on")
	}
	off := base
	off.BootstrapDefault, off.Target, off.CgoSupported, off.DefaultCCFound = "0", target.Target{GOOS: "linux", GOARCH: "amd64"}, true, true
	if DecideCgo(off).Enabled {
		t.Error("toolchain built with CGO_ENABLED=0 should default native builds to cgo off")
	}
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Skip("no go command")
	}
	gor := strings.TrimSpace(string(out))
	if v := BootstrapCgoDefault(gor); v != "" && v != "0" && v != "1" {
		t.Errorf("BootstrapCgoDefault(%s) = %q", gor, v)
	}
	if v := BootstrapCgoDefault(t.TempDir()); v != "" {
		t.Errorf("BootstrapCgoDefault of an empty dir = %q", v)
	}
}

func hasRule(fs []finding.Finding, id string) bool {
	for _, f := range fs {
		if f.Rule == id {
			return true
		}
	}
	return false
}

func rules(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule+": "+f.Message)
	}
	return out
}

// needsArm64CrossGCC skips unless Debian's aarch64 cross gcc and the host
// gcc are both there, on a non-arm64 Linux host; it returns linux/arm64.
func needsArm64CrossGCC(t *testing.T) target.Target {
	t.Helper()
	if _, err := exec.LookPath("aarch64-linux-gnu-gcc"); err != nil {
		t.Skip("aarch64-linux-gnu-gcc not installed (Debian gcc-aarch64-linux-gnu)")
	}
	if runtime.GOOS != "linux" || runtime.GOARCH == "arm64" {
		t.Skip("needs a non-arm64 Linux host")
	}
	hasDefaultCC(t)
	return target.Target{GOOS: "linux", GOARCH: "arm64"}
}

// TestRealCrossCompiler recognises Debian's aarch64 cross gcc for
// linux/arm64 and rejects the host gcc for it.
func TestRealCrossCompiler(t *testing.T) {
	t.Parallel()
	arm64 := needsArm64CrossGCC(t)

	good := newWorld(t, false, "", "CGO_ENABLED=1", "CC=aarch64-linux-gnu-gcc", "CXX=aarch64-linux-gnu-g++",
		"PKG_CONFIG=aarch64-linux-gnu-pkg-config")
	res, fs := good.run(t, arm64)
	if !res[0].OK || !res[0].Cgo.Enabled || res[0].Triplet != "aarch64-linux-gnu" {
		t.Errorf("cross gcc: got %+v, findings %v", res[0], rules(fs))
	}
	for _, id := range []string{RuleWrongCompiler.ID, RuleNoCompiler.ID, RulePkgConfig.ID} {
		if hasRule(fs, id) {
			t.Errorf("cross gcc: unexpected %s: %v", id, rules(fs))
		}
	}

	bad := newWorld(t, false, "", "CGO_ENABLED=1", "CC=gcc")
	res, _ = bad.run(t, arm64)
	if res[0].OK || res[0].Rule != RuleWrongCompiler.ID {
		t.Fatalf("host gcc for linux/arm64: got %+v", res[0])
	}
	if !strings.Contains(res[0].Fix, "CC=aarch64-linux-gnu-gcc") {
		t.Errorf("fix %q does not suggest the installed cross compiler", res[0].Fix)
	}
	if !strings.Contains(res[0].Reason, "x86_64") {
		t.Errorf("reason %q does not name what gcc builds for", res[0].Reason)
	}

	// The verdicts hold for a real cgo build: the cross gcc links it, the
	// host gcc fails.
	for _, w := range []struct {
		w    *world
		fail bool
	}{{good, false}, {bad, true}} {
		dir := w.w.dir
		if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\n// int one(void) { return 1; }\nimport \"C\"\n\nfunc main() { println(C.one()) }\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(filepath.Join(dir, "bin", "go"), "build", "-o", filepath.Join(dir, "out"), ".")
		cmd.Dir = dir
		cmd.Env = append(append([]string(nil), w.w.environ...), arm64.Env()...)
		out, err := cmd.CombinedOutput()
		if (err != nil) != w.fail {
			t.Errorf("go build with %v: err = %v, want failure %v\n%s", w.w.environ, err, w.fail, out)
		}
	}
}

// A goport.yaml toolchain is what `goport matrix` builds with, so it is
// what preflight must judge, whatever CC the environment names.
func TestConfiguredToolchainWins(t *testing.T) {
	t.Parallel()
	arm64 := needsArm64CrossGCC(t)
	runWith := func(w *world, tc Toolchain) ([]Result, []finding.Finding) {
		t.Helper()
		w.toolchains = map[target.Target]Toolchain{arm64: tc}
		return w.run(t, arm64)
	}

	// The environment's host gcc would fail; the configured cross gcc is used.
	res, fs := runWith(newWorld(t, false, "", "CGO_ENABLED=1", "CC=gcc"),
		Toolchain{CC: "aarch64-linux-gnu-gcc", PkgConfig: "aarch64-linux-gnu-pkg-config", Source: "goport.yaml"})
	if !res[0].OK || res[0].CC != "aarch64-linux-gnu-gcc" || res[0].Triplet != "aarch64-linux-gnu" {
		t.Errorf("configured cross gcc: got %+v, findings %v", res[0], rules(fs))
	}

	// The environment's cross gcc is right, but the configured one wins
	// and is wrong: that is what the build would use.
	res, fs = runWith(newWorld(t, false, "", "CGO_ENABLED=1", "CC=aarch64-linux-gnu-gcc"),
		Toolchain{CC: "gcc", Source: "goport.yaml"})
	if res[0].OK || res[0].Rule != RuleWrongCompiler.ID {
		t.Fatalf("configured host gcc for linux/arm64: got %+v", res[0])
	}
	var evidence []string
	for _, f := range fs {
		for _, e := range f.Evidence {
			evidence = append(evidence, e.Text)
		}
	}
	if !slices.Contains(evidence, "CC=gcc (goport.yaml)") {
		t.Errorf("evidence %q does not name goport.yaml as the source of CC", evidence)
	}
}

func TestRules(t *testing.T) {
	t.Parallel()
	hasDefaultCC(t)
	host, other := hostTarget(), crossTarget()
	tests := []struct {
		name    string
		noCC    bool
		extra   []string
		target  target.Target
		rule    string // must be reported
		absent  string // must not be reported
		wantOK  bool
		modLine string
		cxx     bool // the module has a C++ file
	}{
		{name: "healthy host", target: host, wantOK: true, absent: "GP-PRE-"},
		{name: "unknown port", target: target.Target{GOOS: "linux", GOARCH: "vax"}, rule: RuleUnsupported.ID},
		{name: "bad variant", target: target.Target{GOOS: "linux", GOARCH: "amd64", Variant: "v9"}, rule: RuleVariant.ID},
		{name: "good variant", target: target.Target{GOOS: "linux", GOARCH: "amd64", Variant: "v3"}, absent: RuleVariant.ID, wantOK: true},
		{name: "CC missing", extra: []string{"CC=no-such-cc"}, target: host, rule: RuleNoCompiler.ID},
		{name: "no compiler at all, cgo forced", noCC: true, extra: []string{"CGO_ENABLED=1"}, target: host, rule: RuleNoCompiler.ID},
		{name: "cross cgo without pkg-config isolation", extra: []string{"CGO_ENABLED=1", "CC=aarch64-linux-gnu-gcc"}, target: target.Target{GOOS: "linux", GOARCH: "arm64"}, rule: RulePkgConfig.ID, wantOK: true},
		{name: "cross cgo with PKG_CONFIG_LIBDIR", extra: []string{"CGO_ENABLED=1", "CC=aarch64-linux-gnu-gcc", "PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig"}, target: target.Target{GOOS: "linux", GOARCH: "arm64"}, absent: RulePkgConfig.ID, wantOK: true},
		{name: "cgo silently off", noCC: true, target: host, rule: RuleCgoSilentlyOff.ID, wantOK: true},
		{name: "no runner", target: target.Target{GOOS: "plan9", GOARCH: "amd64"}, rule: RuleNoRunner.ID, wantOK: true},
		{name: "native runner", target: host, absent: RuleNoRunner.ID, wantOK: true},
		{name: "CXX missing with C++ files", extra: []string{"CXX=no-such-g++"}, target: host, rule: RuleNoCXX.ID, wantOK: true, cxx: true},
		{name: "CXX missing without C++ files", extra: []string{"CXX=no-such-g++"}, target: host, absent: RuleNoCXX.ID, wantOK: true},
		{name: "cross without cgo needs no compiler", noCC: true, target: other, absent: RuleNoCompiler.ID, wantOK: true},
		{name: "GOFLAGS refused", extra: []string{"GOFLAGS=-notaflag"}, target: host, rule: "GP-FLAGS-001"},
		{name: "go line too new", modLine: "go 1.99.0", target: host, rule: "GP-MOD-002"},
		{name: "toolchain line ignored under local", modLine: "go 1.21\n\ntoolchain go1.99.0", target: host, rule: "GP-MOD-003", wantOK: true},
		{name: "go line this toolchain meets", modLine: "go 1.21", target: host, absent: "GP-MOD-", wantOK: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if strings.Contains(strings.Join(tt.extra, " "), "aarch64-linux-gnu-gcc") {
				if _, err := exec.LookPath("aarch64-linux-gnu-gcc"); err != nil {
					t.Skip("aarch64-linux-gnu-gcc not installed")
				}
				if runtime.GOARCH == "arm64" {
					t.Skip("needs a non-arm64 host")
				}
			}
			w := newWorld(t, tt.noCC, "", tt.extra...)
			if tt.modLine != "" {
				if err := os.WriteFile(filepath.Join(w.dir, "go.mod"), []byte("module example.com/m\n\n"+tt.modLine+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if tt.cxx {
				if err := os.WriteFile(filepath.Join(w.dir, "lib.cpp"), []byte("int one() { return 1; }\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			res, fs := w.run(t, tt.target)
			if res[0].OK != tt.wantOK {
				t.Errorf("OK = %v, want %v (%s: %s)", res[0].OK, tt.wantOK, res[0].Rule, res[0].Reason)
			}
			if tt.rule != "" && !hasRule(fs, tt.rule) {
				t.Errorf("%s not reported; findings: %v", tt.rule, rules(fs))
			}
			if tt.absent != "" {
				for _, f := range fs {
					if strings.HasPrefix(f.Rule, tt.absent) {
						t.Errorf("unexpected %s: %s", f.Rule, f.Message)
					}
				}
			}
		})
	}
}
