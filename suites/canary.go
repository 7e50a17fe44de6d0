package suites

import (
	"fmt"

	"github.com/parity-bench/parity"
)

// The drift canary set (parity canary): a few items of math,
// multiple-choice and Chinese suites, drawn once with a fixed seed and
// asked as one run. Changing any of it makes a new set: its runs then have
// another data hash, so old baselines stop matching and a check asks for a
// new one.
const (
	CanaryName    = "canary"
	CanaryVersion = "1"
	CanarySeed    = 20261130
)

var canaryParts = []struct {
	suite   string
	subject string
	limit   int
}{
	{"gsm8k", "", 6}, {"math500", "", 6}, {"mmlu", "", 6}, {"arc", "", 4}, {"cmath", "", 4}, {"mgsm", "zh", 4},
}

// CanarySet builds the drift canary set from the built-in suites. Lookup
// finds it by CanaryName, so canary runs are rescored like any other.
func CanarySet() (parity.Suite, error) {
	var parts []MixPart
	for _, p := range canaryParts {
		s, _, err := Lookup(p.suite)
		if err != nil {
			return nil, fmt.Errorf("canary set: %w", err)
		}
		parts = append(parts, MixPart{Suite: s, Subject: p.subject, Limit: p.limit})
	}
	return Mix(CanaryName, CanaryVersion, CanarySeed, parts), nil
}
