package suites

import (
	"embed"
	"fmt"
	"strconv"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites/answer"
)

//go:embed data/math500
var math500FS embed.FS

var math500Data = dataFolder(math500FS, "data/math500")

// MATH500 is the 500-problem MATH test subset from "Let's Verify Step by
// Step", graded by LaTeX equivalence.
var MATH500 = MustNew(Spec{
	Name:     "math500",
	Version:  "1",
	Language: "en",
	License:  "MIT",
	Description: "MATH-500 (OpenAI PRM800K subset of the MATH test set, 500 competition problems, " +
		"7 subjects, levels 1-5), zero-shot chain of thought, LaTeX answer in \\boxed{}.",
	Kind:     answer.Math,
	Template: mathPromptEN,
	Data:     math500Data,
	Files:    []string{"test.jsonl"},
	Load:     loadMATH500,
	Count:    500,
	FirstID:  "test/precalculus/807.json",

	// MIT allows redistribution, so reports may quote the problems.
	PublishQuestions: true,
})

func init() { MustRegister(MATH500) }

func loadMATH500() ([]parity.Item, error) {
	type row struct {
		Problem  string `json:"problem"`
		Answer   string `json:"answer"`
		Subject  string `json:"subject"`
		Level    int    `json:"level"`
		UniqueID string `json:"unique_id"`
	}
	rows, err := readJSONL[row](math500Data, "test.jsonl")
	if err != nil {
		return nil, err
	}
	items := make([]parity.Item, len(rows))
	for i, r := range rows {
		if r.UniqueID == "" || r.Answer == "" {
			return nil, fmt.Errorf("item %d: missing unique_id or answer", i+1)
		}
		items[i] = parity.Item{
			// unique_id ("test/precalculus/807.json") names the problem in
			// the full MATH test set, so results line up with other harnesses.
			ID:       r.UniqueID,
			Subject:  r.Subject,
			Question: r.Problem,
			Answer:   r.Answer,
			Meta:     map[string]string{"level": strconv.Itoa(r.Level), "unique_id": r.UniqueID},
		}
	}
	return items, nil
}
