package dockerfile

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLintCRLF: a Dockerfile saved with Windows line endings gets the
// same findings at the same lines.
func TestLintCRLF(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob(filepath.Join("testdata", "lint", "*.Dockerfile"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		lf, err := Lint(data, LintOptions{GoMod: fixtureMod})
		if err != nil {
			t.Fatal(err)
		}
		crlf, err := Lint(bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")), LintOptions{GoMod: fixtureMod})
		if err != nil {
			t.Fatalf("%s with CRLF: %v", file, err)
		}
		if diff := cmp.Diff(got(lf), got(crlf)); diff != "" {
			t.Errorf("%s: CRLF changes the findings (-LF +CRLF):\n%s", filepath.Base(file), diff)
		}
	}
}
