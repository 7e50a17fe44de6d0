package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers"
	"github.com/parity-bench/parity/reports"
)

// doctorOptions are the flags of `parity doctor`.
type doctorOptions struct {
	baseURL   string
	apiKeyEnv string
	region    string
	timeout   time.Duration
	maxTokens int
	claims    bool
}

func (a *app) doctorCmd() *cobra.Command {
	var o doctorOptions
	cmd := &cobra.Command{
		Use:   "doctor PROVIDER/MODEL",
		Short: "Check that a model works before a run: endpoint, key, reasoning, streaming",
		Long: `Send a few tiny requests to a model and print what was found: the endpoint is
reachable, the key is accepted, the account can pay, the model answers and which
id it reports, the token-limit field is accepted, reasoning comes back and in
which field, the thinking switch is honoured, a streamed answer ends with token
usage, and how long it all took. With --catalog (the default) it also sends one
tiny request for each setting the catalog says the model accepts beyond thinking
on and off (the lowest temperature it lets through, the lowest and highest effort,
automatic thinking): a refusal is a catalog error naming the field and value to
change in a providers file (docs/providers.md). Every failed check says what to do.

It takes the same endpoint flags as 'parity run'. Exit code 0 when every check
is ok or a warning, 1 when one fails, 4 when the key is not set.`,
		Example: `  parity doctor deepseek/deepseek-v4-pro
  parity doctor minimax/MiniMax-M2.7 --catalog=false
  parity doctor dashscope/qwen3-max --region cn
  parity doctor lab/my-model --base-url http://10.0.0.5:8000/v1 --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.doctor(cmd, args[0], o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.baseURL, "base-url", "", "send the model's provider requests to this OpenAI-compatible endpoint (or URL1,URL2,... a pool, spread as in run)")
	f.StringVar(&o.apiKeyEnv, "api-key-env", "", "environment variable holding the key for --base-url")
	f.StringVar(&o.region, "region", "", `"cn" uses a provider's mainland-China endpoint where it has one`)
	f.DurationVar(&o.timeout, "timeout", 30*time.Second, "deadline per probe request, its one retry included")
	f.IntVar(&o.maxTokens, "max-tokens", 256, "output token limit sent with each probe")
	f.BoolVar(&o.claims, "catalog", true, "also probe the catalog's claims for this model (temperature, efforts, automatic thinking)")
	return cmd
}

func (a *app) doctor(cmd *cobra.Command, modelID string, o doctorOptions) error {
	if o.apiKeyEnv != "" && o.baseURL == "" {
		return usagef("--api-key-env goes with --base-url")
	}
	if err := checkRegion(o.region); err != nil {
		return err
	}
	if o.timeout <= 0 || o.maxTokens < 1 {
		return usagef("--timeout must be positive and --max-tokens at least 1")
	}
	cat, err := a.catalog()
	if err != nil {
		return err
	}
	if o.baseURL != "" {
		prov, _, _ := strings.Cut(modelID, "/")
		if prov != "" {
			if err := addEndpoints(cat, prov, o.baseURL, o.apiKeyEnv); err != nil {
				return err
			}
		}
	}
	m, p, err := cat.Resolve(modelID)
	if err != nil {
		return err
	}
	// A retired model is refused as run refuses it: before the key is
	// looked for and before anything is sent.
	if _, err := p.Adapt(m.Name, parity.Params{}, a.now()); err != nil {
		return err
	}
	if p.NeedsKey() && a.getenv(p.KeyEnv) == "" {
		return parity.Errorf(parity.ErrCredentials, "API key not set: %s (for %s); export the variable (keys are read from the environment only), or try parity doctor mock/oracle offline",
			p.KeyEnv, m.ID)
	}
	client := providers.New(cat, providers.Options{
		HTTPClient: a.httpClient,
		Getenv:     a.getenv,
		Region:     o.region,
	})
	rep, err := client.Doctor(cmd.Context(), m.ID, providers.DoctorOptions{Timeout: o.timeout, MaxTokens: o.maxTokens, CatalogClaims: o.claims})
	if err != nil {
		return err
	}
	if a.jsonOut {
		err = a.printJSON(rep)
	} else {
		err = a.printDoctor(rep)
	}
	if err != nil {
		return err
	}
	if rep.Failed() {
		var failed []string
		for _, c := range rep.Checks {
			if c.Status == providers.CheckFail {
				failed = append(failed, c.Name)
			}
		}
		// A plain error: exit code 1, whatever kind of failure it was.
		return fmt.Errorf("doctor: %s failed for %s: see the advice above", strings.Join(failed, ", "), m.ID)
	}
	return nil
}

// printDoctor writes the checks as a table, each not-ok check followed by
// what to do about it.
func (a *app) printDoctor(rep *providers.DoctorReport) error {
	fmt.Fprintf(a.stdout, "%s at %s\n", reports.Flat(rep.Model), reports.Flat(rep.URL))
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tSTATUS\tDETAIL")
	for _, c := range rep.Checks {
		status := string(c.Status)
		if c.Status == providers.CheckFail {
			status = "FAIL"
		}
		// Details quote the API: the model it reported, its error text.
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Name, status, reports.Flat(c.Detail))
		if c.Advice != "" {
			fmt.Fprintf(tw, "\t\t→ %s\n", reports.Flat(c.Advice))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(rep.Request) > 0 {
		fmt.Fprintf(a.stdout, "first request sent: %s\n", rep.Request)
	}
	return nil
}
