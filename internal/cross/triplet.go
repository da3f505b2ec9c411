// Package cross knows which C cross compilers and which runners on this host
// serve a Go target: the C compiler a cgo build for the target would use
// (and whether `$CC -dumpmachine` really names that target), the program
// that can execute the target's binaries here (natively, qemu-user, wine,
// node, a WASI runtime), and which build modes the toolchain supports there.
package cross

import (
	"strings"
)

// ParseTriplet maps a GNU target triplet, as printed by `cc -dumpmachine`
// (x86_64-linux-gnu, aarch64-unknown-linux-gnu, x86_64-w64-mingw32,
// arm64-apple-darwin23.4.0), to Go's GOOS and GOARCH. ok is false when the
// triplet names a platform Go has no port for or is not a triplet at all.
func ParseTriplet(triplet string) (goos, goarch string, ok bool) {
	triplet = strings.TrimSpace(triplet)
	parts := strings.Split(triplet, "-")
	if len(parts) < 2 || len(triplet) > 128 {
		return "", "", false
	}
	goarch = tripletArch(parts[0])
	rest := strings.Join(parts[1:], "-")
	goos = tripletOS(rest)
	if goarch == "" || goos == "" {
		return "", "", false
	}
	return goos, goarch, true
}

func tripletArch(a string) string {
	switch a {
	case "x86_64", "amd64":
		return "amd64"
	case "i386", "i486", "i586", "i686":
		return "386"
	case "aarch64", "arm64":
		return "arm64"
	case "riscv64":
		return "riscv64"
	case "powerpc64le", "ppc64le":
		return "ppc64le"
	case "powerpc64", "ppc64":
		return "ppc64"
	case "s390x":
		return "s390x"
	case "mips":
		return "mips"
	case "mipsel":
		return "mipsle"
	case "mips64":
		return "mips64"
	case "mips64el":
		return "mips64le"
	case "loongarch64":
		return "loong64"
	case "wasm32":
		return "wasm"
	}
	if strings.HasPrefix(a, "arm") && !strings.HasSuffix(a, "eb") && !strings.HasPrefix(a, "arm64") {
		return "arm" // arm, armv7l, armv6, armhf
	}
	return ""
}

func tripletOS(rest string) string {
	has := func(s string) bool { return strings.Contains(rest, s) }
	switch {
	case has("android"):
		return "android"
	case has("linux"):
		return "linux"
	case has("mingw32"), has("windows"), has("cygwin"):
		return "windows"
	case has("apple-ios"):
		return "ios"
	case has("darwin"), has("apple-macos"):
		return "darwin"
	case has("freebsd"):
		return "freebsd"
	case has("netbsd"):
		return "netbsd"
	case has("openbsd"):
		return "openbsd"
	case has("dragonfly"):
		return "dragonfly"
	case has("solaris"):
		return "solaris"
	case has("illumos"):
		return "illumos"
	case has("aix"):
		return "aix"
	case has("wasi"):
		return "wasip1"
	case has("emscripten"):
		return "js"
	}
	return ""
}

// crossPrefix lists, per GOOS/GOARCH, the triplet prefixes of cross
// compilers distributions ship (Debian names first), and the Debian package
// that provides the first one.
var crossPrefix = map[string]struct {
	prefixes []string
	pkg      string
}{
	"linux/amd64":    {[]string{"x86_64-linux-gnu", "x86_64-linux-musl"}, "gcc-x86-64-linux-gnu"},
	"linux/386":      {[]string{"i686-linux-gnu", "i686-linux-musl"}, "gcc-i686-linux-gnu"},
	"linux/arm64":    {[]string{"aarch64-linux-gnu", "aarch64-linux-musl"}, "gcc-aarch64-linux-gnu"},
	"linux/arm":      {[]string{"arm-linux-gnueabihf", "arm-linux-gnueabi", "arm-linux-musleabihf"}, "gcc-arm-linux-gnueabihf"},
	"linux/riscv64":  {[]string{"riscv64-linux-gnu", "riscv64-linux-musl"}, "gcc-riscv64-linux-gnu"},
	"linux/ppc64le":  {[]string{"powerpc64le-linux-gnu"}, "gcc-powerpc64le-linux-gnu"},
	"linux/ppc64":    {[]string{"powerpc64-linux-gnu"}, "gcc-powerpc64-linux-gnu"},
	"linux/s390x":    {[]string{"s390x-linux-gnu"}, "gcc-s390x-linux-gnu"},
	"linux/mips":     {[]string{"mips-linux-gnu"}, "gcc-mips-linux-gnu"},
	"linux/mipsle":   {[]string{"mipsel-linux-gnu"}, "gcc-mipsel-linux-gnu"},
	"linux/mips64":   {[]string{"mips64-linux-gnuabi64"}, "gcc-mips64-linux-gnuabi64"},
	"linux/mips64le": {[]string{"mips64el-linux-gnuabi64"}, "gcc-mips64el-linux-gnuabi64"},
	"linux/loong64":  {[]string{"loongarch64-linux-gnu"}, "gcc-loongarch64-linux-gnu"},
	"windows/amd64":  {[]string{"x86_64-w64-mingw32"}, "gcc-mingw-w64-x86-64"},
	"windows/386":    {[]string{"i686-w64-mingw32"}, "gcc-mingw-w64-i686"},
	"windows/arm64":  {[]string{"aarch64-w64-mingw32"}, ""},
}

// DebianPackage names the Debian package that provides a C cross compiler
// for goos/goarch, or "" when Debian has none.
func DebianPackage(goos, goarch string) string {
	return crossPrefix[goos+"/"+goarch].pkg
}

// clangTriplet is the --target value clang needs to compile for
// goos/goarch, or "" when goport knows none.
func clangTriplet(goos, goarch string) string {
	if p, ok := crossPrefix[goos+"/"+goarch]; ok {
		return p.prefixes[0]
	}
	switch goos + "/" + goarch {
	case "darwin/amd64":
		return "x86_64-apple-macos11"
	case "darwin/arm64":
		return "arm64-apple-macos11"
	case "freebsd/amd64":
		return "x86_64-unknown-freebsd"
	case "freebsd/arm64":
		return "aarch64-unknown-freebsd"
	}
	return ""
}
