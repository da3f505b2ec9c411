package binfile

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/goport/goport/internal/target"
)

// The fuzz targets are run with a bounded minimization time, because
// minimizing a 16 KiB seed byte by byte otherwise takes the whole budget:
//
//	go test -run='^$' -fuzz='^FuzzMachO$' -fuzztime=60s -fuzzminimizetime=50x ./internal/binfile/

// seed adds prefixes of a real binary, and a copy with a few header words
// flipped, to a fuzz corpus. Prefixes keep inputs small; whole files are
// added only when they are small (the C fixtures are ~16 KiB).
func seed(f *testing.F, name string, prefixes ...int) {
	f.Helper()
	if fuzzWorker() {
		return
	}
	b, err := os.ReadFile(build(f, name))
	if err != nil {
		f.Fatal(err)
	}
	if len(b) <= 64<<10 {
		f.Add(b)
	}
	for _, n := range prefixes {
		p := b[:min(n, len(b))]
		f.Add(p)
		m := bytes.Clone(p)
		for i := 16; i+4 <= len(m) && i < 256; i += 24 {
			binary.LittleEndian.PutUint32(m[i:], binary.LittleEndian.Uint32(m[i:])^0xffff)
		}
		f.Add(m)
	}
}

// fuzzWorker reports whether this process is a fuzzing worker. Workers
// get their inputs from the coordinator, which alone reads the seed
// corpus, so they need not build the seed binaries again.
func fuzzWorker() bool {
	fl := flag.Lookup("test.fuzzworker")
	return fl != nil && fl.Value.String() == "true"
}

// checkInspect is the invariant of every format's fuzz target: no panic
// in goport's own code (panics inside debug/* are recovered and reported
// as malformed input), and whatever is returned renders.
func checkInspect(t *testing.T, b []byte) {
	facts, err := InspectReaderWith(bytes.NewReader(b), int64(len(b)), Options{Symbols: true})
	var pe *panicError
	if errors.As(err, &pe) && ownPanic(pe.stack) {
		t.Fatalf("panic in binfile: %v\n%s", pe.value, pe.stack)
	}
	if err != nil {
		if facts != nil {
			t.Fatal("facts and error both returned")
		}
		if strings.Contains(err.Error(), "\n") {
			t.Fatalf("multi-line error %q", err)
		}
		return
	}
	if err := facts.WriteText(io.Discard, false); err != nil {
		t.Fatal(err)
	}
	if err := facts.WriteMarkdown(io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := json.Marshal(facts); err != nil {
		t.Fatal(err)
	}
	CheckTarget(facts, target.Target{GOOS: "linux", GOARCH: "amd64"})
	Compare(facts, facts)
	checkUnpatched(t, b, facts)
}

// checkUnpatched checks that hiding the symbol tables from debug/pe and
// debug/macho changes nothing for a file that the unpatched path accepts
// too.
func checkUnpatched(t *testing.T, b []byte, facts *Facts) {
	var fn func(io.ReaderAt, int64, bool) (*Facts, error)
	switch facts.Format {
	case PE:
		fn = inspectPEWith
	case MachO:
		fn = inspectMachOWith
	default:
		return
	}
	slow, err := func() (f *Facts, err error) {
		defer func() {
			if recover() != nil {
				f, err = nil, errors.New("panic")
			}
		}()
		return fn(bytes.NewReader(b), int64(len(b)), false)
	}()
	if err != nil {
		return
	}
	slow.Size = facts.Size
	fast := *facts
	fast.Exports = nil
	if diff := cmp.Diff(slow, &fast); diff != "" {
		t.Fatalf("hidden symbol tables change the facts (-unpatched +hidden):\n%s", diff)
	}
}

// ownPanic reports whether the frame that panicked belongs to binfile
// rather than to the standard library's debug/* packages.
func ownPanic(stack []byte) bool {
	lines := strings.Split(string(stack), "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, "panic(") {
			continue
		}
		for _, next := range lines[i+1:] {
			if strings.HasPrefix(next, "\t") || strings.HasPrefix(next, "runtime.") {
				continue
			}
			return strings.Contains(next, "internal/binfile.")
		}
	}
	return false
}

func FuzzELF(f *testing.F) {
	if runtime.GOOS == "linux" && runtime.GOARCH == "amd64" {
		for _, name := range []string{"c-hardened", "c-relr", "c-static-pie", "cpp-shared", "c-norelro-execstack"} {
			seed(f, name, 4096)
		}
		if !fuzzWorker() {
			// Without section headers, symbols come from PT_DYNAMIC.
			b, err := os.ReadFile(build(f, "cpp-shared"))
			if err != nil {
				f.Fatal(err)
			}
			binary.LittleEndian.PutUint64(b[0x28:], 0)
			binary.LittleEndian.PutUint32(b[0x3c:], 0)
			f.Add(b)
		}
	}
	seed(f, "linux-s390x", 4096)
	seed(f, "linux-arm-7", 4096)
	f.Add([]byte("\x7fELF\x02\x01\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 4 || string(b[:4]) != "\x7fELF" {
			b = append([]byte("\x7fELF"), b...)
		}
		checkInspect(t, b)
	})
}

