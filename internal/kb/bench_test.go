package kb

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeRunbooks generates n distinct team runbooks in dir.
func writeRunbooks(tb testing.TB, dir string, n int) {
	tb.Helper()
	words := strings.Fields("cgo linker cache proxy module vendor toolchain arm64 windows darwin glibc musl race plugin vet test timeout disk memory network")
	for i := range n {
		w1, w2, w3 := words[i%len(words)], words[(i/7)%len(words)], words[(i/31)%len(words)]
		body := strings.Replace(goodRunbook, "RB-2026-001", fmt.Sprintf("RB-2026-%05d", i+1), 1)
		body = strings.Replace(body, "Build fails: error obtaining VCS status", fmt.Sprintf("%s %s failure number %d", w1, w2, i), 1)
		body = strings.Replace(body, "git is missing in the container.", fmt.Sprintf("The %s of %s breaks %s builds.", w1, w2, w3), 1)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("RB-2026-%05d.md", i+1)), []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkLoadAndSearch10k is `kb search` end to end over 10,000 team
// runbooks: read and parse every file, index, query.
func BenchmarkLoadAndSearch10k(b *testing.B) {
	dir := b.TempDir()
	writeRunbooks(b, dir, 10000)
	b.ResetTimer()
	for b.Loop() {
		s := Load(Source{Name: dir, FS: os.DirFS(dir)})
		if len(s.Errors) > 0 {
			b.Fatal(s.Errors[0])
		}
		hits := NewIndex(s.Runbooks()).Search(Query{Text: "glibc musl"})
		if len(hits) == 0 {
			b.Fatal("no hits")
		}
	}
}

// BenchmarkLoad120 measures parsing about as many runbooks as the
// built-in catalogue holds.
func BenchmarkLoad120(b *testing.B) {
	dir := b.TempDir()
	writeRunbooks(b, dir, 120)
	b.ResetTimer()
	for b.Loop() {
		if s := Load(Source{Name: dir, FS: os.DirFS(dir)}); len(s.Errors) > 0 {
			b.Fatal(s.Errors[0])
		}
	}
}

// BenchmarkCachedSearch10k is `kb search` over 10,000 team runbooks with a
// warm index cache: stat every file, read the cache, query.
func BenchmarkCachedSearch10k(b *testing.B) {
	dir := b.TempDir()
	writeRunbooks(b, dir, 10000)
	cache := filepath.Join(b.TempDir(), "index.gob")
	if _, s, _ := LoadIndex(cache, Source{Name: dir, FS: os.DirFS(dir)}); s == nil || len(s.Errors) > 0 {
		b.Fatal("first load did not parse")
	}
	b.ResetTimer()
	for b.Loop() {
		ix, s, err := LoadIndex(cache, Source{Name: dir, FS: os.DirFS(dir)})
		if err != nil || s != nil {
			b.Fatal("cache not used")
		}
		if len(ix.Search(Query{Text: "glibc musl"})) == 0 {
			b.Fatal("no hits")
		}
	}
}
