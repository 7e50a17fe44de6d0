package suites

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
)

// dataFolder roots an embedded tree at a suite's data folder, so data file names
// (and therefore DataSHA256) read exactly like the folder's SHA256SUMS.
func dataFolder(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(fmt.Sprintf("embedded data %s: %v", dir, err)) // a constant path: fails on every run
	}
	return sub
}

// readJSONL decodes one JSON value of type T per non-blank line. Errors name
// the file and line so a broken data file is found at once.
func readJSONL[T any](fsys fs.FS, name string) ([]T, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	var out []T
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", name, line, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return out, nil
}

// readTSV splits a headerless, unquoted TSV file into rows of exactly
// fields columns; any other shape is an error rather than a misaligned item.
func readTSV(fsys fs.FS, name string, fields int) ([][]string, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	var rows [][]string
	for i, line := range strings.Split(strings.TrimRight(string(data), "\r\n"), "\n") {
		row := strings.Split(strings.TrimRight(line, "\r"), "\t")
		if len(row) != fields {
			return nil, fmt.Errorf("%s line %d: %d fields, want %d", name, i+1, len(row), fields)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// stripThousands removes thousands separators from a numeric gold answer
// ("2,125" → "2125"), so the gold reads like the number a model writes.
func stripThousands(s string) string {
	return strings.ReplaceAll(strings.TrimSpace(s), ",", "")
}
