//go:build !race

package answer

// raceEnabled is true when the tests run under the race detector.
const raceEnabled = false
