package binfile

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCompare(t *testing.T) {
	t.Parallel()
	a, err := Inspect(build(t, "linux-amd64"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Inspect(build(t, "linux-amd64-sw"))
	if err != nil {
		t.Fatal(err)
	}
	c := Compare(a, b)
	var differs []string
	seenSame := false
	for _, r := range c.Rows {
		if r.Differs {
			if seenSame {
				t.Fatalf("difference %q listed after a shared fact", r.Key)
			}
			differs = append(differs, r.Key)
		} else {
			seenSame = true
		}
	}
	// Build IDs differ between any two builds; -s -w shows in the
	// settings and in what was stripped.
	want := []string{"go build id", "gnu build id", "stripped", "build -ldflags"}
	if diff := cmp.Diff(want, differs); diff != "" {
		t.Errorf("differences (-want +got):\n%s", diff)
	}
	if c.Differences() != len(want) {
		t.Errorf("Differences() = %d", c.Differences())
	}
	for _, r := range c.Rows {
		if r.Key == "build -ldflags" && (r.A != "" || r.B != "-s -w") {
			t.Errorf("ldflags row %+v", r)
		}
		if r.Key == "dep example.com/dep" && (r.A != "v1.2.3 => ../dep (devel)" || r.Differs) {
			t.Errorf("dependency row %+v", r)
		}
	}
	if same := Compare(a, a); same.Differences() != 0 {
		t.Errorf("a file differs from itself: %+v", same.Rows)
	}
	var text, md bytes.Buffer
	if err := c.WriteText(&text, false); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "4 differences\n") || !strings.Contains(md.String(), "| **stripped** |") {
		t.Errorf("text:\n%s\nmarkdown:\n%s", text.String(), md.String())
	}
}
