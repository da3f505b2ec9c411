package triage

import "strings"

// abiNotes names a libstdc++ dual-ABI mismatch when the evidence shows a
// std::__cxx11 symbol: the classic sign that one side was built with
// _GLIBCXX_USE_CXX11_ABI=0 and the other with the default (1).
func abiNotes(ev []Line) []string {
	for _, l := range ev {
		t := l.Text
		switch {
		case strings.Contains(t, "[abi:cxx11]"), strings.Contains(t, "std::__cxx11::"):
			return []string{"the missing symbol uses the C++11 std::string ABI (std::__cxx11, [abi:cxx11]): the object that defines it was built with -D_GLIBCXX_USE_CXX11_ABI=0 (or an old compiler), the caller with the default _GLIBCXX_USE_CXX11_ABI=1"}
		case strings.Contains(t, "__cxx11") && strings.Contains(t, "_Z"):
			return []string{"the mangled symbol contains __cxx11 (std::__cxx11::basic_string, the C++11 string ABI): the library loaded at run time was built with -D_GLIBCXX_USE_CXX11_ABI=0, the binary against the default _GLIBCXX_USE_CXX11_ABI=1"}
		}
	}
	return nil
}
