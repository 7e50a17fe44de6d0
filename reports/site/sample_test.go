package site

import (
	"bytes"
	"html/template"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
)

// templateSample is the template the sample writer replaced, kept here as
// the reference its output must match byte for byte.
var templateSample = template.Must(template.New("t").Parse(`{{- define "sample" -}}
<details class="s {{.Class}}" id="{{.Anchor}}"><summary><span class="badge">{{.Outcome}}</span> <code>{{.ItemID}}</code> #{{.Index}} — {{if .Extracted}}extracted <code>{{.Extracted}}</code>{{else}}no answer extracted{{end}}, gold <code>{{.Gold}}</code></summary>
<div>
<dl>
<dt>scorer</dt><dd><code>{{.Scorer}}</code>{{if .Detail}}: {{.Detail}}{{end}}</dd>
{{- if .Judge}}
<dt>judge</dt><dd>{{.Judge}}</dd>
{{- end}}
<dt>finish</dt><dd>{{if .FinishReason}}{{.FinishReason}}{{else}}–{{end}}</dd>
<dt>tokens</dt><dd>{{.Tokens}}</dd>
<dt>latency</dt><dd>{{.Latency}}</dd>
<dt>cost</dt><dd>{{.Cost}}</dd>
{{- if .Error}}
<dt>error</dt><dd>{{.Error}}</dd>
{{- end}}
{{- range .Warnings}}
<dt>warning</dt><dd>{{.}}</dd>
{{- end}}
</dl>
{{- if .Question}}
<details class="q"><summary>question</summary>
<pre>{{.Question}}</pre>
{{- if .Choices}}
<ol class="choices">{{range .Choices}}<li><b>{{.Letter}}.</b> {{.Text}}</li>{{end}}</ol>
{{- end}}
</details>
{{- end}}
{{- if .Redacted}}
<p class="withheld">Answer withheld.</p>
{{- else}}
{{- if .HasReasoning}}
<details><summary>reasoning ({{.ReasoningSize}})</summary>
<pre>{{.Reasoning}}</pre>
</details>
{{- end}}
<pre>{{.Content}}</pre>
{{- end}}
</div>
</details>
{{end}}
`))

// templateFlips is the comparison table body the flip writer replaced.
var templateFlips = template.Must(template.New("t").Parse(`<tbody>
{{- range .Flips}}
<tr><td>{{if .A.Href}}<a href="{{.A.Href}}"><code>{{.Key}}</code></a>{{else}}<code>{{.Key}}</code>{{end}}</td><td class="{{.A.Class}}"><span class="badge">{{.A.Result}}</span></td><td>{{if .A.Extracted}}<code>{{.A.Extracted}}</code>{{else}}–{{end}}</td><td class="{{.B.Class}}">{{if .B.Href}}<a href="{{.B.Href}}"><span class="badge">{{.B.Result}}</span></a>{{else}}<span class="badge">{{.B.Result}}</span>{{end}}</td><td>{{if .B.Extracted}}<code>{{.B.Extracted}}</code>{{else}}–{{end}}</td><td><code>{{.Gold}}</code></td></tr>
{{- end}}
</tbody>`))

func TestFlipWriterMatchesTemplate(t *testing.T) {
	hostile := "<b>'x' + \"y\" & \x00 \xff 中文"
	flips := []flipView{
		{Key: "42", A: flipCell{Result: "wrong", Class: "o-wrong", Extracted: "7", Href: "../runs/3-2.html#s2001"},
			B: flipCell{Result: "correct", Class: "o-correct", Href: "../runs/4.html#s17"}, Gold: "8"},
		{Key: hostile, A: flipCell{Result: "1/4 correct", Class: "o-other", Extracted: hostile},
			B: flipCell{Result: hostile, Class: "o-wrong", Extracted: hostile}, Gold: hostile},
		{Key: "a b", A: flipCell{Href: "/runs/3?item=a+b%2F%3Cc%3E", Result: "wrong"},
			B: flipCell{Href: "/runs/4?item=a+b%2F%3Cc%3E", Result: "correct", Extracted: "x"}},
	}
	for _, list := range [][]flipView{nil, flips} {
		var want bytes.Buffer
		require.NoError(t, templateFlips.Execute(&want, struct{ Flips []flipView }{list}))
		got := []byte("<tbody>")
		for _, f := range list {
			got = appendFlip(got, f)
		}
		got = append(got, "\n</tbody>"...)
		assert.Equal(t, want.String(), string(got))
	}
}

func TestSampleWriterMatchesTemplate(t *testing.T) {
	hostile := "<script>alert('x' + \"y\")</script> & \x00 nul, \xff\xfe bad bytes, 中文, \ufdd0 \uffff, a+b=c"
	str := func(s string) *string { return &s }
	samples := []SnapshotSample{
		{},
		{ItemID: "42", Index: 3, Outcome: parity.OutcomeCorrect, Extracted: "7", Gold: "7", Scorer: "num", ScorerVersion: "1",
			Usage: parity.Usage{PromptTokens: 10, CompletionTokens: 20, ReasoningTokens: 5}, LatencyMS: 1234, Cost: 0.00012,
			Content: str("the answer is 7"), Reasoning: str("")},
		{ItemID: hostile, Index: 1, Outcome: parity.OutcomeWrong, Extracted: hostile, Gold: hostile, Scorer: hostile, ScorerVersion: hostile,
			Detail: hostile, Judge: &parity.Score{Outcome: parity.OutcomeWrong, Scorer: hostile, ScorerVersion: "2", Detail: hostile},
			FinishReason: hostile, LatencyMS: 90, TTFTMS: 12, Error: hostile, Warnings: []string{hostile, "", "w"},
			Content: str(hostile), Reasoning: str(hostile), Question: hostile, Choices: []string{hostile, "", "b"}},
		{ItemID: "x", Outcome: parity.OutcomeRefused, Redacted: true, Question: "q?", Judge: &parity.Score{Outcome: parity.OutcomeCorrect}},
		{ItemID: "y", Outcome: "strange", Extracted: "", Choices: make([]string, 28), Question: "many", Warnings: []string{}},
	}
	for i, s := range samples {
		v := newSampleView(i+1, s)
		var want bytes.Buffer
		require.NoError(t, templateSample.ExecuteTemplate(&want, "sample", v))
		assert.Equal(t, want.String(), string(appendSample(nil, v)), "sample %d", i)
		var got bytes.Buffer
		require.NoError(t, viewerTemplate.ExecuteTemplate(&got, "sample", v))
		assert.Equal(t, want.String(), got.String(), "sample %d through the viewer template", i)
	}
}
