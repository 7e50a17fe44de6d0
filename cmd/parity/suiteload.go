package main

import (
	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites"
)

// selectedSuite is a suite with the subject the user picked ("" for all).
type selectedSuite struct {
	suite   parity.Suite
	subject string
}

// loadSuites resolves -s specs and --suite-file paths. With circular, every
// multiple-choice suite is asked once per rotation of its options; other
// kinds are refused, since rotating has no meaning for them.
func (a *app) loadSuites(specs, files []string, circular bool) ([]selectedSuite, error) {
	var out []selectedSuite
	seen := map[string]bool{}
	add := func(s parity.Suite, subject string) error {
		key := s.Info().Name + ":" + subject
		if seen[key] {
			return nil
		}
		seen[key] = true
		if circular {
			if s.Info().Kind != "choice" {
				return usagef("--circular applies to multiple-choice suites; %s is a %s suite", s.Info().Name, s.Info().Kind)
			}
			s = suites.Circular(s)
		}
		out = append(out, selectedSuite{s, subject})
		return nil
	}
	for _, spec := range specs {
		s, subject, err := suites.Lookup(spec)
		if err != nil {
			return nil, err
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
		if err := add(s, ""); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// suitesLoadUser loads a user suite file; its errors name the file, line
// and field, and count as configuration errors.
func suitesLoadUser(path string) (parity.Suite, error) {
	s, err := suites.LoadUserSuite(path)
	if err != nil {
		return nil, &parity.Error{Code: parity.ErrConfig, Err: err}
	}
	return s, nil
}
