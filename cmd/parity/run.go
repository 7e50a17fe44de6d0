package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers"
	"github.com/parity-bench/parity/reports"
	"github.com/parity-bench/parity/results"
	"github.com/parity-bench/parity/runners"
	"github.com/parity-bench/parity/suites"
)

// runOptions are the flags of `parity run`.
type runOptions struct {
	models         []string
	suiteSpecs     []string
	suiteFiles     []string
	limit          int
	samples        int
	seed           int64
	concurrency    int
	maxTokens      int
	temperature    float64
	topP           float64
	sampleSeed     int
	stream         bool
	thinking       string
	effort         string
	thinkingBudget int
	fresh          bool
	baseURL        string
	apiKeyEnv      string
	region         string
	attempts       int
	retries        int
	maxResponse    int64
	timeout        time.Duration
	maxCost        string
	circular       bool
	judge          string
	sweeps         []string
	shard          string
	// replicaCaps caps each base URL of a pool: "N", or "N1,N2,..." one
	// per URL of --base-url.
	replicaCaps string
	// announce is said on stderr once every check has passed, just before
	// the runs start, so a refused command never claims to have begun.
	announce string
	// mixed are suites a command built itself, run besides the named ones;
	// quiet leaves the summary table to that command.
	mixed []selectedSuite
	quiet bool
	// reference are models run besides o.models at their catalog
	// endpoint, whatever --base-url says (the probes' offline mock).
	reference []string
}

