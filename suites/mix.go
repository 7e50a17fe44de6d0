package suites

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/parity-bench/parity"
)

// MixPart is one suite's share of a Mix: Limit items of Subject (all
// subjects when empty), drawn by Select with the mix's seed.
type MixPart struct {
	Suite   parity.Suite
	Subject string
	Limit   int
}

// mixSeparator joins a part's suite name and an item's ID into the mixed
// item's ID ("gsm8k/17"), so items of different suites never collide.
const mixSeparator = "/"

// Mix is one suite made of fixed samples of several, such as a drift
// canary set: a handful of items from math, multiple-choice and Chinese
// suites asked as one run. Each item is asked with its own suite's prompt
// and graded by its own suite's scorer, so a mixed item scores exactly as
// it would in its suite; its ID is "<suite>/<id>" and its Meta carries the
// suite's answer kind under "answer_kind" (BBH items have a "kind" of their own).
//
// The mix's DataSHA256 and PromptHash hash those of its parts with their
// subjects, limits and the seed, so a changed part makes a different run.
func Mix(name, version string, seed int64, parts []MixPart) parity.Suite {
	return &mix{name: name, version: version, seed: seed, parts: parts}
}

type mix struct {
	name, version string
	seed          int64
	parts         []MixPart

	mu    sync.Mutex
	items []parity.Item
	from  map[string]mixSource
}

// mixSource is where a mixed item came from.
type mixSource struct {
	part int
	item parity.Item
}

func (m *mix) Info() parity.SuiteInfo {
	data, prompt := sha256.New(), sha256.New()
	var scorers, licenses []string
	nonCommercial := false
	items := 0
	for _, p := range m.parts {
		in := p.Suite.Info()
		fmt.Fprintf(data, "%s@%s:%s %d %d %s\n", in.Name, in.Version, p.Subject, p.Limit, m.seed, in.DataSHA256)
		fmt.Fprintf(prompt, "%s %s\n", in.Name, in.PromptHash)
		scorers = append(scorers, in.Name+"="+in.Scorer+"@"+in.ScorerVersion)
		licenses = append(licenses, in.Name+": "+in.License)
		nonCommercial = nonCommercial || in.NonCommercial
		items += p.Limit
	}
	return parity.SuiteInfo{
		Name: m.name, Version: m.version, Language: "mul",
		License:       strings.Join(licenses, "; "),
		Description:   "a fixed mix of items from " + strconv.Itoa(len(m.parts)) + " suites, each asked and graded as in its suite",
		NonCommercial: nonCommercial, Items: items,
		DataSHA256: hex.EncodeToString(data.Sum(nil)), PromptHash: hex.EncodeToString(prompt.Sum(nil)),
		Scorer: "mix", ScorerVersion: strings.Join(scorers, ","), Kind: "mixed",
	}
}

// Items draws each part's items once; failures are not cached, so a
// cancelled context does not poison later calls.
func (m *mix) Items(ctx context.Context) ([]parity.Item, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.items != nil {
		return m.items, nil
	}
	var out []parity.Item
	from := map[string]mixSource{}
	for i, p := range m.parts {
		in := p.Suite.Info()
		all, err := p.Suite.Items(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.name, err)
		}
		sel := parity.Select(all, p.Subject, p.Limit, m.seed)
		if len(sel) == 0 {
			return nil, fmt.Errorf("%s: no items from %s subject %q", m.name, in.Name, p.Subject)
		}
		for _, it := range sel {
			orig := it
			it.ID = in.Name + mixSeparator + it.ID
			if it.RotationOf != "" {
				it.RotationOf = in.Name + mixSeparator + it.RotationOf
			}
			if it.Pair != "" {
				it.Pair = in.Name + mixSeparator + it.Pair
			}
			meta := make(map[string]string, len(it.Meta)+1)
			for k, v := range it.Meta {
				meta[k] = v
			}
			meta["answer_kind"] = in.Kind
			it.Meta = meta
			if _, dup := from[it.ID]; dup {
				return nil, fmt.Errorf("%s: item %s drawn twice: list each suite once", m.name, it.ID)
			}
			from[it.ID] = mixSource{i, orig}
			out = append(out, it)
		}
	}
	m.items, m.from = out, from
	return out, nil
}

// source finds the suite and original item of a mixed item.
func (m *mix) source(it parity.Item) (parity.Suite, parity.Item, bool) {
	m.mu.Lock()
	src, ok := m.from[it.ID]
	m.mu.Unlock()
	if !ok {
		return nil, parity.Item{}, false
	}
	return m.parts[src.part].Suite, src.item, true
}

func (m *mix) Prompt(it parity.Item) []parity.Message {
	s, orig, ok := m.source(it)
	if !ok {
		return []parity.Message{{Role: "user", Content: it.Question}}
	}
	return s.Prompt(orig)
}

func (m *mix) Score(it parity.Item, c parity.Completion) parity.Score {
	s, orig, ok := m.source(it)
	if !ok {
		if o, forced := parity.FinishOutcome(c, false); forced {
			return parity.Score{Outcome: o, Scorer: "mix", ScorerVersion: m.version}
		}
		return parity.Score{Outcome: parity.OutcomeUnparsed, Scorer: "mix", ScorerVersion: m.version,
			Detail: "item " + it.ID + " is not in the mix; its suite is unknown"}
	}
	return s.Score(orig, c)
}
