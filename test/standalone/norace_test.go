//go:build !race

package standalone

// raceEnabled is false: the tests run without the race detector, and so
// do the commands they start.
const raceEnabled = false
