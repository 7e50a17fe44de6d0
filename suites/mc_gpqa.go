package suites

import (
	"crypto/sha256"
	"embed"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites/answer"
)

//go:embed data/gpqa
var gpqaFS embed.FS

var gpqaData = dataFolder(gpqaFS, "data/gpqa")

// The GPQA authors ship the questions only inside a password-protected zip
// and ask that they never appear in plain text online. The archive is
// embedded as distributed and decrypted in memory at load time. The password
// is published in the upstream README; it keeps crawlers out, not people.
const (
	gpqaPassword = "deserted-untie-orchid"
	gpqaMember   = "dataset/gpqa_diamond.csv"
)

// GPQA is GPQA Diamond: 198 graduate-level physics, chemistry and biology
// questions written to be "Google-proof", with the options shuffled per
// item by the default run seed (1); select a domain with gpqa:Physics,
// gpqa:Chemistry or gpqa:Biology. Runs with another --seed get their own
// shuffle through WithSeed.
var GPQA = newGPQA(1)

// gpqaZip is the embedded encrypted archive.
var gpqaZip = mustReadEmbedded(gpqaData, "gpqa_diamond.zip")

// gpqaSuite is GPQA with one shuffle. The data list the correct answer
// first, so options must be shuffled; the seed changes every prompt, which
// is why it is part of the suite's Version.
type gpqaSuite struct {
	*Builtin
	seed int64
}

func newGPQA(seed int64) *gpqaSuite {
	return &gpqaSuite{seed: seed, Builtin: MustNew(Spec{
		Name:        "gpqa",
		Version:     "1+shuffle." + strconv.FormatInt(seed, 10),
		Language:    "en",
		License:     "CC BY 4.0",
		Description: "GPQA Diamond (198 expert-written science questions, 4 options shuffled per item and run seed), zero-shot chain of thought, letter in \\boxed{}. Data stay encrypted in the binary.",
		Sealed:      true,
		Kind:        answer.Choice,
		Template:    mcTemplateEN,
		Data:        gpqaData,
		Files:       []string{"gpqa_diamond.zip"},
		Load:        func() ([]parity.Item, error) { return loadGPQA(seed) },
		Count:       198,
		FirstID:     "rec06pnAkLOr2t2mp",

		// CC BY 4.0, but its authors ask that the questions never appear
		// online in plain text: sealed, so never published.
		PublishQuestions: false,
	})}
}

// WithSeed returns GPQA with its options shuffled by seed.
func (g *gpqaSuite) WithSeed(seed int64) parity.Suite {
	if seed == g.seed {
		return g
	}
	return newGPQA(seed)
}

func init() { MustRegister(GPQA) }

func loadGPQA(seed int64) ([]parity.Item, error) {
	csv, err := readZipCryptoMember(gpqaZip, gpqaMember, []byte(gpqaPassword))
	if err != nil {
		return nil, fmt.Errorf("decrypt gpqa_diamond.zip: %w", err)
	}
	recs, err := mcParseCSV(csv, gpqaMember)
	if err != nil {
		return nil, err
	}
	items := make([]parity.Item, len(recs))
	for i, r := range recs {
		f := r.fields
		id := strings.TrimSpace(f["Record ID"])
		options := []string{f["Correct Answer"], f["Incorrect Answer 1"], f["Incorrect Answer 2"], f["Incorrect Answer 3"]}
		for j, o := range options {
			options[j] = strings.TrimSpace(o)
			if options[j] == "" {
				return nil, fmt.Errorf("%s line %d: empty option %d", gpqaMember, r.line, j)
			}
		}
		if id == "" || strings.TrimSpace(f["Question"]) == "" {
			return nil, fmt.Errorf("%s line %d: missing record id or question", gpqaMember, r.line)
		}
		perm := gpqaPermutation(seed, id, len(options))
		choices := make([]string, len(options))
		gold := -1
		for pos, orig := range perm {
			choices[pos] = options[orig]
			if orig == 0 {
				gold = pos
			}
		}
		items[i] = parity.Item{
			ID:       id,
			Subject:  strings.TrimSpace(f["High-level domain"]),
			Question: strings.TrimSpace(f["Question"]),
			Choices:  choices,
			Answer:   Letter(gold),
			Meta:     map[string]string{"subdomain": strings.TrimSpace(f["Subdomain"])},
		}
	}
	return items, nil
}

// gpqaPermutation returns perm with perm[position] = original option index.
// It is a Fisher-Yates shuffle driven by sha256 of (seed, id, step) rather
// than math/rand, whose output for a given seed is not promised to stay the
// same across Go releases; a benchmark's option order must never drift.
func gpqaPermutation(seed int64, id string, n int) []int {
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	for i := n - 1; i > 0; i-- {
		sum := sha256.Sum256(fmt.Appendf(nil, "%d\x00%s\x00%d", seed, id, i))
		j := int(binary.BigEndian.Uint64(sum[:8]) % uint64(i+1))
		perm[i], perm[j] = perm[j], perm[i]
	}
	return perm
}
