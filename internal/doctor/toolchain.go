package doctor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/version"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/goenv"
)

func toolchainChecks() []Check {
	return []Check{
		{
			Rule: finding.Rule{
				ID:       "GP-TOOL-001",
				Title:    "The go command is missing or fails",
				Severity: finding.Error,
				Explanation: "Nothing builds without a working `go` command. Either no `go` executable is on " +
					"PATH (a fresh CI image, a shell profile that was not loaded, a PATH set by a service " +
					"manager), or the one that is there fails before doing anything: `go env` exits non-zero " +
					"because of a broken configuration (a GOROOT that does not exist, a relative GOPATH or " +
					"GOCACHE, an invalid GOTOOLCHAIN or GOFLAGS value) or because the binary itself is " +
					"damaged or built for another system. The go command's own first error line says which.",
				Fix: "Install Go from https://go.dev/dl/ and put its bin directory on PATH " +
					"(`export PATH=$PATH:/usr/local/go/bin`), or correct the setting named in the go " +
					"command's error.",
			},
			Run: checkGoCommand,
		},
		{
			Rule: finding.Rule{
				ID:       "GP-TOOL-002",
				Title:    "GOROOT points at another Go installation",
				Severity: finding.Error,
				Explanation: "The go command finds its standard library and its compiler, assembler and linker " +
					"under GOROOT. When GOROOT is set (in the environment or with `go env -w`) to a tree " +
					"other than the one the `go` binary on PATH came from, that go command drives another " +
					"release's tools, and every build fails with " +
					"`compile: version \"go1.20.14\" does not match go tool version \"go1.26.8\"` — once for each " +
					"standard-library package. A GOROOT that no longer exists (left over from an uninstalled " +
					"distribution package) fails even earlier with `go: cannot find GOROOT directory`. Even a " +
					"copy of the same release breaks as soon as one of the two is upgraded. Since Go 1.9 the " +
					"go command locates its own GOROOT from its executable, so GOROOT almost never needs to be set.",
				Fix: "Unset GOROOT (`unset GOROOT`, remove it from shell profiles and CI settings, and " +
					"`go env -u GOROOT`), or put the matching installation's bin directory first on PATH.",
			},
			Run: checkGoroot,
		},
		{
			Rule: finding.Rule{
				ID:       "GP-TOOL-003",
				Title:    "Several Go installations on PATH",
				Severity: finding.Warning,
				Explanation: "When PATH holds more than one `go`, the first one wins and the others are " +
					"shadowed. Which one that is depends on the order of PATH entries, which differs between " +
					"login and non-login shells, IDEs, `sudo`, cron and CI steps — so the same module is " +
					"built by different Go releases on the same machine, with different language versions, " +
					"GODEBUG defaults, vet checks and standard-library bugs, and caches and `go env -w` " +
					"settings are shared between them.",
				Fix: "Keep one installation on PATH (remove the others or their PATH entries); for other " +
					"releases use `go install golang.org/dl/go1.N.M@latest` wrappers or GOTOOLCHAIN.",
			},
			Run: checkGoInstallations,
		},
		{
			Rule: finding.Rule{
				ID:       "GP-TOOL-004",
				Title:    "GOTOOLCHAIN is invalid or forces another toolchain",
				Severity: finding.Error,
				Explanation: "GOTOOLCHAIN accepts `local`, `auto`, `path`, a toolchain name such as `go1.26.8`, " +
					"or a name with `+auto`/`+path`. Anything else stops every go command before it starts " +
					"(`go: invalid GOTOOLCHAIN \"latest\"`). A language version such as `go1.26` is not a " +
					"toolchain: since Go 1.21 the first release is `go1.26.0`, and the go command fails with " +
					"`go1.26 is a language version but not a toolchain version (go1.26.x)`. A valid name " +
					"other than the installed release makes every go command run that toolchain instead — " +
					"even an older one — looking for it on PATH, then in the module cache, then downloading " +
					"it through GOPROXY, which fails offline (`toolchain not available`).",
				Fix: "Use `GOTOOLCHAIN=local` or `auto` (`go env -w GOTOOLCHAIN=auto`, or unset the " +
					"variable), or name a released toolchain such as `go1.26.0+auto`.",
			},
			Run: checkGOTOOLCHAINValue,
		},
	}
}

// toolTimeout bounds each extra go or compile invocation a check makes, so
// that a hung binary cannot hang the doctor.
const toolTimeout = 20 * time.Second

