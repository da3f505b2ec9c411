// Package triage names the root causes of a failed build from its log. An
// Engine is compiled once from the knowledge base's symptoms (a literal
// prefilter plus RE2 patterns) and streams a log of any size line by line
// with bounded memory, returning ranked Causes that point at runbooks.
package triage

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/goport/goport/internal/kb"
	"github.com/goport/goport/internal/target"
)

// MaxLine is the longest line matched; the rest of a longer line is
// skipped, not fatal.
const MaxLine = 1 << 20

// MaxEvidence is how many evidence lines a cause keeps.
const MaxEvidence = 8

// maxEvidenceText caps the length of an evidence line as reported.
const maxEvidenceText = 400

// maxSuspicious is how many error-looking lines an unrecognised failure keeps.
const maxSuspicious = 20

// Engine matches logs against a knowledge base. It is immutable after New
// and safe for concurrent use.
type Engine struct {
	runbooks []*kb.Runbook
	syms     []symptom
	pf       *prefilter
	// litSyms maps a prefilter literal to the symptoms it gates; a negative
	// entry -1 marks the failure-hint literals.
	litSyms [][]int32
	always  []int32
}

type symptom struct {
	rb       int
	re       *regexp.Regexp
	then     *regexp.Regexp
	window   int
	conf     float64
	literals [][]byte // author literals, all required (case-sensitive)
	goos     int      // submatch index of (?P<goos>), or -1
	goarch   int
	// testing symptoms may match test log output (t.Log lines); others
	// must not, because tests print expected errors on purpose.
	testing bool
}

// Negative entries of Engine.litSyms mark literals that are not symptoms.
const (
	hintSym   = -1 // the line may look like a failure
	targetSym = -2 // the line may name the target's generated goos/goarch files
)

// targetFiles reads the target of a verbose (-x) build from the generated
// files the compiler is given for internal/goos and internal/goarch.
var (
	goosFile   = regexp.MustCompile(`/zgoos_([a-z0-9]+)\.go\b`)
	goarchFile = regexp.MustCompile(`/zgoarch_([a-z0-9]+)\.go\b`)
)

// hintLiterals gate the check for lines that look like failures, used to
// report an unrecognised failure.
var hintLiterals = []string{"error", "fail", "panic", "fatal", "cannot", "undefined", "not found", "no such", "exit status", "go: ", "not supported", "invalid", "missing", "denied", "refused", "timed out", ".go:"}

// hintRE confirms a hint: a real failure line, not a compiler command line
// or a test's own log output.
var hintRE = regexp.MustCompile(`^(FAIL\b|--- FAIL|panic: |fatal error: |go: |\S+\.\w+:\d+(:\d+)?: )|: (fatal )?error: |\berror: |Error: |\[(build|setup) failed\]|undefined reference|undefined: |cannot find|not found|No such file|exit status [1-9]|error while loading|not supported|invalid |permission denied|connection refused|timed out`)

// benignGo are "go: " lines that report progress, not failure.
var benignGo = []string{"go: downloading ", "go: finding ", "go: extracting ", "go: found ", "go: upgraded ", "go: added ", "go: warning: ", "go: creating ", "go: to add module requirements", "go: switching to "}

