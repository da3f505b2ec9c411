package dockerfile

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/version"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/goport/goport/internal/atomicfile"
	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/matrix"
)

// Base is the final image family of a generated Dockerfile.
type Base string

const (
	BaseStatic     Base = "static"     // gcr.io/distroless/static: no C library
	BaseDistroless Base = "distroless" // gcr.io/distroless/base: glibc
	BaseAlpine     Base = "alpine"     // musl, with a shell
	BaseScratch    Base = "scratch"    // empty
)

// ParseBase reads a --base value; "" means the default for the build.
func ParseBase(s string) (Base, error) {
	switch b := Base(s); b {
	case "", BaseStatic, BaseDistroless, BaseAlpine, BaseScratch:
		return b, nil
	}
	return "", fmt.Errorf("invalid base %q: want static, distroless, alpine or scratch", s)
}

// xxImage is the tonistiigi/xx release generated cgo Dockerfiles use.
const xxImage = "tonistiigi/xx:1.6.1"

// minImageGo is the oldest Go a generated Dockerfile builds with: the
// first release with toolchain management, and one whose golang images
// exist in both -bookworm and -alpine variants. A module with an older go
// line builds with it unchanged (Go 1 compatibility).
const minImageGo = "1.21"

// Spec is everything a generated Dockerfile depends on.
type Spec struct {
	GoVersion string // the golang image version: 1.26.8 or 1.26
	Package   string // main package, relative to the module root: ./cmd/app
	Binary    string // executable name
	Cgo       bool
	Base      Base
	GoSum     bool // the module has a go.sum to copy before go mod download
	// OutsideReplaces are the go.mod replacements by directories outside
	// the module ("example.com/lib => ../lib"): not in the build context,
	// so go mod download in the image fails on them.
	OutsideReplaces []string
}

// GoMod is what the Dockerfile rules and the generator need of go.mod.
type GoMod struct {
	Path      string // as shown in findings
	Go        string // the go line: 1.26.8
	Toolchain string // the toolchain line: go1.26.8, or ""
	// OutsideReplaces are the replacements by a directory outside the
	// module root, as "old => dir".
	OutsideReplaces []string
}

// ParseGoMod reads the go and toolchain lines of a go.mod file.
func ParseGoMod(displayPath string, data []byte) (*GoMod, error) {
	mf, err := modfile.Parse(displayPath, data, nil)
	if err != nil {
		return nil, err
	}
	m := &GoMod{Path: displayPath}
	if mf.Go != nil {
		m.Go = mf.Go.Version
	}
	if mf.Toolchain != nil {
		m.Toolchain = mf.Toolchain.Name
	}
	for _, r := range mf.Replace {
		// A replacement without a version is a directory (modfile.IsDirectoryPath).
		if r.New.Version == "" && !filepath.IsLocal(filepath.FromSlash(r.New.Path)) {
			old := r.Old.Path
			if r.Old.Version != "" {
				old += " " + r.Old.Version
			}
			m.OutsideReplaces = append(m.OutsideReplaces, old+" => "+r.New.Path)
		}
	}
	return m, nil
}

// Want returns the Go version the module's build image needs: the higher
// of the go and toolchain lines, never below minImageGo. A toolchain name
// with a suffix (go1.26.8+custom) counts as its release.
func (m *GoMod) Want() string {
	want := "go" + minImageGo
	if m.Go != "" && version.IsValid("go"+m.Go) && version.Compare("go"+m.Go, want) > 0 {
		want = "go" + m.Go
	}
	tc := m.Toolchain
	if i := strings.IndexAny(tc, "+-"); i >= 0 {
		tc = tc[:i]
	}
	if version.IsValid(tc) && version.Compare(tc, want) > 0 {
		want = tc
	}
	return strings.TrimPrefix(want, "go")
}

// ImageTag is the golang image tag for Go version v on an OS variant
// (bookworm, alpine): the golang images publish every release that way,
// 1.26.8-bookworm, and each minor release as 1.26-bookworm.
func ImageTag(v, variant string) string {
	return v + "-" + variant
}

// InitOptions are the inputs of Plan.
type InitOptions struct {
	Dir     string   // a directory inside the module
	Package string   // main package pattern; "" finds the module's only one
	Cgo     bool     // force a cgo build
	Base    Base     // "" picks by cgo
	Environ []string // for the go command
}

// ErrSeveralMains lists the main packages when the module has several and
// none was named.
type ErrSeveralMains struct{ Packages []string }

func (e *ErrSeveralMains) Error() string {
	return fmt.Sprintf("the module has %d main packages; name one: %s", len(e.Packages), strings.Join(e.Packages, ", "))
}

