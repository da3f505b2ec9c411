package binfile

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/target"
)

// Rule IDs of run-here verdicts.
const (
	RuleWrongOS        = "GP-BIN-001"
	RuleWrongArch      = "GP-BIN-002"
	RuleCPULevel       = "GP-BIN-003"
	RuleInterpreter    = "GP-BIN-004"
	RuleMissingLibrary = "GP-BIN-005"
	RuleSymbolVersion  = "GP-BIN-006"
	RuleUnsigned       = "GP-BIN-007"
	RuleNotProgram     = "GP-BIN-008"
	RuleOSTooOld       = "GP-BIN-009"
)

// Rules returns the metadata of every rule a verdict can report.
func Rules() []finding.Rule {
	return []finding.Rule{
		{
			ID: RuleWrongOS, Title: "Binary built for another operating system", Severity: finding.Error,
			Explanation: "The kernel only loads its own executable format and system-call ABI: an ELF for Linux does not start on Windows or macOS, a PE only on Windows, a wasm module only in a WebAssembly runtime. The shell reports `exec format error` or `cannot execute binary file`.",
			Fix:         "Rebuild with GOOS set to the target's operating system (`GOOS=linux go build`), or run the file where it belongs.",
		},
		{
			ID: RuleWrongArch, Title: "Binary built for another CPU architecture", Severity: finding.Error,
			Explanation: "The processor cannot decode another architecture's instructions, and word size and byte order must match too (arm64 is not arm, ppc64 is big-endian, ppc64le little). Without an emulator (qemu-user with binfmt_misc, Rosetta 2) the kernel refuses with `exec format error`.",
			Fix:         "Rebuild with GOARCH for the target (`GOARCH=arm64 go build`), or install an emulator for test runs.",
		},
		{
			ID: RuleCPULevel, Title: "CPU lacks the instruction set level the binary needs", Severity: finding.Error,
			Explanation: "GOAMD64=v2..v4, GOARM=7 and GOARM64=v8.x let the compiler use newer instructions. A Go program checks the CPU at startup and exits with `This program can only be run on AMD64 processors with v3 microarchitecture support`; an ARMv7 binary dies with SIGILL on an ARMv6 board.",
			Fix:         "Rebuild with a lower level (`GOAMD64=v1`, `GOARM=6`), or ship one build per level.",
		},
		{
			ID: RuleInterpreter, Title: "ELF interpreter missing on the host", Severity: finding.Error,
			Explanation: "A dynamically linked ELF names its dynamic loader in PT_INTERP (`/lib64/ld-linux-x86-64.so.2` for glibc, `/lib/ld-musl-x86_64.so.1` for musl). When that file does not exist the kernel reports `no such file or directory` for a program that plainly exists — typical for glibc binaries on Alpine.",
			Fix:         "Build statically (`CGO_ENABLED=0`, or `-ldflags '-linkmode=external -extldflags=-static'` with cgo), build against the target's libc, or install the loader (`apk add gcompat`).",
		},
		{
			ID: RuleMissingLibrary, Title: "Needed shared library not found", Severity: finding.Error,
			Explanation: "Every DT_NEEDED library must be found in DT_RPATH, LD_LIBRARY_PATH, DT_RUNPATH, the ld.so.conf directories or the default directories, with the binary's word size and machine. Otherwise the loader stops with `error while loading shared libraries: X: cannot open shared object file`.",
			Fix:         "Install the library on the host, ship it next to the binary with `-Wl,-rpath,$ORIGIN`, or link it statically.",
		},
		{
			ID: RuleSymbolVersion, Title: "Host library too old for a needed symbol version", Severity: finding.Error,
			Explanation: "glibc, libstdc++ and others version their symbols. A binary linked on a newer system needs, say, GLIBC_2.34, and an older library that does not define that version makes the loader stop with `version 'GLIBC_2.34' not found`. The oldest glibc a binary accepts is the highest GLIBC_ version it needs (GLIBC_ABI_DT_RELR means 2.36).",
			Fix:         "Build on (or with a sysroot of) the oldest distribution you support, use zig cc with a glibc version suffix, build statically, or disable cgo.",
		},
		{
			ID: RuleUnsigned, Title: "Unsigned arm64 Mach-O binary", Severity: finding.Error,
			Explanation: "macOS on Apple silicon kills arm64 code without a code signature (`Killed: 9`). Go's internal linker signs ad hoc; external linking or post-processing (strip, install_name_tool) can remove or invalidate the signature.",
			Fix:         "Sign ad hoc with `codesign -s - FILE` after the last modification.",
		},
		{
			ID: RuleOSTooOld, Title: "Host OS older than the binary's minimum version", Severity: finding.Error,
			Explanation: "Mach-O files record the oldest macOS they support (LC_BUILD_VERSION minos, or LC_VERSION_MIN_MACOSX), and dyld refuses to start them on an older system. The Go linker writes the minimum of the Go release (macOS 12 for Go 1.26); external linking uses -mmacosx-version-min or MACOSX_DEPLOYMENT_TARGET.",
			Fix:         "Build with an older Go release for old Macs, or with cgo set MACOSX_DEPLOYMENT_TARGET (or CGO_CFLAGS/CGO_LDFLAGS -mmacosx-version-min) as low as the code allows.",
		},
		{
			ID: RuleNotProgram, Title: "File is a library, not a program", Severity: finding.Warning,
			Explanation: "Shared objects, dylibs, DLLs and object files are loaded by other programs; running one directly fails or does nothing useful. Whether it loads depends on the program that loads it.",
			Fix:         "Check the program that loads the library instead, or build the package with `-buildmode=exe`.",
		},
	}
}

