package doctor

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/goport/goport/internal/finding"
)

// minFreeSpace is the free space below which GP-CACHE-002 reports a cache
// filesystem: a cold build of a medium module and its dependencies fills
// several hundred megabytes of GOCACHE and GOMODCACHE.
const minFreeSpace = 1 << 30

func cacheChecks() []Check {
	return []Check{
		{
			Rule: finding.Rule{
				ID:       "GP-CACHE-001",
				Title:    "GOCACHE, GOMODCACHE or GOPATH is not usable",
				Severity: finding.Error,
				Explanation: "Every build writes to the build cache (GOCACHE), every download to the module " +
					"cache (GOMODCACHE, by default GOPATH/pkg/mod), and `go install` to GOPATH/bin. The go " +
					"command creates these directories when they are missing, but fails when it cannot: a " +
					"parent that is a file or read-only (a read-only home in a container, a cache volume " +
					"mounted as another user) gives `failed to initialize build cache at ...: mkdir ...: " +
					"permission denied`; a relative path is rejected outright " +
					"(`build cache is required, but could not be located: GOCACHE is not an absolute path`, " +
					"`GOPATH entry is relative; must be absolute path`); `GOCACHE=off` has been refused " +
					"since Go 1.12; and with neither HOME nor the variables set there is no location at all " +
					"(`module cache not found: neither GOMODCACHE nor GOPATH is set`), typical of stripped " +
					"CI and systemd environments.",
				Fix: "Point the variable at an absolute directory the build user can write, e.g. " +
					"`export GOCACHE=$HOME/.cache/go-build GOMODCACHE=$HOME/go/pkg/mod`, or fix the " +
					"directory's owner and permissions.",
			},
			Run: checkCacheDirsUsable,
		},
		cacheSpaceCheck(minFreeSpace),
		{
			Rule: finding.Rule{
				ID:       "GP-CACHE-003",
				Title:    "Module inside GOPATH/src",
				Severity: finding.Info,
				Explanation: "GOPATH/src is where GOPATH mode looks for packages by import path. A module " +
					"checked out there builds in module mode today (GO111MODULE defaults to `on`), but any " +
					"tool or script that runs with `GO111MODULE=off` or `auto` outside the module, and older " +
					"editors and linters, resolve its imports from GOPATH/src instead of go.mod — other " +
					"versions, or `cannot find package` when the directory does not match the module path. " +
					"It also invites copies of the same module in two places (GOPATH/src and the module " +
					"cache) that drift apart.",
				Fix: "Move the module out of GOPATH/src (any directory works in module mode), or point " +
					"GOPATH elsewhere.",
			},
			Run: checkModuleInGopathSrc,
		},
	}
}

// goDir is a directory setting the go command writes to.
type goDir struct {
	Setting Setting
	Path    string
	// Default says the location was derived, not set by the user.
	Default bool
}

// cacheDirs returns GOCACHE, GOMODCACHE and the first GOPATH entry (where
// `go install` and the default module cache write), with their effective
// values. When the go command failed, defaults are derived from the
// environment the way it would derive them.
func (c *Context) cacheDirs() []goDir {
	var dirs []goDir
	for _, key := range []string{"GOCACHE", "GOMODCACHE", "GOPATH"} {
		s := c.Setting(key)
		d := goDir{Setting: s, Path: s.Value, Default: s.Source == "default"}
		if key == "GOPATH" {
			d.Path = firstListEntry(s.Value)
		}
		if d.Default && c.Go == nil {
			d.Path = c.defaultGoDir(key)
			d.Setting.Value = d.Path
		}
		dirs = append(dirs, d)
	}
	return dirs
}

func firstListEntry(list string) string {
	for _, p := range filepath.SplitList(list) {
		if p != "" {
			return p
		}
	}
	return ""
}

// defaultGoDir mirrors the go command's defaults: GOCACHE in the user cache
// directory, GOPATH in $HOME/go, GOMODCACHE in GOPATH/pkg/mod.
func (c *Context) defaultGoDir(key string) string {
	home := c.Getenv("HOME")
	if runtime.GOOS == "windows" {
		home = c.Getenv("USERPROFILE")
	}
	switch key {
	case "GOCACHE":
		if runtime.GOOS == "windows" {
			if d := c.Getenv("LocalAppData"); d != "" {
				return filepath.Join(d, "go-build")
			}
			return ""
		}
		if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
			if home == "" {
				return ""
			}
			return filepath.Join(home, "Library", "Caches", "go-build")
		}
		if d := c.Getenv("XDG_CACHE_HOME"); d != "" {
			return filepath.Join(d, "go-build")
		}
		if home == "" {
			return ""
		}
		return filepath.Join(home, ".cache", "go-build")
	case "GOPATH":
		if home == "" {
			return ""
		}
		return filepath.Join(home, "go")
	case "GOMODCACHE":
		gopath := firstListEntry(c.Setting("GOPATH").Value)
		if gopath == "" {
			gopath = c.defaultGoDir("GOPATH")
		}
		if gopath == "" {
			return ""
		}
		return filepath.Join(gopath, "pkg", "mod")
	}
	return ""
}

