package history

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/matrix"
	"github.com/goport/goport/internal/target"
)

// maxFileSize bounds what one record may take: a matrix report of every
// port with build logs is a few MiB.
const maxFileSize = 64 << 20

// Run is a record as read back, reduced to what metrics and trends use.
type Run struct {
	// File is the record's file name in the history directory.
	File     string
	Time     time.Time
	Command  string
	Builds   []Build
	Findings []Finding
	// Matrix holds the pairs of a matrix run, nil for other commands.
	Matrix *MatrixFacts
}

// Finding is a finding of a run's report.
type Finding struct {
	Rule     string           `json:"rule"`
	Severity finding.Severity `json:"severity"`
}

// MatrixFacts are the facts of a matrix report that history uses.
type MatrixFacts struct {
	Schema string `json:"schema"`
	Check  bool   `json:"check"`
	Pairs  []Pair `json:"pairs"`
}

// Pair is one package × target result of a matrix run.
type Pair struct {
	Package   string        `json:"package"`
	Target    target.Target `json:"target"`
	Status    matrix.Status `json:"status"`
	Rule      string        `json:"rule"`
	Size      int64         `json:"size"`
	Verified  bool          `json:"verified"`
	Explained *Explained    `json:"explained"`
}

// Explained is the runbook triage matched on a failed build's log.
type Explained struct {
	Runbook string `json:"runbook"`
}

// Runbook is the runbook that explains a failed pair: the one triage
// matched on the build log, else the pair's rule.
func (p Pair) Runbook() string {
	if p.Explained != nil && p.Explained.Runbook != "" {
		return p.Explained.Runbook
	}
	return p.Rule
}

// Build finds the Build recorded for a pair, nil when none was.
func (r *Run) Build(t target.Target, pkg string) *Build {
	for i := range r.Builds {
		if r.Builds[i].Target == t && r.Builds[i].Package == pkg {
			return &r.Builds[i]
		}
	}
	return nil
}

// Failed reports whether the run's report has an error-level finding.
func (r *Run) Failed() bool {
	for _, f := range r.Findings {
		if f.Severity >= finding.Error {
			return true
		}
	}
	return false
}

// ErrSchema marks a file written by another version of the history
// format (or not by goport at all).
var ErrSchema = errors.New("not a " + Schema + " record")

// Decode reads one history file. Files of another schema version,
// another report schema, truncated or malformed JSON are errors.
func Decode(data []byte) (*Run, error) {
	var doc struct {
		Schema  string    `json:"schema"`
		Time    time.Time `json:"time"`
		Command string    `json:"command"`
		Builds  []Build   `json:"builds"`
		Report  *struct {
			Schema   string          `json:"schema"`
			Findings []Finding       `json:"findings"`
			Facts    json.RawMessage `json:"facts"`
		} `json:"report"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		// A future format is reported as such rather than as whatever
		// its fields failed to decode into.
		var head struct {
			Schema string `json:"schema"`
		}
		if json.Unmarshal(data, &head) == nil && head.Schema != Schema {
			return nil, fmt.Errorf("%w: schema %q", ErrSchema, head.Schema)
		}
		return nil, err
	}
	switch {
	case doc.Schema != Schema:
		return nil, fmt.Errorf("%w: schema %q", ErrSchema, doc.Schema)
	case doc.Time.IsZero():
		return nil, errors.New("record without a time")
	case !validCommand(doc.Command):
		return nil, fmt.Errorf("record of invalid command %q", doc.Command)
	case doc.Report == nil:
		return nil, errors.New("record without a report")
	case doc.Report.Schema != finding.Schema:
		return nil, fmt.Errorf("%w: report schema %q", ErrSchema, doc.Report.Schema)
	}
	run := &Run{Time: doc.Time, Command: doc.Command, Builds: doc.Builds, Findings: doc.Report.Findings}
	if doc.Command == "matrix" {
		var m MatrixFacts
		if err := json.Unmarshal(doc.Report.Facts, &m); err != nil {
			return nil, fmt.Errorf("matrix facts: %w", err)
		}
		if m.Schema != matrix.Schema {
			return nil, fmt.Errorf("%w: matrix facts schema %q", ErrSchema, m.Schema)
		}
		run.Matrix = &m
	}
	return run, nil
}

// Set is the history read back.
type Set struct {
	// Runs are oldest first.
	Runs []*Run
	// Skipped counts the files that could not be used: unreadable,
	// truncated, malformed or of another schema version.
	Skipped int
}

// Load reads every record of dir. A missing directory is an empty
// history; files that cannot be used are counted in Skipped, never fatal.
func Load(dir string) (*Set, error) {
	names, err := Names(dir)
	if err != nil {
		return nil, fmt.Errorf("reading history: %w", err)
	}
	runs := make([]*Run, len(names))
	// Decoding dominates; spread it over the processors.
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), max(1, len(names))) {
		wg.Go(func() {
			var buf bytes.Buffer
			for i := range next {
				buf.Reset()
				if run, err := readRun(filepath.Join(dir, names[i]), &buf); err == nil {
					run.File = names[i]
					runs[i] = run
				}
			}
		})
	}
	for i := range names {
		next <- i
	}
	close(next)
	wg.Wait()
	set := &Set{}
	for _, r := range runs {
		if r == nil {
			set.Skipped++
			continue
		}
		set.Runs = append(set.Runs, r)
	}
	return set, nil
}

func readRun(path string, buf *bytes.Buffer) (*Run, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := buf.ReadFrom(io.LimitReader(f, maxFileSize+1)); err != nil {
		return nil, err
	}
	if buf.Len() > maxFileSize {
		return nil, errors.New("record larger than 64 MiB")
	}
	return Decode(buf.Bytes())
}

// Latest returns the newest run of command, nil when there is none.
func (s *Set) Latest(command string) *Run {
	for i := len(s.Runs) - 1; i >= 0; i-- {
		if s.Runs[i].Command == command {
			return s.Runs[i]
		}
	}
	return nil
}
