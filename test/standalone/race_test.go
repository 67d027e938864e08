//go:build race

package standalone

// raceEnabled builds the commands under test with the race detector when
// the tests run with it, so that a data race in a real process fails the
// test that triggered it.
const raceEnabled = true
