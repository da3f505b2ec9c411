package target

import (
	"fmt"
	"strconv"
	"strings"
)

// Shard selects part I of N of a work list, so that CI systems can spread
// one matrix over N machines. Index is 1-based, as CI systems number jobs
// for people. The zero Shard selects everything.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// ParseShard reads "I/N" with 1 ≤ I ≤ N.
func ParseShard(s string) (Shard, error) {
	is, ns, ok := strings.Cut(strings.TrimSpace(s), "/")
	i, err1 := strconv.Atoi(is)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n || n > 1000 {
		return Shard{}, fmt.Errorf("invalid shard %q: want I/N with 1 ≤ I ≤ N ≤ 1000", s)
	}
	return Shard{Index: i, Count: n}, nil
}

func (s Shard) String() string {
	if s.Count == 0 {
		return "1/1"
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// Owns reports whether the i-th item (0-based) of a deterministically
// ordered list belongs to s. Items are dealt round-robin, so shards differ
// in size by at most one item and every item belongs to exactly one shard.
func (s Shard) Owns(i int) bool {
	if s.Count <= 1 {
		return true
	}
	return i%s.Count == s.Index-1
}
