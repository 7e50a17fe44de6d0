package providers

import (
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Thinking describes, as data, how a provider switches reasoning on and off
// and sets its effort or budget. Enable, Disable and Auto are JSON fragments
// merged into the request body; a nil fragment means the provider has no
// such switch (the client then warns instead of pretending), an empty one
// means nothing needs sending. Style names a built-in preset the other
// fields refine.
type Thinking struct {
	// Style is one of: thinking_type (alias deepseek), enable_thinking,
	// chat_template_kwargs, reasoning_effort, openrouter, none.
	Style   string         `yaml:"style,omitempty"`
	Enable  map[string]any `yaml:"enable,omitempty"`
	Disable map[string]any `yaml:"disable,omitempty"`
	Auto    map[string]any `yaml:"auto,omitempty"`
	// EffortField is the dotted body path Params.Effort is written to, e.g.
	// "reasoning_effort" or "reasoning.effort".
	EffortField string `yaml:"effort_field,omitempty"`
	// Efforts maps parity's effort names (low, medium, high, max) to the
	// provider's values; an effort missing here is not sent and warned
	// about. Empty means every effort is passed through unchanged.
	Efforts map[string]string `yaml:"efforts,omitempty"`
	// BudgetField is the dotted body path Params.ThinkingBudget is written to.
	BudgetField string `yaml:"budget_field,omitempty"`
	// BudgetReplacesEffort says the API refuses an effort and a budget
	// together (Gemini): a budget, being more precise, wins and the effort
	// is dropped with a warning.
	BudgetReplacesEffort bool `yaml:"budget_replaces_effort,omitempty"`
	// Default is what the model does when thinking is not asked for: "on"
	// (DeepSeek, Qwen3 open weights) or "off" (Claude); empty when unknown.
	Default string `yaml:"default,omitempty"`
	// Ignores lists sampling parameters that have no effect while the model
	// thinks (DeepSeek's temperature and top_p); they are not sent then,
	// and a warning says so.
	Ignores []string `yaml:"ignores,omitempty"`
}

// thinks reports whether a request with the given Params.Thinking will
// think, as far as the catalog knows.
func (t Thinking) thinks(asked string) bool {
	switch asked {
	case "on":
		return true
	case "off":
		return false
	}
	return t.Default == "on"
}

// presets are the named thinking styles. They are data, not code paths: a
// user catalog can describe any other scheme with the explicit fields.
var presets = map[string]Thinking{
	"thinking_type": {
		Enable:  map[string]any{"thinking": map[string]any{"type": "enabled"}},
		Disable: map[string]any{"thinking": map[string]any{"type": "disabled"}},
	},
	"enable_thinking": {
		Enable:      map[string]any{"enable_thinking": true},
		Disable:     map[string]any{"enable_thinking": false},
		BudgetField: "thinking_budget",
	},
	"chat_template_kwargs": {
		Enable:  map[string]any{"chat_template_kwargs": map[string]any{"enable_thinking": true}},
		Disable: map[string]any{"chat_template_kwargs": map[string]any{"enable_thinking": false}},
	},
	"reasoning_effort": {
		Enable:      map[string]any{},
		EffortField: "reasoning_effort",
		Efforts:     map[string]string{"low": "low", "medium": "medium", "high": "high"},
	},
	"openrouter": {
		Enable:      map[string]any{"reasoning": map[string]any{"enabled": true}},
		Disable:     map[string]any{"reasoning": map[string]any{"enabled": false}},
		EffortField: "reasoning.effort",
		Efforts:     map[string]string{"low": "low", "medium": "medium", "high": "high"},
		BudgetField: "reasoning.max_tokens",
	},
	"none": {},
}

func init() { presets["deepseek"] = presets["thinking_type"] }

// resolved expands the preset and lays the explicit fields over it.
func (t Thinking) resolved() Thinking {
	base := presets[t.Style]
	return base.overlay(t)
}

// overlay returns t with every field o sets replacing t's.
func (t Thinking) overlay(o Thinking) Thinking {
	out := t.clone()
	if o.Style != "" {
		out.Style = o.Style
	}
	if o.Enable != nil {
		out.Enable = o.Enable
	}
	if o.Disable != nil {
		out.Disable = o.Disable
	}
	if o.Auto != nil {
		out.Auto = o.Auto
	}
	if o.EffortField != "" {
		out.EffortField = o.EffortField
	}
	if o.Efforts != nil {
		out.Efforts = o.Efforts
	}
	if o.BudgetField != "" {
		out.BudgetField = o.BudgetField
	}
	if o.BudgetReplacesEffort {
		out.BudgetReplacesEffort = true
	}
	if o.Default != "" {
		out.Default = o.Default
	}
	if o.Ignores != nil {
		out.Ignores = o.Ignores
	}
	return out
}

func (t Thinking) clone() Thinking {
	c := t
	c.Enable = cloneMap(t.Enable)
	c.Disable = cloneMap(t.Disable)
	c.Auto = cloneMap(t.Auto)
	c.Ignores = append([]string(nil), t.Ignores...)
	if t.Ignores == nil {
		c.Ignores = nil
	}
	if t.Efforts != nil {
		c.Efforts = make(map[string]string, len(t.Efforts))
		for k, v := range t.Efforts {
			c.Efforts[k] = v
		}
	}
	return c
}

// prepareOverride drops the fragments node replaces, so that decoding an
// override does not merge an old fragment's keys into the new one.
func (t *Thinking) prepareOverride(node *yaml.Node) {
	for _, k := range []string{"enable", "disable", "auto"} {
		if mappingValue(node, k) != nil {
			switch k {
			case "enable":
				t.Enable = nil
			case "disable":
				t.Disable = nil
			case "auto":
				t.Auto = nil
			}
		}
	}
	if mappingValue(node, "efforts") != nil {
		t.Efforts = nil
	}
}

var parityEfforts = []string{"low", "medium", "high", "max"}

func (t Thinking) validate() error {
	if _, ok := presets[t.Style]; t.Style != "" && !ok {
		var names []string
		for k := range presets {
			names = append(names, k)
		}
		sort.Strings(names)
		return fmt.Errorf("style %q: use one of %s, or describe the switch with enable/disable/auto", t.Style, strings.Join(names, ", "))
	}
	switch t.Default {
	case "", "on", "off":
	default:
		return fmt.Errorf("default %q: use on or off", t.Default)
	}
	if err := checkIgnores(t.Ignores); err != nil {
		return err
	}
	for k := range t.Efforts {
		if !contains(parityEfforts, k) {
			return fmt.Errorf("efforts: %q is not one of %s", k, strings.Join(parityEfforts, ", "))
		}
	}
	for _, f := range []string{t.EffortField, t.BudgetField} {
		if strings.HasPrefix(f, ".") || strings.HasSuffix(f, ".") || strings.Contains(f, "..") {
			return fmt.Errorf("field path %q is malformed: use dotted names like reasoning.effort", f)
		}
	}
	return nil
}

// cloneMap deep-copies a JSON-like map so request bodies never alias the
// catalog's fragments.
func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return cloneMap(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneValue(e)
		}
		return out
	}
	return v
}

// mergeInto deep-merges src into dst: nested objects merge key by key,
// anything else replaces.
func mergeInto(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				mergeInto(dm, sm)
				continue
			}
		}
		dst[k] = cloneValue(v)
	}
}

// setPath writes v at a dotted path, creating objects on the way.
func setPath(m map[string]any, dotted string, v any) {
	parts := strings.Split(dotted, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	m[parts[len(parts)-1]] = v
}
