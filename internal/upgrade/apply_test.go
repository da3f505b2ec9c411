package upgrade

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// --apply raises the go line and keeps the old behaviour: after it the
// program prints what it printed at go 1.20, go.mod says go 1.26 with the
// godebug lines, and the backup holds the original.
func TestApply(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	original := gomod("1.20")
	root := writeModule(t, map[string]string{"go.mod": original, "main.go": timerProgram})
	res := analyze(t, root, Options{To: "1.26", Environ: env})
	applied, err := Apply(context.Background(), res, env)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"go.mod.goport-backup"}, applied.Backups); diff != "" {
		t.Errorf("backups (-want +got):\n%s", diff)
	}
	backup, _ := os.ReadFile(filepath.Join(root, "go.mod.goport-backup"))
	if string(backup) != original {
		t.Errorf("backup = %q; want the original go.mod", backup)
	}
	out, ok := goRun(t, root, env, "mod", "edit", "-json")
	if !ok || !strings.Contains(out, `"Go": "1.26"`) || !strings.Contains(out, `"Key": "asynctimerchan"`) {
		t.Fatalf("go.mod after apply:\n%s", out)
	}
	if out, _ := goRun(t, root, env, "run", "."); strings.TrimSpace(out) != "1" {
		t.Errorf("after apply the program prints %q; want 1, its go 1.20 behaviour", out)
	}
	// Nothing left to report for GODEBUG.
	if got := flipped(analyze(t, root, Options{To: "1.26", Environ: env}).Findings); len(got) != 0 {
		t.Errorf("after apply still flipping: %v", got)
	}
}

// When go mod tidy fails (an import nobody provides, no network), go.mod is
// restored byte for byte.
func TestApplyRestoresOnFailure(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	original := gomod("1.20")
	root := writeModule(t, map[string]string{
		"go.mod":  original,
		"main.go": "package main\n\nimport _ \"example.org/missing/pkg\"\n\nfunc main() {}\n",
	})
	res := analyze(t, root, Options{To: "1.26", Environ: env})
	_, err := Apply(context.Background(), res, env)
	if err == nil || !strings.Contains(err.Error(), "go mod tidy") || !strings.Contains(err.Error(), "restored") {
		t.Fatalf("Apply error = %v; want a go mod tidy failure with go.mod restored", err)
	}
	if got, _ := os.ReadFile(filepath.Join(root, "go.mod")); string(got) != original {
		t.Errorf("go.mod = %q; want the original back", got)
	}
	if _, err := os.Stat(filepath.Join(root, "go.sum")); err == nil {
		t.Errorf("go.sum left behind")
	}
}

// In a vendoring module --apply also re-vendors, so the vendored generic
// code compiles at its own go version afterwards.
func TestApplyRevendors(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	root := writeModule(t, map[string]string{
		"dep/go.mod":  "module example.com/dep\n\ngo 1.18\n",
		"dep/dep.go":  "package dep\n\nfunc Map[T any](xs []T) []T { return xs }\n",
		"app/go.mod":  "module example.com/app\n\ngo 1.16\n\nrequire example.com/dep v0.0.0\n\nreplace example.com/dep => ../dep\n",
		"app/main.go": "package main\n\nimport \"example.com/dep\"\n\nfunc main() { _ = dep.Map([]int{1}) }\n",
	})
	app := filepath.Join(root, "app")
	mustGo(t, app, env, "mod", "vendor")
	res := analyze(t, app, Options{To: "1.18", Environ: env})
	applied, err := Apply(context.Background(), res, env)
	if err != nil {
		t.Fatal(err)
	}
	if !applied.Vendor {
		t.Errorf("Applied.Vendor = false; want go mod vendor run")
	}
	mustGo(t, app, env, "build", "-o", os.DevNull, ".")
	if got := byRule(analyze(t, app, Options{To: "1.18", Environ: env}).Findings, RuleVendorLang); len(got) != 0 {
		t.Errorf("after apply: %+v", got)
	}
}
