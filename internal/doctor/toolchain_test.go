package doctor

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/goenv"
)

// writeScript creates an executable shell script at path.
func writeScript(t *testing.T, path, body string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("shell scripts as fake tools need a Unix shell")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
}

// fakeGoInstall creates root/bin/go printing `go version <v>` and, when
// withVersionFile is set, root/VERSION like a release tree.
func fakeGoInstall(t *testing.T, root, v string, withVersionFile bool) {
	t.Helper()
	writeScript(t, filepath.Join(root, "bin", "go"),
		"if [ \"$1\" = version ]; then echo \"go version "+v+" "+runtime.GOOS+"/"+runtime.GOARCH+"\"; exit 0; fi\necho \"go: fake\" >&2\nexit 2\n")
	if withVersionFile {
		if err := os.WriteFile(filepath.Join(root, "VERSION"), []byte(v+"\ntime 2024-02-06T17:30:00Z\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// realGoroot asks the real go command for its installation directory.
func realGoroot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command(filepath.Join(realGoDir(t), "go"), "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

func pathList(dirs ...string) string { return strings.Join(dirs, string(os.PathListSeparator)) }

func TestGoCommandMissing(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	c := gather(t, healthyModule(t), withEnv(healthyEnv(t), "PATH="+empty))
	fs := findingsOf(t, c, "GP-TOOL-001")
	if len(fs) != 1 || !strings.Contains(fs[0].Message, "No go command is on PATH") {
		t.Fatalf("findings = %+v, want one about the missing go command", fs)
	}
	if got := fs[0].Evidence[0].Text; !strings.Contains(got, "PATH="+empty) {
		t.Errorf("evidence %q does not show PATH", got)
	}
}

func TestGoCommandFails(t *testing.T) {
	t.Parallel()
	bin := t.TempDir()
	writeScript(t, filepath.Join(bin, "go"), "echo 'go: cannot find GOROOT directory: /opt/go-gone' >&2\nexit 1\n")
	c := gather(t, healthyModule(t), withEnv(healthyEnv(t), "PATH="+pathList(bin, "/usr/bin", "/bin")))
	fs := findingsOf(t, c, "GP-TOOL-001")
	if len(fs) != 1 {
		t.Fatalf("got %d findings, want 1: %+v", len(fs), fs)
	}
	for _, want := range []string{filepath.Join(bin, "go"), "cannot find GOROOT directory: /opt/go-gone"} {
		if !strings.Contains(fs[0].Message, want) {
			t.Errorf("message %q does not contain %q", fs[0].Message, want)
		}
	}
	if fs[0].Severity != finding.Error || !strings.Contains(fs[0].Fix, filepath.Join(bin, "go")+" env") {
		t.Errorf("severity %v, fix %q", fs[0].Severity, fs[0].Fix)
	}
}

// TestGoCommandFailsOnRealConfig lets the real go command fail on a
// configuration it rejects (a relative GOCACHE makes `go env` exit 1).
func TestGoCommandFailsOnRealConfig(t *testing.T) {
	t.Parallel()
	c := gather(t, healthyModule(t), withEnv(healthyEnv(t), "GOCACHE=relative/cache"))
	fs := findingsOf(t, c, "GP-TOOL-001")
	if len(fs) != 1 || !strings.Contains(fs[0].Message, "GOCACHE is not an absolute path") {
		t.Fatalf("findings = %+v, want the go command's own GOCACHE error", fs)
	}
}

func TestGoCommandHealthy(t *testing.T) {
	t.Parallel()
	if fs := findingsOf(t, gather(t, healthyModule(t), healthyEnv(t)), "GP-TOOL-001"); len(fs) != 0 {
		t.Errorf("unexpected findings: %+v", fs)
	}
}

// fakeGoroot builds a GOROOT-like tree whose compiler reports version v:
// the question the go command asks (`compile -V=full`) before compiling.
func fakeGoroot(t *testing.T, v string) string {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "VERSION"), []byte(v+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"src", "bin"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeScript(t, filepath.Join(root, "pkg", "tool", runtime.GOOS+"_"+runtime.GOARCH, "compile"),
		"echo \"compile version "+v+"\"\n")
	return root
}

func TestGorootOtherRelease(t *testing.T) {
	t.Parallel()
	root := fakeGoroot(t, "go1.20.14")
	c := gather(t, healthyModule(t), withEnv(healthyEnv(t), "GOROOT="+root))
	fs := findingsOf(t, c, "GP-TOOL-002")
	if len(fs) != 1 {
		t.Fatalf("got %d findings, want 1: %+v", len(fs), fs)
	}
	f := fs[0]
	for _, want := range []string{"GOROOT=" + root, "go1.20.14", c.Go.Version(), "does not match go tool version"} {
		if !strings.Contains(f.Message, want) {
			t.Errorf("message %q does not contain %q", f.Message, want)
		}
	}
	if f.Severity != finding.Error || f.Evidence[0].Text != "GOROOT="+root+" (environment)" || !strings.HasPrefix(f.Fix, "unset GOROOT") {
		t.Errorf("finding = %+v", f)
	}

	// The real go command accepts this GOROOT for `go env` but cannot build.
	cmd := exec.Command(c.Go.GoBinary, "build", "-o", os.DevNull, ".")
	cmd.Dir, cmd.Env = c.Dir, c.Environ
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("go build with GOROOT=%s succeeded:\n%s", root, out)
	}
}

func TestGorootSameReleaseCopy(t *testing.T) {
	t.Parallel()
	c := gather(t, healthyModule(t), healthyEnv(t))
	root := fakeGoroot(t, c.Go.Version())
	c = gather(t, healthyModule(t), withEnv(healthyEnv(t), "GOROOT="+root))
	fs := findingsOf(t, c, "GP-TOOL-002")
	if len(fs) != 1 || fs[0].Severity != finding.Warning || !strings.Contains(fs[0].Message, "same release") {
		t.Fatalf("findings = %+v, want one warning about a copy of the same release", fs)
	}
}

func TestGorootMissingDirectory(t *testing.T) {
	t.Parallel()
	gone := filepath.Join(t.TempDir(), "go-1.19")
	c := gather(t, healthyModule(t), withEnv(healthyEnv(t), "GOROOT="+gone))
	fs := findingsOf(t, c, "GP-TOOL-002")
	if len(fs) != 1 || !strings.Contains(fs[0].Message, gone+", which is not an existing directory") {
		t.Fatalf("findings = %+v", fs)
	}
	// The real go command fails too, and GP-TOOL-001 shows its words.
	tool := findingsOf(t, c, "GP-TOOL-001")
	if len(tool) != 1 || !strings.Contains(tool[0].Message, "cannot find GOROOT directory") {
		t.Errorf("GP-TOOL-001 findings = %+v", tool)
	}
}

func TestGorootNotAGoTree(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	c := gather(t, healthyModule(t), withEnv(healthyEnv(t), "GOROOT="+empty))
	f := oneFinding(t, findingsOf(t, c, "GP-TOOL-002"))
	mustContain(t, "message", f.Message, "GOROOT="+empty+" is not the installation", "has no usable compiler")
	// `go env` accepts it; building does not.
	if out, err := realGoIn(t, c.Dir, c.Environ, "build", "-o", os.DevNull, "."); err == nil {
		t.Errorf("go build succeeded with an empty GOROOT:\n%s", out)
	}
}

func TestGorootInGOENVFile(t *testing.T) {
	t.Parallel()
	root := fakeGoroot(t, "go1.20.14")
	env := healthyEnv(t)
	envFile, _ := goenv.Getenv(env, "GOENV")
	if err := os.WriteFile(envFile, []byte("GOPROXY=https://proxy.golang.org\nGOROOT="+root+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fs := findingsOf(t, gather(t, healthyModule(t), env), "GP-TOOL-002")
	if len(fs) != 1 {
		t.Fatalf("got %d findings, want 1: %+v", len(fs), fs)
	}
	loc := fs[0].Location()
	if loc == nil || loc.Path != envFile || loc.Line != 2 || !strings.Contains(fs[0].Fix, "go env -u GOROOT") {
		t.Errorf("location %+v fix %q, want %s:2 and go env -u", loc, fs[0].Fix, envFile)
	}
}

func TestGorootHealthy(t *testing.T) {
	t.Parallel()
	real := realGoroot(t)
	link := filepath.Join(t.TempDir(), "golink")
	if err := os.Symlink(real, link); err != nil {
		t.Skip(err)
	}
	for _, env := range [][]string{
		healthyEnv(t),
		withEnv(healthyEnv(t), "GOROOT="+real),
		withEnv(healthyEnv(t), "GOROOT="+link),
	} {
		if fs := findingsOf(t, gather(t, healthyModule(t), env), "GP-TOOL-002"); len(fs) != 0 {
			t.Errorf("unexpected findings: %+v", fs)
		}
	}
}

func TestSeveralGoInstallations(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fakeGoInstall(t, filepath.Join(dir, "go1.20"), "go1.20.14", true)
	fakeGoInstall(t, filepath.Join(dir, "distro"), "go1.22.2", false) // no VERSION: ask `go version`
	real := filepath.Join(realGoDir(t), "go")
	env := withEnv(healthyEnv(t), "PATH="+pathList(realGoDir(t), filepath.Join(dir, "go1.20", "bin"), filepath.Join(dir, "distro", "bin"), "/usr/bin", "/bin"))
	c := gather(t, healthyModule(t), env)
	fs := findingsOf(t, c, "GP-TOOL-003")
	if len(fs) != 1 {
		t.Fatalf("got %d findings, want 1: %+v", len(fs), fs)
	}
	f := fs[0]
	for _, want := range []string{
		"3 go commands are on PATH",
		real + " (" + c.Go.Version() + ") wins",
		filepath.Join(dir, "go1.20", "bin", "go") + " (go1.20.14)",
		filepath.Join(dir, "distro", "bin", "go") + " (go1.22.2)",
	} {
		if !strings.Contains(f.Message, want) {
			t.Errorf("message %q does not contain %q", f.Message, want)
		}
	}
	if f.Severity != finding.Warning || !strings.Contains(f.Fix, filepath.Join(dir, "go1.20", "bin")) {
		t.Errorf("severity %v fix %q", f.Severity, f.Fix)
	}
}

func TestSeveralGoInstallationsSameRelease(t *testing.T) {
	t.Parallel()
	c := gather(t, healthyModule(t), healthyEnv(t))
	dir := t.TempDir()
	fakeGoInstall(t, dir, c.Go.Version(), true)
	env := withEnv(healthyEnv(t), "PATH="+pathList(realGoDir(t), filepath.Join(dir, "bin")))
	fs := findingsOf(t, gather(t, healthyModule(t), env), "GP-TOOL-003")
	if len(fs) != 1 || fs[0].Severity != finding.Info {
		t.Fatalf("findings = %+v, want one info finding", fs)
	}
}

func TestOneGoInstallation(t *testing.T) {
	t.Parallel()
	// The same go reached through a symlinked PATH entry is one installation.
	link := filepath.Join(t.TempDir(), "gobin")
	if err := os.Symlink(realGoDir(t), link); err != nil {
		t.Skip(err)
	}
	env := withEnv(healthyEnv(t), "PATH="+pathList(realGoDir(t), link, "/usr/bin", "/bin"))
	if fs := findingsOf(t, gather(t, healthyModule(t), env), "GP-TOOL-003"); len(fs) != 0 {
		t.Errorf("unexpected findings: %+v", fs)
	}
}

func TestGoRelease(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]string{
		"go1.26.8":                      "go1.26.8",
		"go1.26.8 X:boringcrypto":       "go1.26.8",
		"devel go1.27-abcdef Mon Jan 1": "devel go1.27-abcdef",
		"":                              "",
	} {
		c := &Context{Go: &goenv.Env{Vars: map[string]string{"GOVERSION": v}}}
		if got := c.goRelease(); got != want {
			t.Errorf("goRelease(%q) = %q, want %q", v, got, want)
		}
	}
	if got := (&Context{}).goRelease(); got != "" {
		t.Errorf("no go command: %q", got)
	}
}

func TestGOTOOLCHAINValue(t *testing.T) {
	t.Parallel()
	installed := gather(t, healthyModule(t), healthyEnv(t)).goRelease()
	for _, tc := range []struct {
		value    string
		severity finding.Severity // 0: no finding
		msg      string
		goSays   string // the real go command's error, offline; "" when it works
	}{
		{"latest", finding.Error, `go: invalid GOTOOLCHAIN "latest"`, `invalid GOTOOLCHAIN "latest"`},
		{installed + "+local", finding.Error, "only version suffixes are +auto and +path", "only version suffixes are +auto and +path"},
		{"stable+auto", finding.Error, `invalid minimum toolchain "stable"`, `invalid minimum toolchain "stable"`},
		{"go1.26", finding.Error, "go1.26 is a language version but not a toolchain version (go1.26.x)", "is a language version but not a toolchain version"},
		{"go1.25.0", finding.Warning, "run go1.25.0 instead of the installed " + installed, "toolchain not available"},
		{"go1.25.0+auto", finding.Warning, "run go1.25.0 instead", "toolchain not available"},
		{"go1.99.0+path", finding.Error, `cannot find "go1.99.0" in PATH`, `cannot find "go1.99.0" in PATH`},
		{installed, 0, "", ""},
		{installed + "+auto", 0, "", ""},
		{"local", 0, "", ""},
		{"auto", 0, "", ""},
		{"path", 0, "", ""},
	} {
		t.Run(tc.value, func(t *testing.T) {
			t.Parallel()
			c := gather(t, healthyModule(t), offline(healthyEnv(t), "GOTOOLCHAIN="+tc.value))
			fs := findingsOf(t, c, "GP-TOOL-004")
			if tc.severity == 0 {
				if len(fs) != 0 {
					t.Errorf("unexpected findings: %+v", fs)
				}
			} else {
				f := oneFinding(t, fs)
				mustContain(t, "message", f.Message, tc.msg)
				if f.Severity != tc.severity || f.Evidence[0].Text != "GOTOOLCHAIN="+tc.value+" (environment)" {
					t.Errorf("finding = %+v", f)
				}
			}
			out, err := realGoIn(t, c.Dir, c.Environ, "version")
			if (err != nil) != (tc.goSays != "") {
				t.Errorf("go version error = %v, want failure %v:\n%s", err, tc.goSays != "", out)
			}
			mustContain(t, "go version output", out, tc.goSays)
		})
	}
}

func FuzzGOTOOLCHAINError(f *testing.F) {
	for _, s := range []string{"", "local", "latest", "go1.26", "go1.26.0+local", "+", "go1.21rc1+auto", "local+path", "\xff+auto"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		msg := gotoolchainError(value)
		_, _, ok := parseGOTOOLCHAIN(value, "go1.26.8")
		if msg == "" && !ok {
			t.Errorf("%q: accepted by gotoolchainError, rejected by parseGOTOOLCHAIN", value)
		}
	})
}
