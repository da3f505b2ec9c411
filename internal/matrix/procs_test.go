package matrix

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/target"
)

func TestCPUShares(t *testing.T) {
	t.Parallel()
	build, skip := Pair{}, Pair{Skip: "excluded"}
	fail := Pair{Fail: "no compiler"}
	for _, tt := range []struct {
		name    string
		pairs   []Pair
		jobs    int
		cpus    int
		environ []string
		want    []int
	}{
		{"two at a time on two CPUs; the last alone gets both", []Pair{build, build, build, build}, 2, 2, nil, []int{1, 1, 1, 2}},
		{"rounded up", []Pair{build, build, build, build}, 3, 8, nil, []int{3, 3, 4, 8}},
		{"skipped and failed pairs build nothing", []Pair{build, skip, build, fail, build}, 2, 4, nil, []int{2, 2, 2, 4, 4}},
		{"one job", []Pair{build, build}, 1, 2, nil, []int{2, 2}},
		{"jobs unset", []Pair{build}, 0, 4, nil, []int{4}},
		{"more jobs than CPUs", []Pair{build, build, build, build}, 4, 2, nil, []int{1, 1, 1, 2}},
		{"nothing builds", []Pair{skip, fail}, 2, 2, nil, []int{0, 0}},
		{"the environment's GOMAXPROCS wins", []Pair{build, build}, 2, 2, []string{"GOMAXPROCS=3"}, []int{0, 0}},
	} {
		if diff := cmp.Diff(tt.want, cpuShares(tt.pairs, tt.jobs, tt.cpus, tt.environ)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestBuildsGetTheirShare runs the matrix with a go command that records
// the GOMAXPROCS each build gets, then runs the real one.
func TestBuildsGetTheirShare(t *testing.T) {
	tc := loadToolchain(t)
	dir := writeModule(t, map[string]string{"cmd/hello/main.go": "package main\n\nfunc main() {}\n"})
	record := filepath.Join(t.TempDir(), "procs")
	wrapper := filepath.Join(t.TempDir(), "go")
	// Each build records "GOMAXPROCS,-p flag".
	script := "#!/bin/sh\np=none\nfor a; do case $a in -p=*) p=$a;; esac; done\n" +
		"if [ \"$1\" = build ]; then echo \"${GOMAXPROCS-unset},$p\" >>" + record + "; fi\nexec " + tc.env.GoBinary + " \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	env := *tc.env
	env.GoBinary = wrapper
	targets := []target.Target{{GOOS: "linux", GOARCH: "amd64"}, {GOOS: "linux", GOARCH: "arm64"}, {GOOS: "windows", GOARCH: "amd64"}}
	// The test's own environment may set GOMAXPROCS: the first case is
	// without it.
	bare := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "GOMAXPROCS=") })
	for _, tt := range []struct {
		name    string
		environ []string
		want    func(plan *Plan) []string
	}{
		{"shares", bare, func(plan *Plan) []string {
			var out []string
			for _, n := range cpuShares(plan.Pairs, 2, runtime.GOMAXPROCS(0), nil) {
				out = append(out, strconv.Itoa(n)+",-p="+strconv.Itoa(runtime.GOMAXPROCS(0)))
			}
			return out
		}},
		{"the environment's", append(slices.Clone(bare), "GOMAXPROCS=1"), func(plan *Plan) []string {
			return []string{"1,none", "1,none", "1,none"}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(record)
			environ := tt.environ
			plan, err := MakePlan(context.Background(), PlanOptions{Dir: dir, Targets: targets, Cgo: CgoOff, Jobs: 2, Environ: environ, Ports: tc.ports})
			if err != nil {
				t.Fatal(err)
			}
			res, err := Run(context.Background(), Options{Dir: dir, Environ: environ, GoEnv: &env, OutDir: filepath.Join(dir, "dist"), Jobs: 2}, plan)
			if err != nil {
				t.Fatal(err)
			}
			for _, pr := range res.Pairs {
				if pr.Status != OK {
					t.Fatalf("%s: %s %s", pr.Target, pr.Status, pr.Reason)
				}
			}
			data, err := os.ReadFile(record)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Fields(string(data))
			want := tt.want(plan)
			slices.Sort(got)
			slices.Sort(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("GOMAXPROCS of the builds (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParallelFlags(t *testing.T) {
	t.Parallel()
	cpus := "-p=" + strconv.Itoa(runtime.GOMAXPROCS(0))
	for _, tt := range []struct {
		goflags string
		procs   int
		want    []string
	}{
		{"", 1, []string{cpus}},
		{"-buildvcs=false -trimpath", 2, []string{cpus}},
		{"", 0, nil},
		{"-p=3", 1, nil},
		{"-buildvcs=false --p=4", 1, nil},
		{"-pgo=off", 1, []string{cpus}},
	} {
		opts := Options{GoEnv: &goenv.Env{Vars: map[string]string{"GOFLAGS": tt.goflags}}}
		if diff := cmp.Diff(tt.want, parallelFlags(opts, tt.procs)); diff != "" {
			t.Errorf("GOFLAGS=%q procs=%d (-want +got):\n%s", tt.goflags, tt.procs, diff)
		}
	}
}
