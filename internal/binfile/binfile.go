// Package binfile reads compiled programs and libraries — ELF, Mach-O
// (thin and universal), PE/COFF and WebAssembly — and reports what decides
// where they can run: format, target platform, Go build information and
// build IDs, linking, the glibc floor, stripping and hardening. It is pure
// Go, reads through io.ReaderAt, caps every length read from the input and
// never panics on hostile files.
package binfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/goport/goport/internal/target"
)

// Format names a binary container format: ELF, Mach-O, PE, wasm, and the
// XCOFF and Plan 9 a.out files that the go command writes for aix and
// plan9.
type Format string

const (
	ELF   Format = "elf"
	MachO Format = "macho"
	// MachOFat is a universal Mach-O file; its Slices hold one Facts per
	// architecture.
	MachOFat Format = "macho-fat"
	PE       Format = "pe"
	Wasm     Format = "wasm"
)

// Errors that classify why a file could not be inspected. They are wrapped,
// so use errors.Is.
var (
	// ErrNotExecutable means the file is none of the supported formats.
	ErrNotExecutable = errors.New("not an executable")
	// ErrMalformed means the file claims a supported format but its
	// structure is broken or exceeds sane limits.
	ErrMalformed = errors.New("malformed")
)

// Facts is everything binfile knows about one binary. Fields that do not
// apply to the format are left empty.
type Facts struct {
	Path   string `json:"path,omitempty"`
	Size   int64  `json:"size"`
	Format Format `json:"format"`
	// Kind is "executable", "pie executable", "shared object", "dylib",
	// "bundle", "dll", "object", "core" or "module" (wasm).
	Kind string `json:"kind,omitempty"`
	// Machine is the format's own name for the CPU (EM_X86_64, arm64,
	// IMAGE_FILE_MACHINE_AMD64).
	Machine    string `json:"machine,omitempty"`
	GOOS       string `json:"goos,omitempty"`
	GOARCH     string `json:"goarch,omitempty"`
	Bits       int    `json:"bits,omitempty"`
	Endianness string `json:"endianness,omitempty"` // "little" or "big"
	// Target is GOOS/GOARCH plus the variant recorded in the Go build
	// information; the variant is left empty when it is the toolchain
	// default (GOAMD64=v1, GOARM64=v8.0, ...), except GOARM which is
	// always shown because it changes the instruction set.
	Target *target.Target `json:"target,omitempty"`

	// Go is the Go build information (what `go version -m -json` prints),
	// nil for a binary that was not built by the go command.
	Go *debug.BuildInfo `json:"go,omitempty"`
	// GoBuildID is what `go tool buildid` prints.
	GoBuildID string `json:"go_build_id,omitempty"`
	// GNUBuildID is the ELF NT_GNU_BUILD_ID note in hex.
	GNUBuildID string `json:"gnu_build_id,omitempty"`
	// UUID is the Mach-O LC_UUID.
	UUID string `json:"uuid,omitempty"`

	Stripped Stripped `json:"stripped"`
	Linking  Linking  `json:"linking"`
	// GLIBC holds the versioned needs of an ELF file, nil when it has none.
	GLIBC     *VersionNeeds `json:"glibc,omitempty"`
	Hardening Hardening     `json:"hardening"`

	ELF   *ELFFacts   `json:"elf,omitempty"`
	MachO *MachOFacts `json:"macho,omitempty"`
	PE    *PEFacts    `json:"pe,omitempty"`
	Wasm  *WasmFacts  `json:"wasm,omitempty"`

	// Exports are the dynamic symbols the file defines, when asked for
	// with Options.Symbols.
	Exports []Symbol `json:"exports,omitempty"`

	// Slices are the architectures of a universal Mach-O file.
	Slices []*Facts `json:"slices,omitempty"`

	// Verdicts are filled in by CheckTarget and CheckHost callers that
	// want them reported with the facts.
	Verdicts []Verdict `json:"verdicts,omitempty"`
}

// Stripped says what debugging aids survive in the file.
type Stripped struct {
	// Symbols: a symbol table with defined symbols (ELF .symtab, Mach-O
	// LC_SYMTAB entries defined in a section, PE COFF symbols).
	Symbols bool `json:"symbols"`
	// DWARF: debugging information sections.
	DWARF bool `json:"dwarf"`
	// Pclntab: Go's function and line table, which survives -s -w and
	// keeps function names recoverable.
	Pclntab bool `json:"pclntab"`
}

// IsStripped reports whether both the symbol table and DWARF are gone.
func (s Stripped) IsStripped() bool { return !s.Symbols && !s.DWARF }

// Linking modes.
const (
	Static    = "static"
	Dynamic   = "dynamic"
	StaticPIE = "static-pie"
)

// Linking describes how the binary finds its libraries at run time.
type Linking struct {
	// Mode is "static", "dynamic" or "static-pie".
	Mode string `json:"mode"`
	// Interpreter is the ELF PT_INTERP or Mach-O LC_LOAD_DYLINKER path.
	Interpreter string `json:"interpreter,omitempty"`
	// Needed lists ELF DT_NEEDED, Mach-O LC_LOAD_DYLIB or PE imported DLLs.
	Needed  []string `json:"needed,omitempty"`
	SONAME  string   `json:"soname,omitempty"`
	RPath   []string `json:"rpath,omitempty"`
	RunPath []string `json:"runpath,omitempty"`
}

