package release

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"aead.dev/minisign"
)

// MergeOptions are the inputs of Merge.
type MergeOptions struct {
	// Parts are release directories made by sharded runs (unsigned).
	Parts []string
	// Dir receives the merged release; it must be empty or absent.
	Dir        string
	SourceDate time.Time
	Key        *minisign.PrivateKey
	// SignCmd, when set, also signs checksums.txt with an external command.
	SignCmd *SignCmd
}

// Merge joins the release directories of sharded runs into one release
// with one artifacts.json, one checksums.txt and one signature. Every part
// is verified first, and an artifact path present in two parts is an
// error, since shards never overlap. Archives and SBOMs are copied as
// they are, so a merged release is byte-identical to an unsharded one
// made from the same binaries.
func Merge(ctx context.Context, opts MergeOptions) (*Result, error) {
	if len(opts.Parts) == 0 {
		return nil, fmt.Errorf("nothing to merge")
	}
	st := &state{opts: Options{Dir: opts.Dir, SourceDate: opts.SourceDate, Key: opts.Key, SignCmd: opts.SignCmd}}
	from := map[string]string{} // artifact path → part
	for _, part := range opts.Parts {
		v, err := Verify(VerifyOptions{Dir: part})
		if err != nil {
			return nil, fmt.Errorf("verifying part %s: %w", part, err)
		}
		if v.Failed() {
			return nil, fmt.Errorf("part %s does not verify: %s", part, firstError(v))
		}
		data, err := os.ReadFile(filepath.Join(part, ArtifactsFile))
		if err != nil {
			return nil, err
		}
		arts, err := ParseArtifacts(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("part %s: %w", part, err)
		}
		for _, a := range arts {
			switch a.Type {
			case TypeChecksum, TypeSignature:
				continue
			}
			if other, dup := from[a.Path]; dup {
				return nil, fmt.Errorf("%s is in both %s and %s: merge only parts of one sharded release", a.Path, other, part)
			}
			from[a.Path] = part
			switch a.Type {
			case TypeBinary:
				st.binaries = append(st.binaries, binary{Artifact: a})
			case TypeArchive:
				st.archives = append(st.archives, a)
			case TypeSBOM:
				st.sboms = append(st.sboms, a)
			}
		}
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, err
	}
	for _, p := range slices.Sorted(maps.Keys(from)) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		data, err := os.ReadFile(filepath.Join(from[p], filepath.FromSlash(p)))
		if err != nil {
			return nil, err
		}
		dst := filepath.Join(opts.Dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return nil, err
		}
		perm := os.FileMode(0o644)
		if strings.Contains(p, "/") {
			perm = 0o755 // binaries live in per-target directories
		}
		if err := writeFileAtomic(dst, data, perm); err != nil {
			return nil, err
		}
	}
	byTarget := func(a, b Artifact) int {
		if c := strings.Compare(a.Target, b.Target); c != 0 {
			return c
		}
		return strings.Compare(a.Path, b.Path)
	}
	slices.SortFunc(st.binaries, func(a, b binary) int { return byTarget(a.Artifact, b.Artifact) })
	slices.SortFunc(st.archives, byTarget)
	slices.SortFunc(st.sboms, byTarget)
	for _, s := range releaseSteps() {
		if err := s.run(ctx, st); err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
	}
	res := &Result{Dir: opts.Dir, Artifacts: st.all(), Signed: st.sig != nil || st.extSig != nil}
	if opts.Key != nil {
		res.KeyID = keyID(opts.Key.ID())
	}
	return res, nil
}

func firstError(v *Verification) string {
	for _, f := range v.Findings {
		if f.Severity >= RuleChecksum.Severity {
			return f.Message
		}
	}
	return "failed"
}