func checkGoCommand(c *Context) []finding.Finding {
	if c.GoErr == nil {
		return nil
	}
	path := c.Getenv("PATH")
	if errors.Is(c.GoErr, goenv.ErrNotFound) {
		return []finding.Finding{{
			Message:  "No go command is on PATH, so nothing can be built.",
			Evidence: []finding.Evidence{{Text: "PATH=" + path + " (environment)"}},
			Fix:      "install Go from https://go.dev/dl/ and add its bin directory to PATH, e.g. `export PATH=$PATH:/usr/local/go/bin`",
		}}
	}
	var gerr *goenv.Error
	if !errors.As(c.GoErr, &gerr) || gerr.Binary == "" {
		return []finding.Finding{{
			Message: "The go command cannot be run: " + c.GoErr.Error() + ".",
			Fix:     "reinstall Go from https://go.dev/dl/",
		}}
	}
	reason := firstOutputLine(gerr.Stderr)
	if reason == "" {
		reason = gerr.Err.Error()
	}
	var ev []finding.Evidence
	for _, line := range strings.Split(strings.TrimSpace(gerr.Stderr), "\n") {
		if line = strings.TrimSpace(line); line != "" && len(ev) < 5 {
			ev = append(ev, finding.Evidence{Text: line})
		}
	}
	if len(ev) == 0 {
		ev = append(ev, finding.Evidence{Text: gerr.Binary + " env -json: " + gerr.Err.Error()})
	}
	return []finding.Finding{{
		Message:  fmt.Sprintf("The go command %s fails before building anything (`go env -json`: %s).", gerr.Binary, reason),
		Evidence: ev,
		Fix:      fmt.Sprintf("run `%s env` to see the whole error and correct the setting it names, or reinstall Go from https://go.dev/dl/", gerr.Binary),
	}}
}

// gorootOverride returns the GOROOT setting when the user set one
// explicitly (environment or GOENV file); $GOROOT/go.env cannot set it.
func (c *Context) gorootOverride() (Setting, bool) {
	s := c.Setting("GOROOT")
	if s.Value == "" || s.Source == "default" || (c.GorootEnv != nil && s.Source == c.GorootEnv.Path) {
		return s, false
	}
	return s, true
}

func checkGoroot(c *Context) []finding.Finding {
	set, ok := c.gorootOverride()
	if !ok {
		return nil
	}
	unset := gorootFix(set)
	if fi, err := os.Stat(set.Value); err != nil || !fi.IsDir() {
		return []finding.Finding{{
			Message:  fmt.Sprintf("GOROOT is set to %s, which is not an existing directory; the go command stops with `cannot find GOROOT directory`.", set.Value),
			Evidence: []finding.Evidence{set.Evidence()},
			Fix:      unset,
		}}
	}
	if c.Go == nil {
		return nil
	}
	own := ownGoroot(c)
	if own == "" || sameDir(own, set.Value) {
		return nil
	}
	goVersion := c.goRelease()
	toolDir := c.Go.Get("GOTOOLDIR")
	compile := filepath.Join(toolDir, "compile"+toolExeSuffix())
	treeVersion, err := compileVersion(c, compile)
	ev := []finding.Evidence{set.Evidence(), {Text: "go command " + c.Go.GoBinary + " (" + goVersion + ", GOROOT " + own + ")"}}
	switch {
	case err != nil:
		return []finding.Finding{{
			Message: fmt.Sprintf("GOROOT=%s is not the installation of the go command on PATH (%s) and has no usable compiler (%s); every build fails.",
				set.Value, own, err),
			Evidence: ev,
			Fix:      unset,
		}}
	case treeVersion != goVersion:
		return []finding.Finding{{
			Message: fmt.Sprintf("GOROOT=%s holds %s but the go command on PATH is %s (from %s); builds fail with `compile: version %q does not match go tool version %q`.",
				set.Value, treeVersion, goVersion, own, treeVersion, goVersion),
			Evidence: append(ev, finding.Evidence{Text: compile + " -V=full: compile version " + treeVersion}),
			Fix:      unset,
		}}
	}
	return []finding.Finding{{
		Severity: finding.Warning,
		Message: fmt.Sprintf("GOROOT=%s is a different installation of %s than the go command on PATH (%s); builds work only while both stay at the same release.",
			set.Value, goVersion, own),
		Evidence: ev,
		Fix:      unset,
	}}
}

// gorootFix says how to remove a setting from where it was made.
func gorootFix(s Setting) string {
	if s.Source == "environment" {
		return "unset " + s.Key + " (`unset " + s.Key + "`, and remove it from shell profiles and CI settings)"
	}
	return "`go env -u " + s.Key + "` (it is set in " + s.Source + ")"
}

