package suites

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// embeddedSums parses a data folder's SHA256SUMS into name → digest and the
// listing lines by name.
func embeddedSums(t *testing.T, fsys fs.FS) (map[string]string, map[string]string) {
	t.Helper()
	data, err := fs.ReadFile(fsys, "SHA256SUMS")
	require.NoError(t, err)
	sums, lines := map[string]string{}, map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		digest, name, ok := strings.Cut(line, "  ")
		require.True(t, ok, "malformed SHA256SUMS line %q", line)
		sums[name] = digest
		lines[name] = line + "\n"
	}
	return sums, lines
}
