package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/goport/goport/internal/atomicfile"
)

// writeOutput writes a file the user named (--json, -o, --textfile):
// through a synced temporary file renamed into place, so a reader never
// sees half of it; a device or FIFO (/dev/stdout) is written into instead,
// since renaming onto it would replace the device itself, and an
// interrupt ends a write that blocks because nobody reads the FIFO.
func writeOutput(ctx context.Context, path string, write func(io.Writer) error) error {
	if err := checkOutputPath(path); err != nil {
		return err
	}
	if special(path) {
		_, err := interruptible(ctx, func() (struct{}, error) {
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				return struct{}{}, fmt.Errorf("writing %s: %w", path, err)
			}
			if err := write(f); err != nil {
				f.Close()
				return struct{}{}, fmt.Errorf("writing %s: %w", path, err)
			}
			if err := f.Close(); err != nil {
				return struct{}{}, fmt.Errorf("writing %s: %w", path, err)
			}
			return struct{}{}, nil
		})
		return err
	}
	if err := atomicfile.Write(path, 0o644, write); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// checkOutputPath says up front, in the user's terms, why a page could not
// be written to out: writing through a temporary file would otherwise
// report the temporary's name, or "file exists" for a directory.
func checkOutputPath(out string) error {
	if fi, err := os.Stat(out); err == nil && fi.IsDir() {
		return fmt.Errorf("writing %s: is a directory", out)
	}
	fi, err := os.Stat(filepath.Dir(out))
	var pe *os.PathError
	switch {
	case errors.As(err, &pe):
		return fmt.Errorf("writing %s: %w", out, pe.Err)
	case err != nil:
		return fmt.Errorf("writing %s: %w", out, err)
	case !fi.IsDir():
		return fmt.Errorf("writing %s: %s is not a directory", out, filepath.Dir(out))
	}
	return nil
}

// interruptible runs read aside and returns its result, or an error once
// ctx ends: opening a FIFO nobody writes to, or reading a terminal, blocks
// in a system call no context reaches, and an interrupt must still end
// the command.
func interruptible[T any](ctx context.Context, read func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := read()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, errors.New("reading input: interrupted")
	}
}

// special reports whether path exists and is neither a regular file nor a
// directory: /dev/stdout, /dev/null, a FIFO. Renaming a temporary file
// onto it would replace the device or FIFO itself (as root, even in /dev).
func special(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.Mode().IsRegular() && !fi.IsDir()
}
