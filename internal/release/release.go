// Package release turns a matrix build into a release directory that can
// be checked by anyone: an archive per binary with fixed metadata,
// CycloneDX SBOMs from the binaries' build information, artifacts.json
// with the binaries' ABI facts, checksums.txt and its minisign signature.
// A Pipeline makes each binary's files while the matrix still builds the
// others. Verify re-derives all of it from the files.
package release

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"aead.dev/minisign"

	"github.com/goport/goport/internal/binfile"
	"github.com/goport/goport/internal/matrix"
	"github.com/goport/goport/internal/target"
)

// File names in a release directory.
const (
	ChecksumsFile = "checksums.txt"
	ArtifactsFile = "artifacts.json"
)

// Build is one binary the matrix produced.
type Build struct {
	Package string
	Name    string
	Target  target.Target
	// Path is the binary's path relative to the release directory.
	Path string
}

// BuildsFromMatrix lists the successful outputs of a matrix run whose
// OutDir is the release directory.
func BuildsFromMatrix(res *matrix.Result) []Build {
	var out []Build
	for _, p := range res.Pairs {
		if p.Status == matrix.OK {
			out = append(out, BuildOf(p))
		}
	}
	return out
}

// BuildOf is the binary a successful matrix pair wrote in its OutDir.
func BuildOf(p matrix.PairResult) Build {
	rel := filepath.ToSlash(filepath.Join(p.Target.DirName(), p.Name+p.Target.ExeSuffix()))
	return Build{Package: p.Package, Name: p.Name, Target: p.Target, Path: rel}
}

// Options are the inputs of Run.
type Options struct {
	// Dir is the release directory; the builds are already in it.
	Dir string
	// DocsDir holds README/LICENSE files to ship in every archive.
	DocsDir string
	// Version goes into archive names; empty leaves it out.
	Version string
	// SourceDate is the time stamped on archive entries, SBOMs and the
	// signature (SOURCE_DATE_EPOCH), so reruns give identical files.
	SourceDate time.Time
	// Key signs checksums.txt; nil leaves the release unsigned (a shard
	// to merge, or a snapshot).
	Key *minisign.PrivateKey
	// SignCmd, when set, also signs checksums.txt with an external
	// command into checksums.txt.sig.
	SignCmd *SignCmd

	hooks hooks
}

// hooks let tests act at exact points of a release, such as cancelling
// it in the middle of an archive.
type hooks struct {
	// archiveWrite is called before each write to an archive being made.
	archiveWrite func(name string)
	// binaryDone is called when all of one binary's steps succeeded.
	binaryDone func(Build)
}

// Result is what Run wrote.
type Result struct {
	Dir       string     `json:"dir"`
	Artifacts []Artifact `json:"artifacts"`
	Signed    bool       `json:"signed"`
	KeyID     string     `json:"key_id,omitempty"`
}

// state is what the release-wide steps hand to each other. The
// per-binary steps (pipeline.go) fill binaries, archives and sboms, in
// the order of the builds; each release step's comment says which
// fields it reads and which it writes; nothing else is shared.
type state struct {
	opts     Options
	binaries []binary   // written by the per-binary inspect step
	archives []Artifact // written by the per-binary archive step
	sboms    []Artifact // written by the per-binary sbom step
	manifest Artifact   // written by manifest
	sums     []byte     // written by checksums
	sig      *Artifact  // written by sign
	extSig   *Artifact  // written by sign
}

// binary is an inspected build. facts and data are held only while the
// binary's own steps run.
type binary struct {
	Artifact
	facts *binfile.Facts
	data  []byte
}

// step is one release-wide stage of a release.
type step struct {
	name string
	run  func(context.Context, *state) error
	// commits marks the step after which the directory is a verifiable
	// release, kept whatever fails later.
	commits bool
}

// releaseSteps run, in this order, once every binary went through
// binarySteps (pipeline.go) and all of them succeeded: nothing
// release-wide is written for a release that cannot be complete.
func releaseSteps() []step {
	return []step{
		// manifest reads binaries, archives, sboms; writes artifacts.json.
		{name: "manifest", run: manifestStep},
		// checksums reads binaries, archives, sboms, manifest; writes
		// checksums.txt.
		{name: "checksums", run: checksumsStep, commits: true},
		// sign reads sums; writes checksums.txt.minisig and, with a
		// signing command, checksums.txt.sig.
		{name: "sign", run: signStep},
	}
}

