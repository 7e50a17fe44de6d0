//go:build !race

package main

// raceDetector is true in a build with the race detector, under which
// every SQLite commit takes many times longer.
const raceDetector = false
