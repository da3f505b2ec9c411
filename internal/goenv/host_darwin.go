//go:build darwin

package goenv

import "golang.org/x/sys/unix"

// detectMachine asks the kernel. Under Rosetta 2 uname reports x86_64, but
// hw.optional.arm64 still says the machine is Apple silicon and
// sysctl.proc_translated says this process is translated.
func detectMachine(h *Host) {
	var u unix.Utsname
	if err := unix.Uname(&u); err == nil {
		h.Machine = unix.ByteSliceToString(u.Machine[:])
	}
	h.GOARCH = ArchFromMachine(h.Machine)
	if v, err := unix.SysctlUint32("hw.optional.arm64"); err == nil && v == 1 {
		h.GOARCH = "arm64"
	}
	if v, err := unix.SysctlUint32("sysctl.proc_translated"); err == nil && v == 1 {
		h.Translated = true
	}
}
