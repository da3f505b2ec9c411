package binfile

import (
	"bytes"
	"debug/macho"
	"debug/pe"
	"encoding/binary"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// inspectUnpatched reads path as inspection did before symbol tables were
// hidden: debug/pe and debug/macho decode the whole tables.
func inspectUnpatched(t *testing.T, path string) *Facts {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, size := bytes.NewReader(b), int64(len(b))
	var f *Facts
	switch sniff(b) {
	case PE:
		f, err = inspectPEWith(r, size, false)
	case MachO:
		f, err = inspectMachOWith(r, size, false)
	default:
		t.Fatalf("%s: neither PE nor thin Mach-O", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	f.Size, f.Path = size, path
	return f
}

// TestHiddenSymbolsSameFacts checks that hiding the symbol tables changes
// no fact of real Go-built and MinGW-built files, and that the tables are
// really hidden (else the test would pass on the slow path).
func TestHiddenSymbolsSameFacts(t *testing.T) {
	t.Parallel()
	names := []string{
		"windows-386", "windows-386-sw", "windows-amd64", "windows-amd64-sw", "windows-arm64", "windows-arm64-sw",
		"darwin-amd64", "darwin-amd64-sw", "darwin-arm64", "darwin-arm64-sw",
		"mingw.exe", "mingw.dll", "windows-c-shared.dll",
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := build(t, name)
			fast, err := Inspect(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(inspectUnpatched(t, path), fast); diff != "" {
				t.Errorf("facts differ (-unpatched +hidden):\n%s", diff)
			}
			if want := !strings.HasSuffix(name, "-sw"); fast.Stripped.Symbols != want {
				t.Errorf("Stripped.Symbols = %v, want %v", fast.Stripped.Symbols, want)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			r, size := bytes.NewReader(b), int64(len(b))
			switch fast.Format {
			case PE:
				comparePESections(t, r, size)
			case MachO:
				hr, _, ok := hideMachOSymbols(r, size)
				if !ok {
					t.Fatal("symbol table not hidden")
				}
				mf, err := macho.NewFile(hr)
				if err != nil {
					t.Fatal(err)
				}
				if mf.Symtab == nil || len(mf.Symtab.Syms) != 0 {
					t.Errorf("symbol table still read: %+v", mf.Symtab)
				}
			}
		})
	}
}

// comparePESections checks that debug/pe resolves the same section names
// (Go's long ones, "/4", through the string table) on the patched reader,
// and reads no COFF symbol.
func comparePESections(t *testing.T, r io.ReaderAt, size int64) {
	t.Helper()
	h, err := checkPEHeader(r, size)
	if err != nil {
		t.Fatal(err)
	}
	want, err := pe.NewFile(r)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pe.NewFile(hidePESymbols(r, size, h))
	if err != nil {
		t.Fatal(err)
	}
	names := func(f *pe.File) (out []string) {
		for _, s := range f.Sections {
			out = append(out, s.Name)
		}
		return out
	}
	if diff := cmp.Diff(names(want), names(got)); diff != "" {
		t.Errorf("section names (-unpatched +hidden):\n%s", diff)
	}
	if h.nsyms > 0 && (len(got.COFFSymbols) != 0 || got.NumberOfSymbols != 0) {
		t.Errorf("%d COFF symbols still read", len(got.COFFSymbols))
	}
	if !bytes.Equal(want.StringTable, got.StringTable) {
		t.Error("string table differs")
	}
}

// nlist is one synthetic Mach-O symbol.
type nlist struct{ typ, sect uint8 }

// synthMachO writes a minimal Mach-O file: a header, LC_SYMTAB and
// (when dysym) LC_DYSYMTAB whose undefined range is [iundef, iundef+nundef),
// then the nlist entries and a string table.
func synthMachO(bo binary.ByteOrder, is64 bool, syms []nlist, dysym bool, iundef, nundef uint32) []byte {
	var b bytes.Buffer
	w := func(v any) { binary.Write(&b, bo, v) }
	magic, hdrsz, symsz := uint32(macho.Magic32), 28, 12
	if is64 {
		magic, hdrsz, symsz = macho.Magic64, 32, 16
	}
	ncmd, cmdsz := uint32(1), uint32(symtabCmdSize)
	if dysym {
		ncmd, cmdsz = 2, symtabCmdSize+dysymtabCmdLen
	}
	w([]uint32{magic, uint32(macho.CpuAmd64), 3, uint32(macho.TypeExec), ncmd, cmdsz, 0})
	if is64 {
		w(uint32(0))
	}
	symoff := uint32(hdrsz) + cmdsz
	stroff := symoff + uint32(len(syms)*symsz)
	strtab := []byte("\x00_a\x00")
	w([]uint32{lcSymtab, symtabCmdSize, symoff, uint32(len(syms)), stroff, uint32(len(strtab))})
	if dysym {
		d := make([]uint32, dysymtabCmdLen/4)
		d[0], d[1], d[6], d[7] = lcDysymtab, dysymtabCmdLen, iundef, nundef
		w(d)
	}
	for _, s := range syms {
		w(uint32(1)) // n_strx: "_a"
		w([]uint8{s.typ, s.sect})
		w(uint16(0))
		if is64 {
			w(uint64(0x1000))
		} else {
			w(uint32(0x1000))
		}
	}
	b.Write(strtab)
	return b.Bytes()
}

// machoDefinedUnpatched is what machoFacts makes of a full symbol table.
func machoDefinedUnpatched(mf *macho.File) bool {
	if mf.Symtab == nil {
		return false
	}
	for _, s := range mf.Symtab.Syms {
		if s.Sect != 0 && s.Type&0xe0 == 0 {
			return true
		}
	}
	return false
}

// checkHiddenMachO is the invariant of hideMachOSymbols: never a panic;
// the reader itself back when it declines; and when debug/macho accepts
// the unpatched file, it accepts the patched one, sees no symbols, and
// the defined-symbol answer is the one the full table gives.
func checkHiddenMachO(t *testing.T, b []byte) (hidden bool) {
	t.Helper()
	r, size := bytes.NewReader(b), int64(len(b))
	hr, defined, ok := hideMachOSymbols(r, size)
	if !ok {
		if hr != io.ReaderAt(r) {
			t.Fatal("declined, but the reader was replaced")
		}
		return false
	}
	want, err := macho.NewFile(r)
	if err != nil {
		return true // more lenient than debug/macho (e.g. bad names): allowed
	}
	got, err := macho.NewFile(hr)
	if err != nil {
		t.Fatalf("patched file rejected: %v", err)
	}
	if got.Symtab == nil || len(got.Symtab.Syms) != 0 {
		t.Fatalf("symbols still read: %+v", got.Symtab)
	}
	if w := machoDefinedUnpatched(want); defined != w {
		t.Fatalf("defined = %v, want %v", defined, w)
	}
	// Indirect symbols are not compared: a crafted table may overlap the
	// patched header words (testdata/fuzz/FuzzHideMachOSymbols), and
	// inspection never reads it.
	if (want.Dysymtab == nil) != (got.Dysymtab == nil) {
		t.Fatal("dynamic symbol table lost")
	}
	return true
}

func synthCases() map[string][]byte {
	many := make([]nlist, 5000)
	for i := range many {
		many[i] = nlist{typ: 0x24, sect: 1} // N_FUN stabs: in a section, but debugging entries
	}
	many[4999] = nlist{typ: 0x0f, sect: 1} // N_SECT|N_EXT, past the first chunk
	m := map[string][]byte{}
	for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		for _, is64 := range []bool{false, true} {
			k := bo.String()
			if is64 {
				k += "64"
			} else {
				k += "32"
			}
			m[k+"/none"] = synthMachO(bo, is64, nil, true, 0, 0)
			m[k+"/undefined"] = synthMachO(bo, is64, []nlist{{typ: 0x01}, {typ: 0x01}}, true, 0, 2)
			m[k+"/stab"] = synthMachO(bo, is64, []nlist{{typ: 0x24, sect: 1}}, false, 0, 0)
			m[k+"/defined"] = synthMachO(bo, is64, []nlist{{typ: 0x01}, {typ: 0x0e, sect: 1}}, true, 0, 1)
			m[k+"/late"] = synthMachO(bo, is64, many, true, 0, 0)
			m[k+"/bad-undef"] = synthMachO(bo, is64, []nlist{{typ: 0x0e, sect: 1}}, true, 1, 1)
		}
	}
	return m
}

func TestHideMachOSymbolsSynthetic(t *testing.T) {
	t.Parallel()
	wantHidden := func(name string) bool { return !strings.HasSuffix(name, "/bad-undef") }
	for name, b := range synthCases() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := macho.NewFile(bytes.NewReader(b)); (err == nil) != wantHidden(name) {
				t.Fatalf("debug/macho on the fixture: %v", err)
			}
			if got := checkHiddenMachO(t, b); got != wantHidden(name) {
				t.Errorf("hidden = %v, want %v", got, wantHidden(name))
			}
			// Every truncation declines or stays consistent.
			for _, n := range []int{0, 4, 27, 40, 60, len(b) / 2, len(b) - 1} {
				checkHiddenMachO(t, b[:min(n, len(b))])
			}
		})
	}
}

func FuzzHideMachOSymbols(f *testing.F) {
	for _, b := range synthCases() {
		if len(b) < 4096 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkHiddenMachO(t, b)
	})
}
