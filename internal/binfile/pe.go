package binfile

import (
	"debug/pe"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
)

// PEFacts are details only PE files have.
type PEFacts struct {
	// Subsystem is "console", "gui", "native", "efi application", ...
	Subsystem string `json:"subsystem"`
	// MinOS is the OperatingSystemVersion header field; SubsystemVersion
	// is what the loader actually checks.
	MinOS            string `json:"min_os"`
	SubsystemVersion string `json:"subsystem_version"`
	ImageBase        uint64 `json:"image_base"`
	// DllCharacteristics as a number, for tools that want the raw bits.
	DllCharacteristics uint16 `json:"dll_characteristics"`
}

// PE DllCharacteristics bits.
const (
	peHighEntropyVA = 0x20
	peDynamicBase   = 0x40
	peNXCompat      = 0x100
	peGuardCF       = 0x4000
)

var peSubsystems = map[uint16]string{
	1: "native", 2: "gui", 3: "console", 5: "os/2 console", 7: "posix console",
	9: "windows ce gui", 10: "efi application", 11: "efi boot service driver",
	12: "efi runtime driver", 13: "efi rom", 14: "xbox", 16: "windows boot application",
}

func inspectPE(r io.ReaderAt, size int64) (*Facts, error) {
	return inspectPEWith(r, size, true)
}

// inspectPEWith reads a PE file; hide is false only in tests that compare
// with what debug/pe makes of the unpatched file.
func inspectPEWith(r io.ReaderAt, size int64, hide bool) (*Facts, error) {
	h, err := checkPEHeader(r, size)
	if err != nil {
		return nil, err
	}
	pr := r
	if hide {
		pr = hidePESymbols(r, size, h)
	}
	pf, err := pe.NewFile(pr)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	f := &Facts{Format: PE, GOOS: "windows", Endianness: "little", PE: &PEFacts{}}
	switch pf.Machine {
	case pe.IMAGE_FILE_MACHINE_I386:
		f.GOARCH, f.Machine = "386", "IMAGE_FILE_MACHINE_I386"
	case pe.IMAGE_FILE_MACHINE_AMD64:
		f.GOARCH, f.Machine = "amd64", "IMAGE_FILE_MACHINE_AMD64"
	case pe.IMAGE_FILE_MACHINE_ARMNT:
		f.GOARCH, f.Machine = "arm", "IMAGE_FILE_MACHINE_ARMNT"
	case pe.IMAGE_FILE_MACHINE_ARM64:
		f.GOARCH, f.Machine = "arm64", "IMAGE_FILE_MACHINE_ARM64"
	default:
		f.Machine = fmt.Sprintf("machine %#x", pf.Machine)
	}
	switch {
	case pf.Characteristics&pe.IMAGE_FILE_DLL != 0:
		f.Kind = "dll"
	case pf.Characteristics&pe.IMAGE_FILE_EXECUTABLE_IMAGE != 0:
		f.Kind = "executable"
	default:
		f.Kind = "object"
	}
	var (
		dirs                []pe.DataDirectory
		subsystem, dllChars uint16
	)
	switch oh := pf.OptionalHeader.(type) {
	case *pe.OptionalHeader32:
		f.Bits = 32
		dirs, subsystem, dllChars = oh.DataDirectory[:], oh.Subsystem, oh.DllCharacteristics
		f.PE.ImageBase = uint64(oh.ImageBase)
		f.PE.MinOS = fmt.Sprintf("%d.%d", oh.MajorOperatingSystemVersion, oh.MinorOperatingSystemVersion)
		f.PE.SubsystemVersion = fmt.Sprintf("%d.%d", oh.MajorSubsystemVersion, oh.MinorSubsystemVersion)
	case *pe.OptionalHeader64:
		f.Bits = 64
		dirs, subsystem, dllChars = oh.DataDirectory[:], oh.Subsystem, oh.DllCharacteristics
		f.PE.ImageBase = oh.ImageBase
		f.PE.MinOS = fmt.Sprintf("%d.%d", oh.MajorOperatingSystemVersion, oh.MinorOperatingSystemVersion)
		f.PE.SubsystemVersion = fmt.Sprintf("%d.%d", oh.MajorSubsystemVersion, oh.MinorSubsystemVersion)
	}
	if f.Bits == 0 && f.GOARCH != "" {
		f.Bits = map[string]int{"386": 32, "arm": 32, "amd64": 64, "arm64": 64}[f.GOARCH]
	}
	f.PE.Subsystem = peSubsystems[subsystem]
	if f.PE.Subsystem == "" && pf.OptionalHeader != nil {
		f.PE.Subsystem = fmt.Sprintf("subsystem %d", subsystem)
	}
	f.PE.DllCharacteristics = dllChars
	f.Hardening.DynamicBase = dllChars&peDynamicBase != 0
	f.Hardening.HighEntropyVA = dllChars&peHighEntropyVA != 0
	f.Hardening.NXStack = dllChars&peNXCompat != 0
	f.Hardening.CFG = dllChars&peGuardCF != 0

	f.Linking.Mode = Static
	if len(dirs) > pe.IMAGE_DIRECTORY_ENTRY_IMPORT {
		dlls, err := peImports(r, size, pf, dirs[pe.IMAGE_DIRECTORY_ENTRY_IMPORT])
		if err != nil {
			return nil, err
		}
		f.Linking.Needed = dlls
	}
	if len(f.Linking.Needed) > 0 {
		f.Linking.Mode = Dynamic
	}

	f.Stripped.Symbols = h.nsyms > 0
	var text, rdata *pe.Section
	for _, s := range pf.Sections {
		switch {
		case strings.HasPrefix(s.Name, ".debug_"), strings.HasPrefix(s.Name, ".zdebug_"):
			f.Stripped.DWARF = true
		case s.Name == ".text":
			text = s
		case s.Name == ".rdata":
			rdata = s
		}
	}
	if rdata != nil {
		f.Stripped.Pclntab = scanPclntab(r, size, int64(rdata.Offset), int64(rdata.Size))
	}
	f.GoBuildID = framedBuildID(r, size, 0)
	if f.GoBuildID == "" && text != nil {
		f.GoBuildID = framedBuildID(r, size, int64(text.Offset))
	}
	f.Go = readBuildInfo(pr)
	f.finish()
	return f, nil
}

