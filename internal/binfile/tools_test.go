package binfile

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// goFixtures are the fixtures built by the go command.
func goFixtures() []string {
	var names []string
	for name, f := range fixtures {
		if f.module != "" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// realBinaries are programs no one here wrote: the Go toolchain's own and
// common system programs and libraries, where present.
func realBinaries(t *testing.T) []string {
	t.Helper()
	out, err := goCmd(t, "env", "GOROOT", "GOHOSTOS", "GOHOSTARCH")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(out)
	goroot, tooldir := f[0], filepath.Join(f[0], "pkg", "tool", f[1]+"_"+f[2])
	paths := []string{filepath.Join(goroot, "bin", "go"), filepath.Join(goroot, "bin", "gofmt")}
	tools, _ := filepath.Glob(filepath.Join(tooldir, "*"))
	paths = append(paths, tools...)
	for _, p := range []string{"/usr/bin/ls", "/usr/bin/file", "/usr/bin/readelf", "/usr/bin/git", "/usr/bin/gcc", "/usr/bin/python3", "/usr/bin/curl", "/usr/bin/xz"} {
		if _, err := os.Stat(p); err == nil {
			paths = append(paths, p)
		}
	}
	libs, _ := filepath.Glob("/usr/lib/*-linux-gnu/libstdc++.so.6")
	for _, l := range libs {
		if r, err := filepath.EvalSymlinks(l); err == nil {
			paths = append(paths, r)
		}
	}
	return paths
}

// TestGoVersionM compares Go build information with `go version -m -json`
// on every fixture and on the Go toolchain's own binaries.
func TestGoVersionM(t *testing.T) {
	t.Parallel()
	paths := []string{build(t, "vcs-godebug")}
	for _, name := range goFixtures() {
		if !strings.HasSuffix(name, "wasm") {
			paths = append(paths, build(t, name))
		}
	}
	for _, p := range realBinaries(t) {
		if strings.Contains(p, "/go/") {
			paths = append(paths, p)
		}
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			out, err := goCmd(t, "version", "-m", "-json", p)
			if err != nil && strings.Contains(err.Error(), "not a Go executable") {
				// Agree with the go command in both directions.
				if f, err := Inspect(p); err != nil || f.Go != nil {
					t.Errorf("go version -m finds no build info; goport: %v, %v", f.Go, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var want debug.BuildInfo
			if err := json.Unmarshal([]byte(out), &want); err != nil {
				t.Fatal(err)
			}
			f, err := Inspect(p)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&want, f.Go); diff != "" {
				t.Errorf("build info differs from go version -m (-go +goport):\n%s", diff)
			}
		})
	}
}

// TestVCSAndGODEBUG checks the settings that a build in a repository with
// an old go line records, against git itself.
func TestVCSAndGODEBUG(t *testing.T) {
	t.Parallel()
	p := build(t, "vcs-godebug")
	f, err := Inspect(p)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "rev-parse", "HEAD")
	cmd.Dir = filepath.Join(fixtureDir, "src", "vcs")
	rev, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"vcs": "git", "vcs.revision": strings.TrimSpace(string(rev)), "vcs.time": "2024-01-02T03:04:05Z", "vcs.modified": "false"}
	for k, v := range want {
		if got := f.Setting(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if !strings.Contains(f.Setting("DefaultGODEBUG"), "=") {
		t.Errorf("no DefaultGODEBUG for a go 1.20 module: %q", f.Setting("DefaultGODEBUG"))
	}
}

// TestWasmBuildInfo checks that goport reads what `go version -m` cannot
// (golang/go#73741): wasm build information equals that of the same
// program built for linux, except for the target settings.
func TestWasmBuildInfo(t *testing.T) {
	t.Parallel()
	out, err := goCmd(t, "version", "-m", "-json", build(t, "linux-amd64"))
	if err != nil {
		t.Fatal(err)
	}
	var linux debug.BuildInfo
	if err := json.Unmarshal([]byte(out), &linux); err != nil {
		t.Fatal(err)
	}
	if _, err := goCmd(t, "version", "-m", build(t, "js-wasm")); err == nil {
		t.Log("go version -m now reads wasm; goport's own reader is still checked")
	}
	for _, name := range []string{"js-wasm", "wasip1-wasm"} {
		f, err := Inspect(build(t, name))
		if err != nil {
			t.Fatal(err)
		}
		goos := strings.TrimSuffix(name, "-wasm")
		want := linux
		want.Settings = nil
		for _, s := range linux.Settings {
			switch s.Key {
			case "GOAMD64":
				continue
			case "GOOS":
				s.Value = goos
			case "GOARCH":
				s.Value = "wasm"
			}
			want.Settings = append(want.Settings, s)
		}
		if diff := cmp.Diff(&want, f.Go); diff != "" {
			t.Errorf("%s build info (-want +got):\n%s", name, diff)
		}
	}
}

// TestGoToolBuildID compares the Go build ID with `go tool buildid` for
// every format, stripped and section-header-less files included.
func TestGoToolBuildID(t *testing.T) {
	t.Parallel()
	names := append(goFixtures(), "fat", "linux-amd64-noshdr", "cgo-noshdr")
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			p := build(t, name)
			out, err := goCmd(t, "tool", "buildid", p)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Inspect(p)
			if err != nil {
				t.Fatal(err)
			}
			if want := strings.TrimSpace(out); f.GoBuildID != want || want == "" {
				t.Errorf("build ID %q, go tool buildid says %q", f.GoBuildID, want)
			}
		})
	}
}

