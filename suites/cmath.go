package suites

import (
	"embed"
	"fmt"
	"strconv"
	"strings"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites/answer"
)

//go:embed data/cmath
var cmathFS embed.FS

var cmathData = dataFolder(cmathFS, "data/cmath")

// CMATH is the 600-item CMATH set of Chinese primary-school word problems
// (grades 1 to 6, 100 each). Gold answers include fractions ("2/6") and
// percentages ("12%"), so it is graded as math rather than as plain numbers.
var CMATH = MustNew(Spec{
	Name:     "cmath",
	Version:  "1",
	Language: "zh",
	License:  "CC BY 4.0",
	Description: "CMATH (Xiaomi, 600 Chinese primary-school math word problems, grades 1-6 as " +
		"subjects grade1..grade6), Chinese zero-shot chain of thought, answer in \\boxed{}.",
	Kind:     answer.Math,
	Template: mathPromptZH,
	Data:     cmathData,
	Files:    []string{"cmath_dev.jsonl"},
	Load:     loadCMATH,
	Count:    600,
	FirstID:  "1",

	// CC BY 4.0 allows redistribution with the attribution that the
	// published provenance gives.
	PublishQuestions: true,
})

func init() { MustRegister(CMATH) }

func loadCMATH() ([]parity.Item, error) {
	type row struct {
		Grade         int    `json:"grade"`
		Input         string `json:"input"`
		Golden        string `json:"golden"`
		ReasoningStep int    `json:"reasoning_step"`
		NumDigits     int    `json:"num_digits"`
	}
	rows, err := readJSONL[row](cmathData, "cmath_dev.jsonl")
	if err != nil {
		return nil, err
	}
	items := make([]parity.Item, len(rows))
	for i, r := range rows {
		gold := strings.TrimSpace(r.Golden)
		if gold == "" || r.Grade < 1 || r.Grade > 6 {
			return nil, fmt.Errorf("item %d: missing answer or grade outside 1-6", i+1)
		}
		items[i] = parity.Item{
			ID:       strconv.Itoa(i + 1),
			Subject:  "grade" + strconv.Itoa(r.Grade),
			Question: r.Input,
			Answer:   gold,
			Meta: map[string]string{
				"grade":          strconv.Itoa(r.Grade),
				"reasoning_step": strconv.Itoa(r.ReasoningStep),
				"num_digits":     strconv.Itoa(r.NumDigits),
			},
		}
	}
	return items, nil
}
