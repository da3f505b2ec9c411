package htmlreport

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goport/goport/internal/cross"
	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/matrix"
	"github.com/goport/goport/internal/target"
	"github.com/goport/goport/internal/triage"
)

// chromiumPath is where Debian's chromium package (.ci/packages.txt)
// installs the browser.
const chromiumPath = "/usr/bin/chromium"

// TestChromium builds a tiny module for five targets with the real go
// command (windows fails: syscall.SIGUSR1 does not exist there), renders
// the page and opens it in headless Chromium: the DOM the browser builds
// must show the heat map, the sizes and the failure's runbook, and the
// screenshot must be a real PNG (kept in the test's temp dir; set
// GOPORT_KEEP_SCREENSHOT=path to copy it out).
func TestChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("no headless browser: %v (Debian: apt-get install chromium)", err)
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skipf("no go command: %v", err)
	}
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	dir := t.TempDir()
	for name, body := range map[string]string{
		"go.mod":  "module example.com/tiny\n\ngo 1.26\n",
		"main.go": "package main\n\nimport (\n\t\"fmt\"\n\t\"syscall\"\n)\n\nfunc main() { fmt.Println(syscall.Getuid(), syscall.SIGUSR1) }\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := runMatrix(t, ctx, dir, "linux/amd64", "linux/amd64/v3", "linux/arm64", "darwin/arm64", "windows/amd64")
	in, err := Parse("matrix.json", matrixReport(t, res))
	if err != nil {
		t.Fatal(err)
	}
	var page bytes.Buffer
	if err := Write(&page, []*Input{in}, builtins(t), Options{Generated: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	file := filepath.Join(out, "report.html")
	if err := os.WriteFile(file, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	dom := chromium(t, ctx, out, "--dump-dom", "file://"+file)
	doc, err := parseHTML(dom)
	if err != nil {
		t.Fatalf("parsing Chromium's DOM: %v\n%s", err, dom)
	}
	cells := map[string]string{} // "goos/goarch" → class: text
	for _, table := range find(doc, func(n *node) bool { return n.Data == "table" && hasClass(n, "heat") }) {
		var arches []string
		for _, th := range find(table, func(n *node) bool { return n.Data == "th" && n.parent.parent.Data == "thead" }) {
			arches = append(arches, text(th))
		}
		for _, tr := range find(table, func(n *node) bool { return n.Data == "tr" && n.parent.Data == "tbody" }) {
			tds := find(tr, func(n *node) bool { return n.Data == "td" })
			goos := text(find(tr, func(n *node) bool { return n.Data == "th" })[0])
			for i, td := range tds {
				cls, _ := attr(td, "class")
				cells[goos+"/"+arches[i+1]] = cls + ": " + text(td)
			}
		}
	}
	for tgt, want := range map[string]string{
		"linux/amd64":   "s-built: ✓ built",
		"linux/arm64":   "s-built: ✓ built",
		"darwin/arm64":  "s-built: ✓ built",
		"windows/amd64": "s-failed: ✗ build failed GP-BUILD-026",
		"windows/arm64": "s-none: not in report",
	} {
		if !strings.HasPrefix(cells[tgt], want) {
			t.Errorf("heat map cell %s = %q, want it to start with %q", tgt, cells[tgt], want)
		}
	}
	if !strings.Contains(cells["linux/amd64"], "GOAMD64=v3 built") {
		t.Errorf("linux/amd64 cell lacks its v3 variant: %q", cells["linux/amd64"])
	}
	var sizeRows []string
	for _, tr := range find(doc, func(n *node) bool {
		return n.Data == "tr" && n.parent.parent != nil && hasClass(n.parent.parent, "sizes")
	}) {
		sizeRows = append(sizeRows, text(tr))
	}
	for _, p := range res.Pairs {
		if p.Status != matrix.OK {
			continue
		}
		want := p.Target.String() + " example.com/tiny " + groupDigits(p.Size)
		if !containsPrefix(sizeRows, want) {
			t.Errorf("sizes table lacks %q: %q", want, sizeRows)
		}
	}
	failures := find(doc, func(n *node) bool { return n.Data == "article" && hasClass(n, "failure") })
	if len(failures) != 1 {
		t.Fatalf("Chromium shows %d failures, want 1", len(failures))
	}
	for _, want := range []string{"windows/amd64", "explained by GP-BUILD-026", "undefined: syscall.SIGUSR1", "//go:build unix"} {
		if !strings.Contains(text(failures[0]), want) {
			t.Errorf("failure lacks %q: %s", want, text(failures[0]))
		}
	}

	shot := filepath.Join(out, "report.png")
	chromium(t, ctx, out, "--screenshot="+shot, "--window-size=1280,1600", "file://"+file)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 1600 {
		t.Errorf("screenshot is %v, want 1280×1600", b)
	}
	if keep := os.Getenv("GOPORT_KEEP_SCREENSHOT"); keep != "" {
		data, err := os.ReadFile(shot)
		if err == nil {
			err = os.WriteFile(keep, data, 0o644)
		}
		if err != nil {
			t.Error(err)
		}
	}
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// chromium runs the headless browser with a private profile and nothing
// that reaches the network on its own; it returns stdout.
func chromium(t *testing.T, ctx context.Context, tmp string, args ...string) string {
	t.Helper()
	profile, err := os.MkdirTemp(tmp, "profile-")
	if err != nil {
		t.Fatal(err)
	}
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile}
	cmd := exec.CommandContext(ctx, chromiumPath, append(base, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+profile)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// runMatrix plans and runs a real matrix over dir, explaining failures
// with the built-in runbooks, as goport matrix does.
func runMatrix(t *testing.T, ctx context.Context, dir string, targets ...string) *matrix.Result {
	t.Helper()
	env, err := goenv.Load(ctx, dir, os.Environ())
	if err != nil {
		t.Fatal(err)
	}
	ports, err := goenv.DistList(ctx, os.Environ())
	if err != nil {
		t.Fatal(err)
	}
	var ts []target.Target
	for _, s := range targets {
		tg, err := target.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		ts = append(ts, tg)
	}
	inv := cross.Discover(ctx, cross.Options{Environ: os.Environ(), GoEnv: env, Host: goenv.DetectHost()})
	plan, err := matrix.MakePlan(ctx, matrix.PlanOptions{Dir: dir, Targets: ts, Cgo: matrix.CgoOff, Jobs: 2, Environ: os.Environ(), Ports: ports, Cross: inv})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := triage.New(builtins(t).Runbooks())
	if err != nil {
		t.Fatal(err)
	}
	res, err := matrix.Run(ctx, matrix.Options{Dir: dir, Environ: os.Environ(), GoEnv: env, OutDir: filepath.Join(dir, "dist"), Jobs: 2, Cross: inv, Triage: func() *triage.Engine { return eng }}, plan)
	if err != nil {
		t.Fatal(err)
	}
	return res
}
