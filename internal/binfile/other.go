package binfile

import (
	"debug/plan9obj"
	"encoding/binary"
	"fmt"
	"io"
)

// Formats the go command also produces, for aix and plan9.
const (
	XCOFF Format = "xcoff"
	Plan9 Format = "plan9"
)

// XCOFF file-header flags (AIX filehdr.h).
const (
	xcoffExec   = 0x0002
	xcoffShrObj = 0x2000
)

// inspectXCOFF reads the AIX object format: a big-endian file header,
// 0x01DF for 32-bit and 0x01F7 for 64-bit files. Go builds aix/ppc64 only.
func inspectXCOFF(r io.ReaderAt, size int64) (*Facts, error) {
	h, err := readAt(r, size, 0, min(size, 24))
	if err != nil {
		return nil, err
	}
	if len(h) < 20 {
		return nil, fmt.Errorf("%w: truncated XCOFF header", ErrMalformed)
	}
	be := binary.BigEndian
	f := &Facts{Format: XCOFF, GOOS: "aix", Endianness: "big", Machine: "powerpc"}
	var flags uint16
	switch be.Uint16(h) {
	case 0x01df:
		f.Bits, flags = 32, be.Uint16(h[18:])
	case 0x01f7:
		if len(h) < 24 {
			return nil, fmt.Errorf("%w: truncated XCOFF header", ErrMalformed)
		}
		f.Bits, flags, f.GOARCH = 64, be.Uint16(h[18:]), "ppc64"
	}
	switch {
	case flags&xcoffShrObj != 0:
		f.Kind = "shared object"
	case flags&xcoffExec != 0:
		f.Kind = "executable"
	default:
		f.Kind = "object"
	}
	f.GoBuildID = framedBuildID(r, size, 0)
	f.Go = readBuildInfo(r)
	f.Stripped.Pclntab = f.Go != nil // the Go runtime cannot run without it
	f.finish()
	return f, nil
}

// inspectPlan9 reads a Plan 9 a.out file.
func inspectPlan9(r io.ReaderAt, size int64) (*Facts, error) {
	pf, err := plan9obj.NewFile(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	f := &Facts{Format: Plan9, GOOS: "plan9", Kind: "executable", Endianness: "little", Bits: pf.PtrSize * 8}
	switch pf.Magic {
	case plan9obj.Magic386:
		f.GOARCH, f.Machine = "386", "386"
	case plan9obj.MagicAMD64:
		f.GOARCH, f.Machine = "amd64", "amd64"
	case plan9obj.MagicARM:
		f.GOARCH, f.Machine = "arm", "arm"
	default:
		f.Machine = fmt.Sprintf("magic %#x", pf.Magic)
	}
	if s := pf.Section("syms"); s != nil {
		f.Stripped.Symbols = s.Size > 0
	}
	f.GoBuildID = framedBuildID(r, size, 0)
	f.Go = readBuildInfo(r)
	f.Stripped.Pclntab = f.Go != nil // the Go runtime cannot run without it
	f.finish()
	return f, nil
}
