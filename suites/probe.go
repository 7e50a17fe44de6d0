package suites

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"unicode"

	"github.com/parity-bench/parity"
)

// Contamination probes ask a model to reproduce benchmark text it could only
// know by having seen it: a hidden option of a multiple-choice item
// (option guessing, the "TS-Guessing" test of Deng et al., 2023,
// "Investigating Data Contamination in Modern Benchmarks for Large Language
// Models"), or the second half of a problem. A probe is a suite made from
// another, so it is run, stored, resumed and rescored like any run; its
// accuracy is the share of exact reproductions.

// The probe kinds, as the suffix of a probe suite's name ("mmlu-guess") and
// its Kind ("probe-guess").
const (
	ProbeGuess    = "guess"
	ProbeComplete = "complete"
)

// ProbeVersion is the version of the probe prompts and their scoring; it is
// part of every probe suite's Version, so changed prompts make new runs.
// Version 2: a completion that goes on past the end of the problem still
// counts as reproducing it.
const ProbeVersion = "2"

// IsProbe reports whether a suite kind is a probe's.
func IsProbe(kind string) bool { return strings.HasPrefix(kind, "probe-") }

// Probe wraps suite s in the probe of the given kind: ProbeGuess needs a
// multiple-choice suite, ProbeComplete one whose questions are free text
// (math or number).
func Probe(s parity.Suite, kind string) (parity.Suite, error) {
	in := s.Info()
	switch {
	case kind == ProbeGuess && in.Kind != "choice":
		return nil, parity.Errorf(parity.ErrUsage, "option guessing needs a multiple-choice suite; %s is a %s suite", in.Name, in.Kind)
	case kind == ProbeComplete && in.Kind != "math" && in.Kind != "number":
		return nil, parity.Errorf(parity.ErrUsage, "question completion needs a math suite; %s is a %s suite", in.Name, in.Kind)
	case kind != ProbeGuess && kind != ProbeComplete:
		return nil, parity.Errorf(parity.ErrUsage, "unknown probe %q: use %s or %s", kind, ProbeGuess, ProbeComplete)
	}
	return &probe{inner: s, kind: kind}, nil
}

// lookupProbe resolves "<suite>-guess" and "<suite>-complete", so probe
// runs are found again by name (parity rescore, parity run -s mmlu-guess).
func lookupProbe(name string) (parity.Suite, error) {
	for _, kind := range []string{ProbeGuess, ProbeComplete} {
		base, ok := strings.CutSuffix(name, "-"+kind)
		if !ok {
			continue
		}
		registryMu.RLock()
		s, found := registry[base]
		registryMu.RUnlock()
		if found {
			return Probe(s, kind)
		}
	}
	return nil, nil
}

type probe struct {
	inner parity.Suite
	kind  string

	mu    sync.Mutex
	items []parity.Item
}

// Subjects passes the wrapped suite's subjects through, so mmlu-guess:anatomy
// works as mmlu:anatomy does.
func (p *probe) Subjects() []string {
	if sj, ok := p.inner.(Subjecter); ok {
		return sj.Subjects()
	}
	return nil
}

func (p *probe) template() string {
	zh := p.inner.Info().Language == "zh"
	switch {
	case p.kind == ProbeGuess && zh:
		return guessPromptZH
	case p.kind == ProbeGuess:
		return guessPromptEN
	case zh:
		return completePromptZH
	}
	return completePromptEN
}

func (p *probe) Info() parity.SuiteInfo {
	in := p.inner.Info()
	sum := sha256.Sum256([]byte(p.template()))
	in.Name += "-" + p.kind
	in.Version += "+" + p.kind + "." + ProbeVersion
	in.PromptHash = hex.EncodeToString(sum[:])
	in.Scorer, in.ScorerVersion = "probe-exact", ProbeVersion
	in.Kind = "probe-" + p.kind
	what := "option guessing (hide one wrong option, ask for its text)"
	if p.kind == ProbeComplete {
		what = "question completion (give the first half of a problem, ask for the rest)"
	}
	in.Description = "contamination probe on " + p.inner.Info().Name + ": " + what
	if items, ok := p.cached(); ok {
		in.Items = len(items)
	}
	return in
}

