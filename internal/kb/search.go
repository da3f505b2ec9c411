package kb

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/goport/goport/internal/finding"
)

// Query selects and ranks runbooks. Zero fields do not filter.
type Query struct {
	Text     string
	Tags     []string
	After    time.Time // updated (or created) on or after
	Before   time.Time // updated (or created) before
	Severity finding.Severity
}

// Hit is one search result.
type Hit struct {
	Runbook *Runbook `json:"runbook"`
	Score   float64  `json:"score"`
}

// Index is an in-memory inverted index over id, title, tags, aliases and
// body. Build it once with NewIndex; it is read-only afterwards.
type Index struct {
	docs     []*Runbook
	postings map[string][]posting
	// cached, when set, replaces docs and postings: an index read from the
	// cache file decodes only what a search touches.
	cached *cachedIndex
}

func (ix *Index) len() int {
	if ix.cached != nil {
		return len(ix.cached.docOff)
	}
	return len(ix.docs)
}

func (ix *Index) doc(i int) *Runbook {
	if ix.cached != nil {
		return ix.cached.doc(i)
	}
	return ix.docs[i]
}

func (ix *Index) lookup(term string) []posting {
	if ix.cached != nil {
		return ix.cached.postings(term)
	}
	return ix.postings[term]
}

type posting struct {
	Doc    int32
	Weight float32
}

// Field weights: a word in the title or tags says more than one in the body.
const (
	weightID    = 8
	weightTitle = 4
	weightTag   = 4
	weightAlias = 3
	weightBody  = 1
)

// NewIndex indexes runbooks.
func NewIndex(runbooks []*Runbook) *Index {
	ix := &Index{docs: runbooks, postings: map[string][]posting{}}
	for i, rb := range runbooks {
		w := map[string]float64{}
		addTokens(w, rb.ID, weightID)
		addTokens(w, rb.Title, weightTitle)
		for _, t := range rb.Tags {
			addTokens(w, t, weightTag)
		}
		for _, a := range rb.Aliases {
			addTokens(w, a, weightAlias)
		}
		for _, name := range SectionNames {
			addTokens(w, rb.Sections[name], weightBody)
		}
		for term, weight := range w {
			ix.postings[term] = append(ix.postings[term], posting{Doc: int32(i), Weight: float32(weight)})
		}
	}
	return ix
}

func addTokens(w map[string]float64, text string, weight float64) {
	for _, t := range Tokenize(text) {
		w[t] += weight
	}
	// Ids and kebab-case names are also searchable whole ("gp-build-001").
	for f := range strings.FieldsSeq(strings.ToLower(text)) {
		f = strings.Trim(f, ".,;:()[]`'\"")
		if strings.Contains(f, "-") && len(f) > 2 {
			w[f] += weight
		}
	}
}

// Tokenize splits text into lower-case words of letters and digits.
func Tokenize(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// Search returns the runbooks matching every word of q.Text (all of them
// when Text is empty) and the filters, best first: words are scored by
// field weight times inverse document frequency; ties go to the id.
func (ix *Index) Search(q Query) []Hit {
	scores := map[int]float64{}
	terms := Tokenize(q.Text)
	if len(terms) == 0 {
		for i := range ix.len() {
			scores[i] = 0
		}
	}
	for n, term := range slices.Compact(slices.Sorted(slices.Values(terms))) {
		ps := ix.lookup(term)
		idf := math.Log(1 + float64(ix.len())/float64(1+len(ps)))
		next := map[int]float64{}
		for _, p := range ps {
			if prev, ok := scores[int(p.Doc)]; ok || n == 0 {
				next[int(p.Doc)] = prev + float64(p.Weight)*idf
			}
		}
		scores = next
		if len(scores) == 0 {
			break
		}
	}
	var hits []Hit
	for i, score := range scores {
		rb := ix.doc(i)
		if q.matches(rb) {
			hits = append(hits, Hit{Runbook: rb, Score: math.Round(score*1000) / 1000})
		}
	}
	slices.SortFunc(hits, func(a, b Hit) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.Runbook.ID, b.Runbook.ID)
	})
	return hits
}

func (q Query) matches(rb *Runbook) bool {
	for _, t := range q.Tags {
		if !slices.Contains(rb.Tags, strings.ToLower(t)) {
			return false
		}
	}
	if q.Severity != 0 && rb.Severity != q.Severity {
		return false
	}
	date := rb.Updated
	if date.IsZero() {
		date = rb.Created
	}
	if !q.After.IsZero() && date.Before(q.After) {
		return false
	}
	if !q.Before.IsZero() && !date.Before(q.Before) {
		return false
	}
	return true
}

// ParseDate reads a YYYY-MM-DD date, for --after and --before.
func ParseDate(s string) (time.Time, error) { return parseDate("date", s) }
