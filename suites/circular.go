package suites

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"

	"github.com/parity-bench/parity"
)

// CircularSuffix is appended to a suite's Version under Circular, so circular
// runs never resume or compare as plain runs of the same suite.
const CircularSuffix = "+circular"

// rotationSeparator joins an item's ID and a rotation number into the
// rotation's ID ("q17@r2"). Resumed circular runs find their samples by
// these IDs, so the form must not change.
const rotationSeparator = "@r"

// Circular wraps a multiple-choice suite for CircularEval (as in
// OpenCompass): every item with n ≥ 2 choices becomes n items, one per
// rotation of its options. Rotation r shows the original option (i+r) mod n
// at position i, with the gold letter moved along, so the correct answer
// visits every position once and a model that favours one letter can no
// longer profit from it.
//
// The rotated items have ID "<id>@r<r>" and RotationOf = <id>. Items
// without choices (free-form BBH tasks) pass through unchanged. An original
// item counts as correct under CircularEval only when every one of its
// rotations is correct: reports group samples by RotationOf and take the
// logical AND; items with no RotationOf are their own group.
//
// The wrapper keeps Name, PromptHash and DataSHA256 (the prompt template and
// data are the same) and appends CircularSuffix to Version; Items counts the
// expanded items. Prompts and scores come from the wrapped suite, which
// renders and grades the rotated Choices and Answer like any other item.
func Circular(s parity.Suite) parity.Suite {
	return &circular{inner: s}
}

type circular struct {
	inner parity.Suite

	mu    sync.Mutex
	items []parity.Item // nil until expanded successfully
}

// PublishQuestions is the wrapped suite's: rotating the options changes
// nothing the licence decides.
func (c *circular) PublishQuestions() bool { return PublishesQuestions(c.inner) }

// expand rotates the wrapped suite's items once. Failures are not cached,
// so a cancelled context does not poison later calls.
func (c *circular) expand(ctx context.Context) ([]parity.Item, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items != nil {
		return c.items, nil
	}
	items, err := c.inner.Items(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]parity.Item, 0, len(items)*4)
	for _, it := range items {
		rot, err := Rotations(it)
		if err != nil {
			return nil, fmt.Errorf("circular %s: %w", suiteName(c.inner), err)
		}
		out = append(out, rot...)
	}
	c.items = out
	return out, nil
}

// Rotations returns the circular variants of one item, or the item itself
// when it has fewer than two choices. A multiple-choice item whose gold is
// not the letter of one of its choices is an error: rotating it would move
// a wrong gold answer around.
func Rotations(it parity.Item) ([]parity.Item, error) {
	n := len(it.Choices)
	if n < 2 {
		return []parity.Item{it}, nil
	}
	gold := mcLetterIndex(it.Answer, n)
	if gold < 0 {
		return nil, fmt.Errorf("item %s: gold %q is not the letter of one of its %d choices", it.ID, it.Answer, n)
	}
	out := make([]parity.Item, n)
	for r := range n {
		rot := it
		rot.ID = it.ID + rotationSeparator + strconv.Itoa(r)
		rot.RotationOf = it.ID
		rot.Choices = make([]string, n)
		for i := range n {
			rot.Choices[i] = it.Choices[(i+r)%n]
		}
		rot.Answer = Letter((gold - r + n) % n)
		rot.Meta = maps.Clone(it.Meta)
		out[r] = rot
	}
	return out, nil
}

// Name returns the wrapped suite's registry name without loading data.
func (c *circular) Name() string { return suiteName(c.inner) }

// Info describes the wrapped suite with the circular Version and item count.
func (c *circular) Info() parity.SuiteInfo {
	info := c.inner.Info()
	info.Version += CircularSuffix
	if items, err := c.expand(context.Background()); err == nil {
		info.Items = len(items)
	}
	return info
}

// Items returns the rotated items, as copies the caller may modify.
func (c *circular) Items(ctx context.Context) ([]parity.Item, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	items, err := c.expand(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]parity.Item, len(items))
	for i, it := range items {
		it.Choices = slices.Clone(it.Choices)
		it.Meta = maps.Clone(it.Meta)
		out[i] = it
	}
	return out, nil
}

// Subjects forwards the wrapped suite's subjects, so "name:subject" works
// under --circular too.
func (c *circular) Subjects() []string {
	if sj, ok := c.inner.(Subjecter); ok {
		return sj.Subjects()
	}
	return nil
}

// Prompt is the wrapped suite's prompt; it renders the rotated choices.
func (c *circular) Prompt(it parity.Item) []parity.Message { return c.inner.Prompt(it) }

// Score is the wrapped suite's scorer, grading against the moved gold letter.
func (c *circular) Score(it parity.Item, comp parity.Completion) parity.Score {
	return c.inner.Score(it, comp)
}

// StopSequences forwards the wrapped suite's stop sequences, if any.
func (c *circular) StopSequences() []string {
	if s, ok := c.inner.(parity.StopSequencer); ok {
		return s.StopSequences()
	}
	return nil
}