// Plan reads the module with the go command and returns the module root
// and the Spec of its Dockerfile.
func Plan(ctx context.Context, opts InitOptions) (string, Spec, error) {
	env, err := goenv.Load(ctx, opts.Dir, opts.Environ)
	if err != nil {
		return "", Spec{}, fmt.Errorf("go env: %w", err)
	}
	gomod := env.Get("GOMOD")
	if gomod == "" || gomod == os.DevNull {
		return "", Spec{}, errors.New("not inside a module: no go.mod here or in any parent directory")
	}
	root := filepath.Dir(gomod)
	data, err := os.ReadFile(gomod)
	if err != nil {
		return "", Spec{}, err
	}
	mod, err := ParseGoMod("go.mod", data)
	if err != nil {
		return "", Spec{}, err
	}
	pkg := opts.Package
	if pkg == "" {
		mains, err := goList(ctx, root, opts.Environ, "-f", `{{if eq .Name "main"}}{{.Dir}}{{end}}`, "./...")
		if err != nil {
			return "", Spec{}, err
		}
		var rel []string
		for _, d := range strings.Fields(string(mains)) {
			rel = append(rel, relPackage(root, d))
		}
		slices.Sort(rel)
		switch len(rel) {
		case 0:
			return "", Spec{}, errors.New("the module has no main package")
		case 1:
			pkg = rel[0]
		default:
			return "", Spec{}, &ErrSeveralMains{Packages: rel}
		}
	}
	info, err := listPackage(ctx, root, opts.Environ, pkg)
	if err != nil {
		return "", Spec{}, err
	}
	if info.Name != "main" {
		return "", Spec{}, fmt.Errorf("%s is package %s, not a main package", pkg, info.Name)
	}
	_, sumErr := os.Stat(filepath.Join(root, "go.sum"))
	spec := Spec{
		GoVersion: mod.Want(),
		Package:   relPackage(root, info.Dir),
		Binary:    matrix.ExecName(info.ImportPath),
		Cgo:       opts.Cgo || info.cgo,
		Base:      opts.Base,
		GoSum:     sumErr == nil,

		OutsideReplaces: mod.OutsideReplaces,
	}
	return root, spec, nil
}

func relPackage(root, dir string) string {
	rel, err := filepath.Rel(root, dir)
	if err != nil || rel == "." {
		return "."
	}
	return "./" + filepath.ToSlash(rel)
}

type listedPackage struct {
	Dir, ImportPath, Name string
	cgo                   bool
}

// listPackage lists pkg and its dependencies for linux with cgo allowed,
// so that a package needing cgo there shows its CgoFiles. Standard
// packages do not count: net and os/user fall back to pure Go.
func listPackage(ctx context.Context, root string, environ []string, pkg string) (*listedPackage, error) {
	out, err := goList(ctx, root, environ, "-deps", "-json=Dir,ImportPath,Name,Standard,DepOnly,CgoFiles", "--", pkg)
	if err != nil {
		return nil, err
	}
	var main *listedPackage
	cgo := false
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			Dir, ImportPath, Name string
			Standard, DepOnly     bool
			CgoFiles              []string
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("reading go list output: %w", err)
		}
		if !p.Standard && len(p.CgoFiles) > 0 {
			cgo = true
		}
		if !p.DepOnly {
			if main != nil {
				return nil, fmt.Errorf("%s names several packages; name one main package", pkg)
			}
			main = &listedPackage{Dir: p.Dir, ImportPath: p.ImportPath, Name: p.Name}
		}
	}
	if main == nil {
		return nil, fmt.Errorf("%s: no such package", pkg)
	}
	main.cgo = cgo
	return main, nil
}

func goList(ctx context.Context, dir string, environ []string, args ...string) ([]byte, error) {
	gobin, err := goenv.LookPath("go", environ)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, gobin, append([]string{"list"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(slices.Clone(environ), "GOOS=linux", "CGO_ENABLED=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go list: %s", goError(stderr.String(), err))
	}
	return stdout.Bytes(), nil
}

// goError is the first line of the go command's stderr that is not
// progress ("go: downloading M V", "go: finding …"): the reason it failed.
func goError(stderr string, err error) string {
	for line := range strings.Lines(stderr) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "go: downloading ") || strings.HasPrefix(line, "go: finding ") || strings.HasPrefix(line, "go: extracting ") {
			continue
		}
		return strings.TrimPrefix(line, "go: ")
	}
	return err.Error()
}

