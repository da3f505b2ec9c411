package kb

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/goport/goport/internal/finding"
)

// indexCacheVersion changes whenever the cached layout or the indexing
// changes, so an old cache is never misread.
const indexCacheVersion = 3

// stamp identifies one runbook file's content cheaply.
type stamp struct {
	Source  int // index in the sources
	Builtin bool
	Name    string
	Size    int64
	ModTime int64
	Sum     string // content hash, for embedded files (no mtime)
}

// The cache file is a small binary format (gob was measured at several
// times slower to decode for 10,000 runbooks): a header, the source names,
// the stamps (a hash for built-ins, size and mtime for files), the
// documents and the postings, all as uvarints and length-prefixed strings.
const indexCacheMagic = "goport-kb-index\n"

// LoadIndex returns a search index over the effective runbooks of sources.
// With cacheFile set it reuses the index saved there while every runbook
// file is unchanged (same names, sizes and modification times; content
// hashes for embedded files) and rewrites it otherwise, so searching a
// large knowledge base does not re-parse every file. The store is nil when
// the cache answered; errors are those of a fresh load.
func LoadIndex(cacheFile string, sources ...Source) (*Index, *Store, error) {
	if cacheFile == "" {
		s := Load(sources...)
		return NewIndex(s.Runbooks()), s, nil
	}
	// The cache is read while the runbooks are stat'ed: both wait on the
	// kernel, and neither needs the other until they are compared.
	cached := make(chan []byte, 1)
	go func() {
		data, _ := os.ReadFile(cacheFile)
		cached <- data
	}()
	stamps, err := stampSources(sources)
	data := <-cached
	if err != nil {
		s := Load(sources...)
		return NewIndex(s.Runbooks()), s, nil
	}
	if ix, ok := parseIndexCache(data, sources, stamps); ok {
		return ix, nil, nil
	}
	s := Load(sources...)
	ix := NewIndex(s.Runbooks())
	if len(s.Errors) == 0 {
		// A failing cache write only costs speed next time.
		_ = writeIndexCache(cacheFile, sources, stamps, ix)
	}
	return ix, s, nil
}

// stampSources lists the *.md files of every source (a superset of what
// Load reads) with what identifies their content. Directories are listed
// in the order the file system gives, unsorted: the same unchanged
// directory lists the same way, and a different order only costs a
// rebuild of the cache, never a stale answer.
func stampSources(sources []Source) ([]stamp, error) {
	var stamps []stamp
	for i, src := range sources {
		first := len(stamps)
		var entries []fs.DirEntry
		// Growing the slices once per directory keeps a 10,000-file
		// listing from copying them a dozen times.
		grow := func(n int) {
			stamps = slices.Grow(stamps, n)
			entries = slices.Grow(entries, n)
		}
		err := listMarkdown(src.FS, ".", grow, func(name string, d fs.DirEntry) {
			stamps = append(stamps, stamp{Source: i, Builtin: src.Builtin, Name: name})
			entries = append(entries, d)
		})
		if err != nil {
			return nil, err
		}
		if err := fillStamps(src, stamps[first:], entries); err != nil {
			return nil, err
		}
	}
	return stamps, nil
}

