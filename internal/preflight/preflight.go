// Package preflight answers, before any build, whether the go command will
// do what a job expects for each target: the cgo decision it will make,
// whether the C toolchain for that decision exists and targets the right
// platform, whether the port and its variant are supported, whether
// anything stops every go command, and whether the target's binaries can
// run here. It runs no build: one `go env -json`, one port list and one
// `-dumpmachine` per distinct C compiler.
package preflight

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/goport/goport/internal/cross"
	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/secret"
	"github.com/goport/goport/internal/target"
)

// Rule IDs.
var (
	RuleUnsupported = finding.Rule{
		ID: "GP-PRE-001", Title: "target not supported by the installed Go", Severity: finding.Error,
		Explanation: "`go tool dist list` names every GOOS/GOARCH pair the installed toolchain can build for; " +
			"any other pair fails at once with `cmd/go: unsupported GOOS/GOARCH pair`, and a port marked " +
			"Broken is not expected to work. Ports come and go between releases, so a job written for one Go may name a target another lacks.",
		Fix: "Remove the target or install a Go release that supports it; `goport targets` lists this toolchain's ports.",
	}
	RuleVariant = finding.Rule{
		ID: "GP-PRE-002", Title: "invalid architecture variant value", Severity: finding.Error,
		Explanation: "Each architecture reads its own variant variable: GOAMD64 (v1–v4), GOARM (5, 6, 7 with " +
			"optional ,softfloat or ,hardfloat), GOARM64 (v8.0–v9.5 with optional ,lse and ,crypto), GO386 " +
			"(sse2, softfloat), GOMIPS/GOMIPS64 (hardfloat, softfloat), GOPPC64 (power8–power10) and " +
			"GORISCV64 (rva20u64, rva22u64, rva23u64). Any other value either stops every go command for " +
			"that target (`go: invalid GOPPC64: must be power8, power9, power10`) or, as go1.26.8 does for " +
			"GOAMD64 and GOARM, is accepted silently: the build succeeds for the default level and the " +
			"binary's build information records the bogus value, so the job does not get what it asked for.",
		Fix: "Use a value the go command accepts, e.g. linux/amd64/v3 or linux/arm/7.",
	}
	RuleNoCompiler = finding.Rule{
		ID: "GP-PRE-003", Title: "cgo is on but the C compiler is missing", Severity: finding.Error,
		Explanation: "With cgo enabled the go command runs CC (or its default, gcc or clang) for every " +
			"package with cgo files and for runtime/cgo, net and os/user. When that program is not on PATH " +
			"the build fails with `cgo: C compiler \"gcc\" not found: exec: \"gcc\": executable file not found in $PATH`.",
		Fix: "Install the compiler or point CC at one for the target; or set CGO_ENABLED=0 when the module has no cgo code.",
	}
	RuleWrongCompiler = finding.Rule{
		ID: "GP-PRE-004", Title: "C compiler targets another platform", Severity: finding.Error,
		Explanation: "The go command passes CC's output straight to the linker without checking what it " +
			"produces. A host x86-64 gcc used for a cross cgo build (CGO_ENABLED=1 with CC unset) fails " +
			"in runtime/cgo: for arm64 with `gcc_arm64.S: Error: no such instruction: stp x29,x30,[sp,...`, " +
			"for arm with `gcc: error: unrecognized command-line option '-marm'`. `$CC -dumpmachine` " +
			"prints the platform a compiler targets.",
		Fix: "Set CC (and CXX) to a cross compiler for the target, e.g. CC=aarch64-linux-gnu-gcc for linux/arm64.",
	}
	RulePkgConfig = finding.Rule{
		ID: "GP-PRE-005", Title: "cross cgo build may use host pkg-config files", Severity: finding.Warning,
		Explanation: "`#cgo pkg-config:` directives run PKG_CONFIG (default pkg-config). Unless " +
			"PKG_CONFIG_LIBDIR or PKG_CONFIG_SYSROOT_DIR points it at the target's sysroot, or PKG_CONFIG " +
			"names a cross wrapper (aarch64-linux-gnu-pkg-config), it returns the host's include and " +
			"library paths: the cross build then compiles against host headers or links host libraries " +
			"(`skipping incompatible /usr/lib/x86_64-linux-gnu/libssl.so`).",
		Fix: "Set PKG_CONFIG=<triplet>-pkg-config, or PKG_CONFIG_LIBDIR and PKG_CONFIG_SYSROOT_DIR to the target sysroot.",
	}
	RuleCgoSilentlyOff = finding.Rule{
		ID: "GP-PRE-006", Title: "cgo silently off: no C compiler on PATH", Severity: finding.Warning,
		Explanation: "Since Go 1.20 the go command turns cgo off for a native build when CC is not set in " +
			"the environment and its default compiler (gcc, or clang on darwin, ios, freebsd and openbsd) " +
			"is not on PATH — even when go env -w CC=… is set. net and os/user fall back to pure Go, and " +
			"packages with cgo files drop out with `build constraints exclude all Go files`.",
		Fix: "Install the C compiler, or set CGO_ENABLED=0 explicitly so the choice is visible.",
	}
	RuleNoRunner = finding.Rule{
		ID: "GP-PRE-007", Title: "target binaries cannot run on this host", Severity: finding.Info,
		Explanation: "Running a target's binaries (`goport matrix --run`, `go test` with GOOS/GOARCH) needs " +
			"the host's own platform, qemu-user for other Linux architectures, Wine 8.13+ for Windows, " +
			"node for js/wasm or a WASI runtime for wasip1/wasm.",
		Fix: "Install the runner named in the message, or build without running.",
	}
	RuleNoCXX = finding.Rule{
		ID: "GP-PRE-008", Title: "C++ compiler for the target is missing", Severity: finding.Warning,
		Explanation: "Packages with C++ files (.cc, .cpp, .cxx) are compiled with CXX (default g++ or " +
			"clang++). When it is missing such packages fail with `exec: \"g++\": executable file not found`.",
		Fix: "Install the C++ compiler matching CC, or set CXX to it.",
	}
)

