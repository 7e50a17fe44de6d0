package suites

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"go/build"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites/answer"
)

func fileSHA(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// loadUserFile loads a suite file from disk the way cmd/parity hands it
// over: a file system rooted at its folder.
func loadUserFile(path string) (parity.Suite, error) {
	return LoadUserSuite(os.DirFS(filepath.Dir(path)), filepath.Base(path), path)
}

func loadUserDir(dir string) ([]parity.Suite, error) {
	return LoadUserSuites(os.DirFS(dir), ".", dir)
}

func TestLoadUserSuiteChoiceJSONL(t *testing.T) {
	s, err := loadUserFile(filepath.Join("testdata", "user", "quiz.yaml"))
	require.NoError(t, err)
	info := s.Info()
	assert.Equal(t, "quiz", info.Name)
	assert.Equal(t, "2", info.Version)
	assert.Equal(t, "en", info.Language)
	assert.Equal(t, "CC0-1.0", info.License)
	assert.Equal(t, "choice", info.Kind)
	assert.Equal(t, 3, info.Items)
	assert.False(t, info.NonCommercial)
	// With a few-shot file the data hash covers both files, listed like
	// SHA256SUMS.
	listing := fileSHA(t, "testdata/user/quiz.jsonl") + "  data\n" + fileSHA(t, "testdata/user/quiz-dev.jsonl") + "  fewshot\n"
	sum := sha256.Sum256([]byte(listing))
	assert.Equal(t, hex.EncodeToString(sum[:]), info.DataSHA256)
	sum = sha256.Sum256([]byte(mcTemplateEN))
	assert.NotEqual(t, hex.EncodeToString(sum[:]), info.PromptHash, "few-shot settings are part of the prompt hash")

	items, err := s.Items(context.Background())
	require.NoError(t, err)
	want := []parity.Item{
		{ID: "geo-1", Subject: "geography", Question: "Which river flows through Cairo?", Choices: []string{"Nile", "Danube", "Amazon", "Thames"}, Answer: "A", Meta: map[string]string{"source": "handwritten"}},
		{ID: "sci-1", Subject: "science", Question: "What is the chemical symbol of gold?", Choices: []string{"Ag", "Au", "Gd"}, Answer: "B"},
		{ID: "sci-2", Subject: "science", Question: "How many legs does an insect have?", Choices: []string{"4", "6", "8", "10"}, Answer: "B"},
	}
	assert.Equal(t, want, items)
	assert.Equal(t, []string{"geography", "science"}, s.(Subjecter).Subjects())

	// Two science examples for a science question, as earlier turns.
	msgs := s.Prompt(items[1])
	require.Len(t, msgs, 5)
	assert.Contains(t, msgs[0].Content, "Which gas do plants absorb?")
	assert.Equal(t, `The answer is \boxed{B}.`, msgs[1].Content)
	assert.Contains(t, msgs[2].Content, "What is H2O?")
	assert.Equal(t, "assistant", msgs[3].Role)
	assert.Contains(t, msgs[4].Content, "A. Ag\nB. Au\nC. Gd\n")
	// Geography has one example only; the prompt uses what there is.
	assert.Len(t, s.Prompt(items[0]), 3)

	sc := s.Score(items[1], parity.Completion{Content: `\boxed{B}`, FinishReason: "stop"})
	assert.Equal(t, parity.OutcomeCorrect, sc.Outcome)
	sc = s.Score(items[1], parity.Completion{Content: `\boxed{C}`, FinishReason: "stop"})
	assert.Equal(t, parity.OutcomeWrong, sc.Outcome)
}

func TestLoadUserSuiteNumberCSV(t *testing.T) {
	s, err := loadUserFile(filepath.Join("testdata", "user", "sums.yaml"))
	require.NoError(t, err)
	info := s.Info()
	assert.Equal(t, "sums", info.Name)
	assert.Equal(t, "zh", info.Language)
	assert.True(t, info.NonCommercial)
	assert.Equal(t, "number", info.Kind)
	assert.Equal(t, fileSHA(t, "testdata/user/sums.csv"), info.DataSHA256, "data hash is the data file's sha256")
	sum := sha256.Sum256([]byte("来源：{{.Meta.source}}\n{{.Question}}\n请把答案写在 \\boxed{} 中。\n"))
	assert.Equal(t, hex.EncodeToString(sum[:]), info.PromptHash, "prompt hash is the template's sha256")

	items, err := s.Items(context.Background())
	require.NoError(t, err)
	require.Len(t, items, 2)
	assert.Equal(t, parity.Item{ID: "2", Question: "12 × 12 = ?", Answer: "144", Meta: map[string]string{"source": "exam"}}, items[1])
	assert.Equal(t, "来源：textbook\n3 + 4 = ?\n请把答案写在 \\boxed{} 中。", s.Prompt(items[0])[0].Content)
	sc := s.Score(items[1], parity.Completion{Content: "所以结果是 144", FinishReason: "stop"})
	assert.Equal(t, parity.OutcomeCorrect, sc.Outcome, "last_number lets an unboxed final number count")
}

func TestLoadUserSuitesDirectory(t *testing.T) {
	all, err := loadUserDir(filepath.Join("testdata", "user"))
	require.NoError(t, err)
	require.Len(t, all, 2)
	assert.Equal(t, "quiz", all[0].Info().Name)
	assert.Equal(t, "sums", all[1].Info().Name)
	assert.Equal(t, filepath.Join("testdata", "user", "quiz.yaml"), all[0].(*UserSuite).Path())

	dir := t.TempDir()
	for _, f := range []string{"a.yaml", "b.yml"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), []byte("name: same\nversion: 1\ndata: d.jsonl\nkind: text\n"), 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "c.yaml"), []byte("name: broken\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "d.jsonl"), []byte(`{"question": "q", "answer": "a"}`+"\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("ignored"), 0o644))
	_, err = loadUserDir(dir)
	require.Error(t, err)
	msg := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")
	assert.Equal(t, "b.yml: suite name \"same\" is already used by "+filepath.Join(dir, "a.yaml")+": rename one of them\nc.yaml:1: missing field \"version\"",
		strings.Replace(msg, "a.yaml", filepath.Join(dir, "a.yaml"), 1))

	_, err = loadUserDir(filepath.Join(dir, "missing"))
	require.Error(t, err)
	assert.Equal(t, parity.ErrConfig, parity.CodeOf(err))
}