// checkPEHeader bounds the COFF symbol and string tables, which
// pe.NewFile reads whole (golang/go#17809, #43827), and returns where
// they are.
func checkPEHeader(r io.ReaderAt, size int64) (peHeader, error) {
	dos, err := readAt(r, size, 0, min(size, 64))
	if err != nil {
		return peHeader{}, err
	}
	if len(dos) < 64 {
		return peHeader{}, fmt.Errorf("%w: truncated DOS header", ErrMalformed)
	}
	lfanew := int64(binary.LittleEndian.Uint32(dos[0x3c:]))
	coff, err := readAt(r, size, lfanew, 24)
	if err != nil {
		return peHeader{}, fmt.Errorf("%w: no PE header", ErrNotExecutable)
	}
	if string(coff[:4]) != "PE\x00\x00" {
		return peHeader{}, fmt.Errorf("%w (DOS executable)", ErrNotExecutable)
	}
	h := peHeader{coff: lfanew + 4, symPtr: binary.LittleEndian.Uint32(coff[12:]), nsyms: binary.LittleEndian.Uint32(coff[16:])}
	if h.symPtr == 0 {
		return h, nil
	}
	symPtr := int64(h.symPtr)
	end := symPtr + int64(h.nsyms)*pe.COFFSymbolSize
	if symPtr > size || end > size || end+4 > size {
		return peHeader{}, fmt.Errorf("%w: COFF symbol table exceeds the file", ErrMalformed)
	}
	b, err := readAt(r, size, end, 4)
	if err != nil {
		return peHeader{}, err
	}
	if strsz := int64(binary.LittleEndian.Uint32(b)); strsz > size-end {
		return peHeader{}, fmt.Errorf("%w: COFF string table exceeds the file", ErrMalformed)
	}
	return h, nil
}

// peImports reads the DLL names of the import directory: a run of 20-byte
// IMAGE_IMPORT_DESCRIPTORs whose fourth word is the RVA of the name,
// ending with an all-zero descriptor. debug/pe's ImportedLibraries is a
// stub that returns nothing.
func peImports(r io.ReaderAt, size int64, pf *pe.File, dir pe.DataDirectory) ([]string, error) {
	if dir.VirtualAddress == 0 {
		return nil, nil
	}
	off, ok := rvaToOffset(pf, dir.VirtualAddress)
	if !ok {
		return nil, fmt.Errorf("%w: import directory RVA %#x is in no section", ErrMalformed, dir.VirtualAddress)
	}
	var dlls []string
	for i := 0; i < maxEntries; i++ {
		d, err := readAt(r, size, int64(off)+int64(i)*20, 20)
		if err != nil {
			return nil, fmt.Errorf("reading import directory: %w", err)
		}
		nameRVA := binary.LittleEndian.Uint32(d[12:])
		if nameRVA == 0 {
			break
		}
		noff, ok := rvaToOffset(pf, nameRVA)
		if !ok {
			return nil, fmt.Errorf("%w: imported DLL name RVA %#x is in no section", ErrMalformed, nameRVA)
		}
		b, err := readAt(r, size, int64(noff), min(maxString, size-int64(min(uint64(noff), uint64(size)))))
		if err != nil {
			return nil, fmt.Errorf("reading imported DLL name: %w", err)
		}
		dlls = append(dlls, cString(b, 0))
	}
	return dlls, nil
}