// IsStatic reports whether the binary loads no shared library at all.
func (l Linking) IsStatic() bool { return l.Mode == Static || l.Mode == StaticPIE }

// Hardening holds exploit mitigations; which fields apply depends on the
// format.
type Hardening struct {
	PIE bool `json:"pie"`
	// RELRO is "none", "partial" or "full" (ELF only). Full needs both
	// PT_GNU_RELRO and immediate binding.
	RELRO   string `json:"relro,omitempty"`
	BindNow bool   `json:"bind_now,omitempty"`
	// NXStack: the stack is not executable (ELF PT_GNU_STACK without X,
	// PE NX_COMPAT, Mach-O without MH_ALLOW_STACK_EXECUTION).
	NXStack bool `json:"nx_stack"`
	// PE DllCharacteristics.
	DynamicBase   bool `json:"dynamic_base,omitempty"`
	HighEntropyVA bool `json:"high_entropy_va,omitempty"`
	CFG           bool `json:"cfg,omitempty"`
}

// Inspect reads the binary at path.
func Inspect(path string) (*Facts, error) {
	return InspectWith(path, Options{})
}

// InspectWith reads the binary at path, with optional parts.
func InspectWith(path string, opts Options) (*Facts, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, pathError(path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, pathError(path, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s: is a directory", DisplayPath(path))
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", DisplayPath(path))
	}
	facts, err := InspectReaderWith(newBlockCache(f, st.Size()), st.Size(), opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", DisplayPath(path), err)
	}
	facts.Path = path
	for _, s := range facts.Slices {
		s.Path = path
	}
	return facts, nil
}

// panicError is a panic recovered while reading a file, reported as
// malformed input. The stack lets tests tell debug/* panics from goport's
// own.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("malformed: %v", e.value) }
func (e *panicError) Unwrap() error { return ErrMalformed }

// pathError drops the operation from an *os.PathError, so that every
// error reads "PATH: why".
func pathError(path string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", DisplayPath(path), pe.Err)
	}
	return fmt.Errorf("%s: %w", DisplayPath(path), err)
}

// DisplayPath quotes a path that holds control characters or invalid
// UTF-8, so that a hostile file name cannot forge or split output lines.
func DisplayPath(p string) string {
	if !utf8.ValidString(p) || strings.ContainsFunc(p, unicode.IsControl) {
		return strconv.Quote(p)
	}
	return p
}

// InspectReader reads a binary of the given size from r.
func InspectReader(r io.ReaderAt, size int64) (*Facts, error) {
	return InspectReaderWith(r, size, Options{})
}

// InspectReaderWith reads a binary of the given size from r, with optional
// parts.
func InspectReaderWith(r io.ReaderAt, size int64, opts Options) (facts *Facts, err error) {
	// The debug/* packages have a history of panics on hostile input; a
	// bad file must cost one error, not the whole run.
	defer func() {
		if p := recover(); p != nil {
			facts, err = nil, &panicError{value: p, stack: debug.Stack()}
		}
	}()
	if size == 0 {
		return nil, fmt.Errorf("empty file")
	}
	head := make([]byte, 64)
	n, err := r.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return nil, err
	}
	head = head[:n]
	var fn func(io.ReaderAt, int64) (*Facts, error)
	switch sniff(head) {
	case ELF:
		fn = inspectELF
	case MachO:
		fn = inspectMachO
	case MachOFat:
		fn = inspectFat
	case PE:
		fn = inspectPE
	case Wasm:
		fn = inspectWasm
	case XCOFF:
		fn = inspectXCOFF
	case Plan9:
		fn = inspectPlan9
	default:
		return nil, notExecutable(head)
	}
	facts, err = fn(r, size)
	if err != nil {
		return nil, err
	}
	facts.Size = size
	if opts.Symbols {
		if facts.Exports, err = readSymbols(r, facts); err != nil {
			return nil, fmt.Errorf("reading symbols: %w", err)
		}
	}
	return facts, nil
}

