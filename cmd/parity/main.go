// Command parity reruns reasoning benchmarks against Chinese and Western
// language models through one OpenAI-compatible client, scores every answer,
// keeps every run in SQLite and prints leaderboards.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/reports"
)

// Exit codes, as DESIGN.md fixes them.
const (
	exitOK          = 0
	exitError       = 1
	exitUsage       = 2
	exitPartial     = 3
	exitConfig      = 4
	exitDrift       = 5 // parity canary: a model changed since its baseline
	exitInterrupted = 130
)

func main() { os.Exit(run()) }

// run is the program, returning its exit code, so deferred calls run first.
func run() int {
	setRevision()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a := &app{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		getenv: os.Getenv,
		now:    time.Now,
		isTerminal: func(w io.Writer) bool {
			f, ok := w.(*os.File)
			return ok && term.IsTerminal(int(f.Fd()))
		},
	}
	return a.main(ctx, os.Args[1:])
}

// setRevision records the source revision with every run. Builds through
// the Makefile set it with -ldflags; `go install` builds carry it in their
// build information instead.
func setRevision() {
	if parity.GitRevision != "" {
		return
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if rev != "" {
		parity.GitRevision = short(rev, 12) + dirty
	} else if v := info.Main.Version; v != "" && v != "(devel)" {
		parity.GitRevision = v
	}
}

// app is everything a command may touch of the outside world. Tests build
// one with buffers, a fake environment and their own HTTP client.
type app struct {
	stdin      io.Reader
	stdout     io.Writer
	stderr     io.Writer
	getenv     func(string) string
	now        func() time.Time
	isTerminal func(io.Writer) bool
	// httpClient overrides the client's transport in tests; nil in real use.
	httpClient *http.Client

	// Persistent flags.
	dbPath        string
	providersFile string
	configFile    string
	suiteDir      string
	jsonOut       bool
}

// main runs one command line and returns the exit code. Only here are errors
// printed, so every command just returns them.
func (a *app) main(ctx context.Context, args []string) int {
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	if code == exitInterrupted {
		fmt.Fprintln(a.stderr, "parity: interrupted; everything scored so far is saved, run the same command again to resume")
		return code
	}
	fmt.Fprintln(a.stderr, "parity: "+reports.Flat(err.Error()))
	return code
}

// exitCode maps an error to the exit code DESIGN.md assigns it.
func exitCode(err error) int {
	if errors.Is(err, context.Canceled) {
		return exitInterrupted
	}
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	switch parity.CodeOf(err) {
	case parity.ErrUsage:
		return exitUsage
	case parity.ErrConfig, parity.ErrCredentials:
		return exitConfig
	case parity.ErrPartial, parity.ErrBudget:
		return exitPartial
	case parity.ErrInterrupted:
		return exitInterrupted
	case parity.ErrDrift:
		return exitDrift
	}
	return exitError
}

// usageError marks errors from cobra's own flag and argument parsing.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error {
	return parity.Errorf(parity.ErrUsage, format, args...)
}
