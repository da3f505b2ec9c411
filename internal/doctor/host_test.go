package doctor

import (
	"context"
	"strings"
	"testing"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/goenv"
)

// gatherOnHost is gather with a simulated machine, for emulation cases.
func gatherOnHost(t *testing.T, dir string, environ []string, host goenv.Host) *Context {
	t.Helper()
	c, err := Gather(context.Background(), Options{Dir: dir, Environ: environ, Host: &host})
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	return c
}

// foreignArch is a 64-bit architecture the go command is not built for.
func foreignArch(goArch string) string {
	if goArch == "arm64" {
		return "amd64"
	}
	return "arm64"
}

func TestHostArchEmulated(t *testing.T) {
	t.Parallel()
	c := gather(t, healthyModule(t), healthyEnv(t))
	goArch, goos := c.Go.Get("GOHOSTARCH"), c.Go.Get("GOHOSTOS")
	machine := foreignArch(goArch)
	host := goenv.Host{GOOS: goos, GOARCH: machine, Machine: machine, Translated: true}
	c = gatherOnHost(t, healthyModule(t), healthyEnv(t), host)
	f := oneFinding(t, findingsOf(t, c, "GP-HOST-001"))
	mustContain(t, "message", f.Message,
		"is built for "+goos+"/"+goArch+" but this machine is "+machine,
		"builds "+goArch+" programs by default")
	if f.Severity != finding.Warning || f.Evidence[0].Text != "GOHOSTARCH="+goArch+" (go env)" ||
		!strings.Contains(f.Evidence[1].Text, "this process runs translated") {
		t.Errorf("finding = %+v", f)
	}
	mustContain(t, "fix", f.Fix, c.Go.Version()+"."+goos+"-"+machine+".tar.gz")
}

func TestHostArchMatches(t *testing.T) {
	t.Parallel()
	c := gather(t, healthyModule(t), healthyEnv(t))
	for _, host := range []goenv.Host{
		goenv.DetectHost(),
		{GOOS: c.Go.Get("GOHOSTOS"), GOARCH: c.Go.Get("GOHOSTARCH")},
		{GOOS: c.Go.Get("GOHOSTOS")}, // unknown machine: nothing to compare
	} {
		c := gatherOnHost(t, healthyModule(t), healthyEnv(t), host)
		if fs := findingsOf(t, c, "GP-HOST-001"); len(fs) != 0 {
			t.Errorf("host %+v: %+v", host, fs)
		}
	}
}

func TestHostArchProblem(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		goArch string
		host   goenv.Host
		want   string // "" for no problem
	}{
		{"amd64", goenv.Host{GOOS: "darwin", GOARCH: "arm64", Translated: true}, "Rosetta 2"},
		{"amd64", goenv.Host{GOOS: "linux", GOARCH: "arm64"}, "emulation"},
		{"arm64", goenv.Host{GOOS: "linux", GOARCH: "amd64"}, "emulation"},
		{"amd64", goenv.Host{GOOS: "windows", GOARCH: "arm64"}, "emulation"},
		{"386", goenv.Host{GOOS: "linux", GOARCH: "amd64"}, "32-bit mode and builds 386 programs"},
		{"arm", goenv.Host{GOOS: "linux", GOARCH: "arm64"}, "32-bit mode and builds arm programs"},
		{"arm64", goenv.Host{GOOS: "darwin", GOARCH: "arm64"}, ""},
		{"amd64", goenv.Host{GOOS: "linux"}, ""},
		{"", goenv.Host{GOOS: "linux", GOARCH: "amd64"}, ""},
	} {
		msg, ok := hostArchProblem(tc.goArch, tc.host)
		if ok != (tc.want != "") || !strings.Contains(msg, tc.want) {
			t.Errorf("hostArchProblem(%s, %+v) = %q, %v; want %q", tc.goArch, tc.host, msg, ok, tc.want)
		}
	}
}
