package main

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers"
)

// modelEntry is one provider of `parity models`.
type modelEntry struct {
	Provider string   `json:"provider"`
	Origin   string   `json:"origin"`
	BaseURL  string   `json:"base_url"`
	BaseURLs []string `json:"base_urls,omitempty"`
	KeyEnv   string   `json:"key_env,omitempty"`
	KeySet   bool     `json:"key_set"`
	NeedsKey bool     `json:"needs_key"`
	Docs     string   `json:"docs,omitempty"`
	// Verified is the date the entry was last checked against Sources;
	// Stale says that was more than 120 days ago (or never).
	Verified string      `json:"verified"`
	Sources  []string    `json:"sources"`
	Stale    bool        `json:"stale"`
	Models   []modelInfo `json:"models"`
}

// modelInfo is one model the catalog names: flagships first.
type modelInfo struct {
	ID        string        `json:"id"`
	Flagship  bool          `json:"flagship,omitempty"`
	Canonical string        `json:"canonical,omitempty"`
	Price     *parity.Price `json:"price,omitempty"`
	// Status is active, retiring (within 30 days), retired (refused) or
	// substituted (answered by another model under this id).
	Status     string                `json:"status"`
	Retirement *providers.Retirement `json:"retirement,omitempty"`
	Note       string                `json:"note,omitempty"`
}

