package goenv

import "runtime"

// Host describes the machine goport runs on, as the hardware and kernel see
// it — which may differ from the GOHOSTARCH of the go binary when that binary
// runs under Rosetta 2 or another emulator.
type Host struct {
	GOOS string `json:"goos"`
	// GOARCH is the machine's real architecture in GOARCH spelling, or ""
	// when it could not be determined.
	GOARCH string `json:"goarch"`
	// Machine is the kernel's own name for the architecture (uname -m).
	Machine string `json:"machine,omitempty"`
	// Translated is true when this process itself runs under translation
	// (Rosetta 2's sysctl.proc_translated).
	Translated bool `json:"translated,omitempty"`
}

// DetectHost reads the real machine architecture.
func DetectHost() Host {
	h := Host{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH}
	detectMachine(&h)
	return h
}
