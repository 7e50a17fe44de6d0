// Package parity holds the domain types and contracts of the parity benchmark
// harness: what a benchmark item is, what a model is asked and answers, how an
// answer is scored, and what a run records. It imports only the standard
// library so that every sub-package can speak in these types without
// depending on each other.
//
// Data flows one way: suites produce Items, runners turn them into Requests
// for a Client, score the Completions with the suite's scorer and hand the
// resulting Samples to a Store; reports read the stored rows.
package parity

// Version is the parity release recorded with every run. It is overwritten at
// build time with -ldflags "-X github.com/parity-bench/parity.Version=...".
var Version = "0.1.0-dev"

// GitRevision is the source revision recorded with every run, set at build
// time like Version. Empty when unknown.
var GitRevision = ""
