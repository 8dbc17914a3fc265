package testpeer

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// Python is the interpreter with Autobahn|Python and its serializers (Debian
// packages, see /work/shared/INTEROP.md); another python3 earlier on PATH may
// lack them.
const Python = "/usr/bin/python3"

// EnvInterop names the environment variable that, when "1", makes a missing
// peer a test failure instead of a skip.
const EnvInterop = "AUTOBAHN_INTEROP"

// pythonBase is what every Autobahn|Python peer needs: Twisted-flavoured
// Autobahn and the libraries of its serializers.
const pythonBase = "import txaio; txaio.use_twisted(); import autobahn, twisted, cbor2, msgpack, ubjson"

var (
	probeMu sync.Mutex
	probes  = map[string]string{} // import statement → problem, "" if none
)

// Unavailable ends the test because a peer cannot run, problem telling why:
// it fails the test when AUTOBAHN_INTEROP=1, and skips it otherwise.
func Unavailable(t testing.TB, problem string) {
	t.Helper()
	if os.Getenv(EnvInterop) == "1" {
		t.Fatalf("%s=1 but %s", EnvInterop, problem)
	}
	t.Skipf("%s (set %s=1 to make this a failure)", problem, EnvInterop)
}

// RequirePython skips the test under -short, and when Autobahn|Python, its
// serializer libraries or the extra Python modules cannot be imported by
// Python (failing it instead when AUTOBAHN_INTEROP=1). The probe runs once
// per set of modules.
func RequirePython(t testing.TB, modules ...string) {
	t.Helper()
	if testing.Short() {
		t.Skip("interop test (-short)")
	}
	stmt := pythonBase
	if len(modules) > 0 {
		stmt += ", " + strings.Join(modules, ", ")
	}
	probeMu.Lock()
	problem, ok := probes[stmt]
	if !ok {
		if out, err := exec.Command(Python, "-c", stmt).CombinedOutput(); err != nil {
			problem = "Autobahn|Python is not usable: " + err.Error() + "\n" + string(out)
		}
		probes[stmt] = problem
	}
	probeMu.Unlock()
	if problem != "" {
		Unavailable(t, problem)
	}
}

// StartPythonServer runs Python with script (and args) as a server that
// prints the port it listens on as its first line, and returns that port. name
// (e.g. "python server") names it in failures; the process is killed when the
// test ends, and its stderr logged if the test failed.
func StartPythonServer(t testing.TB, name, script string, args ...string) string {
	t.Helper()
	cmd := exec.Command(Python, append([]string{"-c", script}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("%s: stdout pipe: %v", name, err)
	}
	var stderr LockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("%s stderr:\n%s", name, stderr.String())
		}
	})
	port := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		port <- strings.TrimSpace(line)
		io.Copy(io.Discard, stdout)
	}()
	select {
	case p := <-port:
		if p == "" {
			t.Fatalf("%s did not start", name)
		}
		return p
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not start", name)
		return ""
	}
}

// LockedBuffer is a bytes.Buffer safe for a process (or a logger) writing
// while the test reads.
type LockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *LockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written.
func (b *LockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// AutobahnClientRoles are the roles and features Autobahn|Python 22.7
// announces in HELLO (autobahn.wamp.role.DEFAULT_CLIENT_ROLES).
var AutobahnClientRoles = map[string]map[string]bool{
	"subscriber": {"publisher_identification": true, "pattern_based_subscription": true, "subscription_revocation": true,
		"payload_transparency": true, "payload_encryption_cryptobox": true},
	"publisher": {"publisher_identification": true, "subscriber_blackwhite_listing": true, "publisher_exclusion": true,
		"payload_transparency": true, "x_acknowledged_event_delivery": true, "payload_encryption_cryptobox": true},
	"caller": {"caller_identification": true, "call_canceling": true, "progressive_call_results": true,
		"payload_transparency": true, "payload_encryption_cryptobox": true},
	"callee": {"caller_identification": true, "pattern_based_registration": true, "shared_registration": true,
		"call_canceling": true, "progressive_call_results": true, "registration_revocation": true,
		"payload_transparency": true, "payload_encryption_cryptobox": true},
}
