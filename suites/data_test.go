package suites

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
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

// TestEmbeddedDataChecksums recomputes every embedded data file's sha256
// against the SHA256SUMS copied with it, and checks that each suite's
// DataSHA256 is the hash of its files' lines of that listing.
func TestEmbeddedDataChecksums(t *testing.T) {
	folders := map[string]fs.FS{
		"gsm8k": gsm8kData, "math500": math500Data, "aime": aimeData,
		"mgsm": mgsmData, "cmath": cmathData, "zh_math_extra": zhMathExtraData,
	}
	for name, fsys := range folders {
		t.Run(name, func(t *testing.T) {
			sums, _ := embeddedSums(t, fsys)
			require.NotEmpty(t, sums)
			for file, want := range sums {
				data, err := fs.ReadFile(fsys, file)
				require.NoError(t, err)
				got := sha256.Sum256(data)
				assert.Equal(t, want, hex.EncodeToString(got[:]), file)
			}
			for _, f := range []string{"PROVENANCE.md", "NOTICE"} {
				_, err := fs.Stat(fsys, f)
				assert.NoError(t, err, "%s must travel with the data", f)
			}
		})
	}
	for _, tt := range mathSuites {
		t.Run("datahash/"+tt.suite.Name(), func(t *testing.T) {
			_, lines := embeddedSums(t, tt.suite.spec.Data)
			var listing strings.Builder
			for _, f := range tt.suite.spec.Files {
				require.Contains(t, lines, f, "data file not covered by SHA256SUMS")
				listing.WriteString(lines[f])
			}
			sum := sha256.Sum256([]byte(listing.String()))
			assert.Equal(t, hex.EncodeToString(sum[:]), tt.suite.Info().DataSHA256)
		})
	}
}
