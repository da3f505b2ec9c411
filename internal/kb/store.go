package kb

import (
	"cmp"
	"fmt"
	"io"
	"io/fs"
	"path"
	"runtime"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"
)

// Source is one directory of runbooks.
type Source struct {
	// Name prefixes file names in errors: "builtin" or a directory path.
	Name string
	FS   fs.FS
	// Builtin marks the embedded catalogue; other sources are team runbooks
	// and may override a built-in of the same id.
	Builtin bool
}

// Override records a team runbook replacing a built-in one.
type Override struct {
	ID      string `json:"id"`
	Builtin string `json:"builtin"`
	Team    string `json:"team"`
}

// Store is the merged knowledge base. Build it with Load; it is read-only
// afterwards and safe for concurrent use.
type Store struct {
	effective []*Runbook
	byID      map[string]*Runbook
	alias     map[string]*Runbook
	// All holds every runbook read, including overridden and duplicate ones,
	// in load order, for lint.
	All []*Runbook
	// Overrides lists team runbooks that replaced built-ins.
	Overrides []Override
	// Duplicates holds runbooks whose id was already taken within the same
	// kind of source (two team runbooks, or two built-ins).
	Duplicates []*Runbook
	// Errors are files that could not be read or parsed; the rest of the
	// knowledge base is still usable.
	Errors []error
	// builtin remembers which runbooks came from the catalogue.
	builtin map[*Runbook]bool
}

// Load reads every *.md file (except README.md) of each source, in order.
// A later team runbook overrides an earlier runbook with the same id only
// when the earlier one is a built-in; any other repeat is a duplicate.
func Load(sources ...Source) *Store {
	s := &Store{byID: map[string]*Runbook{}, alias: map[string]*Runbook{}, builtin: map[*Runbook]bool{}}
	for _, src := range sources {
		s.loadSource(src)
	}
	for _, rb := range s.byID {
		s.effective = append(s.effective, rb)
	}
	slices.SortFunc(s.effective, func(a, b *Runbook) int { return cmp.Compare(a.ID, b.ID) })
	for _, rb := range s.effective {
		for _, a := range rb.Aliases {
			if _, ok := s.alias[a]; !ok {
				s.alias[a] = rb
			}
		}
	}
	return s
}

func (s *Store) loadSource(src Source) {
	var files []string
	err := fs.WalkDir(src.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != "." && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if path.Ext(p) == ".md" && !strings.EqualFold(d.Name(), "README.md") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		s.Errors = append(s.Errors, fmt.Errorf("reading runbooks in %s: %w", src.Name, err))
	}
	slices.Sort(files)
	// Files are read and parsed in parallel, then added in name order so
	// that duplicates and overrides do not depend on scheduling.
	type result struct {
		rb  *Runbook
		err error
	}
	results := make([]result, len(files))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, f := range files {
		g.Go(func() error {
			name := joinName(src.Name, f)
			data, err := readLimited(src.FS, f)
			if err != nil {
				results[i].err = &Error{File: name, Msg: err.Error()}
				return nil
			}
			results[i].rb, results[i].err = Parse(name, data)
			return nil
		})
	}
	_ = g.Wait() // workers report through results
	for _, r := range results {
		if r.err != nil {
			s.Errors = append(s.Errors, r.err)
			continue
		}
		s.add(r.rb, src.Builtin)
	}
}

func (s *Store) add(rb *Runbook, builtin bool) {
	s.All = append(s.All, rb)
	s.builtin[rb] = builtin
	prev, taken := s.byID[rb.ID]
	switch {
	case !taken:
		s.byID[rb.ID] = rb
	case !builtin && s.builtin[prev]:
		s.Overrides = append(s.Overrides, Override{ID: rb.ID, Builtin: prev.Source, Team: rb.Source})
		s.byID[rb.ID] = rb
	default:
		s.Duplicates = append(s.Duplicates, rb)
	}
}

// IsBuiltin reports whether rb came from the embedded catalogue.
func (s *Store) IsBuiltin(rb *Runbook) bool { return s.builtin[rb] }

func joinName(dir, file string) string {
	if dir == "" {
		return file
	}
	return strings.TrimSuffix(dir, "/") + "/" + file
}

func readLimited(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxRunbookSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxRunbookSize {
		return nil, fmt.Errorf("file is larger than %d bytes", MaxRunbookSize)
	}
	return data, nil
}

// Runbooks returns the effective runbooks (after overrides), sorted by id.
func (s *Store) Runbooks() []*Runbook { return s.effective }

// Get finds a runbook by id (case-insensitive) or by failure-class alias.
func (s *Store) Get(id string) (*Runbook, bool) {
	if rb, ok := s.byID[strings.ToUpper(id)]; ok {
		return rb, true
	}
	if rb, ok := s.byID[id]; ok {
		return rb, true
	}
	rb, ok := s.alias[strings.ToLower(id)]
	return rb, ok
}

// Len is the number of effective runbooks.
func (s *Store) Len() int { return len(s.effective) }