// readelfFacts is what `readelf -W -l -d -n -V` says about a file.
type readelfFacts struct {
	Interp     string
	Needed     []string
	SONAME     string
	RPath      []string
	RunPath    []string
	GNUBuildID string
	Needs      []VersionNeed
	PIE        bool
	RELRO      string
	NXStack    bool
	Flags      string
}

var (
	reInterp  = regexp.MustCompile(`\[Requesting program interpreter: (.*)\]`)
	reDynStr  = regexp.MustCompile(`\((NEEDED|SONAME|RPATH|RUNPATH)\)\s+.*: \[(.*)\]$`)
	reBuildID = regexp.MustCompile(`Build ID: ([0-9a-f]+)`)
	reVerFile = regexp.MustCompile(`^\s+0x?[0-9a-f]+: Version: \d+\s+File: (\S+)\s+Cnt: \d+`)
	reFileABI = regexp.MustCompile(`for GNU/Linux ([0-9.]+)`)
	reVerName = regexp.MustCompile(`^\s+0x[0-9a-f]+:\s+Name: (\S+)\s+Flags:`)
)

func readelf(t *testing.T, path string) readelfFacts {
	t.Helper()
	out, err := exec.Command("readelf", "-W", "-h", "-l", "-d", "-n", "-V", path).Output()
	if err != nil {
		t.Fatalf("readelf %s: %v", path, err)
	}
	var r readelfFacts
	inVerneed := false
	var dyn, pieType, relro, bindNow, stack, stackX bool
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "Version needs section") {
			inVerneed = true
		} else if strings.HasPrefix(line, "Version ") || strings.HasPrefix(line, "Displaying") {
			inVerneed = false
		}
		if m := reInterp.FindStringSubmatch(line); m != nil {
			r.Interp = m[1]
		}
		f := strings.Fields(line)
		switch {
		case strings.HasPrefix(strings.TrimSpace(line), "Flags:") && len(f) >= 2:
			r.Flags = strings.TrimSuffix(f[1], ",")
		case strings.HasPrefix(strings.TrimSpace(line), "Type:"):
			dyn = strings.Contains(line, "DYN")
			pieType = strings.Contains(line, "Position-Independent")
		case len(f) > 0 && f[0] == "GNU_RELRO":
			relro = true
		case len(f) > 0 && f[0] == "GNU_STACK":
			stack = true
			stackX = strings.Contains(strings.Join(f[6:len(f)-1], ""), "E")
		case strings.Contains(line, "(BIND_NOW)"),
			strings.Contains(line, "(FLAGS)") && strings.Contains(line, "BIND_NOW"),
			strings.Contains(line, "(FLAGS_1)") && slices.Contains(f, "NOW"):
			bindNow = true
		}
		if m := reDynStr.FindStringSubmatch(line); m != nil {
			switch m[1] {
			case "NEEDED":
				r.Needed = append(r.Needed, m[2])
			case "SONAME":
				r.SONAME = m[2]
			case "RPATH":
				r.RPath = strings.Split(m[2], ":")
			case "RUNPATH":
				r.RunPath = strings.Split(m[2], ":")
			}
		}
		if m := reBuildID.FindStringSubmatch(line); m != nil && r.GNUBuildID == "" {
			r.GNUBuildID = m[1]
		}
		if inVerneed {
			if m := reVerFile.FindStringSubmatch(line); m != nil {
				r.Needs = append(r.Needs, VersionNeed{Library: m[1]})
			} else if m := reVerName.FindStringSubmatch(line); m != nil && len(r.Needs) > 0 {
				n := &r.Needs[len(r.Needs)-1]
				n.Versions = append(n.Versions, m[1])
			}
		}
	}
	r.PIE = pieType || (dyn && r.Interp != "")
	r.NXStack = stack && !stackX
	switch {
	case relro && bindNow:
		r.RELRO = "full"
	case relro:
		r.RELRO = "partial"
	default:
		r.RELRO = "none"
	}
	return r
}

