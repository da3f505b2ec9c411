package cross

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/target"
)

func TestParseTriplet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in           string
		goos, goarch string
		ok           bool
	}{
		{"x86_64-linux-gnu", "linux", "amd64", true},
		{"x86_64-pc-linux-gnu", "linux", "amd64", true},
		{"aarch64-linux-gnu", "linux", "arm64", true},
		{"aarch64-unknown-linux-musl", "linux", "arm64", true},
		{"arm-linux-gnueabihf", "linux", "arm", true},
		{"armv7l-unknown-linux-gnueabihf", "linux", "arm", true},
		{"i686-linux-gnu", "linux", "386", true},
		{"riscv64-linux-gnu", "linux", "riscv64", true},
		{"powerpc64le-linux-gnu", "linux", "ppc64le", true},
		{"mips64el-linux-gnuabi64", "linux", "mips64le", true},
		{"x86_64-w64-mingw32", "windows", "amd64", true},
		{"i686-w64-mingw32", "windows", "386", true},
		{"arm64-apple-darwin23.4.0", "darwin", "arm64", true},
		{"x86_64-apple-darwin", "darwin", "amd64", true},
		{"x86_64-unknown-freebsd14.0", "freebsd", "amd64", true},
		{"aarch64-linux-android21", "android", "arm64", true},
		{"wasm32-wasi", "wasip1", "wasm", true},
		{"armeb-linux-gnueabi", "", "", false},
		{"sparc64-linux-gnu", "", "", false},
		{"x86_64", "", "", false},
		{"", "", "", false},
		{"x86_64-plan42", "", "", false},
	}
	for _, tt := range tests {
		goos, goarch, ok := ParseTriplet(tt.in)
		if goos != tt.goos || goarch != tt.goarch || ok != tt.ok {
			t.Errorf("ParseTriplet(%q) = %q, %q, %v; want %q, %q, %v", tt.in, goos, goarch, ok, tt.goos, tt.goarch, tt.ok)
		}
	}
}

func FuzzParseTriplet(f *testing.F) {
	for _, s := range []string{"x86_64-linux-gnu", "arm64-apple-darwin23", "-", "\xff-\xfe", strings.Repeat("a-", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		goos, goarch, ok := ParseTriplet(s)
		if ok != (goos != "" && goarch != "") {
			t.Fatalf("ParseTriplet(%q) = %q, %q, %v", s, goos, goarch, ok)
		}
	})
}

// TestSupportedModesMatchToolchain asks the installed go command whether
// it accepts each build mode for a spread of targets and compares with the
// embedded tables.
func TestSupportedModesMatchToolchain(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeModule(t, dir, "package main\n\nfunc main() {}\n")
	targets := []string{"linux/amd64", "linux/386", "linux/arm", "linux/mips", "linux/ppc64", "windows/amd64",
		"windows/arm64", "darwin/arm64", "freebsd/amd64", "openbsd/amd64", "js/wasm", "wasip1/wasm"}
	for _, ts := range targets {
		goos, goarch, _ := strings.Cut(ts, "/")
		for _, mode := range BuildModes {
			args := []string{"build", "-n", "-o", os.DevNull}
			if mode == "race" {
				args = append(args, "-race")
			} else {
				args = append(args, "-buildmode="+mode)
			}
			cmd := exec.Command("go", append(args, ".")...)
			cmd.Dir = dir
			// cgo on, so that modes which need external linking are
			// judged on platform support alone.
			cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=1", "GOFLAGS=")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			_ = cmd.Run()
			rejected := strings.Contains(stderr.String(), "not supported on")
			if got := modeSupported(mode, goos, goarch); got == rejected {
				t.Errorf("%s %s: table says supported=%v, go build says %q", ts, mode, got, firstLine(stderr.String()))
			}
		}
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func writeModule(t *testing.T, dir, main string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/m\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
}

func loadEnv(t *testing.T, environ []string) *goenv.Env {
	t.Helper()
	e, err := goenv.Load(context.Background(), t.TempDir(), environ)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// fakeCompiler writes an executable script that answers -dumpmachine with
// triplet: it stands for a wrongly configured or mislabelled compiler.
func fakeCompiler(t *testing.T, dir, name, triplet string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("shell-script compilers need a POSIX shell")
	}
	script := "#!/bin/sh\necho " + triplet + "\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestCompilerHostCC(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no gcc on PATH: install build-essential")
	}
	environ := os.Environ()
	inv := Discover(context.Background(), Options{Environ: environ, GoEnv: loadEnv(t, environ), Host: goenv.DetectHost()})
	host := target.Target{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH}
	c := inv.Compiler(host)
	if c == nil {
		t.Fatalf("no C compiler for the host %s although gcc is installed", host)
	}
	if goos, goarch, _ := ParseTriplet(c.Triplet); goos != host.GOOS || goarch != host.GOARCH {
		t.Errorf("host compiler %q reports %q", c.CC, c.Triplet)
	}
}

