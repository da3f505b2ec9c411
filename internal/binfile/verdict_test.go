package binfile

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/target"
)

func rulesOf(fs []finding.Finding) []string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.Rule)
	}
	return ids
}

func TestCheckTarget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fixture string
		target  string
		want    []string
	}{
		{"linux-amd64", "linux/amd64", nil},
		{"linux-amd64", "linux/arm64", []string{RuleWrongArch}},
		{"linux-amd64", "windows/amd64", []string{RuleWrongOS}},
		{"linux-amd64", "android/amd64", nil},
		{"linux-mips64", "linux/mips64le", []string{RuleWrongArch}},
		{"linux-ppc64le", "linux/ppc64", []string{RuleWrongArch}},
		{"windows-amd64", "linux/amd64", []string{RuleWrongOS}},
		{"windows-arm64", "windows/arm64", nil},
		{"js-wasm", "js/wasm", nil},
		{"js-wasm", "wasip1/wasm", []string{RuleWrongOS}},
		{"wasip1-wasm", "linux/amd64", []string{RuleWrongOS}},
		{"freebsd-amd64", "linux/amd64", []string{RuleWrongOS}},
		{"darwin-arm64", "darwin/arm64", nil},
		{"darwin-arm64", "darwin/amd64", []string{RuleWrongArch}},
		{"linux-amd64-v3", "linux/amd64", []string{RuleCPULevel}},
		{"linux-amd64-v3", "linux/amd64/v2", []string{RuleCPULevel}},
		{"linux-amd64-v3", "linux/amd64/v3", nil},
		{"linux-amd64-v3", "linux/amd64/v4", nil},
		{"linux-arm-7", "linux/arm/6", []string{RuleCPULevel}},
		{"linux-arm-7", "linux/arm/v7", nil},
		{"linux-arm-7", "linux/arm", nil},
		{"linux-arm-6", "linux/arm/7", nil},
		{"c-shared", "linux/amd64", []string{RuleNotProgram}},
		{"fat", "darwin/arm64", nil},
		{"fat", "darwin/amd64", nil},
		{"fat", "linux/amd64", []string{RuleWrongArch}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture+"@"+tt.target, func(t *testing.T) {
			t.Parallel()
			if strings.HasPrefix(tt.fixture, "c") && runtime.GOOS+"/"+runtime.GOARCH != "linux/amd64" {
				t.Skip("host cgo fixtures are asserted on linux/amd64")
			}
			f, err := Inspect(build(t, tt.fixture))
			if err != nil {
				t.Fatal(err)
			}
			tg, err := target.Parse(tt.target)
			if err != nil {
				t.Fatal(err)
			}
			fs, v := CheckTarget(f, tg)
			if diff := cmp.Diff(tt.want, rulesOf(fs)); diff != "" {
				t.Errorf("rules (-want +got):\n%s", diff)
			}
			wantRuns := len(tt.want) == 0 || tt.want[0] == RuleNotProgram
			if v.Runs != wantRuns || v.On != tg.String() {
				t.Errorf("verdict %+v, want runs=%v on %s", v, wantRuns, tg)
			}
		})
	}
}

// TestMinMacOS judges the real darwin fixtures (minos 12.0) on Macs of
// given versions; the host is described, as it cannot be this machine.
func TestMinMacOS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fixture, arch, version string
		want                   []string
	}{
		{"darwin-arm64", "arm64", "11.7.10", []string{RuleOSTooOld}},
		{"darwin-arm64", "arm64", "12.0", nil},
		{"darwin-arm64", "arm64", "14.5", nil},
		{"darwin-amd64", "amd64", "10.15.7", []string{RuleOSTooOld}},
		{"fat", "arm64", "11.0", []string{RuleOSTooOld}},
		{"fat", "amd64", "13.1", nil},
	}
	for _, tt := range tests {
		f, err := Inspect(build(t, tt.fixture))
		if err != nil {
			t.Fatal(err)
		}
		h := &Host{Target: target.Target{GOOS: "darwin", GOARCH: tt.arch}, OSVersion: tt.version}
		fs, v := CheckHost(f, h)
		if diff := cmp.Diff(tt.want, rulesOf(fs)); diff != "" {
			t.Errorf("%s on macOS %s (-want +got):\n%s", tt.fixture, tt.version, diff)
		}
		if v.Runs != (len(tt.want) == 0) {
			t.Errorf("%s on macOS %s: verdict %+v", tt.fixture, tt.version, v)
		}
	}
}

func TestWasmFix(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{"js-wasm": "wasm_exec_node.js", "wasip1-wasm": "WASI runtime"} {
		f, err := Inspect(build(t, name))
		if err != nil {
			t.Fatal(err)
		}
		fs, _ := CheckTarget(f, target.Target{GOOS: "linux", GOARCH: "amd64"})
		if len(fs) != 1 || !strings.Contains(fs[0].Fix, want) {
			t.Errorf("%s on linux: %+v, want a fix naming %s", name, fs, want)
		}
	}
}

