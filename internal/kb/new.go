package kb

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ErrInvalid marks a bad title, tag or severity given to Create.
var ErrInvalid = errors.New("invalid runbook")

// NewRunbook describes a team runbook to create.
type NewRunbook struct {
	Title    string
	Tags     []string
	Severity string
	Now      time.Time
}

var idInText = regexp.MustCompile(`RB-(\d{4})-(\d{3,})`)

// NextID returns the next free RB-<year>-NNN id, considering both file
// names and the ids inside the runbooks of dir (a missing dir is empty).
func NextID(dir string, year int) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("reading %s: %w", dir, err)
	}
	highest := 0
	note := func(s string) {
		for _, m := range idInText.FindAllStringSubmatch(s, -1) {
			if y, _ := strconv.Atoi(m[1]); y != year {
				continue
			}
			if n, err := strconv.Atoi(m[2]); err == nil && n > highest {
				highest = n
			}
		}
	}
	for _, e := range entries {
		if e.IsDir() || filepath.Ext(e.Name()) != ".md" {
			continue
		}
		note(e.Name())
		if data, err := readLimited(os.DirFS(dir), e.Name()); err == nil {
			if rb, err := Parse(e.Name(), data); err == nil {
				note(rb.ID)
			}
		}
	}
	return fmt.Sprintf("RB-%04d-%03d", year, highest+1), nil
}

// Create writes a new team runbook skeleton into dir with the next free id
// and returns its path. It never overwrites a file: if another writer
// takes the id first, it moves on to the next one.
func Create(dir string, nr NewRunbook) (string, error) {
	if strings.TrimSpace(nr.Title) == "" {
		return "", fmt.Errorf("%w: a title is required", ErrInvalid)
	}
	if strings.ContainsAny(nr.Title, "\n\r") {
		return "", fmt.Errorf("%w: the title must be one line", ErrInvalid)
	}
	for _, t := range nr.Tags {
		if !tagRE.MatchString(t) || len(t) > 63 {
			return "", fmt.Errorf("%w: tag %q is not lower-case kebab case", ErrInvalid, t)
		}
	}
	sev := nr.Severity
	if sev == "" {
		sev = "error"
	}
	if _, err := parseSeverity(sev); err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating %s: %w", dir, err)
	}
	for range 1000 {
		id, err := NextID(dir, nr.Now.Year())
		if err != nil {
			return "", err
		}
		p := filepath.Join(dir, id+"-"+slug(nr.Title)+".md")
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("creating runbook: %w", err)
		}
		_, werr := f.WriteString(skeleton(id, nr, sev))
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			os.Remove(p)
			return "", fmt.Errorf("writing %s: %w", p, werr)
		}
		return p, nil
	}
	return "", errors.New("no free runbook id found")
}

func slug(title string) string {
	words := Tokenize(title)
	if len(words) > 6 {
		words = words[:6]
	}
	s := strings.Join(words, "-")
	if s == "" {
		return "runbook"
	}
	return s
}

func skeleton(id string, nr NewRunbook, sev string) string {
	date := nr.Now.Format(dateLayout)
	tags := "[]"
	if len(nr.Tags) > 0 {
		tags = "[" + strings.Join(nr.Tags, ", ") + "]"
	}
	return fmt.Sprintf(`---
id: %s
title: %s
tags: %s
severity: %s
created: %s
updated: %s
symptoms: []
---

## Symptoms

TODO: the log lines that show this failure.

## Cause

TODO: why it happens.

## Fix

TODO: the commands or edits that fix it.

## Rollback

TODO: how to undo the fix.

## References

TODO: links.
`, id, strconv.Quote(nr.Title), tags, sev, date, date)
}
