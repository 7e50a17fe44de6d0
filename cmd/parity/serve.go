package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers"
	"github.com/parity-bench/parity/reports"
	"github.com/parity-bench/parity/reports/site"
	"github.com/parity-bench/parity/results"
	"github.com/parity-bench/parity/suites"
)

// dbSource serves the server's pages from the results database, opened
// read-only at every request: a file no writer holds is read as immutable,
// which would never show a run that starts later, so each request sees
// the database as it is then.
type dbSource struct {
	a   *app
	sel runSelection
	opt reports.Options

	// The leaderboards are kept while the database files are unchanged:
	// building one reads every sample's scores (1.4 s for a million), and
	// every page needs it.
	mu       sync.Mutex
	stamp    string
	board    *reports.Leaderboard
	runs     []parity.Run
	subjects *reports.Leaderboard
}

// fileStamp says whether the database may have changed: the size and
// modification time of the file and of its write-ahead log.
func (s *dbSource) fileStamp() string {
	var b strings.Builder
	for _, p := range []string{s.a.databasePath(), s.a.databasePath() + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			fmt.Fprintf(&b, "%d/%d;", fi.Size(), fi.ModTime().UnixNano())
		} else {
			b.WriteString("-;")
		}
	}
	return b.String()
}

// fresh drops the kept leaderboards if the files changed, and says
// under which stamp to keep new ones. The caller holds s.mu.
func (s *dbSource) fresh() string {
	stamp := s.fileStamp()
	if stamp != s.stamp {
		s.stamp, s.board, s.runs, s.subjects = stamp, nil, nil, nil
	}
	return stamp
}

func (s *dbSource) read(ctx context.Context, fn func(*results.DB) error) error {
	db, err := s.a.openDB(ctx, dbRead)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(db)
}

// kept gives what held finds kept while the files are unchanged, and
// otherwise builds it from the database and keeps it, unless the files
// changed while it was built.
func (s *dbSource) kept(ctx context.Context, held func() bool, build func(*results.DB) error, keep func()) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	stamp := s.fresh()
	if held() {
		return nil
	}
	if err := s.read(ctx, build); err != nil {
		return err
	}
	if stamp == s.fileStamp() {
		keep()
	}
	return nil
}

// Leaderboard builds the leaderboard of the selected runs as report does,
// or gives the one built last while the files are unchanged.
func (s *dbSource) Leaderboard(ctx context.Context) (lb *reports.Leaderboard, runs []parity.Run, err error) {
	err = s.kept(ctx,
		func() bool { lb, runs = s.board, s.runs; return lb != nil },
		func(db *results.DB) (err error) {
			runs, lb, err = s.a.leaderboard(ctx, db, &s.sel, s.opt)
			return err
		},
		func() { s.board, s.runs = lb, runs })
	return lb, runs, err
}

// Subjects builds the leaderboard by subject of the selected runs, or
// gives the one built last while the files are unchanged.
func (s *dbSource) Subjects(ctx context.Context) (lb *reports.Leaderboard, err error) {
	err = s.kept(ctx,
		func() bool { lb = s.subjects; return lb != nil },
		func(db *results.DB) error {
			runs, err := s.sel.runs(ctx, db)
			if err != nil {
				return err
			}
			lb, err = s.a.subjectLeaderboard(ctx, db, runs, s.opt)
			return err
		},
		func() { s.subjects = lb })
	return lb, err
}

// Samples reads the samples of a run that q selects, in key order.
func (s *dbSource) Samples(ctx context.Context, runID int64, q site.SampleQuery, fn func(parity.Sample) error) error {
	return s.read(ctx, func(db *results.DB) error {
		f := results.SampleFilter{Outcome: q.Outcome, ItemID: q.ItemID, Items: q.Items}
		switch {
		case q.KeysOnly:
			f.Fields = results.ScoreFields
		case q.NoTexts:
			f.Fields = results.LightFields
		}
		return db.EachSample(ctx, runID, f, fn)
	})
}

// publishRules say what snapshot and serve show of each run: redact
// withholds the answers' text (sealed suites), userProvider marks runs of
// providers the built-in catalog does not know, and questions finds the
// questions a run's licence lets them quote.
type publishRules struct {
	redact, userProvider func(parity.Run) bool
	questions            func(parity.Run) site.QuestionFunc
}

// publishRules loads what snapshot and serve share: the built-in catalog,
// and the user suites (--suite-dir and the files given) whose questions may
// be published.
func (a *app) publishRules(ctx context.Context, suiteFiles []string) (publishRules, error) {
	builtin, err := providers.Builtin()
	if err != nil {
		return publishRules{}, err
	}
	user, err := a.loadUserSuiteMap(suiteFiles)
	if err != nil {
		return publishRules{}, err
	}
	return publishRules{
		// Sealed suites (GPQA) keep outcomes and extracted answers but
		// withhold the answers' text, which quotes the questions.
		redact: func(r parity.Run) bool { return suites.Sealed(r.Suite.Name) },
		userProvider: func(r parity.Run) bool {
			_, ok := builtin.Provider(r.Model.Provider)
			return !ok && r.Model.Origin != "custom" && r.Model.Origin != "local"
		},
		questions: runQuestions(ctx, user),
	}, nil
}