func TestUnsignedMachO(t *testing.T) {
	t.Parallel()
	f, err := Inspect(build(t, "darwin-arm64"))
	if err != nil {
		t.Fatal(err)
	}
	darwin := target.Target{GOOS: "darwin", GOARCH: "arm64"}
	if fs, _ := CheckTarget(f, darwin); len(fs) != 0 {
		t.Errorf("signed binary: %v", rulesOf(fs))
	}
	f.MachO.CodeSignature = false
	if fs, v := CheckTarget(f, darwin); !cmp.Equal(rulesOf(fs), []string{RuleUnsigned}) || v.Runs {
		t.Errorf("unsigned binary: %v, %+v", rulesOf(fs), v)
	}
	amd, err := Inspect(build(t, "darwin-amd64"))
	if err != nil {
		t.Fatal(err)
	}
	if amd.MachO.CodeSignature {
		t.Error("darwin/amd64 internal link is not signed by Go 1.26")
	}
	if fs, _ := CheckTarget(amd, target.Target{GOOS: "darwin", GOARCH: "amd64"}); len(fs) != 0 {
		t.Errorf("unsigned amd64 needs no signature: %v", rulesOf(fs))
	}
}

// hostOnly skips tests that run binaries built for linux/amd64.
func hostOnly(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("runs linux/amd64 binaries")
	}
}

// runs executes a binary and reports whether it exited 0, with its output.
func runs(t *testing.T, path string, env ...string) (bool, string) {
	t.Helper()
	cmd := exec.Command(path)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return err == nil, string(out)
}

// TestHostCPULevel builds GOAMD64=v1..v4 and checks the verdict against
// what the Go runtime's own startup check decides on this CPU.
func TestHostCPULevel(t *testing.T) {
	hostOnly(t)
	t.Parallel()
	h := DetectHost(nil)
	if h.Target.Variant == "" {
		t.Skip("no /proc/cpuinfo flags")
	}
	for _, level := range []string{"v1", "v2", "v3", "v4"} {
		t.Run(level, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "hello-"+level)
			if err := writeModules(); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("go", "build", "-o", out, ".")
			cmd.Dir = src("hello")
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOAMD64="+level, "GOFLAGS=-buildvcs=false", "GOTOOLCHAIN=local")
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%v\n%s", err, b)
			}
			f, err := Inspect(out)
			if err != nil {
				t.Fatal(err)
			}
			fs, v := CheckHost(f, h)
			ran, output := runs(t, out)
			if v.Runs != ran {
				t.Errorf("verdict on %s: %+v (%v), but running it: ok=%v %q", h.Target, v, rulesOf(fs), ran, output)
			}
			if !ran && !strings.Contains(output, "microarchitecture support") {
				t.Errorf("unexpected failure: %q", output)
			}
		})
	}
}

func TestAMD64Level(t *testing.T) {
	t.Parallel()
	v2 := "pni ssse3 cx16 sse4_1 sse4_2 popcnt lahf_lm"
	v3 := v2 + " fma movbe avx f16c abm bmi1 avx2 bmi2"
	v4 := v3 + " avx512f avx512dq avx512cd avx512bw avx512vl"
	tests := map[string]int{
		"":                                   0,
		"fpu sse sse2":                       1,
		v2:                                   2,
		strings.Replace(v2, "popcnt", "", 1): 1,
		v3:                                   3,
		strings.Replace(v3, "abm", "", 1):    2,
		v4:                                   4,
	}
	for flags, want := range tests {
		info := []byte("processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: " + flags + "\n\nprocessor\t: 1\nflags\t\t: bogus\n")
		if flags == "" {
			info = nil
		}
		if got := AMD64Level(CPUFlags(info)); got != want {
			t.Errorf("AMD64Level(%q) = %d, want %d", flags, got, want)
		}
	}
}

