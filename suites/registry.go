package suites

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/parity-bench/parity"
)

// Reseeder is a suite whose items depend on the run's seed, such as GPQA,
// whose options are shuffled per item and seed. Callers pass the run's seed
// before asking for items, and again when re-scoring a stored run.
type Reseeder interface {
	WithSeed(seed int64) parity.Suite
}

// Subjecter is implemented by suites whose items fall into named subsets
// (MMLU subjects, MGSM languages). Lookup validates "name:subject" against it.
type Subjecter interface {
	// Subjects lists the valid values of Item.Subject.
	Subjects() []string
}

var (
	registryMu sync.RWMutex
	registry   = map[string]parity.Suite{}
)

// Register adds a suite under Info().Name. Suites call it from init, so it
// must not load data: it asks for the name through a Name() method when the
// suite has one and falls back to Info() otherwise. Registering a second
// suite under a taken name is an error, never a silent replacement.
func Register(s parity.Suite) error {
	name := suiteName(s)
	if name == "" || strings.Contains(name, ":") {
		return fmt.Errorf("register suite %q: invalid name", name)
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[name]; dup {
		return fmt.Errorf("register suite %s: name already registered", name)
	}
	registry[name] = s
	return nil
}

// MustRegister is Register for init functions, where a clash between two
// built-in suites is a programming error.
func MustRegister(s parity.Suite) {
	if err := Register(s); err != nil {
		panic(err)
	}
}

func suiteName(s parity.Suite) string {
	if n, ok := s.(interface{ Name() string }); ok {
		return n.Name()
	}
	return s.Info().Name
}

// All returns every registered suite, sorted by name.
func All() []parity.Suite {
	registryMu.RLock()
	defer registryMu.RUnlock()
	names := namesLocked()
	out := make([]parity.Suite, len(names))
	for i, n := range names {
		out[i] = registry[n]
	}
	return out
}

// Names returns the registered suite names, sorted.
func Names() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	return namesLocked()
}

func namesLocked() []string {
	return slices.Sorted(maps.Keys(registry))
}

// Sealed reports whether the registered suite called name holds data whose
// authors ask that the questions never appear in plain text (Spec.Sealed),
// so that nothing quoting them is published.
func Sealed(name string) bool {
	registryMu.RLock()
	s := registry[name]
	registryMu.RUnlock()
	sealed, ok := s.(interface{ Sealed() bool })
	return ok && sealed.Sealed()
}

// PublishesQuestions reports whether a published report may quote the
// questions and options of suite s: true only when its licence allows it
// (Spec.PublishQuestions, set in a built-in suite's own file or by
// publish_questions in a user suite's YAML) and its data are not sealed.
// Wrappers such as Circular answer for the suite they wrap; a suite that
// says nothing keeps its questions out.
func PublishesQuestions(s parity.Suite) bool {
	p, ok := s.(interface{ PublishQuestions() bool })
	return ok && p.PublishQuestions()
}

// Lookup resolves "name" or "name:subject" (mmlu:high_school_mathematics,
// mgsm:zh) to a suite and a subject. The suite is returned whole: the runner
// narrows it with parity.Select(items, subject, …), which keeps the subject
// in the run record and its fingerprint. Names are matched case-insensitively
// because users type them; a subject is returned as the data spell it, but
// may be typed with different case and punctuation. Errors carry
// parity.ErrUsage (the name was typed wrong) and list what would have worked.
func Lookup(spec string) (parity.Suite, string, error) {
	name, subject, hasSubject := strings.Cut(strings.TrimSpace(spec), ":")
	name = strings.ToLower(strings.TrimSpace(name))
	subject = strings.TrimSpace(subject)

	registryMu.RLock()
	s, ok := registry[name]
	known := namesLocked()
	registryMu.RUnlock()
	if !ok && name == CanaryName {
		c, err := CanarySet()
		if err != nil {
			return nil, "", err
		}
		s, ok = c, true
	}
	if !ok {
		// A contamination probe of a suite: "mmlu-guess", "math500-complete".
		p, err := lookupProbe(name)
		if err != nil {
			return nil, "", err
		}
		s, ok = p, p != nil
	}
	if !ok {
		return nil, "", parity.Errorf(parity.ErrUsage,
			"unknown suite %q: known suites are %s (run `parity suites` for details)",
			name, strings.Join(known, ", "))
	}
	if !hasSubject {
		return s, "", nil
	}
	if subject == "" {
		return nil, "", parity.Errorf(parity.ErrUsage,
			"empty subject in %q: use %s or %s:<subject>", spec, name, name)
	}
	var subjects []string
	if sj, ok := s.(Subjecter); ok {
		subjects = sj.Subjects()
	}
	if len(subjects) == 0 {
		return nil, "", parity.Errorf(parity.ErrUsage,
			"suite %s has no subjects: use %q without %q", name, name, ":"+subject)
	}
	for _, v := range subjects {
		if v == subject {
			return s, subject, nil
		}
	}
	// Subjects such as MATH's "Counting & Probability" are awkward to type,
	// so a spelling that differs only in case and punctuation
	// (counting_probability) resolves to the canonical one, as long as it
	// is unambiguous.
	var match []string
	for _, v := range subjects {
		if looseKey(v) == looseKey(subject) {
			match = append(match, v)
		}
	}
	if len(match) == 1 {
		return s, match[0], nil
	}
	return nil, "", parity.Errorf(parity.ErrUsage,
		"unknown subject %q for suite %s: valid subjects are %s",
		subject, name, strings.Join(subjects, ", "))
}

// looseKey keeps only the letters and digits of s, lowercased.
func looseKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
