package goenv

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/goport/goport/internal/testenv"
)

func TestLoadMatchesGoEnv(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go on PATH")
	}
	home := t.TempDir()
	if err := testenv.DisableTelemetry(home); err != nil {
		t.Fatal(err)
	}
	environ := []string{"PATH=" + filepath.Dir(gobin), "HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "GOFLAGS=-mod=mod", "GOTOOLCHAIN=auto"}
	env, err := Load(context.Background(), t.TempDir(), environ)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(gobin, "env", "GOVERSION").Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := string(out[:len(out)-1]); env.Version() != want {
		t.Errorf("Version() = %q, want %q", env.Version(), want)
	}
	if got := env.Get("GOFLAGS"); got != "-mod=mod" {
		t.Errorf("GOFLAGS = %q: the given environment was not used", got)
	}
	if got := env.Get("GOTOOLCHAIN"); got != "local" {
		t.Errorf("GOTOOLCHAIN = %q, want local: goport must never switch toolchains", got)
	}
}

func TestLoadWithoutGo(t *testing.T) {
	_, err := Load(context.Background(), t.TempDir(), []string{"PATH=" + t.TempDir()})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}

func TestLoadFailingGo(t *testing.T) {
	dir := t.TempDir()
	script := "#!/bin/sh\necho 'go: broken installation' >&2\nexit 2\n"
	if err := os.WriteFile(filepath.Join(dir, "go"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Load(context.Background(), t.TempDir(), []string{"PATH=" + dir})
	var ge *Error
	if !errors.As(err, &ge) || ge.Binary != filepath.Join(dir, "go") {
		t.Fatalf("err = %v, want *Error naming the fake go", err)
	}
	if got, want := err.Error(), filepath.Join(dir, "go")+": go: broken installation"; got != want {
		t.Errorf("err = %q, want %q", got, want)
	}
}

func TestFindAllDeduplicatesSymlinks(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(a, "go"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(a, "go"), filepath.Join(b, "go")); err != nil {
		t.Fatal(err)
	}
	noexec := t.TempDir()
	if err := os.WriteFile(filepath.Join(noexec, "go"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	got := FindAll("go", []string{"PATH=" + noexec + ":" + a + "::" + b})
	if len(got) != 1 || got[0] != filepath.Join(a, "go") {
		t.Errorf("FindAll = %v, want only %s", got, filepath.Join(a, "go"))
	}
}

func TestReadEnvFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "env")
	content := "# comment\nGOPROXY=https://a.example\n\nnot a line\nGOPRIVATE=corp.example\nGOPROXY=https://b.example\n"
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := ReadEnvFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if f.Vars["GOPROXY"] != "https://b.example" || f.Line["GOPROXY"] != 6 || f.Vars["GOPRIVATE"] != "corp.example" {
		t.Errorf("got %+v", f)
	}
	missing, err := ReadEnvFile(filepath.Join(t.TempDir(), "none"))
	if err != nil || len(missing.Vars) != 0 {
		t.Errorf("missing file: %v, %+v", err, missing)
	}
	if _, err := ReadEnvFile(t.TempDir()); err == nil {
		t.Error("reading a directory succeeded")
	}
}

func FuzzReadEnvFile(f *testing.F) {
	f.Add([]byte("GOPROXY=off\n"))
	f.Add([]byte("\xff\xfe=\x00\n#x\n=\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "env")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadEnvFile(p); err != nil {
			t.Fatalf("ReadEnvFile: %v", err)
		}
	})
}
