package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goport/goport/internal/testenv"
)

func TestStreamsColor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		tty     bool
		environ []string
		want    bool
	}{
		{"terminal", true, nil, true},
		{"pipe", false, nil, false},
		{"terminal with NO_COLOR=1", true, []string{"NO_COLOR=1"}, false},
		{"terminal with NO_COLOR=0", true, []string{"NO_COLOR=0"}, false},
		// https://no-color.org: only a non-empty value disables colour.
		{"terminal with empty NO_COLOR", true, []string{"NO_COLOR="}, true},
		{"pipe with empty NO_COLOR", false, []string{"NO_COLOR="}, false},
		{"dumb terminal", true, []string{"TERM=dumb"}, false},
		{"xterm", true, []string{"TERM=xterm-256color"}, true},
	} {
		s := &Streams{OutTTY: tc.tty, Environ: tc.environ}
		if got := s.Color(); got != tc.want {
			t.Errorf("%s: Color() = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// testEnviron is a pinned environment for running the real go command:
// no user GOENV file, no GOFLAGS, the local toolchain only.
func testEnviron(t *testing.T, extra ...string) []string {
	t.Helper()
	home := t.TempDir()
	if err := testenv.DisableTelemetry(home); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"GOENV=" + filepath.Join(home, "goenv"),
		"GOCACHE=" + filepath.Join(home, "cache"),
		"GOPATH=" + filepath.Join(home, "go"),
		"GOFLAGS=",
		"GOTOOLCHAIN=local",
		"GOPROXY=off",
		// Runs in the package directory would record into the
		// repository's own .goport/history.
		"GOPORT_NO_HISTORY=1",
	}
	return append(env, extra...)
}

func brokenModule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	gomod := "module example.com/broken\n\ngo 1.26\n\nfrobnicate example.com/x v1.0.0\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// run calls Main with in-memory streams.
func run(t *testing.T, tty bool, environ []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	s := &Streams{
		In: strings.NewReader(""), Out: &out, Err: &errOut,
		OutTTY: tty, Environ: environ,
		Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) },
	}
	code = Main(context.Background(), args, s)
	return code, out.String(), errOut.String()
}

// TestDoctorColour runs doctor on a real broken module, once as a
// terminal and once not: colour only on the terminal, never with
// NO_COLOR, never in machine formats, and the exit code the same.
func TestDoctorColour(t *testing.T) {
	t.Parallel()
	dir := brokenModule(t)
	for _, tc := range []struct {
		name      string
		tty       bool
		extra     []string
		format    string
		wantColor bool
	}{
		{"terminal", true, nil, "text", true},
		{"pipe", false, nil, "text", false},
		{"terminal with NO_COLOR", true, []string{"NO_COLOR=1"}, "text", false},
		{"terminal with TERM=dumb", true, []string{"TERM=dumb"}, "text", false},
		{"terminal json", true, nil, "json", false},
		{"terminal sarif", true, nil, "sarif", false},
		{"terminal markdown", true, nil, "markdown", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := run(t, tc.tty, testEnviron(t, tc.extra...), "doctor", "--format", tc.format, dir)
			if code != ExitFindings {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, ExitFindings, stderr)
			}
			if !strings.Contains(stdout, "GP-MOD-001") {
				t.Errorf("stdout lacks GP-MOD-001:\n%s", stdout)
			}
			if got := strings.Contains(stdout, "\x1b["); got != tc.wantColor {
				t.Errorf("colour = %v, want %v:\n%q", got, tc.wantColor, stdout)
			}
			if stderr != "" {
				t.Errorf("stderr = %q, want nothing", stderr)
			}
		})
	}
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	broken := brokenModule(t)
	file := filepath.Join(broken, "go.mod")
	for _, tc := range []struct {
		args       []string
		want       int
		wantStderr string
	}{
		{[]string{"doctor", broken}, ExitFindings, ""},
		{[]string{"doctor", "--fail-on", "none", broken}, ExitOK, ""},
		{[]string{"doctor", "--bogus"}, ExitUsage, "goport: doctor: unknown flag: --bogus\nRun 'goport doctor --help' for usage.\n"},
		{[]string{"doctor", "--format", "xml", broken}, ExitUsage, "goport: doctor: invalid format \"xml\": want text, json, sarif or markdown\nRun 'goport doctor --help' for usage.\n"},
		{[]string{"doctor", file}, ExitUsage, "goport: doctor: " + file + ": not a directory\nRun 'goport doctor --help' for usage.\n"},
		{[]string{"doctor", "a", "b"}, ExitUsage, "goport: doctor: accepts at most 1 arg(s), received 2\nRun 'goport doctor --help' for usage.\n"},
		{[]string{"nonsense"}, ExitUsage, "goport: unknown command \"nonsense\" for \"goport\"\nRun 'goport --help' for usage.\n"},
		{[]string{"rules", "GP-MOD-001"}, ExitOK, ""},
		{[]string{"version"}, ExitOK, ""},
	} {
		code, _, stderr := run(t, false, testEnviron(t), tc.args...)
		if code != tc.want || stderr != tc.wantStderr {
			t.Errorf("goport %s: exit %d, stderr %q; want %d, %q", strings.Join(tc.args, " "), code, stderr, tc.want, tc.wantStderr)
		}
	}
}

func TestRuleIDsAreUniqueAndSorted(t *testing.T) {
	t.Parallel()
	rules := allRules()
	for i, r := range rules {
		if i > 0 && rules[i-1].ID >= r.ID {
			t.Errorf("rule %s listed after %s: ids must be unique and sorted", r.ID, rules[i-1].ID)
		}
		if r.Title == "" || r.Severity == 0 {
			t.Errorf("rule %s lacks a title or severity", r.ID)
		}
	}
}
