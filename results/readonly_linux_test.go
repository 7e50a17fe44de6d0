//go:build linux

package results

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
)

// nobody is the user the child reads as: not root, so permission bits
// apply to it.
const nobody = 65534

// TestReadOnlyDirectoryForAnotherUser reads databases in directories the
// reader may not write, for real: as root the test starts itself again as
// user nobody, whom the permission bits do stop. It covers a closed
// database (read as immutable), one whose log and index a writer left
// readable (read through them), and one with a log but no index, which
// SQLite cannot read without creating the index (a clear error).
func TestReadOnlyDirectoryForAnotherUser(t *testing.T) {
	if base := os.Getenv("PARITY_READONLY_CHILD"); base != "" {
		readAsChild(t, base)
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("permission bits already apply to this user: TestReadOnlyOpenWritesNothing reads a read-only directory")
	}
	ctx := context.Background()
	base, err := os.MkdirTemp("", "parity-readonly-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(base) })

	// The test binary, copied where nobody may run it.
	self, err := os.Executable()
	require.NoError(t, err)
	bin := filepath.Join(base, "results.test")
	copyFile(t, self, bin, 0o755)

	// A live writer whose files are copied at a moment with commits still
	// in the log.
	db, err := Open(ctx, filepath.Join(base, "live.db"))
	require.NoError(t, err)
	defer db.Close()
	_, err = db.w.ExecContext(ctx, "PRAGMA wal_autocheckpoint = 0")
	require.NoError(t, err)
	r := createRun(t, db, "deepseek/deepseek-reasoner", "gsm8k")
	addItems(t, db, r.ID, 3, parity.OutcomeCorrect)
	live := filepath.Join(base, "live.db")
	for dir, suffixes := range map[string][]string{
		"closed":    nil,
		"withindex": {"", "-wal", "-shm"},
		"logonly":   {"", "-wal"},
	} {
		require.NoError(t, os.Mkdir(filepath.Join(base, dir), 0o755))
		for _, sfx := range suffixes {
			copyFile(t, live+sfx, filepath.Join(base, dir, "results.db"+sfx), 0o444)
		}
	}
	closed, err := Open(ctx, filepath.Join(base, "closed", "results.db"))
	require.NoError(t, err)
	cr := createRun(t, closed, "deepseek/deepseek-reasoner", "gsm8k")
	addItems(t, closed, cr.ID, 3, parity.OutcomeCorrect)
	require.NoError(t, closed.Close())
	for _, dir := range []string{"closed", "withindex", "logonly"} {
		d := filepath.Join(base, dir)
		entries, err := os.ReadDir(d)
		require.NoError(t, err)
		for _, e := range entries {
			require.NoError(t, os.Chmod(filepath.Join(d, e.Name()), 0o444))
		}
		require.NoError(t, os.Chmod(d, 0o555))
	}
	require.NoError(t, os.Chmod(base, 0o755))

	child := exec.Command(bin, "-test.run=^TestReadOnlyDirectoryForAnotherUser$", "-test.v", "-test.count=1")
	child.Env = append(os.Environ(), "PARITY_READONLY_CHILD="+base, "HOME="+base)
	child.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	out, err := child.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "read three databases as uid 65534")
}

func readAsChild(t *testing.T, base string) {
	ctx := context.Background()
	require.Equal(t, nobody, os.Geteuid())
	for _, dir := range []string{"closed", "withindex"} {
		path := filepath.Join(base, dir, "results.db")
		_, err := os.Create(filepath.Join(base, dir, "probe"))
		require.Error(t, err, "%s must not be writable for this test to mean anything", dir)
		ro, err := OpenReadOnly(ctx, path)
		require.NoError(t, err, dir)
		runs, err := ro.Runs(ctx, RunFilter{})
		require.NoError(t, err, dir)
		require.Len(t, runs, 1, dir)
		assert.Equal(t, 3, countSamples(t, ro, runs[0].ID), dir)
		require.NoError(t, ro.Close())
	}
	_, err := OpenReadOnly(ctx, filepath.Join(base, "logonly", "results.db"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "copy the database together with its -wal file")
	assert.Equal(t, parity.ErrConfig, parity.CodeOf(err))
	t.Logf("read three databases as uid %d", os.Geteuid())
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	in, err := os.Open(from)
	require.NoError(t, err)
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	require.NoError(t, err)
	_, err = io.Copy(out, in)
	require.NoError(t, err)
	require.NoError(t, out.Close())
}