func (p *probe) cached() ([]parity.Item, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.items, p.items != nil
}

// Items derives the probe items once: each keeps its suite's ID, and its
// Answer becomes the text the model must reproduce. Items that give a
// probe nothing to measure are left out: options too short to tell
// memory from a guess ("4", "True", "all of the above"), problems too short
// to split.
func (p *probe) Items(ctx context.Context) ([]parity.Item, error) {
	if items, ok := p.cached(); ok {
		return items, nil
	}
	all, err := p.inner.Items(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]parity.Item, 0, len(all))
	for _, it := range all {
		var ok bool
		if p.kind == ProbeGuess {
			it, ok = maskOption(it)
		} else {
			it, ok = splitQuestion(it)
		}
		if ok {
			out = append(out, it)
		}
	}
	p.mu.Lock()
	p.items = out
	p.mu.Unlock()
	return out, nil
}

// maskOption hides one wrong option of a multiple-choice item, picked by a
// hash of the item's ID among the options long enough to be worth asking.
func maskOption(it parity.Item) (parity.Item, bool) {
	gold := -1
	for i := range it.Choices {
		if Letter(i) == strings.ToUpper(strings.TrimSpace(it.Answer)) {
			gold = i
		}
	}
	if gold < 0 || len(it.Choices) < 3 {
		return it, false
	}
	var candidates []int
	for i, c := range it.Choices {
		if i != gold && guessable(c) {
			candidates = append(candidates, i)
		}
	}
	if len(candidates) == 0 {
		return it, false
	}
	h := fnv.New32a()
	h.Write([]byte(it.ID))
	hide := candidates[int(h.Sum32()%uint32(len(candidates)))]
	out := it
	out.Choices = append([]string(nil), it.Choices...)
	out.Answer = it.Choices[hide]
	out.Choices[hide] = "[MASK]"
	out.Meta = map[string]string{"masked": Letter(hide)}
	for k, v := range it.Meta {
		out.Meta[k] = v
	}
	out.RotationOf = ""
	return out, true
}

// guessable reports whether an option is long and specific enough that
// writing it word for word says something: at least three words or twelve
// letters (four for Chinese), and not a catch-all option.
func guessable(option string) bool {
	norm := ProbeNormalize(option)
	lower := strings.ToLower(option)
	for _, catchAll := range []string{"all of the above", "none of the above", "both a and b", "以上都", "以上均", "都不对", "都对"} {
		if strings.Contains(lower, catchAll) {
			return false
		}
	}
	cjk := 0
	for _, r := range norm {
		if unicode.Is(unicode.Han, r) {
			cjk++
		}
	}
	if cjk >= 4 {
		return true
	}
	return len(strings.Fields(option)) >= 3 || len([]rune(norm)) >= 12
}

