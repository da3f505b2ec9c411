package cross

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/target"
)

// Compiler is the C compiler a cgo build for one target would use.
type Compiler struct {
	// CC is the value for the CC variable; it may carry flags, as in
	// "clang --target=aarch64-linux-gnu", which the go command splits.
	CC  string `json:"cc"`
	CXX string `json:"cxx,omitempty"`
	// PkgConfig is the PKG_CONFIG program for the target, when configured.
	PkgConfig string `json:"pkg_config,omitempty"`
	// Triplet is what `$CC -dumpmachine` printed.
	Triplet string `json:"triplet,omitempty"`
	// Source says where CC came from: "CC" (the environment or go env),
	// "PATH" (a known cross compiler name) or "clang" (clang --target).
	Source string `json:"source"`
	// Note warns about what discovery could not prove, e.g. that clang
	// needs a sysroot with the target's C library.
	Note string `json:"note,omitempty"`
}

// Runner executes a target's binaries on this host.
type Runner struct {
	// Kind is native, qemu-user, wine, node, wasmtime, wazero or wasmedge.
	Kind string `json:"kind"`
	Path string `json:"path,omitempty"`
	// Args go between Path and the binary.
	Args []string `json:"args,omitempty"`
	// Env is added to the environment of the run.
	Env []string `json:"env,omitempty"`
}

// Command returns the argv that runs bin with args under r.
func (r *Runner) Command(bin string, args []string) []string {
	if r.Kind == "native" {
		return append([]string{bin}, args...)
	}
	argv := append([]string{r.Path}, r.Args...)
	argv = append(argv, bin)
	return append(argv, args...)
}

// Options are the inputs of Discover.
type Options struct {
	// Environ is the environment builds will run with (KEY=VALUE); its
	// PATH is searched and its CC is honoured.
	Environ []string
	// GoEnv is `go env -json` output; GOROOT and the default CC come from it.
	GoEnv *goenv.Env
	// Host is the machine goport runs on.
	Host goenv.Host
}

// Inventory answers, for any target, which compiler and runner this host
// offers. Probes (`cc -dumpmachine`) run at most once per command.
type Inventory struct {
	opts Options
	ctx  context.Context

	mu    sync.Mutex
	dumps map[string]*dump // CC command line → its probe
}

type dump struct {
	once    sync.Once
	triplet string // "" when the probe failed
}

// Discover prepares an Inventory. It runs nothing yet: compilers are
// probed when a target asks for one, once each.
func Discover(ctx context.Context, opts Options) *Inventory {
	return &Inventory{opts: opts, ctx: ctx, dumps: map[string]*dump{}}
}

func (inv *Inventory) getenv(key string) string {
	v, _ := goenv.Getenv(inv.opts.Environ, key)
	return v
}

// dumpMachine runs `cc -dumpmachine` once per distinct cc.
func (inv *Inventory) dumpMachine(cc string) string {
	inv.mu.Lock()
	d, ok := inv.dumps[cc]
	if !ok {
		d = &dump{}
		inv.dumps[cc] = d
	}
	inv.mu.Unlock()
	d.once.Do(func() { d.triplet = probe(inv.ctx, cc, inv.opts.Environ) })
	return d.triplet
}

func probe(ctx context.Context, cc string, environ []string) string {
	argv := strings.Fields(cc)
	if len(argv) == 0 {
		return ""
	}
	path, err := goenv.LookPath(argv[0], environ)
	if err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, append(argv[1:], "-dumpmachine")...)
	cmd.Env = environ
	var out bytes.Buffer
	cmd.Stdout = &out
	if cmd.Run() != nil {
		return ""
	}
	line, _, _ := strings.Cut(strings.TrimSpace(out.String()), "\n")
	return strings.TrimSpace(line)
}

func matches(triplet string, t target.Target) bool {
	goos, goarch, ok := ParseTriplet(triplet)
	return ok && goos == t.GOOS && goarch == t.GOARCH
}

