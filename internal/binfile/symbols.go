package binfile

import (
	"debug/elf"
	"debug/macho"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ianlancetaylor/demangle"
)

// Symbol is one symbol a binary exports to the dynamic loader: what
// dlsym finds in a c-shared library, or what a cgo program offers to the
// C code it loads.
type Symbol struct {
	Name string `json:"name"`
	// Demangled is the C++ (or Rust) name, when Name is mangled.
	Demangled string `json:"demangled,omitempty"`
	Type      string `json:"type"` // "func", "object", "tls" or "other"
	// Version is the ELF symbol version it is defined with, if any.
	Version string `json:"version,omitempty"`
	// ABITag marks libstdc++'s dual-ABI names (an [abi:cxx11] tag or the
	// std::__cxx11 namespace), which only link against code built with
	// the same _GLIBCXX_USE_CXX11_ABI.
	ABITag bool `json:"abi_tag,omitempty"`
	// Cgo marks the runtime's own cgo glue (_cgo_*, crosscall2, ...),
	// exported by every cgo binary alongside the user's //export functions.
	Cgo bool `json:"cgo,omitempty"`
}

// Options select the optional, slower parts of an inspection.
type Options struct {
	// Symbols lists exported dynamic symbols (ELF .dynsym, Mach-O
	// external symbols).
	Symbols bool
}

// maxSymbols caps the symbol table a file may make goport read.
const maxSymbols = 1 << 20

// cgoGlue are the symbol prefixes of the cgo runtime glue.
var cgoGlue = []string{"_cgo_", "_cgoexp_", "x_cgo_", "crosscall", "x_crosscall2_ptr", "_crosscall", "__cgo_"}

func readSymbols(r io.ReaderAt, f *Facts) ([]Symbol, error) {
	switch f.Format {
	case ELF:
		return elfSymbols(r)
	case MachO:
		return machoSymbols(r)
	case PE:
		return peSymbols(r, f.Size)
	}
	return nil, nil
}

func elfSymbols(r io.ReaderAt) ([]Symbol, error) {
	ef, err := elf.NewFile(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	ds := ef.SectionByType(elf.SHT_DYNSYM)
	if ds == nil {
		return nil, nil
	}
	if ds.Size/max(ds.Entsize, 1) > maxSymbols || ds.Flags&elf.SHF_COMPRESSED != 0 {
		return nil, fmt.Errorf("%w: dynamic symbol table of %d bytes", ErrMalformed, ds.Size)
	}
	syms, err := ef.DynamicSymbols()
	if err != nil {
		return nil, nil // no versioned or no dynamic symbols: nothing exported
	}
	var out []Symbol
	for _, s := range syms {
		bind, typ := elf.ST_BIND(s.Info), elf.ST_TYPE(s.Info)
		// STB_LOOS is GNU's STB_GNU_UNIQUE, used for C++ template statics.
		if s.Section == elf.SHN_UNDEF || s.Name == "" || (bind != elf.STB_GLOBAL && bind != elf.STB_WEAK && bind != elf.STB_LOOS) {
			continue
		}
		if elf.ST_VISIBILITY(s.Other) == elf.STV_HIDDEN || (s.Section == elf.SHN_ABS && s.Name == s.Version) {
			continue // hidden, or the marker symbol of a version definition
		}
		sym := newSymbol(s.Name)
		sym.Version = s.Version
		switch typ {
		case elf.STT_FUNC, elf.STT_GNU_IFUNC:
			sym.Type = "func"
		case elf.STT_OBJECT:
			sym.Type = "object"
		case elf.STT_TLS:
			sym.Type = "tls"
		}
		out = append(out, sym)
	}
	sortSymbols(out)
	return out, nil
}

func machoSymbols(r io.ReaderAt) ([]Symbol, error) {
	mf, err := macho.NewFile(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if mf.Symtab == nil {
		return nil, nil
	}
	const nExt, nTypeMask, nSect = 0x01, 0x0e, 0x0e
	var out []Symbol
	for _, s := range mf.Symtab.Syms {
		if s.Type&0xe0 != 0 || s.Type&nExt == 0 || s.Type&nTypeMask != nSect {
			continue // debugging entries, local symbols, imports
		}
		// Mach-O C names carry a leading underscore.
		sym := newSymbol(strings.TrimPrefix(s.Name, "_"))
		sym.Type = "func"
		if int(s.Sect) > 0 && int(s.Sect) <= len(mf.Sections) && mf.Sections[s.Sect-1].Seg != "__TEXT" {
			sym.Type = "object"
		}
		out = append(out, sym)
	}
	sortSymbols(out)
	return out, nil
}

func newSymbol(name string) Symbol {
	s := Symbol{Name: name, Type: "other"}
	if d, err := demangle.ToString(name); err == nil && d != name {
		s.Demangled = d
		s.ABITag = strings.Contains(d, "[abi:cxx11]") || strings.Contains(d, "std::__cxx11::")
	}
	for _, p := range cgoGlue {
		if strings.HasPrefix(name, p) {
			s.Cgo = true
		}
	}
	s.Cgo = s.Cgo || name == "fatalf"
	return s
}

func sortSymbols(s []Symbol) {
	slices.SortFunc(s, func(a, b Symbol) int { return strings.Compare(a.Name, b.Name) })
}
