package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMetricsTextfileIntoFIFO: --textfile naming something that is not a
// regular file (a FIFO here; /dev/stdout in a job) is written into, not
// replaced by a renamed temporary file.
func TestMetricsTextfileIntoFIFO(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"go.mod": "module example.com/m\n\ngo 1.26\n"})
	fifo := filepath.Join(dir, "goport.prom")
	read := fifoReader(t, fifo)
	code, _, stderr := run(t, false, testEnviron(t), "metrics", "--textfile", fifo, dir)
	if code != ExitOK {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("goport.prom is no longer the FIFO: %v, %v", fi, err)
	}
	if got := <-read; !strings.Contains(got, "goport_history_skipped_files 0") {
		t.Errorf("the FIFO carried %q, not the metrics", got)
	}
}