// splitQuestion keeps the first half of a problem as the question and
// makes the rest the answer, splitting between words (between characters
// for Chinese); problems under 16 words (24 characters) are left out.
func splitQuestion(it parity.Item) (parity.Item, bool) {
	q := strings.TrimSpace(it.Question)
	words := strings.Fields(q)
	var head, tail string
	switch {
	case len(words) >= 16:
		cut := len(words) / 2
		// Cut at the start of the word, so the spacing of the rest is
		// the dataset's own.
		idx := 0
		for i := 0; i < cut; i++ {
			idx = strings.Index(q[idx:], words[i]) + idx + len(words[i])
		}
		head, tail = strings.TrimSpace(q[:idx]), strings.TrimSpace(q[idx:])
	case len([]rune(q)) >= 24 && hasHan(q):
		r := []rune(q)
		head, tail = string(r[:len(r)/2]), string(r[len(r)/2:])
	default:
		return it, false
	}
	out := it
	out.Question, out.Answer, out.Choices = head, tail, nil
	return out, true
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

func (p *probe) Prompt(it parity.Item) []parity.Message {
	body := it.Question
	if p.kind == ProbeGuess {
		var b strings.Builder
		b.WriteString(it.Question)
		b.WriteString("\n")
		for i, c := range it.Choices {
			fmt.Fprintf(&b, "\n%s. %s", Letter(i), c)
		}
		body = b.String()
	}
	return []parity.Message{{Role: "user", Content: strings.Replace(p.template(), "{text}", body, 1)}}
}

// Score counts an exact reproduction, compared after ProbeNormalize, as
// correct and anything else as wrong: the hidden option alone, or the rest
// of the problem at the start of the answer (whatever follows it).
// Extracted keeps what the model wrote (for completion, as much as the
// rest of the problem would take, twice over), so reports can also
// measure how close it came.
func (p *probe) Score(it parity.Item, c parity.Completion) parity.Score {
	s := parity.Score{Scorer: "probe-exact", ScorerVersion: ProbeVersion}
	got := probeAnswer(c.Content, p.kind)
	if p.kind == ProbeComplete {
		// A model that writes the rest of the problem and then goes on
		// (to solve it, say) has still reproduced it: the answer is the
		// stretch of text the rest of the problem would fill, with room.
		if r, limit := []rune(got), 2*len([]rune(it.Answer))+20; len(r) > limit {
			got = string(r[:limit])
		}
	}
	if o, forced := parity.FinishOutcome(c, got != ""); forced {
		s.Outcome = o
		return s
	}
	s.Extracted = got
	switch {
	case got == "":
		s.Outcome, s.Detail = parity.OutcomeUnparsed, "empty answer"
	case p.kind == ProbeGuess && ProbeNormalize(got) == ProbeNormalize(it.Answer),
		p.kind == ProbeComplete && strings.HasPrefix(ProbeNormalize(got), ProbeNormalize(it.Answer)):
		s.Outcome, s.Detail = parity.OutcomeCorrect, "reproduced exactly"
	default:
		s.Outcome = parity.OutcomeWrong
	}
	return s
}

// probeAnswer takes the model's text without the wrappers models add: a
// leading option letter or "Answer:", quotes, and for option guessing
// anything after the first line.
func probeAnswer(content, kind string) string {
	s := strings.TrimSpace(content)
	if kind == ProbeGuess {
		s, _, _ = strings.Cut(s, "\n")
		for _, prefix := range []string{"Answer:", "answer:", "答案：", "答案:", "[MASK]:", "[MASK] ="} {
			s = strings.TrimSpace(strings.TrimPrefix(s, prefix))
		}
		if len(s) > 2 && s[0] >= 'A' && s[0] <= 'Z' && (s[1] == '.' || s[1] == ')') {
			s = strings.TrimSpace(s[2:])
		}
	}
	return strings.Trim(s, "\"'“”‘’「」` ")
}

// ProbeNormalize is how probes compare texts: letters and digits only,
// lowercased, so punctuation, spacing and case do not count.
func ProbeNormalize(s string) string { return looseKey(s) }

// The probe prompts. They are fixed: changing one changes the probe's
// PromptHash, and its Version should be bumped with it.
const (
	guessPromptEN = `Below is a multiple-choice question from a well-known benchmark. One of its options has been replaced by [MASK].

{text}

Write the exact text of the option that [MASK] replaced, as it appears in the benchmark. Reply with that option's text only, on one line, without its letter.`
	guessPromptZH = `下面是一个知名评测基准中的一道选择题，其中一个选项被替换成了 [MASK]。

{text}

请写出被 [MASK] 替换掉的那个选项在基准中的原文。只回复该选项的内容，写在一行内，不要写选项字母。`
	completePromptEN = `Below is the beginning of a problem from a well-known benchmark, cut off in the middle.

{text}

Continue the problem exactly as it is written in the benchmark, word for word, from where it stops to its end. Reply with the continuation only; do not solve the problem.`
	completePromptZH = `下面是一个知名评测基准中一道题目的前半部分，在中间被截断了。

{text}

请从截断处开始，逐字写出这道题在基准中的剩余原文，直到题目结束。只回复续写的部分，不要解题。`
)
