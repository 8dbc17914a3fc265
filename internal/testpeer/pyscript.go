package testpeer

import (
	"bytes"
	"encoding/hex"
	"os/exec"
	"strings"
	"testing"
)

// RunPythonScript runs script with [Python], feeding it stdin, and returns
// what it printed; the test fails with the script's stderr if it exits
// non-zero. It is for the short scripts that encode or decode test values
// with a Python library (pymongo's bson, py-ubjson).
func RunPythonScript(t testing.TB, script, stdin string) string {
	t.Helper()
	cmd := exec.Command(Python, "-c", script)
	cmd.Stdin = strings.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.String())
	}
	return string(out)
}

// PythonHexLines runs script with the inputs in hex, one per line, on its
// stdin, and returns its output lines, which must be one per input: a
// script that decodes each input with a Python library and prints what it
// got.
func PythonHexLines(t testing.TB, script string, inputs [][]byte) []string {
	t.Helper()
	var sb strings.Builder
	for _, in := range inputs {
		sb.WriteString(hex.EncodeToString(in) + "\n")
	}
	lines := strings.Split(strings.TrimSpace(RunPythonScript(t, script, sb.String())), "\n")
	if len(lines) != len(inputs) {
		t.Fatalf("python printed %d lines for %d inputs:\n%s", len(lines), len(inputs), strings.Join(lines, "\n"))
	}
	return lines
}