func checkCacheDirsUsable(c *Context) []finding.Finding {
	dirs := c.cacheDirs() // GOCACHE, GOMODCACHE, GOPATH
	var fs []finding.Finding
	gopathBroken := false
	for i := len(dirs) - 1; i >= 0; i-- {
		d := dirs[i]
		if d.Setting.Key == "GOMODCACHE" && d.Default && gopathBroken {
			continue // derived from GOPATH: one finding says it
		}
		if f, ok := cacheDirProblem(c, d); ok {
			fs = append([]finding.Finding{f}, fs...)
			gopathBroken = gopathBroken || d.Setting.Key == "GOPATH"
		}
	}
	return fs
}

// cacheDirProblem says why the go command cannot use d, in its own words
// where it has them.
func cacheDirProblem(c *Context, d goDir) (finding.Finding, bool) {
	key := d.Setting.Key
	ev := []finding.Evidence{d.Setting.Evidence()}
	set := func(v string) string { return "export " + key + "=" + v }
	if d.Setting.Source != "environment" && !d.Default {
		set = func(v string) string { return "go env -w " + key + "=" + v }
	}
	home := c.Getenv("HOME")
	if home == "" {
		home = "$HOME"
	}
	suggest := map[string]string{
		"GOCACHE":    filepath.Join(home, ".cache", "go-build"),
		"GOMODCACHE": filepath.Join(home, "go", "pkg", "mod"),
		"GOPATH":     filepath.Join(home, "go"),
	}[key]
	switch {
	case key == "GOCACHE" && d.Path == "off":
		return finding.Finding{
			Message:  "GOCACHE=off disables the build cache, which the go command has required since Go 1.12: builds fail with `build cache is disabled by GOCACHE=off, but required as of Go 1.12`.",
			Evidence: ev, Fix: set(suggest),
		}, true
	case d.Path == "" && d.Default:
		if key == "GOPATH" {
			return finding.Finding{}, false // GOMODCACHE carries the consequence
		}
		why := map[string]string{
			"GOCACHE":    "build cache is required, but could not be located: GOCACHE is not defined and neither $XDG_CACHE_HOME nor $HOME are defined",
			"GOMODCACHE": "module cache not found: neither GOMODCACHE nor GOPATH is set",
		}[key]
		return finding.Finding{
			Message:  fmt.Sprintf("%s has no location: it is not set and HOME is not set either, so the go command fails with `%s`.", key, why),
			Evidence: []finding.Evidence{{Text: "HOME=" + c.Getenv("HOME") + " (environment)"}},
			Fix:      set("/absolute/writable/dir") + " (or set HOME)",
		}, true
	case d.Path == "":
		return finding.Finding{}, false
	}
	if key == "GOPATH" {
		for _, p := range filepath.SplitList(d.Setting.Value) {
			if p != "" && !filepath.IsAbs(p) {
				return finding.Finding{
					Message:  fmt.Sprintf("GOPATH entry %q is relative; the go command refuses it: `go: GOPATH entry is relative; must be absolute path: %q`.", p, p),
					Evidence: ev, Fix: set(suggest),
				}, true
			}
		}
	}
	if !filepath.IsAbs(d.Path) {
		msg := map[string]string{
			"GOCACHE":    "build cache is required, but could not be located: GOCACHE is not an absolute path",
			"GOMODCACHE": fmt.Sprintf("GOMODCACHE entry is relative; must be absolute path: %q", d.Path),
		}[key]
		return finding.Finding{
			Message:  fmt.Sprintf("%s=%s is a relative path, which the go command rejects: `%s`.", key, d.Path, msg),
			Evidence: ev, Fix: set(suggest),
		}, true
	}
	if err := writableDir(d.Path); err != nil {
		what := map[string]string{
			"GOCACHE":    "every build fails (`failed to initialize build cache`)",
			"GOMODCACHE": "module downloads fail",
			"GOPATH":     "`go install` and the default module cache fail",
		}[key]
		if d.Default {
			ev = []finding.Evidence{{Text: key + "=" + d.Path + " (default)"}}
		}
		return finding.Finding{
			Message:  fmt.Sprintf("%s=%s is not writable (%s): %s.", key, d.Path, err, what),
			Evidence: ev, Fix: set(suggest) + " (or make " + d.Path + " writable by this user)",
		}, true
	}
	return finding.Finding{}, false
}

