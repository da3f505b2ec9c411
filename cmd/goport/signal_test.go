package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// goportBinary is this test binary under the name goport, which TestMain
// turns into the real command.
func goportBinary(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "goport")
	if err := os.Symlink(self, bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

// A command blocked reading a pipe that never ends must still stop on
// Ctrl-C, with the documented exit code and one line on stderr.
func TestInterruptWhileReadingStdin(t *testing.T) {
	for _, args := range [][]string{{"explain", "-"}, {"docs", "check", "-"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(goportBinary(t), args...)
			stdin, err := cmd.StdinPipe() // held open: the read never ends
			if err != nil {
				t.Fatal(err)
			}
			defer stdin.Close()
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			cmd.Env = append(os.Environ(), "GOPORT_NO_HISTORY=1")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			if _, err := stdin.Write([]byte("line one\n")); err != nil {
				t.Fatal(err)
			}
			// One SIGINT, once goport is surely past start-up; it must end
			// the command, not wait for a second one.
			time.Sleep(time.Second)
			if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			var werr error
			select {
			case werr = <-exited:
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("still running 30s after SIGINT; stderr:\n%s", stderr.String())
			}
			var ee *exec.ExitError
			if !errors.As(werr, &ee) {
				t.Fatalf("exit: %v", werr)
			}
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				t.Skip("the signal arrived before goport installed its handler (a loaded machine)")
			}
			if ee.ExitCode() != 3 {
				t.Errorf("exit code %d, want 3; stderr:\n%s", ee.ExitCode(), stderr.String())
			}
			if lines := strings.Split(strings.TrimSpace(stderr.String()), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "interrupted") {
				t.Errorf("stderr is not one line naming the interrupt:\n%s", stderr.String())
			}
		})
	}
}
