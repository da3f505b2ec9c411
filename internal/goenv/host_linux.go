//go:build linux

package goenv

import (
	"os"

	"golang.org/x/sys/unix"
)

// detectMachine reads the kernel's machine name and the CPU description.
func detectMachine(h *Host) {
	var u unix.Utsname
	if err := unix.Uname(&u); err == nil {
		h.Machine = unix.ByteSliceToString(u.Machine[:])
	}
	data, _ := os.ReadFile("/proc/cpuinfo")
	reconcile(h, CPUInfoArch(data))
}