// Compiler finds a C compiler that really targets t: first CC from the
// environment (or go env CC), then the known cross compiler names on PATH
// (aarch64-linux-gnu-gcc, x86_64-w64-mingw32-gcc, …), then clang with
// --target. It returns nil when there is none.
func (inv *Inventory) Compiler(t target.Target) *Compiler {
	cc, source := inv.getenv("CC"), "CC"
	if cc == "" {
		cc, source = inv.opts.GoEnv.Get("CC"), "go env CC"
	}
	if cc != "" {
		if trip := inv.dumpMachine(cc); matches(trip, t) {
			cxx := inv.getenv("CXX")
			if cxx == "" {
				cxx = inv.opts.GoEnv.Get("CXX")
			}
			return &Compiler{CC: cc, CXX: cxx, Triplet: trip, Source: source}
		}
	}
	if p, ok := crossPrefix[t.GOOS+"/"+t.GOARCH]; ok {
		for _, prefix := range p.prefixes {
			gcc := prefix + "-gcc"
			if _, err := goenv.LookPath(gcc, inv.opts.Environ); err != nil {
				continue
			}
			if trip := inv.dumpMachine(gcc); matches(trip, t) {
				c := &Compiler{CC: gcc, Triplet: trip, Source: "PATH"}
				if _, err := goenv.LookPath(prefix+"-g++", inv.opts.Environ); err == nil {
					c.CXX = prefix + "-g++"
				}
				return c
			}
		}
	}
	if trip := clangTriplet(t.GOOS, t.GOARCH); trip != "" {
		if _, err := goenv.LookPath("clang", inv.opts.Environ); err == nil {
			return &Compiler{
				CC: "clang --target=" + trip, CXX: "clang++ --target=" + trip,
				Triplet: trip, Source: "clang",
				Note: "clang cross-compiles only with a sysroot holding the target's C library and headers",
			}
		}
	}
	return nil
}

// MissingCompilerHint says how to get a C compiler for t, e.g.
// "install gcc-aarch64-linux-gnu (Debian/Ubuntu) or set CC".
func MissingCompilerHint(t target.Target) string {
	if pkg := DebianPackage(t.GOOS, t.GOARCH); pkg != "" {
		return "Debian: " + pkg
	}
	return "set CC to a C compiler for " + t.GOOS + "/" + t.GOARCH
}

// qemuArch is qemu-user's name for a Linux GOARCH.
var qemuArch = map[string]string{
	"amd64": "x86_64", "386": "i386", "arm64": "aarch64", "arm": "arm",
	"riscv64": "riscv64", "ppc64le": "ppc64le", "ppc64": "ppc64", "s390x": "s390x",
	"mips": "mips", "mipsle": "mipsel", "mips64": "mips64", "mips64le": "mips64el",
	"loong64": "loongarch64",
}

// Runner finds how to execute t's binaries on this host, or nil when
// nothing can.
func (inv *Inventory) Runner(t target.Target) *Runner {
	h := inv.opts.Host
	if runsNatively(h, t) {
		return &Runner{Kind: "native"}
	}
	switch {
	case h.GOOS == "linux" && t.GOOS == "linux":
		q := qemuArch[t.GOARCH]
		if q == "" {
			return nil
		}
		for _, name := range []string{"qemu-" + q, "qemu-" + q + "-static"} {
			if p, err := goenv.LookPath(name, inv.opts.Environ); err == nil {
				r := &Runner{Kind: "qemu-user", Path: p}
				// Dynamically linked cgo binaries need the target's
				// loader and libc, which Debian's cross packages put in
				// /usr/<triplet>.
				if c, ok := crossPrefix["linux/"+t.GOARCH]; ok {
					for _, prefix := range c.prefixes {
						if fi, err := os.Stat(filepath.Join("/usr", prefix, "lib")); err == nil && fi.IsDir() {
							r.Args = []string{"-L", filepath.Join("/usr", prefix)}
							break
						}
					}
				}
				return r
			}
		}
	case h.GOOS != "windows" && t.GOOS == "windows" && (t.GOARCH == "amd64" || t.GOARCH == "386"):
		for _, name := range []string{"wine", "wine64"} {
			if p, err := goenv.LookPath(name, inv.opts.Environ); err == nil {
				if !wineRunsGo(inv.probeVersion(p)) {
					return nil
				}
				return &Runner{Kind: "wine", Path: p, Env: []string{"WINEDEBUG=-all"}}
			}
		}
	case t.GOOS == "js" && t.GOARCH == "wasm":
		node, err := goenv.LookPath("node", inv.opts.Environ)
		if err != nil {
			return nil
		}
		if js := WasmExecNode(inv.opts.GoEnv.Get("GOROOT")); js != "" {
			return &Runner{Kind: "node", Path: node, Args: []string{"--stack-size=8192", js}}
		}
	case t.GOOS == "wasip1" && t.GOARCH == "wasm":
		for _, rt := range []struct {
			name string
			args []string
		}{
			{"wasmtime", []string{"run", "--dir=."}},
			{"wazero", []string{"run", "-mount", ".:."}},
			{"wasmedge", []string{"--dir", ".:."}},
		} {
			if p, err := goenv.LookPath(rt.name, inv.opts.Environ); err == nil {
				return &Runner{Kind: rt.name, Path: p, Args: rt.args}
			}
		}
	}
	return nil
}

// probeVersion runs `prog --version` once and returns its first line.
func (inv *Inventory) probeVersion(prog string) string {
	inv.mu.Lock()
	d, ok := inv.dumps["version\x00"+prog]
	if !ok {
		d = &dump{}
		inv.dumps["version\x00"+prog] = d
	}
	inv.mu.Unlock()
	d.once.Do(func() {
		ctx, cancel := context.WithTimeout(inv.ctx, 20*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, prog, "--version")
		cmd.Env = inv.opts.Environ
		out, err := cmd.Output()
		if err == nil {
			d.triplet, _, _ = strings.Cut(strings.TrimSpace(string(out)), "\n")
		}
	})
	return d.triplet
}

