package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestDisableTelemetry(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go on PATH")
	}
	home := t.TempDir()
	if err := DisableTelemetry(home); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(gobin, "telemetry")
	cmd.Env = []string{"HOME=" + home, "PATH=" + filepath.Dir(gobin), "GOTOOLCHAIN=local"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go telemetry: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "off" {
		t.Errorf("go telemetry = %q, want off", got)
	}
	if _, err := os.Stat(filepath.Join(home, ".config", "go", "telemetry", "mode")); err != nil {
		t.Error(err)
	}
}
