package parity

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Params are the generation parameters of a run. Pointer fields distinguish
// "not set, use the provider default" from an explicit zero, which matters
// for temperature 0.
type Params struct {
	MaxTokens      int      `json:"max_tokens,omitempty"`
	Temperature    *float64 `json:"temperature,omitempty"`
	TopP           *float64 `json:"top_p,omitempty"`
	Seed           *int     `json:"seed,omitempty"`
	Stream         bool     `json:"stream,omitempty"`
	Thinking       string   `json:"thinking,omitempty"` // "on", "off", "auto" or "" for the provider default
	Effort         string   `json:"effort,omitempty"`   // "low", "medium", "high", "max" or ""
	ThinkingBudget int      `json:"thinking_budget,omitempty"`
	// Stop lists stop sequences sent with every request (the API's "stop"
	// field). Few-shot suites set them so a base model stops where it
	// would start inventing the next question (see StopSequencer).
	Stop []string `json:"stop,omitempty"`
}

// StopSequencer is implemented by suites whose prompts continue a
// pattern (few-shot examples): the runner sends their stop sequences
// unless the run sets its own, and records them with the run's Params.
type StopSequencer interface {
	StopSequences() []string
}

// Request is one chat completion request in provider-neutral form.
type Request struct {
	// Model is the catalog id, "provider/model".
	Model    string    `json:"model"`
	Messages []Message `json:"messages"`
	Params
	// Extra holds JSON body fields merged verbatim into the request, for
	// provider switches go-openai does not know.
	Extra map[string]any `json:"extra,omitempty"`
	// Ref names the benchmark item and sample the request asks; zero when
	// it asks none. It is never sent: the offline mock provider looks the
	// item's answer up by it, so that a new user can try the whole
	// pipeline without a key.
	Ref ItemRef `json:"-"`
}

// ItemRef names one sample of one benchmark item: the suite's name, the
// item's ID within the suite and the sample's index.
type ItemRef struct {
	Suite  string
	ItemID string
	Sample int
}

// Finish reasons as the OpenAI wire format spells them.
const (
	FinishStop          = "stop"
	FinishLength        = "length"
	FinishContentFilter = "content_filter"
)

// Usage counts tokens as the API reported them.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	// ReasoningTokens is the part of CompletionTokens spent thinking.
	ReasoningTokens int `json:"reasoning_tokens"`
	// CachedTokens is the part of PromptTokens served from a prompt cache.
	CachedTokens int `json:"cached_tokens"`
}

// Add returns the sum of two usages.
func (u Usage) Add(v Usage) Usage {
	return Usage{
		PromptTokens:     u.PromptTokens + v.PromptTokens,
		CompletionTokens: u.CompletionTokens + v.CompletionTokens,
		ReasoningTokens:  u.ReasoningTokens + v.ReasoningTokens,
		CachedTokens:     u.CachedTokens + v.CachedTokens,
	}
}

// Completion is a model's answer to one Request, or the error that ended it.
type Completion struct {
	Content   string `json:"content"`
	Reasoning string `json:"reasoning,omitempty"`
	// FinishReason is "stop", "length", "content_filter" or what the API said.
	FinishReason string `json:"finish_reason,omitempty"`
	// ModelReported is the model id the API put in its response.
	ModelReported string        `json:"model_reported,omitempty"`
	Usage         Usage         `json:"usage"`
	Latency       time.Duration `json:"latency_ns"`
	// TTFT is the time to the first streamed token; zero when not streaming.
	TTFT     time.Duration `json:"ttft_ns,omitempty"`
	Attempts int           `json:"attempts"`
	// Raw is the response body as received (the assembled SSE stream when
	// streaming), kept so any run can be re-read and re-scored later.
	Raw string `json:"raw,omitempty"`
	// Request is the request body exactly as it was sent (every attempt
	// sends the same bytes); empty when nothing could be sent.
	Request string `json:"request,omitempty"`
	// Error is the final error message when the request failed after retries.
	Error string `json:"error,omitempty"`
	// ErrorCode classifies Error.
	ErrorCode ErrorCode `json:"error_code,omitempty"`
	// Warnings note settings the provider could not honour.
	Warnings []string `json:"warnings,omitempty"`
}

// Client sends requests to model APIs. The providers package implements it
// with one shared OpenAI-compatible client.
type Client interface {
	// Complete sends one request. A failed request returns an error; the
	// Completion then still carries what is known (attempts, latency, raw body).
	Complete(ctx context.Context, req Request) (Completion, error)
}

// Setting names the reasoning settings of p that a sweep varies (thinking,
// effort, thinking budget, token limit), as "effort high, budget 4096";
// empty when none is set. Reports and run summaries label the runs of an
// effort or budget curve with it.
func (p Params) Setting() string {
	var parts []string
	if p.Thinking != "" {
		parts = append(parts, "thinking "+p.Thinking)
	}
	if p.Effort != "" {
		parts = append(parts, "effort "+p.Effort)
	}
	if p.ThinkingBudget > 0 {
		parts = append(parts, "budget "+strconv.Itoa(p.ThinkingBudget))
	}
	if p.MaxTokens > 0 {
		parts = append(parts, "max tokens "+strconv.Itoa(p.MaxTokens))
	}
	return strings.Join(parts, ", ")
}
