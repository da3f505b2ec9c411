package doctor

import (
	"go/version"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/goenv"
)

func TestGoModParseError(t *testing.T) {
	dir := writeModule(t, map[string]string{
		"go.mod": "module example.com/broken\n\ngo 1.26\n\nrequire (\n\texample.com/dep\n)\n",
	})
	fs := findingsOf(t, gather(t, dir, healthyEnv(t)), "GP-MOD-001")
	if len(fs) != 1 {
		t.Fatalf("got %d findings, want 1: %+v", len(fs), fs)
	}
	loc := fs[0].Location()
	if loc == nil || loc.Path != "go.mod" || loc.Line != 6 {
		t.Errorf("location = %+v, want go.mod:6", loc)
	}
	if !strings.Contains(fs[0].Message, "go.mod:6") {
		t.Errorf("message %q does not name go.mod:6", fs[0].Message)
	}
}

func TestGoModParsesCleanly(t *testing.T) {
	if fs := findingsOf(t, gather(t, healthyModule(t), healthyEnv(t)), "GP-MOD-001"); len(fs) != 0 {
		t.Errorf("unexpected findings: %+v", fs)
	}
}

// realGo runs the real go command in c's directory and environment, so a
// test can check that a finding describes what the go command does. The
// build cache is the one `go test` itself uses (cache entries are keyed by
// every input, so sharing it changes no result): a fresh cache would
// recompile the standard library for every case.
func realGo(t *testing.T, c *Context, args ...string) (string, error) {
	t.Helper()
	cache, err := exec.Command(filepath.Join(realGoDir(t), "go"), "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	return realGoIn(t, c.Dir, withEnv(c.Environ, "GOCACHE="+strings.TrimSpace(string(cache))), args...)
}

// realGoIn runs the real go command in dir with exactly environ.
func realGoIn(t *testing.T, dir string, environ []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(filepath.Join(realGoDir(t), "go"), args...)
	cmd.Dir, cmd.Env = dir, environ
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// offline forbids every download, so that the go command's failure is the
// one an air-gapped machine sees.
func offline(environ []string, kv ...string) []string {
	return withEnv(environ, append([]string{"GOPROXY=off"}, kv...)...)
}

func mustContain(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s %q does not contain %q", what, s, w)
		}
	}
}

func oneFinding(t *testing.T, fs []finding.Finding) finding.Finding {
	t.Helper()
	if len(fs) != 1 {
		t.Fatalf("got %d findings, want 1: %+v", len(fs), fs)
	}
	return fs[0]
}

func TestGoLineNewerThanInstalled(t *testing.T) {
	t.Parallel()
	mod := map[string]string{
		"go.mod":  "module example.com/future\n\ngo 1.99.0\n",
		"main.go": "package main\n\nfunc main() {}\n",
	}
	for _, tc := range []struct {
		name      string
		env       []string
		severity  finding.Severity
		goSays    string // what the real go command prints
		msg       string
		evidence1 string
	}{
		{"local", offline(healthyEnv(t)), finding.Error,
			"go.mod requires go >= 1.99.0 (running go %s; GOTOOLCHAIN=local)",
			"go: go.mod requires go >= 1.99.0 (running go %s; GOTOOLCHAIN=local)", "GOTOOLCHAIN=local (environment)"},
		{"auto", offline(healthyEnv(t), "GOTOOLCHAIN=auto"), finding.Warning,
			"download go1.99.0 for", "downloads go1.99.0 first", "GOTOOLCHAIN=auto (environment)"},
		{"local+auto", offline(healthyEnv(t), "GOTOOLCHAIN=local+auto"), finding.Warning,
			"toolchain not available", "downloads go1.99.0", "GOTOOLCHAIN=local+auto (environment)"},
		{"path", offline(healthyEnv(t), "GOTOOLCHAIN=path"), finding.Error,
			`cannot find "go1.99.0" in PATH`, `cannot find "go1.99.0" in PATH`, "GOTOOLCHAIN=path (environment)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := gather(t, writeModule(t, mod), tc.env)
			running := strings.TrimPrefix(c.Go.Version(), "go")
			f := oneFinding(t, findingsOf(t, c, "GP-MOD-002"))
			if f.Severity != tc.severity {
				t.Errorf("severity = %v, want %v", f.Severity, tc.severity)
			}
			mustContain(t, "message", f.Message, strings.ReplaceAll(tc.msg, "%s", running))
			if loc := f.Location(); loc == nil || loc.String() != "go.mod:3" || f.Evidence[1].Text != tc.evidence1 {
				t.Errorf("evidence = %+v", f.Evidence)
			}
			out, err := realGo(t, c, "build", ".")
			if err == nil {
				t.Fatalf("go build succeeded:\n%s", out)
			}
			mustContain(t, "go build output", out, strings.ReplaceAll(tc.goSays, "%s", running))
		})
	}
}

