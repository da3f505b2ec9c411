package release

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/goport/goport/internal/goenv"
)

// zipEpoch is the earliest time a zip entry can carry (MS-DOS dates).
var zipEpoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// SourceDate is the time stamped into a release: SOURCE_DATE_EPOCH when
// set (the reproducible-builds.org convention), else the committer date
// of HEAD when dir is in a git work tree, else 1980-01-01, so that the
// same sources always give the same archives.
func SourceDate(ctx context.Context, dir string, environ []string) (time.Time, error) {
	if v, ok := goenv.Getenv(environ, "SOURCE_DATE_EPOCH"); ok && v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q is not a number of seconds", v)
		}
		return clampDate(time.Unix(n, 0)), nil
	}
	git, err := goenv.LookPath("git", environ)
	if err != nil {
		return zipEpoch, nil
	}
	cmd := exec.CommandContext(ctx, git, "log", "-1", "--format=%ct")
	cmd.Dir, cmd.Env = dir, environ
	out, err := cmd.Output()
	if err != nil {
		return zipEpoch, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		return zipEpoch, nil
	}
	return clampDate(time.Unix(n, 0)), nil
}

func clampDate(t time.Time) time.Time {
	if t.Before(zipEpoch) {
		return zipEpoch
	}
	return t.UTC()
}
