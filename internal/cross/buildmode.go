package cross

import "slices"

// BuildModes lists the optional build modes (beyond exe and archive) and
// the race detector.
var BuildModes = []string{"pie", "c-archive", "c-shared", "plugin", "race"}

// SupportedModes returns the members of BuildModes the toolchain supports
// for goos/goarch. The tables mirror $GOROOT/src/internal/platform
// (BuildModeSupported, RaceDetectorSupported) of Go 1.26; a test compares
// them with what `go build -buildmode=…` accepts, so a toolchain that
// disagrees fails the test rather than misleading users.
func SupportedModes(goos, goarch string) []string {
	var out []string
	for _, m := range BuildModes {
		if modeSupported(m, goos, goarch) {
			out = append(out, m)
		}
	}
	return out
}

func modeSupported(mode, goos, goarch string) bool {
	p := goos + "/" + goarch
	switch mode {
	case "c-archive":
		switch goos {
		case "aix", "darwin", "ios", "windows":
			return true
		case "linux":
			return slices.Contains([]string{"386", "amd64", "arm", "armbe", "arm64", "arm64be", "loong64", "ppc64le", "riscv64", "s390x"}, goarch)
		case "freebsd":
			return goarch == "amd64"
		}
		return false
	case "c-shared":
		return slices.Contains([]string{"linux/amd64", "linux/arm", "linux/arm64", "linux/loong64", "linux/386", "linux/ppc64le", "linux/riscv64", "linux/s390x",
			"android/amd64", "android/arm", "android/arm64", "android/386",
			"freebsd/amd64", "darwin/amd64", "darwin/arm64",
			"windows/amd64", "windows/386", "windows/arm64", "wasip1/wasm"}, p)
	case "pie":
		return slices.Contains([]string{"linux/386", "linux/amd64", "linux/arm", "linux/arm64", "linux/loong64", "linux/ppc64le", "linux/riscv64", "linux/s390x",
			"android/amd64", "android/arm", "android/arm64", "android/386",
			"freebsd/amd64", "darwin/amd64", "darwin/arm64", "ios/amd64", "ios/arm64",
			"aix/ppc64", "openbsd/arm64", "windows/386", "windows/amd64", "windows/arm64"}, p)
	case "plugin":
		return slices.Contains([]string{"linux/amd64", "linux/arm", "linux/arm64", "linux/386", "linux/loong64", "linux/riscv64", "linux/s390x", "linux/ppc64le",
			"android/amd64", "android/386", "darwin/amd64", "darwin/arm64", "freebsd/amd64"}, p)
	case "race":
		switch goos {
		case "linux":
			return slices.Contains([]string{"amd64", "arm64", "loong64", "ppc64le", "riscv64", "s390x"}, goarch)
		case "darwin":
			return goarch == "amd64" || goarch == "arm64"
		case "freebsd", "netbsd", "windows":
			return goarch == "amd64"
		}
	}
	return false
}

// MustLinkExternal reports whether every program for goos/goarch needs the
// external (C) linker, and so cgo: `go build` with CGO_ENABLED=0 fails
// there with "requires external (cgo) linking". Per
// $GOROOT/src/internal/platform, that is MustLinkExternal, or a default
// PIE build (android, ios, darwin, windows) on a port whose linker cannot
// link PIE internally.
func MustLinkExternal(goos, goarch string) bool {
	switch {
	case goos == "android" && goarch != "arm64", goos == "ios" && goarch == "arm64":
		return true
	}
	defaultPIE := goos == "android" || goos == "ios" || goos == "darwin" || goos == "windows"
	return defaultPIE && !slices.Contains([]string{"android/arm64", "darwin/amd64", "darwin/arm64",
		"windows/386", "windows/amd64", "windows/arm64"}, goos+"/"+goarch)
}
