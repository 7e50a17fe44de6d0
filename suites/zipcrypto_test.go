package suites

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/hex"
	"hash/crc32"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// encryptedZip builds an archive with one ZipCrypto member, written with the
// package's own cipher so the round trip needs no external zip tool.
func encryptedZip(t *testing.T, name string, content []byte, password string, method uint16, descriptor bool) []byte {
	t.Helper()
	body := content
	if method == zip.Deflate {
		var buf bytes.Buffer
		fw, err := flate.NewWriter(&buf, flate.BestCompression)
		require.NoError(t, err)
		_, err = fw.Write(content)
		require.NoError(t, err)
		require.NoError(t, fw.Close())
		body = buf.Bytes()
	}
	fh := &zip.FileHeader{
		Name:               name,
		Method:             method,
		Flags:              0x1,
		CRC32:              crc32.ChecksumIEEE(content),
		ModifiedTime:       0x9a6b,
		ModifiedDate:       0x5929,
		CompressedSize64:   uint64(zipCryptoHeaderLen + len(body)),
		UncompressedSize64: uint64(len(content)),
	}
	if descriptor {
		fh.Flags |= 0x8
	}
	header := []byte("fixed-salt!\x00") // 11 filler bytes + check byte
	header[zipCryptoHeaderLen-1] = zipCryptoCheckByte(fh)
	enc := append(append([]byte{}, header...), body...)
	newZipKeys([]byte(password)).encrypt(enc)

	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	w, err := zw.CreateRaw(fh)
	require.NoError(t, err)
	_, err = w.Write(enc)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return out.Bytes()
}

func TestZipCryptoRoundTrip(t *testing.T) {
	content := []byte(strings.Repeat("Question,Correct Answer\n\"what is 2+2\",4\n", 50))
	tests := []struct {
		name       string
		method     uint16
		descriptor bool
	}{
		{"deflate with descriptor", zip.Deflate, true},
		{"deflate without descriptor", zip.Deflate, false},
		{"stored", zip.Store, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			archive := encryptedZip(t, "dir/data.csv", content, "s3cret", tt.method, tt.descriptor)
			assert.NotContains(t, string(archive), "what is 2+2", "member must not be stored in plain text")

			got, err := readZipCryptoMember(archive, "dir/data.csv", []byte("s3cret"))
			require.NoError(t, err)
			assert.Equal(t, content, got)

			_, err = readZipCryptoMember(archive, "dir/data.csv", []byte("wrong"))
			require.Error(t, err)

			_, err = readZipCryptoMember(archive, "other.csv", []byte("s3cret"))
			require.EqualError(t, err, `zip has no member "other.csv"`)
		})
	}
}

func TestZipCryptoRejectsPlainMember(t *testing.T) {
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	w, err := zw.Create("plain.txt")
	require.NoError(t, err)
	_, err = w.Write([]byte("hello"))
	require.NoError(t, err)
	require.NoError(t, zw.Close())

	_, err = readZipCryptoMember(out.Bytes(), "plain.txt", []byte("x"))
	require.EqualError(t, err, "plain.txt: member is not encrypted")
}

// TestZipCryptoGPQAMember checks the embedded archive against the member
// checksum recorded in data/gpqa/PROVENANCE.md, so the decrypter is proven on
// the real file (made by Info-ZIP, not by our own encrypter).
func TestZipCryptoGPQAMember(t *testing.T) {
	csv, err := readZipCryptoMember(gpqaZip, gpqaMember, []byte(gpqaPassword))
	require.NoError(t, err)
	sum := sha256.Sum256(csv)
	assert.Equal(t, "41d1213cd7a4998605a26c2798500652572007161b3a92817ba46b35befcd305", hex.EncodeToString(sum[:]))
	assert.Len(t, csv, 1373492)

	_, err = readZipCryptoMember(gpqaZip, gpqaMember, []byte("not-the-password"))
	require.Error(t, err)
}
