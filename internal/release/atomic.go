package release

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/goport/goport/internal/atomicfile"
)

// writeFileAtomic writes data to path through a temporary file in the same
// directory that is synced before it is renamed, so that after a crash or
// an interrupt path holds either its old content or the complete new one,
// never a prefix.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	return writeAtomic(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

func writeAtomic(path string, perm os.FileMode, write func(io.Writer) error) error {
	if err := atomicfile.Write(path, perm, write); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// writeNew is writeFileAtomic that refuses to replace an existing file:
// the temporary file is linked to its final name, which fails when the
// name exists.
func writeNew(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if _, err := bytes.NewReader(data).WriteTo(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if os.IsExist(err) {
			return fmt.Errorf("%s already exists: refusing to overwrite it", path)
		}
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