// Verdict says whether a binary can run on a platform.
type Verdict struct {
	// On is the platform judged: a target ("linux/arm64") or "host
	// (linux/amd64/v3)".
	On   string `json:"on"`
	Runs bool   `json:"runs"`
	// Reasons are the messages of the findings at error severity.
	Reasons []string `json:"reasons,omitempty"`
}

// CheckTarget reports why f cannot run on t, judging only what the file
// itself says: format, OS, architecture, word size, byte order and
// instruction-set level. An empty t.Variant means the toolchain default.
func CheckTarget(f *Facts, t target.Target) ([]finding.Finding, Verdict) {
	fs := checkPlatform(f, t)
	return fs, verdict(t.String(), fs)
}

// CheckHost reports why f cannot run on h: everything CheckTarget checks
// against h's platform and CPU level, and for a dynamically linked ELF on
// Linux, the interpreter, every needed library and every needed symbol
// version, looked up as the glibc loader would.
func CheckHost(f *Facts, h *Host) ([]finding.Finding, Verdict) {
	fs := checkPlatform(f, h.Target)
	if len(fs) == 0 && f.Format == ELF && h.Target.GOOS == "linux" {
		fs = append(fs, checkLoader(f, h)...)
	}
	if len(fs) == 0 && h.OSVersion != "" {
		fs = append(fs, checkMinOS(f, h)...)
	}
	return fs, verdict("host ("+h.Target.String()+")", fs)
}

func verdict(on string, fs []finding.Finding) Verdict {
	v := Verdict{On: on, Runs: true}
	for _, f := range fs {
		if f.Severity == finding.Error {
			v.Runs = false
			v.Reasons = append(v.Reasons, f.Message)
		}
	}
	return v
}

func (f *Facts) finding(rule string, sev finding.Severity, t target.Target, msg, fix string, evidence ...string) finding.Finding {
	fd := finding.Finding{Rule: rule, Severity: sev, Message: msg, Fix: fix, Target: &t}
	fd.Evidence = append(fd.Evidence, finding.Evidence{Location: &finding.Location{Path: DisplayPath(f.Path)}})
	for _, e := range evidence {
		fd.Evidence = append(fd.Evidence, finding.Evidence{Text: e})
	}
	return fd
}

// osFormat is the executable format each GOOS loads.
func osFormat(goos string) Format {
	switch goos {
	case "darwin", "ios":
		return MachO
	case "windows":
		return PE
	case "js", "wasip1":
		return Wasm
	case "aix":
		return XCOFF
	case "plan9":
		return Plan9
	}
	return ELF
}