// writableDir checks that the go command could create and write dir: it
// creates and removes a temporary file in dir or, when dir does not exist
// yet, in its nearest existing parent (the go command creates the rest).
func writableDir(dir string) error {
	existing, err := nearestExisting(dir)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(existing, ".goport-write-test-*")
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return fmt.Errorf("cannot create files in %s: %w", existing, pe.Err)
		}
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// nearestExisting returns dir or its closest existing ancestor, which must
// be a directory.
func nearestExisting(dir string) (string, error) {
	for p := filepath.Clean(dir); ; {
		fi, err := os.Stat(p)
		switch {
		case err == nil && fi.IsDir():
			return p, nil
		case err == nil:
			return "", fmt.Errorf("%s is a file, not a directory", p)
		}
		// Missing, or "not a directory" below a file: look further up.
		parent := filepath.Dir(p)
		if parent == p {
			return "", fmt.Errorf("no existing parent directory of %s", dir)
		}
		p = parent
	}
}

// cacheSpaceCheck reports cache directories on a filesystem with less
// than minFree bytes available.
func cacheSpaceCheck(minFree uint64) Check {
	return Check{
		Rule: finding.Rule{
			ID:       "GP-CACHE-002",
			Title:    "Go caches on a filesystem with under 1 GiB free",
			Severity: finding.Warning,
			Explanation: "The build cache grows by the size of every package compiled (a cold build of a " +
				"medium service and its dependencies writes several hundred megabytes; test and race " +
				"builds more), and the module cache keeps every downloaded module version unpacked. On a " +
				"nearly full filesystem builds fail midway with `no space left on device`, often inside a " +
				"dependency, and a full disk takes the rest of the machine with it. The go command trims " +
				"only build-cache entries unused for five days.",
			Fix: "Free space (`go clean -cache` empties the build cache, `go clean -modcache` the module " +
				"cache) or move GOCACHE/GOMODCACHE to a larger filesystem.",
		},
		Run: func(c *Context) []finding.Finding { return checkCacheSpace(c, minFree) },
	}
}

func checkCacheSpace(c *Context, minFree uint64) []finding.Finding {
	var fs []finding.Finding
	seen := map[string]bool{}
	for _, d := range c.cacheDirs() {
		if d.Path == "" || !filepath.IsAbs(d.Path) || (d.Setting.Key == "GOCACHE" && d.Path == "off") {
			continue
		}
		existing, err := nearestExisting(d.Path)
		if err != nil {
			continue // GP-CACHE-001 reports it
		}
		free, fsID, ok := freeSpace(existing)
		if !ok || free >= minFree {
			continue
		}
		if fsID != "" {
			if seen[fsID] {
				continue
			}
			seen[fsID] = true
		}
		fs = append(fs, finding.Finding{
			Message: fmt.Sprintf("%s=%s is on a filesystem with only %s free (under %s): builds and downloads may fail with `no space left on device`.",
				d.Setting.Key, d.Path, formatBytes(free), formatBytes(minFree)),
			Evidence: []finding.Evidence{{Text: fmt.Sprintf("%s=%s, %s free at %s", d.Setting.Key, d.Path, formatBytes(free), existing)}},
			Fix:      "go clean -cache (and go clean -modcache), or move " + d.Setting.Key + " to a filesystem with more space",
		})
	}
	return fs
}

func formatBytes(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func checkModuleInGopathSrc(c *Context) []finding.Finding {
	if c.Mod == nil {
		return nil
	}
	gopath := c.Setting("GOPATH")
	root := resolvedPath(c.Root)
	for _, entry := range filepath.SplitList(gopath.Value) {
		if entry == "" || !filepath.IsAbs(entry) {
			continue
		}
		src := resolvedPath(filepath.Join(entry, "src"))
		rel, err := filepath.Rel(src, root)
		if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		importPath := filepath.ToSlash(rel)
		modPath := ""
		if c.Mod.File != nil && c.Mod.File.Module != nil {
			modPath = c.Mod.File.Module.Mod.Path
		}
		f := finding.Finding{
			Message: fmt.Sprintf("The module %s is inside GOPATH/src (%s): tools in GOPATH mode see it as import path %q and resolve its imports from GOPATH/src, not go.mod.",
				modPath, src, importPath),
			Evidence: []finding.Evidence{gopath.Evidence(), {Text: "module root " + c.Root}},
			Fix:      fmt.Sprintf("move the module out of %s (e.g. mv %s ~/src/)", src, c.Root),
		}
		mode := strings.TrimSpace(c.Setting("GO111MODULE").Value)
		switch {
		case mode == "off" || mode == "auto":
			f.Severity = finding.Warning
			f.Message = strings.TrimSuffix(f.Message, ".") + ", and GO111MODULE=" + mode + " puts the go command itself in GOPATH mode."
		case modPath != "" && modPath != importPath:
			f.Severity = finding.Warning
			f.Message = strings.TrimSuffix(f.Message, ".") + fmt.Sprintf(", which does not match the module path %s, so such tools cannot find its packages.", modPath)
		}
		return []finding.Finding{f}
	}
	return nil
}

// resolvedPath resolves symlinks in p as far as it exists.
func resolvedPath(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return filepath.Clean(p)
}