func (a *app) runCmd() *cobra.Command {
	var o runOptions
	cmd := &cobra.Command{
		Use:   "run -m PROVIDER/MODEL... -s SUITE...",
		Short: "Run models on suites, scoring and storing every sample",
		Long: `Run every model on every suite. Each sample is scored and committed to the
database as soon as it comes back. Running the same command again resumes an
unfinished run (samples already stored are not sent again; failed ones are
retried) and does nothing for a finished one; --fresh starts a new run.

Models are provider/model ids from the catalog ('parity models'); suites are
names from 'parity suites', optionally with a subject (mmlu:anatomy).
Try it offline with the mock provider: parity run -m mock/oracle -s gsm8k --limit 20`,
		Example: `  parity run -m deepseek/deepseek-v4-pro -m openai/gpt-6.1-sol -s gsm8k -s math500 --limit 100 --samples 4
  parity run -m vllm/Qwen/QwQ-32B -s aime24 --samples 8 --max-tokens 32768
  parity run -m lab/my-model --base-url http://10.0.0.5:8000/v1 -s gsm8k`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.run(cmd, o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&o.models, "model", "m", nil, "model as provider/model (repeatable)")
	f.StringArrayVarP(&o.suiteSpecs, "suite", "s", nil, "suite name, or name:subject (repeatable)")
	f.StringArrayVar(&o.suiteFiles, "suite-file", nil, "a user suite declared in YAML (repeatable)")
	f.IntVar(&o.limit, "limit", 0, "run a deterministic sample of N items per suite (0 = all)")
	f.IntVar(&o.samples, "samples", 1, "answers drawn per item")
	f.Int64Var(&o.seed, "seed", 1, "seed that picks the --limit sample")
	f.IntVar(&o.concurrency, "concurrency", runners.DefaultConcurrency, "requests in flight at once, across all models")
	f.IntVar(&o.maxTokens, "max-tokens", 0, "output token limit per answer, reasoning included (0 = provider default)")
	f.Float64Var(&o.temperature, "temperature", 0, "sampling temperature (unset = provider default; 0 is really sent)")
	f.Float64Var(&o.topP, "top-p", 0, "nucleus sampling (unset = provider default)")
	f.IntVar(&o.sampleSeed, "sampling-seed", 0, "seed sent to the API for sampling, where supported (unset = none)")
	f.BoolVar(&o.stream, "stream", false, "stream responses (records time to first token)")
	f.StringVar(&o.thinking, "thinking", "", "thinking mode: on, off or auto (unset = provider default)")
	f.StringVar(&o.effort, "effort", "", "reasoning effort: low, medium, high or max")
	f.IntVar(&o.thinkingBudget, "thinking-budget", 0, "thinking token budget, where the provider takes one")
	f.BoolVar(&o.fresh, "fresh", false, "start a new run even if one with these settings exists")
	f.StringVar(&o.baseURL, "base-url", "", "send the models' provider requests to this OpenAI-compatible endpoint, or to a pool: URL1,URL2,... (least in flight first, failover when one dies)")
	f.StringVar(&o.replicaCaps, "replica-concurrency", "", "with several base URLs, the most requests in flight to each: N for all, or N1,N2,... one per URL (0 = no cap)")
	f.StringVar(&o.apiKeyEnv, "api-key-env", "", "environment variable holding the key for --base-url")
	f.StringVar(&o.region, "region", "", `"cn" uses a provider's mainland-China endpoint where it has one`)
	f.IntVar(&o.attempts, "attempts", 5, "tries per request, the first included: 1 sends each request once and never retries")
	f.IntVar(&o.retries, "retries", 0, "deprecated, use --attempts: tries after the first (--retries N is --attempts N+1)")
	f.Int64Var(&o.maxResponse, "max-response-bytes", providers.DefaultMaxResponseBytes,
		"longest answer read, in bytes; a longer one is recorded as an error sample, not read")
	f.DurationVar(&o.timeout, "timeout", 20*time.Minute, "deadline per request, retries included")
	f.StringVar(&o.maxCost, "max-cost", "", `stop before this invocation spends more than this, e.g. "5 USD" or "30 CNY"`)
	f.BoolVar(&o.circular, "circular", false, "ask multiple-choice items once per rotation of the options (CircularEval)")
	f.StringArrayVar(&o.sweeps, "sweep", nil, "one run per setting: effort=low,medium,high, thinking-budget=1024,4096,16384, max-tokens=… or thinking=off,on (repeatable: every combination)")
	f.StringVar(&o.shard, "shard", "", "run only shard INDEX/COUNT of the items (e.g. 2/4), on this machine; 'parity merge' joins the shards into one run")
	f.StringVar(&o.judge, "judge", "", "after the run, ask this provider/model about answers the rules rejected (see 'parity judge')")
	return cmd
}

// params turns the flags into generation parameters. Only flags the user
// set become explicit values, so "unset" and "0" stay different.
func (o runOptions) params(cmd *cobra.Command) (parity.Params, error) {
	p := parity.Params{MaxTokens: o.maxTokens, Stream: o.stream, Thinking: o.thinking, Effort: o.effort, ThinkingBudget: o.thinkingBudget}
	fl := cmd.Flags()
	if fl.Changed("temperature") {
		if o.temperature < 0 || o.temperature > 2 {
			return p, usagef("--temperature %g is out of range: use a value from 0 to 2", o.temperature)
		}
		t := o.temperature
		p.Temperature = &t
	}
	if fl.Changed("top-p") {
		if o.topP <= 0 || o.topP > 1 {
			return p, usagef("--top-p %g is out of range: use a value above 0 and at most 1", o.topP)
		}
		v := o.topP
		p.TopP = &v
	}
	if fl.Changed("sampling-seed") {
		v := o.sampleSeed
		p.Seed = &v
	}
	switch o.thinking {
	case "", "on", "off", "auto":
	default:
		return p, usagef("--thinking %q is not valid: use on, off or auto", o.thinking)
	}
	switch o.effort {
	case "", "low", "medium", "high", "max":
	default:
		return p, usagef("--effort %q is not valid: use low, medium, high or max", o.effort)
	}
	if o.maxTokens < 0 || o.thinkingBudget < 0 {
		return p, usagef("--max-tokens and --thinking-budget cannot be negative")
	}
	return p, nil
}

// parseMaxCost reads "5 USD" or "5USD".
func parseMaxCost(s string) (float64, string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, "", nil
	}
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i <= 0 {
		return 0, "", usagef(`--max-cost %q is not valid: write an amount and a currency, e.g. "5 USD"`, s)
	}
	amount, err := strconv.ParseFloat(s[:i], 64)
	cur := strings.ToUpper(strings.TrimSpace(s[i:]))
	if err != nil || amount <= 0 || len(cur) != 3 {
		return 0, "", usagef(`--max-cost %q is not valid: write an amount and a currency, e.g. "5 USD"`, s)
	}
	return amount, cur, nil
}

// checkCostCurrency refuses a --max-cost in a currency none of the priced
// models uses: the limit would guard nothing (the runner skips a model
// priced in another currency). With no price known at all the runner says
// so for each model.
func checkCostCurrency(maxCost float64, cur string, prices []*parity.Price) error {
	if maxCost <= 0 {
		return nil
	}
	var priced []string
	for _, p := range prices {
		if p != nil && p.Currency != "" {
			if strings.EqualFold(p.Currency, cur) {
				return nil
			}
			if !slices.Contains(priced, p.Currency) {
				priced = append(priced, p.Currency)
			}
		}
	}
	if len(priced) == 0 {
		return nil
	}
	return usagef("--max-cost is in %s, but the models here are priced in %s: give the limit in %s",
		cur, strings.Join(priced, " and "), strings.Join(priced, " or "))
}

