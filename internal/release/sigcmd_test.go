package release

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goport/goport/internal/target"
)

func TestSplitArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
		err  string
	}{
		{in: "gpg --batch --detach-sign --output {{.Signature}} {{.Artifact}}", want: []string{"gpg", "--batch", "--detach-sign", "--output", "{{.Signature}}", "{{.Artifact}}"}},
		{in: "  a\t b\n", want: []string{"a", "b"}},
		{in: `sign --comment 'two words' "x \"y\" \$z" a\ b`, want: []string{"sign", "--comment", "two words", `x "y" $z`, "a b"}},
		{in: `--pass={{ .Env.PASS }} {{ .Artifact }}.x`, want: []string{"--pass={{ .Env.PASS }}", "{{ .Artifact }}.x"}},
		{in: `"" ''`, want: []string{"", ""}},
		{in: `"a\n"`, want: []string{`a\n`}},
		{in: "", want: nil},
		{in: "a 'b", err: "unclosed single quote"},
		{in: `a "b`, err: "unclosed double quote"},
		{in: `a \`, err: "trailing backslash"},
		{in: "a {{.Artifact", err: "unclosed {{"},
	}
	for _, tt := range tests {
		got, err := splitArgs(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("splitArgs(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("splitArgs(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("splitArgs(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func FuzzSplitArgs(f *testing.F) {
	for _, s := range []string{"gpg --output {{.Signature}} {{.Artifact}}", `a 'b c' "d\"e" f\ g`, "{{", `"`, "'", `\`, "\xff\x00 a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words, err := splitArgs(s)
		if err != nil {
			return
		}
		// Words only ever hold characters of the input.
		for _, w := range words {
			if len(w) > len(s) {
				t.Fatalf("word %q longer than input %q", w, s)
			}
		}
		_ = ParseSignCmd(s)
	})
}

// signerSource is a signing command: it writes the SHA-256 of -in and a
// tag to -out, and refuses a passphrase other than "open-sesame",
// printing it as careless tools do.
const signerSource = `package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
)

func main() {
	in := flag.String("in", "", "")
	out := flag.String("out", "", "")
	pass := flag.String("pass", "", "")
	flag.Parse()
	if *pass != "open-sesame" {
		fmt.Fprintf(os.Stderr, "bad passphrase %s\n", *pass)
		os.Exit(1)
	}
	data, err := os.ReadFile(*in)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sum := sha256.Sum256(data)
	if err := os.WriteFile(*out, []byte("signed:"+hex.EncodeToString(sum[:])+"\n"), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
`

func buildSigner(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(signerSource), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module signer\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "signer")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building signer: %v\n%s", err, out)
	}
	return bin
}

// freshRelease builds the module for linux/amd64 into a new directory.
func freshRelease(t *testing.T) (mod, dir string, builds []Build) {
	t.Helper()
	root := t.TempDir()
	mod, dir = filepath.Join(root, "mod"), filepath.Join(root, "dist")
	if err := os.MkdirAll(mod, 0o755); err != nil {
		t.Fatal(err)
	}
	writeModule(t, mod)
	return mod, dir, buildMatrix(t, mod, dir, []target.Target{{GOOS: "linux", GOARCH: "amd64"}})
}

func hiddenLeft(t *testing.T, dir string) []string {
	t.Helper()
	var left []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && p != dir && strings.HasPrefix(d.Name(), ".") {
			left = append(left, p)
		}
		return nil
	})
	return left
}

