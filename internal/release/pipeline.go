package release

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/goport/goport/internal/binfile"
)

// Pipeline is a release made while its builds finish. Start reads what
// every archive ships besides the binary; Add hands it one built and
// verified binary, whose own steps (binarySteps) start at once, beside
// the builds still running, since a warm matrix build leaves much of the
// machine idle; Finish waits for them and, only when every binary
// succeeded, runs the release-wide steps (releaseSteps) in order. Abort,
// for a release that will not be finished (a failed or interrupted
// build), stops the binary steps and removes every file they wrote.
//
// Add may be called from any goroutine; Finish and Abort from the one
// that called Start.
type Pipeline struct {
	opts Options
	docs []member
	// ctx is cancelled by Abort, by Finish's end and by the first
	// failure, which stops the other binaries' steps.
	ctx    context.Context
	cancel context.CancelFunc
	sem    chan struct{} // bounds the binaries processed at once
	wg     sync.WaitGroup

	mu      sync.Mutex
	work    map[string]*binaryWork // by Build.Path
	names   map[string]string      // archive base name → Build.Path
	written []string               // files Abort removes, relative to opts.Dir
	err     error                  // the first failure of a binary's steps
	closed  bool                   // Finish or Abort began: Add starts nothing
	// committed is set once checksums.txt is written: the directory is
	// then a verifiable release and a later failure (signing) keeps it.
	committed bool
}

// binaryWork is what one binary's steps hand to each other.
type binaryWork struct {
	build   Build
	bin     binary   // written by inspect
	archive Artifact // written by archive
	sbom    Artifact // written by sbom
}

// binaryStep is one stage of one binary's part of a release.
type binaryStep struct {
	name string
	run  func(context.Context, *Pipeline, *binaryWork) error
}

// binarySteps run for each binary as soon as it is built, in this order.
// Binaries are independent, so several run at once.
func binarySteps() []binaryStep {
	return []binaryStep{
		// inspect reads the build's file, once; writes bin: checksum,
		// ABI facts and content.
		{"inspect", inspectBinary},
		// archive reads bin's content and the docs; writes archive,
		// hashed as it is written.
		{"archive", archiveBinary},
		// sbom reads bin's facts; writes sbom, then drops bin's content
		// and facts, which nothing later reads.
		{"sbom", sbomBinary},
	}
}

// Start begins a release into opts.Dir: it reads the documentation files
// to ship and returns the Pipeline that Add feeds. Cancelling ctx stops
// it as Abort does.
func Start(ctx context.Context, opts Options) (*Pipeline, error) {
	docs, err := readDocs(opts.DocsDir)
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithCancel(ctx)
	return &Pipeline{
		opts: opts, docs: docs, ctx: pctx, cancel: cancel,
		sem:  make(chan struct{}, runtime.GOMAXPROCS(0)),
		work: map[string]*binaryWork{}, names: map[string]string{},
	}, nil
}

func readDocs(dir string) ([]member, error) {
	if dir == "" {
		return nil, nil
	}
	names, err := findDocs(dir)
	if err != nil {
		return nil, err
	}
	var docs []member
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return nil, err
		}
		docs = append(docs, member{Name: n, Mode: 0o644, Data: data})
	}
	return docs, nil
}

// Add starts the steps of one built binary without waiting for them: it
// is meant to be called as the matrix reports each success. Adding a
// build already added does nothing; a failure is reported by Finish.
func (p *Pipeline) Add(b Build) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	if _, ok := p.work[b.Path]; ok {
		return
	}
	if err := checkRelName(b.Path); err != nil {
		p.failLocked(err)
		return
	}
	base := archiveBase(p.opts.Version, b)
	if _, dup := p.names[base]; dup {
		p.failLocked(fmt.Errorf("two binaries named %s for %s", b.Name, b.Target))
		return
	}
	p.names[base] = b.Path
	w := &binaryWork{build: b}
	p.work[b.Path] = w
	p.wg.Add(1)
	go p.process(w)
}

func (p *Pipeline) process(w *binaryWork) {
	defer p.wg.Done()
	select {
	case p.sem <- struct{}{}:
		defer func() { <-p.sem }()
	case <-p.ctx.Done():
		p.fail(fmt.Errorf("interrupted before releasing %s: %w", w.build.Path, p.ctx.Err()))
		return
	}
	for _, s := range binarySteps() {
		if err := p.ctx.Err(); err != nil {
			p.fail(fmt.Errorf("interrupted before %s of %s: %w", s.name, w.build.Path, err))
			return
		}
		if err := s.run(p.ctx, p, w); err != nil {
			p.fail(fmt.Errorf("%s: %w", s.name, err))
			return
		}
	}
	if p.opts.hooks.binaryDone != nil {
		p.opts.hooks.binaryDone(w.build)
	}
}

func (p *Pipeline) fail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failLocked(err)
}

// failLocked keeps the first failure, the cause, and stops the rest.
func (p *Pipeline) failLocked(err error) {
	if p.err == nil {
		p.err = err
	}
	p.cancel()
}

// wrote records a file the release wrote, for Abort.
func (p *Pipeline) wrote(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.written = append(p.written, name)
}