// Rules returns the metadata of every preflight rule, sorted by ID.
func Rules() []finding.Rule {
	return []finding.Rule{RuleUnsupported, RuleVariant, RuleNoCompiler, RuleWrongCompiler, RulePkgConfig,
		RuleCgoSilentlyOff, RuleNoRunner, RuleNoCXX}
}

// Options are the inputs of Run.
type Options struct {
	Targets []target.Target
	// GoEnv is the one `go env -json` of the run; Ports the toolchain's
	// port list.
	GoEnv *goenv.Env
	Ports []goenv.Port
	// Settings resolves CGO_ENABLED, CC, CXX, PKG_CONFIG… as the go
	// command does.
	Settings goenv.Settings
	// Cross finds runners and suggests cross compilers.
	Cross *cross.Inventory
	// Blockers are findings that stop every go command (from
	// doctor.BuildBlockers); their errors fail every target.
	Blockers []finding.Finding
	// CXXFile is a C++ source file of the module (FindCXXFile), "" when
	// it has none: only then is CXX checked.
	CXXFile string
	// Toolchains are the per-target C toolchains of goport.yaml: `goport
	// matrix` builds with them, so they win over CC, CXX and PKG_CONFIG.
	Toolchains map[target.Target]Toolchain
}

// Toolchain is a configured C toolchain; empty fields are not set.
type Toolchain struct {
	CC, CXX, PkgConfig string
	// Source names where it was configured, for evidence.
	Source string
}

// setting resolves key (CC, CXX or PKG_CONFIG) for t: the target's
// configured toolchain first, then the go command's own resolution.
func (opts Options) setting(t target.Target, key string) (value, source string) {
	if tc, ok := opts.Toolchains[t]; ok {
		v := map[string]string{"CC": tc.CC, "CXX": tc.CXX, "PKG_CONFIG": tc.PkgConfig}[key]
		if v != "" {
			return v, tc.Source
		}
	}
	return opts.Settings.Get(key)
}

// Result is the verdict for one target.
type Result struct {
	Target target.Target `json:"target"`
	OK     bool          `json:"ok"`
	Cgo    Cgo           `json:"cgo"`
	// CC is the C compiler the go command will run when cgo is on, and
	// Triplet what its -dumpmachine printed.
	CC      string        `json:"cc,omitempty"`
	Triplet string        `json:"triplet,omitempty"`
	Runner  *cross.Runner `json:"runner,omitempty"`
	// Reason, Fix and Rule summarise the first error for the one-line
	// verdict.
	Reason string `json:"reason,omitempty"`
	Fix    string `json:"fix,omitempty"`
	Rule   string `json:"rule,omitempty"`
}

// Run checks every target and returns one Result each plus the findings
// (blockers first, then per target).
func Run(ctx context.Context, opts Options) ([]Result, []finding.Finding) {
	p := &prober{ctx: ctx, environ: opts.Settings.Environ, out: map[string]*probe{}}
	var all []finding.Finding
	all = append(all, opts.Blockers...)
	var blocker *finding.Finding
	for i := range opts.Blockers {
		if opts.Blockers[i].Severity == finding.Error {
			blocker = &opts.Blockers[i]
			break
		}
	}
	results := make([]Result, len(opts.Targets))
	perTarget := make([][]finding.Finding, len(opts.Targets))
	var wg sync.WaitGroup
	for i, t := range opts.Targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], perTarget[i] = checkTarget(opts, p, t)
		}()
	}
	wg.Wait()
	for i := range results {
		all = append(all, perTarget[i]...)
		if blocker != nil && results[i].OK {
			results[i].OK = false
			results[i].Rule, results[i].Reason, results[i].Fix = blocker.Rule, blocker.Message, blocker.Fix
		}
	}
	return results, all
}