// ownGoroot asks the go command where its own installation is, with every
// GOROOT override removed.
func ownGoroot(c *Context) string {
	env := append(environWithout(c.Environ, "GOROOT"), "GOENV=off", "GOTOOLCHAIN=local", "GOFLAGS=")
	out, err := runGoTool(c.Dir, env, c.Go.GoBinary, "env", "GOROOT")
	if err != nil {
		// The go command derives GOROOT from its executable's location.
		if real, err := filepath.EvalSymlinks(c.Go.GoBinary); err == nil {
			return filepath.Dir(filepath.Dir(real))
		}
		return ""
	}
	return strings.TrimSpace(out)
}

// compileVersion runs `compile -V=full`, the same question the go command
// asks before compiling, and returns the version, e.g. "go1.20.14".
func compileVersion(c *Context, compile string) (string, error) {
	out, err := runGoTool(c.Dir, c.Environ, compile, "-V=full")
	if err != nil {
		return "", err
	}
	// "compile version go1.26.8" (devel builds add more words).
	f := strings.Fields(out)
	if len(f) < 3 || f[0] != "compile" || f[1] != "version" {
		return "", fmt.Errorf("%s -V=full printed %q", compile, firstOutputLine(out))
	}
	return f[2], nil
}

func runGoTool(dir string, environ []string, bin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), toolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = environ
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if s := firstOutputLine(stderr.String()); s != "" {
			return "", fmt.Errorf("%s: %s", filepath.Base(bin), s)
		}
		return "", fmt.Errorf("%s: %w", filepath.Base(bin), err)
	}
	return stdout.String(), nil
}

func firstOutputLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(line)
}

func environWithout(environ []string, key string) []string {
	var out []string
	for _, kv := range environ {
		if k, _, _ := strings.Cut(kv, "="); k != key {
			out = append(out, kv)
		}
	}
	return out
}

func toolExeSuffix() string {
	if filepath.Separator == '\\' {
		return ".exe"
	}
	return ""
}

