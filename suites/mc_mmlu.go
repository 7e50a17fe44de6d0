package suites

import (
	"embed"
	"fmt"
	"strconv"
	"strings"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites/answer"
)

//go:embed data/mmlu
var mmluFS embed.FS

var mmluData = dataFolder(mmluFS, "data/mmlu")

// mmluSpec is MMLU asked zero-shot; MMLU5Shot adds the dev examples.
var mmluSpec = Spec{
	Name:        "mmlu",
	Version:     "1",
	Language:    "en",
	License:     "MIT",
	Description: "MMLU test split (Hendrycks et al., 57 subjects, 4 options), zero-shot chain of thought, letter in \\boxed{}.",
	Kind:        answer.Choice,
	Template:    mcTemplateEN,
	Data:        mmluData,
	Files:       mcGlob(mmluData, "test/*.csv"),
	Load:        func() ([]parity.Item, error) { return loadMMLU("test/*.csv", "_test") },
	Count:       14042,
	FirstID:     "abstract_algebra/0",

	// MIT allows redistribution, so reports may quote the questions.
	PublishQuestions: true,
}

// MMLU is the 14,042-question MMLU test split over 57 subjects, zero-shot
// chain of thought with a boxed letter. Select one subject with
// mmlu:<subject> (mmlu:high_school_mathematics).
var MMLU = MustNew(mmluSpec)

// MMLU5Shot is MMLU with the five dev examples of the question's subject as
// earlier chat turns, the few-shot setting of the original paper.
var MMLU5Shot = fiveShot(mmluSpec, "mmlu-5shot",
	"MMLU test split (57 subjects, 4 options) with the 5 dev examples of the same subject as chat turns, letter in \\boxed{}.",
	"dev/*.csv", shotReplyEN, func() ([]parity.Item, error) { return loadMMLU("dev/*.csv", "_dev") })

func init() {
	MustRegister(MMLU)
	MustRegister(MMLU5Shot)
}

// loadMMLU reads the HF cais/mmlu layout: a header row, four choice columns
// and a 0-based answer index. The subject comes from the file name.
func loadMMLU(pattern, suffix string) ([]parity.Item, error) {
	var items []parity.Item
	for _, name := range mcGlob(mmluData, pattern) {
		subject := mcSubject(name, suffix)
		recs, err := mcReadCSV(mmluData, name)
		if err != nil {
			return nil, err
		}
		for i, r := range recs {
			idx, err := strconv.Atoi(r.fields["answer"])
			if err != nil || idx < 0 || idx > 3 {
				return nil, fmt.Errorf("%s line %d: answer %q is not an index 0-3", name, r.line, r.fields["answer"])
			}
			items = append(items, parity.Item{
				ID:       subject + "/" + strconv.Itoa(i),
				Subject:  subject,
				Question: r.fields["question"],
				Choices:  []string{r.fields["choice0"], r.fields["choice1"], r.fields["choice2"], r.fields["choice3"]},
				Answer:   Letter(idx),
				Meta:     map[string]string{"topic": strings.ReplaceAll(subject, "_", " ")},
			})
		}
	}
	return items, nil
}
