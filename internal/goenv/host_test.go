package goenv

import (
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestArchFromMachine(t *testing.T) {
	t.Parallel()
	for machine, want := range map[string]string{
		"x86_64": "amd64", "amd64": "amd64", "i686": "386", "i386": "386",
		"aarch64": "arm64", "arm64": "arm64", "armv7l": "arm", "armv6l": "arm",
		"armv8l": "arm64", "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64",
		"loongarch64": "loong64", "mips64": "mips64", "": "", "vax": "", "  X86_64\n": "amd64",
	} {
		if got := ArchFromMachine(machine); got != want {
			t.Errorf("ArchFromMachine(%q) = %q, want %q", machine, got, want)
		}
	}
}

const (
	cpuinfoAMD64 = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\n" +
		"flags\t\t: fpu vme de pse lm constant_tsc lahf_lm\n\nprocessor\t: 1\nvendor_id\t: AuthenticAMD\n"
	cpuinfo386 = "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vme de pse lahf_lm\n"
	// An arm64 kernel (Raspberry Pi 4 under a 64-bit OS).
	cpuinfoARM64 = "processor\t: 0\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm crc32 cpuid\n" +
		"CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd08\n"
	cpuinfoARMv7 = "processor\t: 0\nmodel name\t: ARMv7 Processor rev 4 (v7l)\nFeatures\t: half thumb fastmult vfp edsp neon\n" +
		"CPU implementer\t: 0x41\nCPU architecture: 7\n"
)

func TestCPUInfoArch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, data, want string }{
		{"amd64", cpuinfoAMD64, "amd64"},
		{"386", cpuinfo386, "386"},
		{"arm64", cpuinfoARM64, "arm64"},
		{"armv7", cpuinfoARMv7, "arm"},
		{"old arm64 kernel", "processor : 0\nCPU architecture: AArch64\n", "arm64"},
		{"empty", "", ""},
		{"s390x", "vendor_id       : IBM/S390\n# processors    : 2\nfeatures\t: esan3 zarch stfle\n", ""},
		{"garbage", "\x00\xff::::\n\n\n", ""},
	} {
		if got := CPUInfoArch([]byte(tc.data)); got != tc.want {
			t.Errorf("%s: CPUInfoArch = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestReconcile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, machine, cpu string
		want               Host
	}{
		{"native amd64", "x86_64", "amd64", Host{Machine: "x86_64", GOARCH: "amd64"}},
		{"32-bit kernel on x86", "i686", "amd64", Host{Machine: "i686", GOARCH: "386"}},
		{"arm64 without cpuinfo", "aarch64", "", Host{Machine: "aarch64", GOARCH: "arm64"}},
		{"amd64 emulated on arm64", "x86_64", "arm64", Host{Machine: "x86_64", GOARCH: "arm64", Translated: true}},
		{"arm64 emulated on amd64", "aarch64", "amd64", Host{Machine: "aarch64", GOARCH: "amd64", Translated: true}},
		{"unknown machine", "", "arm", Host{GOARCH: "arm"}},
	} {
		h := Host{Machine: tc.machine}
		reconcile(&h, tc.cpu)
		if diff := cmp.Diff(tc.want, h); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

// TestDetectHostMatchesUname compares the detection with the real uname
// command on systems that have one.
func TestDetectHostMatchesUname(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no uname on windows")
	}
	out, err := exec.Command("uname", "-m").Output()
	if err != nil {
		t.Skipf("uname: %v", err)
	}
	h := DetectHost()
	if got, want := h.Machine, strings.TrimSpace(string(out)); got != want {
		t.Errorf("Machine = %q, uname -m says %q", got, want)
	}
	if h.GOOS != runtime.GOOS {
		t.Errorf("GOOS = %q, want %q", h.GOOS, runtime.GOOS)
	}
	if !h.Translated && h.GOARCH != runtime.GOARCH && family(h.GOARCH) != family(runtime.GOARCH) {
		t.Errorf("GOARCH = %q for a native %s test binary", h.GOARCH, runtime.GOARCH)
	}
}

func FuzzCPUInfoArch(f *testing.F) {
	for _, s := range []string{cpuinfoAMD64, cpuinfo386, cpuinfoARM64, cpuinfoARMv7, "", ":", "CPU architecture: 99999999999999999999"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		switch got := CPUInfoArch(data); got {
		case "", "amd64", "386", "arm64", "arm":
		default:
			t.Errorf("CPUInfoArch = %q", got)
		}
	})
}

func FuzzArchFromMachine(f *testing.F) {
	for _, s := range []string{"x86_64", "aarch64", "armv7l", "", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, machine string) {
		if got := ArchFromMachine(machine); got != "" && !strings.Contains("amd64 386 arm64 arm ppc64le ppc64 s390x riscv64 loong64 mips64 mips", got) {
			t.Errorf("ArchFromMachine(%q) = %q", machine, got)
		}
	})
}
