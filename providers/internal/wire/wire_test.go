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

// TestContentBlocksShape checks the content-blocks style against Mistral's
// documented shape: a whole answer's content is a thinking block (holding
// text blocks) then a text block; streamed, thinking deltas are lists of a
// thinking block, the first answer delta a list of a text block, and the
// later ones plain strings.
func TestContentBlocksShape(t *testing.T) {
	r := &Reply{Model: "m", Content: "It is 42.", Reasoning: "6*7=42", Style: StyleContentBlocks}
	var body struct {
		Choices []struct {
			Message struct{ Content json.RawMessage }
		}
	}
	require.NoError(t, json.Unmarshal(AppendCompletion(nil, r), &body))
	assert.JSONEq(t, `[{"type":"thinking","thinking":[{"type":"text","text":"6*7=42"}]},{"type":"text","text":"It is 42."}]`,
		string(body.Choices[0].Message.Content))

	var deltas []string
	for _, ev := range bytes.Split(AppendStream(nil, r, StreamOptions{ChunkSize: 4}, nil), []byte("\n\n")) {
		if !bytes.HasPrefix(ev, []byte("data: ")) || bytes.Equal(ev, []byte("data: [DONE]")) {
			continue
		}
		var c struct {
			Choices []struct {
				Delta struct{ Content json.RawMessage }
			}
		}
		require.NoError(t, json.Unmarshal(ev[6:], &c), string(ev))
		if len(c.Choices) > 0 && len(c.Choices[0].Delta.Content) > 0 && string(c.Choices[0].Delta.Content) != `""` {
			deltas = append(deltas, string(c.Choices[0].Delta.Content))
		}
	}
	assert.Equal(t, []string{
		`[{"type":"thinking","thinking":[{"type":"text","text":"6*7="}]}]`,
		`[{"type":"thinking","thinking":[{"type":"text","text":"42"}]}]`,
		`[{"type":"text","text":"It i"}]`,
		`"s 42"`,
		`"."`,
	}, deltas)

	// Without reasoning the content stays a plain string.
	r.Reasoning = ""
	require.NoError(t, json.Unmarshal(AppendCompletion(nil, r), &body))
	assert.Equal(t, `"It is 42."`, string(body.Choices[0].Message.Content))
}
