package goenv

import "path/filepath"

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
	if v, _ := Getenv(s.Environ, key); v != "" {
		return v, "environment"
	}
	for _, f := range []*EnvFile{s.EnvFile, s.GorootEnv} {
		if f == nil {
			continue
		}
		if v, ok := f.Vars[key]; ok {
			return v, f.Path
		}
	}
	return "", ""
}

// LoadSettings reads the GOENV file and $GOROOT/go.env named by goEnv.
func LoadSettings(environ []string, goEnv *Env) (Settings, error) {
	s := Settings{Environ: environ}
	path := goEnv.Get("GOENV")
	if v, ok := Getenv(environ, "GOENV"); ok {
		path = v
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
