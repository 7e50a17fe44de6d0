package reports

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCompareIDs(t *testing.T) {
	ids := []string{"q105", "q1013", "q18", "q2", "q1018", "a", "q02", "q2@r1", "q2@r0", "zh-9", "en-10", "", "q"}
	slices.SortFunc(ids, CompareIDs)
	assert.Equal(t, []string{"", "a", "en-10", "q", "q02", "q2", "q2@r0", "q2@r1", "q18", "q105", "q1013", "q1018", "zh-9"}, ids)
	for _, p := range [][2]string{{"x1y", "x1y"}, {"7", "007"}} {
		assert.Equal(t, -CompareIDs(p[1], p[0]), CompareIDs(p[0], p[1]), "antisymmetric: %q %q", p[0], p[1])
	}
}
