package kb

import (
	"os"
	"path/filepath"
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
		if ix, ok := readIndexCache(p, stamps); ok {
			ix.Search(Query{Text: "glibc"})
		}
	})
}