func checkTarget(opts Options, p *prober, t target.Target) (Result, []finding.Finding) {
	r := Result{Target: t, OK: true}
	var fs []finding.Finding
	add := func(rule finding.Rule, msg, fix string, ev ...finding.Evidence) {
		tt := t
		fs = append(fs, finding.Finding{Rule: rule.ID, Severity: rule.Severity, Message: msg, Fix: fix, Evidence: ev, Target: &tt})
		if rule.Severity == finding.Error && r.OK {
			r.OK, r.Rule, r.Reason, r.Fix = false, rule.ID, msg, fix
		}
	}
	port, ok := goenv.FindPort(opts.Ports, t.GOOS, t.GOARCH)
	switch {
	case !ok:
		add(RuleUnsupported, fmt.Sprintf("%s/%s is not a port of %s: every go command for it fails with `unsupported GOOS/GOARCH pair %s/%s`",
			t.GOOS, t.GOARCH, opts.GoEnv.Version(), t.GOOS, t.GOARCH), "choose a port from `goport targets`, or install a Go release that has it")
		return r, fs
	case port.Broken:
		add(RuleUnsupported, fmt.Sprintf("%s/%s is marked broken in %s", t.GOOS, t.GOARCH, opts.GoEnv.Version()), "choose another target")
	}
	if err := t.Validate(); err != nil {
		v := target.VariantVar(t.GOARCH)
		detail := err.Error()
		if _, after, ok := strings.Cut(detail, ": "); ok {
			detail = after
		}
		add(RuleVariant, fmt.Sprintf("%s=%s is not valid for %s (%s): the go command either stops or silently builds for the default level",
			v, t.Variant, t.GOARCH, detail), "use a "+v+" value the go command accepts")
	}
	if r.Runner = opts.Cross.Runner(t); r.Runner == nil {
		msg := "no way to run " + t.String() + " binaries on this host"
		hint := opts.Cross.RunnerHint(t)
		if hint == "" {
			hint = "run them on a " + t.GOOS + "/" + t.GOARCH + " machine"
		}
		add(RuleNoRunner, msg, hint)
	}

	s := opts.Settings
	explicit, explicitSrc := s.Get("CGO_ENABLED")
	ccEnv, _ := goenv.Getenv(s.Environ, "CC")
	if tc, ok := opts.Toolchains[t]; ok && tc.CC != "" {
		ccEnv = tc.CC
	}
	in := CgoInputs{
		Explicit: explicit, BootstrapDefault: BootstrapCgoDefault(opts.GoEnv.Get("GOROOT")),
		HostGOOS: opts.GoEnv.Get("GOHOSTOS"), HostGOARCH: opts.GoEnv.Get("GOHOSTARCH"),
		Target: t, CgoSupported: port.CgoSupported, CCEnv: ccEnv,
	}
	if ccEnv == "" {
		_, err := goenv.LookPath(DefaultCC(t.GOOS), s.Environ)
		in.DefaultCCFound = err == nil
	}
	r.Cgo = DecideCgo(in)
	if explicitSrc != "" && explicitSrc != "environment" && (explicit == "0" || explicit == "1") {
		r.Cgo.Reason += " (from " + explicitSrc + ")"
	}
	if r.Cgo.NoCompiler {
		add(RuleCgoSilentlyOff, fmt.Sprintf("cgo is off for %s: %s; packages with cgo files will be left out of the build", t, r.Cgo.Reason),
			"install "+DefaultCC(t.GOOS)+", or set CGO_ENABLED=0 explicitly")
	}
	if !r.Cgo.Enabled {
		return r, fs
	}
	checkCompiler(opts, p, t, &r, add)
	return r, fs
}