// runQuestions finds the questions of a run's items when its suite's
// licence allows publishing them (suites.PublishesQuestions): the items the
// run was asked, from the same data, with the run's own option order
// (rotations and shuffles rebuilt as rescore does). Each run's items are
// loaded once.
func runQuestions(ctx context.Context, user map[string]parity.Suite) func(parity.Run) site.QuestionFunc {
	var mu sync.Mutex
	cache := map[int64]site.QuestionFunc{}
	return func(r parity.Run) site.QuestionFunc {
		mu.Lock()
		defer mu.Unlock()
		if q, ok := cache[r.ID]; ok {
			return q
		}
		var q site.QuestionFunc
		s, err := suiteOf(r, user)
		// Questions from other data than the run's (a user suite file edited
		// since) would sit beside answers to something else.
		if err == nil && suites.PublishesQuestions(s) && s.Info().DataSHA256 == r.Suite.DataSHA256 {
			if items, err := s.Items(ctx); err == nil {
				byID := make(map[string]site.Question, len(items))
				for _, it := range items {
					byID[it.ID] = site.Question{Text: it.Question, Choices: it.Choices}
				}
				q = func(id string) (site.Question, bool) {
					x, ok := byID[id]
					return x, ok
				}
			}
		}
		cache[r.ID] = q
		return q
	}
}

func (a *app) serveCmd() *cobra.Command {
	var (
		addr       string
		sel        boardSelection
		suiteFiles []string
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Browse the leaderboard and every sample in a browser, live from the database",
		Long: `Serve the pages 'parity snapshot' writes, live from the results database
(opened read-only), plus what a static site cannot do: search across every
sample's answer, filter by model, suite, subject and outcome, and open one
item side by side across every model. Pages run no script. The address
defaults to the loopback interface, so only this machine can connect, and
then only requests addressed to localhost, 127.0.0.1 or [::1] are answered
(a web page cannot read it through a name of its own pointed at 127.0.0.1);
an address on another interface makes every answer readable from the network.`,
		Example: `  parity serve
  parity serve --addr 127.0.0.1:9000 --suite gsm8k --all`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return usagef("--addr %q is not host:port: write e.g. 127.0.0.1:8080", addr)
			}
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			rules, err := a.publishRules(ctx, suiteFiles)
			if err != nil {
				return err
			}
			src := &dbSource{a: a, sel: *sel.selection(), opt: reports.Options{Currency: strings.ToUpper(cfg.Report.Currency),
				Rates: cfg.Report.Rates, RatesDate: cfg.Report.RatesDate}}
			if _, _, err := src.Leaderboard(ctx); err != nil {
				return err
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return parity.Errorf(parity.ErrUsage, "--addr %s: %v: pick a free port, e.g. --addr 127.0.0.1:0", addr, err)
			}
			var handler http.Handler = site.NewServer(src, site.ServerOptions{Redact: rules.redact, UserProvider: rules.userProvider, Questions: rules.questions})
			if isLoopbackHost(host) {
				handler = loopbackOnly(handler)
			} else {
				fmt.Fprintf(a.stderr, "warning: serving on %s, not the loopback interface: every answer in the database is readable from the network\n", addr)
			}
			srv := &http.Server{
				Handler:           handler,
				ReadHeaderTimeout: 10 * time.Second,
				BaseContext:       func(net.Listener) context.Context { return ctx },
			}
			fmt.Fprintf(a.stderr, "serving the leaderboard on http://%s/ (read-only); Ctrl-C stops\n", ln.Addr())
			done := make(chan error, 1)
			go func() { done <- srv.Serve(ln) }()
			select {
			case err := <-done:
				return err
			case <-ctx.Done():
				shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				srv.Shutdown(shutdown)
				if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
					return err
				}
				return nil
			}
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on (host:port)")
	sel.addFlags(fl)
	fl.StringArrayVar(&suiteFiles, "suite-file", nil, "user suite files the runs were made with, for their questions where the file allows publishing them")
	return cmd
}

func isLoopbackHost(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// loopbackOnly answers only requests addressed to a loopback name. A
// server on the loopback interface is out of the network's reach, but not
// of a web page the user opens: one whose own name the attacker points at
// 127.0.0.1 (DNS rebinding) could read every answer; its requests carry
// that name in Host.
func loopbackOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.Host)
		if err != nil {
			host = r.Host
		}
		if !isLoopbackHost(strings.Trim(host, "[]")) {
			http.Error(w, "parity serve answers only to localhost, 127.0.0.1 or [::1]", http.StatusMisdirectedRequest)
			return
		}
		h.ServeHTTP(w, r)
	})
}
