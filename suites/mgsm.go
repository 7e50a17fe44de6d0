package suites

import (
	"embed"
	"fmt"
	"strconv"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites/answer"
)

//go:embed data/mgsm
var mgsmFS embed.FS

var mgsmData = dataFolder(mgsmFS, "data/mgsm")

// mgsmLanguages are the MGSM languages in file-name order, which is also the
// order of the items.
var mgsmLanguages = []string{"bn", "de", "en", "es", "fr", "ja", "ru", "sw", "te", "th", "zh"}

// mgsmPrompt asks in the item's own language where we can write the
// instruction reliably; Bengali, Swahili, Telugu and Thai questions get the
// English instruction rather than a possibly wrong translation. All
// instructions live in the template so PromptHash covers them.
const mgsmPrompt = `{{.Question}}

{{if eq .Subject "zh"}}请逐步推理，并把最终答案写在 \boxed{} 中。
{{- else if eq .Subject "ja"}}段階的に推論し、最終的な答えを \boxed{} の中に書いてください。
{{- else if eq .Subject "de"}}Denke bitte Schritt für Schritt nach und schreibe deine endgültige Antwort in \boxed{}.
{{- else if eq .Subject "es"}}Por favor, razona paso a paso y escribe tu respuesta final dentro de \boxed{}.
{{- else if eq .Subject "fr"}}Raisonne étape par étape et écris ta réponse finale dans \boxed{}.
{{- else if eq .Subject "ru"}}Рассуждай шаг за шагом и запиши окончательный ответ в \boxed{}.
{{- else}}Please reason step by step, and put your final answer within \boxed{}.
{{- end}}`

// MGSM is the 250 GSM8K problems translated into 10 languages plus the
// English originals. Item IDs are "<lang>-<n>" with n the 1-based line, and
// Pair = n, so the same problem in two languages can be compared (mgsm:en
// item en-17 and mgsm:zh item zh-17 share pair "17").
var MGSM = MustNew(Spec{
	Name:     "mgsm",
	Version:  "2",
	Language: "mul",
	License:  "CC BY 4.0",
	Description: "MGSM (250 GSM8K problems x 11 languages: bn de en es fr ja ru sw te th zh; " +
		"subjects are language codes, items aligned across languages by problem number). " +
		"Zero-shot chain of thought with instructions in en, zh, ja, de, es, fr, ru; " +
		"bn, sw, te, th use the English instruction. Numeric answer in \\boxed{}.",
	Kind:     answer.Number,
	Options:  answer.Options{LastNumber: true},
	Template: mgsmPrompt,
	Data:     mgsmData,
	Files:    mgsmFiles(),
	Load:     loadMGSM,
	Count:    2750,
	FirstID:  "bn-1",
	Subjects: mgsmLanguages,
	Grade:    gradeMGSM,

	// CC BY 4.0 allows redistribution with the attribution that the
	// published provenance gives.
	PublishQuestions: true,
})

// mgsmDotThousands are the languages whose answers write thousands with a
// dot ("70.000" is seventy thousand in German, Spanish and French, which
// write decimals with a comma). MGSM answers are all integers, so nothing
// there is lost by this reading.
var mgsmDotThousands = map[string]bool{"de": true, "es": true, "fr": true}

// gradeMGSM grades a number with the item language's thousands convention.
func gradeMGSM(it parity.Item, response string) answer.Result {
	lang := it.Subject
	if lang == "" {
		lang = it.Meta["lang"]
	}
	opt := answer.Options{LastNumber: true, DotThousands: mgsmDotThousands[lang]}
	return answer.Grade(answer.Number, response, it.Answer, opt)
}

func init() { MustRegister(MGSM) }

func mgsmFiles() []string {
	files := make([]string, len(mgsmLanguages))
	for i, lang := range mgsmLanguages {
		files[i] = "mgsm_" + lang + ".tsv"
	}
	return files
}

func loadMGSM() ([]parity.Item, error) {
	var items []parity.Item
	var golds []string // English-order gold answers, to prove the alignment
	for _, lang := range mgsmLanguages {
		rows, err := readTSV(mgsmData, "mgsm_"+lang+".tsv", 2)
		if err != nil {
			return nil, err
		}
		if golds == nil {
			golds = make([]string, len(rows))
			for i, r := range rows {
				golds[i] = stripThousands(r[1])
			}
		}
		if len(rows) != len(golds) {
			return nil, fmt.Errorf("mgsm_%s.tsv: %d items, other languages have %d", lang, len(rows), len(golds))
		}
		for i, r := range rows {
			gold := stripThousands(r[1])
			// Pairing by line is only meaningful if line i is the same
			// problem everywhere; equal answers are the check we can make.
			if gold != golds[i] {
				return nil, fmt.Errorf("mgsm_%s.tsv line %d: answer %s differs from other languages (%s)", lang, i+1, gold, golds[i])
			}
			n := strconv.Itoa(i + 1)
			items = append(items, parity.Item{
				ID:       lang + "-" + n,
				Subject:  lang,
				Question: r[0],
				Answer:   gold,
				Pair:     n,
				Meta:     map[string]string{"lang": lang},
			})
		}
	}
	return items, nil
}