func (a *app) modelsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "models",
		Short: "List the provider catalog, whether each key is set and when each entry was verified",
		Long: `List the providers parity knows: origin (CN, West, local, mock), base URL, the
environment variable that holds the key and whether it is set, the date the entry
was last checked against the provider's own documentation, and the models the
catalog names, flagships first, with prices and retirement dates. A retired model
is refused by 'parity run'; one "served by" another is answered by that model
under the old name. Entries not verified within 120 days are warned about: APIs
change every month. Any model name works under a known provider: -m
vllm/Qwen/QwQ-32B sends "Qwen/QwQ-32B" to the vllm endpoint.
Add or override providers in ~/.config/parity/providers.yaml or --providers FILE
(see docs/providers.md).`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat, err := a.catalog()
			if err != nil {
				return err
			}
			now := a.now()
			var out []modelEntry
			for _, p := range cat.Providers() {
				// A user's base URL may hold a password or a key in its query.
				var urls []string
				for _, u := range p.BaseURLs {
					urls = append(urls, providers.ShownURL(u))
				}
				e := modelEntry{Provider: p.Name, Origin: p.Origin, BaseURL: providers.ShownURL(p.BaseURL), BaseURLs: urls, KeyEnv: p.KeyEnv,
					NeedsKey: p.NeedsKey(), KeySet: p.KeyEnv != "" && a.getenv(p.KeyEnv) != "", Docs: p.Docs,
					Verified: p.Verified, Sources: append([]string{}, p.Sources...), Stale: p.Stale(now), Models: []modelInfo{}}
				for name, m := range p.Models {
					if m == nil || strings.ContainsAny(name, "*?[") {
						continue // a pattern carrying rules, not a model
					}
					info := modelInfo{ID: name, Flagship: m.Flagship, Canonical: p.Canonical(name), Price: p.Price(name), Status: "active", Note: m.Note}
					if r := p.Retirement(name, now); r != nil {
						info.Retirement = r
						switch {
						case r.Retired && r.ServedBy != "":
							info.Status = "substituted"
						case r.Retired:
							info.Status = "retired"
						case r.Soon(now):
							info.Status = "retiring"
						}
					}
					e.Models = append(e.Models, info)
				}
				sort.Slice(e.Models, func(i, j int) bool {
					a, b := e.Models[i], e.Models[j]
					if a.Flagship != b.Flagship {
						return a.Flagship
					}
					return a.ID < b.ID
				})
				out = append(out, e)
			}
			for _, e := range out {
				if e.Stale {
					when := "never verified"
					if e.Verified != "" {
						when = "last verified " + e.Verified
					}
					fmt.Fprintf(a.stderr, "warning: catalog entry %s %s (over 120 days ago): its API may have changed; check %s and update it with --providers (docs/providers.md)\n",
						e.Provider, when, or(e.Docs, "the provider's documentation"))
				}
			}
			if a.jsonOut {
				return a.printJSON(out)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "PROVIDER\tORIGIN\tKEY\tVERIFIED\tBASE URL\tMODELS (flagships first; price in/out per 1M tokens)")
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
				verified := or(e.Verified, "never")
				if e.Stale {
					verified += " (stale)"
				}
				ms := make([]string, 0, len(e.Models))
				for _, m := range e.Models {
					ms = append(ms, modelLabel(m))
				}
				url := e.BaseURL
				if len(e.BaseURLs) > 0 {
					url = strings.Join(e.BaseURLs, " ")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.Provider, e.Origin, key, verified, url, strings.Join(ms, ", "))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if err := a.printOpenModels(cat, out); err != nil {
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

// printOpenModels lists the open-weight models the catalog names, grouped
// by the organisation that made them, each with every provider serving it:
// the maker's own API first, then the hosts.
func (a *app) printOpenModels(cat *providers.Catalog, entries []modelEntry) error {
	type serving struct {
		id    string
		maker bool
	}
	byModel := map[string][]serving{}
	names := map[string]string{} // lowercased canonical -> as written
	for _, e := range entries {
		p, _ := cat.Provider(e.Provider)
		for _, m := range e.Models {
			if m.Canonical == "" {
				continue
			}
			k := strings.ToLower(m.Canonical)
			if _, ok := names[k]; !ok {
				names[k] = m.Canonical
			}
			byModel[k] = append(byModel[k], serving{e.Provider + "/" + m.ID, p != nil && !p.Host})
		}
	}
	if len(byModel) == 0 {
		return nil
	}
	keys := make([]string, 0, len(byModel))
	for k := range byModel {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintln(a.stdout, "\nOPEN MODELS BY MAKER (maker's API first, then hosts; any host id of the form org/name also works)")
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	lastMaker := ""
	for _, k := range keys {
		canonical := names[k]
		maker, _, _ := strings.Cut(canonical, "/")
		if !strings.EqualFold(maker, lastMaker) {
			origin := or(cat.MakerOrigin(canonical), "?")
			fmt.Fprintf(tw, "%s (%s)\t\t\n", maker, origin)
			lastMaker = maker
		}
		list := byModel[k]
		sort.SliceStable(list, func(i, j int) bool { return list[i].maker && !list[j].maker })
		ids := make([]string, len(list))
		for i, s := range list {
			ids[i] = s.id
		}
		fmt.Fprintf(tw, "  %s\t%s\t\n", canonical, strings.Join(ids, ", "))
	}
	return tw.Flush()
}

// modelLabel is a model as the text listing shows it: a star for a
// flagship, its price, and what is known about it going away.
func modelLabel(m modelInfo) string {
	s := m.ID
	if m.Flagship {
		s = "*" + s
	}
	if pr := m.Price; pr != nil {
		s += fmt.Sprintf(" %s%g/%g", currencySign(pr.Currency), pr.Input, pr.Output)
	}
	r := m.Retirement
	switch m.Status {
	case "retired":
		s += fmt.Sprintf(" [RETIRED %s, use %s]", r.Date, r.Replacement)
	case "substituted":
		s += " [answered by " + r.ServedBy + sinceLabel(r.Date) + "]"
	case "retiring":
		next := r.Replacement
		if r.ServedBy != "" {
			next = "then served by " + r.ServedBy
		}
		s += fmt.Sprintf(" [retires %s; %s]", r.Date, next)
	default:
		if r != nil && r.Date != "" {
			s += " [retires " + r.Date + "]"
		}
	}
	return s
}

func sinceLabel(date string) string {
	if date == "" {
		return ""
	}
	return " since " + date
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func currencySign(c string) string {
	switch c {
	case "USD":
		return "$"
	case "CNY":
		return "¥"
	}
	return c + " "
}