func FuzzMachO(f *testing.F) {
	for _, name := range []string{"darwin-arm64", "darwin-amd64", "darwin-arm64-sw"} {
		seed(f, name, 4096, 8192)
	}
	if !fuzzWorker() {
		fat, err := os.ReadFile(build(f, "fat"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(fat[:4096])
		f.Add(fat[:(16<<10)+8192])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkInspect(t, b)
	})
}

func FuzzPE(f *testing.F) {
	for _, name := range []string{"windows-amd64-sw", "windows-386", "windows-arm64"} {
		seed(f, name, 1024, 4096)
	}
	if _, err := exec.LookPath("x86_64-w64-mingw32-gcc"); err == nil {
		seed(f, "mingw.dll", 4096) // an export directory
	}
	f.Add([]byte("MZ"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 2 || string(b[:2]) != "MZ" {
			b = append([]byte("MZ"), b...)
		}
		checkInspect(t, b)
	})
}

func FuzzWasm(f *testing.F) {
	for _, name := range []string{"js-wasm", "wasip1-wasm"} {
		seed(f, name, 512, 8192)
	}
	f.Add([]byte("\x00asm\x01\x00\x00\x00"))
	f.Add(minimalWasm())
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 4 || string(b[:4]) != "\x00asm" {
			b = append([]byte("\x00asm"), b...)
		}
		checkInspect(t, b)
	})
}

// FuzzAny feeds arbitrary bytes through format sniffing, and covers the
// XCOFF and Plan 9 readers.
func FuzzAny(f *testing.F) {
	seed(f, "aix-ppc64", 4096)
	seed(f, "plan9-amd64", 4096)
	seed(f, "plan9-386", 4096)
	f.Add([]byte("hello\n"))
	f.Add([]byte{0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2})
	f.Add([]byte{0xcf, 0xfa, 0xed, 0xfe})
	f.Fuzz(func(t *testing.T, b []byte) {
		checkInspect(t, b)
	})
}

// FuzzWasmImports exercises the import-section walker on its own, where
// mutations reach it without first passing section framing.
func FuzzWasmImports(f *testing.F) {
	f.Add(append([]byte{2}, append(append(append(wasmStr("gojs"), wasmStr("f")...), 0, 0), append(append(wasmStr("env"), wasmStr("m")...), 2, 1, 1, 2)...)...))
	f.Add([]byte{1, 1, 'a', 1, 'b', 1, 0x70, 0, 1})
	f.Add([]byte{1, 1, 'a', 1, 'b', 3, 0x7f, 1})
	f.Add([]byte{1, 1, 'a', 1, 'b', 4, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		mods := wasmImportModules(b)
		if len(mods) > len(b) {
			t.Fatalf("%d modules from %d bytes", len(mods), len(b))
		}
		wasmProducers(b)
	})
}

// FuzzNotes exercises the ELF note walker with both alignments.
func FuzzNotes(f *testing.F) {
	f.Add([]byte("\x04\x00\x00\x00\x14\x00\x00\x00\x03\x00\x00\x00GNU\x0012345678901234567890"), uint8(4))
	f.Add([]byte("\x04\x00\x00\x00\x10\x00\x00\x00\x05\x00\x00\xc0GNU\x00\x02\x00\x00\xc0\x04\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00"), uint8(8))
	f.Fuzz(func(t *testing.T, b []byte, align uint8) {
		notes, err := readNotes(bytes.NewReader(b), int64(len(b)), binary.LittleEndian, 0, int64(len(b)), uint64(align))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range notes {
			if len(n.desc) > len(b) {
				t.Fatal("note larger than input")
			}
		}
	})
}

func wasmStr(s string) []byte { return append([]byte{byte(len(s))}, s...) }

func wasmSection(id byte, body []byte) []byte {
	var b []byte
	b = append(b, id)
	b = binary.AppendUvarint(b, uint64(len(body)))
	return append(b, body...)
}

func wasmModule(sections ...[]byte) []byte {
	b := []byte("\x00asm\x01\x00\x00\x00")
	for _, s := range sections {
		b = append(b, s...)
	}
	return b
}

// minimalWasm is a hand-built module: a producers section, an import of
// one function from gojs, and a data section with framed module
// information.
func minimalWasm() []byte {
	return wasmModule(
		wasmSection(0, append(wasmStr("producers"), 1, 8, 'l', 'a', 'n', 'g', 'u', 'a', 'g', 'e', 1, 2, 'G', 'o', 8, 'g', 'o', '1', '.', '2', '6', '.', '8')),
		wasmSection(2, append([]byte{1}, append(append(wasmStr("gojs"), wasmStr("f")...), 0, 0)...)),
		wasmSection(11, append(append(append([]byte{}, modInfoStart...), "path\tx\nmod\tx\t(devel)\t\nbuild\tGOOS=js\n"...), modInfoEnd...)),
	)
}

// TestMinimalWasm checks the fuzz seed exercises what it claims to.
func TestMinimalWasm(t *testing.T) {
	t.Parallel()
	b := minimalWasm()
	if _, err := InspectReader(bytes.NewReader(b), 1<<20); err == nil {
		t.Fatal("a size beyond the data must be an error")
	}
	f, err := InspectReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if f.GOOS != "js" || f.Go == nil || f.Go.GoVersion != "go1.26.8" || f.Go.Main.Path != "x" {
		t.Errorf("goos %q go %+v", f.GOOS, f.Go)
	}
}
