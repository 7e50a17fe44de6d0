package parity

import (
	"regexp"
	"strings"
)

// secretPattern matches credentials that an error message, a response body
// or a note might echo back: bearer tokens, api-key headers and fields, and
// keys shaped like sk-, ak-, pk- or key- tokens (OpenAI, DeepSeek, Moonshot,
// Anthropic and most gateways). A key in the database would travel with
// every shared shard and snapshot, so stores and publishers both mask them.
var secretPattern = regexp.MustCompile(
	`(?i)(bearer\s+|(?:x-)?api[-_]?key["']?\s*[:=]\s*["']?)[A-Za-z0-9._~+/=-]{8,}|\b(?:sk|ak|pk|key)-[A-Za-z0-9_-]{8,}`)

// maySecret is a cheap test, ignoring ASCII case like the pattern does
// ("X-API-Key", "BEARER"), that rules out secretPattern for almost every
// text, so the regexp only runs on suspicious ones. Every match of the
// pattern holds "bearer", "key", or "k-" after s, a or p, so the text is
// searched for its k's and b's only, each with one fast byte search.
func maySecret(s string) bool {
	for _, c := range [...]byte{'k', 'K', 'b', 'B'} {
		for i := 0; i < len(s); i++ {
			j := strings.IndexByte(s[i:], c)
			if j < 0 {
				break
			}
			i += j
			rest := s[i:]
			if c == 'b' || c == 'B' {
				if len(rest) >= 6 && containsFold(rest[:6], "bearer") {
					return true
				}
				continue
			}
			if len(rest) >= 3 && lowerASCII(rest[1]) == 'e' && lowerASCII(rest[2]) == 'y' {
				return true
			}
			if len(rest) >= 2 && rest[1] == '-' && i > 0 {
				if p := lowerASCII(s[i-1]); p == 's' || p == 'a' || p == 'p' {
					return true
				}
			}
		}
	}
	return false
}

// ScrubSecrets replaces credentials in s with "[REDACTED]", keeping the
// header or field name in front of one. It is the one pattern-based
// scrubber: the client, which knows the key it sent, also removes that key
// exactly wherever it is echoed. An ak-, pk- or key- token with no digit
// in it ("key-takeaways") is prose, not a key, and stays.
func ScrubSecrets(s string) string {
	if !maySecret(s) {
		return s
	}
	return secretPattern.ReplaceAllStringFunc(s, func(m string) string {
		sub := secretPattern.FindStringSubmatch(m)
		if sub[1] != "" {
			return sub[1] + "[REDACTED]"
		}
		if !hasDigit(m) && !containsFold(m[:3], "sk-") {
			return m
		}
		return "[REDACTED]"
	})
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if '0' <= s[i] && s[i] <= '9' {
			return true
		}
	}
	return false
}

// containsFold reports whether s contains the lower-case ASCII string sub,
// ignoring ASCII case, without copying s.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for j < len(sub) && lowerASCII(s[i+j]) == sub[j] {
			j++
		}
		if j == len(sub) {
			return true
		}
	}
	return false
}

func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}
