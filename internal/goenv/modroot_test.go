package goenv

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFindModuleRoot(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mod := filepath.Join(dir, "mod")
	sub := filepath.Join(mod, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A directory named go.mod is not a module, as for the go command.
	fake := filepath.Join(dir, "fake")
	if err := os.MkdirAll(filepath.Join(fake, "go.mod"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ dir, want string }{
		{mod, mod},
		{sub, mod},
		{fake, ""},
		{dir, ""},
	} {
		if got := FindModuleRoot(tc.dir); got != tc.want {
			t.Errorf("FindModuleRoot(%s) = %q, want %q", tc.dir, got, tc.want)
		}
	}
}