// Render writes the Dockerfile and .dockerignore for spec.
func Render(spec Spec) (dockerfile, dockerignore []byte) {
	base := spec.Base
	if base == "" {
		base = BaseStatic
		if spec.Cgo {
			base = BaseDistroless
		}
	}
	// A cgo binary needs the final image's C library: glibc from a Debian
	// build stage for distroless/base, musl from an Alpine one for alpine,
	// and a static musl link for images without any C library.
	musl := spec.Cgo && base != BaseDistroless
	static := spec.Cgo && (base == BaseStatic || base == BaseScratch)
	variant := "bookworm"
	if musl {
		variant = "alpine"
	}
	bin := "/usr/local/bin/" + spec.Binary
	out := "/out/" + spec.Binary

	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("# syntax=docker/dockerfile:1")
	w("")
	w("# Written by goport dockerfile init for %s (go %s, cgo %s, %s final image).", spec.Package, spec.GoVersion, onOff(spec.Cgo), base)
	w("# Build for several platforms with:")
	w("#   docker buildx build --platform linux/amd64,linux/arm64,linux/arm/v7 -t %s .", spec.Binary)
	w("# The build stage runs natively on $BUILDPLATFORM and cross-compiles for $TARGETPLATFORM.")
	w("")
	if spec.Cgo {
		w("FROM --platform=$BUILDPLATFORM %s AS xx", xxImage)
		w("")
	}
	w("FROM --platform=$BUILDPLATFORM golang:%s AS build", ImageTag(spec.GoVersion, variant))
	if spec.Cgo {
		w("COPY --from=xx / /")
		if musl {
			w("RUN apk add --no-cache clang lld")
		} else {
			w("RUN apt-get update && apt-get install -y --no-install-recommends clang lld")
		}
	}
	w("WORKDIR /src")
	if spec.GoSum {
		w("COPY go.mod go.sum ./")
	} else {
		w("COPY go.mod ./")
	}
	w("RUN --mount=type=cache,target=/go/pkg/mod \\")
	w("    go mod download")
	// Everything above is the same for every target platform, so BuildKit
	// shares it; the target's C library comes after, and the source last.
	if spec.Cgo {
		w("ARG TARGETPLATFORM")
		if musl {
			w("RUN xx-apk add --no-cache gcc musl-dev")
		} else {
			w("RUN xx-apt-get install -y --no-install-recommends gcc libc6-dev")
		}
	}
	w("COPY . .")
	if spec.Cgo {
		ldflags := ""
		verify := "xx-verify"
		if static {
			ldflags = ` -ldflags="-linkmode=external -extldflags=-static"`
			verify = "xx-verify --static"
		}
		w("RUN --mount=type=cache,target=/go/pkg/mod \\")
		w("    --mount=type=cache,target=/root/.cache/go-build \\")
		w("    CGO_ENABLED=1 xx-go build -trimpath%s -o %s %s && \\", ldflags, out, spec.Package)
		w("    %s %s", verify, out)
	} else {
		w("ARG TARGETOS TARGETARCH TARGETVARIANT")
		w("RUN --mount=type=cache,target=/go/pkg/mod \\")
		w("    --mount=type=cache,target=/root/.cache/go-build \\")
		w("    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH GOARM=${TARGETVARIANT#v} \\")
		w("    go build -trimpath -o %s %s", out, spec.Package)
	}
	w("")
	switch base {
	case BaseStatic:
		w("FROM gcr.io/distroless/static-debian12:nonroot")
	case BaseDistroless:
		w("FROM gcr.io/distroless/base-debian12:nonroot")
	case BaseAlpine:
		w("FROM alpine:3")
	case BaseScratch:
		w("FROM scratch")
		w("COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/")
	}
	w("COPY --from=build %s %s", out, bin)
	w("USER 65532:65532")
	w(`ENTRYPOINT ["%s"]`, bin)

	// .goport holds goport's run history: a new file after every run,
	// which in the context would change COPY . . each time.
	ignore := "# Written by goport dockerfile init: keep the build context small.\n" +
		".git\n.goport\n.dockerignore\nDockerfile\n*.test\n*.out\n"
	return []byte(b.String()), []byte(ignore)
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// ErrExists is returned by Write when a file exists and force is false.
var ErrExists = errors.New("already exists")

// File is one file Write writes.
type File struct {
	Name string
	Data []byte
}

// Write writes files into dir in order, each through a temporary file
// renamed into place, so a reader never sees half a file. Without force it
// writes nothing when any of them exists.
func Write(dir string, files []File, force bool) ([]string, error) {
	for _, f := range files {
		fi, err := os.Lstat(filepath.Join(dir, f.Name))
		switch {
		case err == nil && fi.IsDir():
			// Not even --force replaces a directory.
			return nil, fmt.Errorf("%s: is a directory", f.Name)
		case err == nil && !force:
			return nil, fmt.Errorf("%s: %w (--force overwrites it)", f.Name, ErrExists)
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return nil, err
		}
	}
	var written []string
	for _, f := range files {
		p := filepath.Join(dir, f.Name)
		if err := atomicfile.WriteFile(p, f.Data, 0o644); err != nil {
			return written, err
		}
		written = append(written, p)
	}
	return written, nil
}
