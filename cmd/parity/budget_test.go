package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers/providertest"
)

func TestMaxCostStopsTheRunAndSaysSo(t *testing.T) {
	srv := providertest.New(t, providertest.Options{Answer: func(providertest.ChatRequest) providertest.Reply {
		// 1,000 output tokens at 10 USD per million: one cent a sample.
		return providertest.Reply{Content: `\boxed{1}`, Usage: &parity.Usage{PromptTokens: 0, CompletionTokens: 1000}}
	}})
	ta := newTestApp(t)
	withProvidersFile(t, ta, `providers:
  paid:
    base_url: `+srv.BaseURL()+`
    origin: West
    models:
      m:
        price: {input: 1, output: 10, currency: USD, as_of: "2026-11-01"}
`)
	args := []string{"run", "-m", "paid/m", "-s", "gsm8k", "--limit", "40", "--concurrency", "1", "--max-cost", "0.05 USD", "--json"}
	code := ta.run(context.Background(), args...)
	assert.Equal(t, exitPartial, code, ta.stderr.String())
	assert.Contains(t, ta.stderr.String(), "budget")
	sum := decode[[]runSummary](t, ta.stdout.String())
	require.Len(t, sum, 1)
	assert.Equal(t, "partial", sum[0].Status)
	assert.LessOrEqual(t, srv.Count(), 5, "never more than the budget buys")
	assert.GreaterOrEqual(t, srv.Count(), 4)

	rep := decode[struct {
		Rows []struct {
			Cost     float64 `json:"cost"`
			Currency string  `json:"currency"`
		} `json:"rows"`
	}](t, ta.mustRun("report", "--json"))
	require.Len(t, rep.Rows, 1)
	assert.Equal(t, "USD", rep.Rows[0].Currency)
	assert.InDelta(t, 0.01*float64(srv.Count()), rep.Rows[0].Cost, 1e-9)
	assert.LessOrEqual(t, rep.Rows[0].Cost, 0.05+1e-9)
}

func TestReportConvertsCurrencyFromConfig(t *testing.T) {
	srv := providertest.New(t, providertest.Options{Answer: func(providertest.ChatRequest) providertest.Reply {
		return providertest.Reply{Content: `\boxed{1}`, Usage: &parity.Usage{CompletionTokens: 1_000_000}}
	}})
	ta := newTestApp(t)
	withProvidersFile(t, ta, `providers:
  yuan:
    base_url: `+srv.BaseURL()+`
    origin: CN
    models:
      m:
        price: {input: 2, output: 8, currency: CNY, as_of: "2026-11-01"}
`)
	ta.mustRun("run", "-m", "yuan/m", "-s", "gsm8k", "--limit", "2")
	writeConfig := func(body string) {
		require.NoError(t, os.WriteFile(filepath.Join(ta.dir, ".config", "parity", "config.yaml"), []byte(body), 0o644))
	}
	type row struct {
		Cost              float64  `json:"cost"`
		Currency          string   `json:"currency"`
		CostConverted     *float64 `json:"cost_converted"`
		ConvertedCurrency string   `json:"converted_currency"`
	}
	type rep struct {
		Rows  []row    `json:"rows"`
		Notes []string `json:"notes"`
	}
	writeConfig("report:\n  currency: usd\n  rates: {CNY: 0.14}\n  rates_date: \"2026-11-01\"\n")
	r := decode[rep](t, ta.mustRun("report", "--json"))
	require.Len(t, r.Rows, 1)
	assert.InDelta(t, 16.0, r.Rows[0].Cost, 1e-9, "two samples of a million output tokens at 8 CNY")
	assert.Equal(t, "CNY", r.Rows[0].Currency)
	require.NotNil(t, r.Rows[0].CostConverted)
	assert.InDelta(t, 16*0.14, *r.Rows[0].CostConverted, 1e-9)
	assert.Equal(t, "USD", r.Rows[0].ConvertedCurrency)
	assert.Contains(t, strings.Join(r.Notes, "\n"), "2026-11-01")

	r = decode[rep](t, ta.mustRun("report", "--json", "--rate", "CNY=0.15"))
	assert.InDelta(t, 16*0.15, *r.Rows[0].CostConverted, 1e-9, "flags win over the config file")

	writeConfig("report:\n  currancy: USD\n")
	code := ta.run(context.Background(), "report")
	assert.Equal(t, exitConfig, code)
	assert.Contains(t, ta.stderr.String(), "currancy")
	assert.Contains(t, ta.stderr.String(), "config.yaml")
}

func TestConfigMistakesSayWhatToFix(t *testing.T) {
	ta := newTestApp(t)
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "2")
	cfg := filepath.Join(ta.dir, "config.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("report:\n  currency: USD\n  rats: {CNY: 0.14}\n"), 0o644))
	code := ta.run(context.Background(), "report", "--config", cfg)
	assert.Equal(t, exitConfig, code)
	msg := ta.stderr.String()
	assert.Contains(t, msg, `line 3: unknown field rats`)
	assert.Contains(t, msg, "report.rates", "says which keys the file takes")
	assert.NotContains(t, msg, "struct", "no Go type names")
	assert.Equal(t, 1, strings.Count(strings.TrimRight(msg, "\n"), "\n")+1, "one line: %q", msg)

	code = ta.run(context.Background(), "report", "--config", filepath.Join(ta.dir, "nope.yaml"))
	assert.Equal(t, exitConfig, code)
	assert.Contains(t, ta.stderr.String(), "does not exist")
}