// TestReadelf compares interpreter, dynamic entries, GNU build ID,
// version needs and hardening (PIE, RELRO as GNU_RELRO plus immediate
// binding, NX stack) with GNU readelf on fixtures and system binaries.
func TestReadelf(t *testing.T) {
	needTool(t, "readelf")
	if runtime.GOOS != "linux" {
		t.Skip("system binaries are ELF on Linux only")
	}
	t.Parallel()
	var paths []string
	for _, name := range goFixtures() {
		if strings.HasPrefix(name, "linux-") || strings.HasPrefix(name, "c") || strings.HasPrefix(name, "freebsd") ||
			strings.HasPrefix(name, "openbsd") || strings.HasPrefix(name, "netbsd") || strings.HasPrefix(name, "solaris") {
			paths = append(paths, build(t, name))
		}
	}
	for _, name := range []string{"c-hardened", "c-relr", "c-static-pie", "cpp-shared", "c-norelro-execstack"} {
		paths = append(paths, build(t, name))
	}
	paths = append(paths, realBinaries(t)...)
	// Separate debug-info files keep program headers whose data is gone.
	debugFiles, _ := filepath.Glob("/usr/lib/debug/.build-id/*/*.debug")
	paths = append(paths, debugFiles[:min(len(debugFiles), 5)]...)
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			t.Parallel()
			want := readelf(t, p)
			f, err := Inspect(p)
			if err != nil {
				t.Fatal(err)
			}
			got := readelfFacts{
				Interp: f.Linking.Interpreter, Needed: f.Linking.Needed, SONAME: f.Linking.SONAME,
				RPath: f.Linking.RPath, RunPath: f.Linking.RunPath, GNUBuildID: f.GNUBuildID,
				PIE: f.Hardening.PIE, RELRO: f.Hardening.RELRO, NXStack: f.Hardening.NXStack,
				Flags: fmt.Sprintf("%#x", f.ELF.Flags),
			}
			if f.GLIBC != nil {
				got.Needs = f.GLIBC.Needs
			}
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("differs from readelf (-readelf +goport):\n%s", diff)
			}
		})
	}
}

// TestSectionHeadersRemoved checks that a file without section headers
// reports the same libraries and version needs as the original, which
// readelf -V and debug/elf's DynamicVersionNeeds cannot.
func TestSectionHeadersRemoved(t *testing.T) {
	t.Parallel()
	orig, err := Inspect(build(t, "cgo"))
	if err != nil {
		t.Fatal(err)
	}
	bare, err := Inspect(build(t, "cgo-noshdr"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(orig.Linking, bare.Linking); diff != "" {
		t.Errorf("linking (-original +stripped headers):\n%s", diff)
	}
	if diff := cmp.Diff(orig.GLIBC, bare.GLIBC); diff != "" {
		t.Errorf("version needs (-original +stripped headers):\n%s", diff)
	}
	if diff := cmp.Diff(orig.Hardening, bare.Hardening); diff != "" {
		t.Errorf("hardening (-original +stripped headers):\n%s", diff)
	}
}

// TestFileCommand compares kind, linking and stripped status with file(1)
// on ELF files.
func TestFileCommand(t *testing.T) {
	needTool(t, "file")
	if runtime.GOOS != "linux" {
		t.Skip("system binaries are ELF on Linux only")
	}
	t.Parallel()
	var paths []string
	for _, name := range goFixtures() {
		if strings.HasPrefix(name, "linux-") || strings.HasPrefix(name, "c") {
			paths = append(paths, build(t, name))
		}
	}
	for _, name := range []string{"c-hardened", "c-static-pie", "cpp-shared", "c-norelro-execstack"} {
		paths = append(paths, build(t, name))
	}
	paths = append(paths, realBinaries(t)...)
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			t.Parallel()
			out, err := exec.Command("file", "-b", "-L", p).Output()
			if err != nil {
				t.Fatal(err)
			}
			desc := string(out)
			f, err := Inspect(p)
			if err != nil {
				t.Fatal(err)
			}
			linking := map[string]string{Static: "statically linked", Dynamic: "dynamically linked", StaticPIE: "static-pie linked"}[f.Linking.Mode]
			if !strings.Contains(desc, linking) {
				t.Errorf("linking %s, file says %q", f.Linking.Mode, desc)
			}
			if !strings.Contains(desc, " "+f.Kind+",") {
				t.Errorf("kind %q, file says %q", f.Kind, desc)
			}
			if strings.Contains(desc, "not stripped") != f.Stripped.Symbols {
				t.Errorf("symbols %v, file says %q", f.Stripped.Symbols, desc)
			}
			if strings.Contains(desc, "with debug_info") != f.Stripped.DWARF {
				t.Errorf("DWARF %v, file says %q", f.Stripped.DWARF, desc)
			}
			if m := reFileABI.FindStringSubmatch(desc); m != nil && f.ELF.ABITag != "Linux "+m[1] {
				t.Errorf("ABI tag %q, file says %q", f.ELF.ABITag, m[0])
			}
		})
	}
}
