package repro

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
)

// stringVar reads the value of a Go string variable (what -X sets) from
// an ELF binary's symbol table: the symbol is a string header, a pointer
// and a length, pointing into read-only data.
func stringVar(data []byte, name string) (string, error) {
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return "", errors.New("only ELF binaries are read")
	}
	syms, err := f.Symbols()
	if err != nil {
		return "", fmt.Errorf("no symbol table (stripped)")
	}
	words := 8
	if f.Class == elf.ELFCLASS32 {
		words = 4
	}
	for _, s := range syms {
		if s.Name != name {
			continue
		}
		hdr, err := readAddr(f, s.Value, uint64(2*words))
		if err != nil {
			return "", err
		}
		ptr, n := word(f, hdr[:words]), word(f, hdr[words:])
		if n > 1<<20 {
			return "", fmt.Errorf("%s: implausible length %d", name, n)
		}
		if n == 0 {
			return "", nil
		}
		b, err := readAddr(f, ptr, n)
		if err != nil {
			return "", err
		}
		return string(b), nil
	}
	return "", fmt.Errorf("no symbol %s", name)
}

func word(f *elf.File, b []byte) uint64 {
	if len(b) == 4 {
		return uint64(f.ByteOrder.Uint32(b))
	}
	return f.ByteOrder.Uint64(b)
}

// readAddr reads n bytes at virtual address addr from the section that
// holds it.
func readAddr(f *elf.File, addr, n uint64) ([]byte, error) {
	for _, s := range f.Sections {
		if s.Type == elf.SHT_NOBITS || addr < s.Addr || addr+n > s.Addr+s.Size || addr+n < addr {
			continue
		}
		b := make([]byte, n)
		if _, err := s.ReadAt(b, int64(addr-s.Addr)); err != nil {
			return nil, err
		}
		return b, nil
	}
	return nil, fmt.Errorf("address %#x is in no section", addr)
}