func TestCompilerRealCross(t *testing.T) {
	t.Parallel()
	environ := os.Environ()
	inv := Discover(context.Background(), Options{Environ: environ, GoEnv: loadEnv(t, environ), Host: goenv.DetectHost()})
	for _, tc := range []struct{ target, gcc string }{
		{"linux/arm64", "aarch64-linux-gnu-gcc"},
		{"windows/amd64", "x86_64-w64-mingw32-gcc"},
	} {
		t.Run(tc.target, func(t *testing.T) {
			if _, err := exec.LookPath(tc.gcc); err != nil {
				tg, _ := target.Parse(tc.target)
				t.Skipf("%s not installed (%s)", tc.gcc, MissingCompilerHint(tg))
			}
			tg, _ := target.Parse(tc.target)
			c := inv.Compiler(tg)
			if c == nil || c.CC != tc.gcc || c.Source != "PATH" {
				t.Fatalf("Compiler(%s) = %+v, want %s from PATH", tg, c, tc.gcc)
			}
		})
	}
}

// TestCompilerChecksDumpmachine: a compiler named like a cross compiler
// that targets something else is not used, and CC that really targets the
// target wins over names on PATH.
func TestCompilerChecksDumpmachine(t *testing.T) {
	t.Parallel()
	bin := t.TempDir()
	fakeCompiler(t, bin, "aarch64-linux-gnu-gcc", "x86_64-linux-gnu")
	fakeCompiler(t, bin, "riscv64-linux-gnu-gcc", "riscv64-unknown-linux-gnu")
	fakeCompiler(t, bin, "my-cc", "x86_64-w64-mingw32")
	environ := []string{"PATH=" + bin}
	goEnv := &goenv.Env{Vars: map[string]string{"CC": "gcc"}}
	inv := Discover(context.Background(), Options{Environ: environ, GoEnv: goEnv, Host: goenv.Host{GOOS: "linux", GOARCH: "amd64"}})
	if c := inv.Compiler(target.Target{GOOS: "linux", GOARCH: "arm64"}); c != nil {
		t.Errorf("used %+v for linux/arm64 though it targets x86_64", c)
	}
	c := inv.Compiler(target.Target{GOOS: "linux", GOARCH: "riscv64"})
	want := &Compiler{CC: "riscv64-linux-gnu-gcc", Triplet: "riscv64-unknown-linux-gnu", Source: "PATH"}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("riscv64 (-want +got):\n%s", diff)
	}
	inv = Discover(context.Background(), Options{Environ: append(environ, "CC=my-cc"), GoEnv: goEnv})
	c = inv.Compiler(target.Target{GOOS: "windows", GOARCH: "amd64"})
	want = &Compiler{CC: "my-cc", Triplet: "x86_64-w64-mingw32", Source: "CC"}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("CC (-want +got):\n%s", diff)
	}
	if c := inv.Compiler(target.Target{GOOS: "linux", GOARCH: "s390x"}); c != nil {
		t.Errorf("found %+v for linux/s390x on an empty PATH", c)
	}
}

func TestRunners(t *testing.T) {
	t.Parallel()
	environ := os.Environ()
	goEnv := loadEnv(t, environ)
	inv := Discover(context.Background(), Options{Environ: environ, GoEnv: goEnv, Host: goenv.Host{GOOS: "linux", GOARCH: "amd64"}})
	tests := []struct {
		target, kind, tool string
	}{
		{"linux/amd64", "native", ""},
		{"linux/386", "native", ""},
		{"linux/arm64", "qemu-user", "qemu-aarch64"},
		{"windows/amd64", "wine", "wine"},
		{"js/wasm", "node", "node"},
		{"darwin/arm64", "", ""},
	}
	for _, tt := range tests {
		tg, _ := target.Parse(tt.target)
		r := inv.Runner(tg)
		if tt.tool != "" {
			if _, err := exec.LookPath(tt.tool); err != nil {
				if r != nil && r.Kind == tt.kind {
					t.Errorf("%s: runner %+v though %s is not installed", tt.target, r, tt.tool)
				}
				continue
			}
		}
		if tt.kind == "wine" && r == nil && strings.Contains(inv.RunnerHint(tg), "older than Wine 8.13") {
			t.Logf("%s: %s", tt.target, inv.RunnerHint(tg))
			continue
		}
		switch {
		case tt.kind == "" && r != nil:
			t.Errorf("%s: runner %+v, want none", tt.target, r)
		case tt.kind != "" && (r == nil || r.Kind != tt.kind):
			t.Errorf("%s: runner %+v, want %s", tt.target, r, tt.kind)
		}
	}
	if WasmExecNode(goEnv.Get("GOROOT")) == "" {
		t.Errorf("no wasm_exec_node.js under %s", goEnv.Get("GOROOT"))
	}
}

