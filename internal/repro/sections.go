package repro

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
)

// Section is one section of a binary with the digest of its content.
type Section struct {
	Name   string `json:"name"`
	Size   uint64 `json:"size"`
	SHA256 string `json:"sha256"`
}

// SectionDiff is a section whose content differs between two binaries;
// a missing side has an empty digest.
type SectionDiff struct {
	Name  string `json:"name"`
	SizeA uint64 `json:"size_a"`
	SizeB uint64 `json:"size_b"`
	HashA string `json:"sha256_a,omitempty"`
	HashB string `json:"sha256_b,omitempty"`
}

// maxSection bounds what is read of one section.
const maxSection = 1 << 30

// sections lists the sections of an ELF, Mach-O or PE file. Sections with
// no file content (.bss) are left out.
func sections(data []byte) (_ []Section, err error) {
	// debug/elf, debug/macho and debug/pe have panicked on hostile input
	// before; a damaged file must end as an error, not a crash.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed binary: %v", r)
		}
	}()
	r := bytes.NewReader(data)
	digest := func(sr io.Reader, size uint64) (string, error) {
		if size > maxSection {
			return "", fmt.Errorf("section of %d bytes is too large", size)
		}
		h := sha256.New()
		if _, err := io.Copy(h, io.LimitReader(sr, int64(size))); err != nil {
			return "", err
		}
		return hex.EncodeToString(h.Sum(nil)), nil
	}
	var out []Section
	switch {
	case bytes.HasPrefix(data, []byte("\x7fELF")):
		f, err := elf.NewFile(r)
		if err != nil {
			return nil, err
		}
		for _, s := range f.Sections {
			if s.Type == elf.SHT_NOBITS || s.Type == elf.SHT_NULL {
				continue
			}
			d, err := digest(s.Open(), s.Size)
			if err != nil {
				return nil, fmt.Errorf("section %s: %w", s.Name, err)
			}
			out = append(out, Section{Name: s.Name, Size: s.Size, SHA256: d})
		}
	case bytes.HasPrefix(data, []byte("MZ")):
		f, err := pe.NewFile(r)
		if err != nil {
			return nil, err
		}
		for _, s := range f.Sections {
			d, err := digest(s.Open(), uint64(s.Size))
			if err != nil {
				return nil, fmt.Errorf("section %s: %w", s.Name, err)
			}
			out = append(out, Section{Name: s.Name, Size: uint64(s.Size), SHA256: d})
		}
	default:
		f, err := macho.NewFile(r)
		if err != nil {
			return nil, fmt.Errorf("not an ELF, PE or Mach-O file: %w", err)
		}
		for _, s := range f.Sections {
			if s.Offset == 0 {
				continue // zero-fill sections have no content
			}
			d, err := digest(s.Open(), s.Size)
			if err != nil {
				return nil, fmt.Errorf("section %s: %w", s.Name, err)
			}
			out = append(out, Section{Name: s.Seg + "," + s.Name, Size: s.Size, SHA256: d})
		}
	}
	return out, nil
}

// diffSections lists sections whose content differs, in a's order then
// b's extra sections.
func diffSections(a, b []Section) []SectionDiff {
	find := func(list []Section, name string) (Section, bool) {
		i := slices.IndexFunc(list, func(s Section) bool { return s.Name == name })
		if i < 0 {
			return Section{}, false
		}
		return list[i], true
	}
	var out []SectionDiff
	for _, sa := range a {
		sb, ok := find(b, sa.Name)
		if !ok || sb.SHA256 != sa.SHA256 {
			out = append(out, SectionDiff{Name: sa.Name, SizeA: sa.Size, SizeB: sb.Size, HashA: sa.SHA256, HashB: sb.SHA256})
		}
	}
	for _, sb := range b {
		if _, ok := find(a, sb.Name); !ok {
			out = append(out, SectionDiff{Name: sb.Name, SizeB: sb.Size, HashB: sb.SHA256})
		}
	}
	return out
}
