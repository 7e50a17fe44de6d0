package suites

import (
	"embed"
	"fmt"
	"regexp"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites/answer"
)

//go:embed data/arc
var arcFS embed.FS

var arcData = dataFolder(arcFS, "data/arc")

// ARC is the 1,172-question ARC-Challenge test split (grade-school science,
// 3 to 5 options), zero-shot chain of thought with a boxed letter.
//
// The 22 grade-8 New York Regents items (NYSEDREGENTS_<year>_8_*) are
// labelled 1-4 in AI2's release, as on the paper exams; the data copy already
// relabels them A-D (as lm-evaluation-harness does). The loader maps any
// numeric labels it meets the same way, so prompts always show letters, and
// marks those items with Meta["upstream_labels"] = "numeric" for anyone
// comparing against the original files.
var ARC = MustNew(Spec{
	Name:        "arc",
	Version:     "1",
	Language:    "en",
	License:     "CC BY-SA 4.0",
	Description: "ARC-Challenge test split (AI2, 1,172 science questions, 3-5 options), zero-shot chain of thought, letter in \\boxed{}.",
	Kind:        answer.Choice,
	Template:    mcTemplateEN,
	Data:        arcData,
	Files:       []string{"ARC-Challenge-test.jsonl"},
	Load:        loadARC,
	Count:       1172,
	FirstID:     "Mercury_7175875",

	// CC BY-SA 4.0 allows redistribution under the same terms.
	PublishQuestions: true,
})

func init() { MustRegister(ARC) }

// arcNumericUpstream matches the items whose options are numbered upstream.
var arcNumericUpstream = regexp.MustCompile(`^NYSEDREGENTS_\d+_8_`)

func loadARC() ([]parity.Item, error) {
	type row struct {
		ID       string `json:"id"`
		Question string `json:"question"`
		Choices  struct {
			Text  []string `json:"text"`
			Label []string `json:"label"`
		} `json:"choices"`
		AnswerKey string `json:"answerKey"`
	}
	rows, err := readJSONL[row](arcData, "ARC-Challenge-test.jsonl")
	if err != nil {
		return nil, err
	}
	items := make([]parity.Item, len(rows))
	for i, r := range rows {
		if len(r.Choices.Text) != len(r.Choices.Label) || len(r.Choices.Text) < 2 {
			return nil, fmt.Errorf("item %s: %d choices with %d labels", r.ID, len(r.Choices.Text), len(r.Choices.Label))
		}
		gold := -1
		for j, l := range r.Choices.Label {
			if l == r.AnswerKey {
				gold = j
			}
		}
		if gold < 0 {
			return nil, fmt.Errorf("item %s: answer key %q is not among labels %v", r.ID, r.AnswerKey, r.Choices.Label)
		}
		it := parity.Item{ID: r.ID, Question: r.Question, Choices: r.Choices.Text, Answer: Letter(gold)}
		if arcNumericUpstream.MatchString(r.ID) || r.Choices.Label[0] == "1" {
			it.Meta = map[string]string{"upstream_labels": "numeric"}
		}
		items[i] = it
	}
	return items, nil
}
