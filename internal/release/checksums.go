package release

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"
	"unicode/utf8"
)

// Sum is one line of a sha256sum file.
type Sum struct {
	Name string
	Hex  string
}

// formatChecksums writes sums as `sha256sum` does, "<hex>  <name>" sorted
// by name, which `sha256sum -c` and goreleaser's checksums.txt agree on.
func formatChecksums(sums []Sum) []byte {
	s := slices.Clone(sums)
	slices.SortFunc(s, func(a, b Sum) int { return strings.Compare(a.Name, b.Name) })
	var b bytes.Buffer
	for _, x := range s {
		fmt.Fprintf(&b, "%s  %s\n", x.Hex, x.Name)
	}
	return b.Bytes()
}

// maxChecksumLine bounds one line; names are paths, never megabytes.
const maxChecksumLine = 64 << 10

// ParseChecksums reads a sha256sum-format file: "<64 hex>  <name>" or
// "<64 hex> *<name>" (binary mode) per line; blank lines are skipped.
// Names must be relative, clean, slash-separated paths inside the
// release directory and appear once.
func ParseChecksums(r io.Reader) ([]Sum, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxChecksumLine)
	var sums []Sum
	seen := map[string]bool{}
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		if !utf8.ValidString(line) {
			return nil, fmt.Errorf("line %d: not valid UTF-8", n)
		}
		h, name, ok := strings.Cut(line, " ")
		if !ok || len(h) != sha256.Size*2 || !isHex(h) {
			return nil, fmt.Errorf("line %d: want \"<sha256 hex>  <name>\"", n)
		}
		switch {
		case strings.HasPrefix(name, " "), strings.HasPrefix(name, "*"):
			name = name[1:]
		default:
			return nil, fmt.Errorf("line %d: want two spaces between the checksum and the name", n)
		}
		if err := checkRelName(name); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if seen[name] {
			return nil, fmt.Errorf("line %d: %s is listed twice", n, name)
		}
		seen[name] = true
		sums = append(sums, Sum{Name: name, Hex: strings.ToLower(h)})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading checksums: %w", err)
	}
	return sums, nil
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
}

// checkRelName accepts only names that stay inside the directory they are
// relative to.
func checkRelName(name string) error {
	if name == "" || path.IsAbs(name) || strings.ContainsAny(name, "\\\x00") || path.Clean(name) != name || name == ".." || strings.HasPrefix(name, "../") {
		return fmt.Errorf("name %q is not a plain relative path", name)
	}
	return nil
}

// fileSHA256 returns the hex SHA-256 of a file.
func fileSHA256(file string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func bytesSHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
