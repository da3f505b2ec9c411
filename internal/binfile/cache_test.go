package binfile

import (
	"bytes"
	"io"
	"math/rand/v2"
	"testing"
)

// TestBlockCache compares reads through the cache with direct reads at
// block edges, at the end of the file and beyond it.
func TestBlockCache(t *testing.T) {
	t.Parallel()
	data := make([]byte, 3*cacheBlock+123)
	for i := range data {
		data[i] = byte(i * 7)
	}
	c := newBlockCache(bytes.NewReader(data), int64(len(data)))
	r := rand.New(rand.NewPCG(1, 2))
	check := func(off int64, n int) {
		t.Helper()
		want := make([]byte, n)
		wn, werr := bytes.NewReader(data).ReadAt(want, off)
		got := make([]byte, n)
		gn, gerr := c.ReadAt(got, off)
		if gn != wn || !bytes.Equal(got[:gn], want[:wn]) || (werr == nil) != (gerr == nil) {
			t.Fatalf("ReadAt(%d bytes at %d) = %d, %v; want %d, %v", n, off, gn, gerr, wn, werr)
		}
		if werr == io.EOF && gerr != io.EOF {
			t.Fatalf("ReadAt(%d at %d): error %v, want EOF", n, off, gerr)
		}
	}
	for _, off := range []int64{0, cacheBlock - 1, cacheBlock, 3*cacheBlock + 100, int64(len(data)) - 1, int64(len(data)), int64(len(data)) + 5} {
		for _, n := range []int{0, 1, 2, 64, cacheBlock, cacheBlock + 1} {
			check(off, n)
		}
	}
	for range 2000 {
		check(r.Int64N(int64(len(data))+10), r.IntN(2*cacheBlock))
	}
}
