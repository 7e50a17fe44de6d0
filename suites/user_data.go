package suites

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites/answer"
)

// This file turns the JSONL or CSV data of a user suite into items.

// userRecord is one data record: its line and a lookup of its fields.
type userRecord struct {
	line int
	get  func(field string) (value any, ok bool)
	keys []string
}

// parseUserData turns a data file into items, checking every record.
func parseUserData(path string, raw []byte, f *userFile) ([]parity.Item, error) {
	// Decoders would pass invalid bytes on as U+FFFD, and the model would
	// be asked a question the data never held.
	if !utf8.Valid(raw) {
		return nil, userError(path, invalidUTF8Line(raw), "invalid UTF-8: save the file as UTF-8")
	}
	var recs []userRecord
	var err error
	if strings.EqualFold(filepath.Ext(path), ".csv") {
		recs, err = readUserCSV(path, raw, f)
	} else {
		recs, err = readUserJSONL(path, raw)
	}
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, userError(path, 0, "no records: the file is empty")
	}
	used := map[string]bool{f.fields.id: true, f.fields.question: true, f.fields.answer: true, f.fields.subject: true}
	for _, c := range f.fields.choices {
		used[c] = true
	}
	items := make([]parity.Item, 0, len(recs))
	ids := map[string]int{}
	for n, r := range recs {
		it := parity.Item{ID: strconv.Itoa(n + 1)}
		if it.Question, err = r.text(path, f.fields.question, true); err != nil {
			return nil, err
		}
		if it.Answer, err = r.text(path, f.fields.answer, true); err != nil {
			return nil, err
		}
		if f.fields.id != "" {
			if it.ID, err = r.text(path, f.fields.id, true); err != nil {
				return nil, err
			}
		}
		if prev, dup := ids[it.ID]; dup {
			return nil, userError(path, r.line, "duplicate id %q (first on line %d)", it.ID, prev)
		}
		ids[it.ID] = r.line
		if f.fields.subject != "" {
			if it.Subject, err = r.text(path, f.fields.subject, false); err != nil {
				return nil, err
			}
		}
		if f.kind == string(answer.Choice) {
			if it.Choices, err = r.choices(path, f.fields); err != nil {
				return nil, err
			}
			if it.Answer, err = choiceGold(path, r.line, f.fields.answer, it.Answer, it.Choices); err != nil {
				return nil, err
			}
		}
		for _, k := range r.keys {
			if used[k] {
				continue
			}
			if v, ok := r.get(k); ok {
				if s, ok := scalarText(v); ok {
					if it.Meta == nil {
						it.Meta = map[string]string{}
					}
					it.Meta[k] = s
				}
			}
		}
		items = append(items, it)
	}
	return items, nil
}

// invalidUTF8Line returns the 1-based line of the first byte of raw that
// is not valid UTF-8.
func invalidUTF8Line(raw []byte) int {
	valid := raw
	for i := 0; i < len(raw); {
		r, size := utf8.DecodeRune(raw[i:])
		if r == utf8.RuneError && size == 1 {
			valid = raw[:i]
			break
		}
		i += size
	}
	return bytes.Count(valid, []byte("\n")) + 1
}

// choiceGold accepts an option letter (any case) or the exact text of one
// option, and returns the letter.
func choiceGold(path string, line int, field, gold string, choices []string) (string, error) {
	if i := mcLetterIndex(strings.ToUpper(gold), len(choices)); i >= 0 {
		return Letter(i), nil
	}
	for i, c := range choices {
		if strings.TrimSpace(c) == gold {
			return Letter(i), nil
		}
	}
	return "", userError(path, line, "field %q: %q is neither an option letter (A-%s) nor the text of an option",
		field, gold, Letter(len(choices)-1))
}

func (r userRecord) text(path, field string, required bool) (string, error) {
	v, ok := r.get(field)
	if !ok {
		if !required {
			return "", nil
		}
		return "", userError(path, r.line, "missing field %q", field)
	}
	s, ok := scalarText(v)
	if !ok {
		return "", userError(path, r.line, "field %q: want a string or number, not %s", field, jsonKind(v))
	}
	s = strings.TrimSpace(s)
	if required && s == "" {
		return "", userError(path, r.line, "field %q is empty", field)
	}
	return s, nil
}

func (r userRecord) choices(path string, fields userFields) ([]string, error) {
	if !fields.choiceList {
		out := make([]string, len(fields.choices))
		for i, col := range fields.choices {
			s, err := r.text(path, col, true)
			if err != nil {
				return nil, err
			}
			out[i] = s
		}
		return out, nil
	}
	name := fields.choices[0]
	v, ok := r.get(name)
	if !ok {
		return nil, userError(path, r.line, "missing field %q", name)
	}
	list, ok := v.([]any)
	if !ok {
		return nil, userError(path, r.line, "field %q: want a list of options, not %s", name, jsonKind(v))
	}
	if len(list) < 2 {
		return nil, userError(path, r.line, "field %q: want at least two options, got %d", name, len(list))
	}
	out := make([]string, len(list))
	for i, e := range list {
		s, ok := scalarText(e)
		if !ok {
			return nil, userError(path, r.line, "field %q: option %d is %s, not a string", name, i+1, jsonKind(e))
		}
		out[i] = strings.TrimSpace(s)
	}
	return out, nil
}

// scalarText renders a JSON scalar as the dataset wrote it: numbers keep
// their digits (json.Number), so "0.10" is not turned into "0.1".
func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return "a value"
}

func readUserJSONL(path string, raw []byte) ([]userRecord, error) {
	var recs []userRecord
	for i, line := range bytes.Split(raw, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if i == 0 {
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			return nil, userError(path, i+1, "invalid JSON: want one object per line (%v)", err)
		}
		if dec.More() {
			return nil, userError(path, i+1, "invalid JSON: more than one value on the line")
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		recs = append(recs, userRecord{line: i + 1, keys: keys, get: func(k string) (any, bool) {
			v, ok := obj[k]
			return v, ok
		}})
	}
	return recs, nil
}

func readUserCSV(path string, raw []byte, f *userFile) ([]userRecord, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))))
	header, err := r.Read()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		return nil, userError(path, 1, "invalid CSV header: %v", csvCause(err))
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	need := append([]string{f.fields.question, f.fields.answer, f.fields.id, f.fields.subject}, f.fields.choices...)
	for _, n := range need {
		if _, ok := col[n]; n != "" && !ok {
			return nil, userError(path, 1, "missing column %q (header has %s)", n, strings.Join(header, ", "))
		}
	}
	keys := make([]string, len(header))
	for i, h := range header {
		keys[i] = strings.TrimSpace(h)
	}
	var recs []userRecord
	for {
		row, err := r.Read()
		if err == io.EOF {
			return recs, nil
		}
		if err != nil {
			line, _ := r.FieldPos(0)
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			return nil, userError(path, line, "invalid CSV: %v", csvCause(err))
		}
		line, _ := r.FieldPos(0)
		recs = append(recs, userRecord{line: line, keys: keys, get: func(k string) (any, bool) {
			i, ok := col[k]
			if !ok {
				return nil, false
			}
			return row[i], true
		}})
	}
}

// csvCause strips encoding/csv's own "record on line N" prefix, since the
// message already starts with the file and line.
func csvCause(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
