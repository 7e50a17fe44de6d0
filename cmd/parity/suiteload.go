package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites"
)

// selectedSuite is a suite with the subject the user picked ("" for all).
type selectedSuite struct {
	suite   parity.Suite
	subject string
}

// userSuites loads the suites of the --suite-dir directory (default
// ~/.config/parity/suites, which may be absent) by name. A user suite may
// not take the name of a built-in one, so -s NAME is never ambiguous.
func (a *app) userSuites() (map[string]parity.Suite, error) {
	dir, explicit := a.userPath(a.suiteDir, "suites")
	out := map[string]parity.Suite{}
	if dir == "" {
		return out, nil
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) && !explicit {
		return out, nil
	}
	if explicit {
		if err := pathProblem("suites directory", dir, "--suite-dir", true); err != nil {
			return nil, err
		}
	}
	fsys, name, err := rootFS(dir)
	if err != nil {
		return nil, &parity.Error{Code: parity.ErrConfig, Message: "read suites directory " + dir, Err: err}
	}
	list, err := suites.LoadUserSuites(fsys, name, dir)
	if err != nil {
		return nil, &parity.Error{Code: parity.ErrConfig, Err: err}
	}
	for _, s := range list {
		if err := checkUserName(s); err != nil {
			return nil, err
		}
		out[s.Info().Name] = s
	}
	return out, nil
}

func checkUserName(s parity.Suite) error {
	name := s.Info().Name
	if _, _, err := suites.Lookup(name); err == nil {
		return parity.Errorf(parity.ErrConfig, "user suite %q has the name of a built-in suite: give it another name", name)
	}
	return nil
}

// loadSuites resolves -s specs (built-in suites and those of --suite-dir)
// and --suite-file paths. With circular, every
// multiple-choice suite is asked once per rotation of its options; other
// kinds are refused, since rotating has no meaning for them.
func (a *app) loadSuites(specs, files []string, circular bool, seed int64) ([]selectedSuite, error) {
	var out []selectedSuite
	seen := map[string]bool{}
	add := func(s parity.Suite, subject string) error {
		key := s.Info().Name + ":" + subject
		if seen[key] {
			return nil
		}
		seen[key] = true
		if rs, ok := s.(suites.Reseeder); ok {
			s = rs.WithSeed(seed) // GPQA shuffles its options per run seed
		}
		if circular {
			if s.Info().Kind != "choice" {
				return usagef("--circular applies to multiple-choice suites; %s is a %s suite", s.Info().Name, s.Info().Kind)
			}
			s = suites.Circular(s)
		}
		out = append(out, selectedSuite{s, subject})
		return nil
	}
	user, err := a.userSuites()
	if err != nil {
		return nil, err
	}
	for _, spec := range specs {
		name, subject, _ := strings.Cut(spec, ":")
		s, ok := user[name]
		if !ok {
			s, subject, err = suites.Lookup(spec)
			if err != nil {
				return nil, err
			}
		}
		if err := add(s, subject); err != nil {
			return nil, err
		}
	}
	for _, path := range files {
		s, err := suitesLoadUser(path)
		if err != nil {
			return nil, err
		}
		if err := checkUserName(s); err != nil {
			return nil, err
		}
		if err := add(s, ""); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// suitesLoadUser loads a user suite file; its errors name the file, line
// and field, and count as configuration errors.
func suitesLoadUser(path string) (parity.Suite, error) {
	if err := pathProblem("suite file", path, "--suite-file", false); err != nil {
		return nil, err
	}
	fsys, name, err := rootFS(path)
	if err == nil {
		var s parity.Suite
		if s, err = suites.LoadUserSuite(fsys, name, path); err == nil {
			return s, nil
		}
	}
	return nil, &parity.Error{Code: parity.ErrConfig, Err: err}
}

// rootFS hands user suites the file system from its root, with path's name
// in it, so the data files a suite names may sit anywhere its author can
// point to: beside it, in a folder above it, or at an absolute path.
func rootFS(path string) (fs.FS, string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, "", err
	}
	root := filepath.VolumeName(abs) + string(filepath.Separator)
	rel, err := filepath.Rel(root, abs)
	if err != nil {
		return nil, "", err
	}
	return os.DirFS(root), filepath.ToSlash(rel), nil
}
