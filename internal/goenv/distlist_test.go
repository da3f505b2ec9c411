package goenv

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDistListMatchesGoTool compares DistList with the plain-text
// `go tool dist list` of the same toolchain.
func TestDistListMatchesGoTool(t *testing.T) {
	t.Parallel()
	ports, err := DistList(context.Background(), os.Environ())
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "tool", "dist", "list").Output()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Fields(string(out))
	var got []string
	for _, p := range ports {
		got = append(got, p.GOOS+"/"+p.GOARCH)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ports differ from go tool dist list (-want +got):\n%s", diff)
	}
	fc := FirstClassPorts(ports)
	if len(fc) == 0 {
		t.Fatal("no first-class ports")
	}
	if p, ok := FindPort(ports, "linux", "amd64"); !ok || !p.FirstClass || !p.CgoSupported {
		t.Errorf("linux/amd64 = %+v, %v; want first-class with cgo", p, ok)
	}
	if p, ok := FindPort(ports, "js", "wasm"); !ok || p.FirstClass || p.CgoSupported {
		t.Errorf("js/wasm = %+v, %v; want not first-class, no cgo", p, ok)
	}
	if _, ok := FindPort(ports, "plan10", "vax"); ok {
		t.Error("FindPort found a port that does not exist")
	}
}

func TestDistListNoGo(t *testing.T) {
	t.Parallel()
	_, err := DistList(context.Background(), []string{"PATH=" + t.TempDir()})
	if err == nil {
		t.Fatal("DistList succeeded without a go command on PATH")
	}
}

func TestParseDistList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    []Port
		wantErr string
	}{
		{"ok", `[{"GOOS":"linux","GOARCH":"amd64","CgoSupported":true,"FirstClass":true}]`,
			[]Port{{GOOS: "linux", GOARCH: "amd64", CgoSupported: true, FirstClass: true}}, ""},
		{"empty list", `[]`, nil, "no ports"},
		{"empty input", ``, nil, "unexpected end"},
		{"truncated", `[{"GOOS":"linux"`, nil, "unexpected end"},
		{"not json", "linux/amd64\n", nil, "invalid character"},
		{"missing arch", `[{"GOOS":"linux"}]`, nil, "invalid GOOS/GOARCH"},
		{"hostile", `[{"GOOS":"../../etc","GOARCH":"amd64"}]`, nil, "invalid GOOS/GOARCH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseDistList([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseDistList(f *testing.F) {
	f.Add([]byte(`[{"GOOS":"linux","GOARCH":"amd64","CgoSupported":true,"FirstClass":true}]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`[{"GOOS":"x"`))
	f.Add([]byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ports, err := ParseDistList(data)
		if err != nil {
			return
		}
		for _, p := range ports {
			if !isPortWord(p.GOOS) || !isPortWord(p.GOARCH) {
				t.Fatalf("accepted invalid port %+v", p)
			}
		}
	})
}
