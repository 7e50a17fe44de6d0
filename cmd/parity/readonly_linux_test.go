//go:build linux

package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nobody is the user the child runs as: not root, so permission bits
// stop it.
const nobody = 65534

// TestWritingCommandsOnAReadOnlyDatabase: a command that writes (run,
// rescore, judge, merge) on a database the user may not write says so in
// one line with what to do, exits 4 and leaves the file as it was. As root
// the test starts itself again as user nobody, whom the bits do stop.
func TestWritingCommandsOnAReadOnlyDatabase(t *testing.T) {
	if base := os.Getenv("PARITY_CLI_READONLY_CHILD"); base != "" {
		writeAsChild(t, base)
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to start the check as another user")
	}
	base, err := os.MkdirTemp("", "parity-cli-readonly-")
	require.NoError(t, err)
	t.Cleanup(func() { os.Chmod(filepath.Join(base, "ro"), 0o755); os.RemoveAll(base) })
	require.NoError(t, os.Chmod(base, 0o755))

	ta := newTestApp(t)
	ro := filepath.Join(base, "ro")
	require.NoError(t, os.Mkdir(ro, 0o755))
	ta.env["PARITY_DB"] = filepath.Join(ro, "parity.db")
	ta.mustRun("run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "3")
	require.NoError(t, os.RemoveAll(ta.dbPath()+".locks"))
	require.NoError(t, os.Chmod(ta.dbPath(), 0o444))
	require.NoError(t, os.Chmod(ro, 0o555))
	before, err := os.ReadFile(ta.dbPath())
	require.NoError(t, err)

	self, err := os.Executable()
	require.NoError(t, err)
	bin := filepath.Join(base, "parity.test")
	in, err := os.Open(self)
	require.NoError(t, err)
	out, err := os.OpenFile(bin, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	require.NoError(t, err)
	_, err = io.Copy(out, in)
	in.Close()
	require.NoError(t, err)
	require.NoError(t, out.Close())

	child := exec.Command(bin, "-test.run=^TestWritingCommandsOnAReadOnlyDatabase$", "-test.v", "-test.count=1")
	child.Env = append(os.Environ(), "PARITY_CLI_READONLY_CHILD="+ro)
	child.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	got, err := child.CombinedOutput()
	require.NoError(t, err, "%s", got)
	assert.Contains(t, string(got), "refused 4 writes as uid 65534")
	after, err := os.ReadFile(ta.dbPath())
	require.NoError(t, err)
	assert.Equal(t, before, after, "the database is as it was")
}

func writeAsChild(t *testing.T, dir string) {
	require.Equal(t, nobody, os.Geteuid())
	ta := newTestApp(t)
	ta.env["PARITY_DB"] = filepath.Join(dir, "parity.db")
	for _, args := range [][]string{
		{"run", "-m", "mock/oracle", "-s", "gsm8k", "--limit", "3", "--fresh"},
		{"rescore", "--all"},
		{"judge", "1", "--judge", "mock/oracle"},
		{"merge", filepath.Join(dir, "parity.db.missing")},
	} {
		code := ta.run(context.Background(), args...)
		assert.Equal(t, exitConfig, code, "%v: %s", args, ta.stderr.String())
		msg := ta.stderr.String()
		assert.Contains(t, msg, "is read-only for this user", args)
		assert.Contains(t, msg, "make it and its folder writable", args)
		assert.Equal(t, 1, strings.Count(msg, "\n"), "one line: %q", msg)
	}
	t.Logf("refused 4 writes as uid %d", os.Geteuid())
}
