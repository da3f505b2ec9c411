package doctor

import (
	"fmt"
	"strings"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/goenv"
)

func hostChecks() []Check {
	return []Check{
		{
			Rule: finding.Rule{
				ID:       "GP-HOST-001",
				Title:    "The go binary is built for another architecture",
				Severity: finding.Warning,
				Explanation: "The go command's GOHOSTARCH is the architecture its own binary was built for, and " +
					"it is the default GOARCH of every build. When it differs from the machine's real " +
					"architecture, the toolchain runs under translation — an amd64 Go installed on an Apple " +
					"silicon Mac runs under Rosetta 2, an amd64 Go on Windows on Arm or in an arm64 Linux VM " +
					"under emulation, and the reverse under qemu-user. Compiling is several times slower, " +
					"`go build` and `go test` silently produce binaries for the emulated architecture, " +
					"benchmarks and race-detector results describe the emulator, and cgo picks up C " +
					"libraries and compilers of the wrong architecture (`ld: warning: ignoring file ..., " +
					"building for macOS-x86_64 but attempting to link with file built for macOS-arm64`). " +
					"A 32-bit Go on a 64-bit machine (386 on amd64, arm on arm64) runs natively but builds " +
					"32-bit programs by default.",
				Fix: "Install the Go distribution for the machine's architecture from https://go.dev/dl/ " +
					"(e.g. go1.N.darwin-arm64.pkg on Apple silicon) and remove the other one from PATH.",
			},
			Run: checkHostArch,
		},
	}
}

func checkHostArch(c *Context) []finding.Finding {
	if c.Go == nil {
		return nil
	}
	goArch := c.Go.Get("GOHOSTARCH")
	msg, ok := hostArchProblem(goArch, c.Host)
	if !ok {
		return nil
	}
	machine := "machine: " + c.Host.GOARCH
	var detail []string
	if c.Host.Machine != "" {
		detail = append(detail, "kernel reports "+c.Host.Machine)
	}
	if c.Host.Translated {
		detail = append(detail, "this process runs translated")
	}
	if len(detail) > 0 {
		machine += " (" + strings.Join(detail, ", ") + ")"
	}
	goos := c.Go.Get("GOHOSTOS")
	return []finding.Finding{{
		Message: fmt.Sprintf("The go command %s (%s) is built for %s/%s but this machine is %s: %s.",
			c.Go.GoBinary, c.goRelease(), goos, goArch, c.Host.GOARCH, msg),
		Evidence: []finding.Evidence{{Text: "GOHOSTARCH=" + goArch + " (go env)"}, {Text: machine}},
		Fix: fmt.Sprintf("install the %s/%s distribution of Go (https://go.dev/dl/%s.%s-%s.tar.gz, or the installer for your system) and put it first on PATH",
			goos, c.Host.GOARCH, c.goRelease(), goos, c.Host.GOARCH),
	}}
}

// hostArchProblem describes running a go binary built for goArch on host;
// ok is false when they match or the machine is unknown.
func hostArchProblem(goArch string, host goenv.Host) (msg string, ok bool) {
	if goArch == "" || host.GOARCH == "" || goArch == host.GOARCH {
		return "", false
	}
	switch {
	case goArch == "386" && host.GOARCH == "amd64", goArch == "arm" && host.GOARCH == "arm64":
		return fmt.Sprintf("it runs in 32-bit mode and builds %s programs by default", goArch), true
	case host.GOOS == "darwin" && goArch == "amd64" && host.GOARCH == "arm64":
		return "it runs under Rosetta 2, compiles several times slower and builds amd64 programs by default", true
	}
	return fmt.Sprintf("it runs under emulation, compiles several times slower and builds %s programs by default", goArch), true
}
