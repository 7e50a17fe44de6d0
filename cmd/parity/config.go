package main

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/parity-bench/parity"
)

// unknownField matches yaml.v3's message for a key the struct lacks.
var unknownField = regexp.MustCompile(`field (\S+) not found in type [^\n]*`)

// config is the optional settings file (~/.config/parity/config.yaml or
// --config FILE). Flags given on the command line win over it.
type config struct {
	Report struct {
		// Currency converts every cost into one currency, at Rates read
		// on RatesDate (the date is printed beside converted costs).
		Currency  string             `yaml:"currency"`
		Rates     map[string]float64 `yaml:"rates"`
		RatesDate string             `yaml:"rates_date"`
	} `yaml:"report"`
}

// userPath is where a file or folder of the user's settings is: the path a
// flag gave (flagValue, explicit), else ~/.config/parity/<name>, else ""
// when there is no home directory.
func (a *app) userPath(flagValue, name string) (path string, explicit bool) {
	if flagValue != "" {
		return flagValue, true
	}
	if home := a.getenv("HOME"); home != "" {
		return filepath.Join(home, ".config", "parity", name), false
	}
	return "", false
}

// readUserFile reads the settings file userPath names. A default file may
// be absent (found is false, no error); a file a flag named must exist.
func (a *app) readUserFile(flagValue, name string) (path string, data []byte, found bool, err error) {
	path, explicit := a.userPath(flagValue, name)
	if path == "" {
		return "", nil, false, nil
	}
	data, err = os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return path, nil, false, nil
	}
	return path, data, err == nil, err
}

// pathProblem says what is wrong with a file or folder the user named with
// flag when it is missing or of the wrong kind, and what to do; nil when
// the path exists as wanted (the caller then reports err as it is).
func pathProblem(what, path, flag string, wantDir bool) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return parity.Errorf(parity.ErrConfig, "%s %s does not exist: check the %s path", what, path, flag)
	case err == nil && st.IsDir() && !wantDir:
		return parity.Errorf(parity.ErrConfig, "%s %s is a directory: name a YAML file with %s", what, path, flag)
	case err == nil && !st.IsDir() && wantDir:
		return parity.Errorf(parity.ErrConfig, "%s %s is not a directory: name the folder of suite files with %s", what, path, flag)
	}
	return nil
}

// loadConfig reads the settings file. The default file may be absent; a
// file named with --config must exist.
func (a *app) loadConfig() (config, error) {
	var c config
	path, data, found, err := a.readUserFile(a.configFile, "config.yaml")
	if errors.Is(err, fs.ErrNotExist) {
		return c, parity.Errorf(parity.ErrConfig, "config file %s does not exist: check the --config path", path)
	}
	if err != nil {
		if perr := pathProblem("config file", path, "--config", false); perr != nil {
			return c, perr
		}
		return c, parity.Errorf(parity.ErrConfig, "read config: %v", err)
	}
	if !found {
		return c, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = strings.TrimPrefix(msg, "unmarshal errors:\n")
		// yaml.v3 names the Go type of the struct, which tells a user nothing.
		msg = unknownField.ReplaceAllString(msg, "unknown field $1")
		return c, parity.Errorf(parity.ErrConfig, "config %s: %s; the file takes report.currency, report.rates and report.rates_date", path, msg)
	}
	rates := map[string]float64{}
	for cur, r := range c.Report.Rates {
		if r <= 0 || len(cur) != 3 {
			return c, parity.Errorf(parity.ErrConfig, "config %s: report.rates: %s: %g: give a three-letter currency and a positive rate", path, cur, r)
		}
		rates[strings.ToUpper(cur)] = r
	}
	c.Report.Rates = rates
	c.Report.Currency = strings.ToUpper(c.Report.Currency)
	return c, nil
}
