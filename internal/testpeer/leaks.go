package testpeer

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// RunWithLeakCheck runs the tests of m and then checks that no goroutine
// whose stack mentions one of markers (such as "transports/rawsocket.") is
// still running after a grace period of 5 s: every connection, reader and
// writer the tests started must have ended. It returns the exit code for
// os.Exit: the tests' own, or 1 after a leak (with the stacks on stderr).
func RunWithLeakCheck(m *testing.M, markers ...string) int {
	code := m.Run()
	if code != 0 {
		return code
	}
	var leaked []string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		leaked = goroutinesOf(markers)
		if len(leaked) == 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(leaked) > 0 {
		fmt.Fprintf(os.Stderr, "goroutine leak: %d goroutines still running:\n%s\n", len(leaked), strings.Join(leaked, "\n\n"))
		return 1
	}
	return 0
}

// goroutinesOf returns the stacks, other than the caller's, that mention
// one of markers.
func goroutinesOf(markers []string) []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for i, g := range strings.Split(string(buf), "\n\n") {
		if i == 0 { // the caller's own goroutine comes first
			continue
		}
		for _, m := range markers {
			if strings.Contains(g, m) {
				out = append(out, g)
				break
			}
		}
	}
	return out
}
