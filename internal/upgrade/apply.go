package upgrade

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
)

// Applied describes what Apply changed.
type Applied struct {
	GoLine  string   `json:"go_line"`
	Godebug []string `json:"godebug,omitempty"`
	// Backups are the copies of the files as they were, kept next to them
	// (names relative to the module root).
	Backups []string `json:"backups"`
	Vendor  bool     `json:"vendor,omitempty"` // go mod vendor was run
}

// ErrNothingToApply means the go line is already the target.
var ErrNothingToApply = errors.New("nothing to apply")

// backupSuffix names the copies Apply keeps of go.mod and go.sum.
const backupSuffix = ".goport-backup"

// Apply raises the go line of the module analysed by res to res.Facts.To,
// adds a godebug line for every reported setting so the binary keeps its
// old behaviour, then runs `go mod tidy` (and `go mod vendor` when the
// module vendors). go.mod and go.sum are copied to *.goport-backup first;
// if the go command fails they are restored and the error returned.
func Apply(ctx context.Context, res *Result, environ []string) (*Applied, error) {
	f := res.Facts
	if f == nil || f.Root == "" {
		return nil, errors.New("nothing to apply: no analysis")
	}
	if f.From == f.To {
		return nil, fmt.Errorf("%w: go.mod is already at go %s", ErrNothingToApply, f.To)
	}
	gomod := filepath.Join(f.Root, "go.mod")
	gosum := filepath.Join(f.Root, "go.sum")
	applied := &Applied{GoLine: f.To, Godebug: f.Keep}
	originals := map[string][]byte{}
	for _, p := range []string{gomod, gosum} {
		data, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) && p == gosum {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", filepath.Base(p), err)
		}
		if err := os.WriteFile(p+backupSuffix, data, 0o644); err != nil {
			return nil, fmt.Errorf("writing backup: %w", err)
		}
		originals[p] = data
		applied.Backups = append(applied.Backups, filepath.Base(p)+backupSuffix)
	}
	restore := func(cause error) error {
		var errs []error
		for p, data := range originals {
			errs = append(errs, os.WriteFile(p, data, 0o644))
		}
		if _, had := originals[gosum]; !had {
			if err := os.Remove(gosum); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
		if err := errors.Join(errs...); err != nil {
			return fmt.Errorf("%w (restoring go.mod also failed: %v)", cause, err)
		}
		return fmt.Errorf("%w (go.mod and go.sum restored)", cause)
	}

	mod, err := modfile.Parse(gomod, originals[gomod], nil)
	if err != nil {
		return nil, fmt.Errorf("parsing go.mod: %w", err)
	}
	if err := mod.AddGoStmt(f.To); err != nil {
		return nil, err
	}
	for _, kv := range f.Keep {
		key, value, _ := strings.Cut(kv, "=")
		if err := mod.AddGodebug(key, value); err != nil {
			return nil, fmt.Errorf("adding godebug %s: %w", kv, err)
		}
	}
	mod.Cleanup()
	data, err := mod.Format()
	if err != nil {
		return nil, fmt.Errorf("formatting go.mod: %w", err)
	}
	if err := os.WriteFile(gomod, data, 0o644); err != nil {
		return nil, restore(fmt.Errorf("writing go.mod: %w", err))
	}
	gobin := "go"
	if env := f.goBinary; env != "" {
		gobin = env
	}
	if err := runGo(ctx, gobin, f.Root, environ, "mod", "tidy"); err != nil {
		return nil, restore(fmt.Errorf("go mod tidy: %w", err))
	}
	if fi, err := os.Stat(filepath.Join(f.Root, "vendor")); err == nil && fi.IsDir() {
		if err := runGo(ctx, gobin, f.Root, environ, "mod", "vendor"); err != nil {
			return nil, restore(fmt.Errorf("go mod vendor: %w", err))
		}
		applied.Vendor = true
	}
	f.Applied = applied
	return applied, nil
}

func runGo(ctx context.Context, gobin, dir string, environ []string, args ...string) error {
	cmd := goCommand(ctx, gobin, dir, environ, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return commandError(err, stderr.Bytes())
	}
	return nil
}
