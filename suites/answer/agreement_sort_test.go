package answer

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Classes of equal size and name, one reviewed and one not, come out in
// one order whatever order they went in, so docs/agreement.md is the same
// on every regeneration.
func TestSortClassesBreaksTies(t *testing.T) {
	reviewed := ClassCount{Class: "wrong × x", Count: 1, Reason: "source wrong", Example: Verdict{ID: "b"}}
	open := ClassCount{Class: "wrong × x", Count: 1, Example: Verdict{ID: "a"}}
	big := ClassCount{Class: "wrong × y", Count: 3, Example: Verdict{ID: "c"}}
	want := []ClassCount{big, open, reviewed}
	for _, in := range [][]ClassCount{{reviewed, open, big}, {open, big, reviewed}, {big, reviewed, open}} {
		SortClasses(in)
		assert.Equal(t, want, in)
	}
}
