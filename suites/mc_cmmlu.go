package suites

import (
	"embed"
	"fmt"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites/answer"
)

//go:embed data/cmmlu
var cmmluFS embed.FS

var cmmluData = dataFolder(cmmluFS, "data/cmmlu")

// CMMLU is the 11,582-question CMMLU test split over 67 subjects, asked in
// Chinese with zero-shot chain of thought and a boxed letter. Its licence
// forbids commercial use.
var CMMLU = MustNew(cmmluSpec("cmmlu", "test/*.csv"))

// CMMLU5Shot is CMMLU with the five dev examples of the question's subject
// as earlier chat turns.
var CMMLU5Shot = NewFewShot(MustNew(cmmluSpec("cmmlu-5shot", "test/*.csv", "dev/*.csv")), 5, shotReplyZH,
	func() ([]parity.Item, error) { return loadCMMLU("dev/*.csv") })

func init() {
	MustRegister(CMMLU)
	MustRegister(CMMLU5Shot)
}

func cmmluSpec(name string, patterns ...string) Spec {
	desc := "CMMLU test split (67 subjects, 4 options, Chinese), zero-shot chain of thought, letter in \\boxed{}. Non-commercial licence."
	if name != "cmmlu" {
		desc = "CMMLU test split (67 subjects, Chinese) with the 5 dev examples of the same subject as chat turns. Non-commercial licence."
	}
	return Spec{
		Name:          name,
		Version:       "1",
		Language:      "zh",
		License:       "CC BY-NC-SA 4.0",
		NonCommercial: true,
		Description:   desc,
		Kind:          answer.Choice,
		Template:      mcTemplateZH,
		Data:          cmmluData,
		Files:         mcGlob(cmmluData, patterns...),
		Load:          func() ([]parity.Item, error) { return loadCMMLU("test/*.csv") },
		Count:         11582,
		FirstID:       "agronomy/0",

		// CC BY-NC-SA 4.0 allows sharing under the same terms and
		// non-commercially, as a published report is.
		PublishQuestions: true,
	}
}

// loadCMMLU reads CMMLU's per-subject CSVs: an unnamed row-index column,
// then Question, A-D and Answer.
func loadCMMLU(pattern string) ([]parity.Item, error) {
	var items []parity.Item
	for _, name := range mcGlob(cmmluData, pattern) {
		subject := mcSubject(name, "")
		recs, err := mcReadCSV(cmmluData, name)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			it, err := mcLetterItem(r, subject, "", "Question", "Answer")
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			items = append(items, it)
		}
	}
	return items, nil
}
