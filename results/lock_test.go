//go:build unix

package results

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
)

func TestLockIsExclusiveAcrossHandles(t *testing.T) {
	ctx := context.Background()
	a, path := openTemp(t)
	b, err := Open(ctx, path) // another process would have its own handle
	require.NoError(t, err)
	defer b.Close()

	unlock, err := a.Lock(ctx, parity.RunLockName(7), false)
	require.NoError(t, err)
	_, err = b.Lock(ctx, parity.RunLockName(7), false)
	require.Error(t, err)
	assert.Equal(t, parity.ErrBusy, parity.CodeOf(err))

	other, err := b.Lock(ctx, parity.RunLockName(8), false)
	require.NoError(t, err, "other runs are free")
	other()

	unlock()
	again, err := b.Lock(ctx, parity.RunLockName(7), false)
	require.NoError(t, err, "released on unlock")
	again()

	_, err = a.Lock(ctx, "../escape", false)
	assert.Error(t, err, "lock names cannot leave the locks folder")
}

func TestWaitingLockProceedsWhenReleased(t *testing.T) {
	ctx := context.Background()
	a, path := openTemp(t)
	b, err := Open(ctx, path)
	require.NoError(t, err)
	defer b.Close()
	unlock, err := a.Lock(ctx, parity.FingerprintLockName("abc123"), true)
	require.NoError(t, err)
	got := make(chan error, 1)
	go func() {
		u, err := b.Lock(ctx, parity.FingerprintLockName("abc123"), true)
		if err == nil {
			u()
		}
		got <- err
	}()
	select {
	case <-got:
		t.Fatal("a waiting lock was granted while held")
	default:
	}
	unlock()
	require.NoError(t, <-got)
}

func TestHeldProbesWithoutCreating(t *testing.T) {
	ctx := context.Background()
	a, path := openTemp(t)
	held, err := a.Held(ctx, parity.RunLockName(3))
	require.NoError(t, err)
	assert.False(t, held, "no lock file: nobody holds it")
	_, statErr := os.Stat(path + ".locks/" + parity.RunLockName(3))
	assert.True(t, os.IsNotExist(statErr), "probing creates nothing")

	b, err := Open(ctx, path)
	require.NoError(t, err)
	defer b.Close()
	unlock, err := b.Lock(ctx, parity.RunLockName(3), false)
	require.NoError(t, err)
	held, err = a.Held(ctx, parity.RunLockName(3))
	require.NoError(t, err)
	assert.True(t, held)
	unlock()
	held, err = a.Held(ctx, parity.RunLockName(3))
	require.NoError(t, err)
	assert.False(t, held)
	again, err := b.Lock(ctx, parity.RunLockName(3), false)
	require.NoError(t, err, "a probe leaves the lock free")
	again()
}

func TestWaitingLockGivesUpWithItsContext(t *testing.T) {
	a, path := openTemp(t)
	b, err := Open(context.Background(), path)
	require.NoError(t, err)
	defer b.Close()
	unlock, err := a.Lock(context.Background(), parity.FingerprintLockName("abc123"), true)
	require.NoError(t, err)
	defer unlock()

	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan error, 1)
	go func() {
		u, err := b.Lock(ctx, parity.FingerprintLockName("abc123"), true)
		if err == nil {
			u()
		}
		got <- err
	}()
	cancel() // Ctrl-C while another process holds the name
	select {
	case err := <-got:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(5 * time.Second):
		t.Fatal("a waiting lock ignores its context: Ctrl-C cannot stop it")
	}
}
