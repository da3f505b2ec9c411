package upgrade

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/goenv"
)

// gitRoot returns the directory holding .git at or above dir, or "".
func gitRoot(dir string) string {
	for {
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// checkBuildVCS reports VCS stamping, which go build does from Go 1.18 on
// for main packages inside a repository: it runs git, and a git that fails
// (not a safe.directory for this user in a CI container, a broken
// checkout) fails the build. The same git command is run here to tell.
func (a *analysis) checkBuildVCS(ctx context.Context) {
	if a.from >= 18 || a.to < 18 || strings.Contains(a.env.Get("GOFLAGS"), "-buildvcs=false") {
		return
	}
	if _, ok := a.uses.has(keyMain); !ok {
		return
	}
	repo := gitRoot(a.root)
	if repo == "" {
		return
	}
	ev := finding.Evidence{Location: &finding.Location{Path: a.rel(filepath.Join(repo, ".git"))}}
	gitBin, err := goenv.LookPath("git", a.opts.Environ)
	if err != nil {
		return // without git the go command does not stamp
	}
	cmd := exec.CommandContext(ctx, gitBin, "status", "--porcelain")
	cmd.Dir = a.root
	cmd.Env = a.opts.Environ
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		ev.Text = fmt.Sprintf("git status: %v", commandError(err, stderr.Bytes()))
		a.add(finding.Finding{Rule: RuleBuildVCS, Severity: finding.Error,
			Message:  "go build of the main packages will fail: Go 1.18+ stamps VCS information and git fails here (error obtaining VCS status)",
			Evidence: []finding.Evidence{ev},
			Fix:      "build with -buildvcs=false (GOFLAGS=-buildvcs=false), or fix git access, e.g. git config --global --add safe.directory <checkout>"})
		return
	}
	ev.Text = "repository found; git works here"
	a.add(finding.Finding{Rule: RuleBuildVCS,
		Message:  "from Go 1.18, go build runs git to stamp VCS information into binaries; builds fail where git fails (CI containers whose checkout belongs to another user)",
		Evidence: []finding.Evidence{ev},
		Fix:      "in CI, add the checkout to git's safe.directory or build with -buildvcs=false"})
}