func TestGoLineNewerFromGOENVFile(t *testing.T) {
	t.Parallel()
	// Without GOTOOLCHAIN in the environment, the GOENV file decides.
	var kept []string
	for _, kv := range offline(healthyEnv(t)) {
		if !strings.HasPrefix(kv, "GOTOOLCHAIN=") {
			kept = append(kept, kv)
		}
	}
	envFile, _ := goenv.Getenv(kept, "GOENV")
	if err := os.WriteFile(envFile, []byte("GOTOOLCHAIN=auto\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := gather(t, writeModule(t, map[string]string{"go.mod": "module m\n\ngo 1.99\n"}), kept)
	f := oneFinding(t, findingsOf(t, c, "GP-MOD-002"))
	mustContain(t, "message", f.Message, "go >= 1.99", "downloads go1.99.0")
	if loc := f.Evidence[1].Location; loc == nil || loc.Path != envFile || loc.Line != 1 {
		t.Errorf("GOTOOLCHAIN evidence = %+v, want %s:1", f.Evidence[1], envFile)
	}
}

func TestGoLineNewerToolchainOnPath(t *testing.T) {
	t.Parallel()
	bin := t.TempDir()
	writeScript(t, filepath.Join(bin, "go1.99.0"), "exit 0\n")
	env := offline(healthyEnv(t), "GOTOOLCHAIN=path", "PATH="+pathList(realGoDir(t), bin, "/usr/bin", "/bin"))
	c := gather(t, writeModule(t, map[string]string{"go.mod": "module m\n\ngo 1.99.0\n"}), env)
	if fs := findingsOf(t, c, "GP-MOD-002"); len(fs) != 0 {
		t.Errorf("go1.99.0 is on PATH, yet: %+v", fs)
	}
}

func TestGoWorkLineNewerThanInstalled(t *testing.T) {
	t.Parallel()
	root := writeModule(t, map[string]string{
		"go.work":  "go 1.99\n\nuse ./a\n",
		"a/go.mod": "module example.com/a\n\ngo 1.22\n",
		"a/a.go":   "package a\n",
	})
	c := gather(t, filepath.Join(root, "a"), offline(healthyEnv(t)))
	f := oneFinding(t, findingsOf(t, c, "GP-MOD-002"))
	mustContain(t, "message", f.Message, "go.work requires go >= 1.99")
	out, err := realGo(t, c, "build", ".")
	if err == nil {
		t.Fatal("go build succeeded")
	}
	mustContain(t, "go build output", out, "go.work requires go >= 1.99")
}

func TestGoLineNotNewer(t *testing.T) {
	t.Parallel()
	installed := strings.TrimPrefix(gather(t, healthyModule(t), healthyEnv(t)).Go.Version(), "go")
	for _, goLine := range []string{"1.21", installed} {
		for _, tc := range []string{"local", "auto", "path"} {
			t.Run(goLine+"/"+tc, func(t *testing.T) {
				t.Parallel()
				dir := writeModule(t, map[string]string{"go.mod": "module m\n\ngo " + goLine + "\n"})
				c := gather(t, dir, offline(healthyEnv(t), "GOTOOLCHAIN="+tc))
				if fs := findingsOf(t, c, "GP-MOD-002"); len(fs) != 0 {
					t.Errorf("unexpected findings: %+v", fs)
				}
			})
		}
	}
}

func TestToolchainLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, goMod, gotoolchain string
		severity                 finding.Severity // 0: no finding
		msg                      string
		buildFails               string // "" when go build succeeds
	}{
		{"newer, local ignores it", "go 1.26\n\ntoolchain go1.99.1\n", "local", finding.Info,
			"go.mod:5 asks for toolchain go1.99.1, but GOTOOLCHAIN=local ignores it", ""},
		{"newer, auto downloads it", "go 1.26\n\ntoolchain go1.99.1\n", "auto", finding.Warning,
			"switch from go1.", "download go1.99.1 for"},
		{"newer, path finds none", "go 1.26\n\ntoolchain go1.99.1\n", "path", finding.Error,
			`cannot find "go1.99.1" in PATH`, `cannot find "go1.99.1" in PATH`},
		{"older than go line", "go 1.26\n\ntoolchain go1.25.0\n", "auto", finding.Info,
			"older than the go line (1.26), so it has no effect", ""},
		{"default", "go 1.26\n\ntoolchain default\n", "local", finding.Error,
			"toolchain default", "updates to go.mod needed"},
		{"not newer than installed", "go 1.26\n\ntoolchain go1.26.0\n", "auto", 0, "", ""},
		{"none", "go 1.26\n", "auto", 0, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := writeModule(t, map[string]string{
				"go.mod":  "module example.com/tc\n\n" + tc.goMod,
				"main.go": "package main\n\nfunc main() {}\n",
			})
			c := gather(t, dir, offline(healthyEnv(t), "GOTOOLCHAIN="+tc.gotoolchain))
			fs := findingsOf(t, c, "GP-MOD-003")
			if tc.severity == 0 {
				if len(fs) != 0 {
					t.Errorf("unexpected findings: %+v", fs)
				}
			} else {
				f := oneFinding(t, fs)
				if f.Severity != tc.severity {
					t.Errorf("severity = %v, want %v", f.Severity, tc.severity)
				}
				mustContain(t, "message", f.Message, tc.msg)
				if loc := f.Location(); loc == nil || loc.String() != "go.mod:5" {
					t.Errorf("location = %v, want go.mod:5", loc)
				}
			}
			out, err := realGo(t, c, "build", "-o", os.DevNull, ".")
			switch {
			case tc.buildFails == "" && err != nil:
				t.Errorf("go build failed:\n%s", out)
			case tc.buildFails != "" && err == nil:
				t.Errorf("go build succeeded, want %q", tc.buildFails)
			case tc.buildFails != "":
				mustContain(t, "go build output", out, tc.buildFails)
			}
		})
	}
}

