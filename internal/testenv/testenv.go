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

// WriteFiles writes files, slash-separated paths relative to dir mapped to
// their content, creating directories as needed.
func WriteFiles(dir string, files map[string]string) error {
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}
