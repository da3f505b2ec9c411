//go:build !linux && !darwin && !windows && !freebsd && !netbsd && !openbsd && !dragonfly

package goenv

// detectMachine has no way to ask the kernel on this system; GOARCH stays
// unknown so that no check compares against a guess.
func detectMachine(h *Host) {}
