package repro

import (
	"os"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func info(goVersion string, settings ...string) *debug.BuildInfo {
	bi := &debug.BuildInfo{GoVersion: goVersion, Path: "example.com/r", Main: debug.Module{Path: "example.com/r", Version: "(devel)"}}
	for i := 0; i+1 < len(settings); i += 2 {
		bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
	}
	return bi
}

// TestSettingCauses covers the causes read from build information:
// VCS stamping, -X values recorded in -ldflags, the Go release and other
// settings, and none for identical settings.
func TestSettingCauses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a, b *debug.BuildInfo
		want []Cause
	}{
		{"same", info("go1.26.8", "GOOS", "linux"), info("go1.26.8", "GOOS", "linux"), nil},
		{"vcs", info("go1.26.8", "vcs.revision", "abc", "vcs.modified", "false"), info("go1.26.8", "vcs.revision", "abc", "vcs.modified", "true"),
			[]Cause{{Kind: CauseVCS, Evidence: []string{`vcs.modified: "false" vs "true"`}}}},
		{"ldflags", info("go1.26.8", "-ldflags", "-s -X main.date=1"), info("go1.26.8", "-ldflags", "-s -X main.date=2"),
			[]Cause{{Kind: CauseLDFlags, Evidence: []string{`-X main.date: "1" vs "2"`}}}},
		{"go release and GOAMD64", info("go1.26.8", "GOAMD64", "v1"), info("go1.25.0", "GOAMD64", "v3"),
			[]Cause{{Kind: CauseSettings}, {Kind: CauseSettings, Evidence: []string{`GOAMD64: "v1" vs "v3"`}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := &Result{}
			settingCauses(res, tc.a, tc.b)
			for i := range res.Causes {
				res.Causes[i].Message = "" // messages are prose; kinds and evidence are the contract
			}
			if diff := cmp.Diff(tc.want, res.Causes); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzXValues(f *testing.F) {
	f.Add(`-s -w -X main.version=1.0 -X=main.date=2024`)
	f.Add(`-X`)
	f.Add(`-X 'a=b c'`)
	f.Fuzz(func(t *testing.T, flags string) {
		// Keys come from space-separated fields, so they never hold
		// white space.
		for k := range xValues(flags) {
			if strings.ContainsAny(k, " \t\n\r") {
				t.Fatalf("key %q holds white space", k)
			}
		}
	})
}

func FuzzSections(f *testing.F) {
	if exe, err := os.Executable(); err == nil {
		if data, err := os.ReadFile(exe); err == nil && len(data) > 4096 {
			f.Add(data[:4096])
		}
	}
	f.Add([]byte("\x7fELF\x02\x01\x01"))
	f.Add([]byte("MZ\x90\x00"))
	f.Add([]byte("\xcf\xfa\xed\xfe"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = sections(data)
	})
}
