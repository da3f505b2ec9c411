package binfile

import (
	"bytes"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"strings"
)

// WasmFacts are details only WebAssembly modules have.
type WasmFacts struct {
	Version uint32 `json:"version"`
	// ImportModules are the host modules the program imports from: "gojs"
	// (GOOS=js, needs wasm_exec.js), "wasi_snapshot_preview1" (wasip1).
	ImportModules []string `json:"import_modules,omitempty"`
	// Producers is the producers custom section: "language: Go go1.26.8".
	Producers []string `json:"producers,omitempty"`
	// CustomSections lists custom section names in file order.
	CustomSections []string `json:"custom_sections,omitempty"`
}

const (
	wasmCustom = 0
	wasmImport = 2
	wasmData   = 11
)

func inspectWasm(r io.ReaderAt, size int64) (*Facts, error) {
	hdr, err := readAt(r, size, 0, min(size, 8))
	if err != nil {
		return nil, err
	}
	if len(hdr) < 8 {
		return nil, fmt.Errorf("%w: truncated wasm header", ErrMalformed)
	}
	f := &Facts{
		Format: Wasm, Kind: "module", Machine: "wasm", GOARCH: "wasm", Bits: 32, Endianness: "little",
		Wasm: &WasmFacts{Version: uint32(hdr[4]) | uint32(hdr[5])<<8 | uint32(hdr[6])<<16 | uint32(hdr[7])<<24},
	}
	var goVersion string
	off := int64(8)
	for n := 0; off < size; n++ {
		if n > maxEntries {
			return nil, fmt.Errorf("%w: too many wasm sections", ErrMalformed)
		}
		head, err := readAt(r, size, off, min(size-off, 6))
		if err != nil {
			return nil, err
		}
		id := head[0]
		secLen, k, ok := uleb(head[1:])
		if !ok {
			return nil, fmt.Errorf("%w: bad wasm section length at offset %d", ErrMalformed, off)
		}
		start := off + 1 + int64(k)
		if secLen > uint64(size-start) {
			return nil, fmt.Errorf("%w: wasm section %d at offset %d exceeds the file", ErrMalformed, id, off)
		}
		off = start + int64(secLen)
		switch id {
		case wasmCustom:
			b, err := readAt(r, size, start, min(int64(secLen), maxTable))
			if err != nil {
				return nil, err
			}
			name, body, ok := wasmName(b)
			if !ok {
				return nil, fmt.Errorf("%w: bad custom section name at offset %d", ErrMalformed, start)
			}
			f.Wasm.CustomSections = append(f.Wasm.CustomSections, name)
			switch {
			case name == "go:buildid":
				f.GoBuildID = parseFramedBuildID(body)
			case name == "producers":
				f.Wasm.Producers = wasmProducers(body)
				for _, p := range f.Wasm.Producers {
					if v, ok := strings.CutPrefix(p, "language: Go "); ok {
						goVersion = v
					}
				}
			case name == "name":
				f.Stripped.Symbols = true
			case strings.HasPrefix(name, ".debug_"):
				f.Stripped.DWARF = true
			}
		case wasmImport:
			b, err := readAt(r, size, start, int64(secLen))
			if err != nil {
				return nil, err
			}
			f.Wasm.ImportModules = wasmImportModules(b)
		case wasmData:
			f.Go, f.Stripped.Pclntab = wasmGoData(r, size, start, int64(secLen))
		}
	}
	switch {
	case slices.Contains(f.Wasm.ImportModules, "gojs"):
		f.GOOS = "js"
	case slices.Contains(f.Wasm.ImportModules, "wasi_snapshot_preview1"):
		f.GOOS = "wasip1"
	}
	if f.Go != nil {
		f.Go.GoVersion = goVersion
	}
	f.finish()
	return f, nil
}