func (a *app) run(cmd *cobra.Command, o runOptions) error {
	_, err := a.execute(cmd, o)
	return err
}

// execute plans and runs the jobs of o and returns how each ended, with
// the error Runner.Run gave. Commands that run suites of their own making
// (canary, probe) pass them in o.mixed.
func (a *app) execute(cmd *cobra.Command, o runOptions) ([]runners.Result, error) {
	ctx := cmd.Context()
	if len(o.models) == 0 {
		return nil, usagef("run needs at least one model: -m provider/model (see 'parity models'; try -m mock/oracle offline)")
	}
	if len(o.suiteSpecs)+len(o.suiteFiles)+len(o.mixed) == 0 {
		return nil, usagef("run needs at least one suite: -s NAME (see 'parity suites') or --suite-file FILE")
	}
	if o.samples < 1 || o.limit < 0 || o.concurrency < 1 || o.attempts < 1 {
		return nil, usagef("--samples, --concurrency and --attempts must be at least 1, and --limit at least 0")
	}
	if fl := cmd.Flags(); fl.Changed("retries") {
		if fl.Changed("attempts") {
			return nil, usagef("--retries and --attempts say the same thing: give only --attempts")
		}
		if o.retries < 0 {
			return nil, usagef("--retries %d: give 0 or more retries, or use --attempts", o.retries)
		}
		o.attempts = o.retries + 1
		fmt.Fprintf(a.stderr, "warning: --retries is deprecated: use --attempts %d, which counts the first try too\n", o.attempts)
	}
	if o.maxResponse < 1 {
		return nil, usagef("--max-response-bytes %d: give a size in bytes of at least 1, e.g. %d (16 MiB)", o.maxResponse, providers.DefaultMaxResponseBytes)
	}
	if o.apiKeyEnv != "" && o.baseURL == "" {
		return nil, usagef("--api-key-env goes with --base-url")
	}
	if err := checkRegion(o.region); err != nil {
		return nil, err
	}
	if o.timeout <= 0 {
		return nil, usagef("--timeout %s: give a positive deadline per request, e.g. --timeout 10m", o.timeout)
	}
	replicaCap, replicaCaps, err := parseReplicaCaps(o.replicaCaps, o.baseURL)
	if err != nil {
		return nil, err
	}
	params, err := o.params(cmd)
	if err != nil {
		return nil, err
	}
	settings, err := sweepSettings(o.sweeps, params, cmd.Flags())
	if err != nil {
		return nil, err
	}
	shardIndex, shardCount, err := parseShard(o.shard)
	if err != nil {
		return nil, err
	}
	if o.samples > 1 && params.Temperature != nil && *params.Temperature == 0 && !o.quiet {
		fmt.Fprintf(a.stderr, "warning: --samples %d with --temperature 0 draws near-identical answers, so pass@k and maj@k will say little; leave the temperature unset or raise it\n", o.samples)
	}
	maxCost, maxCur, err := parseMaxCost(o.maxCost)
	if err != nil {
		return nil, err
	}

	cat, err := a.catalog()
	if err != nil {
		return nil, err
	}
	if o.baseURL != "" {
		seen := map[string]bool{}
		for _, id := range o.models {
			prov, _, _ := strings.Cut(id, "/")
			if prov == "" || seen[prov] {
				continue
			}
			seen[prov] = true
			if err := addEndpoints(cat, prov, o.baseURL, o.apiKeyEnv); err != nil {
				return nil, err
			}
		}
	}
	type resolved struct {
		model parity.Model
		prov  *providers.Provider
	}
	var models []resolved
	var missing []string
	seenModel := map[string]bool{}
	for _, id := range append(slices.Clone(o.models), o.reference...) {
		if seenModel[id] {
			continue
		}
		seenModel[id] = true
		m, p, err := cat.Resolve(id)
		if err != nil {
			return nil, err
		}
		// A retired model, or settings the API would refuse, fail here:
		// before any key is looked for and before anything is sent.
		if _, err := p.Adapt(m.Name, params, a.now()); err != nil {
			return nil, err
		}
		if p.NeedsKey() && a.getenv(p.KeyEnv) == "" {
			missing = append(missing, fmt.Sprintf("%s (for %s)", p.KeyEnv, m.ID))
		}
		models = append(models, resolved{m, p})
	}
	if len(missing) > 0 {
		return nil, parity.Errorf(parity.ErrCredentials, "API key not set: %s; export the variable (keys are read from the environment only), or try parity offline with -m mock/oracle",
			strings.Join(missing, ", "))
	}
	prices := make([]*parity.Price, len(models))
	for i, m := range models {
		prices[i] = m.prov.Price(m.model.Name)
	}
	if err := checkCostCurrency(maxCost, maxCur, prices); err != nil {
		return nil, err
	}

	suiteList, err := a.loadSuites(o.suiteSpecs, o.suiteFiles, o.circular, o.seed)
	if err != nil {
		return nil, err
	}
	suiteList = append(suiteList, o.mixed...)
	var judge *runners.Judge
	if o.judge != "" {
		if judge, err = a.newJudge(cat, o.judge, o.concurrency); err != nil {
			return nil, err
		}
	}

	client := providers.New(cat, providers.Options{
		HTTPClient:         a.httpClient,
		Getenv:             a.getenv,
		Region:             o.region,
		MaxAttempts:        o.attempts,
		Deadline:           o.timeout,
		MaxResponseBytes:   o.maxResponse,
		Concurrency:        o.concurrency,
		Answers:            answerKey(ctx, suiteList),
		ReplicaConcurrency: replicaCap,
		ReplicaCaps:        replicaCaps,
	})
	var jobs []runners.Job
	for _, m := range models {
		plans := make([]*providers.Plan, len(settings))
		warned := map[string]bool{}
		for k, ps := range settings {
			plan, err := client.Plan(parity.Request{Model: m.model.ID, Messages: []parity.Message{{Role: "user", Content: "?"}}, Params: ps})
			if err != nil {
				return nil, err
			}
			for _, w := range plan.Warnings {
				if !warned[w] {
					warned[w] = true
					fmt.Fprintf(a.stderr, "warning: %s: %s\n", m.model.ID, w)
				}
			}
			plans[k] = plan
		}
		if err := checkSweep(m.model.ID, plans, settings); err != nil {
			return nil, err
		}
		for k, ps := range settings {
			for _, s := range suiteList {
				jobs = append(jobs, runners.Job{
					Model: m.model, Suite: s.suite, Subject: s.subject, Params: ps,
					Samples: o.samples, Limit: o.limit, Seed: o.seed, ShardIndex: shardIndex, ShardCount: shardCount,
					BaseURL: plans[k].URL, Price: m.prov.Price(m.model.Name), Fresh: o.fresh, Warnings: plans[k].Warnings,
				})
			}
		}
	}

	db, err := a.openDB(ctx, dbCreate)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if o.announce != "" {
		fmt.Fprintln(a.stderr, o.announce)
	}

	r := &runners.Runner{
		Client:          client,
		Store:           db,
		Concurrency:     o.concurrency,
		Log:             printableWriter{a.stderr}, // its lines quote API errors
		Now:             a.now,
		MaxCost:         maxCost,
		MaxCostCurrency: maxCur,
	}
	if a.isTerminal(a.stderr) {
		r.Progress = a.stderr
	}
	res, runErr := r.Run(ctx, jobs)
	if o.quiet {
		return res, runErr
	}
	if err := a.printRunResults(ctx, db, res, len(settings) > 1); err != nil {
		return nil, err
	}
	if judge == nil || ctx.Err() != nil {
		return res, runErr
	}
	user := map[string]parity.Suite{}
	for _, s := range suiteList {
		user[s.suite.Info().Name] = s.suite
	}
	var judged []parity.Run
	for _, x := range res {
		if x.Run.ID > 0 {
			judged = append(judged, x.Run)
		}
	}
	fmt.Fprintf(a.stderr, "judging with %s the answers the rules rejected\n", judge.Model.ID)
	lines, err := a.judgeRuns(ctx, db, judge, judged, user, false)
	if !a.jsonOut {
		if perr := a.printJudge(lines); perr != nil {
			return nil, perr
		}
	}
	if err != nil {
		return nil, err
	}
	return res, runErr
}

