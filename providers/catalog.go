package providers

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"net"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/parity-bench/parity"
)

//go:embed catalog.yaml
var builtinYAML []byte

// Origins a provider may declare. "custom" marks an ad-hoc endpoint whose
// origin parity cannot know, so reports do not file it under CN or West.
var origins = []string{"CN", "West", "local", "mock", "custom"}

// Catalog is the set of known providers. It is built from the embedded
// catalog.yaml and extended with user files through Merge; it is not safe to
// modify while a Client uses it.
type Catalog struct {
	providers map[string]*Provider
	// makers maps the organisation of an open-weight model's canonical name
	// (deepseek-ai in deepseek-ai/DeepSeek-R1), lowercased, to its origin,
	// so a host's run of that model is grouped with its maker's.
	makers map[string]string
}

// Provider is one OpenAI-compatible API: where it lives, how it is
// authenticated and which quirks the shared client must apply.
type Provider struct {
	// Name is the catalog key, the part of a model id before the first "/".
	Name string `yaml:"-"`
	// Docs points at the provider's API documentation.
	Docs string `yaml:"docs,omitempty"`
	// Verified is the date (YYYY-MM-DD) the entry was last checked against
	// the provider's own documentation; Sources are the pages it rests on.
	// `parity models` warns about entries not verified for StaleAfter.
	Verified string   `yaml:"verified,omitempty"`
	Sources  []string `yaml:"sources,omitempty"`
	BaseURL  string   `yaml:"base_url"`
	// BaseURLs lists replicas of one self-hosted deployment (vLLM or SGLang
	// behind several hosts); when set it replaces BaseURL and requests are
	// spread over the healthy ones.
	BaseURLs []string `yaml:"base_urls,omitempty"`
	// BaseURLCN is the mainland-China endpoint where it differs from BaseURL;
	// Options.Region "cn" selects it.
	BaseURLCN string `yaml:"base_url_cn,omitempty"`
	// KeyEnv names the environment variable holding the API key.
	KeyEnv string `yaml:"key_env,omitempty"`
	// KeyRequired defaults to true when KeyEnv is set; local servers set it
	// false so a missing variable sends no Authorization header instead of
	// failing.
	KeyRequired *bool `yaml:"key_required,omitempty"`
	// Origin groups results: CN, West, local, mock or custom. For a Host
	// it is the host's own; its open models take their maker's origin.
	Origin string `yaml:"origin"`
	// Host marks a provider that serves other makers' open-weight models
	// (SiliconFlow, Together, Fireworks, Groq, DeepInfra): a model's
	// canonical name is its id's last "org/name" part unless a model entry
	// says otherwise, and its origin is the maker's (see Catalog makers).
	Host bool `yaml:"host,omitempty"`
	// Transport "mock" serves requests in process (the offline mock); empty
	// means HTTP.
	Transport string `yaml:"transport,omitempty"`
	// TokenLimitField is the body field the output limit goes in:
	// max_tokens (default) or max_completion_tokens.
	TokenLimitField string `yaml:"token_limit_field,omitempty"`
	// LimitExcludesReasoning says the token-limit field caps only the
	// answer, not the reasoning before it, so --max-tokens truncates
	// differently here than on providers whose limit counts both.
	LimitExcludesReasoning bool `yaml:"limit_excludes_reasoning,omitempty"`
	// MaxOutput is the largest token limit the API accepts; a larger
	// --max-tokens is lowered to it with a warning. 0 means no known cap.
	MaxOutput int `yaml:"max_output,omitempty"`
	// Temperature is the range of temperatures the API accepts.
	Temperature *TemperatureRule `yaml:"temperature,omitempty"`
	// Thinking says how Params.Thinking, Effort and ThinkingBudget map to
	// body fields.
	Thinking Thinking `yaml:"thinking,omitempty"`
	// ReasoningFields lists, in order of preference, where reasoning text
	// comes back: reasoning_content, reasoning, reasoning_details, think
	// (inline <think> tags in the content), thought (Gemini's <thought>),
	// content_blocks (blocks of a content list that ContentBlocks maps to
	// reasoning). Empty means all of them.
	ReasoningFields []string `yaml:"reasoning_fields,omitempty"`
	// ContentBlocks maps the block types of an answer whose content is a
	// list of typed blocks (Mistral's reasoning models) to where their
	// text goes: "content" or "reasoning". Types not listed are dropped.
	// Empty means text blocks are content and thinking blocks reasoning.
	ContentBlocks map[string]string `yaml:"content_blocks,omitempty"`
	// StreamRequiredForThinking forces streaming unless thinking is off,
	// for APIs that refuse non-streamed thinking (DashScope's Qwen3).
	StreamRequiredForThinking bool `yaml:"stream_required_for_thinking,omitempty"`
	// Ignores lists sampling parameters (temperature, top_p, seed) the API
	// ignores or rejects; they are not sent and a warning says so.
	Ignores []string `yaml:"ignores,omitempty"`
	// Errors classify provider-specific failures the HTTP status alone
	// gets wrong, such as OpenAI's insufficient_quota sent as a 429.
	Errors []ErrorRule `yaml:"errors,omitempty"`
	// Concurrency is the most requests in flight to the provider; the
	// Client lowers it adaptively on rate limits (AIMD). 0 means no cap
	// beyond the runner's own --concurrency, which always applies on top.
	Concurrency int `yaml:"concurrency,omitempty"`
	// RPM and TPM are the default request- and token-per-minute limits of
	// each model of the provider, enforced by the Client with token
	// buckets; 0 means none.
	RPM int `yaml:"rpm,omitempty"`
	TPM int `yaml:"tpm,omitempty"`
	// Extra holds body fields sent with every request to the provider
	// (MiniMax's reasoning_split, OpenRouter provider pinning); a request's
	// own Extra is merged over it.
	Extra map[string]any `yaml:"extra,omitempty"`
	// Models holds example models with prices and per-model quirks. Keys may
	// be exact names or path.Match patterns ("o[0-9]*"); any model name
	// works, listed or not.
	Models map[string]*ModelSpec `yaml:"models,omitempty"`
}

