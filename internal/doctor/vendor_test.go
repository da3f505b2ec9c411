package doctor

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goport/goport/internal/finding"
)

const vendoredGoMod = `module example.com/m

go 1.26

require (
	example.com/a v1.0.0
	example.com/b v1.2.0
)

replace example.com/a => ../a

replace example.com/b v1.2.0 => ../b
`

// vendoredModule creates root/m requiring root/a and root/b through
// directory replacements (no network needed) and vendors it with the real
// `go mod vendor`. It returns root/m.
func vendoredModule(t *testing.T, env []string) string {
	t.Helper()
	root := writeModule(t, map[string]string{
		"a/go.mod":  "module example.com/a\n\ngo 1.21\n",
		"a/a.go":    "package a\n\nfunc A() {}\n",
		"b/go.mod":  "module example.com/b\n\ngo 1.20\n",
		"b/b.go":    "package b\n\nfunc B() {}\n",
		"m/go.mod":  vendoredGoMod,
		"m/main.go": "package main\n\nimport (\n\t\"example.com/a\"\n\t\"example.com/b\"\n)\n\nfunc main() { a.A(); b.B() }\n",
	})
	dir := filepath.Join(root, "m")
	runGo(t, dir, withEnv(env, "GOFLAGS=-mod=mod", "GOPROXY=off"), "mod", "vendor")
	return dir
}