// runSummary is one line of `parity run` output.
type runSummary struct {
	RunID   int64  `json:"run_id"`
	Model   string `json:"model"`
	Suite   string `json:"suite"`
	Subject string `json:"subject,omitempty"`
	// Setting names the swept settings of the run, with --sweep.
	Setting string `json:"setting,omitempty"`
	// Shard is "INDEX/COUNT" for the run of one shard (--shard).
	Shard  string `json:"shard,omitempty"`
	Status string `json:"status"`
	Done   int    `json:"done"`
	Target int    `json:"target"`
	// Accuracy is over every sample of the run, as 'parity runs' and the
	// report count it; Outcomes counts only this invocation's samples.
	Accuracy *float64               `json:"accuracy"`
	Outcomes map[parity.Outcome]int `json:"outcomes"`
	Error    string                 `json:"error,omitempty"`
}

// printRunResults prints one line per run. The accuracy is read back from
// the database, so a resumed or already complete run shows the accuracy of
// the whole run, not of the few samples this invocation added. A sweep
// adds a column naming each run's setting.
func (a *app) printRunResults(ctx context.Context, db *results.DB, res []runners.Result, swept bool) error {
	ctx = context.WithoutCancel(ctx) // an interrupted run still gets its summary
	out := make([]runSummary, 0, len(res))
	for _, r := range res {
		s := runSummary{RunID: r.Run.ID, Model: r.Run.Model.ID, Suite: r.Run.Suite.Name, Subject: r.Run.Subject,
			Status: r.Status, Done: r.Done, Target: r.Target, Outcomes: r.Counts}
		if swept {
			s.Setting = settingLabel(r.Run.Params)
		}
		if r.Run.Shard != nil {
			s.Shard = r.Run.Shard.String()
		}
		counts := r.Counts
		if r.Run.ID > 0 {
			c, err := db.Progress(ctx, r.Run.ID)
			if err != nil {
				return err
			}
			counts = c.ByOutcome
		}
		if acc, _, ok := parity.Accuracy(counts); ok {
			s.Accuracy = &acc
		}
		if r.Err != nil {
			s.Error = reports.Flat(r.Err.Error())
		}
		out = append(out, s)
	}
	if a.jsonOut {
		return a.printJSON(out)
	}
	if len(out) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	setting := func(string) string { return "" }
	if swept {
		setting = func(s string) string { return s + "\t" }
	}
	fmt.Fprintln(tw, "RUN\tMODEL\tSUITE\t"+setting("SETTING")+"STATUS\tDONE\tACC %\tOUTCOMES (this invocation)")
	for _, s := range out {
		acc := "-"
		if s.Accuracy != nil {
			acc = fmt.Sprintf("%.1f", 100**s.Accuracy)
		}
		suite := s.Suite
		if s.Subject != "" {
			suite += ":" + s.Subject
		}
		if s.Shard != "" {
			suite += " (shard " + s.Shard + ")"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s%s\t%d/%d\t%s\t%s\n", s.RunID, s.Model, suite, setting(s.Setting), s.Status, s.Done, s.Target, acc, outcomeList(s.Outcomes))
	}
	return tw.Flush()
}

func outcomeList(counts map[parity.Outcome]int) string {
	var parts []string
	for _, o := range parity.Outcomes {
		if n := counts[o]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", o, n))
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

// answerKey lets the offline mock provider look up the gold answers of the
// items a run asks, in the very suites the run uses (GPQA already shuffled
// for the run's seed), so that requests never carry them. Nothing is looked
// at before the mock first asks, and a suite's items are loaded the first
// time the mock asks about one of them, so runs of real models cost nothing.
func answerKey(ctx context.Context, list []selectedSuite) providers.AnswerKey {
	type book struct {
		once  sync.Once
		suite parity.Suite
		gold  map[string][2]string // answer and kind
	}
	var (
		index sync.Once
		books map[string]*book
	)
	return func(ref parity.ItemRef) (string, string, bool) {
		index.Do(func() {
			books = map[string]*book{}
			for _, s := range list {
				// A contamination probe's answers are benchmark text the
				// mock must not be handed: it stands for a model that has
				// never seen the data, the reference row of every probe.
				if suites.IsProbe(s.suite.Info().Kind) {
					continue
				}
				if name := s.suite.Info().Name; books[name] == nil {
					books[name] = &book{suite: s.suite}
				}
			}
		})
		b := books[ref.Suite]
		if b == nil {
			return "", "", false
		}
		b.once.Do(func() {
			// A suite that fails to load fails its job in the runner,
			// with the error; here it only leaves the mock without answers.
			items, err := b.suite.Items(ctx)
			if err != nil {
				return
			}
			kind := b.suite.Info().Kind
			b.gold = make(map[string][2]string, len(items))
			for _, it := range items {
				// A mix of suites (parity canary) says each item's kind.
				k := kind
				if it.Meta["answer_kind"] != "" {
					k = it.Meta["answer_kind"]
				}
				b.gold[it.ID] = [2]string{it.Answer, k}
			}
		})
		g, ok := b.gold[ref.ItemID]
		return g[0], g[1], ok
	}
}

// printableWriter passes text on without the control characters that
// reports.Printable drops, for writers of whole lines that may quote an
// endpoint.
type printableWriter struct{ w io.Writer }

func (p printableWriter) Write(b []byte) (int, error) {
	if _, err := io.WriteString(p.w, reports.Printable(string(b))); err != nil {
		return 0, err
	}
	return len(b), nil
}
