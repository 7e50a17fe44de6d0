package parity

import (
	"regexp"
	"strings"
)

// datedSuffix matches the snapshot suffixes providers add to a model id
// when they report it: -2025-04-16, -20250416, -250615, @2024-05-13, -0813.
var datedSuffix = regexp.MustCompile(`[-@_:](\d{4}-\d{2}-\d{2}|\d{8}|\d{6}|\d{4})$`)

// ModelSubstituted reports whether the model id an API reported names a
// different model from the one asked for, beyond a dated snapshot suffix,
// letter case or a namespace prefix: a provider serving another model under
// the old name (a retired id routed to its successor, a proxy, an alias).
// A vendor prefix on the same name (mock-oracle for oracle) is the same
// model.
// An unreported id, or an inference-endpoint id (Ark's ep-…, which always
// reports the model behind it), is not a substitution.
func ModelSubstituted(asked, reported string) bool {
	if reported == "" || asked == "" || strings.HasPrefix(asked, "ep-") {
		return false
	}
	a, r := canonicalID(asked), canonicalID(reported)
	if a == r {
		return false
	}
	// One side may carry a namespace the other lacks (vLLM's Qwen/QwQ-32B,
	// Gemini's models/gemini-3.8-flash, the offline mock's mock-oracle).
	a, r = lastSegment(a), lastSegment(r)
	return a != r && !strings.HasSuffix(r, "-"+a) && !strings.HasSuffix(a, "-"+r)
}

func canonicalID(id string) string {
	id = strings.ToLower(strings.TrimSpace(id))
	for {
		trimmed := datedSuffix.ReplaceAllString(id, "")
		if trimmed == id || trimmed == "" {
			return id
		}
		id = trimmed
	}
}

func lastSegment(id string) string {
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		return id[i+1:]
	}
	return id
}