func checkCompiler(opts Options, p *prober, t target.Target, r *Result, add func(finding.Rule, string, string, ...finding.Evidence)) {
	s := opts.Settings
	cc, ccSrc := opts.setting(t, "CC")
	if cc == "" {
		cc, ccSrc = DefaultCC(t.GOOS), "default"
	}
	r.CC = cc
	ev := finding.Evidence{Text: secret.Redact("CC=" + cc + " (" + ccSrc + ")")}
	suggestion := func() string {
		if c := opts.Cross.Compiler(t); c != nil && c.CC != cc {
			return "set CC=" + c.CC + " for " + t.String()
		}
		return "install a C compiler for " + t.String() + " (" + cross.MissingCompilerHint(t) + ") and set CC to it"
	}
	argv := strings.Fields(cc)
	if len(argv) == 0 {
		return
	}
	if _, err := goenv.LookPath(argv[0], s.Environ); err != nil {
		add(RuleNoCompiler, fmt.Sprintf("cgo is on for %s (%s) but its C compiler %q is not on PATH: the build fails with `cgo: C compiler %q not found`",
			t, r.Cgo.Reason, argv[0], argv[0]), suggestion(), ev)
		return
	}
	r.Triplet = p.dumpMachine(cc)
	goos, goarch, ok := cross.ParseTriplet(r.Triplet)
	switch {
	case r.Triplet == "":
		add(RuleWrongCompiler, fmt.Sprintf("cgo is on for %s but `%s -dumpmachine` failed, so it is not a usable C compiler", t, argv[0]), suggestion(), ev)
		return
	case !ok || goos != t.GOOS || goarch != t.GOARCH:
		add(RuleWrongCompiler, fmt.Sprintf("cgo is on for %s (%s) but CC=%s builds for %s, not %s/%s", t, r.Cgo.Reason, argv[0], r.Triplet, t.GOOS, t.GOARCH),
			suggestion(), ev, finding.Evidence{Text: argv[0] + " -dumpmachine: " + r.Triplet})
		return
	}
	cxx, cxxSrc := opts.setting(t, "CXX")
	if cxx == "" {
		cxx, cxxSrc = DefaultCXX(t.GOOS), "default"
	}
	if f := strings.Fields(cxx); len(f) > 0 && opts.CXXFile != "" {
		if _, err := goenv.LookPath(f[0], s.Environ); err != nil {
			add(RuleNoCXX, fmt.Sprintf("C++ compiler %q for %s is not on PATH: packages with C++ files such as %s will fail", f[0], t, opts.CXXFile),
				"install the C++ compiler that matches "+argv[0]+", or set CXX", finding.Evidence{Text: secret.Redact("CXX=" + cxx + " (" + cxxSrc + ")")})
		}
	}
	if t.GOOS != opts.GoEnv.Get("GOHOSTOS") || t.GOARCH != opts.GoEnv.Get("GOHOSTARCH") {
		pc, _ := opts.setting(t, "PKG_CONFIG")
		libdir, _ := goenv.Getenv(s.Environ, "PKG_CONFIG_LIBDIR")
		sysroot, _ := goenv.Getenv(s.Environ, "PKG_CONFIG_SYSROOT_DIR")
		crossPC := pc != "" && strings.Contains(pc, r.Triplet)
		if !crossPC && libdir == "" && sysroot == "" {
			add(RulePkgConfig, fmt.Sprintf("cross cgo build for %s uses %s with the host's .pc files: #cgo pkg-config directives would pick host headers and libraries",
				t, orDefault(pc, "pkg-config")), "set PKG_CONFIG="+r.Triplet+"-pkg-config, or PKG_CONFIG_LIBDIR and PKG_CONFIG_SYSROOT_DIR to the target sysroot")
		}
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// prober runs `cc -dumpmachine` once per distinct compiler command line.
type prober struct {
	ctx     context.Context
	environ []string
	mu      sync.Mutex
	out     map[string]*probe
}

type probe struct {
	once    sync.Once
	triplet string
}

func (p *prober) dumpMachine(cc string) string {
	p.mu.Lock()
	pr, ok := p.out[cc]
	if !ok {
		pr = &probe{}
		p.out[cc] = pr
	}
	p.mu.Unlock()
	pr.once.Do(func() {
		argv := strings.Fields(cc)
		path, err := goenv.LookPath(argv[0], p.environ)
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, path, append(argv[1:], "-dumpmachine")...)
		cmd.Env = p.environ
		var out bytes.Buffer
		cmd.Stdout = &out
		if cmd.Run() == nil {
			line, _, _ := strings.Cut(strings.TrimSpace(out.String()), "\n")
			pr.triplet = strings.TrimSpace(line)
		}
	})
	return pr.triplet
}

// cxxExts are the C++ source extensions cgo compiles with CXX.
var cxxExts = map[string]bool{".cc": true, ".cpp": true, ".cxx": true}

// FindCXXFile returns the first C++ source file below root (relative,
// slash-separated), skipping hidden directories, testdata and nested
// modules as the go command does, and following no symbolic links; ""
// when there is none.
func FindCXXFile(root string) string {
	found := ""
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if p == root {
				return nil
			}
			name := d.Name()
			if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" {
				return filepath.SkipDir
			}
			if _, err := os.Lstat(filepath.Join(p, "go.mod")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && cxxExts[filepath.Ext(p)] {
			rel, _ := filepath.Rel(root, p)
			found = filepath.ToSlash(rel)
			return filepath.SkipAll
		}
		return nil
	})
	return found
}
