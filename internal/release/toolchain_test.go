package release

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "go1.26.8.linux-amd64.tar.gz")
	bad := filepath.Join(dir, "go1.26.8.darwin-arm64.tar.gz")
	other := filepath.Join(dir, "other.zip")
	for _, f := range []string{good, bad, other} {
		if err := os.WriteFile(f, []byte("content of "+filepath.Base(f)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	goodSum, _ := fileSHA256(good)
	goodSize := int64(len("content of " + filepath.Base(good)))
	listing := `[{"version":"go1.26.8","stable":true,"files":[
	 {"filename":"go1.26.8.linux-amd64.tar.gz","os":"linux","arch":"amd64","sha256":"` + goodSum + `","size":` + itoa64(goodSize) + `,"kind":"archive"},
	 {"filename":"go1.26.8.darwin-arm64.tar.gz","os":"darwin","arch":"arm64","sha256":"` + strings.Repeat("0", 64) + `","size":1,"kind":"archive"}]}]`
	sumfile := goodSum + "  go1.26.8.linux-amd64.tar.gz\n" + strings.Repeat("0", 64) + "  go1.26.8.darwin-arm64.tar.gz\n"
	for name, src := range map[string]string{"json": listing, "sha256sum": sumfile} {
		exp, err := ParseExpected(strings.NewReader(src))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var got []string
		for _, c := range CheckFiles([]string{good, bad, other, filepath.Join(dir, "missing")}, exp) {
			got = append(got, filepath.Base(c.File)+" "+c.Status)
		}
		want := []string{"go1.26.8.linux-amd64.tar.gz ok", "go1.26.8.darwin-arm64.tar.gz mismatch", "other.zip unlisted", "missing unreadable"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func FuzzParseExpected(f *testing.F) {
	f.Add([]byte(`[{"version":"go1.22.0","files":[{"filename":"a.tar.gz","sha256":"` + strings.Repeat("a", 64) + `","size":3}]}]`))
	f.Add([]byte(`{"version":"go1","files":[]}`))
	f.Add([]byte(strings.Repeat("b", 64) + "  x.zip\n"))
	f.Add([]byte("[\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		exp, err := ParseExpected(strings.NewReader(string(data)))
		if err != nil {
			return
		}
		for _, e := range exp {
			if len(e.SHA256) != 64 || !isHex(e.SHA256) {
				t.Fatalf("accepted digest %q", e.SHA256)
			}
		}
	})
}
