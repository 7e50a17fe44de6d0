package runners

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
)

// stopSuite is a fakeSuite with few-shot prompts: it asks for stop
// sequences the way suites.FewShot does.
type stopSuite struct {
	*fakeSuite
	stops []string
}

func (s stopSuite) StopSequences() []string { return s.stops }

// TestStopSequencesSentAndRecorded checks that a suite's stop sequences go
// out with every request and are recorded with the run, and that a run's
// own stop sequences win over the suite's.
func TestStopSequencesSentAndRecorded(t *testing.T) {
	for _, tt := range []struct {
		name string
		own  []string
		want []string
	}{
		{"suite's stops", nil, []string{"\n\nQuestion:", "\nQ:"}},
		{"run's own stops win", []string{"###"}, []string{"###"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var sent [][]string
			client := newClient(func(ctx context.Context, req parity.Request) (parity.Completion, error) {
				mu.Lock()
				sent = append(sent, req.Stop)
				mu.Unlock()
				return parity.Completion{Content: req.Ref.ItemID, FinishReason: parity.FinishStop}, nil
			})
			store := newStore()
			suite := stopSuite{fakeSuite: &fakeSuite{name: "toy", n: 4}, stops: []string{"\n\nQuestion:", "\nQ:"}}
			res, err := newRunner(client, store).Run(context.Background(),
				[]Job{{Model: model("mock"), Suite: suite, Params: parity.Params{Stop: tt.own}}})
			require.NoError(t, err)
			require.Len(t, sent, 4)
			for _, s := range sent {
				assert.Equal(t, tt.want, s)
			}
			assert.Equal(t, tt.want, store.run(res[0].Run.ID).Params.Stop, "the run records the stop sequences it sent")
		})
	}
}
