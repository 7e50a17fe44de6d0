package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity/providers"
	"github.com/parity-bench/parity/providers/providertest"
)

const doctorSecret = "sk-doctor-secret-0123456789"

// echoKey rejects every request, quoting the key back as some APIs do.
func echoKey(r providertest.ChatRequest) *providertest.Fault {
	f := providertest.Status(401, providertest.OpenAIError(
		"Authentication Fails, Your api key: "+strings.TrimPrefix(r.Authorization, "Bearer ")+" is invalid", "authentication_error", "invalid_request_error"))
	return &f
}

func TestDoctorCommand(t *testing.T) {
	checks := []string{"reachable", "key", "account", "model", "token_limit", "reasoning", "thinking_switch", "stream_usage", "latency", "catalog"}
	tests := []struct {
		name     string
		args     []string // after "doctor"; "BASE" is replaced by the server's URL
		env      map[string]string
		opt      providertest.Options
		code     int
		stdout   []string
		stderr   []string
		requests int
	}{
		{
			name: "healthy endpoint", args: []string{"lab/r1", "--base-url", "BASE", "--api-key-env", "LAB_KEY"},
			env: map[string]string{"LAB_KEY": doctorSecret}, code: 0, requests: 3, // no thinking switch: plain, streamed, temperature 0
			stdout: append([]string{"lab/r1 at BASE/chat/completions", "CHECK", "STATUS", "LAB_KEY accepted", "reasoning_content", "accepted: temperature=0"}, checks...),
		},
		{
			name: "without the catalog check", args: []string{"lab/r1", "--base-url", "BASE", "--api-key-env", "LAB_KEY", "--catalog=false"},
			env: map[string]string{"LAB_KEY": doctorSecret}, code: 0, requests: 2,
			stdout: checks[:len(checks)-1],
		},
		{
			name: "key rejected", args: []string{"lab/r1", "--base-url", "BASE", "--api-key-env", "LAB_KEY"},
			env: map[string]string{"LAB_KEY": doctorSecret}, opt: providertest.Options{FaultFunc: echoKey}, code: 1, requests: 1,
			stdout: []string{"key", "FAIL", "API key rejected (401)", "→ check that LAB_KEY holds a valid", "skipped", "[redacted]"},
			stderr: []string{"parity: doctor: key failed for lab/r1: see the advice above"},
		},
		{
			name: "insufficient balance", args: []string{"deepseek/deepseek-flash", "--base-url", "BASE"},
			env: map[string]string{"DEEPSEEK_API_KEY": doctorSecret}, opt: providertest.Options{Faults: []providertest.Fault{providertest.DeepSeekNoBalance}},
			code: 1, requests: 1,
			stdout: []string{"account", "FAIL", "→ insufficient balance: top up the deepseek account"},
			stderr: []string{"account failed"},
		},
		{
			name: "key not set", args: []string{"lab/r1", "--base-url", "BASE", "--api-key-env", "LAB_KEY"},
			code: 4, requests: 0,
			stderr: []string{"API key not set: LAB_KEY (for lab/r1); export the variable"},
		},
		{
			name: "catalog key not set", args: []string{"deepseek/deepseek-flash"},
			code: 4, stderr: []string{"API key not set: DEEPSEEK_API_KEY"},
		},
		{
			name: "offline mock", args: []string{"mock/oracle"}, code: 0,
			stdout: append([]string{"no key needed"}, checks...),
		},
		{name: "no model", args: nil, code: 2, stderr: []string{"accepts 1 arg"}},
		{name: "key env without base url", args: []string{"lab/r1", "--api-key-env", "LAB_KEY"}, code: 2, stderr: []string{"--api-key-env goes with --base-url"}},
		{name: "unknown region", args: []string{"dashscope/qwen-plus", "--region", "eu"}, code: 2, stderr: []string{`--region "eu" is not valid`}},
		{name: "malformed model", args: []string{"qwen-plus"}, code: 2, stderr: []string{"use provider/model"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := providertest.New(t, tt.opt)
			ta := newTestApp(t)
			for k, v := range tt.env {
				ta.env[k] = v
			}
			args := []string{"doctor"}
			for _, a := range tt.args {
				args = append(args, strings.ReplaceAll(a, "BASE", srv.BaseURL()))
			}
			code := ta.run(context.Background(), args...)
			assert.Equal(t, tt.code, code, "stdout: %s\nstderr: %s", ta.stdout.String(), ta.stderr.String())
			for _, s := range tt.stdout {
				assert.Contains(t, ta.stdout.String(), strings.ReplaceAll(s, "BASE", srv.BaseURL()))
			}
			for _, s := range tt.stderr {
				assert.Contains(t, ta.stderr.String(), s)
			}
			assert.Equal(t, tt.requests, srv.Count())
			assert.NotContains(t, ta.stdout.String()+ta.stderr.String(), doctorSecret)
		})
	}
}

