// Package testenv prepares hermetic environments for tests that run the
// real go command.
package testenv

import (
	"os"
	"path/filepath"
)

// DisableTelemetry turns Go telemetry off for a go command run with
// HOME=home. GOTELEMETRY is read-only; the mode file under the user config
// directory is what the go command obeys, and without it counter files may
// still be written while a test's temporary HOME is removed.
func DisableTelemetry(home string) error {
	mode := filepath.Join(home, ".config", "go", "telemetry", "mode")
	if err := os.MkdirAll(filepath.Dir(mode), 0o755); err != nil {
		return err
	}
	return os.WriteFile(mode, []byte("off"), 0o644)
}
