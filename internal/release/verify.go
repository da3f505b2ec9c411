package release

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"aead.dev/minisign"

	"github.com/goport/goport/internal/binfile"
	"github.com/goport/goport/internal/finding"
)

// VerifyOptions are the inputs of Verify.
type VerifyOptions struct {
	Dir string
	// PublicKey, when set, makes the signature mandatory and checked.
	PublicKey *minisign.PublicKey
}

// Verification is the outcome of Verify.
type Verification struct {
	Dir string `json:"dir"`
	// Files is how many files checksums.txt lists.
	Files int `json:"files"`
	// Signature is "verified", "not checked" (no public key) or "failed".
	Signature string            `json:"signature"`
	KeyID     string            `json:"key_id,omitempty"`
	Findings  []finding.Finding `json:"-"`
}

// Failed reports whether any error-level problem was found.
func (v *Verification) Failed() bool {
	return slices.ContainsFunc(v.Findings, func(f finding.Finding) bool { return f.Severity >= finding.Error })
}

func (v *Verification) add(r finding.Rule, file, format string, args ...any) {
	v.Findings = append(v.Findings, finding.Finding{
		Rule: r.ID, Severity: r.Severity, Message: file + ": " + fmt.Sprintf(format, args...), Fix: r.Fix,
		Evidence: []finding.Evidence{{Location: &finding.Location{Path: file}}},
	})
}

// Verify checks a release directory: the signature of checksums.txt,
// every checksum, artifacts.json against checksums.txt, every archive's
// members against artifacts.json, and every binary's inspect facts
// against its artifacts.json entry. Problems are findings naming the file;
// the error is for a directory that cannot be read at all.
func Verify(opts VerifyOptions) (*Verification, error) {
	if fi, err := os.Stat(opts.Dir); err != nil {
		return nil, err
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", opts.Dir)
	}
	v := &Verification{Dir: opts.Dir, Signature: "not checked"}
	raw, err := os.ReadFile(filepath.Join(opts.Dir, ChecksumsFile))
	if err != nil {
		v.add(RuleManifest, ChecksumsFile, "cannot be read: %v", unwrapPath(err))
		return v, nil
	}
	if opts.PublicKey != nil {
		verifySignature(v, opts, raw)
	}
	sums, err := ParseChecksums(bytes.NewReader(raw))
	if err != nil {
		v.add(RuleManifest, ChecksumsFile, "%v", err)
		return v, nil
	}
	v.Files = len(sums)
	listed := map[string]string{}
	for _, s := range sums {
		listed[s.Name] = s.Hex
		got, err := fileSHA256(filepath.Join(opts.Dir, filepath.FromSlash(s.Name)))
		switch {
		case err != nil:
			v.add(RuleChecksum, s.Name, "listed in %s but cannot be read: %v", ChecksumsFile, unwrapPath(err))
		case got != s.Hex:
			v.add(RuleChecksum, s.Name, "SHA-256 is %s, %s says %s", got, ChecksumsFile, s.Hex)
		}
	}
	if _, ok := listed[ArtifactsFile]; !ok {
		v.add(RuleManifest, ArtifactsFile, "not listed in %s", ChecksumsFile)
	}
	data, err := os.ReadFile(filepath.Join(opts.Dir, ArtifactsFile))
	if err != nil {
		checkUnlisted(v, opts.Dir, listed, nil)
		v.add(RuleManifest, ArtifactsFile, "cannot be read: %v", unwrapPath(err))
		return v, nil
	}
	arts, err := ParseArtifacts(bytes.NewReader(data))
	if err != nil {
		checkUnlisted(v, opts.Dir, listed, nil)
		v.add(RuleManifest, ArtifactsFile, "%v", err)
		return v, nil
	}
	checkUnlisted(v, opts.Dir, listed, arts)
	verifyArtifacts(v, opts.Dir, arts, listed)
	return v, nil
}

func verifySignature(v *Verification, opts VerifyOptions, sums []byte) {
	v.Signature = "failed"
	name := ChecksumsFile + SignatureSuffix
	raw, err := os.ReadFile(filepath.Join(opts.Dir, name))
	if err != nil {
		v.add(RuleSignature, name, "cannot be read: %v", unwrapPath(err))
		return
	}
	var sig minisign.Signature
	if err := sig.UnmarshalText(raw); err != nil {
		v.add(RuleSignature, name, "not a minisign signature")
		return
	}
	v.KeyID = keyID(sig.KeyID)
	if sig.KeyID != opts.PublicKey.ID() {
		v.add(RuleSignature, name, "made with key %s, not with the given public key %s", keyID(sig.KeyID), keyID(opts.PublicKey.ID()))
		return
	}
	if !minisign.Verify(*opts.PublicKey, sums, raw) {
		v.add(RuleSignature, ChecksumsFile, "does not match its signature %s: %s or %s was changed after signing", name, ChecksumsFile, name)
		return
	}
	v.Signature = "verified"
}