// runGo runs the real go command and fails the test if it fails.
func runGo(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	out, err := goCommand(t, dir, env, args...)
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func goCommand(t *testing.T, dir string, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(filepath.Join(realGoDir(t), "go"), args...)
	cmd.Dir = dir
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// goVendorVerdict loads the package in dir with the real go command and
// returns the detail lines of its "inconsistent vendoring" error (nil when
// there is none) and its whole output.
func goVendorVerdict(t *testing.T, dir string, env []string) ([]string, string) {
	t.Helper()
	out, _ := goCommand(t, dir, env, "list", "-f", "{{.Dir}}", ".")
	_, rest, found := strings.Cut(out, "go: inconsistent vendoring in ")
	if !found {
		return nil, out
	}
	var details []string
	for _, line := range strings.Split(rest, "\n")[1:] {
		if line == "" {
			break
		}
		details = append(details, strings.TrimPrefix(line, "\t"))
	}
	return details, out
}

func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s does not contain %q:\n%s", path, old, data)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestVendorConsistencyMatchesGoCommand(t *testing.T) {
	t.Parallel()
	const explicitA = "## explicit; go 1.21\nexample.com/a\n"
	tests := []struct {
		name   string
		mutate func(t *testing.T, dir string)
		env    []string
		tooNew string // expected go command message for a too-new module
		// consistent says the case builds: guards against a mutation that
		// does not create the situation it names.
		consistent bool
	}{
		{name: "consistent", mutate: func(*testing.T, string) {}, consistent: true},
		{name: "modules.txt missing", mutate: func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, "vendor", "modules.txt")); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "explicit annotation missing", mutate: func(t *testing.T, dir string) {
			editFile(t, filepath.Join(dir, "vendor", "modules.txt"), explicitA, "## go 1.21\nexample.com/a\n")
		}},
		{name: "different version in go.mod", mutate: func(t *testing.T, dir string) {
			editFile(t, filepath.Join(dir, "go.mod"), "example.com/a v1.0.0", "example.com/a v1.1.0")
		}},
		{name: "module missing from modules.txt", mutate: func(t *testing.T, dir string) {
			editFile(t, filepath.Join(dir, "go.mod"), "example.com/b v1.2.0\n)", "example.com/b v1.2.0\n\texample.com/c v0.3.0\n)")
		}},
		{name: "extra explicit module in modules.txt", mutate: func(t *testing.T, dir string) {
			editFile(t, filepath.Join(dir, "vendor", "modules.txt"), "# example.com/a =>", "# example.com/c v1.0.0\n## explicit; go 1.22\nexample.com/c\n# example.com/a =>")
		}},
		{name: "replacement removed from go.mod", mutate: func(t *testing.T, dir string) {
			editFile(t, filepath.Join(dir, "go.mod"), "replace example.com/b v1.2.0 => ../b\n", "")
		}},
		{name: "replacement changed in go.mod", mutate: func(t *testing.T, dir string) {
			editFile(t, filepath.Join(dir, "go.mod"), "=> ../b\n", "=> example.com/b2 v1.0.0\n")
		}},
		{name: "replacement added to go.mod", mutate: func(t *testing.T, dir string) {
			editFile(t, filepath.Join(dir, "go.mod"), "replace example.com/a", "replace example.com/z v1.0.0 => ../z\n\nreplace example.com/a")
		}},
		{name: "annotations on separate lines", mutate: func(t *testing.T, dir string) {
			editFile(t, filepath.Join(dir, "vendor", "modules.txt"), explicitA, "## explicit\n## go 1.21\nexample.com/a\n")
		}, consistent: true},
		{name: "CRLF line endings", mutate: func(t *testing.T, dir string) {
			p := filepath.Join(dir, "vendor", "modules.txt")
			data, _ := os.ReadFile(p)
			if err := os.WriteFile(p, bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")), 0o644); err != nil {
				t.Fatal(err)
			}
		}, consistent: true},
		{name: "module needs newer go", mutate: func(t *testing.T, dir string) {
			editFile(t, filepath.Join(dir, "vendor", "modules.txt"), explicitA, "## explicit; go 1.99\nexample.com/a\n")
		}, tooNew: "example.com/a in vendor/modules.txt requires go >= 1.99"},
		{name: "go 1.13 version mismatch with -mod=vendor", mutate: func(t *testing.T, dir string) {
			editFile(t, filepath.Join(dir, "go.mod"), "go 1.26", "go 1.13")
			editFile(t, filepath.Join(dir, "go.mod"), "example.com/a v1.0.0", "example.com/a v1.1.0")
		}, env: []string{"GOFLAGS=-mod=vendor"}},
		{name: "go 1.13 missing annotations with -mod=vendor", mutate: func(t *testing.T, dir string) {
			editFile(t, filepath.Join(dir, "go.mod"), "go 1.26", "go 1.13")
			editFile(t, filepath.Join(dir, "vendor", "modules.txt"), explicitA, "example.com/a\n")
		}, env: []string{"GOFLAGS=-mod=vendor"}, consistent: true},
		{name: "workspace mode ignores the module's vendor directory", mutate: func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, "go.work"), []byte("go 1.26\n\nuse .\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			editFile(t, filepath.Join(dir, "go.mod"), "example.com/a v1.0.0", "example.com/a v1.1.0")
		}, consistent: true},
		{name: "vendored for a workspace", mutate: func(t *testing.T, dir string) {
			p := filepath.Join(dir, "vendor", "modules.txt")
			data, _ := os.ReadFile(p)
			if err := os.WriteFile(p, append([]byte("## workspace\n"), data...), 0o644); err != nil {
				t.Fatal(err)
			}
			editFile(t, filepath.Join(dir, "go.mod"), "example.com/a v1.0.0", "example.com/a v1.1.0")
		}, consistent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := healthyEnv(t)
			dir := vendoredModule(t, env)
			tt.mutate(t, dir)
			env = withEnv(env, append([]string{"GOPROXY=off"}, tt.env...)...)

			want, out := goVendorVerdict(t, dir, env)
			c := gather(t, dir, env)
			var got []string
			for _, f := range findingsOf(t, c, "GP-VENDOR-003") {
				got = append(got, strings.TrimPrefix(f.Message, "vendor/modules.txt is inconsistent with go.mod: "))
				loc := f.Location()
				if loc == nil || loc.Line == 0 || (loc.Path != "go.mod" && loc.Path != "vendor/modules.txt") {
					t.Errorf("finding %q has location %v, want go.mod:N or vendor/modules.txt:N", f.Message, loc)
				}
				if f.Severity != finding.Error {
					t.Errorf("severity %v, want error", f.Severity)
				}
			}
			if tt.tooNew == "" && (len(want) == 0) != tt.consistent {
				t.Fatalf("go command verdict %q, want consistent=%v:\n%s", want, tt.consistent, out)
			}
			if tt.tooNew != "" {
				if !strings.Contains(out, tt.tooNew) {
					t.Fatalf("go list output does not mention %q:\n%s", tt.tooNew, out)
				}
				want = []string{tt.tooNew + " (running go " + strings.TrimPrefix(c.Go.Version(), "go") + ")"}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("doctor disagrees with the go command (-go +doctor):\n%s\ngo list output:\n%s", diff, out)
			}
		})
	}
}

