package cryptobox

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/internal/peers"
	"github.com/autobahn-go/autobahn/internal/testpeer"
)

// pyPeer is the Autobahn|Python process of a test (testdata/py_peer.py),
// running while the test talks to it through the router: what its
// scenarios report is read with peers.ReadLines as it comes.
type pyPeer struct {
	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every line and at exit
	vals    map[string]json.RawMessage
	done    map[string]bool
	fails   []string
	lines   []string
	exited  bool
	problem string
	stderr  testpeer.LockedBuffer
}

// startPeer runs the peer with arg (the scenarios included) for at most
// timeout; the test's cleanup waits for it and reports a process that did
// not end well.
func startPeer(t *testing.T, timeout time.Duration, arg map[string]any) *pyPeer {
	t.Helper()
	js, err := json.Marshal(arg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	cmd := exec.CommandContext(ctx, testpeer.Python, "testdata/py_peer.py", string(js))
	cmd.WaitDelay = 5 * time.Second
	p := &pyPeer{changed: make(chan struct{}), vals: map[string]json.RawMessage{}, done: map[string]bool{}}
	cmd.Stderr = &p.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting Autobahn|Python: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		defer cancel()
		ended, problems := peers.ReadLines(stdout, p.line)
		if err := cmd.Wait(); err != nil {
			problems = append(problems, fmt.Sprintf("python: %v (killed means it ran out of time)", err))
		}
		if !ended {
			problems = append(problems, "python did not print its end line")
		}
		p.mu.Lock()
		p.exited, p.problem = true, strings.Join(problems, "\n")
		p.notifyLocked()
		p.mu.Unlock()
	}()
	t.Cleanup(func() {
		select {
		case <-exited:
		case <-time.After(timeout + 10*time.Second):
			t.Error("the python peer is still running")
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.problem != "" || len(p.fails) > 0 {
			t.Errorf("python peer: %s\n%s", p.problem, strings.Join(p.fails, "\n"))
		}
		if t.Failed() {
			t.Logf("python output:\n%s\npython stderr:\n%s", strings.Join(p.lines, "\n"), p.stderr.String())
		}
	})
	return p
}

func (p *pyPeer) line(l peers.Line, text string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lines = append(p.lines, text)
	switch {
	case l.Fail != nil:
		p.fails = append(p.fails, l.S+": "+*l.Fail)
	case l.Done:
		p.done[l.S] = true
	case l.K != nil:
		p.vals[l.S+"/"+*l.K] = l.V
	}
	p.notifyLocked()
	return ""
}

func (p *pyPeer) notifyLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// await returns what scenario s reported under key k (decoded with
// numbers as json.Number), waiting for it; it ends the test when the value
// does not come or the scenario fails.
func (p *pyPeer) await(t *testing.T, s, k string) any {
	t.Helper()
	deadline := time.After(awaitTimeout)
	for {
		p.mu.Lock()
		v, ok := p.vals[s+"/"+k]
		failed, exited, changed := len(p.fails) > 0, p.exited, p.changed
		p.mu.Unlock()
		if ok {
			return peers.Normalize(t, v)
		}
		if failed || exited {
			t.Fatalf("python's %s scenario reported no %q (failed or ended)", s, k)
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("python's %s scenario did not report %q within %v", s, k, awaitTimeout)
		}
	}
}
