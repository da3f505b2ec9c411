package goenv

import (
	"os"
	"path/filepath"
)

// FindModuleRoot returns the directory at or above dir that holds a
// go.mod file, as the go command looks for the main module; "" when there
// is none. It reads no environment (GOFLAGS=-modfile, GO111MODULE): where
// those matter, ask `go env GOMOD`.
func FindModuleRoot(dir string) string {
	d, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		if fi, err := os.Stat(filepath.Join(d, "go.mod")); err == nil && fi.Mode().IsRegular() {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}
