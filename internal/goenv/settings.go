package goenv

import (
	"errors"
	"path/filepath"
	"runtime"
)

// Settings resolves go environment variables with the go command's
// precedence (cmd/go/internal/cfg.Getenv): a non-empty process environment
// value, then the GOENV file, then $GOROOT/go.env.
type Settings struct {
	Environ   []string
	EnvFile   *EnvFile // nil when there is none
	GorootEnv *EnvFile // nil when there is none
}

// Get returns key's value and where it came from: "environment", a file
// path, or "" when it is not set anywhere.
func (s Settings) Get(key string) (value, source string) {
	v, src, _ := s.Lookup(key)
	return v, src
}

// Lookup is Get that also returns the 1-based line of the key when it
// comes from a file (0 otherwise), for evidence.
func (s Settings) Lookup(key string) (value, source string, line int) {
	if v, _ := Getenv(s.Environ, key); v != "" {
		return v, "environment", 0
	}
	for _, f := range []*EnvFile{s.EnvFile, s.GorootEnv} {
		if f == nil {
			continue
		}
		if v, ok := f.Vars[key]; ok {
			return v, f.Path, f.Line[key]
		}
	}
	return "", "", 0
}

// LoadSettings reads the GOENV file and $GOROOT/go.env named by goEnv.
// goEnv may be nil (the go command failed); the GOENV file is then found
// where the go command would look for it.
func LoadSettings(environ []string, goEnv *Env) (Settings, error) {
	s := Settings{Environ: environ}
	path := ""
	if v, ok := Getenv(environ, "GOENV"); ok {
		path = v
	} else if goEnv != nil {
		path = goEnv.Get("GOENV")
	} else if dir, err := userConfigDir(environ); err == nil {
		path = filepath.Join(dir, "go", "env")
	}
	f, err := ReadEnvFile(path)
	if err != nil {
		return s, err
	}
	s.EnvFile = f
	if root := goEnv.Get("GOROOT"); root != "" {
		g, err := ReadEnvFile(filepath.Join(root, "go.env"))
		if err != nil {
			return s, err
		}
		s.GorootEnv = g
	}
	return s, nil
}

// userConfigDir mirrors os.UserConfigDir for a given environment.
func userConfigDir(environ []string) (string, error) {
	if runtime.GOOS == "linux" || runtime.GOOS == "freebsd" || runtime.GOOS == "openbsd" || runtime.GOOS == "netbsd" {
		if v, ok := Getenv(environ, "XDG_CONFIG_HOME"); ok && v != "" {
			return v, nil
		}
	}
	home, _ := Getenv(environ, "HOME")
	if home == "" {
		return "", errors.New("HOME is not set")
	}
	if runtime.GOOS == "darwin" {
		return filepath.Join(home, "Library", "Application Support"), nil
	}
	return filepath.Join(home, ".config"), nil
}
