package providers

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/parity-bench/parity"
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
	// BudgetBelowLimit says the API refuses a thinking budget that is not
	// below the token limit (Anthropic); BudgetMin is the smallest budget
	// it takes. A budget at or above --max-tokens is lowered to half of it
	// with a warning, and refused when that falls below BudgetMin.
	BudgetBelowLimit bool `yaml:"budget_below_limit,omitempty"`
	BudgetMin        int  `yaml:"budget_min,omitempty"`
}

// TemperatureRule is the range of temperatures an API accepts. Min and Max
// are the lowest and highest values parity sends (for an API taking
// (0, 1], Min is the smallest step above 0 it documents or accepts); Fixed
// means only that one value is accepted. A temperature outside the range
// is moved to the nearest accepted value and the change is warned about.
type TemperatureRule struct {
	Min   *float64 `yaml:"min,omitempty"`
	Max   *float64 `yaml:"max,omitempty"`
	Fixed *float64 `yaml:"fixed,omitempty"`
}

func (r *TemperatureRule) clone() *TemperatureRule {
	if r == nil {
		return nil
	}
	c := *r
	for _, f := range []**float64{&c.Min, &c.Max, &c.Fixed} {
		if *f != nil {
			v := **f
			*f = &v
		}
	}
	return &c
}

func (r *TemperatureRule) validate() error {
	if r == nil {
		return nil
	}
	if r.Fixed != nil && (r.Min != nil || r.Max != nil) {
		return fmt.Errorf("give either fixed or min/max, not both")
	}
	for _, f := range []*float64{r.Min, r.Max, r.Fixed} {
		if f != nil && (*f < 0 || math.IsNaN(*f) || math.IsInf(*f, 0)) {
			return fmt.Errorf("values must be numbers of at least 0")
		}
	}
	if r.Min != nil && r.Max != nil && *r.Min > *r.Max {
		return fmt.Errorf("min %g is above max %g", *r.Min, *r.Max)
	}
	return nil
}

// accept returns the temperature to send for t and whether it differs.
func (r *TemperatureRule) accept(t float64) (float64, bool) {
	switch {
	case r == nil:
		return t, false
	case r.Fixed != nil:
		return *r.Fixed, t != *r.Fixed
	case r.Min != nil && t < *r.Min:
		return *r.Min, true
	case r.Max != nil && t > *r.Max:
		return *r.Max, true
	}
	return t, false
}

// lowest is the lowest temperature the rule lets parity send.
func (r *TemperatureRule) lowest() float64 {
	v, _ := r.accept(0)
	return v
}

