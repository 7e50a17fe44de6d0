package suites

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// The traditional PKWARE ("ZipCrypto") scheme is implemented here because
// archive/zip reads the directory of an encrypted archive but refuses to
// decrypt it, and GPQA is distributed only that way. The scheme is weak
// cryptography; it is used as upstream uses it, as a fence against crawlers,
// not as protection.

// zipCryptoHeaderLen is the size of the random header that precedes every
// encrypted member; its last byte lets a reader detect a wrong password.
const zipCryptoHeaderLen = 12

// errWrongPassword is returned when the header's check byte does not match,
// which with a 1-in-256 false-positive rate is how ZipCrypto signals a bad
// password.
var errWrongPassword = errors.New("wrong zip password")

// zipKeys is the three-word cipher state of ZipCrypto.
type zipKeys struct{ k0, k1, k2 uint32 }

// crcByte advances a CRC-32 register by one byte without the pre- and
// post-inversion hash/crc32 applies, as the PKWARE key schedule requires.
func crcByte(crc uint32, b byte) uint32 {
	return crc32.IEEETable[byte(crc)^b] ^ (crc >> 8)
}

func newZipKeys(password []byte) *zipKeys {
	k := &zipKeys{0x12345678, 0x23456789, 0x34567890}
	for _, b := range password {
		k.update(b)
	}
	return k
}

// update mixes one plaintext byte into the state.
func (k *zipKeys) update(b byte) {
	k.k0 = crcByte(k.k0, b)
	k.k1 = (k.k1+k.k0&0xff)*134775813 + 1
	k.k2 = crcByte(k.k2, byte(k.k1>>24))
}

// stream returns the next keystream byte.
func (k *zipKeys) stream() byte {
	t := uint16(k.k2 | 2)
	return byte((uint32(t) * uint32(t^1)) >> 8)
}

// decrypt deciphers buf in place.
func (k *zipKeys) decrypt(buf []byte) {
	for i, c := range buf {
		p := c ^ k.stream()
		k.update(p)
		buf[i] = p
	}
}

// encrypt enciphers buf in place. The suites only ever decrypt; encrypt
// exists so the tests can build archives without an external zip tool.
func (k *zipKeys) encrypt(buf []byte) {
	for i, p := range buf {
		c := p ^ k.stream()
		k.update(p)
		buf[i] = c
	}
}

// zipCryptoCheckByte is the value the last header byte must decrypt to:
// the high byte of the CRC, or of the DOS modification time when the sizes
// and CRC follow the data in a descriptor (flag bit 3), since the writer did
// not know the CRC yet when it wrote the header.
func zipCryptoCheckByte(h *zip.FileHeader) byte {
	if h.Flags&0x8 != 0 {
		return byte(h.ModifiedTime >> 8)
	}
	return byte(h.CRC32 >> 24)
}

// readZipCrypto returns the decrypted, decompressed content of a
// ZipCrypto-encrypted member, entirely in memory, and checks it against the
// member's CRC-32 so a corrupt archive cannot pass as data.
func readZipCrypto(f *zip.File, password []byte) ([]byte, error) {
	if f.Flags&0x1 == 0 {
		return nil, fmt.Errorf("%s: member is not encrypted", f.Name)
	}
	raw, err := f.OpenRaw()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	data, err := io.ReadAll(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: read: %w", f.Name, err)
	}
	if len(data) < zipCryptoHeaderLen {
		return nil, fmt.Errorf("%s: encrypted member shorter than its %d-byte header", f.Name, zipCryptoHeaderLen)
	}
	k := newZipKeys(password)
	k.decrypt(data)
	if data[zipCryptoHeaderLen-1] != zipCryptoCheckByte(&f.FileHeader) {
		return nil, fmt.Errorf("%s: %w", f.Name, errWrongPassword)
	}
	body := data[zipCryptoHeaderLen:]
	var out []byte
	switch f.Method {
	case zip.Store:
		out = body
	case zip.Deflate:
		fr := flate.NewReader(bytes.NewReader(body))
		out, err = io.ReadAll(fr)
		if err != nil {
			return nil, fmt.Errorf("%s: inflate: %w", f.Name, err)
		}
	default:
		return nil, fmt.Errorf("%s: unsupported compression method %d", f.Name, f.Method)
	}
	if got := crc32.ChecksumIEEE(out); got != f.CRC32 {
		return nil, fmt.Errorf("%s: crc32 %08x, want %08x (corrupt archive or wrong password)", f.Name, got, f.CRC32)
	}
	return out, nil
}

// readZipCryptoMember opens an in-memory archive and returns one member's
// decrypted content.
func readZipCryptoMember(archive []byte, name string, password []byte) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		return nil, fmt.Errorf("open zip: %w", err)
	}
	for _, f := range zr.File {
		if f.Name == name {
			return readZipCrypto(f, password)
		}
	}
	return nil, fmt.Errorf("zip has no member %q", name)
}