// wineRunsGo reports whether a `wine --version` line ("wine-8.0 (Debian
// 8.0~repack-4)") names a Wine that can start Go programs: the Go runtime
// needs ProcessPrng from bcryptprimitives.dll, which Wine provides since
// 8.13; older Wines abort every Go binary with "bcryptprimitives.dll not
// found".
func wineRunsGo(version string) bool {
	v, ok := strings.CutPrefix(version, "wine-")
	if !ok {
		return false
	}
	v, _, _ = strings.Cut(v, " ")
	majS, minS, _ := strings.Cut(v, ".")
	maj, err1 := strconv.Atoi(majS)
	if i := strings.IndexFunc(minS, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		minS = minS[:i]
	}
	min, err2 := strconv.Atoi(minS)
	if err1 != nil || err2 != nil {
		return false
	}
	return maj > 8 || maj == 8 && min >= 13
}

// RunnerHint says why no runner serves t on this host, or "".
func (inv *Inventory) RunnerHint(t target.Target) string {
	if inv.Runner(t) != nil {
		return ""
	}
	if t.GOOS == "windows" && inv.opts.Host.GOOS != "windows" {
		if p, err := goenv.LookPath("wine", inv.opts.Environ); err == nil {
			return inv.probeVersion(p) + " is older than Wine 8.13, the first that runs Go programs (bcryptprimitives.dll)"
		}
		return "install wine 8.13 or newer"
	}
	if t.GOOS == "linux" && inv.opts.Host.GOOS == "linux" {
		return "install qemu-user"
	}
	if t.GOOS == "js" {
		return "install node"
	}
	if t.GOOS == "wasip1" {
		return "install wasmtime or wazero"
	}
	return ""
}

// WasmExecNode returns the node loader for js/wasm binaries shipped with
// the toolchain in goroot: lib/wasm since Go 1.24, misc/wasm before.
func WasmExecNode(goroot string) string {
	if goroot == "" {
		return ""
	}
	for _, dir := range []string{"lib/wasm", "misc/wasm"} {
		p := filepath.Join(goroot, dir, "wasm_exec_node.js")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// runsNatively reports whether the host executes t's binaries itself: same
// OS and architecture, 386 on an amd64 kernel, or amd64 under Rosetta 2 on
// Apple silicon.
func runsNatively(h goenv.Host, t target.Target) bool {
	if h.GOOS != t.GOOS || h.GOARCH == "" {
		return false
	}
	switch {
	case h.GOARCH == t.GOARCH:
		return true
	case h.GOARCH == "amd64" && t.GOARCH == "386":
		return h.GOOS == "linux" || h.GOOS == "windows" || h.GOOS == "freebsd"
	case h.GOOS == "darwin" && h.GOARCH == "arm64" && t.GOARCH == "amd64":
		_, err := os.Stat("/Library/Apple/usr/libexec/oah/libRosettaRuntime")
		return err == nil
	}
	return false
}

// Info is what this host offers for one target.
type Info struct {
	Target       target.Target `json:"target"`
	FirstClass   bool          `json:"first_class"`
	CgoSupported bool          `json:"cgo_supported"`
	// Compiler is nil when no C compiler for the target was found, and
	// for targets without cgo.
	Compiler *Compiler `json:"compiler,omitempty"`
	// CompilerHint says how to get a compiler when Compiler is nil.
	CompilerHint string  `json:"compiler_hint,omitempty"`
	Runner       *Runner `json:"runner,omitempty"`
	// RunnerHint says how to get a runner when Runner is nil.
	RunnerHint string   `json:"runner_hint,omitempty"`
	BuildModes []string `json:"build_modes"`
}

// Describe gathers everything the host offers for each port. Compiler
// probes run in parallel, each compiler once.
func (inv *Inventory) Describe(ports []goenv.Port) []Info {
	out := make([]Info, len(ports))
	var wg sync.WaitGroup
	for i, p := range ports {
		t := target.Target{GOOS: p.GOOS, GOARCH: p.GOARCH}
		out[i] = Info{Target: t, FirstClass: p.FirstClass, CgoSupported: p.CgoSupported,
			BuildModes: SupportedModes(p.GOOS, p.GOARCH), Runner: inv.Runner(t), RunnerHint: inv.RunnerHint(t)}
		if out[i].BuildModes == nil {
			out[i].BuildModes = []string{}
		}
		if !p.CgoSupported {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i].Compiler = inv.Compiler(t)
			if out[i].Compiler == nil {
				out[i].CompilerHint = MissingCompilerHint(t)
			}
		}()
	}
	wg.Wait()
	return out
}
