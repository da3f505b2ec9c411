//go:build !linux && !darwin && !freebsd && !dragonfly && !windows

package doctor

// freeSpace is not measured on this system; GP-CACHE-002 stays silent.
func freeSpace(dir string) (free uint64, fsID string, ok bool) { return 0, "", false }