// New compiles the symptoms of runbooks. An invalid pattern is an error
// naming the runbook file and line.
func New(runbooks []*kb.Runbook) (*Engine, error) {
	e := &Engine{runbooks: runbooks}
	litID := map[string]int32{}
	var literals []string
	addLit := func(s string) int32 {
		if id, ok := litID[s]; ok {
			return id
		}
		id := int32(len(literals))
		litID[s] = id
		literals = append(literals, s)
		e.litSyms = append(e.litSyms, nil)
		return id
	}
	for ri, rb := range runbooks {
		for _, s := range rb.Symptoms {
			re, err := regexp.Compile(s.Pattern)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %s: invalid pattern: %w", rb.Source, s.Line, rb.ID, err)
			}
			sym := symptom{rb: ri, re: re, conf: s.Confidence, window: s.Window, goos: re.SubexpIndex("goos"), goarch: re.SubexpIndex("goarch"), testing: slices.Contains(rb.Tags, "testing")}
			if sym.conf <= 0 {
				sym.conf = kb.DefaultConfidence
			}
			if s.Then != "" {
				if sym.then, err = regexp.Compile(s.Then); err != nil {
					return nil, fmt.Errorf("%s:%d: %s: invalid then pattern: %w", rb.Source, s.Line, rb.ID, err)
				}
				sym.window = min(max(sym.window, 1), kb.MaxWindow)
			}
			var req kb.Requirement
			for _, l := range s.Literals {
				if l == "" {
					continue
				}
				sym.literals = append(sym.literals, []byte(l))
				if len(l) > len(req0(req)) {
					req = kb.Requirement{kb.ASCIILower(l)}
				}
			}
			if req == nil {
				req, _ = kb.RequiredLiteral(s.Pattern)
			}
			si := int32(len(e.syms))
			e.syms = append(e.syms, sym)
			if req == nil {
				e.always = append(e.always, si)
				continue
			}
			for _, l := range req {
				id := addLit(l)
				e.litSyms[id] = append(e.litSyms[id], si)
			}
		}
	}
	for _, h := range hintLiterals {
		id := addLit(h)
		e.litSyms[id] = append(e.litSyms[id], hintSym)
	}
	for _, l := range []string{"/zgoos_", "/zgoarch_"} {
		id := addLit(l)
		e.litSyms[id] = append(e.litSyms[id], targetSym)
	}
	e.pf = newPrefilter(literals)
	return e, nil
}

func req0(r kb.Requirement) string {
	if len(r) == 0 {
		return ""
	}
	return r[0]
}

// Line is one log line, numbered from 1.
type Line struct {
	N    int    `json:"line"`
	Text string `json:"text"`
}

// Cause is one root cause found in a log.
type Cause struct {
	Runbook    *kb.Runbook    `json:"-"`
	ID         string         `json:"runbook"`
	Title      string         `json:"title"`
	Confidence float64        `json:"confidence"`
	Matches    int            `json:"matches"`
	Evidence   []Line         `json:"evidence"`
	Target     *target.Target `json:"target,omitempty"`
	// Package is the package whose build printed the first evidence line,
	// from the go command's "# import/path" header, when there is one.
	Package string `json:"package,omitempty"`
	// Notes name what the evidence implies beyond the runbook, such as a
	// C++ ABI mismatch read from a mangled symbol.
	Notes []string `json:"notes,omitempty"`

	symptoms map[int32]bool
	first    int
	last     int
}

// Result is what a log told.
type Result struct {
	Causes []Cause `json:"causes"`
	Lines  int     `json:"lines"`
	Bytes  int64   `json:"bytes"`
	// Target is the build's target when a verbose log names it.
	Target *target.Target `json:"target,omitempty"`
	// Truncated counts lines longer than MaxLine.
	Truncated int `json:"truncated_lines,omitempty"`
	// Suspicious are lines that look like failures; reported when no cause
	// matched, as an unrecognised failure.
	Suspicious []Line `json:"suspicious,omitempty"`
}

// Unrecognised reports whether the log looks failed but no runbook matched.
func (r *Result) Unrecognised() bool { return len(r.Causes) == 0 && len(r.Suspicious) > 0 }

type pending struct {
	sym      int32
	deadline int
	line     Line
}

// Explain reads a log to the end and returns its causes, best first.
// Memory stays bounded whatever the log's size: lines are read into a
// reused buffer and only evidence is kept.
func (e *Engine) Explain(r io.Reader) (*Result, error) {
	return e.ExplainIn(r, kb.Scope{})
}

