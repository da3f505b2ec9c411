package binfile

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// summary is the subset of Facts that the fixture table asserts; build
// IDs and Go build information are compared against the go command in
// tools_test.go.
type summary struct {
	Format     Format
	Kind       string
	GOOS       string
	GOARCH     string
	Bits       int
	Endianness string
	Target     string
	Go         bool
	Linking    string
	Interp     string
	Needed     []string
	Stripped   Stripped
	PIE        bool
	RELRO      string
	NXStack    bool
	MinGLIBC   string
}

func summarize(f *Facts) summary {
	s := summary{
		Format: f.Format, Kind: f.Kind, GOOS: f.GOOS, GOARCH: f.GOARCH, Bits: f.Bits, Endianness: f.Endianness,
		Go: f.Go != nil, Linking: f.Linking.Mode, Interp: f.Linking.Interpreter, Needed: f.Linking.Needed,
		Stripped: f.Stripped, PIE: f.Hardening.PIE, RELRO: f.Hardening.RELRO, NXStack: f.Hardening.NXStack,
	}
	if f.Target != nil {
		s.Target = f.Target.String()
	}
	if f.GLIBC != nil {
		s.MinGLIBC = f.GLIBC.Min
	}
	return s
}

var all = Stripped{Symbols: true, DWARF: true, Pclntab: true}

// staticGo is what every pure-Go Linux build has in common.
func staticGo(goarch string, bits int, endian, target string) summary {
	return summary{
		Format: ELF, Kind: "executable", GOOS: "linux", GOARCH: goarch, Bits: bits, Endianness: endian,
		Target: target, Go: true, Linking: Static, Stripped: all, RELRO: "none", NXStack: true,
	}
}

func hostInterp() string {
	if runtime.GOARCH == "amd64" {
		return "/lib64/ld-linux-x86-64.so.2"
	}
	return ""
}

