package suites

import (
	"embed"
	"fmt"
	"strconv"
	"strings"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites/answer"
)

//go:embed data/gsm8k
var gsm8kFS embed.FS

var gsm8kData = dataFolder(gsm8kFS, "data/gsm8k")

// GSM8K is the 1,319-problem GSM8K test split of grade-school word problems.
var GSM8K = MustNew(Spec{
	Name:     "gsm8k",
	Version:  "1",
	Language: "en",
	License:  "MIT",
	Description: "GSM8K test split (OpenAI, 1,319 grade-school math word problems), zero-shot " +
		"chain of thought, numeric answer in \\boxed{} or, failing that, the last number.",
	Kind: answer.Number,
	// The last number is a fallback because GSM8K's own convention predates
	// \boxed{}; models that ignore the instruction still get graded.
	Options:  answer.Options{LastNumber: true},
	Template: mathPromptEN,
	Data:     gsm8kData,
	Files:    []string{"test.jsonl"},
	Load:     loadGSM8K,
	Count:    1319,
	FirstID:  "1",

	// MIT allows redistribution, so reports may quote the problems.
	PublishQuestions: true,
})

func init() { MustRegister(GSM8K) }

func loadGSM8K() ([]parity.Item, error) {
	type row struct {
		Question string `json:"question"`
		Answer   string `json:"answer"`
	}
	rows, err := readJSONL[row](gsm8kData, "test.jsonl")
	if err != nil {
		return nil, err
	}
	items := make([]parity.Item, len(rows))
	for i, r := range rows {
		// The worked solution ends with "#### <number>"; only that number is gold.
		_, gold, ok := strings.Cut(r.Answer, "####")
		gold = stripThousands(gold)
		if _, err := strconv.ParseFloat(gold, 64); !ok || err != nil {
			return nil, fmt.Errorf("item %d: no numeric answer after ####", i+1)
		}
		items[i] = parity.Item{ID: strconv.Itoa(i + 1), Question: r.Question, Answer: gold}
	}
	return items, nil
}
