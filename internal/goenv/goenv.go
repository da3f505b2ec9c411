// Package goenv treats the installed go command as a data source: its
// environment (one `go env -json`), its version, and where go binaries sit
// on a PATH. Everything is read from the toolchain itself, never assumed.
package goenv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Env is the go command's view of its configuration.
type Env struct {
	// GoBinary is the absolute path of the go command that was run.
	GoBinary string
	// Vars is the output of `go env -json`.
	Vars map[string]string
}

// Get returns the value of key as the go command resolved it.
func (e *Env) Get(key string) string {
	if e == nil {
		return ""
	}
	return e.Vars[key]
}

// Version returns the toolchain version, e.g. "go1.26.8".
func (e *Env) Version() string { return e.Get("GOVERSION") }

// Error says why the go command could not be used.
type Error struct {
	Binary string // path that was run, or "" when none was found
	Err    error
	Stderr string
}

func (e *Error) Error() string {
	msg := e.Err.Error()
	if s := strings.TrimSpace(e.Stderr); s != "" {
		msg = firstLine(s)
	}
	if e.Binary == "" {
		return msg
	}
	return e.Binary + ": " + msg
}

func (e *Error) Unwrap() error { return e.Err }

// ErrNotFound means no go command is on PATH.
var ErrNotFound = errors.New("go command not found on PATH")

// Load runs `go env -json` once, in dir, with the given process environment
// (KEY=VALUE entries; os.Environ() for the real one). GOTOOLCHAIN=local is
// forced so that a go.mod asking for a newer Go never triggers a download:
// goport reads the environment, it does not change toolchains.
func Load(ctx context.Context, dir string, environ []string) (*Env, error) {
	gobin, err := LookPath("go", environ)
	if err != nil {
		return nil, &Error{Err: err}
	}
	cmd := exec.CommandContext(ctx, gobin, "env", "-json")
	cmd.Dir = dir
	cmd.Env = append(append([]string(nil), environ...), "GOTOOLCHAIN=local")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, &Error{Binary: gobin, Err: err, Stderr: stderr.String()}
	}
	vars := map[string]string{}
	if err := json.Unmarshal(stdout.Bytes(), &vars); err != nil {
		return nil, &Error{Binary: gobin, Err: fmt.Errorf("go env -json printed invalid JSON: %w", err)}
	}
	return &Env{GoBinary: gobin, Vars: vars}, nil
}

// Getenv looks key up in a KEY=VALUE list; the last assignment wins, as in
// exec.Cmd.
func Getenv(environ []string, key string) (string, bool) {
	val, ok := "", false
	for _, kv := range environ {
		if k, v, found := strings.Cut(kv, "="); found && k == key {
			val, ok = v, true
		}
	}
	return val, ok
}

// LookPath finds an executable named name in the PATH of environ, the way
// exec.LookPath does for the current process.
func LookPath(name string, environ []string) (string, error) {
	all := FindAll(name, environ)
	if len(all) == 0 {
		if name == "go" {
			return "", ErrNotFound
		}
		return "", fmt.Errorf("%s: executable file not found in $PATH", name)
	}
	return all[0], nil
}

// FindAll lists every executable named name on the PATH of environ, in PATH
// order, each resolved to an absolute path and listed once even when
// several PATH entries lead to the same file (symlinks).
func FindAll(name string, environ []string) []string {
	if strings.ContainsRune(name, filepath.Separator) {
		if isExecutable(name) {
			abs, _ := filepath.Abs(name)
			return []string{abs}
		}
		return nil
	}
	path, _ := Getenv(environ, "PATH")
	var found []string
	seen := map[string]bool{}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			continue // the go command ignores empty PATH entries too
		}
		p := filepath.Join(dir, name+exeSuffix)
		if !isExecutable(p) {
			continue
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			continue
		}
		real, err := filepath.EvalSymlinks(abs)
		if err != nil {
			real = abs
		}
		if seen[real] {
			continue
		}
		seen[real] = true
		found = append(found, abs)
	}
	return found
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	if err != nil || fi.IsDir() {
		return false
	}
	return exeSuffix != "" || fi.Mode().Perm()&0o111 != 0
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}
