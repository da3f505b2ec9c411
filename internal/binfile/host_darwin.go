//go:build darwin

package binfile

import "golang.org/x/sys/unix"

// hostOSVersion returns the macOS product version ("14.5").
func hostOSVersion() string {
	v, err := unix.Sysctl("kern.osproductversion")
	if err != nil {
		return ""
	}
	return v
}
