package scratch

import (
	"bufio"
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRecordsReadBackAsWritten(t *testing.T) {
	recs := []struct {
		fields []string
		nums   []uint64
	}{
		{[]string{"item-1", "", "correct"}, []uint64{0, 1 << 40}},
		{[]string{"中文 <b>\x00\xff", "p", ""}, []uint64{7, 0}},
	}
	var b []byte
	for _, r := range recs {
		b = AppendRecord(b, r.fields, r.nums...)
	}
	in := bufio.NewReader(bytes.NewReader(b))
	for _, r := range recs {
		fields, nums := make([]string, 3), make([]uint64, 2)
		ok, err := ReadRecord(in, fields, nums)
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, r.fields, fields)
		assert.Equal(t, r.nums, nums)
	}
	ok, err := ReadRecord(in, make([]string, 3), make([]uint64, 2))
	assert.NoError(t, err)
	assert.False(t, ok, "the end of the input")

	// A record cut short is an error, not the end.
	cut := bufio.NewReader(bytes.NewReader(b[:len(b)-1]))
	_, _ = ReadRecord(cut, make([]string, 3), make([]uint64, 2))
	_, err = ReadRecord(cut, make([]string, 3), make([]uint64, 2))
	assert.Error(t, err)
}