func TestSignCmd(t *testing.T) {
	t.Parallel()
	signer := buildSigner(t)
	mod, dir, builds := freshRelease(t)
	line := signer + ` -in {{.Artifact}} -out '{{ .Signature }}' -pass {{.Env.SIGN_PASS}}`

	// A wrong passphrase: the command fails, is named with its secret
	// hidden, and no signature is left.
	_, err := Run(context.Background(), Options{Dir: dir, DocsDir: mod, SourceDate: testDate,
		SignCmd: &SignCmd{Line: line, Environ: []string{"SIGN_PASS=wrong-secret"}}}, builds)
	if err == nil {
		t.Fatal("Run with a failing signing command succeeded")
	}
	msg := err.Error()
	if strings.Contains(msg, "wrong-secret") {
		t.Errorf("error shows the secret: %s", msg)
	}
	for _, want := range []string{"sign: signing command \"" + signer + " -in ", "-pass [redacted]\" failed: exit status 1: bad passphrase [redacted]"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "checksums.txt.sig")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("checksums.txt.sig after a failed command: %v", err)
	}
	if left := hiddenLeft(t, dir); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	// The right passphrase: the signature is written, listed and verified.
	res, err := Run(context.Background(), Options{Dir: dir, DocsDir: mod, SourceDate: testDate,
		SignCmd: &SignCmd{Line: line, Environ: []string{"SIGN_PASS=open-sesame"}}}, builds)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Signed {
		t.Error("Result.Signed is false")
	}
	sums, err := os.ReadFile(filepath.Join(dir, ChecksumsFile))
	if err != nil {
		t.Fatal(err)
	}
	sig, err := os.ReadFile(filepath.Join(dir, "checksums.txt.sig"))
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(sums)
	if want := "signed:" + hex.EncodeToString(h[:]) + "\n"; string(sig) != want {
		t.Errorf("checksums.txt.sig = %q, want %q", sig, want)
	}
	if strings.Contains(string(sums), "checksums.txt.sig") {
		t.Error("checksums.txt lists its own signature")
	}
	data, err := os.ReadFile(filepath.Join(dir, ArtifactsFile))
	if err != nil {
		t.Fatal(err)
	}
	arts, err := ParseArtifacts(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, a := range arts {
		found = found || (a.Path == "checksums.txt.sig" && a.Type == TypeSignature)
	}
	if !found {
		t.Errorf("artifacts.json does not list checksums.txt.sig as a Signature:\n%s", data)
	}
	v, err := Verify(VerifyOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Findings) > 0 {
		t.Errorf("verify: %+v", v.Findings)
	}
	if left := hiddenLeft(t, dir); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestSignCmdErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ChecksumsFile), []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line, want string
	}{
		{"no-such-signer-xyz {{.Artifact}}", `signing command "no-such-signer-xyz ` + filepath.Join(dir, ChecksumsFile) + `": `},
		{"true {{.Env.MISSING}}", `map has no entry for key "MISSING"`},
		{"true {{.Nope}}", `can't evaluate field Nope`},
		{"true {{.Artifact}}", `signing command "true ` + filepath.Join(dir, ChecksumsFile) + `" wrote no signature to {{.Signature}}`},
		{"'unclosed", "signing command: unclosed single quote"},
		{"   ", "signing command is empty"},
	}
	for _, tt := range tests {
		_, err := runSignCmd(context.Background(), SignCmd{Line: tt.line, Environ: []string{"PATH=" + os.Getenv("PATH")}}, dir, ChecksumsFile)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("runSignCmd(%q) = %v, want an error containing %q", tt.line, err, tt.want)
		}
	}
	if left := hiddenLeft(t, dir); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestSignCmdGPG signs with the real gpg, as its users would, and checks
// the signature with gpg --verify.
func TestSignCmdGPG(t *testing.T) {
	t.Parallel()
	gpg, err := exec.LookPath("gpg")
	if err != nil {
		t.Skip("gpg not installed")
	}
	home, err := os.MkdirTemp("", "gpg") // short: gpg-agent's socket path is limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = exec.Command("gpgconf", "--homedir", home, "--kill", "gpg-agent").Run()
		os.RemoveAll(home)
	})
	if err := os.Chmod(home, 0o700); err != nil {
		t.Fatal(err)
	}
	// No cached passphrase, so a wrong one below is really checked.
	if err := os.WriteFile(filepath.Join(home, "gpg-agent.conf"), []byte("default-cache-ttl 0\nmax-cache-ttl 0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	gen := exec.Command(gpg, "--homedir", home, "--batch", "--pinentry-mode", "loopback", "--passphrase", "gpg-secret-pw",
		"--quick-gen-key", "Release <release@example.com>", "ed25519", "sign", "never")
	if out, err := gen.CombinedOutput(); err != nil {
		t.Skipf("gpg cannot make a key here: %v\n%s", err, out)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ChecksumsFile), []byte("0000  a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	line := `gpg --homedir ` + home + ` --batch --pinentry-mode loopback --passphrase {{.Env.GPG_PASS}} --detach-sign --output {{.Signature}} {{.Artifact}}`
	env := []string{"PATH=" + os.Getenv("PATH"), "GPG_PASS=gpg-secret-pw", "GNUPGHOME=" + home}
	name, err := runSignCmd(context.Background(), SignCmd{Line: line, Environ: env}, dir, ChecksumsFile)
	if err != nil {
		t.Fatal(err)
	}
	verify := exec.Command(gpg, "--homedir", home, "--batch", "--verify", filepath.Join(dir, name), filepath.Join(dir, ChecksumsFile))
	if out, err := verify.CombinedOutput(); err != nil {
		t.Fatalf("gpg --verify: %v\n%s", err, out)
	}
	// A wrong passphrase fails, naming gpg without the secret.
	env[1] = "GPG_PASS=not-the-pw"
	_, err = runSignCmd(context.Background(), SignCmd{Line: line, Environ: env}, dir, ChecksumsFile)
	if err == nil || !strings.Contains(err.Error(), "--passphrase [redacted]") || strings.Contains(err.Error(), "not-the-pw") {
		t.Errorf("wrong gpg passphrase: %v", err)
	}
}