// sameDir reports whether a and b name the same directory once symlinks
// are resolved.
func sameDir(a, b string) bool {
	ra, err1 := filepath.EvalSymlinks(a)
	rb, err2 := filepath.EvalSymlinks(b)
	if err1 != nil || err2 != nil {
		return filepath.Clean(a) == filepath.Clean(b)
	}
	if ra == rb {
		return true
	}
	fa, err1 := os.Stat(ra)
	fb, err2 := os.Stat(rb)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// installation is one go command found on PATH.
type installation struct {
	Bin     string // as found on PATH
	Root    string // GOROOT it belongs to (its bin/..), symlinks resolved
	Version string // "go1.26.8", or "" when unknown
}

// goInstallations lists the go commands on PATH with their versions, read
// from the VERSION file beside bin/ or, failing that, from `go version`.
func goInstallations(c *Context) []installation {
	var list []installation
	for _, bin := range goenv.FindAll("go", c.Environ) {
		in := installation{Bin: bin}
		real, err := filepath.EvalSymlinks(bin)
		if err != nil {
			real = bin
		}
		in.Root = filepath.Dir(filepath.Dir(real))
		in.Version = versionFile(filepath.Join(in.Root, "VERSION"))
		if in.Version == "" {
			env := append(environWithout(c.Environ, "GOROOT"), "GOTOOLCHAIN=local")
			if out, err := runGoTool(c.Dir, env, bin, "version"); err == nil {
				// "go version go1.26.8 linux/amd64"
				if f := strings.Fields(out); len(f) >= 3 && f[0] == "go" && f[1] == "version" {
					in.Version = f[2]
				}
			}
		}
		list = append(list, in)
	}
	return list
}

// versionFile reads a Go release's VERSION file: its first line is the
// version ("go1.26.8"); devel trees have other content and yield "".
func versionFile(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	v := firstOutputLine(string(data))
	if !version.IsValid(v) {
		return ""
	}
	return v
}

func checkGoInstallations(c *Context) []finding.Finding {
	list := goInstallations(c)
	if len(list) < 2 {
		return nil
	}
	describe := func(in installation) string {
		v := in.Version
		if v == "" {
			v = "unknown version"
		}
		return in.Bin + " (" + v + ")"
	}
	var others []string
	var ev []finding.Evidence
	differ := false
	for i, in := range list {
		ev = append(ev, finding.Evidence{Text: describe(in)})
		if i == 0 {
			continue
		}
		others = append(others, describe(in))
		if in.Version != list[0].Version {
			differ = true
		}
	}
	ev = append(ev, finding.Evidence{Text: "PATH=" + c.Getenv("PATH") + " (environment)"})
	f := finding.Finding{
		Message: fmt.Sprintf("%d go commands are on PATH: %s wins, shadowing %s.",
			len(list), describe(list[0]), strings.Join(others, ", ")),
		Evidence: ev,
		Fix: "remove the shadowed installations or their PATH entries (" +
			strings.Join(dirsOf(list[1:]), ", ") + ") so that only " + filepath.Dir(list[0].Bin) + " provides go",
	}
	if !differ {
		f.Severity = finding.Info
	}
	return []finding.Finding{f}
}

func dirsOf(list []installation) []string {
	var dirs []string
	for _, in := range list {
		dirs = append(dirs, filepath.Dir(in.Bin))
	}
	return dirs
}

// goRelease is the go command's version without the experiment suffix
// that runtime.Version adds to some builds ("go1.26.8 X:boringcrypto"),
// or "" when the go command could not be run.
func (c *Context) goRelease() string {
	if c.Go == nil {
		return ""
	}
	f := strings.Fields(c.Go.Version())
	if len(f) == 0 {
		return ""
	}
	if f[0] == "devel" && len(f) > 1 {
		return "devel " + f[1]
	}
	return f[0]
}

// gotoolchainError returns the go command's complaint about a GOTOOLCHAIN
// value (cmd/go/internal/toolchain), or "" when the value is accepted.
func gotoolchainError(value string) string {
	switch value {
	case "", "local", "auto", "path":
		return ""
	}
	name, suffix, plus := strings.Cut(value, "+")
	if name != "local" && (!strings.HasPrefix(name, "go") || !version.IsValid(name)) {
		if plus {
			return fmt.Sprintf("invalid GOTOOLCHAIN %q: invalid minimum toolchain %q", value, name)
		}
		return fmt.Sprintf("invalid GOTOOLCHAIN %q", value)
	}
	if plus && suffix != "auto" && suffix != "path" {
		return fmt.Sprintf("invalid GOTOOLCHAIN %q: only version suffixes are +auto and +path", value)
	}
	if name != "local" && version.Lang(name) == name && version.Compare(name, "go1.21") >= 0 {
		return fmt.Sprintf("invalid toolchain: %s is a language version but not a toolchain version (%s.x)", name, name)
	}
	return ""
}

func checkGOTOOLCHAINValue(c *Context) []finding.Finding {
	s := c.Setting("GOTOOLCHAIN")
	if s.Source == "default" {
		return nil // goenv.Load's own forced value, not the user's
	}
	fix := "unset GOTOOLCHAIN (or set GOTOOLCHAIN=auto)"
	if s.Source != "environment" {
		fix = "go env -w GOTOOLCHAIN=auto"
	}
	if msg := gotoolchainError(s.Value); msg != "" {
		return []finding.Finding{{
			Message:  fmt.Sprintf("GOTOOLCHAIN=%s is rejected by the go command, so every go command fails with `go: %s`.", s.Value, msg),
			Evidence: []finding.Evidence{s.Evidence()},
			Fix:      fix,
		}}
	}
	installed := c.goRelease()
	mode, min, ok := parseGOTOOLCHAIN(s.Value, installed)
	if !ok || installed == "" || min == installed {
		return nil
	}
	if mode == "path" {
		if _, err := goenv.LookPath(min, c.Environ); err == nil {
			return nil
		}
		return []finding.Finding{{
			Message:  fmt.Sprintf("GOTOOLCHAIN=%s makes every go command run %s instead of the installed %s, but only from PATH, where there is none: every go command fails with `go: cannot find %q in PATH`.", s.Value, min, installed, min),
			Evidence: []finding.Evidence{s.Evidence()},
			Fix:      fix + ", or install " + min + " on PATH (`go install golang.org/dl/" + min + "@latest && " + min + " download`)",
		}}
	}
	if _, found := c.available(min); found {
		return nil
	}
	return []finding.Finding{{
		Severity: finding.Warning,
		Message: fmt.Sprintf("GOTOOLCHAIN=%s makes every go command run %s instead of the installed %s, downloading it first: offline builds fail with `download %s for %s/%s: toolchain not available`.",
			s.Value, min, installed, min, c.Go.Get("GOHOSTOS"), c.Go.Get("GOHOSTARCH")),
		Evidence: []finding.Evidence{s.Evidence()},
		Fix:      fix + ", or install " + min + " (`go install golang.org/dl/" + min + "@latest && " + min + " download`)",
	}}
}
