//go:build race

package examples_test

// The examples are built with the race detector too when the test is.
func init() { raceEnabled = true }
