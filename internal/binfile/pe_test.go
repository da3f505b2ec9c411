package binfile

import (
	"bufio"
	"debug/pe"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var (
	reDLLName   = regexp.MustCompile(`^\s+DLL Name: (\S+)`)
	reExportRow = regexp.MustCompile(`^\s+\[\s*\d+\] (\S+)$`)
)

// objdumpPE returns the imported DLLs and exported names that MinGW's
// objdump -p prints.
func objdumpPE(t *testing.T, path string) (dlls, exports []string) {
	t.Helper()
	objdump := needTool(t, "x86_64-w64-mingw32-objdump")
	out, err := exec.Command(objdump, "-p", path).Output()
	if err != nil {
		t.Skipf("objdump -p %s: %v (not an x86 file?)", path, err)
	}
	inNames := false
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		line := sc.Text()
		if m := reDLLName.FindStringSubmatch(line); m != nil {
			dlls = append(dlls, m[1])
		}
		switch {
		case strings.HasPrefix(line, "[Ordinal/Name Pointer] Table"):
			inNames = true
		case inNames && strings.TrimSpace(line) == "":
			inNames = false
		case inNames:
			if m := reExportRow.FindStringSubmatch(line); m != nil {
				exports = append(exports, m[1])
			}
		}
	}
	return dlls, exports
}

// TestPEAgainstObjdump compares imported DLLs and exports with MinGW
// objdump on MinGW-built and Go-built files, and on the real MinGW
// binaries in the Go source tree. Go-built files are the -s -w ones:
// objdump maps the import directory into Go's unloaded .zdebug_info
// section, whose addresses overlap .idata, and prints garbage;
// TestPEImportsAgainstDebugPE covers those.
func TestPEAgainstObjdump(t *testing.T) {
	needTool(t, "x86_64-w64-mingw32-gcc")
	t.Parallel()
	paths := []string{build(t, "mingw.exe"), build(t, "mingw.dll"), build(t, "windows-c-shared.dll"), build(t, "windows-amd64-sw")}
	goroot, err := goCmd(t, "env", "GOROOT")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"gcc-amd64-mingw-exec", "gcc-386-mingw-exec", "gcc-386-mingw-no-symbols-exec"} {
		p := filepath.Join(strings.TrimSpace(goroot), "src", "debug", "pe", "testdata", name)
		if _, err := os.Stat(p); err == nil {
			paths = append(paths, p)
		}
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			t.Parallel()
			wantDLLs, wantExports := objdumpPE(t, p)
			f, err := InspectWith(p, Options{Symbols: true})
			if err != nil {
				t.Fatal(err)
			}
			var exports []string
			for _, s := range f.Exports {
				exports = append(exports, s.Name)
			}
			if diff := cmp.Diff(wantDLLs, f.Linking.Needed, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("imported DLLs (-objdump +goport):\n%s", diff)
			}
			if diff := cmp.Diff(wantExports, exports, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("exports (-objdump +goport):\n%s", diff)
			}
		})
	}
}

// TestPEImportsAgainstDebugPE checks the DLLs that goport reads from the
// import directory against the libraries named by debug/pe's
// ImportedSymbols ("symbol:dll"), for every Go-built PE fixture.
func TestPEImportsAgainstDebugPE(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"windows-amd64", "windows-386", "windows-arm64", "windows-amd64-sw"} {
		p := build(t, name)
		pf, err := pe.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		syms, err := pf.ImportedSymbols()
		pf.Close()
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, s := range syms {
			_, dll, _ := strings.Cut(s, ":")
			if !slices.Contains(want, dll) {
				want = append(want, dll)
			}
		}
		f, err := Inspect(p)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, f.Linking.Needed); diff != "" || len(want) == 0 {
			t.Errorf("%s: DLLs (-debug/pe +goport):\n%s", name, diff)
		}
	}
}

