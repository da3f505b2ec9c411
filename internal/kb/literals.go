package kb

import (
	"regexp/syntax"
	"slices"
	"strings"
	"unicode/utf8"
)

// Requirement is a set of alternative literals, one of which must occur in
// any line a pattern matches. Literals are lower-case: the prefilter folds
// ASCII case so that (?i) patterns can be prefiltered too.
type Requirement []string

// MinLiteral is the shortest literal worth prefiltering on; shorter ones
// occur on almost every line.
const MinLiteral = 3

// RequiredLiteral derives from an RE2 pattern the most selective set of
// literals of which one must appear in every matching line. ok is false
// when no useful literal can be derived (the pattern then runs on every
// line).
func RequiredLiteral(pattern string) (req Requirement, ok bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, false
	}
	best := pick(required(re.Simplify()))
	if best == nil {
		return nil, false
	}
	return best, true
}

// required returns requirements that all hold for any match of re.
func required(re *syntax.Regexp) []Requirement {
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return nil
		}
		return []Requirement{{ASCIILower(string(re.Rune))}}
	case syntax.OpCapture:
		return required(re.Sub[0])
	case syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
		return nil
	case syntax.OpConcat:
		var out []Requirement
		var run strings.Builder
		flush := func() {
			if run.Len() > 0 {
				out = append(out, Requirement{ASCIILower(run.String())})
				run.Reset()
			}
		}
		for _, sub := range re.Sub {
			if sub.Op == syntax.OpLiteral {
				run.WriteString(string(sub.Rune))
				continue
			}
			flush()
			out = append(out, required(sub)...)
		}
		flush()
		return out
	case syntax.OpAlternate:
		var alts Requirement
		for _, sub := range re.Sub {
			b := pick(required(sub))
			if b == nil {
				return nil
			}
			alts = append(alts, b...)
		}
		slices.Sort(alts)
		return []Requirement{slices.Compact(alts)}
	}
	return nil
}

// pick chooses the requirement whose shortest alternative is longest.
func pick(reqs []Requirement) Requirement {
	var best Requirement
	bestLen := 0
	for _, r := range reqs {
		if n := minLen(r); n >= MinLiteral && n > bestLen {
			best, bestLen = r, n
		}
	}
	return best
}

func minLen(r Requirement) int {
	n := -1
	for _, s := range r {
		if l := utf8.RuneCountInString(s); n < 0 || l < n {
			n = l
		}
	}
	return max(n, 0)
}

// ASCIILower lower-cases ASCII letters only, as the prefilter does.
func ASCIILower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