// TestRunnersExecute builds a tiny program for each target whose runner is
// installed and runs it, so a wrong runner command line fails here.
func TestRunnersExecute(t *testing.T) {
	t.Parallel()
	environ := os.Environ()
	goEnv := loadEnv(t, environ)
	inv := Discover(context.Background(), Options{Environ: environ, GoEnv: goEnv, Host: goenv.DetectHost()})
	dir := t.TempDir()
	writeModule(t, dir, "package main\n\nimport (\"fmt\"; \"os\"; \"runtime\")\n\nfunc main() { fmt.Println(runtime.GOOS, runtime.GOARCH, os.Args[1]) }\n")
	for _, ts := range []string{runtime.GOOS + "/" + runtime.GOARCH, "linux/arm64", "js/wasm", "windows/amd64"} {
		t.Run(strings.ReplaceAll(ts, "/", "_"), func(t *testing.T) {
			tg, _ := target.Parse(ts)
			r := inv.Runner(tg)
			if r == nil {
				t.Skipf("no runner for %s on this host (qemu-user, wine or node not installed)", ts)
			}
			bin := filepath.Join(t.TempDir(), "hello"+tg.ExeSuffix())
			build := exec.Command("go", "build", "-o", bin, ".")
			build.Dir = dir
			build.Env = append(append(os.Environ(), tg.Env()...), "CGO_ENABLED=0")
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("go build: %v\n%s", err, out)
			}
			argv := r.Command(bin, []string{"arg1"})
			run := exec.Command(argv[0], argv[1:]...)
			run.Env = append(os.Environ(), r.Env...)
			out, err := run.Output()
			if err != nil {
				t.Fatalf("%v: %v", argv, err)
			}
			if want := tg.GOOS + " " + tg.GOARCH + " arg1"; strings.TrimSpace(string(out)) != want {
				t.Errorf("output %q, want %q", out, want)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	t.Parallel()
	environ := os.Environ()
	ports, err := goenv.DistList(context.Background(), environ)
	if err != nil {
		t.Fatal(err)
	}
	inv := Discover(context.Background(), Options{Environ: environ, GoEnv: loadEnv(t, environ), Host: goenv.DetectHost()})
	infos := inv.Describe(ports)
	if len(infos) != len(ports) {
		t.Fatalf("%d infos for %d ports", len(infos), len(ports))
	}
	for _, in := range infos {
		if !in.CgoSupported && in.Compiler != nil {
			t.Errorf("%s: compiler %+v for a port without cgo", in.Target, in.Compiler)
		}
		if in.CgoSupported && in.Compiler == nil && in.CompilerHint == "" {
			t.Errorf("%s: no compiler and no hint", in.Target)
		}
		if in.Target.GOOS == "linux" && in.Target.GOARCH == "amd64" && !strings.Contains(strings.Join(in.BuildModes, ","), "race") {
			t.Errorf("linux/amd64 modes %v lack race", in.BuildModes)
		}
	}
}

func TestWineRunsGo(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]bool{
		"wine-8.0 (Debian 8.0~repack-4)":       false,
		"wine-8.13":                            true,
		"wine-9.0 (Ubuntu 9.0~repack-4build3)": true,
		"wine-10.0-rc1":                        true,
		"wine-7.22 (Staging)":                  false,
		"":                                     false,
		"Wine 9":                               false,
	} {
		if got := wineRunsGo(v); got != want {
			t.Errorf("wineRunsGo(%q) = %v, want %v", v, got, want)
		}
	}
}

// TestMustLinkExternalMatchesToolchain builds with CGO_ENABLED=0 for
// targets on both sides of the table and compares with the go command.
func TestMustLinkExternalMatchesToolchain(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeModule(t, dir, "package main\n\nfunc main() {}\n")
	for _, ts := range []string{"ios/arm64", "ios/amd64", "android/amd64", "android/arm", "android/arm64", "linux/arm64", "darwin/amd64", "windows/arm64", "windows/386"} {
		goos, goarch, _ := strings.Cut(ts, "/")
		cmd := exec.Command("go", "build", "-n", "-o", os.DevNull, ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0", "GOFLAGS=")
		out, _ := cmd.CombinedOutput()
		rejected := strings.Contains(string(out), "requires external (cgo) linking")
		if got := MustLinkExternal(goos, goarch); got != rejected {
			t.Errorf("%s: MustLinkExternal = %v, go build says %q", ts, got, firstLine(string(out)))
		}
	}
}
