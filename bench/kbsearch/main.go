// Command kbsearch measures `goport kb search` end to end over a generated
// knowledge base of team runbooks:
//
//	go run ./bench/kbsearch [-n 10000] [-runs 5] [-peer /path/to/goport]
//
// It writes n runbooks into a temporary directory, then runs the real
// binary once with an empty index cache (every file parsed) and runs more
// times with the cache warm, printing wall and CPU time of each and their
// medians. With -peer, another goport binary (an older build, say) runs
// alternately with the same knowledge base and its own cache, so both see
// the same machine load, and the ratio of the medians is printed.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

func main() {
	n := flag.Int("n", 10000, "number of runbooks")
	runs := flag.Int("runs", 5, "warm runs")
	peer := flag.String("peer", "", "another goport binary to compare with")
	flag.Parse()
	if err := run(*n, *runs, *peer); err != nil {
		fmt.Fprintln(os.Stderr, "bench/kbsearch:", err)
		os.Exit(1)
	}
}

func run(n, runs int, peer string) error {
	dir, err := os.MkdirTemp("", "goport-kbsearch-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	goport := filepath.Join(dir, "goport")
	if out, err := exec.Command("go", "build", "-o", goport, "./cmd/goport").CombinedOutput(); err != nil {
		return fmt.Errorf("building goport: %v\n%s", err, out)
	}
	kbDir := filepath.Join(dir, "kb")
	if err := generate(kbDir, n); err != nil {
		return err
	}
	bins := []string{goport}
	if peer != "" {
		bins = append(bins, peer)
	}
	fmt.Printf("%d runbooks\n", n)
	walls := make([][]time.Duration, len(bins))
	cpus := make([][]time.Duration, len(bins))
	for i := range runs + 1 {
		for b, bin := range bins {
			wall, cpu, hits, err := search(bin, kbDir, filepath.Join(dir, fmt.Sprint("cache", b)))
			if err != nil {
				return err
			}
			label := "warm"
			if i == 0 {
				label = "cold"
			} else {
				walls[b] = append(walls[b], wall)
				cpus[b] = append(cpus[b], cpu)
			}
			fmt.Printf("%-5s %s: wall %7.1f ms  cpu %7.1f ms  %d hits\n", name(b), label, ms(wall), ms(cpu), hits)
		}
	}
	if runs == 0 {
		return nil
	}
	for b := range bins {
		fmt.Printf("%-5s warm median: wall %7.1f ms  cpu %7.1f ms\n", name(b), ms(median(walls[b])), ms(median(cpus[b])))
	}
	if peer != "" {
		fmt.Printf("this/peer: wall %.2f  cpu %.2f\n",
			float64(median(walls[0]))/float64(median(walls[1])), float64(median(cpus[0]))/float64(median(cpus[1])))
	}
	return nil
}

func name(b int) string { return [...]string{"this", "peer"}[b] }

func search(bin, kbDir, cache string) (wall, cpu time.Duration, hits int, err error) {
	cmd := exec.Command(bin, "kb", "search", "--kb", kbDir, "glibc musl")
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+cache, "GOPORT_KB=")
	start := time.Now()
	out, err := cmd.Output()
	wall = time.Since(start)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("%s kb search: %w", bin, err)
	}
	cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return wall, cpu, strings.Count(string(out), "\n"), nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func generate(dir string, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	words := strings.Fields("cgo linker cache proxy module vendor toolchain arm64 windows darwin glibc musl race plugin vet test timeout disk memory network")
	for i := range n {
		w1, w2, w3 := words[i%len(words)], words[(i/7)%len(words)], words[(i/31)%len(words)]
		body := fmt.Sprintf(`---
id: RB-2026-%05d
title: '%s %s failure number %d'
tags: [%s, %s]
created: 2026-01-02
updated: 2026-02-03
symptoms:
  - pattern: '%s %s failed: exit status \d+'
---

## Symptoms

%s %s failed: exit status 1

## Cause

The %s of %s breaks %s builds.

## Fix

Repair the %s.

## Rollback

Revert the %s change.

## References

- <https://go.dev/>
`, i+1, w1, w2, i, w1, w2, w1, w2, w1, w2, w1, w2, w3, w1, w2)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("RB-2026-%05d.md", i+1)), []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}
