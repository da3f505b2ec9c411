//go:build !unix

package matrix

import (
	"os/exec"
	"time"
)

// ownProcessGroup relies on exec's default cancellation (Process.Kill)
// where process groups are not available.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.WaitDelay = 10 * time.Second
}