func checkPlatform(f *Facts, t target.Target) []finding.Finding {
	name := DisplayPath(f.Path)
	built := "unknown platform"
	if f.Target != nil {
		built = f.Target.String()
	}
	if f.Format == MachOFat {
		return checkFat(f, t)
	}
	var out []finding.Finding
	if osFormat(t.GOOS) != f.Format || (f.GOOS != "" && f.GOOS != t.GOOS && !compatibleOS(f.GOOS, t.GOOS)) {
		fix := fmt.Sprintf("GOOS=%s GOARCH=%s go build", t.GOOS, t.GOARCH)
		// A wasm module runs anywhere a WebAssembly runtime does.
		switch {
		case f.Format == Wasm && f.GOOS == "js":
			fix = "run it with node and $(go env GOROOT)/lib/wasm/wasm_exec_node.js, or " + fix
		case f.Format == Wasm && f.GOOS == "wasip1":
			fix = "run it with a WASI runtime (wasmtime, wazero), or " + fix
		}
		out = append(out, f.finding(RuleWrongOS, finding.Error, t,
			fmt.Sprintf("%s is %s binary for %s and cannot run on %s", name, article(formatName(f.Format)), built, t.GOOS),
			fix, "format: "+f.formatLine()))
		return out
	}
	if f.GOARCH != t.GOARCH {
		out = append(out, f.finding(RuleWrongArch, finding.Error, t,
			fmt.Sprintf("%s is built for %s (%d-bit %s-endian) and cannot run on %s", name, f.GOARCH, f.Bits, f.Endianness, t.GOARCH),
			fmt.Sprintf("GOOS=%s GOARCH=%s go build", t.GOOS, t.GOARCH),
			"machine: "+f.Machine))
		return out
	}
	if need, have, ok := levelTooHigh(f, t); ok {
		key := target.VariantVar(f.GOARCH)
		out = append(out, f.finding(RuleCPULevel, finding.Error, t,
			fmt.Sprintf("%s needs %s=%s but %s provides only %s", name, key, need, t, have),
			fmt.Sprintf("%s=%s GOOS=%s GOARCH=%s go build", key, have, t.GOOS, t.GOARCH),
			fmt.Sprintf("build setting: %s=%s", key, need)))
	}
	if f.MachO != nil && f.GOARCH == "arm64" && (f.Kind == "executable" || f.Kind == "dylib") && !f.MachO.CodeSignature {
		out = append(out, f.finding(RuleUnsigned, finding.Error, t,
			fmt.Sprintf("%s is an arm64 Mach-O %s without a code signature; macOS kills it at launch", name, f.Kind),
			"codesign -s - "+name))
	}
	switch f.Kind {
	case "shared object", "dylib", "dll", "object", "bundle":
		out = append(out, f.finding(RuleNotProgram, finding.Warning, t,
			fmt.Sprintf("%s is %s, loaded by other programs rather than run", name, article(f.Kind)), ""))
	}
	return out
}

// compatibleOS accepts binaries that a kernel runs although goport names
// the system differently: Android runs Linux ELF, illumos runs Solaris.
func compatibleOS(built, on string) bool {
	return (built == "linux" && on == "android") || (built == "solaris" && on == "illumos") || (built == "illumos" && on == "solaris")
}

// checkFat passes when any slice runs on t.
func checkFat(f *Facts, t target.Target) []finding.Finding {
	var archs []string
	for _, s := range f.Slices {
		if fs := checkPlatform(s, t); !slices.ContainsFunc(fs, func(x finding.Finding) bool { return x.Severity == finding.Error }) {
			return fs
		}
		archs = append(archs, s.GOARCH)
	}
	return []finding.Finding{f.finding(RuleWrongArch, finding.Error, t,
		fmt.Sprintf("%s is a universal binary without a slice for %s (slices: %s)", DisplayPath(f.Path), t, strings.Join(archs, ", ")),
		fmt.Sprintf("GOOS=%s GOARCH=%s go build, then lipo -create", t.GOOS, t.GOARCH))}
}

// article prefixes a or an, by the sound of the format name.
func article(name string) string {
	if name != "" && strings.ContainsRune("AEIOU", rune(name[0])) {
		return "an " + name
	}
	return "a " + name
}

func formatName(f Format) string {
	return map[Format]string{ELF: "ELF", MachO: "Mach-O", MachOFat: "universal Mach-O", PE: "PE", Wasm: "WebAssembly", XCOFF: "XCOFF", Plan9: "Plan 9 a.out"}[f]
}

