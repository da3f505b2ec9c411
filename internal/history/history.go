// Package history keeps the JSON reports of past goport runs in a
// module's .goport/history directory and reads them back: one file per
// run, written atomically, named so that names sort by time, pruned to a
// bounded number of runs. Trends compares the builds of successive runs.
package history

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goport/goport/internal/atomicfile"
	"github.com/goport/goport/internal/target"
)

// Schema names the format of a history file; it changes only
// incompatibly, and readers skip files of another version.
const Schema = "goport.history/v1"

// Dir is the history directory, relative to the module root.
var Dir = filepath.Join(".goport", "history")

// timeLayout has a fixed width so that file names sort by time.
const timeLayout = "20060102T150405.000000000Z"

// Record is one run as stored: the command's JSON report, exactly as
// --format json prints it, with what the report itself does not say.
type Record struct {
	Schema  string    `json:"schema"`
	Time    time.Time `json:"time"`
	Command string    `json:"command"`
	// Builds holds, for a matrix run, what each pair cost and needs.
	Builds []Build `json:"builds,omitempty"`
	// Report is the goport.report/v1 document of the run.
	Report json.RawMessage `json:"report"`
}

// Build is what the report of a matrix run does not carry about a pair.
type Build struct {
	Target  target.Target `json:"target"`
	Package string        `json:"package"`
	// DurationSeconds runs from the start of the pair's go build to its
	// result, verification (and --run) included; 0 when nothing ran.
	DurationSeconds float64 `json:"duration_seconds,omitempty"`
	// MinGlibc is the oldest glibc the output runs on, as in "2.34";
	// empty when it needs none (static, not linux).
	MinGlibc string `json:"min_glibc,omitempty"`
}

// Append writes rec as a new file in dir (created if missing) through a
// temporary file and a rename, so readers never see half a record, then
// removes the oldest records beyond keep. It returns the new file's path.
func Append(dir string, rec Record, keep int) (string, error) {
	if rec.Schema == "" {
		rec.Schema = Schema
	}
	if !validCommand(rec.Command) {
		return "", fmt.Errorf("invalid command name %q", rec.Command)
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return "", fmt.Errorf("encoding record: %w", err)
	}
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return "", err
	}
	name, err := fileName(rec)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, name)
	if err := atomicfile.WriteFile(path, data, 0o644); err != nil {
		return "", err
	}
	if err := Prune(dir, keep); err != nil {
		return path, err
	}
	return path, nil
}

// fileName is <UTC time>-<command>-<pid>-<random>.json: the time makes
// names sort in run order, pid and random bits keep concurrent runs of
// the same command in the same nanosecond apart.
func fileName(rec Record) (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("naming record: %w", err)
	}
	cmd := strings.ReplaceAll(rec.Command, " ", "_")
	return rec.Time.UTC().Format(timeLayout) + "-" + cmd + "-" + strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(b[:]) + ".json", nil
}

// validCommand keeps file names plain: command names are lower-case
// words separated by spaces.
func validCommand(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == ' ' || r == '-') {
			return false
		}
	}
	return true
}

// IsRecordName reports whether a file name is one Append writes.
func IsRecordName(name string) bool {
	if !strings.HasSuffix(name, ".json") || len(name) < len(timeLayout)+len(".json") {
		return false
	}
	_, err := time.Parse(timeLayout, name[:len(timeLayout)])
	return err == nil
}

// Names lists the record files of dir, oldest first; a missing dir has
// none.
func Names(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && IsRecordName(e.Name()) {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names, nil
}

// staleTemp is the age after which a temporary file is a leftover of a
// run that died between writing and renaming, not one in progress.
const staleTemp = time.Hour

// Prune removes the oldest records of dir beyond keep (keep < 1 keeps
// everything) and temporaries left by runs that died. Concurrent prunes
// may race for the same file; a file already gone is not an error.
func Prune(dir string, keep int) error {
	if keep < 1 {
		return nil
	}
	removeStaleTemps(dir)
	names, err := Names(dir)
	if err != nil {
		return err
	}
	for _, name := range names[:max(0, len(names)-keep)] {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// removeStaleTemps is best effort: a leftover costs disk space, not
// correctness, since readers never look at temporaries.
func removeStaleTemps(dir string) {
	temps, _ := filepath.Glob(filepath.Join(dir, atomicfile.TempPattern("*")))
	for _, p := range temps {
		if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() && time.Since(fi.ModTime()) > staleTemp {
			os.Remove(p)
		}
	}
}
