//go:build !darwin

package binfile

// hostOSVersion is only needed where binaries carry a minimum OS version
// that the loader enforces: macOS.
func hostOSVersion() string { return "" }