// Run makes a release of builds already in opts.Dir: Start, Add of every
// build, Finish. Every file is written atomically; when ctx is cancelled
// before the release-wide steps, the archives and SBOMs already written
// are removed, and after that Run stops between steps, so the files not
// yet written are simply absent.
func Run(ctx context.Context, opts Options, builds []Build) (*Result, error) {
	if len(builds) == 0 {
		return nil, fmt.Errorf("nothing to release: no binary was built")
	}
	p, err := Start(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer p.Abort()
	for _, b := range builds {
		p.Add(b)
	}
	return p.Finish(builds)
}

// archiveBase is an archive's name without extension:
// name[_version]_goos_goarch[_variant].
func archiveBase(version string, b Build) string {
	parts := []string{b.Name}
	if version != "" {
		parts = append(parts, version)
	}
	return strings.Join(append(parts, b.Target.DirName()), "_")
}

func archiveFormat(t target.Target) string {
	if t.GOOS == "windows" {
		return "zip"
	}
	return "tar.gz"
}

// all lists every artifact in a stable order: binaries, archives, SBOMs,
// then the manifest-level files.
func (st *state) all() []Artifact {
	var out []Artifact
	for _, b := range st.binaries {
		out = append(out, b.Artifact)
	}
	out = append(out, st.archives...)
	out = append(out, st.sboms...)
	out = append(out, Artifact{Name: ChecksumsFile, Path: ChecksumsFile, Type: TypeChecksum})
	if st.sig != nil {
		out = append(out, *st.sig)
	}
	if st.extSig != nil {
		out = append(out, *st.extSig)
	}
	return out
}

func manifestStep(_ context.Context, st *state) error {
	arts := st.all()
	if st.opts.Key != nil {
		// The signature is listed before it exists: the manifest is
		// covered by the checksums the signature signs.
		arts = append(arts, Artifact{Name: ChecksumsFile + SignatureSuffix, Path: ChecksumsFile + SignatureSuffix, Type: TypeSignature})
	}
	if st.opts.SignCmd != nil {
		arts = append(arts, Artifact{Name: ChecksumsFile + SignCmdSuffix, Path: ChecksumsFile + SignCmdSuffix, Type: TypeSignature})
	}
	data, err := json.MarshalIndent(arts, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	st.manifest = Artifact{Name: ArtifactsFile, Path: ArtifactsFile, Extra: Extra{Checksum: "sha256:" + bytesSHA256(data)}}
	return writeFileAtomic(filepath.Join(st.opts.Dir, ArtifactsFile), data, 0o644)
}

func checksumsStep(_ context.Context, st *state) error {
	var sums []Sum
	add := func(a Artifact) {
		h, _ := a.Extra.checksumHex()
		sums = append(sums, Sum{Name: a.Path, Hex: h})
	}
	for _, b := range st.binaries {
		add(b.Artifact)
	}
	for _, a := range slices.Concat(st.archives, st.sboms, []Artifact{st.manifest}) {
		add(a)
	}
	st.sums = formatChecksums(sums)
	return writeFileAtomic(filepath.Join(st.opts.Dir, ChecksumsFile), st.sums, 0o644)
}

func signStep(ctx context.Context, st *state) error {
	if st.opts.Key != nil {
		sig := sign(*st.opts.Key, st.sums, ChecksumsFile, st.opts.SourceDate)
		name := ChecksumsFile + SignatureSuffix
		if err := writeFileAtomic(filepath.Join(st.opts.Dir, name), sig, 0o644); err != nil {
			return err
		}
		st.sig = &Artifact{Name: name, Path: name, Type: TypeSignature}
	}
	if st.opts.SignCmd != nil {
		name, err := runSignCmd(ctx, *st.opts.SignCmd, st.opts.Dir, ChecksumsFile)
		if err != nil {
			return err
		}
		st.extSig = &Artifact{Name: name, Path: name, Type: TypeSignature}
	}
	return nil
}