// wasmGoData scans the data section for the module information and the
// function table, in 1 MiB windows so that a large module costs no large
// allocation.
func wasmGoData(r io.ReaderAt, size, off, n int64) (*debug.BuildInfo, bool) {
	const chunk = 1 << 20
	var bi *debug.BuildInfo
	pclntab := false
	buf := make([]byte, chunk+64)
	for pos := int64(0); pos < n && (bi == nil || !pclntab); pos += chunk {
		b := buf[:min(int64(len(buf)), n-pos)]
		if _, err := r.ReadAt(b, off+pos); err != nil && err != io.EOF {
			break
		}
		if bi == nil {
			if i := bytes.Index(b, modInfoStart); i >= 0 {
				// Module information is at most a few hundred KiB even for
				// large programs.
				rest, err := readAt(r, size, off+pos+int64(i), min(n-pos-int64(i), 4<<20))
				if err == nil {
					bi, _ = modInfoFromData(rest)
				}
			}
		}
		if !pclntab {
			for i := 0; i+8 <= len(b); i++ {
				if b[i] == 0xf1 && isPclntabHeader(b[i:i+8]) {
					pclntab = true
					break
				}
			}
		}
	}
	return bi, pclntab
}

// uleb decodes an unsigned LEB128 number of at most 64 bits.
func uleb(b []byte) (v uint64, n int, ok bool) {
	for shift := uint(0); n < len(b) && shift < 64; shift += 7 {
		c := b[n]
		n++
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v, n, true
		}
	}
	return 0, n, false
}

// wasmName splits a length-prefixed name off b.
func wasmName(b []byte) (name string, rest []byte, ok bool) {
	l, k, ok := uleb(b)
	if !ok || l > uint64(len(b)-k) {
		return "", nil, false
	}
	return string(b[k : k+int(l)]), b[k+int(l):], true
}

// wasmImportModules lists the distinct module names of an import section.
func wasmImportModules(b []byte) []string {
	count, k, ok := uleb(b)
	if !ok {
		return nil
	}
	b = b[k:]
	var mods []string
	for i := uint64(0); i < count && i < maxEntries; i++ {
		mod, rest, ok := wasmName(b)
		if !ok {
			break
		}
		_, rest, ok = wasmName(rest)
		if !ok || len(rest) == 0 {
			break
		}
		if !slices.Contains(mods, mod) {
			mods = append(mods, mod)
		}
		kind := rest[0]
		rest = rest[1:]
		switch kind {
		case 0: // function: type index
			_, k, ok = uleb(rest)
		case 1: // table: reference type, limits
			if len(rest) == 0 {
				return mods
			}
			k, ok = wasmLimits(rest[1:])
			k++
		case 2: // memory: limits
			k, ok = wasmLimits(rest)
		case 3: // global: value type, mutability
			k, ok = 2, len(rest) >= 2
		case 4: // tag: attribute, type index
			if len(rest) == 0 {
				return mods
			}
			_, k, ok = uleb(rest[1:])
			k++
		default:
			return mods
		}
		if !ok || k > len(rest) {
			break
		}
		b = rest[k:]
	}
	return mods
}

func wasmLimits(b []byte) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	flags := b[0]
	_, k1, ok := uleb(b[1:])
	if !ok {
		return 0, false
	}
	n := 1 + k1
	if flags&1 != 0 {
		_, k2, ok := uleb(b[n:])
		if !ok {
			return 0, false
		}
		n += k2
	}
	return n, true
}

// wasmProducers flattens the producers section into "field: name version"
// strings.
func wasmProducers(b []byte) []string {
	fields, k, ok := uleb(b)
	if !ok {
		return nil
	}
	b = b[k:]
	var out []string
	for i := uint64(0); i < fields && i < 64; i++ {
		field, rest, ok := wasmName(b)
		if !ok {
			return out
		}
		n, k, ok := uleb(rest)
		if !ok {
			return out
		}
		rest = rest[k:]
		for j := uint64(0); j < n && j < 64; j++ {
			var name, version string
			if name, rest, ok = wasmName(rest); !ok {
				return out
			}
			if version, rest, ok = wasmName(rest); !ok {
				return out
			}
			out = append(out, strings.TrimSpace(field+": "+name+" "+version))
		}
		b = rest
	}
	return out
}
