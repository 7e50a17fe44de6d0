// Package wire writes chat completion responses in the OpenAI wire format,
// both as one JSON body and as a server-sent event stream. The offline mock
// provider and the providertest fake server share it, so the bytes they serve
// are exactly what a real OpenAI-compatible API sends. It appends to caller
// buffers and never allocates on its own, which keeps the fake server fast
// enough to benchmark the runner against.
package wire

import (
	"strconv"
	"unicode/utf8"
)

// Reasoning styles: where a reply carries its reasoning text.
const (
	// StyleReasoningContent is DeepSeek's field, also used by vLLM, SGLang,
	// DashScope and most Chinese APIs.
	StyleReasoningContent = "reasoning_content"
	// StyleReasoning is the field OpenRouter, Ollama and newer vLLM use.
	StyleReasoning = "reasoning"
	// StyleThinkInline puts reasoning inside <think>…</think> at the start of
	// the content, as raw open-weight models do without a reasoning parser.
	StyleThinkInline = "think-inline"
	// StyleThoughtInline is StyleThinkInline with Gemini's <thought> tags.
	StyleThoughtInline = "thought-inline"
	// StyleReasoningDetails carries reasoning as reasoning_details entries
	// of type reasoning.text (OpenRouter, MiniMax with reasoning_split).
	StyleReasoningDetails = "reasoning_details"
	// StyleContentBlocks sends content as a list of typed blocks, reasoning
	// in a thinking block before a text block, as Mistral's reasoning models
	// do. Streamed, reasoning deltas are lists holding a thinking block; the
	// first answer delta is a list holding a text block and the rest are
	// plain strings (the pattern of Mistral's own streaming example).
	StyleContentBlocks = "content-blocks"
)

// Usage is the token accounting of a reply.
type Usage struct {
	Prompt, Completion, Reasoning, Cached int
}

// Reply is one complete answer to serve.
type Reply struct {
	ID        string
	Model     string
	Content   string
	Reasoning string
	// Style is one of the Style constants; empty means reasoning_content.
	Style        string
	FinishReason string
	Usage        Usage
	// CacheHitFields adds DeepSeek's prompt_cache_hit_tokens and
	// prompt_cache_miss_tokens beside the OpenAI usage details.
	CacheHitFields bool
	// Tail is raw JSON members appended to the top-level object of a
	// non-streamed body, such as MiniMax's `"base_resp":{...}`.
	Tail string
}

// tag is the inline tag name of the inline styles, "" otherwise.
func (r *Reply) tag() string {
	switch r.Style {
	case StyleThinkInline:
		return "think"
	case StyleThoughtInline:
		return "thought"
	}
	return ""
}

const created = "1700000000"

func (r *Reply) id() string {
	if r.ID == "" {
		return "chatcmpl-parity"
	}
	return r.ID
}

func (r *Reply) finish() string {
	if r.FinishReason == "" {
		return "stop"
	}
	return r.FinishReason
}

func (r *Reply) reasoningField() string {
	switch r.Style {
	case StyleReasoning:
		return "reasoning"
	case StyleThinkInline, StyleThoughtInline:
		return ""
	case StyleReasoningDetails:
		return "reasoning_details"
	case StyleContentBlocks:
		return "thinking"
	}
	return "reasoning_content"
}