// TestLoadUserSuiteErrors gives one malformed file per case and the exact
// one-line message, with the temporary directory cut from the paths.
func TestLoadUserSuiteErrors(t *testing.T) {
	const okData = `{"question": "q1", "answer": "1"}` + "\n"
	const mcData = `{"id": "a", "question": "q", "choices": ["x", "y", "z", "w"], "answer": "A"}` + "\n"
	tests := []struct {
		name  string
		yaml  string
		files map[string]string
		want  string
	}{
		{"kind typo", "name: s\nversion: 1\n\n# comment\n\ndata: data.jsonl\nkind: numbr\n", map[string]string{"data.jsonl": okData},
			`suite.yaml:7: field "kind": "numbr" is not one of number, math, choice, text`},
		{"missing answer", "name: s\nversion: 1\ndata: data.jsonl\nkind: number\n",
			map[string]string{"data.jsonl": okData + "\n" + `{"question": "q2"}` + "\n"},
			`data.jsonl:3: missing field "answer"`},
		{"unknown key", "name: s\nversion: 1\ndata: data.jsonl\nkind: text\npromt: x\n", nil,
			`suite.yaml:5: unknown field "promt": use one of name, version, language, license, non_commercial, publish_questions, description, data, fields, kind, last_number, prompt, fewshot`},
		{"unknown fields key", "name: s\nversion: 1\ndata: data.jsonl\nkind: text\nfields:\n  qestion: q\n", nil,
			`suite.yaml:6: unknown field "fields.qestion": use one of id, question, answer, choices, subject`},
		{"missing name", "version: 1\ndata: data.jsonl\nkind: text\n", nil,
			`suite.yaml:1: missing field "name"`},
		{"repeated key", "name: s\nname: t\nversion: 1\ndata: data.jsonl\nkind: text\n", nil,
			`suite.yaml:2: field "name" given twice`},
		{"bad name", "name: My Suite\nversion: 1\ndata: data.jsonl\nkind: text\n", nil,
			`suite.yaml:1: field "name": "My Suite" must be lowercase letters, digits, '.', '_' or '-' (no spaces or colons)`},
		{"name is a list", "name: [a, b]\nversion: 1\ndata: data.jsonl\nkind: text\n", nil,
			`suite.yaml:1: field "name": want a single value, not a list`},
		{"data extension", "name: s\nversion: 1\ndata: data.txt\nkind: text\n", nil,
			`suite.yaml:3: field "data": "data.txt" must end in .jsonl or .csv`},
		{"data file missing", "name: s\nversion: 1\ndata: nope.jsonl\nkind: text\n", nil,
			`suite.yaml:3: field "data": cannot read DIR/nope.jsonl: no such file or directory`},
		{"yaml syntax", "name: s\nversion: 1\nkind: text\n  data: x\n", nil,
			`suite.yaml:4: invalid YAML: mapping values are not allowed in this context`},
		{"yaml parser error", "name: s\nversion: 1\n- data: x\n", nil,
			`suite.yaml:3: invalid YAML: did not find expected key`},
		{"yaml list after mapping", "- name: s\nkind: text\n", nil,
			`suite.yaml:2: invalid YAML: did not find expected '-' indicator`},
		{"not a mapping", "- name: s\n", nil,
			`suite.yaml:1: want a mapping of suite fields (name: …, data: …)`},
		{"last_number not bool", "name: s\nversion: 1\ndata: data.jsonl\nkind: number\nlast_number: maybe\n", nil,
			`suite.yaml:5: field "last_number": "maybe" is not true or false`},
		{"publish_questions not bool", "name: s\nversion: 1\nlicense: MIT\ndata: data.jsonl\nkind: number\npublish_questions: yes please\n", nil,
			`suite.yaml:6: field "publish_questions": "yes please" is not true or false`},
		{"publish_questions without licence", "name: s\nversion: 1\ndata: data.jsonl\nkind: number\npublish_questions: true\n", nil,
			`suite.yaml:5: field "publish_questions" needs field "license": name the licence that lets reports quote the questions`},
		{"choice without choices", "name: s\nversion: 1\ndata: data.jsonl\nkind: choice\n", nil,
			`suite.yaml:4: field "fields.choices" is required when kind is choice: name a list field or the option columns`},
		{"choices for number", "name: s\nversion: 1\ndata: data.jsonl\nkind: number\nfields:\n  choices: opts\n", nil,
			`suite.yaml:6: field "fields.choices" is only used when kind is choice (kind is number)`},
		{"csv needs columns", "name: s\nversion: 1\ndata: data.csv\nkind: choice\nfields:\n  choices: opts\n", nil,
			`suite.yaml:6: field "fields.choices": a CSV file cannot hold a list; list the option columns, e.g. [A, B, C, D]`},
		{"template parse", "name: s\nversion: 1\ndata: data.jsonl\nkind: text\nprompt: \"{{nope .Question}}\"\n", nil,
			`suite.yaml:5: field "prompt": prompt:1: function "nope" not defined`},
		{"template field", "name: s\nversion: 1\ndata: data.jsonl\nkind: text\nprompt: |\n  {{.Questoin}}\n", nil,
			`suite.yaml:5: field "prompt": prompt:1:2: executing "prompt" at <.Questoin>: can't evaluate field Questoin in type parity.Item`},
		{"fewshot count", "name: s\nversion: 1\ndata: data.jsonl\nkind: text\nfewshot:\n  file: dev.jsonl\n  count: zero\n", nil,
			`suite.yaml:7: field "fewshot.count": "zero" is not a positive whole number`},
		{"fewshot without file", "name: s\nversion: 1\ndata: data.jsonl\nkind: text\nfewshot:\n  count: 3\n", nil,
			`suite.yaml:6: field "fewshot.file" is missing: name the file the examples come from`},
		{"invalid json", "name: s\nversion: 1\ndata: data.jsonl\nkind: number\n", map[string]string{"data.jsonl": okData + "{question: 1}\n"},
			`data.jsonl:2: invalid JSON: want one object per line (invalid character 'q' looking for beginning of object key string)`},
		{"json array line", "name: s\nversion: 1\ndata: data.jsonl\nkind: number\n", map[string]string{"data.jsonl": "[1, 2]\n"},
			`data.jsonl:1: invalid JSON: want one object per line (json: cannot unmarshal array into Go value of type map[string]interface {})`},
		{"invalid utf-8 jsonl", "name: s\nversion: 1\ndata: data.jsonl\nkind: number\n",
			map[string]string{"data.jsonl": okData + "{\"question\": \"caf\xe9?\", \"answer\": \"1\"}\n"},
			`data.jsonl:2: invalid UTF-8: save the file as UTF-8`},
		{"invalid utf-8 csv", "name: s\nversion: 1\ndata: data.csv\nkind: number\n",
			map[string]string{"data.csv": "question,answer\nq,1\n\"two\nlines\",2\nna\xefve,3\n"},
			`data.csv:5: invalid UTF-8: save the file as UTF-8`},
		{"empty answer", "name: s\nversion: 1\ndata: data.jsonl\nkind: number\n", map[string]string{"data.jsonl": `{"question": "q", "answer": " "}` + "\n"},
			`data.jsonl:1: field "answer" is empty`},
		{"answer is object", "name: s\nversion: 1\ndata: data.jsonl\nkind: number\n", map[string]string{"data.jsonl": `{"question": "q", "answer": {"v": 1}}` + "\n"},
			`data.jsonl:1: field "answer": want a string or number, not an object`},
		{"duplicate id", "name: s\nversion: 1\ndata: data.jsonl\nkind: choice\nfields:\n  choices: choices\n  id: id\n", map[string]string{"data.jsonl": mcData + mcData},
			`data.jsonl:2: duplicate id "a" (first on line 1)`},
		{"gold not an option", "name: s\nversion: 1\ndata: data.jsonl\nkind: choice\nfields:\n  choices: choices\n",
			map[string]string{"data.jsonl": `{"question": "q", "choices": ["x", "y", "z", "w"], "answer": "E"}` + "\n"},
			`data.jsonl:1: field "answer": "E" is neither an option letter (A-D) nor the text of an option`},
		{"choices not a list", "name: s\nversion: 1\ndata: data.jsonl\nkind: choice\nfields:\n  choices: choices\n",
			map[string]string{"data.jsonl": `{"question": "q", "choices": "x, y", "answer": "A"}` + "\n"},
			`data.jsonl:1: field "choices": want a list of options, not a value`},
		{"empty data", "name: s\nversion: 1\ndata: data.jsonl\nkind: text\n", map[string]string{"data.jsonl": "\n\n"},
			`data.jsonl: no records: the file is empty`},
		{"csv missing column", "name: s\nversion: 1\ndata: data.csv\nkind: number\n", map[string]string{"data.csv": "question,solution\nq,1\n"},
			`data.csv:1: missing column "answer" (header has question, solution)`},
		{"csv empty cell", "name: s\nversion: 1\ndata: data.csv\nkind: choice\nfields:\n  choices: [A, B]\n",
			map[string]string{"data.csv": "question,A,B,answer\nq,x,y,A\n\"multi\nline\",x,,B\n"},
			`data.csv:3: field "B" is empty`},
		{"csv ragged row", "name: s\nversion: 1\ndata: data.csv\nkind: number\n", map[string]string{"data.csv": "question,answer\nq,1\nq2,2,extra\n"},
			`data.csv:3: invalid CSV: wrong number of fields`},
		{"fewshot data error", "name: s\nversion: 1\ndata: data.jsonl\nkind: number\nfewshot:\n  file: dev.jsonl\n", map[string]string{"data.jsonl": okData, "dev.jsonl": `{"question": "q"}` + "\n"},
			`dev.jsonl:1: missing field "answer"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "suite.yaml")
			require.NoError(t, os.WriteFile(path, []byte(tt.yaml), 0o644))
			files := tt.files
			if files == nil {
				files = map[string]string{"data.jsonl": okData}
			}
			for name, content := range files {
				require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
			}
			_, err := loadUserFile(path)
			require.Error(t, err)
			got := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")
			assert.Equal(t, strings.ReplaceAll(tt.want, "DIR/", ""), got)
			assert.NotContains(t, got, "\n", "errors are one line")
			assert.Equal(t, parity.ErrConfig, parity.CodeOf(err))
		})
	}
}

// A user suite's questions stay out of published reports unless its file
// says its licence allows them.
func TestUserSuitePublishQuestions(t *testing.T) {
	for _, tt := range []struct {
		yaml string
		want bool
	}{
		{"name: s\nversion: 1\nlicense: CC BY 4.0\ndata: data.jsonl\nkind: number\n", false},
		{"name: s\nversion: 1\nlicense: CC BY 4.0\ndata: data.jsonl\nkind: number\npublish_questions: false\n", false},
		{"name: s\nversion: 1\nlicense: CC BY 4.0\ndata: data.jsonl\nkind: number\npublish_questions: true\n", true},
	} {
		fsys := fstest.MapFS{
			"suite.yaml": {Data: []byte(tt.yaml)},
			"data.jsonl": {Data: []byte(`{"question": "q1", "answer": "1"}` + "\n")},
		}
		s, err := LoadUserSuite(fsys, "suite.yaml", "suite.yaml")
		require.NoError(t, err)
		assert.Equal(t, tt.want, PublishesQuestions(s), tt.yaml)
		assert.Equal(t, tt.want, PublishesQuestions(Circular(s)), "circular runs follow the suite they rotate")
	}
}

// TestUserDefaultPromptsArePinned: a user suite without a prompt of its
// own is asked with the built-in suites' prompt of its kind, and its runs
// are fingerprinted by that prompt's hash, so the text must not drift.
func TestUserDefaultPromptsArePinned(t *testing.T) {
	want := map[answer.Kind][2]string{
		answer.Choice: {"0066708adc659a9dce22b893843f17eeab67b31a9ca3075cf9a0748a9ad4ae3e", "d61dd00d00d76394908f667c23d21eda6eab95abfa49b5d8252c31e7b9281408"},
		answer.Number: {"88c66cc0b77a0fee670845c18fda15ea7764c362a0a9a43ccc44a2ae24adef03", "fdd19bb2a408795ba57cf276577131185eb924fa844c09fea6ca61aa9f270287"},
		answer.Math:   {"88c66cc0b77a0fee670845c18fda15ea7764c362a0a9a43ccc44a2ae24adef03", "fdd19bb2a408795ba57cf276577131185eb924fa844c09fea6ca61aa9f270287"},
		answer.Text:   {"b46f0e9b313321d84167231ef1d990d0effe4215ad1d61077a219105fb32cdab", "b523d75bfda4087daae1c0d463a9e054e8a88d838b6a25bc38b8b17833bb711d"},
	}
	require.Len(t, userDefaultPrompts, len(want))
	for kind, hashes := range want {
		for lang, h := range hashes {
			sum := sha256.Sum256([]byte(userDefaultPrompts[kind][lang]))
			assert.Equal(t, h, hex.EncodeToString(sum[:]), "%s prompt %d", kind, lang)
		}
	}
	assert.Equal(t, GSM8K.Info().PromptHash, want[answer.Number][0], "the built-in English maths prompt")
	assert.Equal(t, CMATH.Info().PromptHash, want[answer.Math][1], "the built-in Chinese maths prompt")
	assert.Equal(t, MMLU.Info().PromptHash, want[answer.Choice][0])
	assert.Equal(t, CEval.Info().PromptHash, want[answer.Choice][1])
}

// TestUserSuitesReadOnlyTheFSTheyAreGiven: a suite and its data come from
// any fs.FS, data paths resolve against the suite file's folder (or the
// root of the FS with a leading "/"), and messages use the names the
// caller shows.
func TestUserSuitesReadOnlyTheFSTheyAreGiven(t *testing.T) {
	fsys := fstest.MapFS{
		"suites/a/quiz.yaml":    {Data: []byte("name: q\nversion: 1\ndata: ../shared/q.jsonl\nkind: number\nfewshot:\n  file: /dev/q.jsonl\n")},
		"suites/shared/q.jsonl": {Data: []byte(`{"question": "1+1?", "answer": "2"}` + "\n")},
		"dev/q.jsonl":           {Data: []byte(`{"question": "2+2?", "answer": "4"}` + "\n")},
		"suites/b/bad.yaml":     {Data: []byte("name: b\nversion: 1\ndata: missing.jsonl\nkind: number\n")},
	}
	s, err := LoadUserSuite(fsys, "suites/a/quiz.yaml", "my/quiz.yaml")
	require.NoError(t, err)
	assert.Equal(t, "my/quiz.yaml", s.(*UserSuite).Path())
	items, err := s.Items(context.Background())
	require.NoError(t, err)
	require.Len(t, items, 1)
	assert.Equal(t, "1+1?", items[0].Question)
	require.Len(t, s.Prompt(items[0]), 3, "the example from /dev/q.jsonl comes first")

	_, err = LoadUserSuite(fsys, "suites/b/bad.yaml", filepath.Join("elsewhere", "bad.yaml"))
	require.Error(t, err)
	assert.Equal(t, filepath.Join("elsewhere", "bad.yaml")+`:3: field "data": cannot read `+filepath.Join("elsewhere", "missing.jsonl")+": file does not exist", err.Error())

	all, err := LoadUserSuites(fsys, "suites/a", "here")
	require.NoError(t, err)
	require.Len(t, all, 1)
	assert.Equal(t, filepath.Join("here", "quiz.yaml"), all[0].(*UserSuite).Path())
}

// TestUserSuitesDoNoFileIO: the package reads what it is handed; only
// cmd/parity touches the disk.
func TestUserSuitesDoNoFileIO(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	require.NoError(t, err)
	for _, imp := range []string{"os", "testing/fstest"} {
		assert.NotContains(t, pkg.Imports, imp)
	}
}
