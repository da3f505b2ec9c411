package binfile

import (
	"debug/macho"
	"debug/pe"
	"encoding/binary"
	"io"
	"math"
)

// debug/pe and debug/macho decode the whole COFF or Mach-O symbol table
// in NewFile, tens of thousands of entries in a Go binary, and
// debug/buildinfo opens the file again with them. Inspection needs only
// whether a defined symbol exists, so it hands those packages a reader
// whose headers say the tables are empty, and answers that one question
// from the raw bytes. Anything unexpected in the headers keeps the
// unpatched reader, so that such files fail as before; a symbol table
// whose entries debug/* would reject (a name beyond the string table) is
// no longer decoded, and no longer fails the file.

// overlayReader reads r with a few header bytes replaced.
type overlayReader struct {
	r       io.ReaderAt
	patches []overlayPatch
}

type overlayPatch struct {
	off int64
	b   []byte
}

func (o *overlayReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := o.r.ReadAt(p, off)
	if n < 0 || n > len(p) || off < 0 {
		return n, err
	}
	end := off + int64(n)
	for _, pt := range o.patches {
		lo, hi := max(off, pt.off), min(end, pt.off+int64(len(pt.b)))
		if lo < hi {
			copy(p[lo-off:hi-off], pt.b[lo-pt.off:hi-pt.off])
		}
	}
	return n, err
}

// peHeader is what checkPEHeader learns of the COFF file header.
type peHeader struct {
	coff   int64 // offset of the COFF file header, after "PE\0\0"
	symPtr uint32
	nsyms  uint32
}

// hidePESymbols zeroes NumberOfSymbols and moves PointerToSymbolTable to
// the string table, which debug/pe finds at Pointer + 18×Count: Go names
// its DWARF sections "/4" and so on, resolved through that table.
func hidePESymbols(r io.ReaderAt, size int64, h peHeader) io.ReaderAt {
	if h.symPtr == 0 || h.nsyms == 0 {
		return r
	}
	// checkPEHeader bounds the tables by the file size; debug/pe adds in
	// uint32, so a sum that wraps there must not be reproduced here.
	strtab := uint64(h.symPtr) + pe.COFFSymbolSize*uint64(h.nsyms)
	if strtab > math.MaxUint32 || int64(strtab) > size {
		return r
	}
	b := make([]byte, 8)
	binary.LittleEndian.PutUint32(b, uint32(strtab))
	return &overlayReader{r: r, patches: []overlayPatch{{off: h.coff + 8, b: b}}}
}

// Mach-O load commands and their sizes (mach-o/loader.h).
const (
	lcSymtab       = 0x2
	lcDysymtab     = 0xb
	symtabCmdSize  = 24
	dysymtabCmdLen = 80
)

// hideMachOSymbols returns a reader on which LC_SYMTAB has no symbols and
// no strings, and LC_DYSYMTAB's local, external and undefined ranges are
// empty (macho.NewFile checks the undefined range against the symbol
// count). defined reports whether the real table has a symbol defined in
// a section that is not a debugging (stab) entry. ok is false when the
// load commands are anything but what macho.NewFile would accept with
// exactly one LC_SYMTAB before at most one LC_DYSYMTAB.
func hideMachOSymbols(r io.ReaderAt, size int64) (_ io.ReaderAt, defined, ok bool) {
	hdr, err := readAt(r, size, 0, min(size, 32))
	if err != nil || len(hdr) < 28 {
		return r, false, false
	}
	var bo binary.ByteOrder
	switch {
	case binary.BigEndian.Uint32(hdr)&^1 == macho.Magic32:
		bo = binary.BigEndian
	case binary.LittleEndian.Uint32(hdr)&^1 == macho.Magic32:
		bo = binary.LittleEndian
	default:
		return r, false, false
	}
	off, symsz := int64(28), int64(12)
	if bo.Uint32(hdr) == macho.Magic64 {
		off, symsz = 32, 16
	}
	ncmd, cmdsz := bo.Uint32(hdr[16:]), int64(bo.Uint32(hdr[20:]))
	if ncmd > maxEntries {
		return r, false, false
	}
	dat, err := readAt(r, size, off, cmdsz)
	if err != nil {
		return r, false, false
	}
	var (
		symtab, dysymtab int64 = -1, -1 // offsets within dat
		nsyms, symoff    uint32
	)
	pos := int64(0)
	for range ncmd {
		if int64(len(dat))-pos < 8 {
			return r, false, false
		}
		cmd, siz := bo.Uint32(dat[pos:]), int64(bo.Uint32(dat[pos+4:]))
		if siz < 8 || siz > int64(len(dat))-pos {
			return r, false, false
		}
		switch cmd {
		case lcSymtab:
			if symtab >= 0 || siz < symtabCmdSize {
				return r, false, false
			}
			c := dat[pos:]
			symoff, nsyms = bo.Uint32(c[8:]), bo.Uint32(c[12:])
			stroff, strsize := int64(bo.Uint32(c[16:])), int64(bo.Uint32(c[20:]))
			if stroff > size || strsize > size-stroff || int64(symoff) > size || int64(nsyms)*symsz > size-int64(symoff) {
				return r, false, false
			}
			symtab = pos
		case lcDysymtab:
			if symtab < 0 || dysymtab >= 0 || siz < dysymtabCmdLen {
				return r, false, false
			}
			// The check macho.NewFile makes, in its uint32 arithmetic.
			c := dat[pos:]
			iundef, nundef := bo.Uint32(c[24:]), bo.Uint32(c[28:])
			if iundef > nsyms || iundef+nundef > nsyms {
				return r, false, false
			}
			dysymtab = pos
		}
		pos += siz
	}
	if symtab < 0 {
		return r, false, false
	}
	defined, ok = machoDefinedSymbol(r, size, int64(symoff), int64(nsyms), symsz)
	if !ok {
		return r, false, false
	}
	zero4 := make([]byte, 4)
	patches := []overlayPatch{
		{off: off + symtab + 12, b: zero4}, // nsyms
		{off: off + symtab + 20, b: zero4}, // strsize
	}
	if dysymtab >= 0 {
		// ilocalsym, nlocalsym, iextdefsym, nextdefsym, iundefsym, nundefsym
		patches = append(patches, overlayPatch{off: off + dysymtab + 8, b: make([]byte, 24)})
	}
	return &overlayReader{r: r, patches: patches}, defined, true
}

// machoDefinedSymbol scans nsyms nlist entries at off for one with a
// section (n_sect, at +5) whose n_type (at +4) has no stab bits, reading
// a chunk at a time and stopping at the first.
func machoDefinedSymbol(r io.ReaderAt, size, off, nsyms, symsz int64) (defined, ok bool) {
	const chunk = 4096
	for i := int64(0); i < nsyms; i += chunk {
		n := min(chunk, nsyms-i)
		b, err := readAt(r, size, off+i*symsz, n*symsz)
		if err != nil {
			return false, false
		}
		for e := int64(0); e < n*symsz; e += symsz {
			if b[e+5] != 0 && b[e+4]&0xe0 == 0 {
				return true, true
			}
		}
	}
	return false, true
}