// Finish adds the builds not added yet, waits for every binary's steps
// and, when all succeeded, runs the release-wide steps in order. builds
// are the release's binaries in the order artifacts.json and the Result
// list them, whatever order they were added in. A failure before
// checksums.txt is written removes everything the release wrote.
func (p *Pipeline) Finish(builds []Build) (*Result, error) {
	defer p.cancel()
	if len(builds) == 0 {
		p.Abort()
		return nil, fmt.Errorf("nothing to release: no binary was built")
	}
	seen := map[string]bool{}
	for _, b := range builds {
		if seen[b.Path] {
			p.Abort()
			return nil, fmt.Errorf("two binaries named %s for %s", b.Name, b.Target)
		}
		seen[b.Path] = true
		p.Add(b)
	}
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.wg.Wait()
	p.mu.Lock()
	err := p.err
	if err == nil && len(p.work) != len(builds) {
		err = fmt.Errorf("%d binaries were added but %d are released", len(p.work), len(builds))
	}
	p.mu.Unlock()
	if err != nil {
		return nil, errors.Join(err, p.Abort())
	}
	st := &state{opts: p.opts}
	for _, b := range builds {
		w := p.work[b.Path]
		st.binaries = append(st.binaries, w.bin)
		st.archives = append(st.archives, w.archive)
		st.sboms = append(st.sboms, w.sbom)
	}
	p.mu.Lock()
	p.written = append(p.written, ArtifactsFile, ChecksumsFile)
	p.mu.Unlock()
	for _, s := range releaseSteps() {
		if err := p.ctx.Err(); err != nil {
			return nil, errors.Join(fmt.Errorf("interrupted before %s: %w", s.name, err), p.Abort())
		}
		if err := s.run(p.ctx, st); err != nil {
			return nil, errors.Join(fmt.Errorf("%s: %w", s.name, err), p.Abort())
		}
		if s.commits {
			p.mu.Lock()
			p.committed = true
			p.mu.Unlock()
		}
	}
	res := &Result{Dir: p.opts.Dir, Artifacts: st.all(), Signed: st.sig != nil || st.extSig != nil}
	if p.opts.Key != nil {
		res.KeyID = keyID(p.opts.Key.ID())
	}
	return res, nil
}

// Abort stops the binaries' steps, waits for them and, unless
// checksums.txt was written, removes every file the release wrote: what
// is left is the binaries the matrix built. It is safe to call more than
// once and after Finish; the error is a file it could not remove.
func (p *Pipeline) Abort() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.cancel()
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.committed {
		return nil
	}
	var errs []error
	for _, name := range p.written {
		err := os.Remove(filepath.Join(p.opts.Dir, filepath.FromSlash(name)))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("removing %s: %w", name, unwrapPath(err)))
		}
	}
	p.written = nil
	return errors.Join(errs...)
}

func inspectBinary(_ context.Context, p *Pipeline, w *binaryWork) error {
	b := w.build
	data, err := os.ReadFile(filepath.Join(p.opts.Dir, filepath.FromSlash(b.Path)))
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
	w.bin = binary{Artifact: a, facts: f, data: data}
	return nil
}

func archiveBinary(ctx context.Context, p *Pipeline, w *binaryWork) error {
	build, b := w.build, w.bin
	format := archiveFormat(build.Target)
	name := archiveBase(p.opts.Version, build) + "." + format
	members := append([]member{{Name: b.Name, Mode: 0o755, Data: b.data}}, p.docs...)
	var before func()
	if hook := p.opts.hooks.archiveWrite; hook != nil {
		before = func() { hook(name) }
	}
	// The archive streams to its temporary file and is hashed on the way,
	// never held whole in memory nor read back.
	h := sha256.New()
	err := writeAtomic(filepath.Join(p.opts.Dir, name), 0o644, func(f io.Writer) error {
		// Deflate emits a few hundred bytes at a time: buffer them
		// rather than make a system call for each.
		w := bufio.NewWriterSize(&cancellableWriter{ctx: ctx, w: io.MultiWriter(f, h), before: before}, 256<<10)
		write := writeTarGz
		if format == "zip" {
			write = writeZip
		}
		if err := write(w, members, p.opts.SourceDate); err != nil {
			return err
		}
		return w.Flush()
	})
	if err != nil {
		return fmt.Errorf("archiving %s: %w", b.Path, err)
	}
	p.wrote(name)
	a := Artifact{Name: name, Path: name, Type: TypeArchive}
	a.setTarget(build.Target)
	a.Extra = Extra{Binary: build.Name, Format: format, Checksum: "sha256:" + hex.EncodeToString(h.Sum(nil)), Binaries: []string{b.Name}}
	for _, m := range members {
		a.Extra.Files = append(a.Extra.Files, m.Name)
	}
	w.archive = a
	return nil
}

// cancellableWriter fails once ctx is cancelled, so an interrupted
// archive stops within one buffer rather than compressing the rest of
// its binary, and its temporary file is removed.
type cancellableWriter struct {
	ctx    context.Context
	w      io.Writer
	before func()
}

func (c *cancellableWriter) Write(b []byte) (int, error) {
	if c.before != nil {
		c.before()
	}
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(b)
}

func sbomBinary(_ context.Context, p *Pipeline, w *binaryWork) error {
	build, b := w.build, w.bin
	data, err := sbomFor(b.facts.Go, b.Name, p.opts.SourceDate)
	if err != nil {
		return fmt.Errorf("%s: %w", b.Path, err)
	}
	name := archiveBase(p.opts.Version, build) + ".sbom.cdx.json"
	if err := writeFileAtomic(filepath.Join(p.opts.Dir, name), data, 0o644); err != nil {
		return err
	}
	p.wrote(name)
	a := Artifact{Name: name, Path: name, Type: TypeSBOM}
	a.setTarget(build.Target)
	a.Extra = Extra{Binary: build.Name, Of: b.Path, Checksum: "sha256:" + bytesSHA256(data)}
	w.sbom = a
	w.bin.data, w.bin.facts = nil, nil
	return nil
}