func TestPEExports(t *testing.T) {
	needTool(t, "x86_64-w64-mingw32-gcc")
	t.Parallel()
	f, err := InspectWith(build(t, "mingw.dll"), Options{Symbols: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []Symbol{{Name: "counter", Type: "object"}, {Name: "foo", Type: "func"}}
	if diff := cmp.Diff(want, f.Exports); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if f.Kind != "dll" {
		t.Errorf("kind %q, want dll", f.Kind)
	}
	g, err := InspectWith(build(t, "windows-c-shared.dll"), Options{Symbols: true})
	if err != nil {
		t.Fatal(err)
	}
	var user []string
	for _, s := range g.Exports {
		if !s.Cgo {
			user = append(user, s.Name)
		}
	}
	if diff := cmp.Diff([]string{"GoAdd"}, user); diff != "" {
		t.Errorf("user exports of a windows c-shared DLL (-want +got):\n%s", diff)
	}
	if g.Kind != "dll" || g.Setting("-buildmode") != "c-shared" || g.Setting("CGO_ENABLED") != "1" {
		t.Errorf("kind %q, build settings %v", g.Kind, g.Go.Settings)
	}
}

// TestGoSourceTestdata inspects the real third-party binaries that the Go
// source tree keeps as debug/* test inputs: a lipo-made universal file, a
// clang binary with an rpath, a Mach-O with a corrupt dynamic symbol
// table, and ELF files from FreeBSD and a C++ library.
func TestGoSourceTestdata(t *testing.T) {
	t.Parallel()
	goroot, err := goCmd(t, "env", "GOROOT")
	if err != nil {
		t.Fatal(err)
	}
	td := func(pkg, name string) string {
		return filepath.Join(strings.TrimSpace(goroot), "src", "debug", pkg, "testdata", name)
	}
	// Mach-O inputs are stored base64-encoded.
	decode := func(t *testing.T, path string) string {
		b, err := os.ReadFile(path + ".base64")
		if err != nil {
			t.Skip(err)
		}
		raw, err := base64.StdEncoding.DecodeString(string(b))
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.TempDir(), filepath.Base(path))
		if err := os.WriteFile(out, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		return out
	}
	tests := []struct {
		name  string
		path  func(t *testing.T) string
		check func(t *testing.T, f *Facts, err error)
	}{
		{"fat", func(t *testing.T) string { return decode(t, td("macho", "fat-gcc-386-amd64-darwin-exec")) }, func(t *testing.T, f *Facts, err error) {
			if err != nil {
				t.Fatal(err)
			}
			if f.Format != MachOFat || len(f.Slices) != 2 || f.Slices[0].GOARCH != "386" || f.Slices[1].GOARCH != "amd64" || f.Slices[0].Bits != 32 {
				t.Errorf("format %s, %d slices: %+v", f.Format, len(f.Slices), f.Slices)
			}
		}},
		{"rpath", func(t *testing.T) string { return decode(t, td("macho", "clang-amd64-darwin-exec-with-rpath")) }, func(t *testing.T, f *Facts, err error) {
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"/my/rpath"}, f.Linking.RPath); diff != "" {
				t.Errorf("rpath (-want +got):\n%s", diff)
			}
			if f.Go != nil || f.GOARCH != "amd64" || f.MachO.MinOS == "" {
				t.Errorf("go %v goarch %s min os %q", f.Go != nil, f.GOARCH, f.MachO.MinOS)
			}
		}},
		{"bad dysym", func(t *testing.T) string { return decode(t, td("macho", "gcc-amd64-darwin-exec-with-bad-dysym")) }, func(t *testing.T, f *Facts, err error) {
			if err == nil || !strings.Contains(err.Error(), "malformed") || strings.Contains(err.Error(), "\n") {
				t.Errorf("facts %v, error %v; want one line, malformed", f != nil, err)
			}
		}},
		{"freebsd 386", func(t *testing.T) string { return td("elf", "gcc-386-freebsd-exec") }, func(t *testing.T, f *Facts, err error) {
			if err != nil {
				t.Fatal(err)
			}
			if f.Target.String() != "freebsd/386" || f.Linking.Interpreter != "/libexec/ld-elf.so.1" || f.Go != nil {
				t.Errorf("target %s interp %q", f.Target, f.Linking.Interpreter)
			}
		}},
		{"riscv64", func(t *testing.T) string { return td("elf", "gcc-riscv64-linux-exec") }, func(t *testing.T, f *Facts, err error) {
			if err != nil {
				t.Fatal(err)
			}
			if f.Target.String() != "linux/riscv64" || !strings.Contains(f.Linking.Interpreter, "ld-linux-riscv64") {
				t.Errorf("target %s interp %q", f.Target, f.Linking.Interpreter)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := tt.path(t)
			if _, err := os.Stat(p); err != nil {
				t.Skip(err)
			}
			f, err := Inspect(p)
			tt.check(t, f, err)
		})
	}
}
