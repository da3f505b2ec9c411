// Package release turns a matrix build into a release directory that can
// be checked by anyone: an archive per binary with fixed metadata,
// CycloneDX SBOMs from the binaries' build information, artifacts.json
// with the binaries' ABI facts, checksums.txt and its minisign signature.
// Verify re-derives all of it from the files.
package release

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"aead.dev/minisign"
	"golang.org/x/sync/errgroup"

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
		if p.Status != matrix.OK {
			continue
		}
		rel := filepath.ToSlash(filepath.Join(p.Target.DirName(), p.Name+p.Target.ExeSuffix()))
		out = append(out, Build{Package: p.Package, Name: p.Name, Target: p.Target, Path: rel})
	}
	return out
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
}

// Result is what Run wrote.
type Result struct {
	Dir       string     `json:"dir"`
	Artifacts []Artifact `json:"artifacts"`
	Signed    bool       `json:"signed"`
	KeyID     string     `json:"key_id,omitempty"`
}

// state is what the steps hand to each other. Each step's comment says
// which fields it reads and which it writes; nothing else is shared.
type state struct {
	opts     Options
	builds   []Build
	binaries []binary   // written by inspect
	docs     []member   // written by inspect
	archives []Artifact // written by archive
	sboms    []Artifact // written by sbom
	manifest Artifact   // written by manifest
	sums     []byte     // written by checksums
	sig      *Artifact  // written by sign
	extSig   *Artifact  // written by sign
}

// binary is an inspected build.
type binary struct {
	Artifact
	facts *binfile.Facts
	data  []byte
}

// step is one stage of a release.
type step struct {
	name string
	run  func(context.Context, *state) error
}

// steps is the release, in order.
func steps() []step {
	return []step{
		// inspect reads builds and DocsDir; writes binaries and docs.
		{"inspect", inspectStep},
		// archive reads binaries and docs; writes archives.
		{"archive", archiveStep},
		// sbom reads binaries; writes sboms.
		{"sbom", sbomStep},
		// manifest reads binaries, archives, sboms; writes artifacts.json.
		{"manifest", manifestStep},
		// checksums reads binaries, archives, sboms, manifest; writes
		// checksums.txt.
		{"checksums", checksumsStep},
		// sign reads sums; writes checksums.txt.minisig.
		{"sign", signStep},
	}
}

// Run makes a release of builds in opts.Dir. Every file is written
// atomically; when ctx is cancelled Run stops between steps and files not
// yet written are simply absent.
func Run(ctx context.Context, opts Options, builds []Build) (*Result, error) {
	if len(builds) == 0 {
		return nil, fmt.Errorf("nothing to release: no binary was built")
	}
	st := &state{opts: opts, builds: builds}
	for _, s := range steps() {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("interrupted before %s: %w", s.name, err)
		}
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

func inspectStep(ctx context.Context, st *state) error {
	seen := map[string]bool{}
	for _, b := range st.builds {
		if err := checkRelName(b.Path); err != nil {
			return err
		}
		if seen[archiveBase(st.opts.Version, b)] {
			return fmt.Errorf("two binaries named %s for %s", b.Name, b.Target)
		}
		seen[archiveBase(st.opts.Version, b)] = true
	}
	// Each binary is read once, then hashed and inspected from memory;
	// the binaries are independent, so in parallel.
	st.binaries = make([]binary, len(st.builds))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, b := range st.builds {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			data, err := os.ReadFile(filepath.Join(st.opts.Dir, filepath.FromSlash(b.Path)))
			if err != nil {
				return err
			}
			f, err := binfile.InspectReader(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				return fmt.Errorf("inspecting %s: %w", b.Path, err)
			}
			a := Artifact{Name: b.Name + b.Target.ExeSuffix(), Path: b.Path, Type: TypeBinary}
			a.setTarget(b.Target)
			a.Extra = Extra{Binary: b.Name, Ext: b.Target.ExeSuffix(), Checksum: "sha256:" + bytesSHA256(data), Package: b.Package, ABI: abiOf(f)}
			st.binaries[i] = binary{Artifact: a, facts: f, data: data}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if st.opts.DocsDir == "" {
		return nil
	}
	names, err := findDocs(st.opts.DocsDir)
	if err != nil {
		return err
	}
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(st.opts.DocsDir, n))
		if err != nil {
			return err
		}
		st.docs = append(st.docs, member{Name: n, Mode: 0o644, Data: data})
	}
	return nil
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

func archiveStep(ctx context.Context, st *state) error {
	// Compression dominates a release's own time; archives are
	// independent, so they are made in parallel and collected in order.
	st.archives = make([]Artifact, len(st.binaries))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := range st.binaries {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			a, err := writeArchive(st, i)
			st.archives[i] = a
			return err
		})
	}
	return g.Wait()
}

func writeArchive(st *state, i int) (Artifact, error) {
	b, build := st.binaries[i], st.builds[i]
	format := archiveFormat(build.Target)
	name := archiveBase(st.opts.Version, build) + "." + format
	members := append([]member{{Name: b.Name, Mode: 0o755, Data: b.data}}, st.docs...)
	// The archive streams to its temporary file and is hashed on the way,
	// never held whole in memory nor read back.
	h := sha256.New()
	err := writeAtomic(filepath.Join(st.opts.Dir, name), 0o644, func(f *os.File) error {
		// Deflate emits a few hundred bytes at a time: buffer them
		// rather than make a system call for each.
		w := bufio.NewWriterSize(io.MultiWriter(f, h), 256<<10)
		write := writeTarGz
		if format == "zip" {
			write = writeZip
		}
		if err := write(w, members, st.opts.SourceDate); err != nil {
			return err
		}
		return w.Flush()
	})
	if err != nil {
		return Artifact{}, fmt.Errorf("archiving %s: %w", b.Path, err)
	}
	a := Artifact{Name: name, Path: name, Type: TypeArchive}
	a.setTarget(build.Target)
	a.Extra = Extra{Binary: build.Name, Format: format, Checksum: "sha256:" + hex.EncodeToString(h.Sum(nil)), Binaries: []string{b.Name}}
	for _, m := range members {
		a.Extra.Files = append(a.Extra.Files, m.Name)
	}
	return a, nil
}

func sbomStep(ctx context.Context, st *state) error {
	for i, b := range st.binaries {
		if err := ctx.Err(); err != nil {
			return err
		}
		build := st.builds[i]
		data, err := sbomFor(b.facts.Go, b.Name, st.opts.SourceDate)
		if err != nil {
			return fmt.Errorf("%s: %w", b.Path, err)
		}
		name := archiveBase(st.opts.Version, build) + ".sbom.cdx.json"
		if err := writeFileAtomic(filepath.Join(st.opts.Dir, name), data, 0o644); err != nil {
			return err
		}
		a := Artifact{Name: name, Path: name, Type: TypeSBOM}
		a.setTarget(build.Target)
		a.Extra = Extra{Binary: build.Name, Of: b.Path, Checksum: "sha256:" + bytesSHA256(data)}
		st.sboms = append(st.sboms, a)
	}
	return nil
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