func TestGoLineOld(t *testing.T) {
	t.Parallel()
	dir := writeModule(t, map[string]string{"go.mod": "module example.com/old\n\ngo 1.16\n"})
	c := gather(t, dir, healthyEnv(t))
	f := oneFinding(t, findingsOf(t, c, "GP-MOD-004"))
	mustContain(t, "message", f.Message, "go.mod:3 says go 1.16, below 1.17")
	if loc := f.Location(); loc == nil || loc.String() != "go.mod:3" {
		t.Errorf("location = %v", loc)
	}
	for _, goLine := range []string{"1.17", "1.26"} {
		t.Run(goLine, func(t *testing.T) {
			t.Parallel()
			dir := writeModule(t, map[string]string{"go.mod": "module m\n\ngo " + goLine + "\n"})
			if fs := findingsOf(t, gather(t, dir, healthyEnv(t)), "GP-MOD-004"); len(fs) != 0 {
				t.Errorf("unexpected findings: %+v", fs)
			}
		})
	}
}

func TestGoLineMissing(t *testing.T) {
	t.Parallel()
	dir := writeModule(t, map[string]string{"go.mod": "// no go line\nmodule example.com/nogo\n"})
	c := gather(t, dir, healthyEnv(t))
	f := oneFinding(t, findingsOf(t, c, "GP-MOD-005"))
	mustContain(t, "message", f.Message, "treats the module as go 1.16")
	if loc := f.Location(); loc == nil || loc.String() != "go.mod:2" {
		t.Errorf("location = %v, want the module line go.mod:2", loc)
	}
	out, err := realGo(t, c, "list", "-m", "-f", "{{.GoVersion}}")
	if err != nil || strings.TrimSpace(out) != "1.16" {
		t.Errorf("go list -m says %q (%v), want 1.16", out, err)
	}
	if fs := findingsOf(t, gather(t, healthyModule(t), healthyEnv(t)), "GP-MOD-005"); len(fs) != 0 {
		t.Errorf("healthy module: %+v", fs)
	}
}

