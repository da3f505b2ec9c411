package target

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		wantErr string
	}{
		{"linux/amd64", ""},
		{"linux/amd64/v3", ""},
		{"linux/amd64/v5", "GOAMD64 must be v1, v2, v3, v4"},
		{"linux/arm/v7", ""},
		{"linux/arm/7,softfloat", ""},
		{"linux/arm/8", "GOARM must be 5, 6 or 7"},
		{"linux/arm64/v8", ""},
		{"linux/arm64/v8.2,lse", ""},
		{"linux/arm64/v9.6", "GOARM64 must be"},
		{"linux/386/sse2", ""},
		{"linux/386/sse3", "GO386 must be sse2, softfloat"},
		{"linux/riscv64/rva23u64", ""},
		{"linux/ppc64le/power11", "GOPPC64 must be"},
		{"linux/mips/softfloat", ""},
		{"lin..ux/amd64", "lower-case letters and digits"},
		{"Linux/amd64", "lower-case letters and digits"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			tg, err := Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			err = tg.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate(%s) = %v", tt.in, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Validate(%s) = %v, want %q", tt.in, err, tt.wantErr)
			}
		})
	}
	if err := (Target{GOOS: "js", GOARCH: "wasm", Variant: "x"}).Validate(); err == nil {
		t.Error("js/wasm accepted a variant")
	}
}

func TestParseList(t *testing.T) {
	t.Parallel()
	got, err := ParseList("linux/amd64,windows/amd64 linux/arm/7,softfloat,linux/amd64 darwin/arm64")
	if err != nil {
		t.Fatal(err)
	}
	want := []Target{
		{GOOS: "linux", GOARCH: "amd64"},
		{GOOS: "windows", GOARCH: "amd64"},
		{GOOS: "linux", GOARCH: "arm", Variant: "7,softfloat"},
		{GOOS: "darwin", GOARCH: "arm64"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, bad := range []string{"", " , ", "linux", "linux/amd64/v9", "a/b/c/d"} {
		if _, err := ParseList(bad); err == nil {
			t.Errorf("ParseList(%q) succeeded", bad)
		}
	}
}

func TestDirNameAndSuffix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		t          Target
		dir, extra string
	}{
		{Target{GOOS: "linux", GOARCH: "amd64"}, "linux_amd64", ""},
		{Target{GOOS: "linux", GOARCH: "arm", Variant: "7,softfloat"}, "linux_arm_7-softfloat", ""},
		{Target{GOOS: "windows", GOARCH: "arm64"}, "windows_arm64", ".exe"},
		{Target{GOOS: "js", GOARCH: "wasm"}, "js_wasm", ".wasm"},
	}
	for _, tt := range tests {
		if got := tt.t.DirName(); got != tt.dir {
			t.Errorf("%s.DirName() = %q, want %q", tt.t, got, tt.dir)
		}
		if got := tt.t.ExeSuffix(); got != tt.extra {
			t.Errorf("%s.ExeSuffix() = %q, want %q", tt.t, got, tt.extra)
		}
	}
}

func TestShard(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "0/3", "4/3", "1/0", "a/b", "1", "-1/2", "1/1001"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) succeeded", bad)
		}
	}
	// Every item belongs to exactly one shard and sizes differ by ≤ 1.
	const items = 17
	for n := 1; n <= 5; n++ {
		owners := make([]int, items)
		sizes := map[int]int{}
		for i := 1; i <= n; i++ {
			s, err := ParseShard(strings.Join([]string{itoa(i), itoa(n)}, "/"))
			if err != nil {
				t.Fatal(err)
			}
			for k := 0; k < items; k++ {
				if s.Owns(k) {
					owners[k]++
					sizes[i]++
				}
			}
		}
		for k, c := range owners {
			if c != 1 {
				t.Fatalf("n=%d: item %d owned by %d shards", n, k, c)
			}
		}
		lo, hi := items, 0
		for _, c := range sizes {
			lo, hi = min(lo, c), max(hi, c)
		}
		if hi-lo > 1 {
			t.Errorf("n=%d: shard sizes %v unbalanced", n, sizes)
		}
	}
	if !(Shard{}).Owns(5) {
		t.Error("zero Shard must own everything")
	}
}

func itoa(i int) string { return string(rune('0' + i)) }

func FuzzParseList(f *testing.F) {
	f.Add("linux/amd64,windows/arm64")
	f.Add("linux/arm/7,softfloat darwin/arm64")
	f.Add("///,,,")
	f.Add("\xff/\xfe")
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := ParseList(s)
		if err != nil {
			return
		}
		for _, tg := range ts {
			if tg.GOOS == "" || tg.GOARCH == "" {
				t.Fatalf("accepted empty GOOS/GOARCH in %q", s)
			}
			if err := tg.Validate(); err != nil {
				t.Fatalf("accepted invalid %s: %v", tg, err)
			}
		}
	})
}
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
