package cli

import (
	"io"
	"os"
	"syscall"
	"testing"
)

// fifoReader makes a FIFO at path and reads it to the end in the
// background; the channel gets what was read ("" when it could not be
// opened). It skips the test where FIFOs cannot be made.
func fifoReader(t *testing.T, path string) <-chan string {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	read := make(chan string, 1)
	go func() {
		f, err := os.Open(path)
		if err != nil {
			read <- ""
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		read <- string(b)
	}()
	return read
}