// TestHostLoader creates each loader failure for real — a missing
// interpreter, a missing library, a library too old for a needed symbol
// version — and checks the verdict against what happens when the binary
// is run.
func TestHostLoader(t *testing.T) {
	hostOnly(t)
	needTool(t, "gcc")
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	libc := write("foo.c", "int foo(void) { return 42; }\n")
	mainc := write("main.c", "int foo(void);\nint main(void) { return foo() == 42 ? 0 : 1; }\n")
	v1 := write("v1.map", "FOO_1.0 { global: foo; local: *; };\n")
	v2 := write("v2.map", "FOO_2.0 { global: foo; local: *; };\n")
	libdir := filepath.Join(dir, "lib")
	if err := os.Mkdir(libdir, 0o755); err != nil {
		t.Fatal(err)
	}
	lib := filepath.Join(libdir, "libfoo.so")
	buildLib := func(versionScript string) {
		cc(t, "gcc", lib, "-shared", "-fPIC", "-Wl,-soname,libfoo.so", "-Wl,--version-script="+versionScript, libc)
	}
	buildLib(v2)
	exe := filepath.Join(dir, "app")
	cc(t, "gcc", exe, mainc, "-L"+libdir, "-lfoo")

	h := DetectHost(nil)
	check := func(name string, env []string, want []string) {
		t.Helper()
		f, err := Inspect(exe)
		if err != nil {
			t.Fatal(err)
		}
		hh := *h
		hh.Environ = env
		fs, v := CheckHost(f, &hh)
		if diff := cmp.Diff(want, rulesOf(fs)); diff != "" {
			t.Errorf("%s: rules (-want +got):\n%s", name, diff)
		}
		ran, out := runs(t, exe, env...)
		if ran != v.Runs {
			t.Errorf("%s: verdict runs=%v, running it: ok=%v %q", name, v.Runs, ran, out)
		}
	}
	withPath := []string{"LD_LIBRARY_PATH=" + libdir}
	check("library not on the search path", nil, []string{RuleMissingLibrary})
	check("library on LD_LIBRARY_PATH", withPath, nil)
	buildLib(v1)
	check("library too old", withPath, []string{RuleSymbolVersion})

	// The same binary with an interpreter that does not exist: patch
	// PT_INTERP in place, keeping its length.
	b, err := os.ReadFile(build(t, "cgo"))
	if err != nil {
		t.Fatal(err)
	}
	old := []byte("/lib64/ld-linux-x86-64.so.2\x00")
	if !bytes.Contains(b, old) {
		t.Skip("host interpreter is not /lib64/ld-linux-x86-64.so.2")
	}
	b = bytes.Replace(b, old, []byte("/lib64/ld-linux-x86-64.so.9\x00"), 1)
	if err := os.WriteFile(exe, b, 0o755); err != nil {
		t.Fatal(err)
	}
	check("interpreter missing", nil, []string{RuleInterpreter})

	// Healthy: the original cgo program runs here.
	f, err := Inspect(build(t, "cgo"))
	if err != nil {
		t.Fatal(err)
	}
	if fs, v := CheckHost(f, h); len(fs) != 0 || !v.Runs {
		t.Errorf("cgo binary on its build host: %v %+v", rulesOf(fs), v)
	}
}

func TestLibraryDirs(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for name, body := range map[string]string{
		"etc/ld.so.conf":                 "# comment\ninclude /etc/ld.so.conf.d/*.conf\n/opt/first\n",
		"etc/ld.so.conf.d/a.conf":        "/usr/local/lib\n",
		"etc/ld.so.conf.d/b.conf":        "/usr/lib/x86_64-linux-gnu # trailing\n",
		"etc/ld.so.conf.d/skip.conf.bak": "/never\n",
	} {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h := &Host{Root: root, Environ: []string{"LD_LIBRARY_PATH=/env/a:/env/b"}}
	f := &Facts{Path: "/app/bin/x", Bits: 64, Linking: Linking{RPath: []string{"$ORIGIN/../lib"}}}
	want := []string{"/app/bin/../lib", "/env/a", "/env/b", "/usr/local/lib", "/usr/lib/x86_64-linux-gnu", "/opt/first", "/lib64", "/usr/lib64", "/lib", "/usr/lib"}
	if diff := cmp.Diff(want, h.libraryDirs(f)); diff != "" {
		t.Errorf("RPATH order (-want +got):\n%s", diff)
	}
	// With DT_RUNPATH, DT_RPATH is ignored and RUNPATH comes after
	// LD_LIBRARY_PATH.
	f.Linking.RunPath = []string{"${ORIGIN}/rp"}
	want = []string{"/env/a", "/env/b", "/app/bin/rp", "/usr/local/lib", "/usr/lib/x86_64-linux-gnu", "/opt/first", "/lib64", "/usr/lib64", "/lib", "/usr/lib"}
	if diff := cmp.Diff(want, h.libraryDirs(f)); diff != "" {
		t.Errorf("RUNPATH order (-want +got):\n%s", diff)
	}
}

func TestARMLevel(t *testing.T) {
	t.Parallel()
	tests := map[string]int{
		"processor\t: 0\nmodel name\t: ARMv6-compatible processor rev 7 (v6l)\nFeatures\t: half thumb fastmult vfp edsp java tls\nCPU architecture: 7\n":                                        6,
		"processor\t: 0\nmodel name\t: ARMv7 Processor rev 4 (v7l)\nFeatures\t: half thumb fastmult vfp edsp neon vfpv3 tls vfpv4 idiva idivt vfpd32 lpae evtstrm crc32\nCPU architecture: 7\n": 7,
		"processor\t: 0\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm crc32 cpuid\nCPU architecture: 8\n":                                                                                   7,
		"Processor\t: Feroceon 88FR131 rev 1 (v5l)\nCPU architecture: 5TE\n":                                                                                                                    5,
		"": 0,
	}
	for info, want := range tests {
		if got := ARMLevel([]byte(info)); got != want {
			t.Errorf("ARMLevel(%q) = %d, want %d", info, got, want)
		}
	}
}