func verifyArtifacts(v *Verification, dir string, arts []Artifact, listed map[string]string) {
	binaries := map[string]Artifact{} // target + name → binary
	for _, a := range arts {
		if a.Type == TypeBinary {
			binaries[a.Target+"/"+a.Name] = a
		}
	}
	for _, a := range arts {
		if a.Type == TypeChecksum || a.Type == TypeSignature {
			continue
		}
		want, ok := a.Extra.checksumHex()
		switch {
		case !ok:
			v.add(RuleManifest, ArtifactsFile, "%s has no sha256 checksum", a.Path)
			continue
		case listed[a.Path] == "":
			v.add(RuleManifest, a.Path, "in %s but not in %s", ArtifactsFile, ChecksumsFile)
		case listed[a.Path] != want:
			v.add(RuleManifest, ArtifactsFile, "checksum of %s differs from %s", a.Path, ChecksumsFile)
		}
		file := filepath.Join(dir, filepath.FromSlash(a.Path))
		switch a.Type {
		case TypeBinary:
			data, err := os.ReadFile(file)
			if err != nil {
				continue // already reported against checksums.txt
			}
			checkBinary(v, a.Path, a, data)
		case TypeArchive:
			checkArchive(v, a, file, binaries)
		}
	}
}

// checkBinary compares a binary's inspect facts with its entry.
func checkBinary(v *Verification, name string, a Artifact, data []byte) {
	f, err := binfile.InspectReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		v.add(RuleABI, name, "cannot be inspected: %v", err)
		return
	}
	if a.Extra.ABI == nil {
		v.add(RuleManifest, ArtifactsFile, "%s has no abi facts", a.Path)
		return
	}
	got := abiOf(f)
	diffs := diffABI(a.Extra.ABI, got)
	if f.Target == nil || f.Target.GOOS != a.GOOS || f.Target.GOARCH != a.GOARCH {
		diffs = append([]string{fmt.Sprintf("built for %s, artifacts.json says %s/%s", got.Target, a.GOOS, a.GOARCH)}, diffs...)
	}
	if len(diffs) > 0 {
		v.add(RuleABI, name, "%s", strings.Join(diffs, "; "))
	}
}

func checkArchive(v *Verification, a Artifact, file string, binaries map[string]Artifact) {
	members, err := readArchive(file)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			v.add(RuleArchive, a.Path, "cannot be read: %v", unwrapPath(err))
		}
		return
	}
	var names []string
	for _, m := range members {
		names = append(names, m.Name)
	}
	if !slices.Equal(names, a.Extra.Files) {
		v.add(RuleArchive, a.Path, "holds %s, artifacts.json lists %s", orNothing(names), orNothing(a.Extra.Files))
	}
	for _, bin := range a.Extra.Binaries {
		want, ok := binaries[a.Target+"/"+bin]
		if !ok {
			v.add(RuleManifest, ArtifactsFile, "archive %s holds %s, which has no Binary entry for %s", a.Path, bin, a.Target)
			continue
		}
		i := slices.IndexFunc(members, func(m member) bool { return m.Name == bin })
		if i < 0 {
			continue // reported above as a member list difference
		}
		wantHex, _ := want.Extra.checksumHex()
		if got := bytesSHA256(members[i].Data); got != wantHex {
			v.add(RuleArchive, a.Path, "%s inside has SHA-256 %s, artifacts.json says %s for %s", bin, got, wantHex, want.Path)
			checkBinary(v, a.Path+"!"+bin, want, members[i].Data)
		}
	}
}

// checkUnlisted warns about regular files no checksum covers, except
// the signatures of checksums.txt: minisign's and any artifacts.json
// lists (a signing command's), which cannot be covered by what they sign.
func checkUnlisted(v *Verification, dir string, listed map[string]string, arts []Artifact) {
	sigs := map[string]bool{ChecksumsFile + SignatureSuffix: true}
	for _, a := range arts {
		if a.Type == TypeSignature && strings.HasPrefix(a.Path, ChecksumsFile+".") {
			sigs[a.Path] = true
		}
	}
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return nil
		}
		rel = filepath.ToSlash(rel)
		if rel == ChecksumsFile || sigs[rel] || listed[rel] != "" || strings.HasPrefix(filepath.Base(rel), ".") {
			return nil
		}
		v.add(RuleUnlisted, rel, "not listed in %s", ChecksumsFile)
		return nil
	})
}

func orNothing(s []string) string {
	if len(s) == 0 {
		return "nothing"
	}
	return "[" + strings.Join(s, " ") + "]"
}

// unwrapPath drops the path an *fs.PathError repeats, since messages
// already name the file.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
