package history

import (
	"path/filepath"
	"time"

	"github.com/goport/goport/internal/binfile"
	"github.com/goport/goport/internal/matrix"
	"github.com/goport/goport/internal/target"
)

// BuildKey names a pair of a matrix run.
type BuildKey struct {
	Target  target.Target
	Package string
}

// BuildTimer measures each pair of a matrix run from its Started event
// to its Finished event. Matrix delivers events one at a time, so it
// needs no lock; read Durations after the run returns.
type BuildTimer struct {
	next    func(matrix.Event)
	now     func() time.Time
	started map[BuildKey]time.Time
	// Durations are the measured pairs.
	Durations map[BuildKey]time.Duration
}

// TimeBuilds makes opts.Events feed a BuildTimer before whatever handler
// it had, and returns the timer.
func TimeBuilds(opts *matrix.Options) *BuildTimer {
	t := &BuildTimer{next: opts.Events, now: time.Now, started: map[BuildKey]time.Time{}, Durations: map[BuildKey]time.Duration{}}
	opts.Events = t.handle
	return t
}

func (t *BuildTimer) handle(ev matrix.Event) {
	key := BuildKey{ev.Pair.Target, ev.Pair.Package}
	switch ev.Kind {
	case matrix.Started:
		t.started[key] = t.now()
	case matrix.Finished:
		if start, ok := t.started[key]; ok {
			t.Durations[key] = t.now().Sub(start)
		}
	}
	if t.next != nil {
		t.next(ev)
	}
}

// MatrixBuilds derives the Builds of a matrix run: the measured
// durations, and the glibc floor of each built linux output, read from
// the file itself. dir is the matrix run's Dir, which output paths are
// relative to.
func MatrixBuilds(res *matrix.Result, dir string, durations map[BuildKey]time.Duration) []Build {
	var builds []Build
	for _, p := range res.Pairs {
		b := Build{Target: p.Target, Package: p.Package}
		if d, ok := durations[BuildKey{p.Target, p.Package}]; ok {
			b.DurationSeconds = d.Seconds()
		}
		if p.Status == matrix.OK && p.Output != "" && p.Target.GOOS == "linux" {
			b.MinGlibc = minGlibc(dir, p.Output)
		}
		if b.DurationSeconds > 0 || b.MinGlibc != "" {
			builds = append(builds, b)
		}
	}
	return builds
}

func minGlibc(dir, output string) string {
	if !filepath.IsAbs(output) {
		output = filepath.Join(dir, output)
	}
	facts, err := binfile.Inspect(output)
	if err != nil || facts.GLIBC == nil {
		return ""
	}
	return facts.GLIBC.Min
}