// ModelSpec is what the catalog knows about one model or model pattern.
// Every rule field left empty keeps the provider's (or an earlier
// pattern's) value.
type ModelSpec struct {
	// Price applies to the exact model name only, never to a pattern.
	Price    *parity.Price `yaml:"price,omitempty"`
	Ignores  []string      `yaml:"ignores,omitempty"`
	Thinking *Thinking     `yaml:"thinking,omitempty"`
	Note     string        `yaml:"note,omitempty"`
	// Flagship marks a provider's current top models: listed first by
	// `parity models` and each one checked against its provider's fake in
	// the tests.
	Flagship bool `yaml:"flagship,omitempty"`
	// Canonical names the open-weight model a host serves under its own id
	// (deepseek-ai/DeepSeek-R1), so runs on different hosts can be paired.
	Canonical string `yaml:"canonical,omitempty"`
	// Retired is the date (YYYY-MM-DD) the model id stops (or stopped)
	// being served; from that day parity refuses it and names Replacement.
	// With ServedBy set the API keeps answering the old id with another
	// model instead, and runs are warned rather than refused.
	Retired     string `yaml:"retired,omitempty"`
	Replacement string `yaml:"replacement,omitempty"`
	ServedBy    string `yaml:"served_by,omitempty"`
	// TokenLimitField, LimitExcludesReasoning, MaxOutput and Temperature
	// override the provider's for this model.
	TokenLimitField        string           `yaml:"token_limit_field,omitempty"`
	LimitExcludesReasoning *bool            `yaml:"limit_excludes_reasoning,omitempty"`
	MaxOutput              int              `yaml:"max_output,omitempty"`
	Temperature            *TemperatureRule `yaml:"temperature,omitempty"`
	// BaseURLs overrides the provider's address for this model: replicas
	// serving the same weights.
	BaseURLs []string `yaml:"base_urls,omitempty"`
	// Concurrency caps requests in flight to this model on top of the
	// provider's cap; RPM and TPM replace the provider's defaults.
	Concurrency int `yaml:"concurrency,omitempty"`
	RPM         int `yaml:"rpm,omitempty"`
	TPM         int `yaml:"tpm,omitempty"`
	// Extra holds body fields sent with every request for this model,
	// merged over the provider's.
	Extra map[string]any `yaml:"extra,omitempty"`
}

