package binfile

import (
	"debug/macho"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// MachOFacts are details only Mach-O files have.
type MachOFacts struct {
	Type  string `json:"type"` // MH_EXECUTE, MH_DYLIB, ...
	Flags uint32 `json:"flags"`
	// Platform is the LC_BUILD_VERSION platform (macOS, iOS, ...).
	Platform string `json:"platform,omitempty"`
	// MinOS and SDK come from LC_BUILD_VERSION or LC_VERSION_MIN_*.
	MinOS string `json:"min_os,omitempty"`
	SDK   string `json:"sdk,omitempty"`
	// CodeSignature is true when LC_CODE_SIGNATURE is present; Apple
	// silicon refuses to run unsigned arm64 code.
	CodeSignature bool `json:"code_signature"`
	// WeakDylibs are LC_LOAD_WEAK_DYLIB libraries (also in Linking.Needed).
	WeakDylibs []string `json:"weak_dylibs,omitempty"`
}

// Load commands that debug/macho does not name.
const (
	lcLoadWeakDylib  = 0x80000018
	lcReexportDylib  = 0x8000001f
	lcLoadDylinker   = 0xe
	lcUUID           = 0x1b
	lcCodeSignature  = 0x1d
	lcVersionMinOSX  = 0x24
	lcVersionMinIOS  = 0x25
	lcVersionMinTV   = 0x2f
	lcVersionMinWOS  = 0x30
	lcBuildVersion   = 0x32
	mhPIE            = 0x200000
	mhAllowStackExec = 0x20000
	mhNoHeapExec     = 0x1000000
)

var machoPlatforms = map[uint32]string{
	1: "macOS", 2: "iOS", 3: "tvOS", 4: "watchOS", 5: "bridgeOS", 6: "Mac Catalyst",
	7: "iOS simulator", 8: "tvOS simulator", 9: "watchOS simulator", 10: "DriverKit",
	11: "visionOS", 12: "visionOS simulator",
}

func inspectMachO(r io.ReaderAt, size int64) (*Facts, error) {
	return inspectMachOWith(r, size, true)
}

// inspectMachOWith reads a thin Mach-O file; hide is false only in tests
// that compare with what debug/macho makes of the unpatched file.
func inspectMachOWith(r io.ReaderAt, size int64, hide bool) (*Facts, error) {
	mr, defined, hidden := r, false, false
	if hide {
		mr, defined, hidden = hideMachOSymbols(r, size)
	}
	mf, err := macho.NewFile(mr)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	// Only debug/* see the patched header; goport's own reads do not.
	f, err := machoFacts(r, size, mf, mr)
	if err != nil {
		return nil, err
	}
	if hidden {
		// mf.Symtab is empty on the patched reader.
		f.Stripped.Symbols = defined
	}
	return f, nil
}

// machoFacts derives the facts of mf, read from r; debug/buildinfo reads
// bi, which may hide the symbol table.
func machoFacts(r io.ReaderAt, size int64, mf *macho.File, bi io.ReaderAt) (*Facts, error) {
	f := &Facts{
		Format:     MachO,
		Machine:    strings.TrimPrefix(mf.Cpu.String(), "Cpu"),
		Endianness: "little",
		MachO:      &MachOFacts{Type: machoType(mf.Type), Flags: mf.Flags},
	}
	if mf.ByteOrder == binary.BigEndian {
		f.Endianness = "big"
	}
	f.Bits = 32
	if mf.Magic == macho.Magic64 {
		f.Bits = 64
	}
	switch mf.Cpu {
	case macho.Cpu386:
		f.GOARCH = "386"
	case macho.CpuAmd64:
		f.GOARCH = "amd64"
	case macho.CpuArm:
		f.GOARCH = "arm"
	case macho.CpuArm64:
		f.GOARCH = "arm64"
	case macho.CpuPpc64:
		f.GOARCH = "ppc64"
	}
	switch mf.Type {
	case macho.TypeExec:
		f.Kind = "executable"
	case macho.TypeDylib:
		f.Kind = "dylib"
	case macho.TypeBundle:
		f.Kind = "bundle"
	case macho.TypeObj:
		f.Kind = "object"
	}
	bo := mf.ByteOrder
	f.Linking.Mode = Static
	for _, l := range mf.Loads {
		raw := l.Raw()
		if len(raw) < 8 {
			continue
		}
		switch cmd := bo.Uint32(raw); cmd {
		case uint32(macho.LoadCmdDylib), lcLoadWeakDylib, lcReexportDylib:
			name := lcString(bo, raw)
			f.Linking.Needed = append(f.Linking.Needed, name)
			if cmd == lcLoadWeakDylib {
				f.MachO.WeakDylibs = append(f.MachO.WeakDylibs, name)
			}
		case uint32(macho.LoadCmdRpath):
			f.Linking.RPath = append(f.Linking.RPath, lcString(bo, raw))
		case lcLoadDylinker:
			f.Linking.Interpreter = lcString(bo, raw)
		case lcUUID:
			if len(raw) >= 24 {
				f.UUID = formatUUID(raw[8:24])
			}
		case lcCodeSignature:
			f.MachO.CodeSignature = true
		case lcBuildVersion:
			if len(raw) >= 20 {
				f.MachO.Platform = platformName(bo.Uint32(raw[8:]))
				f.MachO.MinOS = machoVersion(bo.Uint32(raw[12:]))
				f.MachO.SDK = machoVersion(bo.Uint32(raw[16:]))
			}
		case lcVersionMinOSX, lcVersionMinIOS, lcVersionMinTV, lcVersionMinWOS:
			if len(raw) >= 16 && f.MachO.MinOS == "" {
				f.MachO.Platform = map[uint32]string{lcVersionMinOSX: "macOS", lcVersionMinIOS: "iOS", lcVersionMinTV: "tvOS", lcVersionMinWOS: "watchOS"}[cmd]
				f.MachO.MinOS = machoVersion(bo.Uint32(raw[8:]))
				f.MachO.SDK = machoVersion(bo.Uint32(raw[12:]))
			}
		}
	}
	if f.Linking.Interpreter != "" || len(f.Linking.Needed) > 0 {
		f.Linking.Mode = Dynamic
	}
	switch f.MachO.Platform {
	case "iOS", "iOS simulator", "Mac Catalyst":
		f.GOOS = "ios"
	case "", "macOS":
		f.GOOS = "darwin"
	}
	f.Hardening.PIE = mf.Flags&mhPIE != 0
	f.Hardening.NXStack = mf.Flags&mhAllowStackExec == 0

	if mf.Symtab != nil {
		for _, s := range mf.Symtab.Syms {
			if s.Sect != 0 && s.Type&0xe0 == 0 { // defined in a section, not a debugging (stab) entry
				f.Stripped.Symbols = true
				break
			}
		}
	}
	if mf.Segment("__DWARF") != nil {
		f.Stripped.DWARF = true
	}
	for _, s := range mf.Sections {
		if s.Name == "__gopclntab" {
			f.Stripped.Pclntab = true
		}
	}

	f.GoBuildID = framedBuildID(r, size, 0)
	if f.GoBuildID == "" {
		if text := mf.Section("__text"); text != nil {
			f.GoBuildID = framedBuildID(r, size, int64(text.Offset))
		}
	}
	f.Go = readBuildInfo(bi)
	f.finish()
	return f, nil
}

// inspectFat reads a universal binary: one Facts per architecture, and a
// summary whose Go information is the first slice's (as go version does).
func inspectFat(r io.ReaderAt, size int64) (*Facts, error) {
	ff, err := macho.NewFatFile(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	f := &Facts{Format: MachOFat, Kind: "universal"}
	var archs []string
	for _, a := range ff.Arches {
		if int64(a.Offset) > size || int64(a.Size) > size-int64(a.Offset) {
			return nil, fmt.Errorf("%w: slice %s exceeds the file", ErrMalformed, a.Cpu)
		}
		sr := io.NewSectionReader(r, int64(a.Offset), int64(a.Size))
		s, err := machoFacts(sr, int64(a.Size), a.File, sr)
		if err != nil {
			return nil, err
		}
		s.Size = int64(a.Size)
		f.Slices = append(f.Slices, s)
		archs = append(archs, s.GOARCH)
	}
	if len(f.Slices) > 0 {
		first := f.Slices[0]
		f.GOOS, f.Go, f.GoBuildID = first.GOOS, first.Go, first.GoBuildID
		f.Machine = strings.Join(archs, ",")
	}
	return f, nil
}

// lcString reads the string a dylib, rpath or dylinker command points at:
// its offset is the word after cmd and cmdsize.
func lcString(bo binary.ByteOrder, raw []byte) string {
	if len(raw) < 12 {
		return ""
	}
	return cString(raw, uint64(bo.Uint32(raw[8:])))
}

// machoVersion formats a packed xxxx.yy.zz version.
func machoVersion(v uint32) string {
	s := fmt.Sprintf("%d.%d", v>>16, v>>8&0xff)
	if v&0xff != 0 {
		s += fmt.Sprintf(".%d", v&0xff)
	}
	return s
}

func platformName(p uint32) string {
	if n, ok := machoPlatforms[p]; ok {
		return n
	}
	return fmt.Sprintf("platform %d", p)
}

func formatUUID(b []byte) string {
	h := strings.ToUpper(hex.EncodeToString(b))
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func machoType(t macho.Type) string {
	switch t {
	case macho.TypeExec:
		return "MH_EXECUTE"
	case macho.TypeDylib:
		return "MH_DYLIB"
	case macho.TypeBundle:
		return "MH_BUNDLE"
	case macho.TypeObj:
		return "MH_OBJECT"
	}
	return fmt.Sprintf("type %d", uint32(t))
}
