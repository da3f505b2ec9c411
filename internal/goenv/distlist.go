package goenv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// Port is one GOOS/GOARCH pair the installed toolchain can build for, as
// `go tool dist list -json` describes it.
type Port struct {
	GOOS         string `json:"GOOS"`
	GOARCH       string `json:"GOARCH"`
	CgoSupported bool   `json:"CgoSupported"`
	FirstClass   bool   `json:"FirstClass"`
	// Broken ports are listed only with -broken; kept for completeness.
	Broken bool `json:"Broken,omitempty"`
}

// DistList runs `go tool dist list -json` once with environ and returns the
// ports of the installed toolchain, in the toolchain's order. The list is
// never hard-coded: a newer or older Go has other ports.
func DistList(ctx context.Context, environ []string) ([]Port, error) {
	gobin, err := LookPath("go", environ)
	if err != nil {
		return nil, &Error{Err: err}
	}
	cmd := exec.CommandContext(ctx, gobin, "tool", "dist", "list", "-json")
	cmd.Env = append(append([]string(nil), environ...), "GOTOOLCHAIN=local")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, &Error{Binary: gobin, Err: err, Stderr: stderr.String()}
	}
	ports, err := ParseDistList(stdout.Bytes())
	if err != nil {
		return nil, &Error{Binary: gobin, Err: err}
	}
	return ports, nil
}

// ParseDistList reads the output of `go tool dist list -json`. Entries
// without a GOOS or GOARCH, or with characters the go command never uses in
// them, are rejected: they mean the input is not what it claims to be.
func ParseDistList(data []byte) ([]Port, error) {
	var ports []Port
	if err := json.Unmarshal(data, &ports); err != nil {
		return nil, fmt.Errorf("parsing go tool dist list -json: %w", err)
	}
	if len(ports) == 0 {
		return nil, errors.New("parsing go tool dist list -json: no ports listed")
	}
	for i, p := range ports {
		if !isPortWord(p.GOOS) || !isPortWord(p.GOARCH) {
			return nil, fmt.Errorf("parsing go tool dist list -json: entry %d: invalid GOOS/GOARCH %q/%q", i, p.GOOS, p.GOARCH)
		}
	}
	return ports, nil
}

// isPortWord reports whether s looks like a GOOS or GOARCH value: lower-case
// letters and digits only.
func isPortWord(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) < 0
}

// FirstClassPorts returns the first-class ports of ports.
func FirstClassPorts(ports []Port) []Port {
	var out []Port
	for _, p := range ports {
		if p.FirstClass {
			out = append(out, p)
		}
	}
	return out
}

// FindPort returns the port goos/goarch, or false when the toolchain does
// not know it.
func FindPort(ports []Port, goos, goarch string) (Port, bool) {
	for _, p := range ports {
		if p.GOOS == goos && p.GOARCH == goarch {
			return p, true
		}
	}
	return Port{}, false
}
