package binfile

import (
	"bytes"
	"debug/buildinfo"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
)

// readBuildInfo returns the Go build information of r, or nil when r was
// not built by the go command. debug/buildinfo has panicked on crafted
// files before (golang/go#69066), so a panic counts as "none".
func readBuildInfo(r io.ReaderAt) (bi *debug.BuildInfo) {
	defer func() {
		if recover() != nil {
			bi = nil
		}
	}()
	bi, err := buildinfo.Read(r)
	if err != nil {
		return nil
	}
	return bi
}

// The framing the Go linker puts around the build ID at the start of the
// text section on non-ELF systems (cmd/link/internal/ld/data.go textbuildid).
var (
	buildIDPrefix = []byte("\xff Go build ID: \"")
	buildIDSuffix = []byte("\"\n \xff")
)

// buildIDSearch is how far `go tool buildid` looks for a framed ID.
const buildIDSearch = 32 << 10

// framedBuildID finds a framed Go build ID in the first 32 KiB of r at
// off, as cmd/internal/buildid does.
func framedBuildID(r io.ReaderAt, size, off int64) string {
	n := min(int64(buildIDSearch), size-off)
	if off < 0 || n <= 0 {
		return ""
	}
	b := make([]byte, n)
	if _, err := r.ReadAt(b, off); err != nil && err != io.EOF {
		return ""
	}
	return parseFramedBuildID(b)
}

func parseFramedBuildID(b []byte) string {
	i := bytes.Index(b, buildIDPrefix)
	if i < 0 {
		return ""
	}
	rest := b[i+len(buildIDPrefix)-1:] // keep the opening quote
	j := bytes.Index(rest, buildIDSuffix)
	if j < 0 {
		return ""
	}
	id, err := strconv.Unquote(string(rest[:j+1]))
	if err != nil {
		return ""
	}
	return id
}

// Markers that the go command puts around the module information string
// (cmd/go/internal/modload/build.go infoStart/infoEnd). They let goport
// find build information in wasm binaries, where the linker writes no
// build-info header (golang/go#73741).
var (
	modInfoStart = []byte{0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02, 0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6}
	modInfoEnd   = []byte{0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72, 0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2}
)

// modInfoFromData finds the framed module information in b and parses it.
func modInfoFromData(b []byte) (*debug.BuildInfo, error) {
	i := bytes.Index(b, modInfoStart)
	if i < 0 {
		return nil, fmt.Errorf("no module information")
	}
	rest := b[i+len(modInfoStart):]
	j := bytes.Index(rest, modInfoEnd)
	if j < 0 {
		return nil, fmt.Errorf("module information not terminated")
	}
	return debug.ParseBuildInfo(string(rest[:j]))
}
