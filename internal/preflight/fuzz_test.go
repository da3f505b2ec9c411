package preflight

import (
	"testing"

	"github.com/goport/goport/internal/target"
)

func FuzzParseBootstrapCgo(f *testing.F) {
	f.Add([]byte("package buildcfg\n\nconst DefaultCGO_ENABLED = \"\"\n"))
	f.Add([]byte("const DefaultCGO_ENABLED = `1`\n"))
	f.Add([]byte("const DefaultCGO_ENABLED = \"0\""))
	f.Add([]byte("const DefaultCGO_ENABLED = \"2\"\n"))
	f.Add([]byte("\xff\x00const DefaultCGO_ENABLED"))
	f.Fuzz(func(t *testing.T, data []byte) {
		switch v := parseBootstrapCgo(data); v {
		case "", "0", "1":
		default:
			t.Fatalf("parseBootstrapCgo = %q", v)
		}
	})
}

// FuzzDecideCgo checks the invariants of the decision on any input: an
// explicit 0 or 1 always wins, and cgo is never on for a cross build
// without an explicit or built-in 1.
func FuzzDecideCgo(f *testing.F) {
	f.Add("", "", "linux", "amd64", "linux", "arm64", true, "", true)
	f.Add("1", "", "linux", "amd64", "linux", "arm64", false, "", false)
	f.Add("true", "", "linux", "amd64", "linux", "amd64", true, "", false)
	f.Fuzz(func(t *testing.T, explicit, boot, hos, harch, tos, tarch string, supported bool, cc string, found bool) {
		c := DecideCgo(CgoInputs{Explicit: explicit, BootstrapDefault: boot, HostGOOS: hos, HostGOARCH: harch,
			Target: target.Target{GOOS: tos, GOARCH: tarch}, CgoSupported: supported, CCEnv: cc, DefaultCCFound: found})
		if c.Reason == "" {
			t.Fatal("no reason")
		}
		switch {
		case explicit == "1" && !c.Enabled, explicit == "0" && c.Enabled:
			t.Fatalf("explicit CGO_ENABLED=%s lost: %+v", explicit, c)
		case explicit != "0" && explicit != "1" && boot != "1" && (hos != tos || harch != tarch) && c.Enabled:
			t.Fatalf("cross build with cgo on by default: %+v", c)
		}
	})
}