// ErrorRule maps a provider error to Code. A rule applies when every
// condition it sets holds: Match is contained (case-insensitively) in the
// error's code, type or message; APICode equals the provider's own error
// code (Zhipu's "1302", MiniMax's base_resp 1008); Status equals the HTTP
// status. Codes other than rate_limit, server, network and timeout are
// never retried.
type ErrorRule struct {
	Match   string           `yaml:"match,omitempty"`
	APICode string           `yaml:"api_code,omitempty"`
	Status  int              `yaml:"status,omitempty"`
	Code    parity.ErrorCode `yaml:"code"`
	// Hint tells the user what to do; the default hint of Code is used
	// when empty.
	Hint string `yaml:"hint,omitempty"`
}

// StaleAfter is how long a catalog entry may go unverified before `parity
// models` warns that the provider's API may have changed since.
const StaleAfter = 120 * 24 * time.Hour

// Stale reports whether the entry was last verified more than StaleAfter
// before now, or never.
func (p *Provider) Stale(now time.Time) bool {
	d, err := time.Parse(time.DateOnly, p.Verified)
	return err != nil || now.Sub(d) > StaleAfter
}

// NeedsKey reports whether requests fail without an API key.
func (p *Provider) NeedsKey() bool {
	if p.KeyRequired != nil {
		return *p.KeyRequired
	}
	return p.KeyEnv != ""
}

// URL returns the base URL for region ("cn" picks BaseURLCN when set).
func (p *Provider) URL(region string) string {
	if strings.EqualFold(region, "cn") && p.BaseURLCN != "" {
		return p.BaseURLCN
	}
	return p.BaseURL
}

// URLs returns the base URLs model is served from: the model's replicas,
// else the provider's, else URL(region).
func (p *Provider) URLs(model, region string) []string {
	if m := p.Models[model]; m != nil && len(m.BaseURLs) > 0 {
		return append([]string(nil), m.BaseURLs...)
	}
	if len(p.BaseURLs) > 0 {
		return append([]string(nil), p.BaseURLs...)
	}
	return []string{p.URL(region)}
}

// Limits are the client-side limits of one model: the provider's
// concurrency cap, the model's own cap (0: none) and its per-minute rates.
type Limits struct {
	Concurrency      int
	ModelConcurrency int
	RPM, TPM         int
}

// Limits returns the limits that apply to model: the provider's defaults,
// then matching patterns in key order, then the exact entry.
func (p *Provider) Limits(model string) Limits {
	l := Limits{Concurrency: p.Concurrency, RPM: p.RPM, TPM: p.TPM}
	for _, k := range p.modelKeys(model) {
		m := p.Models[k]
		if m == nil {
			continue
		}
		if m.Concurrency > 0 {
			l.ModelConcurrency = m.Concurrency
		}
		if m.RPM > 0 {
			l.RPM = m.RPM
		}
		if m.TPM > 0 {
			l.TPM = m.TPM
		}
	}
	return l
}

// extra returns the body fields the catalog always sends for model.
func (p *Provider) extra(model string) map[string]any {
	out := cloneMap(p.Extra)
	if out == nil {
		out = map[string]any{}
	}
	for _, k := range p.modelKeys(model) {
		if m := p.Models[k]; m != nil {
			mergeInto(out, m.Extra)
		}
	}
	return out
}

