package upgrade

import (
	"fmt"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/target"
)

// platformChange is one fact from the release notes' Ports sections.
// These are not in the toolchain in machine-readable form, so they live
// here, each with its source.
type platformChange struct {
	Release int    // Go 1.Release made the change
	GOOS    string // "" matches every GOOS
	GOARCH  string // "" matches every GOARCH
	Removed bool   // the port is gone or broken: builds fail
	Text    string
	Source  string
}

var platformChanges = []platformChange{
	{17, "darwin", "", false, "macOS 10.13 High Sierra or later is required", "https://go.dev/doc/go1.17#darwin"},
	{18, "linux", "", false, "Linux kernel 2.6.32 or later is required", "https://go.dev/doc/go1.18#linux"},
	{18, "ios", "", false, "iOS 12 or later is required", "https://go.dev/doc/go1.18#ios"},
	{19, "freebsd", "", false, "FreeBSD 12.2+ or 13.0+ is required (FreeBSD 11 unsupported)", "https://go.dev/doc/go1.18#freebsd"},
	{21, "windows", "", false, "Windows 10 / Windows Server 2016 or later is required", "https://go.dev/doc/go1.21#windows"},
	{21, "darwin", "", false, "macOS 10.15 Catalina or later is required", "https://go.dev/doc/go1.21#darwin"},
	{23, "darwin", "", false, "macOS 11 Big Sur or later is required", "https://go.dev/doc/go1.23#darwin"},
	{24, "linux", "", false, "Linux kernel 3.2 or later is required", "https://go.dev/doc/go1.24#linux"},
	{24, "windows", "arm", false, "windows/arm (32-bit) is marked broken", "https://go.dev/doc/go1.24#windows"},
	{25, "darwin", "", false, "macOS 12 Monterey or later is required", "https://go.dev/doc/go1.25#darwin"},
	{26, "windows", "arm", true, "windows/arm (32-bit) is removed", "https://go.dev/doc/go1.26#windows"},
	{26, "freebsd", "riscv64", true, "freebsd/riscv64 is marked broken", "https://go.dev/doc/go1.26#freebsd"},
}

func (c platformChange) matches(t target.Target) bool {
	return (c.GOOS == "" || c.GOOS == t.GOOS) && (c.GOARCH == "" || c.GOARCH == t.GOARCH)
}

// checkPlatforms reports the platform changes between the installed
// toolchain's predecessor and the target, for the module's targets. The
// toolchain, not the go line, decides platform support, so the range is
// from the go line (the oldest toolchain the module admits) to the target.
func (a *analysis) checkPlatforms() {
	for _, t := range a.opts.Targets {
		for _, c := range platformChanges {
			if c.Release <= a.from || c.Release > a.to || !c.matches(t) {
				continue
			}
			tt := t
			f := finding.Finding{Rule: RulePlatformMinimum, Target: &tt,
				Message:  fmt.Sprintf("Go 1.%d: %s", c.Release, c.Text),
				Evidence: []finding.Evidence{{Text: "release notes: " + c.Source}},
				Fix:      "check the oldest system you ship to, or keep building this target with Go 1." + fmt.Sprint(c.Release-1)}
			if c.Removed {
				f.Rule = RulePortRemoved
			}
			a.add(f)
		}
	}
}
