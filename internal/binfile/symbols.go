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
		return elfSymbols(r, f.Size)
	case MachO:
		return machoSymbols(r)
	case PE:
		return peSymbols(r, f.Size)
	}
	return nil, nil
}

func elfSymbols(r io.ReaderAt, size int64) ([]Symbol, error) {
	ef, err := elf.NewFile(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(ef.Sections) == 0 {
		return elfSymbolsFromDynamic(r, size, ef)
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
		sym.Type = elfSymType(typ)
		out = append(out, sym)
	}
	sortSymbols(out)
	return out, nil
}

func elfSymType(t elf.SymType) string {
	switch t {
	case elf.STT_FUNC, elf.STT_GNU_IFUNC:
		return "func"
	case elf.STT_OBJECT:
		return "object"
	case elf.STT_TLS:
		return "tls"
	}
	return "other"
}

// elfSymbolsFromDynamic reads the exports of a file without section
// headers through PT_DYNAMIC: DT_SYMTAB and DT_STRTAB locate the tables,
// and the symbol count comes from DT_HASH's nchain or, for GNU hash
// tables, from walking the last bucket's chain to its end marker. Symbol
// versions are not read on this path.
func elfSymbolsFromDynamic(r io.ReaderAt, size int64, ef *elf.File) ([]Symbol, error) {
	var d *dynamic
	for _, p := range ef.Progs {
		if p.Type == elf.PT_DYNAMIC {
			var err error
			if d, err = readDynamic(r, size, ef, p); err != nil {
				return nil, err
			}
		}
	}
	if d == nil || d.symtab == 0 || d.strs == nil {
		return nil, nil
	}
	entsz := uint64(24)
	if ef.Class == elf.ELFCLASS32 {
		entsz = 16
	}
	if d.syment != 0 && d.syment != entsz {
		return nil, fmt.Errorf("%w: DT_SYMENT %d", ErrMalformed, d.syment)
	}
	count, err := elfSymbolCount(r, size, ef, d)
	if err != nil {
		return nil, err
	}
	off, ok := vaddrToOffset(ef, d.symtab)
	if !ok || count == 0 {
		return nil, nil
	}
	b, err := readAt(r, size, int64(off), int64(count*entsz))
	if err != nil {
		return nil, fmt.Errorf("reading dynamic symbols: %w", err)
	}
	bo := ef.ByteOrder
	var out []Symbol
	for i := uint64(1); i < count; i++ { // entry 0 is the null symbol
		e := b[i*entsz:]
		var name uint32
		var info, other byte
		var shndx uint16
		if entsz == 24 {
			name, info, other, shndx = bo.Uint32(e), e[4], e[5], bo.Uint16(e[6:])
		} else {
			name, info, other, shndx = bo.Uint32(e), e[12], e[13], bo.Uint16(e[14:])
		}
		bind := elf.SymBind(info >> 4)
		if elf.SectionIndex(shndx) == elf.SHN_UNDEF || elf.SymVis(other&3) == elf.STV_HIDDEN ||
			(bind != elf.STB_GLOBAL && bind != elf.STB_WEAK && bind != elf.STB_LOOS) {
			continue
		}
		n := cString(d.strs, uint64(name))
		if n == "" || elf.SectionIndex(shndx) == elf.SHN_ABS {
			continue // version-definition markers are absolute
		}
		sym := newSymbol(n)
		sym.Type = elfSymType(elf.SymType(info & 0xf))
		out = append(out, sym)
	}
	sortSymbols(out)
	return out, nil
}

// elfSymbolCount returns the number of dynamic symbols.
func elfSymbolCount(r io.ReaderAt, size int64, ef *elf.File, d *dynamic) (uint64, error) {
	bo := ef.ByteOrder
	word := func(addr uint64) (uint32, error) {
		off, ok := vaddrToOffset(ef, addr)
		if !ok {
			return 0, fmt.Errorf("%w: hash table address %#x is in no loaded segment", ErrMalformed, addr)
		}
		b, err := readAt(r, size, int64(off), 4)
		if err != nil {
			return 0, err
		}
		return bo.Uint32(b), nil
	}
	if d.hash != 0 {
		n, err := word(d.hash + 4) // nchain
		if n > maxSymbols {
			return 0, fmt.Errorf("%w: %d dynamic symbols", ErrMalformed, n)
		}
		return uint64(n), err
	}
	if d.gnuHash == 0 {
		return 0, nil
	}
	var hdr [4]uint32
	for i := range hdr {
		v, err := word(d.gnuHash + uint64(4*i))
		if err != nil {
			return 0, err
		}
		hdr[i] = v
	}
	nbuckets, symoffset, bloomWords := uint64(hdr[0]), uint64(hdr[1]), uint64(hdr[2])
	if nbuckets > maxSymbols || bloomWords > maxSymbols {
		return 0, fmt.Errorf("%w: GNU hash table of %d buckets", ErrMalformed, nbuckets)
	}
	wordsz := uint64(8)
	if ef.Class == elf.ELFCLASS32 {
		wordsz = 4
	}
	buckets := d.gnuHash + 16 + bloomWords*wordsz
	last := uint64(0)
	for i := uint64(0); i < nbuckets; i++ {
		v, err := word(buckets + 4*i)
		if err != nil {
			return 0, err
		}
		last = max(last, uint64(v))
	}
	if last < symoffset {
		return symoffset, nil
	}
	chains := buckets + 4*nbuckets
	for i := last; i-symoffset < maxSymbols; i++ {
		v, err := word(chains + 4*(i-symoffset))
		if err != nil {
			return 0, err
		}
		if v&1 != 0 {
			return i + 1, nil
		}
	}
	return 0, fmt.Errorf("%w: unterminated GNU hash chain", ErrMalformed)
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