func TestVendorConsistencyLocations(t *testing.T) {
	t.Parallel()
	env := healthyEnv(t)
	dir := vendoredModule(t, env)
	editFile(t, filepath.Join(dir, "go.mod"), "example.com/a v1.0.0", "example.com/a v1.1.0")
	c := gather(t, dir, env)
	var got []finding.Evidence
	for _, f := range findingsOf(t, c, "GP-VENDOR-003") {
		got = append(got, f.Evidence...)
	}
	want := []finding.Evidence{
		{Location: &finding.Location{Path: "go.mod", Line: 6}, Text: "example.com/a v1.1.0"},
		{Location: &finding.Location{Path: "vendor/modules.txt", Line: 1}, Text: "# example.com/a v1.0.0 => ../a"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("evidence (-want +got):\n%s", diff)
	}
}

func TestModVendorWithoutVendorDir(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"a/go.mod":  "module example.com/a\n\ngo 1.21\n",
		"a/a.go":    "package a\n\nfunc A() {}\n",
		"m/go.mod":  "module example.com/m\n\ngo 1.26\n\nrequire example.com/a v1.0.0\n\nreplace example.com/a => ../a\n",
		"m/main.go": "package main\n\nimport \"example.com/a\"\n\nfunc main() { a.A() }\n",
	}
	tests := []struct {
		name     string
		files    map[string]string
		env      func(t *testing.T, env []string) []string
		severity finding.Severity // 0: no finding
	}{
		{name: "GOFLAGS in environment", files: files, severity: finding.Error,
			env: func(t *testing.T, env []string) []string { return withEnv(env, "GOFLAGS=-mod=vendor") }},
		{name: "GOFLAGS in GOENV file", files: files, severity: finding.Error,
			env: func(t *testing.T, env []string) []string {
				p := filepath.Join(t.TempDir(), "goenv")
				if err := os.WriteFile(p, []byte("GOFLAGS=-trimpath -mod=vendor\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return withEnv(env, "GOENV="+p) // GOFLAGS= stays empty: the file applies
			}},
		{name: "later -mod wins", files: files,
			env: func(t *testing.T, env []string) []string { return withEnv(env, "GOFLAGS=-mod=vendor -mod=mod") }},
		{name: "no GOFLAGS", files: files,
			env: func(t *testing.T, env []string) []string { return env }},
		{name: "module without requirements", severity: finding.Warning,
			files: map[string]string{"m/go.mod": "module example.com/m\n\ngo 1.26\n", "m/main.go": "package main\n\nfunc main() {}\n"},
			env:   func(t *testing.T, env []string) []string { return withEnv(env, "GOFLAGS=-mod=vendor") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(writeModule(t, tt.files), "m")
			env := withEnv(tt.env(t, healthyEnv(t)), "GOPROXY=off")
			want, out := goVendorVerdict(t, dir, env)
			fs := findingsOf(t, gather(t, dir, env), "GP-VENDOR-001")
			if tt.severity == 0 {
				if len(fs) != 0 {
					t.Fatalf("unexpected findings: %+v", fs)
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("got %d findings, want 1: %+v", len(fs), fs)
			}
			if fs[0].Severity != tt.severity {
				t.Errorf("severity %v, want %v: %s", fs[0].Severity, tt.severity, fs[0].Message)
			}
			// The go command agrees: it fails exactly when doctor says error,
			// with the same details as the evidence after the GOFLAGS line.
			var got []string
			for _, e := range fs[0].Evidence[1:] {
				got = append(got, e.Text)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("evidence disagrees with the go command (-go +doctor):\n%s\n%s", diff, out)
			}
			if !strings.Contains(fs[0].Evidence[0].Text, "-mod=vendor") {
				t.Errorf("first evidence %q does not show GOFLAGS", fs[0].Evidence[0].Text)
			}
		})
	}
}

func TestModFlagMasksVendor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		goflags string
		goLine  string
		want    bool
	}{
		{name: "-mod=mod", goflags: "-mod=mod", want: true},
		{name: "--mod=readonly", goflags: "--mod=readonly", want: true},
		{name: "-mod=vendor", goflags: "-mod=vendor"},
		{name: "no GOFLAGS", goflags: ""},
		{name: "go 1.13 does not vendor by default", goflags: "-mod=mod", goLine: "go 1.13"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := healthyEnv(t)
			dir := vendoredModule(t, env)
			if tt.goLine != "" {
				editFile(t, filepath.Join(dir, "go.mod"), "go 1.26", tt.goLine)
			}
			env = withEnv(env, "GOFLAGS="+tt.goflags, "GOPROXY=off")
			fs := findingsOf(t, gather(t, dir, env), "GP-VENDOR-002")
			if got := len(fs) == 1; got != tt.want || len(fs) > 1 {
				t.Fatalf("got findings %+v, want finding: %v", fs, tt.want)
			}
			// The go command's view: is example.com/a loaded from vendor/?
			pkgDir := strings.TrimSpace(runGo(t, dir, env, "list", "-f", "{{.Dir}}", "example.com/a"))
			fromVendor := strings.HasPrefix(pkgDir, filepath.Join(dir, "vendor"))
			if tt.want && fromVendor {
				t.Errorf("doctor says vendor/ is masked, but go list loads example.com/a from %s", pkgDir)
			}
			if mode, _ := goflagsMod(tt.goflags); tt.want && !strings.Contains(fs[0].Message, "-mod="+mode) {
				t.Errorf("message %q does not name -mod=%s", fs[0].Message, mode)
			}
		})
	}
}

func TestGoflagsMod(t *testing.T) {
	t.Parallel()
	tests := []struct {
		goflags string
		mode    string
		ok      bool
	}{
		{"", "", false},
		{"-mod=vendor", "vendor", true},
		{"--mod=mod -trimpath", "mod", true},
		{"-mod=vendor '-ldflags=-s -w' -mod=readonly", "readonly", true},
		{"-modcacherw", "", false},
		{"'-mod=vendor", "", false}, // unterminated quote: the go command rejects GOFLAGS
	}
	for _, tt := range tests {
		mode, ok := goflagsMod(tt.goflags)
		if mode != tt.mode || ok != tt.ok {
			t.Errorf("goflagsMod(%q) = %q, %v; want %q, %v", tt.goflags, mode, ok, tt.mode, tt.ok)
		}
	}
}