func TestGO111MODULE(t *testing.T) {
	t.Parallel()
	mod := map[string]string{
		"go.mod":      "module example.com/orders\n\ngo 1.26\n",
		"main.go":     "package main\n\nimport _ \"example.com/orders/store\"\n\nfunc main() {}\n",
		"store/s.go":  "package store\n",
		"cmd/x/x.go":  "package main\n\nfunc main() {}\n",
		"cmd/x/go.go": "package main\n",
	}
	for _, tc := range []struct {
		value    string
		severity finding.Severity
		fails    bool
	}{
		{"off", finding.Error, true},
		{"auto", finding.Info, false},
		{"on", 0, false},
	} {
		t.Run(tc.value, func(t *testing.T) {
			t.Parallel()
			c := gather(t, writeModule(t, mod), withEnv(healthyEnv(t), "GO111MODULE="+tc.value))
			fs := findingsOf(t, c, "GP-MOD-006")
			if tc.severity == 0 {
				if len(fs) != 0 {
					t.Errorf("unexpected findings: %+v", fs)
				}
			} else {
				f := oneFinding(t, fs)
				if f.Severity != tc.severity || f.Evidence[0].Text != "GO111MODULE="+tc.value+" (environment)" {
					t.Errorf("finding = %+v", f)
				}
			}
			out, err := realGo(t, c, "build", "-o", os.DevNull, ".")
			if (err != nil) != tc.fails {
				t.Errorf("go build error = %v, want failure %v:\n%s", err, tc.fails, out)
			}
			if tc.fails {
				mustContain(t, "go build output", out, "cannot find package")
			}
		})
	}
	// Without a go.mod there is nothing to report.
	c := gather(t, writeModule(t, map[string]string{"main.go": "package main\n"}), withEnv(healthyEnv(t), "GO111MODULE=off"))
	if fs := findingsOf(t, c, "GP-MOD-006"); len(fs) != 0 {
		t.Errorf("no module: %+v", fs)
	}
}

func TestGoWork(t *testing.T) {
	t.Parallel()
	a := map[string]string{"a/go.mod": "module example.com/a\n\ngo 1.26.0\n", "a/a.go": "package a\n"}
	with := func(work string) map[string]string {
		m := map[string]string{"go.work": work}
		for k, v := range a {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		name, work string
		msg, loc   string // "" msg: no finding
		goSays     string // "" when go build succeeds
	}{
		{"syntax error", "go 1.26.0\n\nuse (\n\t./a\n", "go.work does not parse: go.work:5:", "go.work:5",
			"go.work:5: syntax error (unterminated block started at go.work:3:1)"},
		{"go line lower", "go 1.22\n\nuse ./a\n",
			"Module ./a (example.com/a) listed in go.work requires go >= 1.26.0, but go.work lists go 1.22", "go.work:3",
			"requires go >= 1.26.0, but go.work lists go 1.22"},
		{"language version lower than release", "go 1.26\n\nuse ./a\n",
			"but go.work lists go 1.26:", "go.work:3", "but go.work lists go 1.26;"},
		{"no go line", "use ./a\n", "but go.work implicitly requires go 1.18", "go.work:1",
			"but go.work implicitly requires go 1.18"},
		{"use without go.mod", "go 1.26.0\n\nuse (\n\t./a\n\t./missing\n)\n",
			"go.work:5 uses ./missing, which has no readable go.mod", "go.work:5", "cannot load module missing listed in go.work file"},
		{"healthy", "go 1.26.0\n\nuse ./a\n", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := writeModule(t, with(tc.work))
			c := gather(t, root, healthyEnv(t))
			fs := findingsOf(t, c, "GP-MOD-007")
			if tc.msg == "" {
				if len(fs) != 0 {
					t.Errorf("unexpected findings: %+v", fs)
				}
			} else {
				f := oneFinding(t, fs)
				mustContain(t, "message", f.Message, tc.msg)
				if loc := f.Location(); loc == nil || loc.String() != tc.loc && !strings.HasPrefix(loc.String(), tc.loc+":") {
					t.Errorf("location = %v, want %s", loc, tc.loc)
				}
			}
			out, err := realGo(t, c, "build", "./a")
			switch {
			case tc.goSays == "" && err != nil:
				t.Errorf("go build failed:\n%s", out)
			case tc.goSays != "":
				if err == nil {
					t.Fatalf("go build succeeded, want %q", tc.goSays)
				}
				mustContain(t, "go build output", out, tc.goSays)
			}
		})
	}
	// GOWORK=off: the workspace is not in effect.
	c := gather(t, writeModule(t, with("go 1.22\n\nuse ./a\n")), withEnv(healthyEnv(t), "GOWORK=off"))
	if fs := findingsOf(t, c, "GP-MOD-007"); len(fs) != 0 {
		t.Errorf("GOWORK=off: %+v", fs)
	}
}

