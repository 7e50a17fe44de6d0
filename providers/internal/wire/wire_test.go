package wire

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", "quote \" and \\ slash", "line\nbreak\ttab\r", "\x00\x1f", "数学 ∑ 🙂", "bad \xff utf8", "<html>&"} {
		got := AppendString(nil, s)
		var back string
		require.NoError(t, json.Unmarshal(got, &back), string(got))
		assert.Equal(t, strings.ToValidUTF8(s, "\uFFFD"), back)
	}
}

func TestCutKeepsRunes(t *testing.T) {
	s := "ab数学cd"
	var parts []string
	for rest := s; rest != ""; {
		var p string
		p, rest = cut(rest, 3)
		parts = append(parts, p)
	}
	assert.Equal(t, s, strings.Join(parts, ""))
	for _, p := range parts {
		assert.True(t, len(p) > 0 && strings.ToValidUTF8(p, "!") == p, p)
	}
}

func TestStreamEventsAreValid(t *testing.T) {
	r := &Reply{Model: "m", Content: "answer \"quoted\"", Reasoning: "think\nmore", Style: StyleThinkInline, Usage: Usage{Prompt: 3, Completion: 4}}
	marks := 0
	out := AppendStream(nil, r, StreamOptions{ChunkSize: 4, IncludeUsage: true, Comment: true}, func(b []byte) []byte { marks++; return b })
	var content strings.Builder
	for _, ev := range bytes.Split(out, []byte("\n\n")) {
		if !bytes.HasPrefix(ev, []byte("data: ")) || bytes.Equal(ev, []byte("data: [DONE]")) {
			continue
		}
		var c struct {
			Choices []struct{ Delta struct{ Content string } }
		}
		require.NoError(t, json.Unmarshal(ev[6:], &c), string(ev))
		for _, ch := range c.Choices {
			content.WriteString(ch.Delta.Content)
		}
	}
	assert.Equal(t, "<think>\nthink\nmore\n</think>\n\nanswer \"quoted\"", content.String())
	assert.Greater(t, marks, 5)
	assert.True(t, bytes.HasPrefix(out, []byte(": keep-alive\n\n")))
	assert.True(t, bytes.HasSuffix(out, []byte("data: [DONE]\n\n")))

	var body map[string]any
	require.NoError(t, json.Unmarshal(AppendCompletion(nil, r), &body))
}