func TestDoctorCommandProvidersFile(t *testing.T) {
	srv := providertest.New(t, providertest.Options{Style: providertest.StyleReasoning})
	ta := newTestApp(t)
	file := filepath.Join(ta.dir, "providers.yaml")
	yml := "providers:\n  gpu-box:\n    base_url: " + srv.BaseURL() + "\n    origin: local\n    reasoning_fields: [reasoning]\n"
	require.NoError(t, os.WriteFile(file, []byte(yml), 0o600))
	out := ta.mustRun("doctor", "gpu-box/Qwen/QwQ-32B", "--providers", file)
	assert.Contains(t, out, "in reasoning")
	assert.Equal(t, "Qwen/QwQ-32B", srv.Requests()[0].Model)
}

func TestDoctorCommandJSON(t *testing.T) {
	tests := []struct {
		name   string
		opt    providertest.Options
		code   int
		failed bool
	}{
		{name: "ok", code: 0},
		{name: "key rejected", opt: providertest.Options{FaultFunc: echoKey}, code: 1, failed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := providertest.New(t, tt.opt)
			ta := newTestApp(t)
			ta.env["LAB_KEY"] = doctorSecret
			code := ta.run(context.Background(), "doctor", "lab/r1", "--base-url", srv.BaseURL(), "--api-key-env", "LAB_KEY", "--json", "--timeout", "5s")
			require.Equal(t, tt.code, code, ta.stderr.String())
			rep := decode[providers.DoctorReport](t, ta.stdout.String())
			assert.Equal(t, "lab/r1", rep.Model)
			assert.Equal(t, "lab", rep.Provider)
			assert.Len(t, rep.Checks, 10)
			assert.Equal(t, tt.failed, rep.Failed())
			if !tt.failed {
				assert.Equal(t, "reasoning_content", rep.ReasoningField)
				assert.Equal(t, "r1", rep.ModelReported)
			}
			assert.NotContains(t, ta.stdout.String()+ta.stderr.String(), doctorSecret)
			assert.Equal(t, "Bearer "+doctorSecret, srv.Requests()[0].Authorization, "the key from --api-key-env is sent")
		})
	}
}

// TestDoctorPrintsAPITextPrintable: the checks quote what the API said (the
// model it reported, its errors); none of it reaches the terminal as
// control characters.
func TestDoctorPrintsAPITextPrintable(t *testing.T) {
	srv := providertest.New(t, providertest.Options{Answer: func(providertest.ChatRequest) providertest.Reply {
		return providertest.Reply{Model: "other\x1b]0;pwned\x07\x1b[2J", Content: "5"}
	}})
	ta := newTestApp(t)
	ta.run(context.Background(), "doctor", "lab/r1", "--base-url", srv.BaseURL())
	out := ta.stdout.String()
	assert.Contains(t, out, "the API reported other]0;pwned[2J")
	assert.NotContains(t, out, "\x1b")
	assert.NotContains(t, out, "\x07")
}

// TestDoctorBodyHidesACredentialInExtra: a providers file may put a
// credential in the body (extra: {api_key: ...}, as some gateways take it);
// doctor's copy of the body sent masks it, as the stored request does.
func TestDoctorBodyHidesACredentialInExtra(t *testing.T) {
	srv := providertest.New(t, providertest.Options{})
	ta := newTestApp(t)
	file := filepath.Join(ta.dir, "providers.yaml")
	yml := "providers:\n  gw:\n    base_url: " + srv.BaseURL() + "\n    origin: custom\n    extra:\n      api_key: gwkey-0123456789abcdef\n"
	require.NoError(t, os.WriteFile(file, []byte(yml), 0o600))
	for _, args := range [][]string{{"doctor", "gw/m", "--providers", file}, {"doctor", "gw/m", "--providers", file, "--json"}} {
		ta.run(context.Background(), args...)
		assert.Contains(t, ta.stdout.String(), "api_key")
		assert.NotContains(t, ta.stdout.String()+ta.stderr.String(), "gwkey-0123456789abcdef", args)
	}
	assert.Contains(t, string(srv.Requests()[0].Body), "gwkey-0123456789abcdef", "the field is still sent")
	ta.mustRun("run", "-m", "gw/m", "--providers", file, "-s", "gsm8k", "--limit", "1")
	assert.NotContains(t, ta.mustRun("show", "1", "--raw"), "gwkey-0123456789abcdef", "nor is it stored")
}