// AppendCompletion appends the non-streaming JSON body of r to b.
func AppendCompletion(b []byte, r *Reply) []byte {
	b = append(b, `{"id":`...)
	b = AppendString(b, r.id())
	b = append(b, `,"object":"chat.completion","created":`+created+`,"model":`...)
	b = AppendString(b, r.Model)
	b = append(b, `,"choices":[{"index":0,"message":{"role":"assistant","content":`...)
	if r.Style == StyleContentBlocks && r.Reasoning != "" {
		b = append(b, '[')
		b = appendThinkingBlock(b, r.Reasoning)
		b = append(b, ',')
		b = appendTextBlock(b, r.Content)
		b = append(b, ']')
	} else if tag := r.tag(); tag != "" && r.Reasoning != "" {
		b = append(b, `"<`+tag+`>\n`...)
		b = appendEscaped(b, r.Reasoning)
		b = append(b, `\n</`+tag+`>\n\n`...)
		b = appendEscaped(b, r.Content)
		b = append(b, '"')
	} else {
		b = AppendString(b, r.Content)
		if f := r.reasoningField(); f == "reasoning_details" && r.Reasoning != "" {
			b = append(b, `,"reasoning_details":`...)
			b = appendDetails(b, r.Reasoning)
		} else if f != "" && r.Reasoning != "" {
			b = append(b, `,"`...)
			b = append(b, f...)
			b = append(b, `":`...)
			b = AppendString(b, r.Reasoning)
		}
	}
	b = append(b, `},"finish_reason":`...)
	b = AppendString(b, r.finish())
	b = append(b, `}],"usage":`...)
	b = appendUsage(b, r)
	if r.Tail != "" {
		b = append(b, ',')
		b = append(b, r.Tail...)
	}
	b = append(b, '}')
	return b
}

// appendThinkingBlock appends a thinking block holding one text block.
func appendThinkingBlock(b []byte, text string) []byte {
	b = append(b, `{"type":"thinking","thinking":[`...)
	b = appendTextBlock(b, text)
	return append(b, "]}"...)
}

func appendTextBlock(b []byte, text string) []byte {
	b = append(b, `{"type":"text","text":`...)
	b = AppendString(b, text)
	return append(b, '}')
}

func appendDetails(b []byte, text string) []byte {
	b = append(b, `[{"type":"reasoning.text","index":0,"text":`...)
	b = AppendString(b, text)
	return append(b, "}]"...)
}

func appendUsage(b []byte, r *Reply) []byte {
	u := r.Usage
	b = append(b, `{"prompt_tokens":`...)
	b = strconv.AppendInt(b, int64(u.Prompt), 10)
	b = append(b, `,"completion_tokens":`...)
	b = strconv.AppendInt(b, int64(u.Completion), 10)
	b = append(b, `,"total_tokens":`...)
	b = strconv.AppendInt(b, int64(u.Prompt+u.Completion), 10)
	b = append(b, `,"prompt_tokens_details":{"cached_tokens":`...)
	b = strconv.AppendInt(b, int64(u.Cached), 10)
	b = append(b, `},"completion_tokens_details":{"reasoning_tokens":`...)
	b = strconv.AppendInt(b, int64(u.Reasoning), 10)
	b = append(b, '}')
	if r.CacheHitFields {
		b = append(b, `,"prompt_cache_hit_tokens":`...)
		b = strconv.AppendInt(b, int64(u.Cached), 10)
		b = append(b, `,"prompt_cache_miss_tokens":`...)
		b = strconv.AppendInt(b, int64(u.Prompt-u.Cached), 10)
	}
	return append(b, '}')
}

// StreamOptions shape a streamed reply.
type StreamOptions struct {
	// ChunkSize is the most bytes of text per delta event; 0 means 64.
	ChunkSize int
	// IncludeUsage sends the final usage chunk, as stream_options.include_usage asks.
	IncludeUsage bool
	// Comment starts the stream with an SSE comment line, as OpenRouter's
	// ": OPENROUTER PROCESSING" keep-alives do.
	Comment bool
}

