// Package atomicfile writes files so that a reader, an interrupt or a
// crash sees a file's old content or its complete new content, never a
// part: the data goes to a temporary file in the same directory, which is
// synced and then renamed over the name.
package atomicfile

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// TempPattern is the os.CreateTemp pattern of the temporary file of
// base; a sweep of stale temporaries can glob for it.
func TempPattern(base string) string { return "." + base + ".tmp-*" }

// Write writes path with perm through write. On any error the temporary
// file is removed and path is left as it was.
func Write(path string, perm fs.FileMode, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, TempPattern(filepath.Base(path)))
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return err
	}
	// CreateTemp makes the file private; perm is what the caller meant.
	if err := tmp.Chmod(perm); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// The rename is only durable once the directory entry is.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// WriteFile is Write of data.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	return Write(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
