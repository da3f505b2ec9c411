package matrix

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LockName is the lock file matrix holds in its output directory.
const LockName = ".goport-matrix.lock"

// ErrLocked means another matrix run holds the output directory.
var ErrLocked = errors.New("output directory is in use")

// LockDir takes the output directory's lock or says who holds it. The
// lock is an OS file lock where available, so it dies with its process;
// the file records the holder's pid for the message.
func LockDir(dir string) (unlock func(), err error) {
	path := filepath.Join(dir, LockName)
	for range 3 {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("locking output directory: %w", err)
		}
		if err := tryLock(f); err != nil {
			holder, _ := os.ReadFile(path)
			f.Close()
			return nil, fmt.Errorf("%w: %s is held by another goport matrix (pid %s); wait for it or use another --out",
				ErrLocked, path, orUnknown(strings.TrimSpace(string(holder))))
		}
		// The holder before us may have removed the file between our open
		// and our lock; then we hold a lock on a file nobody else sees.
		if same, _ := sameFile(f, path); !same {
			f.Close()
			continue
		}
		_ = f.Truncate(0)
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
		return func() {
			os.Remove(path)
			unlockFile(f)
			f.Close()
		}, nil
	}
	return nil, fmt.Errorf("%w: %s keeps changing", ErrLocked, path)
}

func sameFile(f *os.File, path string) (bool, error) {
	a, err := f.Stat()
	if err != nil {
		return false, err
	}
	b, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	return os.SameFile(a, b), nil
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
