package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The reading commands work on a database published in a read-only
// directory and leave that directory as they found it. Permission bits do
// not stop root, who runs these tests in CI, so the test also compares the
// directory before and after: a read that created a -wal, -shm or lock file
// fails it either way. results/readonly_linux_test.go reads as another user.
func TestReadingCommandsLeaveAReadOnlyDirectoryAlone(t *testing.T) {
	ta := newTestApp(t)
	dir := filepath.Join(ta.dir, "published")
	require.NoError(t, os.Mkdir(dir, 0o755))
	ta.env["PARITY_DB"] = filepath.Join(dir, "parity.db")
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "5")
	require.NoError(t, os.RemoveAll(ta.dbPath()+".locks"))
	require.NoError(t, os.Chmod(ta.dbPath(), 0o444))
	require.NoError(t, os.Chmod(dir, 0o555))
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	names := func() []string {
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	require.Equal(t, []string{"parity.db"}, names(), "only the database, closed")

	assert.Contains(t, ta.mustRun("runs"), "mock/oracle")
	assert.Contains(t, ta.mustRun("report"), "mock/oracle")
	assert.Contains(t, ta.mustRun("show", "1"), "gold")
	assert.Equal(t, []string{"parity.db"}, names(), "no -wal, -shm or lock file was made")
}
