//go:build windows

package goenv

const exeSuffix = ".exe"
