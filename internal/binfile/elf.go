package binfile

import (
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// ELFFacts are details only ELF files have.
type ELFFacts struct {
	Type  string `json:"type"`  // ET_EXEC, ET_DYN, ...
	OSABI string `json:"osabi"` // ELFOSABI_NONE, ELFOSABI_LINUX, ...
	Flags uint32 `json:"flags,omitempty"`
	// ABITag is the OS named by an ABI note ("Linux 3.2.0", "FreeBSD
	// 1203000"), when there is one.
	ABITag string `json:"abi_tag,omitempty"`
	// SectionHeaders is false for files whose section headers were
	// removed; every fact above is then read from program headers.
	SectionHeaders bool   `json:"section_headers"`
	Flags1         uint64 `json:"dt_flags_1,omitempty"`
}

func inspectELF(r io.ReaderAt, size int64) (*Facts, error) {
	eflags, err := checkELFSectionNames(r, size)
	if err != nil {
		return nil, err
	}
	ef, err := elf.NewFile(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	f := &Facts{
		Format:  ELF,
		Machine: ef.Machine.String(),
		ELF: &ELFFacts{
			Flags:          eflags,
			Type:           ef.Type.String(),
			OSABI:          ef.OSABI.String(),
			SectionHeaders: len(ef.Sections) > 0,
		},
	}
	switch ef.Class {
	case elf.ELFCLASS32:
		f.Bits = 32
	case elf.ELFCLASS64:
		f.Bits = 64
	}
	switch ef.Data {
	case elf.ELFDATA2LSB:
		f.Endianness = "little"
	case elf.ELFDATA2MSB:
		f.Endianness = "big"
	}
	f.GOARCH = elfGOARCH(ef.Machine, f.Bits, f.Endianness)
	switch ef.Type {
	case elf.ET_EXEC:
		f.Kind = "executable"
	case elf.ET_DYN:
		f.Kind = "shared object"
	case elf.ET_REL:
		f.Kind = "object"
	case elf.ET_CORE:
		f.Kind = "core"
	}

	var (
		dyn      *dynamic
		relro    bool
		stackSet bool
		stackX   bool
		osNote   string
	)
	noteRegion := func(off, n int64, align uint64) error {
		notes, err := readNotes(r, size, ef.ByteOrder, off, n, align)
		if err != nil {
			return err
		}
		for _, n := range notes {
			switch {
			case n.name == "Go" && n.typ == 4 && f.GoBuildID == "":
				f.GoBuildID = string(n.desc)
			case n.name == "GNU" && n.typ == 3 && f.GNUBuildID == "":
				f.GNUBuildID = hex.EncodeToString(n.desc)
			case n.typ == 1 && len(n.desc) >= 4 && osNote == "":
				osNote = n.name
				f.ELF.ABITag = abiTag(n, ef.ByteOrder)
			}
		}
		return nil
	}
	for _, p := range ef.Progs {
		switch p.Type {
		case elf.PT_INTERP:
			b, err := readAt(r, size, int64(p.Off), int64(min(p.Filesz, maxString)))
			if err != nil {
				return nil, fmt.Errorf("reading interpreter: %w", err)
			}
			f.Linking.Interpreter = cString(b, 0)
		case elf.PT_DYNAMIC:
			dyn, err = readDynamic(r, size, ef, p)
			if err != nil {
				return nil, err
			}
		case elf.PT_GNU_RELRO:
			relro = true
		case elf.PT_GNU_STACK:
			stackSet, stackX = true, p.Flags&elf.PF_X != 0
		case elf.PT_NOTE:
			if err := noteRegion(int64(p.Off), int64(p.Filesz), p.Align); err != nil {
				return nil, err
			}
		}
	}
	// The Go linker puts .note.gnu.build-id outside any PT_NOTE segment,
	// so note sections are read too when the file still has them.
	for _, s := range ef.Sections {
		if s.Type == elf.SHT_NOTE && s.Flags&elf.SHF_COMPRESSED == 0 {
			if err := noteRegion(int64(s.Offset), int64(s.Size), s.Addralign); err != nil {
				return nil, err
			}
		}
	}
	if ef.Type == elf.ET_DYN && f.Linking.Interpreter != "" {
		f.Kind = "pie executable"
	}

	f.Linking.Mode = Static
	if dyn != nil {
		f.Linking.Needed = dyn.needed
		f.Linking.SONAME = dyn.soname
		f.Linking.RPath = dyn.rpath
		f.Linking.RunPath = dyn.runpath
		f.ELF.Flags1 = dyn.flags1
		f.Hardening.BindNow = dyn.bindNow
		f.GLIBC = versionNeeds(dyn.verneed)
		switch {
		case f.Linking.Interpreter != "":
			f.Linking.Mode = Dynamic
		case ef.Type == elf.ET_DYN && dyn.flags1&uint64(elf.DF_1_PIE) != 0:
			f.Linking.Mode = StaticPIE
			f.Kind = "pie executable"
		case ef.Type == elf.ET_DYN:
			f.Linking.Mode = Dynamic // a shared library, loaded by someone else's interpreter
		}
	} else if f.Linking.Interpreter != "" {
		f.Linking.Mode = Dynamic
	}
	f.Hardening.PIE = f.Kind == "pie executable"
	switch {
	case relro && f.Hardening.BindNow:
		f.Hardening.RELRO = "full"
	case relro:
		f.Hardening.RELRO = "partial"
	default:
		f.Hardening.RELRO = "none"
	}
	f.Hardening.NXStack = stackSet && !stackX

	for _, s := range ef.Sections {
		switch {
		case s.Type == elf.SHT_SYMTAB:
			f.Stripped.Symbols = true
		case strings.HasPrefix(s.Name, ".debug_"), strings.HasPrefix(s.Name, ".zdebug_"):
			f.Stripped.DWARF = true
		case s.Name == ".gopclntab", s.Name == ".data.rel.ro.gopclntab":
			f.Stripped.Pclntab = true
		}
	}

	f.Go = readBuildInfo(r)
	if !f.Stripped.Pclntab && f.Go != nil {
		// Without section headers the table can only be found by its
		// header magic, which is what the runtime itself relies on.
		f.Stripped.Pclntab = hasPclntab(r, size, ef)
	}
	f.GOOS = elfGOOS(ef, osNote, f.Linking.Interpreter)
	f.finish()
	return f, nil
}

// checkELFSectionNames refuses files whose section-name table is
// compressed or larger than the file: elf.NewFile expands it eagerly, and
// a small zlib stream can claim gigabytes (an out-of-memory crash, which
// recover cannot catch). It returns e_flags, which debug/elf does not
// expose.
func checkELFSectionNames(r io.ReaderAt, size int64) (eflags uint32, err error) {
	hdr, err := readAt(r, size, 0, min(size, 64))
	if err != nil {
		return 0, err
	}
	if len(hdr) < 52 {
		return 0, fmt.Errorf("%w: truncated ELF header", ErrMalformed)
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if hdr[elf.EI_DATA] == byte(elf.ELFDATA2MSB) {
		bo = binary.BigEndian
	}
	var shoff uint64
	var shentsize, shnum, shstrndx uint16
	switch elf.Class(hdr[elf.EI_CLASS]) {
	case elf.ELFCLASS64:
		if len(hdr) < 64 {
			return 0, fmt.Errorf("%w: truncated ELF header", ErrMalformed)
		}
		eflags = bo.Uint32(hdr[0x30:])
		shoff = bo.Uint64(hdr[0x28:])
		shentsize, shnum, shstrndx = bo.Uint16(hdr[0x3a:]), bo.Uint16(hdr[0x3c:]), bo.Uint16(hdr[0x3e:])
	case elf.ELFCLASS32:
		eflags = bo.Uint32(hdr[0x24:])
		shoff = uint64(bo.Uint32(hdr[0x20:]))
		shentsize, shnum, shstrndx = bo.Uint16(hdr[0x2e:]), bo.Uint16(hdr[0x30:]), bo.Uint16(hdr[0x32:])
	default:
		return 0, fmt.Errorf("%w: unknown ELF class %d", ErrMalformed, hdr[elf.EI_CLASS])
	}
	if shoff == 0 || shentsize == 0 {
		return eflags, nil
	}
	if shoff > uint64(size) || uint64(shnum)*uint64(shentsize) > uint64(size)-shoff {
		return 0, fmt.Errorf("%w: section headers exceed the file", ErrMalformed)
	}
	idx := uint64(shstrndx)
	if shstrndx == uint16(elf.SHN_XINDEX) || shnum == 0 {
		return eflags, nil // extended numbering: elf.NewFile bounds these itself
	}
	if idx >= uint64(shnum) {
		return eflags, nil
	}
	sh, err := readAt(r, size, int64(shoff+idx*uint64(shentsize)), int64(shentsize))
	if err != nil {
		return 0, err
	}
	var flags, shsize uint64
	if elf.Class(hdr[elf.EI_CLASS]) == elf.ELFCLASS64 {
		if len(sh) < 0x28 {
			return 0, fmt.Errorf("%w: short section header", ErrMalformed)
		}
		flags, shsize = bo.Uint64(sh[8:]), bo.Uint64(sh[0x20:])
	} else {
		if len(sh) < 0x18 {
			return 0, fmt.Errorf("%w: short section header", ErrMalformed)
		}
		flags, shsize = uint64(bo.Uint32(sh[8:])), uint64(bo.Uint32(sh[0x14:]))
	}
	if flags&uint64(elf.SHF_COMPRESSED) != 0 {
		return 0, fmt.Errorf("%w: compressed section-name table", ErrMalformed)
	}
	if shsize > uint64(size) {
		return 0, fmt.Errorf("%w: section-name table larger than the file", ErrMalformed)
	}
	return eflags, nil
}

func elfGOARCH(m elf.Machine, bits int, endian string) string {
	le := endian == "little"
	switch m {
	case elf.EM_386:
		return "386"
	case elf.EM_X86_64:
		if bits == 64 {
			return "amd64"
		}
	case elf.EM_ARM:
		return "arm"
	case elf.EM_AARCH64:
		return "arm64"
	case elf.EM_LOONGARCH:
		if bits == 64 {
			return "loong64"
		}
	case elf.EM_MIPS, elf.EM_MIPS_RS3_LE:
		switch {
		case bits == 32 && le:
			return "mipsle"
		case bits == 32:
			return "mips"
		case le:
			return "mips64le"
		default:
			return "mips64"
		}
	case elf.EM_PPC64:
		if le {
			return "ppc64le"
		}
		return "ppc64"
	case elf.EM_RISCV:
		if bits == 64 {
			return "riscv64"
		}
	case elf.EM_S390:
		if bits == 64 {
			return "s390x"
		}
	case elf.EM_SPARCV9:
		return "sparc64"
	}
	return ""
}

// elfGOOS guesses the operating system from the header, the ABI notes and
// the interpreter, in that order of trust.
func elfGOOS(ef *elf.File, osNote, interp string) string {
	switch ef.OSABI {
	case elf.ELFOSABI_FREEBSD:
		return "freebsd"
	case elf.ELFOSABI_NETBSD:
		return "netbsd"
	case elf.ELFOSABI_OPENBSD:
		return "openbsd"
	case elf.ELFOSABI_SOLARIS:
		return "solaris"
	case elf.ELFOSABI_AIX:
		return "aix"
	}
	switch osNote {
	case "FreeBSD":
		return "freebsd"
	case "NetBSD":
		return "netbsd"
	case "OpenBSD":
		return "openbsd"
	case "DragonFly":
		return "dragonfly"
	case "Android":
		return "android"
	}
	switch {
	case strings.HasPrefix(interp, "/system/bin/linker"):
		return "android"
	case strings.HasSuffix(interp, "/ld.so.1"):
		return "solaris"
	case strings.Contains(interp, "/libexec/ld-elf.so"):
		return "freebsd"
	}
	if ef.OSABI == elf.ELFOSABI_NONE || ef.OSABI == elf.ELFOSABI_LINUX {
		return "linux"
	}
	return ""
}

func abiTag(n note, bo binary.ByteOrder) string {
	if n.name == "GNU" && len(n.desc) >= 16 {
		oses := []string{"Linux", "Hurd", "Solaris", "FreeBSD"}
		os := fmt.Sprintf("os %d", bo.Uint32(n.desc))
		if i := bo.Uint32(n.desc); int(i) < len(oses) {
			os = oses[i]
		}
		return fmt.Sprintf("%s %d.%d.%d", os, bo.Uint32(n.desc[4:]), bo.Uint32(n.desc[8:]), bo.Uint32(n.desc[12:]))
	}
	return fmt.Sprintf("%s %d", n.name, bo.Uint32(n.desc))
}

type note struct {
	name string
	typ  uint32
	desc []byte
}

// readNotes parses the notes of one PT_NOTE segment or SHT_NOTE section.
func readNotes(r io.ReaderAt, size int64, bo binary.ByteOrder, off, n int64, segAlign uint64) ([]note, error) {
	b, err := readAt(r, size, off, n)
	if err != nil {
		return nil, fmt.Errorf("reading notes: %w", err)
	}
	align := uint64(4)
	if segAlign == 8 {
		align = 8
	}
	pad := func(n uint64) uint64 { return (n + align - 1) &^ (align - 1) }
	var notes []note
	for len(b) >= 12 && len(notes) < maxEntries {
		namesz, descsz, typ := uint64(bo.Uint32(b)), uint64(bo.Uint32(b[4:])), bo.Uint32(b[8:])
		b = b[12:]
		if namesz > uint64(len(b)) {
			break
		}
		name := strings.TrimRight(string(b[:namesz]), "\x00")
		if pad(namesz) > uint64(len(b)) {
			break
		}
		b = b[pad(namesz):]
		if descsz > uint64(len(b)) {
			break
		}
		notes = append(notes, note{name: name, typ: typ, desc: b[:descsz]})
		if pad(descsz) > uint64(len(b)) {
			break
		}
		b = b[pad(descsz):]
	}
	return notes, nil
}

// dynamic is what goport reads from PT_DYNAMIC. It is parsed from the
// program header, not the section table, so that files without section
// headers still report their libraries and version needs.
type dynamic struct {
	needed         []string
	soname         string
	rpath, runpath []string
	flags, flags1  uint64
	bindNow        bool
	verneed        []VersionNeed
	// For reading the dynamic symbol table without section headers.
	strs           []byte
	symtab, syment uint64
	hash, gnuHash  uint64
}

func readDynamic(r io.ReaderAt, size int64, ef *elf.File, p *elf.Prog) (*dynamic, error) {
	b, err := readAt(r, size, int64(p.Off), int64(p.Filesz))
	if err != nil {
		return nil, fmt.Errorf("reading dynamic section: %w", err)
	}
	bo := ef.ByteOrder
	entsz := 16
	if ef.Class == elf.ELFCLASS32 {
		entsz = 8
	}
	type entry struct {
		tag elf.DynTag
		val uint64
	}
	var entries []entry
	for i := 0; i+entsz <= len(b); i += entsz {
		var e entry
		if entsz == 16 {
			e = entry{elf.DynTag(int64(bo.Uint64(b[i:]))), bo.Uint64(b[i+8:])}
		} else {
			e = entry{elf.DynTag(int32(bo.Uint32(b[i:]))), uint64(bo.Uint32(b[i+4:]))}
		}
		if e.tag == elf.DT_NULL {
			break
		}
		entries = append(entries, e)
	}
	d := &dynamic{}
	var strtab, strsz, verneedAddr, verneedNum uint64
	for _, e := range entries {
		switch e.tag {
		case elf.DT_STRTAB:
			strtab = e.val
		case elf.DT_STRSZ:
			strsz = e.val
		case elf.DT_FLAGS:
			d.flags = e.val
		case elf.DT_FLAGS_1:
			d.flags1 = e.val
		case elf.DT_BIND_NOW:
			d.bindNow = true
		case elf.DT_VERNEED:
			verneedAddr = e.val
		case elf.DT_VERNEEDNUM:
			verneedNum = e.val
		case elf.DT_SYMTAB:
			d.symtab = e.val
		case elf.DT_SYMENT:
			d.syment = e.val
		case elf.DT_HASH:
			d.hash = e.val
		case elf.DT_GNU_HASH:
			d.gnuHash = e.val
		}
	}
	d.bindNow = d.bindNow || d.flags&uint64(elf.DF_BIND_NOW) != 0 || d.flags1&uint64(elf.DF_1_NOW) != 0
	var strs []byte
	// A table outside every loaded segment (separate debug-info files
	// keep PT_DYNAMIC but no file data) leaves the names unknown rather
	// than failing the whole file.
	if off, ok := vaddrToOffset(ef, strtab); ok && strtab != 0 {
		if strsz == 0 || strsz > maxTable {
			strsz = min(maxTable, uint64(size)-min(off, uint64(size)))
		}
		strs, err = readAt(r, size, int64(off), int64(min(strsz, uint64(size)-min(off, uint64(size)))))
		if err != nil {
			return nil, fmt.Errorf("reading dynamic string table: %w", err)
		}
	}
	for _, e := range entries {
		switch e.tag {
		case elf.DT_NEEDED:
			d.needed = append(d.needed, cString(strs, e.val))
		case elf.DT_SONAME:
			d.soname = cString(strs, e.val)
		case elf.DT_RPATH:
			d.rpath = append(d.rpath, strings.Split(cString(strs, e.val), ":")...)
		case elf.DT_RUNPATH:
			d.runpath = append(d.runpath, strings.Split(cString(strs, e.val), ":")...)
		}
	}
	if _, ok := vaddrToOffset(ef, verneedAddr); ok && verneedAddr != 0 && strs != nil {
		d.verneed, err = readVerneed(r, size, ef, verneedAddr, verneedNum, strs)
		if err != nil {
			return nil, err
		}
	}
	d.strs = strs
	return d, nil
}

// vaddrToOffset maps a virtual address to a file offset through the
// PT_LOAD segments.
func vaddrToOffset(ef *elf.File, addr uint64) (uint64, bool) {
	for _, p := range ef.Progs {
		if p.Type == elf.PT_LOAD && addr >= p.Vaddr && addr-p.Vaddr < p.Filesz {
			return p.Off + (addr - p.Vaddr), true
		}
	}
	return 0, false
}

// readVerneed walks the Elf_Verneed chain (same layout for both classes:
// vn_version, vn_cnt uint16; vn_file, vn_aux, vn_next uint32) and its
// Elf_Vernaux entries (vna_hash uint32, vna_flags, vna_other uint16,
// vna_name, vna_next uint32).
func readVerneed(r io.ReaderAt, size int64, ef *elf.File, addr, num uint64, strs []byte) ([]VersionNeed, error) {
	off, ok := vaddrToOffset(ef, addr)
	if !ok {
		return nil, fmt.Errorf("%w: DT_VERNEED address %#x is in no loaded segment", ErrMalformed, addr)
	}
	bo := ef.ByteOrder
	read := func(at uint64) ([]byte, error) {
		if at > uint64(size) {
			return nil, fmt.Errorf("%w: version need entry beyond the file", ErrMalformed)
		}
		return readAt(r, size, int64(at), 16)
	}
	var needs []VersionNeed
	seen := 0
	for i := uint64(0); i < num; i++ {
		if i >= maxEntries {
			return nil, fmt.Errorf("%w: too many version need entries", ErrMalformed)
		}
		vn, err := read(off)
		if err != nil {
			return nil, err
		}
		cnt := uint64(bo.Uint16(vn[2:]))
		need := VersionNeed{Library: cString(strs, uint64(bo.Uint32(vn[4:])))}
		aux := off + uint64(bo.Uint32(vn[8:]))
		for j := uint64(0); j < cnt; j++ {
			if seen++; seen > maxEntries {
				return nil, fmt.Errorf("%w: too many version needs", ErrMalformed)
			}
			va, err := read(aux)
			if err != nil {
				return nil, err
			}
			need.Versions = append(need.Versions, cString(strs, uint64(bo.Uint32(va[8:]))))
			next := uint64(bo.Uint32(va[12:]))
			if next == 0 {
				break
			}
			aux += next
		}
		needs = append(needs, need)
		next := uint64(bo.Uint32(vn[12:]))
		if next == 0 {
			break
		}
		off += next
	}
	return needs, nil
}

// hasPclntab looks for the function table's header in the read-only
// loaded segments.
func hasPclntab(r io.ReaderAt, size int64, ef *elf.File) bool {
	for _, p := range ef.Progs {
		if p.Type != elf.PT_LOAD || p.Flags&elf.PF_W != 0 || p.Flags&elf.PF_X != 0 {
			continue
		}
		if scanPclntab(r, size, int64(p.Off), int64(p.Filesz)) {
			return true
		}
	}
	return false
}
