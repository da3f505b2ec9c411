// Command kbsearch measures `goport kb search` end to end over a generated
// knowledge base of team runbooks:
//
//	go run ./bench/kbsearch [-n 10000] [-runs 5]
//
// It writes n runbooks into a temporary directory, then runs the real
// binary once with an empty index cache (every file parsed) and runs more
// times with the cache warm, printing wall and CPU time of each.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	n := flag.Int("n", 10000, "number of runbooks")
	runs := flag.Int("runs", 5, "warm runs")
	flag.Parse()
	if err := run(*n, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "bench/kbsearch:", err)
		os.Exit(1)
	}
}

func run(n, runs int) error {
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
	cache := filepath.Join(dir, "cache")
	fmt.Printf("%d runbooks\n", n)
	for i := range runs + 1 {
		cmd := exec.Command(goport, "kb", "search", "--kb", kbDir, "glibc musl")
		cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+cache, "GOPORT_KB=")
		start := time.Now()
		out, err := cmd.Output()
		wall := time.Since(start)
		if err != nil {
			return fmt.Errorf("kb search: %w", err)
		}
		label := "warm"
		if i == 0 {
			label = "cold"
		}
		cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		fmt.Printf("%s: wall %7.1f ms  cpu %7.1f ms  %d hits\n", label, ms(wall), ms(cpu), strings.Count(string(out), "\n"))
	}
	return nil
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
