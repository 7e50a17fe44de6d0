package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers"
	"github.com/parity-bench/parity/results"
)

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "parity",
		Short: "Rerun reasoning benchmarks against Chinese and Western models and compare them",
		Long: `parity reruns reasoning benchmarks (GSM8K, MATH-500, AIME, GPQA, MMLU, C-Eval, ...)
against any OpenAI-compatible model, scores every answer, keeps every sample in
SQLite and prints leaderboards with confidence intervals, cost and latency.`,
		Version:       versionString(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// With Args and RunE set, cobra hands an unknown command to Args instead
	// of failing before any hook runs, so it exits as the usage error it is.
	root.SuggestionsMinimumDistance = 2
	root.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		msg := fmt.Sprintf("unknown command %q", args[0])
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			msg += fmt.Sprintf(": did you mean %q?", s[0])
		}
		return usageError{fmt.Errorf("%s (see 'parity --help')", msg)}
	}
	root.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%w (see '%s --help')", err, c.CommandPath())}
	})
	pf := root.PersistentFlags()
	pf.StringVar(&a.dbPath, "db", "", "SQLite database file (default $PARITY_DB or ./parity.db)")
	pf.StringVar(&a.providersFile, "providers", "", "provider catalog overrides in YAML (default ~/.config/parity/providers.yaml)")
	pf.BoolVar(&a.jsonOut, "json", false, "print results as JSON")
	pf.StringVar(&a.configFile, "config", "", "settings file in YAML (default ~/.config/parity/config.yaml)")
	pf.StringVar(&a.suiteDir, "suite-dir", "", "directory of user suites in YAML (default ~/.config/parity/suites)")

	root.AddCommand(
		a.suitesCmd(),
		a.modelsCmd(),
		a.runCmd(),
		a.runsCmd(),
		a.showCmd(),
		a.rescoreCmd(),
		a.reportCmd(),
		a.scoreCmd(),
		a.mergeCmd(),
		a.canaryCmd(),
		a.probeCmd(),
		a.doctorCmd(),
		a.judgeCmd(),
		a.snapshotCmd(),
		a.diffCmd(),
		a.verifyCmd(),
		a.serveCmd(),
	)
	for _, c := range root.Commands() {
		if c.Args == nil {
			c.Args = cobra.NoArgs
		}
		args := c.Args
		c.Args = func(cmd *cobra.Command, s []string) error {
			if err := args(cmd, s); err != nil {
				return usageError{fmt.Errorf("%w (see '%s --help')", err, cmd.CommandPath())}
			}
			return nil
		}
	}
	return root
}

// databasePath applies the --db flag, then $PARITY_DB, then ./parity.db.
func (a *app) databasePath() string {
	if a.dbPath != "" {
		return a.dbPath
	}
	if p := a.getenv("PARITY_DB"); p != "" {
		return p
	}
	return "parity.db"
}

// dbMode says how a command uses the results database.
type dbMode int

const (
	dbRead   dbMode = iota // must exist; opened read-only, never written
	dbWrite                // must exist; scores or judge verdicts are written
	dbCreate               // created when missing (run, merge)
)

// openDB opens the results database. Commands that only read open it
// read-only, so they work on a published copy or beside a running process,
// and commands that do not start runs refuse to create a database that does
// not exist, so a typo in --db is caught.
func (a *app) openDB(ctx context.Context, mode dbMode) (*results.DB, error) {
	path := a.databasePath()
	if mode != dbCreate {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, parity.Errorf(parity.ErrConfig, "database %s does not exist: run 'parity run' first or point --db (or $PARITY_DB) at an existing database", path)
		}
	}
	open := results.Open
	if mode == dbRead {
		open = results.OpenReadOnly
	}
	db, err := open(ctx, path)
	if err != nil {
		// results names the path and the remedy; another "open database
		// PATH:" in front would only say it twice.
		return nil, &parity.Error{Code: parity.ErrConfig, Err: err}
	}
	return db, nil
}

// catalog loads the built-in provider catalog merged with the user's file.
// The default file may be absent; a file named with --providers must exist.
func (a *app) catalog() (*providers.Catalog, error) {
	cat, err := providers.Builtin()
	if err != nil {
		return nil, err
	}
	path, data, found, err := a.readUserFile(a.providersFile, "providers.yaml")
	if err != nil {
		if perr := pathProblem("provider file", path, "--providers", false); perr != nil {
			return nil, perr
		}
		return nil, parity.Errorf(parity.ErrConfig, "read provider file: %v", err)
	}
	if !found {
		return cat, nil
	}
	if err := cat.Merge(data, path); err != nil {
		return nil, &parity.Error{Code: parity.ErrConfig, Message: "provider file", Err: err}
	}
	return cat, nil
}

// printJSON writes v as indented JSON on stdout.
func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// versionString is the release and, when known, the source revision.
func versionString() string {
	if parity.GitRevision == "" {
		return parity.Version
	}
	return parity.Version + " (" + parity.GitRevision + ")"
}
