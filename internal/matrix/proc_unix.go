//go:build unix

package matrix

import (
	"os/exec"
	"syscall"
	"time"
)

// ownProcessGroup puts cmd in a new process group and makes cancellation
// kill the whole group: the go command's compiler and linker children die
// with it instead of writing on after goport has gone.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	cmd.WaitDelay = 10 * time.Second
}
