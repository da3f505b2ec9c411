package binfile

import (
	"bufio"
	"bytes"
	"debug/elf"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/target"
)

// Host is the machine a --host verdict is about: its platform, its CPU's
// instruction-set level and where its dynamic loader looks for libraries.
type Host struct {
	// Target is the machine's real GOOS/GOARCH; its Variant is the highest
	// level the CPU supports ("v3"), or "" when unknown.
	Target target.Target
	// Root is prepended to every absolute path the loader would open; "/"
	// for the real machine, a directory for tests and sysroots.
	Root string
	// Environ supplies LD_LIBRARY_PATH.
	Environ []string
	// OSVersion is the macOS version ("14.5") on a Mac, else "".
	OSVersion string
}

// DetectHost describes the machine goport runs on.
func DetectHost(environ []string) *Host {
	gh := goenv.DetectHost()
	h := &Host{Target: target.Target{GOOS: gh.GOOS, GOARCH: gh.GOARCH}, Root: "/", Environ: environ, OSVersion: hostOSVersion()}
	if h.Target.GOARCH == "" {
		h.Target.GOARCH = runtime.GOARCH
	}
	if runtime.GOOS == "linux" {
		if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
			switch h.Target.GOARCH {
			case "amd64":
				if lvl := AMD64Level(CPUFlags(data)); lvl > 0 {
					h.Target.Variant = "v" + strconv.Itoa(lvl)
				}
			case "arm":
				if lvl := ARMLevel(data); lvl > 0 {
					h.Target.Variant = strconv.Itoa(lvl)
				}
			}
		}
	}
	return h
}

// ARMLevel returns the GOARM level (5, 6 or 7) a 32-bit ARM Linux
// /proc/cpuinfo describes, or 0. The model name decides first: ARMv6
// boards such as the first Raspberry Pi report "CPU architecture: 7"
// with an "ARMv6-compatible processor" model name.
func ARMLevel(cpuinfo []byte) int {
	arch := 0
	sc := bufio.NewScanner(bytes.NewReader(cpuinfo))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "model name", "Processor":
			switch {
			case strings.Contains(v, "ARMv5"), strings.Contains(v, "(v5"):
				return 5
			case strings.Contains(v, "ARMv6"), strings.Contains(v, "(v6"):
				return 6
			}
		case "CPU architecture":
			if n, err := strconv.Atoi(strings.TrimPrefix(v, "AArch")); err == nil && arch == 0 {
				arch = n
			}
		}
	}
	switch {
	case arch >= 7:
		return 7
	case arch > 0:
		return max(arch, 5)
	}
	return 0
}

// CPUFlags returns the feature flags of the first processor in a Linux
// /proc/cpuinfo.
func CPUFlags(cpuinfo []byte) map[string]bool {
	flags := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(cpuinfo))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || strings.TrimSpace(k) != "flags" {
			continue
		}
		for _, f := range strings.Fields(v) {
			flags[f] = true
		}
		break
	}
	return flags
}

// amd64Levels lists, per GOAMD64 level, the CPU features the Go runtime
// checks at startup (runtime/asm_amd64.s V2..V4_FEATURES), in Linux
// /proc/cpuinfo spelling: pni is SSE3, abm carries LZCNT. OSXSAVE and the
// OS register-state checks have no cpuinfo flag; avx in cpuinfo implies the
// kernel enabled it.
var amd64Levels = [][]string{
	2: {"pni", "ssse3", "cx16", "sse4_1", "sse4_2", "popcnt", "lahf_lm"},
	3: {"fma", "movbe", "avx", "f16c", "abm", "bmi1", "avx2", "bmi2"},
	4: {"avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl"},
}

// AMD64Level returns the highest GOAMD64 level (1-4) whose features are
// all in flags, or 0 when flags is empty.
func AMD64Level(flags map[string]bool) int {
	if len(flags) == 0 {
		return 0
	}
	level := 1
	for l := 2; l < len(amd64Levels); l++ {
		for _, f := range amd64Levels[l] {
			if !flags[f] {
				return level
			}
		}
		level = l
	}
	return level
}

// path maps an absolute path on the host to the file goport opens.
func (h *Host) path(p string) string {
	if h.Root == "" || h.Root == "/" {
		return p
	}
	return filepath.Join(h.Root, p)
}

// libraryDirs returns the directories the glibc loader searches for f's
// DT_NEEDED libraries, in its order (ld.so(8)): DT_RPATH when there is no
// DT_RUNPATH, LD_LIBRARY_PATH, DT_RUNPATH, /etc/ld.so.conf, then the
// default directories.
func (h *Host) libraryDirs(f *Facts) []string {
	origin := filepath.Dir(f.Path)
	expand := func(dirs []string) []string {
		var out []string
		for _, d := range dirs {
			d = strings.ReplaceAll(strings.ReplaceAll(d, "${ORIGIN}", origin), "$ORIGIN", origin)
			if d != "" {
				out = append(out, d)
			}
		}
		return out
	}
	var dirs []string
	if len(f.Linking.RunPath) == 0 {
		dirs = append(dirs, expand(f.Linking.RPath)...)
	}
	if v, ok := goenv.Getenv(h.Environ, "LD_LIBRARY_PATH"); ok {
		dirs = append(dirs, expand(strings.FieldsFunc(v, func(r rune) bool { return r == ':' || r == ';' }))...)
	}
	dirs = append(dirs, expand(f.Linking.RunPath)...)
	dirs = append(dirs, h.ldSoConf("/etc/ld.so.conf", 0)...)
	if f.Bits == 64 {
		dirs = append(dirs, "/lib64", "/usr/lib64")
	}
	return append(dirs, "/lib", "/usr/lib")
}

// ldSoConf reads the directories of an ld.so.conf file and its includes.
func (h *Host) ldSoConf(name string, depth int) []string {
	data, err := os.ReadFile(h.path(name))
	if err != nil || depth > 8 {
		return nil
	}
	var dirs []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case strings.HasPrefix(line, "include "):
			pat := strings.TrimSpace(strings.TrimPrefix(line, "include "))
			if !filepath.IsAbs(pat) {
				pat = filepath.Join(filepath.Dir(name), pat)
			}
			matches, _ := filepath.Glob(h.path(pat))
			for _, m := range matches {
				rel := m
				if h.Root != "" && h.Root != "/" {
					rel = "/" + strings.TrimPrefix(strings.TrimPrefix(m, h.Root), "/")
				}
				dirs = append(dirs, h.ldSoConf(rel, depth+1)...)
			}
		default:
			dirs = append(dirs, line)
		}
	}
	return dirs
}

// findLibrary returns the host path of the first library called name in
// dirs that has f's class and machine, as the loader skips incompatible
// ones, or "".
func (h *Host) findLibrary(f *Facts, name string, dirs []string) string {
	if strings.Contains(name, "/") {
		if compatibleELF(h.path(name), f) {
			return h.path(name)
		}
		return ""
	}
	for _, d := range dirs {
		p := h.path(filepath.Join(d, name))
		if compatibleELF(p, f) {
			return p
		}
	}
	return ""
}

func compatibleELF(path string, f *Facts) bool {
	ef, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer ef.Close()
	bits := 32
	if ef.Class == elf.ELFCLASS64 {
		bits = 64
	}
	return bits == f.Bits && ef.Machine.String() == f.Machine
}

// definedVersions returns the symbol versions a library defines
// (.gnu.version_d).
func definedVersions(path string) (map[string]bool, error) {
	ef, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer ef.Close()
	defs, err := ef.DynamicVersions()
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, d := range defs {
		names[d.Name] = true
	}
	return names, nil
}
