package reports

import (
	"cmp"
	"slices"

	"github.com/parity-bench/parity"
)

// BySubject splits every run over a whole suite into one Input per subject
// (an MMLU subject, a BBH task, an MGSM language), so that Build gives a row
// per run and subject: each row's Subject names its subject and its RunID
// stays the run's. subjectOf names a sample's subject, "" when it has none;
// runs already limited to one subject, and runs whose samples have no
// subject, are kept whole. Samples keep their order within each part.
func BySubject(in []Input, subjectOf func(parity.Run, *parity.Sample) string) []Input {
	var out []Input
	for _, x := range in {
		if x.Run.Subject != "" {
			out = append(out, x)
			continue
		}
		parts := map[string][]parity.Sample{}
		for i := range x.Samples {
			s := subjectOf(x.Run, &x.Samples[i])
			parts[s] = append(parts[s], x.Samples[i])
		}
		if _, whole := parts[""]; whole || len(parts) < 2 {
			out = append(out, x)
			continue
		}
		for _, subject := range sortedKeys(parts) {
			run := x.Run
			run.Subject = subject
			// The target of a part is what it holds: a whole-suite run
			// does not record how its items spread over subjects.
			items := map[string]bool{}
			for _, s := range parts[subject] {
				items[s.ItemID] = true
			}
			run.Items = len(items)
			out = append(out, Input{Run: run, Samples: parts[subject]})
		}
	}
	slices.SortStableFunc(out, func(a, b Input) int { return cmp.Compare(a.Run.ID, b.Run.ID) })
	return out
}