// ExplainIn is Explain for a build whose target or Go version is known:
// runbooks whose `applies` excludes it are not causes. Fields of scope
// left empty are taken from the log when it names them (a verbose build
// names its target).
func (e *Engine) ExplainIn(r io.Reader, scope kb.Scope) (*Result, error) {
	res := &Result{}
	causes := map[int]*Cause{}
	br := bufio.NewReaderSize(r, 64<<10)
	var buf []byte
	litSeen := make([]int, len(e.litSyms))
	symSeen := make([]int, len(e.syms))
	var waiting []pending
	hint, targetLine := false, false
	var cands []int32
	pkg := ""
	var logTarget target.Target
	for n := 1; ; n++ {
		line, truncated, size, err := readLine(br, buf[:0])
		buf = line[:0]
		res.Bytes += int64(size)
		if size == 0 && err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, fmt.Errorf("reading log: %w", err)
		}
		res.Lines = n
		if truncated {
			res.Truncated++
		}
		line = clean(line)
		if p, ok := packageHeader(line); ok {
			pkg = p
		}

		for i := 0; i < len(waiting); {
			w := waiting[i]
			if n > w.deadline {
				waiting = slices.Delete(waiting, i, i+1)
				continue
			}
			if e.syms[w.sym].then.Match(line) {
				e.record(causes, w.sym, w.line, nil, pkg)
				waiting = slices.Delete(waiting, i, i+1)
				continue
			}
			i++
		}

		hint, targetLine = false, false
		cands = cands[:0]
		e.pf.scan(line, func(lit int32) {
			if litSeen[lit] == n {
				return
			}
			litSeen[lit] = n
			for _, si := range e.litSyms[lit] {
				switch si {
				case hintSym:
					hint = true
					continue
				case targetSym:
					targetLine = true
					continue
				}
				if symSeen[si] != n {
					symSeen[si] = n
					cands = append(cands, si)
				}
			}
		})
		cands = append(cands, e.always...)
		matched := false
		testLog := len(cands) > 0 && isTestLog(line)
		for _, si := range cands {
			sym := &e.syms[si]
			if (testLog && !sym.testing) || !hasAll(line, sym.literals) {
				continue
			}
			var sub [][]byte
			if sym.goos >= 0 || sym.goarch >= 0 {
				if sub = sym.re.FindSubmatch(line); sub == nil {
					continue
				}
			} else if !sym.re.Match(line) {
				continue
			}
			l := Line{N: n, Text: evidenceText(line)}
			if sym.then != nil {
				if len(waiting) < 1024 {
					waiting = append(waiting, pending{sym: si, deadline: n + sym.window, line: l})
				}
				continue
			}
			matched = true
			e.record(causes, si, l, sub, pkg)
		}
		if targetLine {
			if m := goarchFile.FindSubmatch(line); m != nil {
				logTarget.GOARCH = string(m[1])
			}
			if m := goosFile.FindSubmatch(line); m != nil {
				logTarget.GOOS = string(m[1])
			}
		}
		if hint && !matched && len(res.Suspicious) < maxSuspicious && looksFailed(line) && !isTestLog(line) {
			res.Suspicious = append(res.Suspicious, Line{N: n, Text: evidenceText(line)})
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, fmt.Errorf("reading log: %w", err)
		}
	}
	for rb, c := range causes {
		s := scope
		if t := c.Target; t != nil || logTarget.GOOS != "" {
			if t == nil {
				t = &logTarget
			}
			if s.GOOS == "" {
				s.GOOS = t.GOOS
			}
			if s.GOARCH == "" {
				s.GOARCH = t.GOARCH
			}
		}
		if !c.Runbook.Applies.Matches(s) {
			delete(causes, rb)
		}
	}
	res.Causes = e.rank(causes)
	if logTarget.GOOS != "" && logTarget.GOARCH != "" {
		res.Target = &logTarget
		for i := range res.Causes {
			if res.Causes[i].Target == nil {
				res.Causes[i].Target = res.Target
			}
		}
	}
	if len(res.Causes) > 0 {
		res.Suspicious = nil
	}
	return res, nil
}

// testLogRE is a line printed by t.Log/t.Error: indented "file.go:N: ".
var testLogRE = regexp.MustCompile(`^\s+[\w.-]+\.go:\d+: `)

func isTestLog(line []byte) bool {
	return len(line) > 0 && (line[0] == ' ' || line[0] == '\t') && testLogRE.Match(line)
}

// packageHeader reads the "# import/path" line the go command prints
// before a package's compiler or linker output (and "# [import/path]"
// before go test's vet output).
func packageHeader(line []byte) (string, bool) {
	if len(line) < 3 || line[0] != '#' || line[1] != ' ' || bytes.ContainsAny(line[2:], " \t") {
		return "", false
	}
	p := strings.TrimSuffix(strings.TrimPrefix(string(line[2:]), "["), "]")
	return p, p != ""
}

func hasAll(line []byte, lits [][]byte) bool {
	for _, l := range lits {
		if !bytes.Contains(line, l) {
			return false
		}
	}
	return true
}

func looksFailed(line []byte) bool {
	if !hintRE.Match(line) {
		return false
	}
	if bytes.HasPrefix(line, []byte("go: ")) {
		for _, b := range benignGo {
			if bytes.HasPrefix(line, []byte(b)) {
				return false
			}
		}
	}
	return true
}

