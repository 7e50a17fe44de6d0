package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testApp runs commands in-process against buffers, a fake environment and
// a database in a temporary directory.
type testApp struct {
	t      *testing.T
	dir    string
	env    map[string]string
	stdin  string
	stdout bytes.Buffer
	stderr bytes.Buffer
}

func newTestApp(t *testing.T) *testApp {
	dir := t.TempDir()
	return &testApp{t: t, dir: dir, env: map[string]string{"HOME": dir, "PARITY_DB": filepath.Join(dir, "parity.db")}}
}

func (ta *testApp) dbPath() string { return ta.env["PARITY_DB"] }

// run executes one command line and returns its exit code.
func (ta *testApp) run(ctx context.Context, args ...string) int {
	ta.stdout.Reset()
	ta.stderr.Reset()
	a := &app{
		stdin:      strings.NewReader(ta.stdin),
		stdout:     &ta.stdout,
		stderr:     &ta.stderr,
		getenv:     func(k string) string { return ta.env[k] },
		now:        func() time.Time { return time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC) },
		isTerminal: func(io.Writer) bool { return false },
	}
	return a.main(ctx, args)
}

func (ta *testApp) mustRun(args ...string) string {
	ta.t.Helper()
	code := ta.run(context.Background(), args...)
	require.Equal(ta.t, 0, code, "parity %s\nstdout: %s\nstderr: %s", strings.Join(args, " "), ta.stdout.String(), ta.stderr.String())
	return ta.stdout.String()
}

func decode[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal([]byte(s), &v), s)
	return v
}
