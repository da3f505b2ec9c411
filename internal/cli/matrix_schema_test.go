package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

const matrixSchemaPath = "../../docs/schema/matrix.v1.json"

// TestMatrixJSONMatchesSchema runs the real goport binary over a module
// whose pairs build, fail, get skipped and run, and validates its JSON
// report against the common report schema and its facts against the
// matrix schema, which is strict: an undocumented field fails.
func TestMatrixJSONMatchesSchema(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "goport")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/goport").CombinedOutput(); err != nil {
		t.Fatalf("building goport: %v\n%s", err, out)
	}
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":                      "module example.com/m\n\ngo 1.22\n",
		"cmd/hello/main.go":           "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n",
		"cmd/unixonly/main.go":        "package main\n\nimport \"syscall\"\n\nfunc main() { _ = syscall.Kill(0, 0) }\n",
		"cmd/linuxonly/main_linux.go": "package main\n\nfunc main() {}\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin, "matrix", "--targets", "linux/amd64,windows/amd64", "--cgo", "off", "--run", "--format", "json")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=", "NO_COLOR=1")
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("goport matrix: %v, want exit 1 for the windows failure\n%s", err, out)
	}

	var doc map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	validateJSON(t, compileMatrixSchema(t, "../../docs/schema/report.v1.json"), out)
	facts, err := json.Marshal(doc["facts"])
	if err != nil {
		t.Fatal(err)
	}
	validateJSON(t, compileMatrixSchema(t, matrixSchemaPath), facts)

	// The run must have produced the fields the schema is about, or the
	// validation above proves little.
	seen := map[string]bool{}
	statuses := map[string]bool{}
	for _, p := range doc["facts"].(map[string]any)["pairs"].([]any) {
		pair := p.(map[string]any)
		statuses[pair["status"].(string)] = true
		for k := range pair {
			seen[k] = true
		}
	}
	for _, k := range []string{"package", "name", "target", "cgo", "skip", "status", "reason", "rule", "output", "size", "log", "cache_key", "verified", "run"} {
		if !seen[k] {
			t.Errorf("no pair has %q:\n%s", k, out)
		}
	}
	if diff := cmp.Diff(map[string]bool{"ok": true, "failed": true, "skipped": true}, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

// compileMatrixSchema loads a JSON schema file with format assertions on.
func compileMatrixSchema(t *testing.T, path string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	s, err := c.Compile(path)
	if err != nil {
		t.Fatalf("compiling %s: %v", path, err)
	}
	return s
}

func validateJSON(t *testing.T, s *jsonschema.Schema, doc []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(string(doc)))
	if err != nil {
		t.Fatalf("not JSON: %v\n%s", err, doc)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("does not match the schema: %v\n%s", err, doc)
	}
}

// TestMatrixReportDocumentsEverySchemaField keeps docs/matrix-report.md
// and the schema in step: every property the schema allows has a row.
func TestMatrixReportDocumentsEverySchemaField(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(matrixSchemaPath)
	if err != nil {
		t.Fatal(err)
	}
	var schema any
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	var names []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if props, ok := v["properties"].(map[string]any); ok {
				for name := range props {
					names = append(names, name)
				}
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(schema)
	slices.Sort(names)
	names = slices.Compact(names)
	if len(names) < 30 {
		t.Fatalf("found only %d properties in the schema: %q", len(names), names)
	}
	doc, err := os.ReadFile("../../docs/matrix-report.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if !regexp.MustCompile("(?m)^\\| `" + regexp.QuoteMeta(name) + "` \\|").Match(doc) {
			t.Errorf("docs/matrix-report.md has no row for %q", name)
		}
	}
}
