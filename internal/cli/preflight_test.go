package cli

import (
	"strings"
	"testing"
)

// TestPreflightStreams runs preflight in memory, as a terminal and not:
// the same verdict lines, in the order targets were given, and exit code;
// colour only on the terminal and only in the findings.
func TestPreflightStreams(t *testing.T) {
	t.Parallel()
	for _, tty := range []bool{true, false} {
		code, stdout, stderr := run(t, tty, testEnviron(t), "preflight", "--target", "linux/vax", "--target", "linux/amd64")
		if code != ExitFindings {
			t.Errorf("tty=%v: exit %d, want %d; stderr %q", tty, code, ExitFindings, stderr)
		}
		lines := strings.Split(stdout, "\n")
		if len(lines) < 4 || !strings.HasPrefix(lines[0], "FAIL linux/vax: ") || !strings.HasPrefix(lines[3], "OK   linux/amd64: ") {
			t.Errorf("tty=%v: verdict lines out of order or missing:\n%s", tty, stdout)
		}
		if strings.Contains(strings.Join(lines[:4], "\n"), "\x1b[") {
			t.Errorf("tty=%v: verdict lines carry colour", tty)
		}
		if got := strings.Contains(stdout, "\x1b["); got != tty {
			t.Errorf("tty=%v: colour in the findings = %v", tty, got)
		}
	}
}
