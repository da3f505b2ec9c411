package binfile

import (
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkInspectToolDir inspects every binary of the toolchain's tool
// directory, as bench/inspect.sh does through the CLI.
func BenchmarkInspectToolDir(b *testing.B) {
	out, err := goCmd(&testing.T{}, "env", "GOROOT", "GOHOSTOS", "GOHOSTARCH")
	if err != nil {
		b.Fatal(err)
	}
	var f [3]string
	copy(f[:], strings.Fields(out))
	tools, _ := filepath.Glob(filepath.Join(f[0], "pkg", "tool", f[1]+"_"+f[2], "*"))
	if len(tools) == 0 {
		b.Skip("no tools")
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range tools {
			if _, err := Inspect(p); err != nil {
				b.Fatal(err)
			}
		}
	}
}
