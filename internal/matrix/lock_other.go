//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package matrix

import (
	"errors"
	"os"
)

// Without flock, a lock file with content means a holder: a crashed run
// leaves it behind, and the message names the file to delete.
func tryLock(f *os.File) error {
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 {
		return errors.New("locked")
	}
	return nil
}

func unlockFile(*os.File) {}
