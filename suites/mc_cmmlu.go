package suites

import (
	"embed"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites/answer"
)

//go:embed data/cmmlu
var cmmluFS embed.FS

var cmmluData = dataFolder(cmmluFS, "data/cmmlu")

// cmmluSpec is CMMLU asked zero-shot; CMMLU5Shot adds the dev examples.
var cmmluSpec = Spec{
	Name:          "cmmlu",
	Version:       "1",
	Language:      "zh",
	License:       "CC BY-NC-SA 4.0",
	NonCommercial: true,
	Description:   "CMMLU test split (67 subjects, 4 options, Chinese), zero-shot chain of thought, letter in \\boxed{}. Non-commercial licence.",
	Kind:          answer.Choice,
	Template:      mcTemplateZH,
	Data:          cmmluData,
	Files:         mcGlob(cmmluData, "test/*.csv"),
	Load:          func() ([]parity.Item, error) { return loadCMMLU("test/*.csv") },
	Count:         11582,
	FirstID:       "agronomy/0",

	// CC BY-NC-SA 4.0 allows sharing under the same terms and
	// non-commercially, as a published report is.
	PublishQuestions: true,
}

// CMMLU is the 11,582-question CMMLU test split over 67 subjects, asked in
// Chinese with zero-shot chain of thought and a boxed letter. Its licence
// forbids commercial use.
var CMMLU = MustNew(cmmluSpec)

// CMMLU5Shot is CMMLU with the five dev examples of the question's subject
// as earlier chat turns.
var CMMLU5Shot = fiveShot(cmmluSpec, "cmmlu-5shot",
	"CMMLU test split (67 subjects, Chinese) with the 5 dev examples of the same subject as chat turns. Non-commercial licence.",
	"dev/*.csv", shotReplyZH, func() ([]parity.Item, error) { return loadCMMLU("dev/*.csv") })

func init() {
	MustRegister(CMMLU)
	MustRegister(CMMLU5Shot)
}

// loadCMMLU reads CMMLU's per-subject CSVs: an unnamed row-index column,
// then Question, A-D and Answer.
func loadCMMLU(pattern string) ([]parity.Item, error) {
	return mcLetterCSVs(cmmluData, pattern, "", "", "Question", "Answer")
}