func rvaToOffset(pf *pe.File, rva uint32) (uint32, bool) {
	for _, s := range pf.Sections {
		if rva >= s.VirtualAddress && rva-s.VirtualAddress < s.Size {
			return s.Offset + (rva - s.VirtualAddress), true
		}
	}
	return 0, false
}

// peSymbols reads the export directory: IMAGE_EXPORT_DIRECTORY holds
// NumberOfFunctions at 0x14, NumberOfNames at 0x18, and the RVAs of the
// function, name and name-ordinal arrays at 0x1c, 0x20 and 0x24.
func peSymbols(r io.ReaderAt, size int64) ([]Symbol, error) {
	pf, err := pe.NewFile(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	var dirs []pe.DataDirectory
	switch oh := pf.OptionalHeader.(type) {
	case *pe.OptionalHeader32:
		dirs = oh.DataDirectory[:min(int(oh.NumberOfRvaAndSizes), len(oh.DataDirectory))]
	case *pe.OptionalHeader64:
		dirs = oh.DataDirectory[:min(int(oh.NumberOfRvaAndSizes), len(oh.DataDirectory))]
	}
	if len(dirs) <= pe.IMAGE_DIRECTORY_ENTRY_EXPORT || dirs[pe.IMAGE_DIRECTORY_ENTRY_EXPORT].VirtualAddress == 0 {
		return nil, nil
	}
	dir := dirs[pe.IMAGE_DIRECTORY_ENTRY_EXPORT]
	off, ok := rvaToOffset(pf, dir.VirtualAddress)
	if !ok {
		return nil, fmt.Errorf("%w: export directory RVA %#x is in no section", ErrMalformed, dir.VirtualAddress)
	}
	ed, err := readAt(r, size, int64(off), 40)
	if err != nil {
		return nil, fmt.Errorf("reading export directory: %w", err)
	}
	le := binary.LittleEndian
	nfuncs, nnames := le.Uint32(ed[0x14:]), le.Uint32(ed[0x18:])
	if nnames > maxSymbols || nfuncs > maxSymbols {
		return nil, fmt.Errorf("%w: %d exported names", ErrMalformed, nnames)
	}
	table := func(rva uint32, n, width uint32) ([]byte, error) {
		if n == 0 {
			return nil, nil
		}
		o, ok := rvaToOffset(pf, rva)
		if !ok {
			return nil, fmt.Errorf("%w: export table RVA %#x is in no section", ErrMalformed, rva)
		}
		return readAt(r, size, int64(o), int64(n)*int64(width))
	}
	funcs, err := table(le.Uint32(ed[0x1c:]), nfuncs, 4)
	if err != nil {
		return nil, err
	}
	names, err := table(le.Uint32(ed[0x20:]), nnames, 4)
	if err != nil {
		return nil, err
	}
	ords, err := table(le.Uint32(ed[0x24:]), nnames, 2)
	if err != nil {
		return nil, err
	}
	var out []Symbol
	for i := uint32(0); i < nnames; i++ {
		no, ok := rvaToOffset(pf, le.Uint32(names[4*i:]))
		if !ok {
			continue
		}
		b, err := readAt(r, size, int64(no), min(maxString, size-int64(min(uint64(no), uint64(size)))))
		if err != nil {
			continue
		}
		sym := newSymbol(cString(b, 0))
		sym.Type = "object"
		if ord := uint32(le.Uint16(ords[2*i:])); ord < nfuncs {
			rva := le.Uint32(funcs[4*ord:])
			switch {
			case rva >= dir.VirtualAddress && rva-dir.VirtualAddress < dir.Size:
				sym.Type = "forward" // the RVA names another DLL's export
			case peExecutable(pf, rva):
				sym.Type = "func"
			}
		}
		out = append(out, sym)
	}
	sortSymbols(out)
	return out, nil
}

func peExecutable(pf *pe.File, rva uint32) bool {
	for _, s := range pf.Sections {
		if rva >= s.VirtualAddress && rva-s.VirtualAddress < max(s.VirtualSize, s.Size) {
			return s.Characteristics&pe.IMAGE_SCN_MEM_EXECUTE != 0
		}
	}
	return false
}