// AppendStream appends the whole event stream of r to b, ending with
// "data: [DONE]". After each event it calls mark, when not nil, with the
// buffer so far and continues with what mark returns: a server writes and
// flushes there and returns b[:0], a test can stop early by panicking.
func AppendStream(b []byte, r *Reply, opt StreamOptions, mark func([]byte) []byte) []byte {
	if mark == nil {
		mark = func(b []byte) []byte { return b }
	}
	size := opt.ChunkSize
	if size <= 0 {
		size = 64
	}
	if opt.Comment {
		b = append(b, ": keep-alive\n\n"...)
		b = mark(b)
	}
	b = appendChunkHead(b, r)
	b = append(b, `{"role":"assistant","content":""},"finish_reason":null}]}`+"\n\n"...)
	b = mark(b)
	field := r.reasoningField()
	if r.Reasoning != "" {
		tag := r.tag()
		if field == "" {
			b = appendDelta(b, r, "content", "<"+tag+">\n")
			b = mark(b)
			field = "content"
		}
		for rest := r.Reasoning; rest != ""; {
			var part string
			part, rest = cut(rest, size)
			b = appendDelta(b, r, field, part)
			b = mark(b)
		}
		if field == "content" {
			b = appendDelta(b, r, "content", "\n</"+tag+">\n\n")
			b = mark(b)
		}
	}
	first := r.Style == StyleContentBlocks && r.Reasoning != ""
	for rest := r.Content; rest != ""; {
		var part string
		part, rest = cut(rest, size)
		if first {
			b = appendDelta(b, r, "text", part)
			first = false
		} else {
			b = appendDelta(b, r, "content", part)
		}
		b = mark(b)
	}
	b = appendChunkHead(b, r)
	b = append(b, `{},"finish_reason":`...)
	b = AppendString(b, r.finish())
	b = append(b, "}]}\n\n"...)
	b = mark(b)
	if opt.IncludeUsage {
		b = append(b, `data: {"id":`...)
		b = AppendString(b, r.id())
		b = append(b, `,"object":"chat.completion.chunk","created":`+created+`,"model":`...)
		b = AppendString(b, r.Model)
		b = append(b, `,"choices":[],"usage":`...)
		b = appendUsage(b, r)
		b = append(b, "}\n\n"...)
		b = mark(b)
	}
	b = append(b, "data: [DONE]\n\n"...)
	return mark(b)
}

func appendChunkHead(b []byte, r *Reply) []byte {
	b = append(b, `data: {"id":`...)
	b = AppendString(b, r.id())
	b = append(b, `,"object":"chat.completion.chunk","created":`+created+`,"model":`...)
	b = AppendString(b, r.Model)
	return append(b, `,"choices":[{"index":0,"delta":`...)
}

// appendDelta appends one delta event carrying text in field; the fields
// "thinking" and "text" are a content list holding one block of that type.
func appendDelta(b []byte, r *Reply, field, text string) []byte {
	b = appendChunkHead(b, r)
	switch field {
	case "thinking":
		b = append(b, `{"content":[`...)
		b = appendThinkingBlock(b, text)
		b = append(b, ']')
	case "text":
		b = append(b, `{"content":[`...)
		b = appendTextBlock(b, text)
		b = append(b, ']')
	case "reasoning_details":
		b = append(b, `{"reasoning_details":`...)
		b = appendDetails(b, text)
	default:
		b = append(b, `{"`...)
		b = append(b, field...)
		b = append(b, `":`...)
		b = AppendString(b, text)
	}
	return append(b, "},\"finish_reason\":null}]}\n\n"...)
}

// cut splits s after at most n bytes without breaking a UTF-8 sequence.
func cut(s string, n int) (string, string) {
	if len(s) <= n {
		return s, ""
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	if i == 0 {
		_, i = utf8.DecodeRuneInString(s)
	}
	return s[:i], s[i:]
}

// AppendError appends an OpenAI-format error body.
func AppendError(b []byte, message, typ, code string) []byte {
	b = append(b, `{"error":{"message":`...)
	b = AppendString(b, message)
	b = append(b, `,"type":`...)
	b = AppendString(b, typ)
	b = append(b, `,"param":null,"code":`...)
	if code == "" {
		b = append(b, "null"...)
	} else {
		b = AppendString(b, code)
	}
	return append(b, "}}"...)
}

// AppendString appends s as a quoted JSON string. Invalid UTF-8 becomes
// U+FFFD, as encoding/json does.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendEscaped(b, s)
	return append(b, '"')
}

const hex = "0123456789abcdef"

func appendEscaped(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, `\ufffd`...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	return append(b, s[start:]...)
}
