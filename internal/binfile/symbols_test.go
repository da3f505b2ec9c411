package binfile

import (
	"bufio"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// nmDefined lists the defined dynamic symbols nm -D reports, mangled and
// demangled (-C), keyed by mangled name.
func nmDefined(t *testing.T, path string) map[string]string {
	t.Helper()
	needTool(t, "nm")
	run := func(args ...string) []string {
		out, err := exec.Command("nm", append(args, "-D", "--defined-only", "--format=posix", path)...).Output()
		if err != nil {
			t.Fatalf("nm %v: %v", args, err)
		}
		var names []string
		sc := bufio.NewScanner(strings.NewReader(string(out)))
		for sc.Scan() {
			// posix format: NAME TYPE VALUE [SIZE]; demangled names may
			// contain spaces, so cut the last fields instead.
			f := strings.Fields(sc.Text())
			if len(f) < 3 {
				continue
			}
			cut := 2
			if len(f) >= 4 && isHex(f[len(f)-1]) && isHex(f[len(f)-2]) {
				cut = 3
			}
			if f[len(f)-cut] == "A" {
				continue // a version definition, not a symbol
			}
			names = append(names, strings.Join(f[:len(f)-cut], " "))
		}
		return names
	}
	raw, dem := run(), run("-C")
	if len(raw) != len(dem) {
		t.Fatalf("nm listed %d raw and %d demangled names", len(raw), len(dem))
	}
	m := map[string]string{}
	for i, n := range raw {
		n, _, _ = strings.Cut(n, "@")
		d, _, _ := strings.Cut(dem[i], "@")
		m[n] = d
	}
	return m
}

func isHex(s string) bool {
	return strings.Trim(s, "0123456789abcdef") == ""
}

// TestSymbols compares exports and demangling with GNU nm -D -C.
func TestSymbols(t *testing.T) {
	hostOnly(t)
	t.Parallel()
	paths := []string{build(t, "c-shared"), build(t, "cpp-shared"), build(t, "cgo")}
	if libs, _ := filepath.Glob("/usr/lib/*-linux-gnu/libstdc++.so.6"); len(libs) > 0 {
		paths = append(paths, libs[0])
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			t.Parallel()
			f, err := InspectWith(p, Options{Symbols: true})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, s := range f.Exports {
				d := s.Demangled
				if d == "" {
					d = s.Name
				}
				got[s.Name] = d
			}
			want := nmDefined(t, p)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("exports differ from nm -D -C (-nm +goport):\n%s", diff)
			}
		})
	}
}

func TestSymbolFlags(t *testing.T) {
	hostOnly(t)
	t.Parallel()
	f, err := InspectWith(build(t, "c-shared"), Options{Symbols: true})
	if err != nil {
		t.Fatal(err)
	}
	var user []string
	for _, s := range f.Exports {
		if !s.Cgo {
			user = append(user, s.Name)
		}
	}
	if diff := cmp.Diff([]string{"GoAdd"}, user); diff != "" {
		t.Errorf("user exports of a c-shared library (-want +got):\n%s", diff)
	}
	cpp, err := InspectWith(build(t, "cpp-shared"), Options{Symbols: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ns::name[abi:cxx11](int)", "ns::greet(std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > const&)"} {
		i := slices.IndexFunc(cpp.Exports, func(s Symbol) bool { return s.Demangled == want })
		if i < 0 || !cpp.Exports[i].ABITag || cpp.Exports[i].Type != "func" {
			t.Errorf("%s not exported with the dual-ABI flag: %+v", want, cpp.Exports)
		}
	}
	j := slices.IndexFunc(cpp.Exports, func(s Symbol) bool { return s.Demangled == "ns::twice(int)" })
	if j < 0 || cpp.Exports[j].ABITag {
		t.Errorf("ns::twice(int): %+v", cpp.Exports)
	}
	// Without the option nothing is read.
	plain, err := Inspect(build(t, "cpp-shared"))
	if err != nil {
		t.Fatal(err)
	}
	if plain.Exports != nil {
		t.Error("exports read without Options.Symbols")
	}
}

func TestMachOSymbols(t *testing.T) {
	t.Parallel()
	f, err := InspectWith(build(t, "darwin-arm64"), Options{Symbols: true})
	if err != nil {
		t.Fatal(err)
	}
	// An internally linked Go executable exports nothing but its entry
	// symbol and the Go symbols it keeps for the debugger.
	if slices.ContainsFunc(f.Exports, func(s Symbol) bool { return s.Name == "" }) {
		t.Errorf("empty symbol name in %v", f.Exports)
	}
	sw, err := InspectWith(build(t, "darwin-arm64-sw"), Options{Symbols: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(sw.Exports) != 0 {
		t.Errorf("-s -w Mach-O keeps only imports, got exports %v", sw.Exports)
	}
}

// TestSymbolsWithoutSectionHeaders reads exports through PT_DYNAMIC when
// the section headers are gone, and must find what the original's .dynsym
// lists (names and types; versions are not read on that path).
func TestSymbolsWithoutSectionHeaders(t *testing.T) {
	hostOnly(t)
	t.Parallel()
	// GNU toolchains write DT_GNU_HASH by default; a SysV-hash library
	// takes the DT_HASH path.
	if err := writeModules(); err != nil {
		t.Fatal(err)
	}
	sysv := filepath.Join(t.TempDir(), "libsysv.so")
	cc(t, "g++", sysv, "-shared", "-fPIC", "-Wl,--hash-style=sysv", src("cpp/lib.cc"))
	for _, p := range []string{build(t, "c-shared"), build(t, "cpp-shared"), sysv} {
		name := filepath.Base(p)
		orig, err := InspectWith(p, Options{Symbols: true})
		if err != nil {
			t.Fatal(err)
		}
		bare := filepath.Join(t.TempDir(), name)
		stripSectionHeaders(t, p, bare)
		got, err := InspectWith(bare, Options{Symbols: true})
		if err != nil {
			t.Fatal(err)
		}
		for i := range orig.Exports {
			orig.Exports[i].Version = ""
		}
		if len(orig.Exports) == 0 {
			t.Fatalf("%s: no exports", name)
		}
		if diff := cmp.Diff(orig.Exports, got.Exports); diff != "" {
			t.Errorf("%s exports without section headers (-original +stripped):\n%s", name, diff)
		}
	}
}
