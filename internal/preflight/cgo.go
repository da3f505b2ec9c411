package preflight

import (
	"os"
	"path/filepath"
	"regexp"

	"github.com/goport/goport/internal/target"
)

// CgoInputs is everything the go command's cgo default depends on.
type CgoInputs struct {
	// Explicit is CGO_ENABLED as the go command reads it (environment,
	// GOENV file, go.env); only "0" and "1" count, other values are
	// ignored as the go command ignores them.
	Explicit string
	// BootstrapDefault is the toolchain's built-in DefaultCGO_ENABLED
	// (set when Go itself was built with CGO_ENABLED), usually "".
	BootstrapDefault string
	// HostGOOS and HostGOARCH are the go binary's own platform.
	HostGOOS, HostGOARCH string
	Target               target.Target
	// CgoSupported is the port's flag from `go tool dist list`.
	CgoSupported bool
	// CCEnv is CC in the process environment: only there does it stop the
	// go command from looking for its default compiler.
	CCEnv string
	// DefaultCCFound reports whether the default C compiler (gcc, or
	// clang on darwin, ios, freebsd and openbsd) is on PATH.
	DefaultCCFound bool
}

// Cgo is the go command's cgo decision for one target and why.
type Cgo struct {
	Enabled bool   `json:"enabled"`
	Reason  string `json:"reason"`
	// NoCompiler is set when cgo is off only because the default C
	// compiler is missing: cgo packages then silently drop out.
	NoCompiler bool `json:"no_compiler,omitempty"`
}

// DecideCgo mirrors cmd/go/internal/cfg (Go 1.26): an explicit 0 or 1
// wins; otherwise a toolchain built with a CGO_ENABLED default uses it;
// otherwise a cross build (GOOS/GOARCH other than the go binary's own,
// whatever CC says) is off, and a native one follows the port's cgo
// support, except that without CC in the environment and without the
// default C compiler on PATH it is off.
func DecideCgo(in CgoInputs) Cgo {
	switch in.Explicit {
	case "1":
		return Cgo{Enabled: true, Reason: "CGO_ENABLED=1"}
	case "0":
		return Cgo{Reason: "CGO_ENABLED=0"}
	}
	switch in.BootstrapDefault {
	case "1":
		return Cgo{Enabled: true, Reason: "the toolchain was built with CGO_ENABLED=1"}
	case "0":
		return Cgo{Reason: "the toolchain was built with CGO_ENABLED=0"}
	}
	t := in.Target
	if t.GOOS != in.HostGOOS || t.GOARCH != in.HostGOARCH {
		why := "cross build from " + in.HostGOOS + "/" + in.HostGOARCH + ": the go command turns cgo off unless CGO_ENABLED=1"
		if in.CCEnv != "" {
			why += " (setting CC does not turn it on)"
		}
		return Cgo{Reason: why}
	}
	if !in.CgoSupported {
		return Cgo{Reason: t.GOOS + "/" + t.GOARCH + " does not support cgo"}
	}
	if in.CCEnv == "" && !in.DefaultCCFound {
		return Cgo{Reason: "no " + DefaultCC(t.GOOS) + " on PATH and CC is not set: the go command turns cgo off", NoCompiler: true}
	}
	return Cgo{Enabled: true, Reason: "native build with a C compiler"}
}

// DefaultCC is the C compiler the go command runs when CC is unset
// (cmd/go/internal/cfg.DefaultCC of a toolchain built without CC_FOR_TARGET).
func DefaultCC(goos string) string {
	switch goos {
	case "darwin", "ios", "freebsd", "openbsd":
		return "clang"
	}
	return "gcc"
}

// DefaultCXX is the C++ counterpart of DefaultCC.
func DefaultCXX(goos string) string {
	if DefaultCC(goos) == "clang" {
		return "clang++"
	}
	return "g++"
}

var bootstrapCgo = regexp.MustCompile("(?m)^const DefaultCGO_ENABLED = [\"`]([01]?)[\"`]")

// BootstrapCgoDefault reads DefaultCGO_ENABLED from the toolchain's
// generated internal/buildcfg/zbootstrap.go, "" when the toolchain has no
// built-in default or the file is absent.
func BootstrapCgoDefault(goroot string) string {
	if goroot == "" {
		return ""
	}
	data, err := os.ReadFile(filepath.Join(goroot, "src", "internal", "buildcfg", "zbootstrap.go"))
	if err != nil {
		return ""
	}
	return parseBootstrapCgo(data)
}

// parseBootstrapCgo reads DefaultCGO_ENABLED from zbootstrap.go content.
func parseBootstrapCgo(data []byte) string {
	if m := bootstrapCgo.FindSubmatch(data); m != nil {
		return string(m[1])
	}
	return ""
}
