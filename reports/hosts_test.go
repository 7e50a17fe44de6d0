package reports

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
)

// hostFixture is one open model run on its maker's API and two hosts, plus
// an unrelated model that must not be paired.
func hostFixture() []Input {
	c, w, tr := parity.OutcomeCorrect, parity.OutcomeWrong, parity.OutcomeTruncated
	items := func(run int64, outs ...parity.Outcome) []parity.Sample {
		var specs []spec
		for i, o := range outs {
			specs = append(specs, spec{string(rune('a' + i)), 0, o, "1"})
		}
		return samples(run, "number@2", specs...)
	}
	maker := run(1, "deepseek/deepseek-v4-pro", "CN", "gsm8k", 6, 1)
	together := run(2, "together/deepseek-ai/DeepSeek-V4-Pro", "CN", "gsm8k", 6, 1)
	fireworks := run(3, "fireworks/accounts/fireworks/models/deepseek-v4-pro", "CN", "gsm8k", 6, 1)
	other := run(4, "openai/gpt-6.1-sol", "West", "gsm8k", 6, 1)
	return []Input{
		{Run: maker, Samples: items(1, c, c, c, c, c, w)},
		{Run: together, Samples: items(2, c, c, c, w, tr, tr)},
		{Run: fireworks, Samples: items(3, c, c, c, c, c, c)},
		{Run: other, Samples: items(4, c, c, c, c, c, c)},
	}
}

func hostOptions() Options {
	opt := fixedOptions()
	canonical := map[string]string{
		"deepseek/deepseek-v4-pro":                            "deepseek-ai/DeepSeek-V4-Pro",
		"together/deepseek-ai/DeepSeek-V4-Pro":                "deepseek-ai/DeepSeek-V4-Pro",
		"fireworks/accounts/fireworks/models/deepseek-v4-pro": "deepseek-ai/deepseek-v4-pro", // case differs, same model
	}
	opt.Canonical = func(id string) (string, bool) { return canonical[id], id == "deepseek/deepseek-v4-pro" }
	return opt
}

// TestHostGapsPairEachHostWithTheMaker checks every host of one canonical
// model is paired with the maker's own API on shared items, in text and
// JSON, with truncation and error rates side by side.
func TestHostGapsPairEachHostWithTheMaker(t *testing.T) {
	lb, err := Build(hostFixture(), hostOptions())
	require.NoError(t, err)
	require.Len(t, lb.HostGaps, 2)
	for _, g := range lb.HostGaps {
		assert.Equal(t, KindHost, g.Kind)
		assert.Equal(t, int64(1), g.B.Run, "the maker's API is the reference")
		assert.Equal(t, "deepseek", g.B.Label)
		assert.Equal(t, 6, g.SharedItems)
	}
	byHost := map[string]Comparison{}
	for _, g := range lb.HostGaps {
		byHost[g.A.Label] = g
	}
	assert.InDelta(t, 3.0/6-5.0/6, byHost["together"].Diff, 1e-12, "together loses two items to truncation")
	assert.InDelta(t, 1.0/6, byHost["fireworks"].Diff, 1e-12)

	var text bytes.Buffer
	require.NoError(t, Render(&text, lb, "text"))
	out := text.String()
	assert.Contains(t, out, hostTitle)
	assert.Contains(t, out, "33.3 / 0.0", "truncation shares, host / reference")

	var js bytes.Buffer
	require.NoError(t, Render(&js, lb, "json"))
	var doc struct {
		HostGaps []struct {
			Kind string `json:"kind"`
			A    struct{ Label string }
			B    struct{ Label string }
		} `json:"host_gaps"`
		Rows []struct {
			Model     string `json:"model"`
			Canonical string `json:"canonical"`
		} `json:"rows"`
	}
	require.NoError(t, json.Unmarshal(js.Bytes(), &doc))
	require.Len(t, doc.HostGaps, 2)
	assert.Equal(t, "host", doc.HostGaps[0].Kind)
	for _, r := range doc.Rows {
		if r.Model == "openai/gpt-6.1-sol" {
			assert.Empty(t, r.Canonical)
		}
	}
}

// TestHostGapsWithoutTheMakerUseTheBestHost: with no run on the maker's API
// the most accurate host is the reference; a lone provider is never paired.
func TestHostGapsWithoutTheMakerUseTheBestHost(t *testing.T) {
	in := hostFixture()[1:]
	lb, err := Build(in, hostOptions())
	require.NoError(t, err)
	require.Len(t, lb.HostGaps, 1)
	assert.Equal(t, "fireworks", lb.HostGaps[0].B.Label, "the best host")
	assert.Equal(t, "together", lb.HostGaps[0].A.Label)

	lb, err = Build(hostFixture()[:1], hostOptions())
	require.NoError(t, err)
	assert.Empty(t, lb.HostGaps)
	lb, err = Build(hostFixture(), fixedOptions())
	require.NoError(t, err)
	assert.Empty(t, lb.HostGaps, "without canonical names nothing is paired")
}
