package binfile

import "io"

// blockCache serves the many small reads that header parsing makes (one
// per section header, note, dynamic entry, load command) from 16 KiB
// blocks, so that inspecting a file costs a handful of system calls.
// Large reads pass straight through. It is used by one goroutine at a
// time.
type blockCache struct {
	r      io.ReaderAt
	size   int64
	blocks map[int64][]byte
}

const (
	cacheBlock  = 16 << 10
	cacheBlocks = 256 // 4 MiB at most
)

func newBlockCache(r io.ReaderAt, size int64) *blockCache {
	return &blockCache{r: r, size: size, blocks: map[int64][]byte{}}
}

func (c *blockCache) ReadAt(p []byte, off int64) (int, error) {
	if len(p) > cacheBlock || off < 0 || off >= c.size {
		return c.r.ReadAt(p, off)
	}
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		if pos >= c.size {
			return n, io.EOF
		}
		blk, err := c.block(pos / cacheBlock)
		if err != nil {
			return n, err
		}
		o := int(pos % cacheBlock)
		if o >= len(blk) {
			return n, io.EOF
		}
		n += copy(p[n:], blk[o:])
	}
	return n, nil
}

func (c *blockCache) block(i int64) ([]byte, error) {
	if b, ok := c.blocks[i]; ok {
		return b, nil
	}
	if len(c.blocks) >= cacheBlocks {
		clear(c.blocks)
	}
	b := make([]byte, min(cacheBlock, c.size-i*cacheBlock))
	n, err := c.r.ReadAt(b, i*cacheBlock)
	if err != nil && !(err == io.EOF && n == len(b)) {
		if n == 0 {
			return nil, err
		}
		b = b[:n]
	}
	c.blocks[i] = b
	return b, nil
}
