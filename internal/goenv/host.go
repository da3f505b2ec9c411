package goenv

import (
	"bufio"
	"bytes"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// Host describes the machine goport runs on, as the hardware and kernel see
// it — which may differ from the GOHOSTARCH of the go binary when that binary
// runs under Rosetta 2 or another emulator.
type Host struct {
	GOOS string `json:"goos"`
	// GOARCH is the machine's real architecture in GOARCH spelling, or ""
	// when it could not be determined.
	GOARCH string `json:"goarch"`
	// Machine is the kernel's own name for the architecture (uname -m).
	Machine string `json:"machine,omitempty"`
	// Translated is true when this process itself runs under translation
	// (Rosetta 2's sysctl.proc_translated, or a CPU description that
	// contradicts the kernel's machine name).
	Translated bool `json:"translated,omitempty"`
}

// DetectHost reads the real machine architecture.
func DetectHost() Host {
	h := Host{GOOS: runtime.GOOS}
	detectMachine(&h)
	return h
}

// ArchFromMachine maps a kernel machine name (uname -m, as printed by Linux,
// macOS and the BSDs) to its GOARCH, or "" when it is unknown. Big-endian
// and little-endian MIPS share a machine name; the little-endian GOARCH is
// not guessed.
func ArchFromMachine(machine string) string {
	m := strings.ToLower(strings.TrimSpace(machine))
	switch m {
	case "x86_64", "amd64", "x64":
		return "amd64"
	case "i386", "i486", "i586", "i686", "i86pc", "x86":
		return "386"
	case "aarch64", "arm64", "aarch64_be", "armv8b", "armv8l":
		// armv8l is a 64-bit CPU running a 32-bit personality; the
		// machine itself is arm64.
		return "arm64"
	case "ppc64le":
		return "ppc64le"
	case "ppc64":
		return "ppc64"
	case "s390x":
		return "s390x"
	case "riscv64":
		return "riscv64"
	case "loongarch64":
		return "loong64"
	case "mips64":
		return "mips64"
	case "mips":
		return "mips"
	}
	if strings.HasPrefix(m, "armv") || m == "arm" {
		return "arm"
	}
	return ""
}

// CPUInfoArch reads Linux /proc/cpuinfo content and returns the
// architecture family of the CPU it describes: "amd64" or "386" for x86
// (by the long-mode flag), "arm64" or "arm" for ARM (by the architecture
// level), "" when it cannot tell. Only the first processor is read.
func CPUInfoArch(data []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	var vendor, flags, longMode bool
	armLevel := 0
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			if strings.TrimSpace(sc.Text()) == "" && (vendor || armLevel > 0) {
				break // end of the first processor
			}
			continue
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		switch key {
		case "vendor_id":
			vendor = true
		case "flags":
			// s390x has a vendor_id too, but "features", not "flags".
			flags = true
			longMode = slices.Contains(strings.Fields(val), "lm")
		case "CPU architecture":
			// "8", or "AArch64" on some older kernels.
			if strings.EqualFold(val, "aarch64") {
				armLevel = 8
			} else if n, err := strconv.Atoi(val); err == nil {
				armLevel = n
			}
		}
	}
	x86 := vendor && flags
	switch {
	case x86 && longMode:
		return "amd64"
	case x86:
		return "386"
	case armLevel >= 8:
		return "arm64"
	case armLevel > 0:
		return "arm"
	}
	return ""
}

// family groups architectures that one CPU can run natively.
func family(goarch string) string {
	switch goarch {
	case "amd64", "386":
		return "x86"
	case "arm64", "arm":
		return "arm"
	}
	return goarch
}

// reconcile combines the kernel's machine name with the CPU description:
// an emulator (Rosetta for Linux, qemu-user) may report its guest
// architecture as the machine while the CPU description still shows the
// real hardware.
func reconcile(h *Host, cpuArch string) {
	h.GOARCH = ArchFromMachine(h.Machine)
	if cpuArch == "" {
		return
	}
	if h.GOARCH == "" {
		h.GOARCH = cpuArch
		return
	}
	if family(cpuArch) != family(h.GOARCH) {
		h.GOARCH = cpuArch
		h.Translated = true
	}
}
