package kb

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLoadIndexCache(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeRunbooks(t, dir, 50)
	cache := filepath.Join(t.TempDir(), "sub", "index")
	src := Source{Name: dir, FS: os.DirFS(dir)}
	search := func(ix *Index) []string {
		var ids []string
		for _, h := range ix.Search(Query{Text: "glibc", After: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}) {
			ids = append(ids, h.Runbook.ID+"|"+h.Runbook.Title)
		}
		return ids
	}
	fresh, s, _ := LoadIndex(cache, src)
	if s == nil {
		t.Fatal("first load used a cache")
	}
	want := search(fresh)
	if len(want) == 0 {
		t.Fatal("no hits")
	}
	cached, s, _ := LoadIndex(cache, src)
	if s != nil {
		t.Fatal("second load did not use the cache")
	}
	if diff := cmp.Diff(want, search(cached)); diff != "" {
		t.Errorf("cached results differ: %s", diff)
	}

	// An edited runbook invalidates the cache.
	p := filepath.Join(dir, "RB-2026-00001.md")
	data, _ := os.ReadFile(p)
	if err := os.WriteFile(p, append(data, []byte("\nmore glibc text\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(time.Hour)
	if err := os.Chtimes(p, future, future); err != nil {
		t.Fatal(err)
	}
	if _, s, _ := LoadIndex(cache, src); s == nil {
		t.Error("stale cache used after an edit")
	}

	// A corrupt cache is ignored and rewritten.
	if err := os.WriteFile(cache, []byte("goport-kb-index\ngarbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	ix, s, _ := LoadIndex(cache, src)
	if s == nil || len(search(ix)) == 0 {
		t.Error("corrupt cache not replaced by a fresh load")
	}
	if _, s, _ := LoadIndex(cache, src); s != nil {
		t.Error("cache not rewritten")
	}
}

func FuzzReadIndexCache(f *testing.F) {
	dir := f.TempDir()
	writeRunbooks(f, dir, 3)
	cache := filepath.Join(f.TempDir(), "index")
	src := Source{Name: dir, FS: os.DirFS(dir)}
	LoadIndex(cache, src)
	good, _ := os.ReadFile(cache)
	stamps, _ := stampSources([]Source{src})
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "index")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		// Whatever passes validation must be searchable without a panic,
		// including decoding every runbook (the empty query).
		if ix, ok := readIndexCache(p, []Source{src}, stamps); ok {
			ix.Search(Query{Text: "glibc rb-2026-00001 failure"})
			ix.Search(Query{})
		}
	})
}

// TestLoadIndexCacheSeesChanges checks that a cached search sees every
// kind of change to the knowledge base on the very next search.
func TestLoadIndexCacheSeesChanges(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeRunbooks(t, dir, 40)
	cache := filepath.Join(t.TempDir(), "index")
	src := Source{Name: dir, FS: os.DirFS(dir)}
	ids := func(text string) []string {
		t.Helper()
		ix, _, err := LoadIndex(cache, src)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range ix.Search(Query{Text: text}) {
			ids = append(ids, h.Runbook.ID)
		}
		return ids
	}
	if got := ids("zanzibar"); len(got) != 0 {
		t.Fatalf("unexpected hits %v", got)
	}
	if _, s, _ := LoadIndex(cache, src); s != nil {
		t.Fatal("cache not used")
	}

	// Edited: a new word in the title of an existing runbook.
	p := filepath.Join(dir, "RB-2026-00007.md")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	edited := []byte(strings.Replace(string(data), "failure number", "zanzibar failure number", 1))
	if err := os.WriteFile(p, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"RB-2026-00007"}, ids("zanzibar")); diff != "" {
		t.Errorf("edited runbook: %s", diff)
	}

	// Added.
	added := strings.Replace(string(edited), "RB-2026-00007", "RB-2026-00999", 1)
	if err := os.WriteFile(filepath.Join(dir, "RB-2026-00999.md"), []byte(added), 0o644); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"RB-2026-00007", "RB-2026-00999"}, ids("zanzibar")); diff != "" {
		t.Errorf("added runbook: %s", diff)
	}

	// Removed.
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"RB-2026-00999"}, ids("zanzibar")); diff != "" {
		t.Errorf("removed runbook: %s", diff)
	}
	if got := len(ids("")); got != 40 {
		t.Errorf("after removal %d runbooks, want 40", got)
	}
}

// TestCachedIndexMatchesFresh compares every query shape on a fresh index
// and on the same index read back from its cache.
func TestCachedIndexMatchesFresh(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeRunbooks(t, dir, 300)
	cache := filepath.Join(t.TempDir(), "index")
	src := Source{Name: dir, FS: os.DirFS(dir)}
	fresh, s, _ := LoadIndex(cache, src)
	if s == nil {
		t.Fatal("first load used a cache")
	}
	cached, s, _ := LoadIndex(cache, src)
	if s != nil {
		t.Fatal("second load did not use the cache")
	}
	jan := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	queries := []Query{
		{},
		{Text: "glibc musl"},
		{Text: "rb-2026-00042"},
		{Text: "linker", Tags: []string{"cgo"}},
		{Text: "cache", After: jan},
		{Text: "cache", Before: jan},
		{Text: "absent-word"},
		{Text: "zzzz"},
		{Text: "aaaa"},
	}
	for _, q := range queries {
		if diff := cmp.Diff(fresh.Search(q), cached.Search(q), cmp.Comparer(func(a, b *Runbook) bool {
			return a.ID == b.ID && a.Title == b.Title && a.Severity == b.Severity &&
				a.Created.Equal(b.Created) && a.Updated.Equal(b.Updated) && cmp.Equal(a.Tags, b.Tags)
		})); diff != "" {
			t.Errorf("%+v: cached differs: %s", q, diff)
		}
	}
}

// TestLoadIndexCacheSymlink checks that editing the target of a linked
// runbook is seen: Load reads through the link, so must the cache check.
func TestLoadIndexCacheSymlink(t *testing.T) {
	t.Parallel()
	dir, elsewhere := t.TempDir(), t.TempDir()
	writeRunbooks(t, elsewhere, 1)
	target := filepath.Join(elsewhere, "RB-2026-00001.md")
	if err := os.Symlink(target, filepath.Join(dir, "linked.md")); err != nil {
		t.Skip("no symlinks:", err)
	}
	cache := filepath.Join(t.TempDir(), "index")
	src := Source{Name: dir, FS: os.DirFS(dir)}
	if _, s, _ := LoadIndex(cache, src); s == nil {
		t.Fatal("first load used a cache")
	}
	data, err := os.ReadFile(target)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(target, []byte(strings.Replace(string(data), "failure number", "zanzibar failure number", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	ix, _, _ := LoadIndex(cache, src)
	if got := len(ix.Search(Query{Text: "zanzibar"})); got != 1 {
		t.Errorf("edited link target: %d hits, want 1", got)
	}
}
