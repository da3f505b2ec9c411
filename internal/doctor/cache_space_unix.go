//go:build linux || darwin || freebsd || dragonfly

package doctor

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// freeSpace returns the bytes available to unprivileged users on the
// filesystem holding dir, and an identifier of that filesystem.
func freeSpace(dir string) (free uint64, fsID string, ok bool) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, "", false
	}
	var sb unix.Stat_t
	if err := unix.Stat(dir, &sb); err == nil {
		fsID = fmt.Sprint(sb.Dev)
	}
	return uint64(st.Bavail) * uint64(st.Bsize), fsID, true
}
