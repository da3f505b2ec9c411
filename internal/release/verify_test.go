package release

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"aead.dev/minisign"

	"github.com/goport/goport/internal/finding"
)

// flip changes one byte in the middle of a file.
func flip(t *testing.T, file string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0x01
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func writePub(t *testing.T, dir string, pub minisign.PublicKey) string {
	t.Helper()
	text, err := pub.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "release.pub")
	if err := os.WriteFile(file, append(text, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestVerifyTamper flips one byte of each kind of release file and
// expects verify to fail naming the file, and the real sha256sum -c and
// minisign -V to agree where they can see the change.
func TestVerifyTamper(t *testing.T) {
	t.Parallel()
	f := sharedRelease(t)
	_, haveSha := exec.LookPath("sha256sum")
	_, haveMinisign := exec.LookPath("minisign")
	tests := []struct {
		file string
		// rule is the finding verify must report naming file.
		rule string
		// sha256sum reports whether sha256sum -c notices; minisign
		// whether minisign -V does.
		sha256sum, minisign bool
	}{
		{"linux_amd64/hello", RuleChecksum.ID, true, false},
		{"windows_amd64/hello.exe", RuleChecksum.ID, true, false},
		{"hello_1.2.3_linux_amd64.tar.gz", RuleChecksum.ID, true, false},
		{"hello_1.2.3_windows_amd64.zip", RuleChecksum.ID, true, false},
		{"hello_1.2.3_darwin_arm64.sbom.cdx.json", RuleChecksum.ID, true, false},
		{ArtifactsFile, RuleChecksum.ID, true, false},
		// The middle byte of checksums.txt is in a checksum, so sha256sum
		// sees that line fail too.
		{ChecksumsFile, RuleSignature.ID, true, true},
		{ChecksumsFile + SignatureSuffix, RuleSignature.ID, false, true},
	}
	for _, tc := range tests {
		t.Run(strings.ReplaceAll(tc.file, "/", "_"), func(t *testing.T) {
			t.Parallel()
			dir := copyRelease(t, f)
			flip(t, filepath.Join(dir, filepath.FromSlash(tc.file)))
			v, err := Verify(VerifyOptions{Dir: dir, PublicKey: &f.pub})
			if err != nil {
				t.Fatal(err)
			}
			if !v.Failed() {
				t.Fatalf("verify passed after flipping a byte of %s", tc.file)
			}
			found := false
			for _, fd := range v.Findings {
				if fd.Rule == tc.rule && strings.Contains(fd.Message, tc.file) {
					found = true
				}
			}
			if !found {
				t.Errorf("no %s finding naming %s; findings: %+v", tc.rule, tc.file, v.Findings)
			}
			if haveSha == nil {
				cmd := exec.Command("sha256sum", "-c", "--quiet", ChecksumsFile)
				cmd.Dir = dir
				out, err := cmd.CombinedOutput()
				if noticed := err != nil; noticed != tc.sha256sum {
					t.Errorf("sha256sum -c noticed=%v, want %v:\n%s", noticed, tc.sha256sum, out)
				}
				if tc.sha256sum && tc.file != ChecksumsFile && !strings.Contains(string(out), tc.file+": FAILED") {
					t.Errorf("sha256sum -c does not name %s:\n%s", tc.file, out)
				}
			}
			if haveMinisign == nil {
				pub := writePub(t, t.TempDir(), f.pub)
				cmd := exec.Command("minisign", "-V", "-p", pub, "-m", filepath.Join(dir, ChecksumsFile))
				out, err := cmd.CombinedOutput()
				if noticed := err != nil; noticed != tc.minisign {
					t.Errorf("minisign -V noticed=%v, want %v:\n%s", noticed, tc.minisign, out)
				}
			}
		})
	}
}

// TestMinisignVerifiesSignature checks the untouched signature with the
// real minisign tool, including the trusted comment.
func TestMinisignVerifiesSignature(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("minisign"); err != nil {
		t.Skip("minisign not installed")
	}
	f := sharedRelease(t)
	pub := writePub(t, t.TempDir(), f.pub)
	out, err := exec.Command("minisign", "-V", "-p", pub, "-m", filepath.Join(f.dir, ChecksumsFile)).CombinedOutput()
	if err != nil {
		t.Fatalf("minisign -V: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "timestamp:1714564800\tfile:checksums.txt") {
		t.Errorf("minisign -V output lacks the trusted comment:\n%s", out)
	}
}

func TestVerifyProblems(t *testing.T) {
	t.Parallel()
	f := sharedRelease(t)
	other, _ := testKey(t)
	tests := []struct {
		name   string
		change func(t *testing.T, dir string)
		key    *minisign.PublicKey
		want   string // rule and file, "GP-REL-00N file"
	}{
		{"wrong key", func(*testing.T, string) {}, &other, "GP-REL-002 checksums.txt.minisig"},
		{"missing signature", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "checksums.txt.minisig")) }, &f.pub, "GP-REL-002 checksums.txt.minisig"},
		{"missing archive", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "hello_1.2.3_linux_amd64.tar.gz")) }, nil, "GP-REL-001 hello_1.2.3_linux_amd64.tar.gz"},
		{"missing checksums", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "checksums.txt")) }, nil, "GP-REL-005 checksums.txt"},
		{"extra file", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "evil.sh"), []byte("#!/bin/sh\n"), 0o755)
		}, nil, "GP-REL-006 evil.sh"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := copyRelease(t, f)
			tc.change(t, dir)
			v, err := Verify(VerifyOptions{Dir: dir, PublicKey: tc.key})
			if err != nil {
				t.Fatal(err)
			}
			rule, file, _ := strings.Cut(tc.want, " ")
			if !slices.ContainsFunc(v.Findings, func(fd finding.Finding) bool { return fd.Rule == rule && strings.HasPrefix(fd.Message, file+":") }) {
				t.Errorf("want %s; findings: %+v", tc.want, v.Findings)
			}
		})
	}
}

// TestVerifyHealthyUnsigned: an unsigned release verifies without a key.
func TestVerifyHealthyUnsigned(t *testing.T) {
	t.Parallel()
	f := sharedRelease(t)
	dir := copyRelease(t, f)
	os.Remove(filepath.Join(dir, "checksums.txt.minisig"))
	v, err := Verify(VerifyOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Findings) != 0 || v.Signature != "not checked" {
		t.Errorf("unsigned release without --pubkey: signature %s, findings %+v", v.Signature, v.Findings)
	}
}
