//go:build freebsd || netbsd || openbsd || dragonfly

package goenv

import "golang.org/x/sys/unix"

// detectMachine reads the kernel's machine name.
func detectMachine(h *Host) {
	var u unix.Utsname
	if err := unix.Uname(&u); err == nil {
		h.Machine = unix.ByteSliceToString(u.Machine[:])
	}
	h.GOARCH = ArchFromMachine(h.Machine)
}
