package suites

import (
	"embed"
	"fmt"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites/answer"
)

//go:embed data/ceval
var cevalFS embed.FS

var cevalData = dataFolder(cevalFS, "data/ceval")

// CEval is the C-Eval validation split (1,346 questions over 52 subjects;
// the test split's answers are not public), asked in Chinese with zero-shot
// chain of thought and a boxed letter. Its licence forbids commercial use.
var CEval = MustNew(cevalSpec("ceval", "val/*.csv"))

// CEval5Shot is CEval with the five dev examples of the question's subject,
// each answered with the dev split's own explanation, as earlier chat turns.
var CEval5Shot = NewFewShot(MustNew(cevalSpec("ceval-5shot", "val/*.csv", "dev/*.csv")), 5, shotReplyZH,
	func() ([]parity.Item, error) { return loadCEval("dev/*.csv", "_dev") })

func init() {
	MustRegister(CEval)
	MustRegister(CEval5Shot)
}

func cevalSpec(name string, patterns ...string) Spec {
	desc := "C-Eval val split (52 subjects, 4 options, Chinese), zero-shot chain of thought, letter in \\boxed{}. Non-commercial licence."
	if name != "ceval" {
		desc = "C-Eval val split (52 subjects, Chinese) with the 5 dev examples and explanations of the same subject as chat turns. Non-commercial licence."
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
		Data:          cevalData,
		Files:         mcGlob(cevalData, patterns...),
		Load:          func() ([]parity.Item, error) { return loadCEval("val/*.csv", "_val") },
		Count:         1346,
		FirstID:       "accountant/0",

		// CC BY-NC-SA 4.0 allows sharing under the same terms and
		// non-commercially, as a published report is.
		PublishQuestions: true,
	}
}

// loadCEval reads C-Eval's per-subject CSVs (id,question,A,B,C,D,answer and,
// in dev, explanation).
func loadCEval(pattern, suffix string) ([]parity.Item, error) {
	var items []parity.Item
	for _, name := range mcGlob(cevalData, pattern) {
		subject := mcSubject(name, suffix)
		recs, err := mcReadCSV(cevalData, name)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			it, err := mcLetterItem(r, subject, "id", "question", "answer")
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			if e := r.fields["explanation"]; e != "" {
				it.Meta = map[string]string{"explanation": e}
			}
			items = append(items, it)
		}
	}
	return items, nil
}

// mcLetterItem builds an item from a CSV row whose options sit in columns
// A-D and whose answer is a letter, the layout C-Eval and CMMLU share.
func mcLetterItem(r mcRecord, subject, idCol, questionCol, answerCol string) (parity.Item, error) {
	choices := []string{r.fields["A"], r.fields["B"], r.fields["C"], r.fields["D"]}
	gold := r.fields[answerCol]
	if mcLetterIndex(gold, len(choices)) < 0 {
		return parity.Item{}, fmt.Errorf("line %d: answer %q is not a letter A-D", r.line, gold)
	}
	id := r.fields[idCol]
	if id == "" {
		return parity.Item{}, fmt.Errorf("line %d: empty %s", r.line, idCol)
	}
	return parity.Item{
		ID:       subject + "/" + id,
		Subject:  subject,
		Question: r.fields[questionCol],
		Choices:  choices,
		Answer:   gold,
	}, nil
}
