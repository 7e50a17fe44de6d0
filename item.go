package parity

import "context"

// Message is one chat message sent to a model.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Item is one benchmark question with its gold answer.
type Item struct {
	// ID is stable across versions of the data and unique within the suite;
	// resume and cross-run comparisons key on it.
	ID string `json:"id"`
	// Subject is an optional subset name (an MMLU subject, an MGSM language).
	Subject string `json:"subject,omitempty"`
	// RotationOf is the ID of the item this one was made from by rotating
	// its options (CircularEval); empty for an original item. Select keeps
	// an item's rotations together, and CircularEval counts the original
	// correct only when every rotation is.
	RotationOf string `json:"rotation_of,omitempty"`
	// Pair is the key translations of one problem share across languages
	// (MGSM's problem number), so that selections and language comparisons
	// line the same problem up; empty for an item with no translations.
	Pair string `json:"pair,omitempty"`
	// Question is the problem text as the dataset gives it.
	Question string `json:"question"`
	// Choices are the options of a multiple-choice item, in dataset order.
	Choices []string `json:"choices,omitempty"`
	// Answer is the gold answer: a number, a LaTeX expression, or for
	// multiple-choice items the letter of the correct option.
	Answer string `json:"answer"`
	// Meta carries dataset-specific fields a prompt template or scorer needs.
	Meta map[string]string `json:"meta,omitempty"`
}

// SuiteInfo describes a suite well enough to reproduce a run on it.
type SuiteInfo struct {
	Name        string `json:"name"`
	Version     string `json:"version"`
	Language    string `json:"language"` // BCP 47 tag: "en", "zh", ...
	License     string `json:"license"`
	Description string `json:"description,omitempty"`
	// NonCommercial marks data whose licence forbids commercial use.
	NonCommercial bool `json:"non_commercial,omitempty"`
	Items         int  `json:"items"`
	// DataSHA256 is the sha256 of the embedded data files the items come from.
	DataSHA256 string `json:"data_sha256"`
	// PromptHash is the sha256 of the prompt template, so a changed prompt is
	// visible in every run even if someone forgets to bump Version.
	PromptHash    string `json:"prompt_hash"`
	Scorer        string `json:"scorer"`
	ScorerVersion string `json:"scorer_version"`
	// Kind is the answer kind: "number", "math", "choice" or "text".
	Kind string `json:"kind"`
}

// Suite is a benchmark: a fixed list of items, the prompt each is asked with,
// and the scorer that grades a model's answer.
type Suite interface {
	// Info describes the suite.
	Info() SuiteInfo
	// Items returns every item in a deterministic order.
	Items(ctx context.Context) ([]Item, error)
	// Prompt builds the messages sent to the model for one item.
	Prompt(it Item) []Message
	// Score grades a completion against the item's gold answer. It must be a
	// pure function of its arguments, so stored runs can be re-scored.
	Score(it Item, c Completion) Score
}
