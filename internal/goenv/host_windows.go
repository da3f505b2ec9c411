//go:build windows

package goenv

import "golang.org/x/sys/windows"

// detectMachine asks Windows for the native machine: an amd64 process
// emulated on Windows on Arm still learns that the machine is arm64.
func detectMachine(h *Host) {
	var process, native uint16
	if err := windows.IsWow64Process2(windows.CurrentProcess(), &process, &native); err != nil {
		return
	}
	switch native {
	case 0x8664: // IMAGE_FILE_MACHINE_AMD64
		h.Machine, h.GOARCH = "AMD64", "amd64"
	case 0xaa64: // IMAGE_FILE_MACHINE_ARM64
		h.Machine, h.GOARCH = "ARM64", "arm64"
	case 0x014c: // IMAGE_FILE_MACHINE_I386
		h.Machine, h.GOARCH = "x86", "386"
	case 0x01c4: // IMAGE_FILE_MACHINE_ARMNT
		h.Machine, h.GOARCH = "ARM", "arm"
	}
}