func listMarkdown(fsys fs.FS, dir string, grow func(int), add func(name string, d fs.DirEntry)) error {
	f, err := fsys.Open(dir)
	if err != nil {
		return err
	}
	var entries []fs.DirEntry
	if rd, ok := f.(fs.ReadDirFile); ok {
		entries, err = rd.ReadDir(-1)
	} else {
		entries, err = fs.ReadDir(fsys, dir)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	grow(len(entries))
	for _, d := range entries {
		name := d.Name()
		if dir != "." {
			name = dir + "/" + name
		}
		switch {
		case d.IsDir():
			if err := listMarkdown(fsys, name, grow, add); err != nil {
				return err
			}
		case filepath.Ext(name) == ".md":
			add(name, d)
		}
	}
	return nil
}

// fillStamps hashes (built-in) or stats (team runbooks) each file. The
// stats are one system call per file, by far the largest cost of a cached
// search over a big knowledge base, so they run in parallel.
func fillStamps(src Source, stamps []stamp, entries []fs.DirEntry) error {
	workers := min(runtime.GOMAXPROCS(0), len(stamps)/256+1)
	var g errgroup.Group
	for w := range workers {
		g.Go(func() error {
			for i := w; i < len(stamps); i += workers {
				st := &stamps[i]
				if src.Builtin {
					data, err := fs.ReadFile(src.FS, st.Name)
					if err != nil {
						return err
					}
					sum := sha256.Sum256(data)
					st.Sum = string(sum[:])
					continue
				}
				info, err := entries[i].Info()
				if err == nil && info.Mode()&fs.ModeSymlink != 0 {
					// Load reads through the link: stamp what it reads.
					info, err = fs.Stat(src.FS, st.Name)
				}
				if err != nil {
					return err
				}
				st.Size, st.ModTime = info.Size(), info.ModTime().UnixNano()
			}
			return nil
		})
	}
	return g.Wait()
}

// readIndexCache reads the cache at path; see parseIndexCache.
func readIndexCache(path string, sources []Source, stamps []stamp) (*Index, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	return parseIndexCache(data, sources, stamps)
}

// parseIndexCache checks that the cache data was built from exactly
// stamps and that its layout is sound, without decoding it: a search needs
// the postings of its few words and the runbooks they hit, not all 10,000,
// so those are decoded on demand by cachedIndex.
func parseIndexCache(data []byte, sources []Source, stamps []stamp) (*Index, bool) {
	r := &cacheReader{b: data}
	if !r.strEq(indexCacheMagic) || r.uint() != indexCacheVersion || r.uint() != uint64(len(sources)) {
		return nil, false
	}
	for _, src := range sources {
		if !r.strEq(src.Name) {
			return nil, false
		}
	}
	if r.uint() != uint64(len(stamps)) {
		return nil, false
	}
	for _, st := range stamps {
		if r.uint() != uint64(st.Source) || !r.strEq(st.Name) {
			return nil, false
		}
		if st.Builtin {
			if !r.strEq(st.Sum) {
				return nil, false
			}
		} else if r.uint() != uint64(st.Size) || r.uint() != uint64(st.ModTime) {
			return nil, false
		}
	}
	ndocs := r.uint()
	// Every record takes at least one byte, which bounds the counts.
	if r.err || ndocs > uint64(len(data)-r.off) {
		return nil, false
	}
	c := &cachedIndex{b: data, docOff: make([]int, ndocs)}
	for i := range c.docOff {
		c.docOff[i] = r.off
		r.skipStr()
		r.skipStr()
		r.uint()
		r.uint()
		r.uint()
		ntags := r.uint()
		if r.err || ntags > uint64(len(data)-r.off) {
			return nil, false
		}
		for range ntags {
			r.skipStr()
		}
	}
	nterms := r.uint()
	if r.err || nterms > uint64(len(data)-r.off) {
		return nil, false
	}
	c.termOff = make([]int, nterms)
	var prev []byte
	for i := range c.termOff {
		c.termOff[i] = r.off
		term := r.bytes()
		// Terms are sorted and unique so that lookups can bisect.
		if i > 0 && bytes.Compare(prev, term) >= 0 {
			return nil, false
		}
		prev = term
		n := r.uint()
		if r.err || n > uint64(len(data)-r.off) {
			return nil, false
		}
		doc := uint64(0)
		for range n {
			doc += r.uint()
			r.uint()
			if doc >= ndocs {
				return nil, false
			}
		}
	}
	if r.err || r.off != len(data) {
		return nil, false
	}
	return &Index{cached: c}, true
}

// cachedIndex is an index read from a cache file that readIndexCache has
// validated; records are decoded from b at their offsets when asked for.
type cachedIndex struct {
	b       []byte
	docOff  []int
	termOff []int
}

func (c *cachedIndex) doc(i int) *Runbook {
	r := &cacheReader{b: c.b, off: c.docOff[i]}
	rb := &Runbook{ID: r.str(), Title: r.str(), Severity: finding.Severity(r.uint())}
	rb.Created = time.Unix(int64(r.uint())-1<<40, 0).UTC()
	rb.Updated = time.Unix(int64(r.uint())-1<<40, 0).UTC()
	if rb.Created.Unix() == zeroUnix {
		rb.Created = time.Time{}
	}
	if rb.Updated.Unix() == zeroUnix {
		rb.Updated = time.Time{}
	}
	for range r.uint() {
		if r.err {
			break
		}
		rb.Tags = append(rb.Tags, r.str())
	}
	return rb
}

func (c *cachedIndex) postings(term string) []posting {
	k, found := slices.BinarySearchFunc(c.termOff, term, func(off int, term string) int {
		r := &cacheReader{b: c.b, off: off}
		return bytes.Compare(r.bytes(), []byte(term))
	})
	if !found {
		return nil
	}
	r := &cacheReader{b: c.b, off: c.termOff[k]}
	r.skipStr()
	n := r.uint()
	if r.err || n > uint64(len(c.b)) {
		return nil
	}
	ps := make([]posting, n)
	doc := uint64(0)
	for j := range ps {
		doc += r.uint()
		ps[j] = posting{Doc: int32(doc), Weight: float32(r.uint())}
	}
	return ps
}

// zeroUnix is time.Time{}.Unix(), stored for "no date".
var zeroUnix = time.Time{}.Unix()

type cacheReader struct {
	b   []byte
	off int
	err bool
}

func (r *cacheReader) uint() uint64 {
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		r.err = true
		r.off = len(r.b)
		return 0
	}
	r.off += n
	return v
}

