//go:build race

package sqltext

// raceEnabled reports that the race detector is on, which slows code by an
// order of magnitude and unevenly, so timing tests skip.
const raceEnabled = true
