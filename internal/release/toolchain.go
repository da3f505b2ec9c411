package release

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Expected is what a checksum list says about one file.
type Expected struct {
	Name   string
	SHA256 string
	// Size is known from Go's download listing; -1 otherwise.
	Size int64
}

// goRelease is one entry of https://go.dev/dl/?mode=json.
type goRelease struct {
	Version string `json:"version"`
	Files   []struct {
		Filename string `json:"filename"`
		OS       string `json:"os"`
		Arch     string `json:"arch"`
		SHA256   string `json:"sha256"`
		Size     int64  `json:"size"`
		Kind     string `json:"kind"`
	} `json:"files"`
}

// ParseExpected reads a sha256sum-format file or the JSON listing Go's
// download page publishes ([{version, files: [{filename, sha256, size,
// ...}]}]), keyed by base file name.
func ParseExpected(r io.Reader) (map[string]Expected, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxManifest+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxManifest {
		return nil, fmt.Errorf("checksum list is larger than %d bytes", maxManifest)
	}
	out := map[string]Expected{}
	if t := bytes.TrimSpace(data); len(t) > 0 && (t[0] == '[' || t[0] == '{') {
		var rels []goRelease
		if t[0] == '{' {
			var one goRelease
			if err := json.Unmarshal(t, &one); err != nil {
				return nil, fmt.Errorf("parsing Go download listing: %w", err)
			}
			rels = []goRelease{one}
		} else if err := json.Unmarshal(t, &rels); err != nil {
			return nil, fmt.Errorf("parsing Go download listing: %w", err)
		}
		for _, rel := range rels {
			for _, f := range rel.Files {
				if f.Filename == "" || len(f.SHA256) != 64 || !isHex(f.SHA256) {
					continue // source-less entries and malformed digests
				}
				out[f.Filename] = Expected{Name: f.Filename, SHA256: strings.ToLower(f.SHA256), Size: f.Size}
			}
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("the Go download listing has no file with a sha256")
		}
		return out, nil
	}
	sums, err := ParseChecksums(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	for _, s := range sums {
		out[filepath.Base(s.Name)] = Expected{Name: s.Name, SHA256: s.Hex, Size: -1}
	}
	return out, nil
}

// FileCheck is the verdict on one file.
type FileCheck struct {
	File string `json:"file"`
	// Status is "ok", "mismatch", "size", "unlisted" or "unreadable".
	Status string `json:"status"`
	Want   string `json:"want,omitempty"`
	Got    string `json:"got,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// CheckFiles hashes every file and compares it with its expected entry,
// found by base name.
func CheckFiles(files []string, expected map[string]Expected) []FileCheck {
	var out []FileCheck
	for _, f := range files {
		c := FileCheck{File: f}
		exp, ok := expected[filepath.Base(f)]
		got, err := fileSHA256(f)
		switch {
		case err != nil:
			c.Status, c.Detail = "unreadable", unwrapPath(err).Error()
		case !ok:
			c.Status, c.Got, c.Detail = "unlisted", got, "no checksum for "+filepath.Base(f)
		default:
			c.Want, c.Got = exp.SHA256, got
			c.Status = "ok"
			if got != exp.SHA256 {
				c.Status = "mismatch"
			}
			if fi, err := os.Stat(f); err == nil && exp.Size >= 0 && fi.Size() != exp.Size {
				c.Status, c.Detail = "mismatch", fmt.Sprintf("size %d, listed as %d", fi.Size(), exp.Size)
			}
		}
		out = append(out, c)
	}
	return out
}