// bytes returns the next length-prefixed string without copying it.
func (r *cacheReader) bytes() []byte {
	n := r.uint()
	if r.err || n > uint64(len(r.b)-r.off) {
		r.err = true
		r.off = len(r.b)
		return nil
	}
	b := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return b
}

func (r *cacheReader) str() string { return string(r.bytes()) }

func (r *cacheReader) skipStr() { r.bytes() }

// strEq reports whether the next string is s, without allocating.
func (r *cacheReader) strEq(s string) bool {
	b := r.bytes()
	return !r.err && string(b) == s
}

// writeIndexCache saves the index atomically: a temporary file renamed
// over the old cache, so concurrent runs never read half a file.
func writeIndexCache(path string, sources []Source, stamps []stamp, ix *Index) error {
	var b []byte
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	u := func(v uint64) { b = binary.AppendUvarint(b, v) }
	str(indexCacheMagic)
	u(indexCacheVersion)
	u(uint64(len(sources)))
	for _, src := range sources {
		str(src.Name)
	}
	u(uint64(len(stamps)))
	for _, st := range stamps {
		u(uint64(st.Source))
		str(st.Name)
		if st.Builtin {
			str(st.Sum)
		} else {
			u(uint64(st.Size))
			u(uint64(st.ModTime))
		}
	}
	u(uint64(len(ix.docs)))
	for _, rb := range ix.docs {
		str(rb.ID)
		str(rb.Title)
		u(uint64(rb.Severity))
		u(uint64(rb.Created.Unix() + 1<<40))
		u(uint64(rb.Updated.Unix() + 1<<40))
		u(uint64(len(rb.Tags)))
		for _, t := range rb.Tags {
			str(t)
		}
	}
	terms := slices.Sorted(maps.Keys(ix.postings))
	u(uint64(len(terms)))
	for _, t := range terms {
		ps := ix.postings[t]
		str(t)
		u(uint64(len(ps)))
		prev := int32(0)
		for _, p := range ps {
			u(uint64(p.Doc - prev))
			prev = p.Doc
			u(uint64(p.Weight))
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".kb-index-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing index cache: %w", err)
	}
	return os.Rename(tmp.Name(), path)
}
