package target

import "testing"

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Target
		str  string
	}{
		{"linux/amd64", Target{"linux", "amd64", ""}, "linux/amd64"},
		{"linux/amd64/v3", Target{"linux", "amd64", "v3"}, "linux/amd64/v3"},
		{"linux/arm/v7", Target{"linux", "arm", "7"}, "linux/arm/7"},
		{"linux/arm/6", Target{"linux", "arm", "6"}, "linux/arm/6"},
		{"linux/arm64/v8", Target{"linux", "arm64", ""}, "linux/arm64"},
		{" darwin/arm64 ", Target{"darwin", "arm64", ""}, "darwin/arm64"},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want || got.String() != tt.str {
			t.Errorf("Parse(%q) = %#v (%s), want %#v (%s)", tt.in, got, got, tt.want, tt.str)
		}
	}
	for _, bad := range []string{"", "linux", "linux/", "/amd64", "a/b/c/d", "wasip1/wasm/v1", "linux/arm/"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) succeeded, want error", bad)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"linux/amd64", "linux/arm/v7", "windows/386/sse2", "x/y/z/w", "\xff/\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Parse(tg.String())
		if err != nil || again != tg {
			t.Errorf("round trip of %q: %v -> %q -> %v (%v)", s, tg, tg.String(), again, err)
		}
	})
}