// levelTooHigh compares the binary's instruction-set level with the
// target's: amd64 v1 < v2 < v3 < v4, arm 5 < 6 < 7, arm64 v8.0 < v8.1 <
// ... < v9.5. An empty variant is the toolchain default.
func levelTooHigh(f *Facts, t target.Target) (need, have string, bad bool) {
	need = f.Setting(target.VariantVar(f.GOARCH))
	have = t.Variant
	if have == "" {
		have = DefaultVariant(f.GOARCH)
	}
	if need == "" || have == "" {
		return "", "", false
	}
	// GOARM may carry ",softfloat"; GOARM64 ",lse" or ",crypto".
	nl, ok1 := levelNumber(f.GOARCH, need)
	hl, ok2 := levelNumber(f.GOARCH, have)
	return need, have, ok1 && ok2 && nl > hl
}

func levelNumber(goarch, v string) (float64, bool) {
	v, _, _ = strings.Cut(v, ",")
	switch goarch {
	case "amd64", "arm64":
		n, err := strconv.ParseFloat(strings.TrimPrefix(v, "v"), 64)
		return n, err == nil
	case "arm":
		n, err := strconv.Atoi(v)
		return float64(n), err == nil
	}
	return 0, false
}

// checkMinOS compares a Mach-O file's minimum macOS with the host's; for
// a universal file, the slice the host would run.
func checkMinOS(f *Facts, h *Host) []finding.Finding {
	m := f
	if f.Format == MachOFat {
		for _, s := range f.Slices {
			if s.GOARCH == h.Target.GOARCH {
				m = s
			}
		}
	}
	if m.MachO == nil || m.MachO.MinOS == "" || (m.MachO.Platform != "" && m.MachO.Platform != "macOS") {
		return nil
	}
	if CompareVersions(h.OSVersion, m.MachO.MinOS) >= 0 {
		return nil
	}
	return []finding.Finding{f.finding(RuleOSTooOld, finding.Error, h.Target,
		fmt.Sprintf("%s needs macOS %s or later; this host runs %s", DisplayPath(f.Path), m.MachO.MinOS, h.OSVersion),
		"build with a Go release (or deployment target) that supports macOS "+h.OSVersion,
		"LC_BUILD_VERSION minos "+m.MachO.MinOS)}
}

// checkLoader looks for the interpreter, the needed libraries and their
// symbol versions on h, as ld.so would.
func checkLoader(f *Facts, h *Host) []finding.Finding {
	var out []finding.Finding
	name := DisplayPath(f.Path)
	t := h.Target
	if interp := f.Linking.Interpreter; interp != "" {
		if _, err := os.Stat(h.path(interp)); err != nil {
			out = append(out, f.finding(RuleInterpreter, finding.Error, t,
				fmt.Sprintf("%s needs the dynamic loader %s, which this host does not have", name, interp),
				"CGO_ENABLED=0 go build, or install the libc that provides "+interp,
				"PT_INTERP: "+interp))
			return out // the kernel stops here; nothing else is loaded
		}
	}
	if len(f.Linking.Needed) == 0 {
		return out
	}
	dirs := h.libraryDirs(f)
	found := map[string]string{}
	for _, lib := range f.Linking.Needed {
		p := h.findLibrary(f, lib, dirs)
		if p == "" {
			out = append(out, f.finding(RuleMissingLibrary, finding.Error, t,
				fmt.Sprintf("%s needs %s, which is not in the library search path of this host", name, lib),
				"install "+lib+", set LD_LIBRARY_PATH, or link with -Wl,-rpath,$ORIGIN",
				"DT_NEEDED: "+lib, "searched: "+strings.Join(dirs, ":")))
			continue
		}
		found[lib] = p
	}
	if f.GLIBC == nil {
		return out
	}
	for _, need := range f.GLIBC.Needs {
		p, ok := found[need.Library]
		if !ok {
			continue
		}
		defined, err := definedVersions(p)
		if err != nil {
			continue // an unversioned library accepts any binary
		}
		var missing []string
		for _, v := range need.Versions {
			if !defined[v] {
				missing = append(missing, v)
			}
		}
		if len(missing) > 0 {
			out = append(out, f.finding(RuleSymbolVersion, finding.Error, t,
				fmt.Sprintf("%s needs %s from %s, which %s does not define", name, strings.Join(missing, ", "), need.Library, p),
				"build against an older libc (an older distribution or sysroot), statically, or with CGO_ENABLED=0",
				"version needs: "+strings.Join(need.Versions, " "), "host library: "+p))
		}
	}
	return out
}
