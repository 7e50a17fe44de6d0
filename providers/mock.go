package providers

import (
	"bytes"
	"encoding/json"
	"hash/fnv"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/providers/internal/wire"
)

// AnswerKey tells the offline mock provider the gold answer of the item a
// request asks and its kind ("number", "math", "choice" or "text"). The
// caller that chose the suites builds it (cmd/parity does, from the suites
// of a run), so the gold answer never travels with a request: the mock
// learns only which item and sample it is asked, from Request.Ref.
type AnswerKey func(ref parity.ItemRef) (gold, kind string, ok bool)

type mockRequest struct {
	Model    string `json:"model"`
	Stream   bool   `json:"stream"`
	Messages []struct {
		Content string `json:"content"`
	} `json:"messages"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	// The catalog's mock entry sends Params.Effort, ThinkingBudget and
	// MaxTokens in these fields, so effort and budget sweeps on the mock
	// show the shape real curves have.
	Effort    string `json:"reasoning_effort"`
	Budget    int    `json:"thinking_budget"`
	MaxTokens int    `json:"max_tokens"`
}

// serveMock answers the offline mock provider's request in process, in the
// real OpenAI wire format, so the mock exercises the same client path
// (the body as sent, retries, stream reading, reasoning extraction) as a
// real API. It reads the model and messages from the body it is sent.
func serveMock(body []byte, key AnswerKey, ref parity.ItemRef) *http.Response {
	var req mockRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return mockResponse(http.StatusBadRequest, "application/json",
			wire.AppendError(nil, "request body is not JSON: "+err.Error(), "invalid_request_error", ""))
	}
	prompt := 0
	for _, m := range req.Messages {
		prompt += len(m.Content)
	}
	var ans *mockAnswer
	if key != nil && ref.ItemID != "" {
		if gold, kind, ok := key(ref); ok {
			ans = &mockAnswer{ref: ref, gold: gold, kind: kind}
		}
	}
	reply, ok := mockReply(req.Model, ans, prompt, mockAllowance(req.Effort, req.Budget))
	if !ok {
		return mockResponse(http.StatusNotFound, "application/json", wire.AppendError(nil,
			"The model `"+req.Model+"` does not exist: use mock/oracle, mock/oracle-NN (NN% correct) or mock/random",
			"invalid_request_error", "model_not_found"))
	}
	if ok {
		mockCut(reply, req.MaxTokens)
	}
	if req.Stream {
		opt := wire.StreamOptions{ChunkSize: 48, IncludeUsage: req.StreamOptions != nil && req.StreamOptions.IncludeUsage}
		return mockResponse(http.StatusOK, "text/event-stream", wire.AppendStream(nil, reply, opt, nil))
	}
	return mockResponse(http.StatusOK, "application/json", wire.AppendCompletion(nil, reply))
}

// mix64 is the splitmix64 finaliser. FNV alone barely moves its high bits
// when only the last byte differs, which would make every sample of an
// item alike; the finaliser spreads the difference over all 64 bits.
func mix64(sum uint64) uint64 {
	sum ^= sum >> 30
	sum *= 0xbf58476d1ce4e5b9
	sum ^= sum >> 27
	sum *= 0x94d049bb133111eb
	sum ^= sum >> 31
	return sum
}

// mockAnswer is what the mock knows about the item it is asked.
type mockAnswer struct {
	ref        parity.ItemRef
	gold, kind string
}

func mockResponse(status int, ctype string, body []byte) *http.Response {
	return &http.Response{
		Status: strconv.Itoa(status) + " " + http.StatusText(status), StatusCode: status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {ctype}},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
	}
}

// mockAllowances are the reasoning tokens the mock allows itself at each
// effort. The numbers are made up; what matters is that they give the mock
// the shape real effort curves have: more effort, more tokens, fewer misses,
// with a plateau once every item has the reasoning it needs.
var mockAllowances = map[string]int{"low": 800, "medium": 2000, "high": 4000, "max": 8000}

// mockAllowance is how many reasoning tokens the mock may spend: the budget
// when one is set, else its effort's allowance; 0 means no limit, the
// mock's behaviour when neither is asked for.
func mockAllowance(effort string, budget int) int {
	if budget > 0 {
		return budget
	}
	return mockAllowances[effort]
}

// The reasoning an item needs, when an allowance is set, is log-uniform
// between these many tokens (see mockReply).
const mockNeedMin, mockNeedMax = 200, 4000

// mockCut applies max_tokens as an API does: a reply longer than the
// limit stops at it with finish_reason "length" and no answer.
func mockCut(r *wire.Reply, maxTokens int) {
	if maxTokens <= 0 || r.Usage.Completion <= maxTokens {
		return
	}
	r.FinishReason = parity.FinishLength
	r.Content = ""
	r.Usage.Completion = maxTokens
	r.Usage.Reasoning = min(r.Usage.Reasoning, maxTokens)
}

// mockReply decides the mock's answer. Draws are a pure function of model,
// item id and sample, so reruns and resumed runs see the same answers.
//
// With an allowance (an effort or a thinking budget), each item needs a
// fixed number of reasoning tokens; the mock reports that many, or the
// allowance when it is smaller, and an item cut short is answered as well
// as half the time it would be otherwise. The token counts are then
// figures the mock reports, not the length of the text it sends.
func mockReply(model string, ans *mockAnswer, promptChars, allowance int) (*wire.Reply, bool) {
	pCorrect, random := 0.0, false
	switch {
	case model == "oracle":
		pCorrect = 0.8
	case model == "random":
		random = true
	case strings.HasPrefix(model, "oracle-"):
		n, err := strconv.Atoi(strings.TrimPrefix(model, "oracle-"))
		if err != nil || n < 0 || n > 100 {
			return nil, false
		}
		pCorrect = float64(n) / 100
	default:
		return nil, false
	}
	r := &wire.Reply{ID: "chatcmpl-mock", Model: "mock-" + model, Style: wire.StyleReasoningContent, FinishReason: parity.FinishStop}
	thought := 0 // reasoning tokens reported instead of the text's length
	if ans == nil {
		r.Reasoning = "The offline mock only answers benchmark items whose answers it was given, and this request asks none of them."
		r.Content = "I cannot answer this offline."
	} else {
		h := fnv.New64a()
		h.Write([]byte(model + "\x00" + ans.ref.ItemID + "\x00" + strconv.Itoa(ans.ref.Sample)))
		sum := mix64(h.Sum64())
		u1 := float64(sum>>32) / (1 << 32)
		u2 := float64(sum&0xffffffff) / (1 << 32)
		r.Reasoning = "Let me work through item " + ans.ref.ItemID + " carefully. First I restate what is asked, " +
			"then I check each step of the calculation twice before committing to an answer."
		if allowance > 0 {
			need := mockNeed(model, ans.ref.ItemID)
			thought = min(need, allowance)
			if need > allowance {
				pCorrect /= 2
				r.Reasoning += " I have to stop thinking here and give my best guess."
			}
		}
		switch {
		case random:
			r.Content = mockFormat(ans.kind, mockRandom(ans.kind, u1))
		case u1 < pCorrect:
			r.Content = mockFormat(ans.kind, ans.gold)
		case u2 < 0.25:
			r.Reasoning += " I keep going in circles on this one."
			r.Content = "I could not settle on a final answer."
		default:
			r.Content = mockFormat(ans.kind, mockWrong(ans.kind, ans.gold))
		}
	}
	reasoning := len(r.Reasoning)/4 + 1
	if thought > 0 {
		reasoning = thought
	}
	r.Usage = wire.Usage{
		Prompt:     promptChars/4 + 1,
		Completion: reasoning + len(r.Content)/4 + 1,
		Reasoning:  reasoning,
	}
	return r, true
}

// mockNeed is the reasoning tokens an item needs, the same for every
// sample and setting of a model.
func mockNeed(model, itemID string) int {
	h := fnv.New64a()
	h.Write([]byte("need\x00" + model + "\x00" + itemID))
	u := float64(mix64(h.Sum64())>>11) / (1 << 53)
	return int(mockNeedMin * math.Pow(mockNeedMax/mockNeedMin, u))
}

func mockFormat(kind, answer string) string {
	switch kind {
	case "number", "math":
		return "So the result follows.\n\nThe final answer is $\\boxed{" + answer + "}$."
	}
	return "Having compared the options, I am confident.\n\nAnswer: " + answer
}

func mockRandom(kind string, u float64) string {
	if kind == "choice" {
		return string(rune('A' + int(u*4)))
	}
	return strconv.Itoa(int(u * 100))
}

func mockWrong(kind, gold string) string {
	switch kind {
	case "choice":
		g := strings.ToUpper(strings.TrimSpace(gold))
		if len(g) == 1 && g[0] >= 'A' && g[0] <= 'Z' {
			if g[0] >= 'D' {
				return string(g[0] - 1)
			}
			return string(g[0] + 1)
		}
		return "A"
	case "number", "math":
		if v, err := strconv.ParseFloat(strings.ReplaceAll(gold, ",", ""), 64); err == nil {
			return strconv.FormatFloat(v+1, 'f', -1, 64)
		}
		return gold + "+1"
	}
	return "not " + gold
}
