package suites

import (
	"embed"
	"fmt"
	"strconv"
	"strings"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites/answer"
)

//go:embed data/aime
var aimeFS embed.FS

var aimeData = dataFolder(aimeFS, "data/aime")

// aimePrompt states the answer range because every AIME answer is an
// integer from 0 to 999, which the contest itself tells its candidates.
const aimePrompt = `{{.Question}}

Please reason step by step, and put your final answer within \boxed{}. The answer is an integer between 0 and 999 inclusive.`

// AIME24 holds the 30 problems of AIME 2024 I and II.
var AIME24 = MustNew(aimeSpec("aime24", "2024", "aime_2024.jsonl"))

// AIME25 holds the 30 problems of AIME 2025 I and II.
var AIME25 = MustNew(aimeSpec("aime25", "2025", "aime_2025.jsonl"))

func init() {
	MustRegister(AIME24)
	MustRegister(AIME25)
}

func aimeSpec(name, year, file string) Spec {
	return Spec{
		Name:     name,
		Version:  "1",
		Language: "en",
		License:  "MIT (MathArena); problems (c) MAA",
		Description: "AIME " + year + " I and II (30 problems, integer answers 0-999) from MathArena, " +
			"zero-shot chain of thought, answer in \\boxed{}.",
		Kind:     answer.Number,
		Template: aimePrompt,
		Data:     aimeData,
		Files:    []string{file},
		Load:     func() ([]parity.Item, error) { return loadAIME(file) },
		Count:    30,
		FirstID:  year + "-I-1",
		// Exam I and II are the natural subsets ("aime25:II").
		Subjects: []string{"I", "II"},

		// The MIT licence covers MathArena's files, not the problems,
		// which stay the MAA's copyright: reports do not quote them.
		PublishQuestions: false,
	}
}

func loadAIME(file string) ([]parity.Item, error) {
	type row struct {
		ID         string `json:"id"`
		Contest    string `json:"contest"`
		ProblemIdx int    `json:"problem_idx"`
		Problem    string `json:"problem"`
		Answer     *int   `json:"answer"`
	}
	rows, err := readJSONL[row](aimeData, file)
	if err != nil {
		return nil, err
	}
	items := make([]parity.Item, len(rows))
	for i, r := range rows {
		if r.Answer == nil || *r.Answer < 0 || *r.Answer > 999 {
			return nil, fmt.Errorf("%s item %s: answer missing or outside 0-999", file, r.ID)
		}
		parts := strings.Split(r.ID, "-") // "2024-I-1"
		if len(parts) != 3 || (parts[1] != "I" && parts[1] != "II") {
			return nil, fmt.Errorf("%s item %q: id is not <year>-<I|II>-<n>", file, r.ID)
		}
		items[i] = parity.Item{
			ID:       r.ID,
			Subject:  parts[1],
			Question: r.Problem,
			Answer:   strconv.Itoa(*r.Answer),
			Meta:     map[string]string{"contest": r.Contest, "problem": strconv.Itoa(r.ProblemIdx)},
		}
	}
	return items, nil
}
