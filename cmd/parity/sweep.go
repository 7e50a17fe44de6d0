package main

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers"
)

// sweepKey is one setting --sweep can vary: check validates a value, set
// writes it into the parameters.
type sweepKey struct {
	key   string
	check func(v string) error
	set   func(p *parity.Params, v string)
}

// sweepKeys are the settings --sweep can vary, with the run flag each one
// stands for and a check of one value. A sweep plans one run per value, so
// the flag itself must not be given as well.
var sweepKeys = []sweepKey{
	{"effort", func(v string) error {
		if !slices.Contains([]string{"low", "medium", "high", "max"}, v) {
			return fmt.Errorf("effort %q: use low, medium, high or max", v)
		}
		return nil
	}, func(p *parity.Params, v string) { p.Effort = v }},
	{"thinking-budget", positiveTokens, func(p *parity.Params, v string) { p.ThinkingBudget, _ = strconv.Atoi(v) }},
	{"max-tokens", positiveTokens, func(p *parity.Params, v string) { p.MaxTokens, _ = strconv.Atoi(v) }},
	{"thinking", func(v string) error {
		if !slices.Contains([]string{"on", "off", "auto"}, v) {
			return fmt.Errorf("thinking %q: use on, off or auto", v)
		}
		return nil
	}, func(p *parity.Params, v string) { p.Thinking = v }},
}

func positiveTokens(v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return fmt.Errorf("%q is not a token count: use a whole number of at least 1, e.g. 4096", v)
	}
	return nil
}

// sweepNames lists the keys for error messages.
func sweepNames() string {
	var names []string
	for _, k := range sweepKeys {
		names = append(names, k.key)
	}
	return strings.Join(names, ", ")
}

// sweepSettings turns --sweep KEY=V1,V2,... into the parameters of one run
// per setting: the cross product of every sweep, in the order the values
// were given, laid over base. Without a sweep it is base alone.
func sweepSettings(specs []string, base parity.Params, fl *pflag.FlagSet) ([]parity.Params, error) {
	out := []parity.Params{base}
	seen := map[string]bool{}
	for _, spec := range specs {
		key, list, ok := strings.Cut(spec, "=")
		key = strings.TrimSpace(key)
		i := slices.IndexFunc(sweepKeys, func(k sweepKey) bool { return k.key == key })
		if !ok || i < 0 {
			return nil, usagef("--sweep %q is not valid: write KEY=V1,V2,... with KEY one of %s, e.g. --sweep effort=low,medium,high", spec, sweepNames())
		}
		if seen[key] {
			return nil, usagef("--sweep %s is given twice: list all its values in one --sweep", key)
		}
		seen[key] = true
		if fl.Changed(key) {
			return nil, usagef("--%s and --sweep %s both set it: drop --%s, the sweep runs each value", key, key, key)
		}
		var values []string
		for _, v := range strings.Split(list, ",") {
			v = strings.TrimSpace(v)
			if err := sweepKeys[i].check(v); err != nil {
				return nil, usagef("--sweep %s: %v", key, err)
			}
			if slices.Contains(values, v) {
				return nil, usagef("--sweep %s lists %q twice: give each value once", key, v)
			}
			values = append(values, v)
		}
		if len(values) < 2 {
			return nil, usagef("--sweep %s has one value: give two or more, or use --%s", key, key)
		}
		next := make([]parity.Params, 0, len(out)*len(values))
		for _, p := range out {
			for _, v := range values {
				q := p
				sweepKeys[i].set(&q, v)
				next = append(next, q)
			}
		}
		out = next
	}
	return out, nil
}

// checkSweep refuses a sweep whose settings send one model the same
// request: a provider without an effort or budget setting would be asked
// the same thing once per setting, and charge for each.
func checkSweep(model string, plans []*providers.Plan, settings []parity.Params) error {
	for i := range plans {
		for j := i + 1; j < len(plans); j++ {
			if bytes.Equal(plans[i].JSON, plans[j].JSON) {
				why := ""
				if len(plans[j].Warnings) > 0 {
					why = " (" + plans[j].Warnings[len(plans[j].Warnings)-1] + ")"
				}
				return usagef("--sweep: %s would be sent the same request for %s and %s%s: sweep a setting this model takes, or leave it out of the sweep",
					model, settingLabel(settings[i]), settingLabel(settings[j]), why)
			}
		}
	}
	return nil
}

// settingLabel names the swept settings of p, as the report does.
func settingLabel(p parity.Params) string {
	if s := p.Setting(); s != "" {
		return s
	}
	return "the default setting"
}
