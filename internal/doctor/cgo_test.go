package doctor

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/goport/goport/internal/finding"
)

// cgoModule is a module with a command that imports "C".
var cgoModule = map[string]string{
	"go.mod":           "module example.com/sensor\n\ngo 1.26\n",
	"main.go":          "package main\n\nfunc main() {}\n",
	"sensor/sensor.go": "package sensor\n\n// int one(void) { return 1; }\nimport \"C\"\n\nfunc One() int { return int(C.one()) }\n",
}

// noCompilerEnv is healthyEnv with only the go command on PATH, so no C
// compiler can be found.
func noCompilerEnv(t *testing.T) []string {
	return withEnv(healthyEnv(t), "PATH="+realGoDir(t))
}

// goEnvFile writes a GOENV file and returns the environment using it.
func goEnvFile(t *testing.T, env []string, content string) []string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "goenv")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return withEnv(env, "GOENV="+p)
}

// goEnvValue asks the real go command for one setting.
func goEnvValue(t *testing.T, dir string, env []string, key string) string {
	t.Helper()
	return strings.TrimSpace(runGo(t, dir, env, "env", key))
}

// cgoToolVerdict runs cgo on the package's file the way go build does —
// with the CC that `go env CC` resolves and the environment's PATH — and
// returns its output and whether it failed. cgo is the program that runs
// the C compiler, so this is the go command's own verdict without
// compiling the standard library first.
func cgoToolVerdict(t *testing.T, dir string, env []string) (string, bool) {
	t.Helper()
	cc := goEnvValue(t, dir, env, "CC")
	out, err := goCommand(t, filepath.Join(dir, "sensor"), withEnv(env, "CC="+cc), "tool", "cgo", "-objdir", t.TempDir(), "sensor.go")
	return out, err != nil
}

// listError is the go command's load error for the cgo package, or "".
func listError(t *testing.T, dir string, env []string) string {
	t.Helper()
	return strings.TrimSpace(runGo(t, dir, env, "list", "-e", "-f", "{{with .Error}}{{.}}{{end}}", "./sensor"))
}

func TestCCNotOnPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  func(t *testing.T) []string
		// want is a substring of the finding's message; "" means none.
		want string
		// cgoEnabled is what `go env CGO_ENABLED` must print.
		cgoEnabled string
		// verdict checks the go command's behaviour for the case.
		verdict func(t *testing.T, dir string, env []string)
	}{
		{
			name:       "CGO_ENABLED=1 without gcc",
			env:        func(t *testing.T) []string { return withEnv(noCompilerEnv(t), "CGO_ENABLED=1") },
			want:       `cgo is enabled by CGO_ENABLED=1 for ` + runtime.GOOS + "/" + runtime.GOARCH + ` but the C compiler "gcc" (CC=gcc) is not on PATH`,
			cgoEnabled: "1",
			verdict:    wantCgoToolFailure(`C compiler "gcc" not found`),
		},
		{
			name:       "CC with arguments whose program is missing",
			env:        func(t *testing.T) []string { return withEnv(healthyEnv(t), "CC=goport-no-ccache gcc") },
			want:       `cgo is enabled by default for ` + runtime.GOOS + "/" + runtime.GOARCH + ` but the C compiler "goport-no-ccache" (CC=goport-no-ccache gcc)`,
			cgoEnabled: "1", // CC in the environment keeps the default on
			verdict:    wantCgoToolFailure(`C compiler "goport-no-ccache" not found`),
		},
		{
			name:       "CC is a missing path",
			env:        func(t *testing.T) []string { return withEnv(healthyEnv(t), "CC=/nonexistent/bin/cc") },
			want:       `"/nonexistent/bin/cc"`,
			cgoEnabled: "1",
			verdict:    wantCgoToolFailure(`C compiler "/nonexistent/bin/cc" not found`),
		},
		{
			name: "CC in the GOENV file with CGO_ENABLED=1",
			env: func(t *testing.T) []string {
				return goEnvFile(t, healthyEnv(t), "CC=goport-no-cc\nCGO_ENABLED=1\n")
			},
			want:       `"goport-no-cc"`,
			cgoEnabled: "1",
			verdict:    wantCgoToolFailure(`C compiler "goport-no-cc" not found`),
		},
		{
			name:       "gcc on PATH",
			env:        healthyEnv,
			cgoEnabled: "1",
			verdict: func(t *testing.T, dir string, env []string) {
				if _, err := os.Stat("/usr/bin/gcc"); err != nil {
					t.Skip("no /usr/bin/gcc on this machine")
				}
				if out, failed := cgoToolVerdict(t, dir, env); failed {
					t.Errorf("cgo failed with a compiler on PATH:\n%s", out)
				}
			},
		},
		{
			name:       "no compiler, CGO_ENABLED unset, package imports C",
			env:        noCompilerEnv,
			want:       `cgo is off by default because the C compiler "gcc" is not on PATH, so packages that import "C" (./sensor) fail`,
			cgoEnabled: "0", // Go 1.20+: no default compiler, cgo defaults off
			verdict:    wantExcluded,
		},
		{
			name: "no compiler, CC only in the GOENV file",
			env: func(t *testing.T) []string {
				return goEnvFile(t, noCompilerEnv(t), "CC=/usr/bin/gcc\n")
			},
			want:       `CC=/usr/bin/gcc in `,
			cgoEnabled: "0", // the GOENV file's CC does not count for the default
			verdict:    wantExcluded,
		},
		{
			name:       "explicit CGO_ENABLED=0",
			env:        func(t *testing.T) []string { return withEnv(noCompilerEnv(t), "CGO_ENABLED=0") },
			cgoEnabled: "0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeModule(t, cgoModule)
			env := tt.env(t)
			if got := goEnvValue(t, dir, env, "CGO_ENABLED"); got != tt.cgoEnabled {
				t.Fatalf("go env CGO_ENABLED = %q, want %q", got, tt.cgoEnabled)
			}
			fs := findingsOf(t, gather(t, dir, env), "GP-CGO-001")
			switch {
			case tt.want == "" && len(fs) > 0:
				t.Errorf("unexpected findings: %+v", fs)
			case tt.want != "" && len(fs) != 1:
				t.Errorf("got %d findings, want 1: %+v", len(fs), fs)
			case tt.want != "" && !strings.Contains(fs[0].Message, tt.want):
				t.Errorf("message %q does not contain %q", fs[0].Message, tt.want)
			case tt.want != "" && fs[0].Severity != finding.Error:
				t.Errorf("severity %v, want error", fs[0].Severity)
			}
			if tt.verdict != nil {
				tt.verdict(t, dir, env)
			}
		})
	}
}

func wantCgoToolFailure(msg string) func(t *testing.T, dir string, env []string) {
	return func(t *testing.T, dir string, env []string) {
		t.Helper()
		out, failed := cgoToolVerdict(t, dir, env)
		if !failed || !strings.Contains(out, msg) {
			t.Errorf("go tool cgo: want failure %q, got (failed=%v):\n%s", msg, failed, out)
		}
	}
}

func wantExcluded(t *testing.T, dir string, env []string) {
	t.Helper()
	if got := listError(t, dir, env); !strings.Contains(got, "build constraints exclude all Go files") {
		t.Errorf("go list error = %q, want build constraints exclude all Go files", got)
	}
}

func TestNoCompilerWithoutCgoPackagesIsQuiet(t *testing.T) {
	t.Parallel()
	dir := healthyModule(t)
	env := noCompilerEnv(t)
	if got := goEnvValue(t, dir, env, "CGO_ENABLED"); got != "0" {
		t.Fatalf("go env CGO_ENABLED = %q without a C compiler, want 0", got)
	}
	if fs := findingsOf(t, gather(t, dir, env), "GP-CGO-001"); len(fs) != 0 {
		t.Errorf("pure-Go module without a C compiler: unexpected findings %+v", fs)
	}
}

// otherArch is an architecture that is not the host's.
func otherArch() string {
	if runtime.GOARCH == "arm64" {
		return "amd64"
	}
	return "arm64"
}

func TestCrossCompileEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		files    map[string]string
		env      func(t *testing.T) []string
		severity finding.Severity // 0: no finding
		want     string
		evidence string // a location path expected in the evidence
		verdict  func(t *testing.T, dir string, env []string)
	}{
		{
			name:     "GOARCH in the environment",
			files:    map[string]string{"go.mod": "module example.com/m\n\ngo 1.26\n", "main.go": "package main\n\nfunc main() {}\n"},
			env:      func(t *testing.T) []string { return withEnv(healthyEnv(t), "GOARCH="+otherArch()) },
			severity: finding.Warning,
			want:     "GOOS/GOARCH select " + runtime.GOOS + "/" + otherArch() + ", not the host " + runtime.GOOS + "/" + runtime.GOARCH,
		},
		{
			name:     "GOOS in the GOENV file",
			files:    map[string]string{"go.mod": "module example.com/m\n\ngo 1.26\n", "main.go": "package main\n\nfunc main() {}\n"},
			env:      func(t *testing.T) []string { return goEnvFile(t, healthyEnv(t), "GOOS=windows\n") },
			severity: finding.Warning,
			want:     "select windows/" + runtime.GOARCH,
			evidence: "goenv",
		},
		{
			name:     "cross GOARCH and a package importing C",
			files:    cgoModule,
			env:      func(t *testing.T) []string { return withEnv(healthyEnv(t), "GOARCH="+otherArch()) },
			severity: finding.Error,
			want:     `cgo is off (CGO_ENABLED defaults to 0 when cross-compiling): packages that import "C" (./sensor) fail`,
			verdict: func(t *testing.T, dir string, env []string) {
				if got := goEnvValue(t, dir, env, "CGO_ENABLED"); got != "0" {
					t.Errorf("go env CGO_ENABLED = %q when cross-compiling, want 0", got)
				}
				wantExcluded(t, dir, env)
			},
		},
		{
			name:     "cross GOARCH with CC set",
			files:    cgoModule,
			env:      func(t *testing.T) []string { return withEnv(healthyEnv(t), "GOARCH="+otherArch(), "CC=gcc") },
			severity: finding.Error,
			want:     "cgo is off (CGO_ENABLED defaults to 0 when cross-compiling)",
			verdict: func(t *testing.T, dir string, env []string) {
				if got := goEnvValue(t, dir, env, "CGO_ENABLED"); got != "0" {
					t.Errorf("go env CGO_ENABLED = %q with CC set when cross-compiling, want 0", got)
				}
			},
		},
		{
			name:     "cross GOARCH with CGO_ENABLED=1",
			files:    cgoModule,
			env:      func(t *testing.T) []string { return withEnv(healthyEnv(t), "GOARCH="+otherArch(), "CGO_ENABLED=1") },
			severity: finding.Warning,
			want:     "CGO_ENABLED=1 needs a C cross compiler",
			verdict: func(t *testing.T, dir string, env []string) {
				if got := goEnvValue(t, dir, env, "CGO_ENABLED"); got != "1" {
					t.Errorf("go env CGO_ENABLED = %q, want the explicit 1 honoured", got)
				}
			},
		},
		{
			name:  "GOARCH set to the host",
			files: cgoModule,
			env: func(t *testing.T) []string {
				return withEnv(healthyEnv(t), "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
			},
		},
		{
			name:  "nothing set",
			files: cgoModule,
			env:   healthyEnv,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeModule(t, tt.files)
			env := tt.env(t)
			fs := findingsOf(t, gather(t, dir, env), "GP-CGO-002")
			if tt.severity == 0 {
				if len(fs) != 0 {
					t.Errorf("unexpected findings: %+v", fs)
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("got %d findings, want 1: %+v", len(fs), fs)
			}
			f := fs[0]
			if f.Severity != tt.severity || !strings.Contains(f.Message, tt.want) {
				t.Errorf("got %v %q, want %v containing %q", f.Severity, f.Message, tt.severity, tt.want)
			}
			if tt.evidence != "" && (f.Location() == nil || filepath.Base(f.Location().Path) != tt.evidence) {
				t.Errorf("evidence %+v does not point at the %s file", f.Evidence, tt.evidence)
			}
			if tt.verdict != nil {
				tt.verdict(t, dir, env)
			}
		})
	}
}
