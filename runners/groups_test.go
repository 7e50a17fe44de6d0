package runners

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
)

// groupedSuite is fakeSuite whose items are two rotations each of items
// that also have translations, as circular MGSM-like data would.
type groupedSuite struct{ fakeSuite }

func (s *groupedSuite) Items(ctx context.Context) ([]parity.Item, error) {
	items, err := s.fakeSuite.Items(ctx)
	for i := range items {
		items[i].RotationOf = "orig" + strconv.Itoa(i/2)
		items[i].Pair = "p" + strconv.Itoa(i/2)
	}
	return items, err
}

// Samples carry their item's rotation group and pair key, so reports can
// group them without the suite.
func TestSamplesCarryTheItemsGroups(t *testing.T) {
	store := newStore()
	res, err := newRunner(correctClient(), store).Run(context.Background(),
		[]Job{{Model: model("p"), Suite: &groupedSuite{fakeSuite{name: "s", n: 6}}}})
	require.NoError(t, err)
	store.mu.Lock()
	defer store.mu.Unlock()
	samples := store.samples[res[0].Run.ID]
	require.Len(t, samples, 6)
	for k, s := range samples {
		i, _ := strconv.Atoi(k.ItemID)
		assert.Equal(t, "orig"+strconv.Itoa(i/2), s.RotationOf, k.ItemID)
		assert.Equal(t, "p"+strconv.Itoa(i/2), s.Pair, k.ItemID)
	}
}