// String describes the rule for messages: "fixed at 1", "from 0.01 to 1".
func (r *TemperatureRule) String() string {
	num := func(f *float64, def string) string {
		if f == nil {
			return def
		}
		return strconv.FormatFloat(*f, 'g', -1, 64)
	}
	switch {
	case r == nil:
		return "any"
	case r.Fixed != nil:
		return "fixed at " + num(r.Fixed, "")
	}
	return "from " + num(r.Min, "0") + " to " + num(r.Max, "2")
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
	if o.BudgetBelowLimit {
		out.BudgetBelowLimit = true
	}
	if o.BudgetMin > 0 {
		out.BudgetMin = o.BudgetMin
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
	if t.BudgetMin < 0 {
		return fmt.Errorf("budget_min must not be negative")
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

// Adapted is how one request's generation parameters are written for one
// provider and model: the body fields they become, whether the request is
// streamed, and a warning for every setting that was changed, dropped, or
// is known to run as something else there. What a run sends is what the
// warnings say, so the same flags mean the same thing on every provider
// wherever the API allows it, and are recorded where it does not.
type Adapted struct {
	// Fields are body fields: token limit, sampling parameters, the
	// thinking switch, effort and budget.
	Fields   map[string]any
	Stream   bool
	Warnings []string
}

// Adapt applies the catalog's rules for model to params at time now:
// retirement (a retired id is refused with its replacement named, an id
// served by another model is warned about), the token-limit field and the
// API's largest limit, the accepted temperature range, sampling parameters
// the model ignores, the thinking switch, the effort the API actually
// runs, and the budget it accepts. It returns a usage error for a setting
// parity cannot express in a form the API accepts.
func (p *Provider) Adapt(model string, params parity.Params, now time.Time) (Adapted, error) {
	r := p.rules(model)
	th := r.thinking
	out := Adapted{Fields: map[string]any{}}
	warn := func(format string, args ...any) {
		out.Warnings = append(out.Warnings, p.Name+": "+fmt.Sprintf(format, args...))
	}
	if ret := p.Retirement(model, now); ret != nil {
		switch {
		case ret.Retired && ret.ServedBy == "":
			return out, parity.Errorf(parity.ErrUsage, "%s/%s was retired on %s and is no longer served: use %s/%s (catalog entry %q; override it with --providers if this is wrong)",
				p.Name, model, ret.Date, p.Name, ret.Replacement, ret.Entry)
		case ret.Retired:
			warn("%s is answered by %s under the old name%s; results are %s's, not %s's", model, ret.ServedBy, sinceDate(ret.Date), ret.ServedBy, model)
		case ret.Soon(now):
			next := ret.Replacement
			if ret.ServedBy != "" {
				next = ret.ServedBy + " (the API will answer the old id with it)"
			}
			warn("%s retires on %s; move to %s", model, ret.Date, next)
		}
	}
	if params.MaxTokens < 0 || params.ThinkingBudget < 0 {
		return out, parity.Errorf(parity.ErrUsage, "max tokens and thinking budget must not be negative")
	}
	limit := params.MaxTokens
	if limit > 0 {
		if r.maxOutput > 0 && limit > r.maxOutput {
			warn("%s takes at most %d output tokens; %s %d lowered to %d", model, r.maxOutput, r.tokenField, limit, r.maxOutput)
			limit = r.maxOutput
		}
		out.Fields[r.tokenField] = limit
		if r.limitExcludesReasoning {
			warn("%s caps only the answer on %s, not the reasoning before it; runs here may spend more than %d tokens", r.tokenField, model, limit)
		}
	}
	thinking := th.thinks(params.Thinking)
	sampling := []struct {
		name string
		set  bool
		val  any
	}{
		{"temperature", params.Temperature != nil, deref(params.Temperature)},
		{"top_p", params.TopP != nil, deref(params.TopP)},
		{"seed", params.Seed != nil, deref(params.Seed)},
	}
	if len(params.Stop) > 0 {
		out.Fields["stop"] = params.Stop
	}
	for _, s := range sampling {
		switch {
		case !s.set:
		case contains(r.ignores, s.name):
			warn("%s is ignored or rejected by %s; not sent", s.name, model)
		case thinking && contains(th.Ignores, s.name):
			warn("%s has no effect while %s thinks; not sent", s.name, model)
		case s.name == "temperature":
			t := *params.Temperature
			sent, changed := r.temperature.accept(t)
			if changed {
				warn("temperature %g is not accepted by %s (%s); sent %g", t, model, r.temperature, sent)
			}
			out.Fields[s.name] = sent
		default:
			out.Fields[s.name] = s.val
		}
	}
	switch params.Thinking {
	case "":
	case "on", "off", "auto":
		frag := map[string]map[string]any{"on": th.Enable, "off": th.Disable, "auto": th.Auto}[params.Thinking]
		if frag == nil {
			switch params.Thinking {
			case "on":
				warn("cannot switch thinking on for %s; the model's default applies", model)
			case "off":
				warn("cannot switch thinking off for %s; it may still think", model)
			default:
				warn("has no automatic thinking mode for %s; the model's default applies", model)
			}
		}
		mergeInto(out.Fields, frag)
	default:
		return out, parity.Errorf(parity.ErrUsage, "thinking %q: use on, off or auto", params.Thinking)
	}
	if err := th.effort(params, model, out.Fields, warn); err != nil {
		return out, err
	}
	if err := th.budget(params, limit, model, out.Fields, warn); err != nil {
		return out, err
	}
	out.Stream = params.Stream
	if !params.Stream && p.StreamRequiredForThinking && params.Thinking != "off" {
		out.Stream = true
		warn("streams thinking only; request streamed")
	}
	if out.Stream {
		out.Fields["stream_options"] = map[string]any{"include_usage": true}
	}
	return out, nil
}

func sinceDate(d string) string {
	if d == "" {
		return ""
	}
	return " since " + d
}

// effort writes Params.Effort where the provider takes it, as the value the
// API runs it as.
func (t Thinking) effort(params parity.Params, model string, fields map[string]any, warn func(string, ...any)) error {
	e := params.Effort
	switch {
	case e == "":
	case !contains(parityEfforts, e):
		return parity.Errorf(parity.ErrUsage, "effort %q: use low, medium, high or max", e)
	case params.Thinking == "off":
		warn("effort %q not sent because thinking is off", e)
	case t.BudgetReplacesEffort && params.ThinkingBudget > 0 && t.BudgetField != "":
		warn("takes a thinking budget or an effort, not both; budget %d sent, effort %q not sent", params.ThinkingBudget, e)
	case t.EffortField == "":
		warn("has no reasoning effort setting for %s; effort %q not sent", model, e)
	default:
		v, ok := e, true
		if t.Efforts != nil {
			v, ok = t.Efforts[e]
		}
		if !ok {
			warn("effort %q is not available for %s (has %s); not sent", e, model, effortList(t.Efforts))
			return nil
		}
		if v != e {
			warn("effort %q runs as %q on %s; %s=%q sent", e, v, model, t.EffortField, v)
		}
		setPath(fields, t.EffortField, v)
	}
	return nil
}

// budget writes the thinking budget, keeping it below the token limit where
// the API requires that. The budget is the one asked for, or the default a
// thinking fragment carries.
func (t Thinking) budget(params parity.Params, limit int, model string, fields map[string]any, warn func(string, ...any)) error {
	b := params.ThinkingBudget
	if b > 0 {
		switch {
		case params.Thinking == "off":
			warn("thinking budget not sent because thinking is off")
			return nil
		case t.BudgetField == "":
			warn("has no thinking budget setting for %s; budget %d not sent", model, b)
			return nil
		}
		setPath(fields, t.BudgetField, b)
	} else if t.BudgetField != "" {
		if v, ok := getPath(fields, t.BudgetField).(int); ok {
			b = v
		}
	}
	if b <= 0 || !t.BudgetBelowLimit || limit <= 0 || b < limit {
		return nil
	}
	half := limit / 2
	if half < t.BudgetMin {
		return parity.Errorf(parity.ErrUsage, "thinking budget %d must stay below --max-tokens %d on %s, and the smallest budget it takes is %d: raise --max-tokens to at least %d, or use --thinking off",
			b, limit, model, t.BudgetMin, 2*t.BudgetMin)
	}
	warn("thinking budget %d is not below the token limit %d, which %s refuses; budget %d sent", b, limit, model, half)
	setPath(fields, t.BudgetField, half)
	return nil
}

// getPath reads the value at a dotted path, nil when absent.
func getPath(m map[string]any, dotted string) any {
	parts := strings.Split(dotted, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			return nil
		}
		m = next
	}
	return m[parts[len(parts)-1]]
}