func TestParseGOTOOLCHAIN(t *testing.T) {
	t.Parallel()
	const installed = "go1.26.8"
	for _, tc := range []struct {
		value, mode, min string
		ok               bool
	}{
		{"", "", installed, true},
		{"local", "", installed, true},
		{"auto", "auto", installed, true},
		{"path", "path", installed, true},
		{"local+auto", "auto", installed, true},
		{"local+path", "path", installed, true},
		{"go1.25.0", "", "go1.25.0", true},
		{"go1.25.0+auto", "auto", "go1.25.0", true},
		{"go1.27rc1+path", "path", "go1.27rc1", true},
		{"latest", "", "", false},
		{"go1.25.0+never", "", "", false},
		{"1.25.0", "", "", false},
		{"+auto", "", "", false},
	} {
		mode, min, ok := parseGOTOOLCHAIN(tc.value, installed)
		if mode != tc.mode || min != tc.min || ok != tc.ok {
			t.Errorf("parseGOTOOLCHAIN(%q) = %q, %q, %v; want %q, %q, %v", tc.value, mode, min, ok, tc.mode, tc.min, tc.ok)
		}
	}
}

// TestParseGOTOOLCHAINAgreesWithGo checks the verdicts against the real go
// command, which refuses values it cannot interpret before doing anything.
func TestParseGOTOOLCHAINAgreesWithGo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, value := range []string{"local", "auto", "path", "local+auto", "go1.25.0+path", "latest", "go1.25.0+never", "1.25.0", "+auto"} {
		t.Run(value, func(t *testing.T) {
			t.Parallel()
			_, _, ok := parseGOTOOLCHAIN(value, "go1.26.8")
			out, err := realGoIn(t, dir, withEnv(offline(healthyEnv(t)), "GOTOOLCHAIN="+value), "env", "GOVERSION")
			if rejected := strings.Contains(out, "invalid GOTOOLCHAIN"); rejected == ok {
				t.Errorf("parse ok=%v, but go env says (err %v): %s", ok, err, out)
			}
		})
	}
}

func FuzzParseGOTOOLCHAIN(f *testing.F) {
	for _, s := range []string{"", "local", "auto", "path", "local+auto", "go1.25.0+path", "go1.21rc1", "latest", "go+", "+", "go1.2.3-custom+auto"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		mode, min, ok := parseGOTOOLCHAIN(value, "go1.26.8")
		if !ok {
			return
		}
		if mode != "" && mode != "auto" && mode != "path" {
			t.Errorf("mode %q for %q", mode, value)
		}
		if !version.IsValid(min) {
			t.Errorf("min %q for %q is not a valid version", min, value)
		}
	})
}

// TestGoModModulePath covers what modfile.Parse accepts but the go command
// rejects; each case asks the real go command for its verdict first.
func TestGoModModulePath(t *testing.T) {
	tests := []struct {
		name, gomod, goSays, want string
	}{
		{"invalid UTF-8", "module \xff\xfe\n\ngo 1.22\n", `malformed module path "\xff\xfe": invalid UTF-8`, `go.mod:1: malformed module path "\xff\xfe": invalid UTF-8`},
		{"space", "module \"exa mple.com/x\"\n\ngo 1.22\n", `malformed module path "exa mple.com/x": invalid char ' '`, `go.mod:1: malformed module path "exa mple.com/x": invalid char ' '`},
		{"no module line", "go 1.22\n", "missing module declaration", "no module line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeModule(t, map[string]string{"go.mod": tt.gomod})
			env := healthyEnv(t)
			cmd := exec.Command("go", "list", "-m")
			cmd.Dir, cmd.Env = dir, env
			out, err := cmd.CombinedOutput()
			if err == nil || !strings.Contains(string(out), tt.goSays) {
				t.Fatalf("go list -m: err=%v, output %q; want it to fail with %q", err, out, tt.goSays)
			}
			fs := findingsOf(t, gather(t, dir, env), "GP-MOD-001")
			if len(fs) != 1 || !strings.Contains(fs[0].Message, tt.want) {
				t.Fatalf("findings %+v, want one containing %q", fs, tt.want)
			}
		})
	}
}
