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

// BenchmarkInspectCross inspects freshly built windows and darwin
// binaries, whose COFF and Mach-O symbol tables debug/pe and debug/macho
// would otherwise decode whole, as goport matrix and release do for every
// output.
func BenchmarkInspectCross(b *testing.B) {
	for _, name := range []string{"windows-386", "windows-amd64", "windows-arm64", "darwin-amd64", "darwin-arm64"} {
		path := build(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Inspect(path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
