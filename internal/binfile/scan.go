package binfile

import (
	"io"
)

// scanPclntab reports whether the region [off, off+n) of r holds a Go
// function table header: a 4-byte magic (0xfffffff1 for Go 1.20+, older
// f0/fa/fb) in either byte order, two zero bytes, the instruction quantum
// (1, 2 or 4) and the pointer size (4 or 8). The table is aligned, which
// rules out most chance matches.
func scanPclntab(r io.ReaderAt, size, off, n int64) bool {
	if off < 0 || off > size {
		return false
	}
	n = min(n, size-off)
	const chunk = 1 << 20
	buf := make([]byte, chunk+8)
	for pos := int64(0); pos < n; pos += chunk {
		b := buf[:min(int64(len(buf)), n-pos)]
		if _, err := r.ReadAt(b, off+pos); err != nil && err != io.EOF {
			return false
		}
		for i := int((4 - (off+pos)%4) % 4); i+8 <= len(b); i += 4 {
			if isPclntabHeader(b[i : i+8]) {
				return true
			}
		}
	}
	return false
}

func isPclntabHeader(h []byte) bool {
	var magic byte
	switch {
	case h[1] == 0xff && h[2] == 0xff && h[3] == 0xff:
		magic = h[0]
	case h[0] == 0xff && h[1] == 0xff && h[2] == 0xff:
		magic = h[3]
	default:
		return false
	}
	switch magic {
	case 0xf1, 0xf0, 0xfa, 0xfb:
	default:
		return false
	}
	q, p := h[6], h[7]
	return h[4] == 0 && h[5] == 0 && (q == 1 || q == 2 || q == 4) && (p == 4 || p == 8)
}
