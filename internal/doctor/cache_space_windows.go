//go:build windows

package doctor

import (
	"strings"

	"golang.org/x/sys/windows"
)

// freeSpace returns the bytes available to this user on the volume holding
// dir, and the volume's root as its identifier.
func freeSpace(dir string) (free uint64, fsID string, ok bool) {
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return 0, "", false
	}
	var avail, total, totalFree uint64
	if err := windows.GetDiskFreeSpaceEx(p, &avail, &total, &totalFree); err != nil {
		return 0, "", false
	}
	vol := make([]uint16, windows.MAX_PATH+1)
	if err := windows.GetVolumePathName(p, &vol[0], uint32(len(vol))); err == nil {
		fsID = strings.ToLower(windows.UTF16ToString(vol))
	}
	return avail, fsID, true
}