// modelKeys lists the model entries that apply to name: matching patterns
// in key order, then the exact entry.
func (p *Provider) modelKeys(name string) []string {
	keys := make([]string, 0, len(p.Models))
	for k := range p.Models {
		if k != name && strings.ContainsAny(k, "*?[") {
			if ok, _ := path.Match(k, name); ok {
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	if _, ok := p.Models[name]; ok {
		keys = append(keys, name)
	}
	return keys
}

// Price returns the price card of the exact model name, or nil when the
// catalog has none: an unknown price is reported as unknown, never guessed.
func (p *Provider) Price(model string) *parity.Price {
	if m := p.Models[model]; m != nil && m.Price != nil {
		pr := *m.Price
		return &pr
	}
	return nil
}

// rules are the request rules that apply to one model: the provider's, then
// matching patterns in key order, then the exact entry, each overriding the
// one before. A model entry naming a thinking style starts from that preset
// instead of refining the provider's.
type rules struct {
	ignores                []string
	thinking               Thinking
	tokenField             string
	limitExcludesReasoning bool
	maxOutput              int
	temperature            *TemperatureRule
	// retired, replacement and servedBy come from the most specific entry
	// that sets retired or served_by, with the key it was found under.
	retired, replacement, servedBy, retiredKey string
}

func (p *Provider) rules(name string) rules {
	r := rules{ignores: p.Ignores, thinking: p.Thinking.resolved(), tokenField: p.TokenLimitField,
		limitExcludesReasoning: p.LimitExcludesReasoning, maxOutput: p.MaxOutput, temperature: p.Temperature}
	for _, k := range p.modelKeys(name) {
		m := p.Models[k]
		if m == nil {
			continue
		}
		if m.Ignores != nil {
			r.ignores = append(append([]string(nil), r.ignores...), m.Ignores...)
		}
		if m.Thinking != nil {
			if m.Thinking.Style != "" {
				r.thinking = m.Thinking.resolved()
			} else {
				r.thinking = r.thinking.overlay(*m.Thinking)
			}
		}
		if m.TokenLimitField != "" {
			r.tokenField = m.TokenLimitField
		}
		if m.LimitExcludesReasoning != nil {
			r.limitExcludesReasoning = *m.LimitExcludesReasoning
		}
		if m.MaxOutput > 0 {
			r.maxOutput = m.MaxOutput
		}
		if m.Temperature != nil {
			r.temperature = m.Temperature
		}
		if m.Retired != "" || m.ServedBy != "" {
			r.retired, r.replacement, r.servedBy, r.retiredKey = m.Retired, m.Replacement, m.ServedBy, k
		}
	}
	if r.tokenField == "" {
		r.tokenField = "max_tokens"
	}
	return r
}

// Retirement is what the catalog says about a model id going away.
type Retirement struct {
	// Date is the day the id stops being served (YYYY-MM-DD).
	Date string `json:"date,omitempty"`
	// Replacement is the id to use instead; ServedBy the model the API
	// answers the old id with after Date, when it does not refuse it.
	Replacement string `json:"replacement,omitempty"`
	ServedBy    string `json:"served_by,omitempty"`
	// Retired reports whether Date has passed (or, with no date, ServedBy
	// already answers the id).
	Retired bool `json:"retired"`
	// Entry is the model entry or pattern it comes from.
	Entry string `json:"entry"`
}

// soonDays is how far ahead a retirement date makes a model "soon to retire".
const soonDays = 30

// Soon reports whether the retirement is still ahead but within 30 days of now.
func (r Retirement) Soon(now time.Time) bool {
	if r.Retired || r.Date == "" {
		return false
	}
	d, err := time.Parse(time.DateOnly, r.Date)
	return err == nil && d.Sub(now) <= soonDays*24*time.Hour
}

// Retirement returns what the catalog knows about model going away at now,
// or nil when nothing is known.
func (p *Provider) Retirement(model string, now time.Time) *Retirement {
	r := p.rules(model)
	if r.retired == "" && r.servedBy == "" {
		return nil
	}
	out := &Retirement{Date: r.retired, Replacement: r.replacement, ServedBy: r.servedBy, Entry: r.retiredKey}
	if r.retired == "" {
		out.Retired = true
	} else if d, err := time.Parse(time.DateOnly, r.retired); err == nil {
		out.Retired = !now.UTC().Before(d)
	}
	return out
}

func (p *Provider) clone() *Provider {
	c := *p
	c.Thinking = p.Thinking.clone()
	c.ReasoningFields = append([]string(nil), p.ReasoningFields...)
	if p.ContentBlocks != nil {
		c.ContentBlocks = make(map[string]string, len(p.ContentBlocks))
		for k, v := range p.ContentBlocks {
			c.ContentBlocks[k] = v
		}
	}
	c.BaseURLs = append([]string(nil), p.BaseURLs...)
	c.Extra = cloneMap(p.Extra)
	c.Ignores = append([]string(nil), p.Ignores...)
	c.Errors = append([]ErrorRule(nil), p.Errors...)
	c.Sources = append([]string(nil), p.Sources...)
	c.Temperature = p.Temperature.clone()
	if p.KeyRequired != nil {
		b := *p.KeyRequired
		c.KeyRequired = &b
	}
	if p.Models != nil {
		c.Models = make(map[string]*ModelSpec, len(p.Models))
		for k, m := range p.Models {
			c.Models[k] = m.clone()
		}
	}
	return &c
}

func (m *ModelSpec) clone() *ModelSpec {
	if m == nil {
		return nil
	}
	c := *m
	if m.Price != nil {
		p := *m.Price
		c.Price = &p
	}
	c.Ignores = append([]string(nil), m.Ignores...)
	c.BaseURLs = append([]string(nil), m.BaseURLs...)
	c.Extra = cloneMap(m.Extra)
	c.Temperature = m.Temperature.clone()
	if m.LimitExcludesReasoning != nil {
		b := *m.LimitExcludesReasoning
		c.LimitExcludesReasoning = &b
	}
	if m.Thinking != nil {
		t := m.Thinking.clone()
		c.Thinking = &t
	}
	return &c
}

// Builtin returns a fresh copy of the embedded catalog.
func Builtin() (*Catalog, error) {
	c := &Catalog{providers: map[string]*Provider{}, makers: map[string]string{}}
	if err := c.Merge(builtinYAML, "builtin catalog.yaml"); err != nil {
		return nil, err
	}
	return c, nil
}

// file is the shape of a catalog file, used to reject unknown fields.
type file struct {
	Providers map[string]Provider `yaml:"providers"`
	Makers    map[string]string   `yaml:"makers"`
}

// Merge adds the providers of a catalog file to c. An entry naming a known
// provider overrides only the fields it sets, so a user file can change
// deepseek's base_url and keep everything else; a model entry likewise
// overrides only its own fields, except that a price card, a temperature
// rule and thinking fragments are replaced whole. source names the file in error messages.
// Nothing changes when an error is returned.
func (c *Catalog) Merge(data []byte, source string) error {
	// fail names the file, and the line where one is known, as file:line.
	fail := func(line int, format string, args ...any) error {
		at := source
		if line > 0 {
			at += ":" + strconv.Itoa(line)
		}
		return parity.Errorf(parity.ErrConfig, "catalog %s: "+format, append([]any{at}, args...)...)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var strict file
	if err := dec.Decode(&strict); err != nil {
		if len(bytes.TrimSpace(data)) == 0 {
			return nil
		}
		return parity.Errorf(parity.ErrConfig, "catalog %s; see providers/catalog.yaml for the format", yamlError(source, err))
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return parity.Errorf(parity.ErrConfig, "catalog %s", yamlError(source, err))
	}
	for org, origin := range strict.Makers {
		if !contains(origins[:2], origin) {
			return fail(0, "makers: %q has origin %q: use CN or West", org, origin)
		}
	}
	provs := mappingValue(&root, "providers")
	if provs == nil {
		if len(strict.Providers) == 0 && len(strict.Makers) == 0 {
			return fail(0, "no top-level \"providers:\" mapping found")
		}
		c.addMakers(strict.Makers)
		return nil
	}
	next := make(map[string]*Provider, len(c.providers))
	for k, v := range c.providers {
		next[k] = v
	}
	for i := 0; i+1 < len(provs.Content); i += 2 {
		name := provs.Content[i].Value
		node := provs.Content[i+1]
		old := next[name]
		p := &Provider{}
		if old != nil {
			p = old.clone()
			prepareOverride(p, node)
		}
		if err := node.Decode(p); err != nil {
			return fail(node.Line, "provider %q: %s", name, yamlError(source, err))
		}
		if old != nil {
			if models := mappingValue(node, "models"); models != nil {
				for j := 0; j+1 < len(models.Content); j += 2 {
					mname := models.Content[j].Value
					prev := old.Models[mname]
					if prev == nil {
						continue
					}
					m := prev.clone()
					mnode := models.Content[j+1]
					if mappingValue(mnode, "price") != nil {
						m.Price = nil
					}
					if mappingValue(mnode, "temperature") != nil {
						m.Temperature = nil
					}
					if t := mappingValue(mnode, "thinking"); t != nil && m.Thinking != nil {
						m.Thinking.prepareOverride(t)
					}
					if err := mnode.Decode(m); err != nil {
						return fail(mnode.Line, "provider %q model %q: %s", name, mname, yamlError(source, err))
					}
					p.Models[mname] = m
				}
			}
		}
		p.Name = name
		if p.BaseURL == "" && len(p.BaseURLs) > 0 {
			p.BaseURL = p.BaseURLs[0]
		}
		if err := p.validate(); err != nil {
			return fail(provs.Content[i].Line, "provider %q: %v", name, err)
		}
		next[name] = p
	}
	c.providers = next
	c.addMakers(strict.Makers)
	return nil
}

func (c *Catalog) addMakers(m map[string]string) {
	if c.makers == nil {
		c.makers = map[string]string{}
	}
	for org, origin := range m {
		c.makers[strings.ToLower(org)] = origin
	}
}

// MakerOrigin returns the origin (CN or West) of the organisation that made
// an open-weight model, from its canonical name, or "" when unknown.
func (c *Catalog) MakerOrigin(canonical string) string {
	org, _, ok := strings.Cut(canonical, "/")
	if !ok {
		return ""
	}
	return c.makers[strings.ToLower(org)]
}

// Canonical returns the open-weight model a provider's model id serves
// (deepseek-ai/DeepSeek-R1), or "" when the catalog does not know: a model
// entry's canonical, else, on a host, the id's last "org/name" part.
func (p *Provider) Canonical(model string) string {
	keys := p.modelKeys(model)
	for i := len(keys) - 1; i >= 0; i-- {
		if m := p.Models[keys[i]]; m != nil && m.Canonical != "" {
			return m.Canonical
		}
	}
	if !p.Host {
		return ""
	}
	parts := strings.Split(model, "/")
	if len(parts) < 2 {
		return ""
	}
	return parts[len(parts)-2] + "/" + parts[len(parts)-1]
}

// prepareOverride clears the fields of p that node replaces whole rather
// than merges into.
func prepareOverride(p *Provider, node *yaml.Node) {
	if t := mappingValue(node, "thinking"); t != nil {
		p.Thinking.prepareOverride(t)
	}
	if mappingValue(node, "temperature") != nil {
		p.Temperature = nil
	}
}

func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// unknownYAMLField matches yaml.v3's message for a key the struct lacks,
// which names a Go type that tells a user nothing.
var unknownYAMLField = regexp.MustCompile(`field (\S+) not found in type \S+`)

// yamlError lists yaml.v3's errors one after the other as
// "source:line: message".
func yamlError(source string, err error) string {
	msgs := []string{strings.TrimPrefix(err.Error(), "yaml: ")}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	out := make([]string, len(msgs))
	for i, m := range msgs {
		m = source + ": " + m
		if rest, ok := strings.CutPrefix(m, source+": line "); ok {
			if n, msg, ok := strings.Cut(rest, ": "); ok {
				if _, err := strconv.Atoi(n); err == nil {
					m = source + ":" + n + ": " + msg
				}
			}
		}
		out[i] = unknownYAMLField.ReplaceAllString(strings.ReplaceAll(m, "\n", " "), "unknown field $1")
	}
	return strings.Join(out, "; ")
}

var (
	nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
	dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

var (
	sendable        = []string{"temperature", "top_p", "seed"}
	reasoningFields = []string{"reasoning_content", "reasoning", "reasoning_details", "think", "thought", "content_blocks"}
)

// Where the text of a content block goes, as content_blocks maps it.
const (
	blockContent   = "content"
	blockReasoning = "reasoning"
)

// defaultContentBlocks is the block mapping of a provider that declares
// none: the block types OpenAI-style content lists and Mistral's reasoning
// answers use.
var defaultContentBlocks = map[string]string{"text": blockContent, "thinking": blockReasoning}

// blockMapping is the provider's content block mapping, or the default.
func (p *Provider) blockMapping() map[string]string {
	if len(p.ContentBlocks) > 0 {
		return p.ContentBlocks
	}
	return defaultContentBlocks
}

func (p *Provider) validate() error {
	if !nameRE.MatchString(p.Name) {
		return fmt.Errorf("name must be lowercase letters, digits, '.', '_' or '-' (no '/')")
	}
	if p.Transport != "" && p.Transport != "mock" {
		return fmt.Errorf("transport %q: use \"mock\" or leave it out", p.Transport)
	}
	if p.Transport == "mock" && p.Origin != "mock" {
		// Made-up answers must never pass for a real model's in a report.
		return fmt.Errorf("transport \"mock\" answers offline with made-up answers, so origin must be \"mock\", not %q", p.Origin)
	}
	if p.Transport == "" {
		if err := checkURL(p.BaseURL); err != nil {
			return err
		}
		for _, u := range p.BaseURLs {
			if err := checkURL(u); err != nil {
				return fmt.Errorf("base_urls: %w", err)
			}
		}
		if p.BaseURLCN != "" {
			if err := checkURL(p.BaseURLCN); err != nil {
				return fmt.Errorf("base_url_cn: %w", err)
			}
		}
	}
	if !contains(origins, p.Origin) {
		return fmt.Errorf("origin %q: use one of %s", p.Origin, strings.Join(origins, ", "))
	}
	if p.Verified != "" && !validDate(p.Verified) {
		return fmt.Errorf("verified %q: give the date the entry was checked as YYYY-MM-DD", p.Verified)
	}
	for _, src := range p.Sources {
		if strings.TrimSpace(src) == "" {
			return fmt.Errorf("sources: an entry is empty; give the page (URL) the entry rests on")
		}
	}
	if err := checkTokenField(p.TokenLimitField); err != nil {
		return err
	}
	if p.MaxOutput < 0 {
		return fmt.Errorf("max_output must not be negative")
	}
	if err := p.Temperature.validate(); err != nil {
		return fmt.Errorf("temperature: %w", err)
	}
	if err := p.Thinking.validate(); err != nil {
		return fmt.Errorf("thinking: %w", err)
	}
	for _, f := range p.ReasoningFields {
		if !contains(reasoningFields, f) {
			return fmt.Errorf("reasoning_fields: %q is not one of %s", f, strings.Join(reasoningFields, ", "))
		}
	}
	for typ, to := range p.ContentBlocks {
		if to != blockContent && to != blockReasoning {
			return fmt.Errorf("content_blocks: %q maps to %q; use %s or %s", typ, to, blockContent, blockReasoning)
		}
	}
	if err := checkIgnores(p.Ignores); err != nil {
		return err
	}
	for _, r := range p.Errors {
		if r.Match == "" && r.APICode == "" && r.Status == 0 {
			return fmt.Errorf("errors: every rule needs a match string, an api_code or a status")
		}
		if _, ok := codeHints[r.Code]; !ok {
			return fmt.Errorf("errors: code %q for %q is not one of %s", r.Code, r.Match, knownCodes())
		}
	}
	if p.Concurrency < 0 || p.RPM < 0 || p.TPM < 0 {
		return fmt.Errorf("concurrency, rpm and tpm must not be negative")
	}
	for name, m := range p.Models {
		if m == nil {
			continue
		}
		if strings.ContainsAny(name, "*?[") {
			if _, err := path.Match(name, ""); err != nil {
				return fmt.Errorf("model pattern %q: %v", name, err)
			}
		}
		if err := checkIgnores(m.Ignores); err != nil {
			return fmt.Errorf("model %q: %w", name, err)
		}
		if m.Concurrency < 0 || m.RPM < 0 || m.TPM < 0 || m.MaxOutput < 0 {
			return fmt.Errorf("model %q: concurrency, rpm, tpm and max_output must not be negative", name)
		}
		if err := checkTokenField(m.TokenLimitField); err != nil {
			return fmt.Errorf("model %q: %w", name, err)
		}
		if err := m.Temperature.validate(); err != nil {
			return fmt.Errorf("model %q: temperature: %w", name, err)
		}
		if m.Retired != "" && !validDate(m.Retired) {
			return fmt.Errorf("model %q: retired %q: give the date the id stops being served as YYYY-MM-DD", name, m.Retired)
		}
		if (m.Retired != "" || m.ServedBy != "") && m.Replacement == "" && m.ServedBy == "" {
			return fmt.Errorf("model %q: a retired model needs replacement: (the id to use instead) or served_by: (the model now answering it)", name)
		}
		for _, u := range m.BaseURLs {
			if err := checkURL(u); err != nil {
				return fmt.Errorf("model %q: base_urls: %w", name, err)
			}
		}
		if m.Thinking != nil {
			if err := m.Thinking.validate(); err != nil {
				return fmt.Errorf("model %q: thinking: %w", name, err)
			}
		}
		if pr := m.Price; pr != nil {
			if pr.Currency != "USD" && pr.Currency != "CNY" {
				return fmt.Errorf("model %q: price currency %q: use USD or CNY", name, pr.Currency)
			}
			if !dateRE.MatchString(pr.AsOf) {
				return fmt.Errorf("model %q: price as_of %q: give the date the price was read as YYYY-MM-DD", name, pr.AsOf)
			}
			if pr.Input < 0 || pr.Output < 0 || pr.CachedInput < 0 {
				return fmt.Errorf("model %q: prices must not be negative", name)
			}
			if err := pr.CheckWindows(); err != nil {
				return fmt.Errorf("model %q: %w", name, err)
			}
		}
	}
	return nil
}

func checkTokenField(f string) error {
	switch f {
	case "", "max_tokens", "max_completion_tokens":
		return nil
	}
	return fmt.Errorf("token_limit_field %q: use max_tokens or max_completion_tokens", f)
}

func validDate(s string) bool {
	if !dateRE.MatchString(s) {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func checkURL(u string) error {
	if u == "" {
		return fmt.Errorf("base_url is missing: give the API root, e.g. https://api.example.com/v1")
	}
	pu, err := url.Parse(u)
	if err != nil {
		// Not quoted: it may hold a password, which only a parsed URL
		// can have taken out.
		return fmt.Errorf("base_url does not parse as a URL: give the API root, e.g. https://api.example.com/v1")
	}
	if (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return fmt.Errorf("base_url %q is not an http(s) URL", ShownURL(u))
	}
	return nil
}

func checkIgnores(list []string) error {
	for _, s := range list {
		if !contains(sendable, s) {
			return fmt.Errorf("ignores: %q is not one of %s", s, strings.Join(sendable, ", "))
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Provider returns the named provider.
func (c *Catalog) Provider(name string) (*Provider, bool) {
	p, ok := c.providers[name]
	return p, ok
}

// Providers returns every provider sorted by name.
func (c *Catalog) Providers() []*Provider {
	out := make([]*Provider, 0, len(c.providers))
	for _, p := range c.providers {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (c *Catalog) names() string {
	var names []string
	for _, p := range c.Providers() {
		names = append(names, p.Name)
	}
	return strings.Join(names, ", ")
}

// Resolve splits a model id at its first "/" into provider and model name
// (so "vllm/Qwen/QwQ-32B" asks vllm for "Qwen/QwQ-32B") and looks up the
// provider. Any model name under a known provider resolves.
func (c *Catalog) Resolve(modelID string) (parity.Model, *Provider, error) {
	id := strings.TrimSpace(modelID)
	prov, name, ok := strings.Cut(id, "/")
	if !ok || prov == "" || name == "" {
		return parity.Model{}, nil, parity.Errorf(parity.ErrUsage,
			"model %q: use provider/model, e.g. deepseek/deepseek-v4-pro or vllm/Qwen/QwQ-32B", modelID)
	}
	p, found := c.providers[prov]
	if !found {
		return parity.Model{}, nil, parity.Errorf(parity.ErrUsage,
			"unknown provider %q in model %q: known providers are %s; add one in a catalog file "+
				"(providers: {%s: {base_url: ..., key_env: ..., origin: ...}}) or pass --base-url and --api-key-env",
			prov, modelID, c.names(), prov)
	}
	origin := p.Origin
	if p.Host {
		if o := c.MakerOrigin(p.Canonical(name)); o != "" {
			origin = o // the maker's, so the parity check groups by who made it
		}
	}
	return parity.Model{ID: id, Provider: prov, Name: name, Origin: origin}, p, nil
}

// AddEndpoint registers a one-off OpenAI-compatible endpoint, for
// "parity run --base-url URL --api-key-env VAR -m name/model". When name is
// already a provider only its base URL (and key variable, when keyEnv is not
// empty) change, so a proxy in front of DeepSeek keeps DeepSeek's quirks and
// prices. A new endpoint gets default quirks, origin "local" when the host is
// a loopback address and "custom" otherwise, and needs a key only when keyEnv
// is given. Set the returned provider's fields to refine it.
func (c *Catalog) AddEndpoint(name, baseURL, keyEnv string) (*Provider, error) {
	var p *Provider
	if old, ok := c.providers[name]; ok {
		p = old.clone()
		p.BaseURL, p.BaseURLCN, p.BaseURLs = baseURL, "", nil
		for _, m := range p.Models {
			if m != nil {
				m.BaseURLs = nil
			}
		}
		p.Transport = ""
		if keyEnv != "" {
			p.KeyEnv = keyEnv
			p.KeyRequired = nil
		}
	} else {
		p = &Provider{Name: name, BaseURL: baseURL, KeyEnv: keyEnv, Origin: "custom"}
		if u, err := url.Parse(baseURL); err == nil && isLoopback(u.Hostname()) {
			p.Origin = "local"
		}
	}
	if err := p.validate(); err != nil {
		return nil, parity.Errorf(parity.ErrUsage, "endpoint %q: %v", name, err)
	}
	c.providers[name] = p
	return p, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