func (e *Engine) record(causes map[int]*Cause, si int32, l Line, sub [][]byte, pkg string) {
	sym := &e.syms[si]
	c, ok := causes[sym.rb]
	if !ok {
		rb := e.runbooks[sym.rb]
		c = &Cause{Runbook: rb, ID: rb.ID, Title: rb.Title, Package: pkg, symptoms: map[int32]bool{}, first: l.N}
		causes[sym.rb] = c
	}
	if c.last != l.N {
		c.Matches++
		c.last = l.N
	}
	c.symptoms[si] = true
	c.Confidence = max(c.Confidence, sym.conf)
	if len(c.Evidence) < MaxEvidence && (len(c.Evidence) == 0 || c.Evidence[len(c.Evidence)-1].N != l.N) {
		c.Evidence = append(c.Evidence, l)
	}
	if c.Target == nil && sub != nil {
		var t target.Target
		if sym.goos >= 0 && sym.goos < len(sub) {
			t.GOOS = string(sub[sym.goos])
		}
		if sym.goarch >= 0 && sym.goarch < len(sub) {
			t.GOARCH = string(sub[sym.goarch])
		}
		if t.GOOS != "" && t.GOARCH != "" {
			c.Target = &t
		}
	}
}

// rank turns matches into causes: superseded and generic causes give way
// to the specific cause they follow from, and the rest are ordered by
// confidence, then by how early they appear.
func (e *Engine) rank(causes map[int]*Cause) []Cause {
	drop := map[string]bool{}
	specific := false
	for _, c := range causes {
		for _, id := range c.Runbook.Supersedes {
			drop[strings.ToUpper(id)] = true
		}
		if !c.Runbook.Generic {
			specific = true
		}
	}
	var out []Cause
	for _, c := range causes {
		if drop[c.ID] || (specific && c.Runbook.Generic) {
			continue
		}
		// Several distinct symptoms of one runbook corroborate each other.
		c.Confidence = min(1, c.Confidence+0.02*float64(min(len(c.symptoms)-1, 4)))
		c.Confidence = float64(int(c.Confidence*100+0.5)) / 100
		c.Notes = abiNotes(c.Evidence)
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b Cause) int {
		if c := cmp.Compare(b.Confidence, a.Confidence); c != 0 {
			return c
		}
		if c := cmp.Compare(a.first, b.first); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

// readLine reads one line into buf without its end of line. Lines longer
// than MaxLine are cut; the rest is read and discarded. size is the number
// of bytes consumed; err is io.EOF after the last line.
func readLine(br *bufio.Reader, buf []byte) (line []byte, truncated bool, size int, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		size += len(chunk)
		body := bytes.TrimSuffix(chunk, []byte("\n"))
		keep := min(len(body), max(MaxLine-len(buf), 0))
		if keep < len(body) {
			truncated = true
		}
		buf = append(buf, body[:keep]...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		buf = bytes.TrimSuffix(buf, []byte("\r"))
		return buf, truncated, size, err
	}
}

// clean removes ANSI escape sequences in place; colour codes would split
// the words patterns look for.
func clean(line []byte) []byte {
	if bytes.IndexByte(line, 0x1b) < 0 {
		return line
	}
	out := line[:0]
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c != 0x1b {
			out = append(out, c)
			continue
		}
		if i+1 < len(line) && line[i+1] == '[' {
			// CSI: parameters and intermediates, then one final byte.
			j := i + 2
			for j < len(line) && (line[j] < 0x40 || line[j] > 0x7e) {
				j++
			}
			i = j
			continue
		}
		if i+1 < len(line) && line[i+1] == ']' {
			// OSC: up to BEL or ESC \.
			j := i + 2
			for j < len(line) && line[j] != 0x07 && line[j] != 0x1b {
				j++
			}
			if j < len(line) && line[j] == 0x1b {
				j++
			}
			i = j
			continue
		}
		i++
	}
	return out
}

func evidenceText(line []byte) string {
	s := strings.ToValidUTF8(string(line), "\uFFFD")
	if utf8.RuneCountInString(s) > maxEvidenceText {
		r := []rune(s)
		s = string(r[:maxEvidenceText]) + "…"
	}
	return s
}
