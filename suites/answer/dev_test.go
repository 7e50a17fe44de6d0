package answer

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// devCase is one line of testdata/dev-cases.jsonl: a verdict taken from
// another grader's own test suite.
type devCase struct {
	Source     string `json:"source"`
	Kind       string `json:"kind"`
	Prediction string `json:"prediction"`
	Gold       string `json:"gold"`
	Expected   bool   `json:"expected"`
	Peer       string `json:"peer"`
	PeerConfig string `json:"peer_config"`
	Note       string `json:"note"`
}

// deliberate lists dev cases where parity decides differently from the
// peer on purpose, keyed by source, with the reason.
var deliberate = map[string]string{
	"hendrycks/math@985bdc1696e88e8643f081a0ff4719da39f2ae2a:modeling/math_equivalence_test.py:15":        "peer compares strings; parity grades a bare list of answers as a set, as MARIO_EVAL and Math-Verify do (10, 4, -2 = 4, 10, -2)",
	"UKGovernmentBEIS/inspect_ai@499e6152e7b8fc8cbd8ac5283536572aa6e4ab17:tests/scorer/test_match.py:199": "peer ran with location='exact'; parity reads words after a lone number as a unit, so \"5 some text\" answers 5",
}

func loadDevCases(t testing.TB) []devCase {
	f, err := os.Open("testdata/dev-cases.jsonl")
	require.NoError(t, err)
	defer f.Close()
	var out []devCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		var c devCase
		require.NoError(t, json.Unmarshal(sc.Bytes(), &c))
		out = append(out, c)
	}
	require.NoError(t, sc.Err())
	return out
}

func devKind(k string) (Kind, Options) {
	switch k {
	case "numeric":
		return Number, Options{}
	case "mc":
		return Choice, Options{}
	case "gsm8k":
		return Number, Options{LastNumber: true}
	}
	return Math, Options{}
}

func TestDevCaseAgreement(t *testing.T) {
	cases := loadDevCases(t)
	require.Len(t, cases, 260)
	agree, allowed := 0, 0
	for i, c := range cases {
		kind, opt := devKind(c.Kind)
		r := Grade(kind, c.Prediction, c.Gold, opt)
		if r.Correct == c.Expected {
			agree++
			continue
		}
		if why, ok := deliberate[c.Source]; ok {
			allowed++
			t.Logf("deliberate #%d %s (%s): %s", i, c.Source, c.Peer, why)
			continue
		}
		t.Logf("disagree #%d %s [%s %s] expected=%v got=%v extracted=%q detail=%s\n  pred=%.200q\n  gold=%.200q",
			i, c.Source, c.Peer, c.Kind, c.Expected, r.Correct, r.Extracted, r.Detail, c.Prediction, c.Gold)
	}
	raw := float64(agree) / float64(len(cases))
	rate := float64(agree) / float64(len(cases)-allowed)
	t.Logf("agreement %d/%d = %.2f%% raw; %d/%d = %.2f%% outside the %d deliberate cases",
		agree, len(cases), 100*raw, agree, len(cases)-allowed, 100*rate, allowed)
	require.GreaterOrEqual(t, raw, 0.99, "the issue's bar counts every case, deliberate ones included")
	require.GreaterOrEqual(t, rate, 0.99)
	require.LessOrEqual(t, allowed, 5, "the allow-list must stay a short list of documented policies")
}
