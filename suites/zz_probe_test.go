package suites

import "testing"

func TestZZProbe(t *testing.T) {
	for _, s := range All() {
		i := s.Info()
		t.Logf("%s %s %s %s", i.Name, i.Version, i.PromptHash, i.DataSHA256)
	}
}