func TestFixtures(t *testing.T) {
	darwin := func(goarch string) summary {
		return summary{
			Format: MachO, Kind: "executable", GOOS: "darwin", GOARCH: goarch, Bits: 64, Endianness: "little",
			Target: "darwin/" + goarch, Go: true, Linking: Dynamic, Interp: "/usr/lib/dyld",
			Needed: []string{"/usr/lib/libSystem.B.dylib", "/usr/lib/libresolv.9.dylib"}, Stripped: all, PIE: true, NXStack: true,
		}
	}
	windows := func(goarch string, bits int) summary {
		return summary{
			Format: PE, Kind: "executable", GOOS: "windows", GOARCH: goarch, Bits: bits, Endianness: "little",
			Target: "windows/" + goarch, Go: true, Linking: Dynamic, Needed: []string{"kernel32.dll"}, Stripped: all, NXStack: true,
		}
	}
	wasm := func(goos string) summary {
		return summary{
			Format: Wasm, Kind: "module", GOOS: goos, GOARCH: "wasm", Bits: 32, Endianness: "little", Target: goos + "/wasm", Go: true,
			Stripped: Stripped{Symbols: true, Pclntab: true},
		}
	}
	with := func(s summary, edit func(*summary)) summary { edit(&s); return s }
	cgo := summary{
		Format: ELF, Kind: "executable", GOOS: "linux", GOARCH: runtime.GOARCH, Bits: 64, Endianness: "little",
		Target: "linux/" + runtime.GOARCH, Go: true, Linking: Dynamic, Interp: hostInterp(), Needed: []string{"libc.so.6"},
		Stripped: all, RELRO: "partial", NXStack: true, MinGLIBC: "2.34",
	}
	tests := map[string]summary{
		"linux-amd64":    staticGo("amd64", 64, "little", "linux/amd64"),
		"linux-arm64":    staticGo("arm64", 64, "little", "linux/arm64"),
		"linux-386":      staticGo("386", 32, "little", "linux/386"),
		"linux-arm-6":    staticGo("arm", 32, "little", "linux/arm/6"),
		"linux-arm-7":    staticGo("arm", 32, "little", "linux/arm/7"),
		"linux-riscv64":  staticGo("riscv64", 64, "little", "linux/riscv64"),
		"linux-ppc64le":  staticGo("ppc64le", 64, "little", "linux/ppc64le"),
		"linux-ppc64":    staticGo("ppc64", 64, "big", "linux/ppc64"),
		"linux-s390x":    staticGo("s390x", 64, "big", "linux/s390x"),
		"linux-mips64le": staticGo("mips64le", 64, "little", "linux/mips64le"),
		"linux-mips64":   staticGo("mips64", 64, "big", "linux/mips64"),
		"linux-mips":     staticGo("mips", 32, "big", "linux/mips"),
		"linux-mipsle":   staticGo("mipsle", 32, "little", "linux/mipsle"),
		"linux-loong64":  staticGo("loong64", 64, "little", "linux/loong64"),
		"linux-amd64-v3": staticGo("amd64", 64, "little", "linux/amd64/v3"),
		"linux-amd64-sw": with(staticGo("amd64", 64, "little", "linux/amd64"), func(s *summary) {
			s.Stripped = Stripped{Pclntab: true}
		}),
		"linux-amd64-trimpath": staticGo("amd64", 64, "little", "linux/amd64"),
		"linux-amd64-pie": with(staticGo("amd64", 64, "little", "linux/amd64"), func(s *summary) {
			s.Kind, s.Linking, s.Interp, s.PIE, s.RELRO = "pie executable", Dynamic, "/lib64/ld-linux-x86-64.so.2", true, "partial"
		}),
		"linux-amd64-pie-bindnow": with(staticGo("amd64", 64, "little", "linux/amd64"), func(s *summary) {
			s.Kind, s.Linking, s.Interp, s.PIE, s.RELRO = "pie executable", Dynamic, "/lib64/ld-linux-x86-64.so.2", true, "full"
		}),
		"linux-amd64-noshdr": with(staticGo("amd64", 64, "little", "linux/amd64"), func(s *summary) {
			s.Stripped = Stripped{Pclntab: true}
		}),
		"freebsd-amd64": with(staticGo("amd64", 64, "little", "freebsd/amd64"), func(s *summary) { s.GOOS = "freebsd" }),
		"darwin-amd64":  darwin("amd64"),
		"darwin-arm64":  darwin("arm64"),
		"darwin-arm64-sw": with(darwin("arm64"), func(s *summary) {
			s.Stripped = Stripped{Pclntab: true}
		}),
		"darwin-amd64-sw": with(darwin("amd64"), func(s *summary) {
			s.Stripped = Stripped{Pclntab: true}
		}),
		"windows-amd64": windows("amd64", 64),
		"windows-arm64": windows("arm64", 64),
		"windows-386":   windows("386", 32),
		"windows-amd64-sw": with(windows("amd64", 64), func(s *summary) {
			s.Stripped = Stripped{Pclntab: true}
		}),
		"windows-386-sw": with(windows("386", 32), func(s *summary) {
			s.Stripped = Stripped{Pclntab: true}
		}),
		"windows-arm64-sw": with(windows("arm64", 64), func(s *summary) {
			s.Stripped = Stripped{Pclntab: true}
		}),
		"openbsd-arm64": with(staticGo("arm64", 64, "little", "openbsd/arm64"), func(s *summary) {
			// Go calls libc on OpenBSD, and no OpenBSD ELF has PT_GNU_STACK.
			s.GOOS, s.Linking, s.Interp, s.Needed, s.NXStack = "openbsd", Dynamic, "/usr/libexec/ld.so", []string{"libc.so", "libpthread.so"}, false
		}),
		"netbsd-amd64": with(staticGo("amd64", 64, "little", "netbsd/amd64"), func(s *summary) { s.GOOS, s.NXStack = "netbsd", false }),
		"solaris-amd64": with(staticGo("amd64", 64, "little", "solaris/amd64"), func(s *summary) {
			s.GOOS, s.Linking, s.Interp, s.Needed, s.NXStack = "solaris", Dynamic, "/lib/amd64/ld.so.1", []string{"libsendfile.so", "libsocket.so", "libc.so"}, false
		}),
		"aix-ppc64": {Format: XCOFF, Kind: "executable", GOOS: "aix", GOARCH: "ppc64", Bits: 64, Endianness: "big", Target: "aix/ppc64", Go: true,
			Stripped: Stripped{Pclntab: true}},
		"plan9-amd64": {Format: Plan9, Kind: "executable", GOOS: "plan9", GOARCH: "amd64", Bits: 64, Endianness: "little", Target: "plan9/amd64", Go: true,
			Stripped: Stripped{Symbols: true, Pclntab: true}},
		"plan9-386": {Format: Plan9, Kind: "executable", GOOS: "plan9", GOARCH: "386", Bits: 32, Endianness: "little", Target: "plan9/386",
			Stripped: Stripped{Symbols: true}}, // debug/buildinfo, and so go version -m, cannot read 32-bit Plan 9 files
		"plan9-arm": {Format: Plan9, Kind: "executable", GOOS: "plan9", GOARCH: "arm", Bits: 32, Endianness: "little", Target: "plan9/arm",
			Stripped: Stripped{Symbols: true}},
		"js-wasm":     wasm("js"),
		"wasip1-wasm": wasm("wasip1"),
		"cgo":         cgo,
		"cgo-sw":      with(cgo, func(s *summary) { s.Stripped = Stripped{Pclntab: true} }),
		"cgo-pie":     with(cgo, func(s *summary) { s.Kind, s.PIE = "pie executable", true }),
		"cgo-static": with(cgo, func(s *summary) {
			s.Linking, s.Interp, s.Needed, s.MinGLIBC = Static, "", nil, ""
		}),
		"cgo-noshdr": with(cgo, func(s *summary) { s.Stripped = Stripped{Pclntab: true} }),
		"c-shared": with(cgo, func(s *summary) {
			s.Kind, s.Interp = "shared object", ""
		}),
	}
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		for name := range tests {
			if strings.HasPrefix(name, "c") {
				delete(tests, name) // host cgo fixtures are asserted for linux/amd64 only
			}
		}
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, err := Inspect(build(t, name))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, summarize(f)); diff != "" {
				t.Errorf("facts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFatMachO(t *testing.T) {
	t.Parallel()
	f, err := Inspect(build(t, "fat"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Format != MachOFat || len(f.Slices) != 2 {
		t.Fatalf("format %s with %d slices, want macho-fat with 2", f.Format, len(f.Slices))
	}
	var targets []string
	for _, s := range f.Slices {
		targets = append(targets, s.Target.String())
		if s.Go == nil || s.GoBuildID == "" || s.UUID == "" || s.MachO.MinOS != "12.0" {
			t.Errorf("slice %s: go=%v buildid=%q uuid=%q minos=%q", s.Target, s.Go != nil, s.GoBuildID, s.UUID, s.MachO.MinOS)
		}
	}
	if diff := cmp.Diff([]string{"darwin/amd64", "darwin/arm64"}, targets); diff != "" {
		t.Errorf("slice targets (-want +got):\n%s", diff)
	}
	thin, err := Inspect(build(t, "darwin-amd64"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Slices[0].GoBuildID != thin.GoBuildID || f.GoBuildID != thin.GoBuildID {
		t.Errorf("first slice build ID %q, summary %q, want the thin file's %q", f.Slices[0].GoBuildID, f.GoBuildID, thin.GoBuildID)
	}
}

func TestMachOFacts(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"darwin-arm64", "darwin-amd64"} {
		f, err := Inspect(build(t, name))
		if err != nil {
			t.Fatal(err)
		}
		// Go 1.26's internal linker writes minos = sdk = 12.0 (cmd/link
		// macho.go) and ad-hoc signs arm64 output only.
		want := MachOFacts{Type: "MH_EXECUTE", Flags: f.MachO.Flags, Platform: "macOS", MinOS: "12.0", SDK: "12.0", CodeSignature: name == "darwin-arm64"}
		if diff := cmp.Diff(want, *f.MachO); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
		if len(f.UUID) != 36 {
			t.Errorf("%s: UUID %q", name, f.UUID)
		}
	}
}

func TestPEFacts(t *testing.T) {
	t.Parallel()
	f, err := Inspect(build(t, "windows-amd64"))
	if err != nil {
		t.Fatal(err)
	}
	want := PEFacts{Subsystem: "console", MinOS: "6.1", SubsystemVersion: "6.1", ImageBase: 0x140000000, DllCharacteristics: 0x8160}
	if diff := cmp.Diff(want, *f.PE); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	wantH := Hardening{NXStack: true, DynamicBase: true, HighEntropyVA: true}
	if diff := cmp.Diff(wantH, f.Hardening); diff != "" {
		t.Errorf("hardening (-want +got):\n%s", diff)
	}
}

func TestWasmFacts(t *testing.T) {
	t.Parallel()
	for name, mod := range map[string]string{"js-wasm": "gojs", "wasip1-wasm": "wasi_snapshot_preview1"} {
		f, err := Inspect(build(t, name))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{mod}, f.Wasm.ImportModules); diff != "" {
			t.Errorf("%s imports (-want +got):\n%s", name, diff)
		}
		if f.Wasm.CustomSections[0] != "go:buildid" {
			t.Errorf("%s: first custom section %q, want go:buildid", name, f.Wasm.CustomSections[0])
		}
		if f.Go.GoVersion != runtime.Version() && !strings.HasPrefix(runtime.Version(), "devel") {
			t.Errorf("%s: Go version %q, want %q", name, f.Go.GoVersion, runtime.Version())
		}
		if f.Go.Main.Path != "example.com/hello" || len(f.Go.Deps) != 1 || f.Go.Deps[0].Path != "example.com/dep" {
			t.Errorf("%s: build info main %q deps %v", name, f.Go.Main.Path, f.Go.Deps)
		}
	}
}

func TestELFDetails(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("host cgo fixtures are asserted on linux/amd64")
	}
	t.Parallel()
	tests := []struct {
		name  string
		check func(t *testing.T, f *Facts)
	}{
		{"c-hardened", func(t *testing.T, f *Facts) {
			if got := summarize(f); got.RELRO != "full" || !got.PIE || !got.NXStack || got.Kind != "pie executable" {
				t.Errorf("hardening %+v", f.Hardening)
			}
		}},
		{"c-norelro-execstack", func(t *testing.T, f *Facts) {
			if f.Hardening.RELRO != "none" || f.Hardening.PIE || f.Hardening.NXStack || f.Kind != "executable" {
				t.Errorf("kind %s hardening %+v", f.Kind, f.Hardening)
			}
		}},
		{"c-relr", func(t *testing.T, f *Facts) {
			// GLIBC_ABI_DT_RELR means 2.36 even when the highest numbered
			// version is older.
			if !slices.ContainsFunc(f.GLIBC.Needs, func(n VersionNeed) bool { return slices.Contains(n.Versions, "GLIBC_ABI_DT_RELR") }) {
				t.Skipf("linker did not emit GLIBC_ABI_DT_RELR: %+v", f.GLIBC.Needs)
			}
			if f.GLIBC.Min != "2.36" {
				t.Errorf("min glibc %q, want 2.36", f.GLIBC.Min)
			}
		}},
		{"c-static-pie", func(t *testing.T, f *Facts) {
			if f.Linking.Mode != StaticPIE || f.Kind != "pie executable" || f.Linking.Interpreter != "" || !f.Hardening.PIE {
				t.Errorf("linking %+v kind %s", f.Linking, f.Kind)
			}
		}},
		{"cpp-shared", func(t *testing.T, f *Facts) {
			if f.Linking.SONAME != "libgreet.so.1" || !slices.Equal(f.Linking.RunPath, []string{"/opt/x/lib"}) || f.Linking.RPath != nil {
				t.Errorf("linking %+v", f.Linking)
			}
			if f.GLIBC.Floors["GLIBCXX"] == "" {
				t.Errorf("no GLIBCXX floor in %+v", f.GLIBC)
			}
			if !slices.Contains(f.Linking.Needed, "libstdc++.so.6") {
				t.Errorf("needed %v lacks libstdc++.so.6", f.Linking.Needed)
			}
		}},
		{"cgo-noshdr", func(t *testing.T, f *Facts) {
			if f.ELF.SectionHeaders || f.GNUBuildID == "" || f.GoBuildID == "" || f.Go == nil {
				t.Errorf("section headers %v, gnu id %q, go id %q, go %v", f.ELF.SectionHeaders, f.GNUBuildID, f.GoBuildID, f.Go != nil)
			}
		}},
		{"linux-amd64", func(t *testing.T, f *Facts) {
			if len(f.GNUBuildID) != 40 || len(f.GoBuildID) != 83 {
				t.Errorf("gnu build id %q, go build id %q", f.GNUBuildID, f.GoBuildID)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := Inspect(build(t, tt.name))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, f)
		})
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	real, err := os.ReadFile(build(t, "linux-amd64"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		path    string
		wantErr string
		is      error
	}{
		{"missing", filepath.Join(dir, "nope"), "no such file", os.ErrNotExist},
		{"directory", dir, "is a directory", nil},
		{"empty", write("empty", nil), "empty file", nil},
		{"text", write("text", []byte("hello world\n")), "not an executable (text)", ErrNotExecutable},
		{"script", write("script", []byte("#!/bin/sh\necho hi\n")), "not an executable (script)", ErrNotExecutable},
		{"random", write("random", []byte{0x01, 0x02, 0x99, 0xfe, 0x00}), "not an executable", ErrNotExecutable},
		{"elf magic only", write("elf4", []byte("\x7fELF")), "malformed", ErrMalformed},
		{"truncated elf", write("trunc", real[:200]), "malformed", ErrMalformed},
		{"mz only", write("mz", []byte("MZ")), "malformed", ErrMalformed},
		{"wasm header only", write("wasm", []byte("\x00asm")), "malformed", ErrMalformed},
		{"hostile name", write("evil\ngoport: inspect: forged", []byte("text\n")), `evil\ngoport: inspect: forged": not an executable`, ErrNotExecutable},
		{"java class", write("class", []byte{0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52}), "not an executable (Java class file)", ErrNotExecutable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Inspect(tt.path)
			if err == nil {
				t.Fatalf("Inspect(%s) succeeded", tt.name)
			}
			if !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q, want one line containing %q", err, tt.wantErr)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %v", err, tt.is)
			}
		})
	}
}

func TestJSONRoundTrip(t *testing.T) {
	t.Parallel()
	f, err := Inspect(build(t, "linux-amd64"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var back Facts
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f, &back); diff != "" {
		t.Errorf("JSON round trip (-want +got):\n%s", diff)
	}
}

func TestCompareVersions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int
	}{
		{"2.3.2", "2.32", -1}, {"2.34", "2.34", 0}, {"2.36", "2.4", 1}, {"", "2.2.5", -1}, {"2.2.5", "", 1}, {"3.4.30", "3.4.9", 1},
	}
	for _, tt := range tests {
		if got := CompareVersions(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestVersionNeeds(t *testing.T) {
	t.Parallel()
	got := versionNeeds([]VersionNeed{
		{Library: "libc.so.6", Versions: []string{"GLIBC_2.2.5", "GLIBC_2.3.2", "GLIBC_PRIVATE", "GLIBC_2.32"}},
		{Library: "libstdc++.so.6", Versions: []string{"GLIBCXX_3.4.9", "GLIBCXX_3.4.30", "CXXABI_1.3"}},
		{Library: "libgcc_s.so.1", Versions: []string{"GCC_3.0", "GCC_4.2.0"}},
	})
	want := &VersionNeeds{
		Min:    "2.32",
		Floors: map[string]string{"GLIBCXX": "3.4.30", "CXXABI": "1.3", "GCC": "4.2.0"},
	}
	want.Needs = got.Needs
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if versionNeeds(nil) != nil {
		t.Error("no needs should give nil")
	}
}

// TestHostileHeaders edits real binaries so that their headers claim huge
// tables; each must be refused as malformed before anything is allocated.
func TestHostileHeaders(t *testing.T) {
	t.Parallel()
	elfBytes, err := os.ReadFile(build(t, "linux-amd64"))
	if err != nil {
		t.Fatal(err)
	}
	peBytes, err := os.ReadFile(build(t, "windows-amd64"))
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	tests := []struct {
		name    string
		base    []byte
		edit    func(b []byte)
		wantErr string
	}{
		{"compressed section names", elfBytes, func(b []byte) {
			shoff, idx := le.Uint64(b[0x28:]), uint64(le.Uint16(b[0x3e:]))
			flags := shoff + idx*64 + 8
			le.PutUint64(b[flags:], le.Uint64(b[flags:])|0x800)
		}, "compressed section-name table"},
		{"section-name table beyond the file", elfBytes, func(b []byte) {
			shoff, idx := le.Uint64(b[0x28:]), uint64(le.Uint16(b[0x3e:]))
			le.PutUint64(b[shoff+idx*64+0x20:], 1<<40)
		}, "section-name table larger than the file"},
		{"section headers beyond the file", elfBytes, func(b []byte) {
			le.PutUint16(b[0x3c:], 0xfff0)
		}, "section headers exceed the file"},
		{"COFF symbol table beyond the file", peBytes, func(b []byte) {
			coff := le.Uint32(b[0x3c:]) + 4
			le.PutUint32(b[coff+12:], 0x7fffffff)
		}, "COFF symbol table exceeds the file"},
		{"wasm section beyond the file", minimalWasm(), func(b []byte) {
			b[9] = 0xff // first section's length, now a multi-byte LEB128
			b[10] = 0x7f
		}, "exceeds the file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := bytes.Clone(tt.base)
			tt.edit(b)
			_, err := InspectReader(bytes.NewReader(b), int64(len(b)))
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want malformed: …%s…", err, tt.wantErr)
			}
		})
	}
}
