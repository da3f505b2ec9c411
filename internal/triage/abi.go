package triage

import (
	"regexp"
	"strings"

	"github.com/ianlancetaylor/demangle"
)

// mangled finds Itanium C++ mangled names (as printed by ld.so and nm).
var mangled = regexp.MustCompile(`\b_Z[A-Za-z0-9_]{2,}`)

// maxDemangled bounds the demangled names noted per cause.
const maxDemangled = 4

// abiNotes demangles the C++ symbols of the evidence and names a libstdc++
// dual-ABI mismatch when a std::__cxx11 symbol is missing: the classic
// sign that one side was built with _GLIBCXX_USE_CXX11_ABI=0 and the other
// with the default (1).
func abiNotes(ev []Line) []string {
	var notes []string
	seen := map[string]bool{}
	texts := make([]string, 0, len(ev))
	for _, l := range ev {
		texts = append(texts, l.Text)
		for _, sym := range mangled.FindAllString(l.Text, -1) {
			if seen[sym] || len(seen) >= maxDemangled {
				continue
			}
			seen[sym] = true
			if d, err := demangle.ToString(sym); err == nil && d != sym {
				notes = append(notes, sym+" is "+d)
				texts = append(texts, d)
			}
		}
	}
	for _, t := range texts {
		if strings.Contains(t, "[abi:cxx11]") || strings.Contains(t, "std::__cxx11::") {
			return append(notes, "the missing symbol uses the C++11 std::string ABI (std::__cxx11, [abi:cxx11]): the object that should define it was built with -D_GLIBCXX_USE_CXX11_ABI=0 (or by an old compiler), the code that calls it with the default _GLIBCXX_USE_CXX11_ABI=1")
		}
	}
	return notes
}
