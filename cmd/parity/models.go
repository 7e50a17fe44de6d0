package main

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/parity-bench/parity"
)

// modelEntry is one catalog line of `parity models`.
type modelEntry struct {
	Provider string                   `json:"provider"`
	Origin   string                   `json:"origin"`
	BaseURL  string                   `json:"base_url"`
	BaseURLs []string                 `json:"base_urls,omitempty"`
	KeyEnv   string                   `json:"key_env,omitempty"`
	KeySet   bool                     `json:"key_set"`
	NeedsKey bool                     `json:"needs_key"`
	Models   []string                 `json:"models,omitempty"`
	Prices   map[string]*parity.Price `json:"prices,omitempty"`
}

func (a *app) modelsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "models",
		Short: "List the provider catalog and whether each key is set",
		Long: `List the providers parity knows: origin (CN, West, local, mock), base URL, the
environment variable that holds the key and whether it is set, and the models
the catalog has prices for. Any model name works under a known provider:
-m vllm/Qwen/QwQ-32B sends "Qwen/QwQ-32B" to the vllm endpoint.
Add or override providers in ~/.config/parity/providers.yaml or --providers FILE.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat, err := a.catalog()
			if err != nil {
				return err
			}
			var out []modelEntry
			for _, p := range cat.Providers() {
				e := modelEntry{Provider: p.Name, Origin: p.Origin, BaseURL: p.BaseURL, BaseURLs: p.BaseURLs, KeyEnv: p.KeyEnv,
					NeedsKey: p.NeedsKey(), KeySet: p.KeyEnv != "" && a.getenv(p.KeyEnv) != "", Prices: map[string]*parity.Price{}}
				for name := range p.Models {
					if strings.ContainsAny(name, "*?[") {
						continue // a pattern carrying quirks, not a model
					}
					e.Models = append(e.Models, name)
					if pr := p.Price(name); pr != nil {
						e.Prices[name] = pr
					}
				}
				sort.Strings(e.Models)
				out = append(out, e)
			}
			if a.jsonOut {
				return a.printJSON(out)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "PROVIDER\tORIGIN\tKEY\tBASE URL\tMODELS (price in/out per 1M tokens)")
			for _, e := range out {
				key := "-"
				switch {
				case e.KeyEnv != "" && e.KeySet:
					key = e.KeyEnv + " (set)"
				case e.KeyEnv != "" && e.NeedsKey:
					key = e.KeyEnv + " (NOT SET)"
				case e.KeyEnv != "":
					key = e.KeyEnv + " (optional)"
				}
				var ms []string
				for _, m := range e.Models {
					if pr := e.Prices[m]; pr != nil {
						ms = append(ms, fmt.Sprintf("%s %s%g/%g", m, currencySign(pr.Currency), pr.Input, pr.Output))
					} else {
						ms = append(ms, m)
					}
				}
				url := e.BaseURL
				if len(e.BaseURLs) > 0 {
					url = strings.Join(e.BaseURLs, " ")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.Provider, e.Origin, key, url, strings.Join(ms, ", "))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if slices.ContainsFunc(out, func(e modelEntry) bool { return e.Origin == "mock" }) {
				fmt.Fprint(a.stdout, mockHelp)
			}
			return nil
		},
	}
}

// mockHelp says what the offline mock models do, since their names alone
// do not.
const mockHelp = `
Mock models answer offline, in process, with made-up answers; their rows are labelled mock everywhere:
  mock/oracle          right on about 80% of items, the same answers on every rerun
  mock/oracle-NN       right on about NN% of items (any NN from 0 to 100, e.g. mock/oracle-55)
  mock/random          a random answer of the right shape
  mock-cn/oracle-NN    the offline demo's stand-in for a CN model: where no real CN and West
  mock-west/oracle-NN  runs exist, reports pair these two in the parity check (labelled mock)
`

func currencySign(c string) string {
	switch c {
	case "USD":
		return "$"
	case "CNY":
		return "¥"
	}
	return c + " "
}
