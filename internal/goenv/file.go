package goenv

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
)

// EnvFile is a go env configuration file: the user's GOENV file (written by
// `go env -w`) or $GOROOT/go.env.
type EnvFile struct {
	Path string
	Vars map[string]string
	Line map[string]int // 1-based line of each key, for evidence
}

// ReadEnvFile parses a go env file with the go command's rules: KEY=VALUE
// lines, '#' comments, blank lines ignored, later keys win. A missing file
// is not an error: it yields an empty EnvFile.
func ReadEnvFile(path string) (*EnvFile, error) {
	f := &EnvFile{Path: path, Vars: map[string]string{}, Line: map[string]int{}}
	if path == "" || path == "off" {
		return f, nil
	}
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading GOENV file: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), len(data)+1)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue // the go command skips such lines too
		}
		k = strings.TrimSpace(k)
		f.Vars[k] = v
		f.Line[k] = n
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading GOENV file %s: %w", path, err)
	}
	return f, nil
}