func sniff(head []byte) Format {
	switch {
	case bytes.HasPrefix(head, []byte("\x7fELF")):
		return ELF
	case bytes.HasPrefix(head, []byte("MZ")):
		return PE
	case bytes.HasPrefix(head, []byte("\x00asm")):
		return Wasm
	case bytes.HasPrefix(head, []byte{0xfe, 0xed, 0xfa, 0xce}), bytes.HasPrefix(head, []byte{0xfe, 0xed, 0xfa, 0xcf}),
		bytes.HasPrefix(head, []byte{0xce, 0xfa, 0xed, 0xfe}), bytes.HasPrefix(head, []byte{0xcf, 0xfa, 0xed, 0xfe}):
		return MachO
	case bytes.HasPrefix(head, []byte{0x01, 0xdf}), bytes.HasPrefix(head, []byte{0x01, 0xf7}):
		return XCOFF
	case bytes.HasPrefix(head, []byte{0, 0, 0x01, 0xeb}), bytes.HasPrefix(head, []byte{0, 0, 0x8a, 0x97}), bytes.HasPrefix(head, []byte{0, 0, 0x06, 0x47}):
		return Plan9
	case len(head) >= 8 && (bytes.HasPrefix(head, []byte{0xca, 0xfe, 0xba, 0xbe}) || bytes.HasPrefix(head, []byte{0xca, 0xfe, 0xba, 0xbf})):
		// Java class files share CAFEBABE; there the next word is a
		// class-file version (≥ 45), here an architecture count.
		if narch := uint32(head[4])<<24 | uint32(head[5])<<16 | uint32(head[6])<<8 | uint32(head[7]); narch > 0 && narch < 32 {
			return MachOFat
		}
	}
	return ""
}

// notExecutable says what the file looks like instead, so that "text
// file" and "gzip archive" read better than a bare refusal.
func notExecutable(head []byte) error {
	kind := ""
	switch {
	case bytes.HasPrefix(head, []byte{0xca, 0xfe, 0xba, 0xbe}):
		kind = "Java class file"
	case bytes.HasPrefix(head, []byte("#!")):
		kind = "script"
	case bytes.HasPrefix(head, []byte("!<arch>\n")):
		kind = "ar archive"
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		kind = "gzip data"
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		kind = "zip archive"
	case isText(head):
		kind = "text"
	}
	if kind == "" {
		return ErrNotExecutable
	}
	return fmt.Errorf("%w (%s)", ErrNotExecutable, kind)
}

func isText(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' {
			return false
		}
	}
	return true
}

// Caps on lengths read from the input, so that a hostile header cannot
// make goport allocate more than a few tens of megabytes.
const (
	maxTable   = 16 << 20 // one string table, dynamic section, import table
	maxEntries = 1 << 16  // verneed entries, imports, load commands
	maxString  = 4 << 10  // one path or name
)

// readAt reads n bytes at off, refusing lengths beyond the caps or the
// file.
func readAt(r io.ReaderAt, size, off, n int64) ([]byte, error) {
	if off < 0 || n < 0 || n > maxTable || off > size || n > size-off {
		return nil, fmt.Errorf("%w: %d bytes at offset %d exceed the file (%d bytes)", ErrMalformed, n, off, size)
	}
	b := make([]byte, n)
	if _, err := r.ReadAt(b, off); err != nil && !(err == io.EOF && n == 0) {
		return nil, fmt.Errorf("%w: reading %d bytes at offset %d: %v", ErrMalformed, n, off, err)
	}
	return b, nil
}

// cString returns the NUL-terminated string at b[off:], capped.
func cString(b []byte, off uint64) string {
	if off >= uint64(len(b)) {
		return ""
	}
	s := b[off:]
	if i := bytes.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	if len(s) > maxString {
		s = s[:maxString]
	}
	return string(s)
}

// finish derives Target from GOOS/GOARCH and the Go build settings, which
// win over header guesses because they are what the go command was told.
func (f *Facts) finish() {
	if f.Go != nil {
		if v := setting(f.Go, "GOOS"); v != "" {
			f.GOOS = v
		}
		if v := setting(f.Go, "GOARCH"); v != "" && (f.GOARCH == "" || f.Format == Wasm) {
			f.GOARCH = v
		}
	}
	if f.GOOS == "" || f.GOARCH == "" {
		return
	}
	t := target.Target{GOOS: f.GOOS, GOARCH: f.GOARCH}
	if f.Go != nil {
		if key := target.VariantVar(f.GOARCH); key != "" {
			if v := setting(f.Go, key); v != "" && v != defaultVariant[f.GOARCH] {
				t.Variant = v
			}
		}
	}
	f.Target = &t
}

// defaultVariant is the toolchain default of each variant variable (go env
// with only GOARCH set, Go 1.26). GOARM is absent on purpose: arm/6 and
// arm/7 binaries differ in instruction set and are always spelled out.
var defaultVariant = map[string]string{
	"amd64":    "v1",
	"arm64":    "v8.0",
	"386":      "sse2",
	"riscv64":  "rva20u64",
	"ppc64":    "power8",
	"ppc64le":  "power8",
	"mips":     "hardfloat",
	"mipsle":   "hardfloat",
	"mips64":   "hardfloat",
	"mips64le": "hardfloat",
}

// DefaultVariant returns the variant the toolchain uses for goarch when its
// variable is unset, or "".
func DefaultVariant(goarch string) string {
	if goarch == "arm" {
		return "7"
	}
	return defaultVariant[goarch]
}

func setting(bi *debug.BuildInfo, key string) string {
	for _, s := range bi.Settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}

// Setting returns the Go build setting key ("CGO_ENABLED", "-ldflags"), or
// "" when the binary has no Go build information or no such setting.
func (f *Facts) Setting(key string) string {
	if f.Go == nil {
		return ""
	}
	return setting(f.Go, key)
}
