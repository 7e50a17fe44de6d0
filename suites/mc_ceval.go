package suites

import (
	"embed"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites/answer"
)

//go:embed data/ceval
var cevalFS embed.FS

var cevalData = dataFolder(cevalFS, "data/ceval")

// cevalSpec is C-Eval asked zero-shot; CEval5Shot adds the dev examples.
var cevalSpec = Spec{
	Name:          "ceval",
	Version:       "1",
	Language:      "zh",
	License:       "CC BY-NC-SA 4.0",
	NonCommercial: true,
	Description:   "C-Eval val split (52 subjects, 4 options, Chinese), zero-shot chain of thought, letter in \\boxed{}. Non-commercial licence.",
	Kind:          answer.Choice,
	Template:      mcTemplateZH,
	Data:          cevalData,
	Files:         mcGlob(cevalData, "val/*.csv"),
	Load:          func() ([]parity.Item, error) { return loadCEval("val/*.csv", "_val") },
	Count:         1346,
	FirstID:       "accountant/0",

	// CC BY-NC-SA 4.0 allows sharing under the same terms and
	// non-commercially, as a published report is.
	PublishQuestions: true,
}

// CEval is the C-Eval validation split (1,346 questions over 52 subjects;
// the test split's answers are not public), asked in Chinese with zero-shot
// chain of thought and a boxed letter. Its licence forbids commercial use.
var CEval = MustNew(cevalSpec)

// CEval5Shot is CEval with the five dev examples of the question's subject,
// each answered with the dev split's own explanation, as earlier chat turns.
var CEval5Shot = fiveShot(cevalSpec, "ceval-5shot",
	"C-Eval val split (52 subjects, Chinese) with the 5 dev examples and explanations of the same subject as chat turns. Non-commercial licence.",
	"dev/*.csv", shotReplyZH, func() ([]parity.Item, error) { return loadCEval("dev/*.csv", "_dev") })

func init() {
	MustRegister(CEval)
	MustRegister(CEval5Shot)
}

// loadCEval reads C-Eval's per-subject CSVs (id,question,A,B,C,D,answer and,
// in dev, explanation).
func loadCEval(pattern, suffix string) ([]parity.Item, error) {
	return mcLetterCSVs(cevalData, pattern, suffix, "id", "question", "answer")
}
