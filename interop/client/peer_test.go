package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/internal/peers"
	"github.com/autobahn-go/autobahn/internal/testpeer"
)

// A peer process (testdata/py_peer.py or testdata/js_peer.js) runs the
// scenarios of one top-level test concurrently: every subtest adds its
// scenario (after setting up its Go side) and then calls t.Parallel; the
// parent starts the process once every subtest waits, and the subtests,
// resumed, interact with their scenario through the router and its output
// lines. One process per language keeps the package fast on a small machine.

const (
	// processTimeout bounds one peer process; the scripts give up by
	// themselves after 45 s (each scenario after 30 s).
	processTimeout = 55 * time.Second
	// awaitTimeout bounds each wait for a scenario's output.
	awaitTimeout = 20 * time.Second
	// nodeModules holds autobahn (scripts/install-peers.sh).
	nodeModules = "../node/node_modules"
)

// peerBatch is the scenarios of one peer process.
type peerBatch struct {
	lang  string // "python" or "node"
	specs []map[string]any
	byID  map[string]*scenario

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every line
	exited  bool
	problem string // the process did not end well
	stderr  bytes.Buffer
}

// scenario is what one scenario of the batch reported so far.
type scenario struct {
	b      *peerBatch
	id     string
	prefix string
	vals   map[string]json.RawMessage // under b.mu
	keys   []string
	lines  []string
	done   bool
	fail   string
}

func newBatch(lang string) *peerBatch {
	return &peerBatch{lang: lang, byID: map[string]*scenario{}, changed: make(chan struct{})}
}

// add puts a scenario of kind for subtest t into the batch, on the URI
// prefix prefix. Call it before t.Parallel.
func (b *peerBatch) add(t *testing.T, kind, prefix string, c conf, params map[string]any) *scenario {
	t.Helper()
	s := &scenario{b: b, id: t.Name(), prefix: prefix, vals: map[string]json.RawMessage{}}
	spec := map[string]any{"id": s.id, "kind": kind, "prefix": prefix, "transport": c.transport, "serializer": c.serializer}
	for k, v := range params {
		spec[k] = v
	}
	b.specs = append(b.specs, spec)
	b.byID[s.id] = s
	return s
}

// start runs the peer process with every scenario added; the parent's
// cleanup waits for it and reports a process that did not end well.
func (b *peerBatch) start(t *testing.T, rt *testRouter) {
	t.Helper()
	if len(b.specs) == 0 {
		return // -run selected none of the subtests
	}
	cfg := map[string]any{"ws": rt.ws, "rs": rt.rs, "rsHost": rt.rsHost, "rsPort": rt.rsPort, "realm": realm,
		"scenarios": b.specs}
	arg, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), processTimeout)
	var cmd *exec.Cmd
	switch b.lang {
	case "python":
		cmd = exec.CommandContext(ctx, testpeer.Python, "testdata/py_peer.py", string(arg))
	default:
		cmd = exec.CommandContext(ctx, "node", "testdata/js_peer.js", string(arg))
		cmd.Env = append(os.Environ(), "NODE_PATH="+absPath(nodeModules))
	}
	cmd.Stderr = &lockedWriter{mu: &b.mu, w: &b.stderr}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	startTime := time.Now()
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting the %s peer: %v", b.lang, err)
	}
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		defer cancel()
		ended, problems := b.read(stdout)
		if err := cmd.Wait(); err != nil {
			problems = append(problems, b.lang+": "+err.Error())
		}
		if !ended {
			problems = append(problems, b.lang+" did not print its end line")
		}
		b.mu.Lock()
		b.exited = true
		b.problem = strings.Join(problems, "\n")
		b.notifyLocked()
		b.mu.Unlock()
	}()
	t.Cleanup(func() {
		select {
		case <-exited:
		case <-time.After(processTimeout + 5*time.Second):
			t.Errorf("the %s peer is still running", b.lang)
			return
		}
		t.Logf("%s peer: %d scenarios in %v", b.lang, len(b.specs), time.Since(startTime).Round(time.Millisecond))
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.problem != "" {
			t.Errorf("%s peer process:\n%s", b.lang, b.problem)
		}
		if t.Failed() {
			t.Logf("%s peer stderr:\n%s", b.lang, b.stderr.String())
		}
	})
}

// read dispatches the output lines to the scenarios until the process
// closes its stdout.
func (b *peerBatch) read(stdout io.Reader) (ended bool, problems []string) {
	return peers.ReadLines(stdout, func(l peers.Line, text string) string {
		b.mu.Lock()
		defer b.mu.Unlock()
		defer b.notifyLocked()
		s := b.byID[l.S]
		if s == nil {
			return "line of an unknown scenario: " + text
		}
		s.lines = append(s.lines, text)
		switch {
		case l.Fail != nil:
			s.fail = *l.Fail
		case l.Done:
			s.done = true
		case l.K != nil:
			if _, dup := s.vals[*l.K]; !dup {
				s.keys = append(s.keys, *l.K)
			}
			s.vals[*l.K] = l.V
		}
		return ""
	})
}

func (b *peerBatch) notifyLocked() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// await returns the value the scenario reports under key, waiting for it;
// the test ends when the scenario ends (or fails) without it.
func (s *scenario) await(t *testing.T, key string) json.RawMessage {
	t.Helper()
	timer := time.NewTimer(awaitTimeout)
	defer timer.Stop()
	for {
		s.b.mu.Lock()
		v, ok := s.vals[key]
		ended := s.done || s.fail != "" || s.b.exited
		ch := s.b.changed
		s.b.mu.Unlock()
		if ok {
			return v
		}
		if ended {
			t.Fatalf("%s peer: no %q from the scenario, which ended\n%s", s.b.lang, key, s.report())
		}
		select {
		case <-ch:
		case <-timer.C:
			t.Fatalf("%s peer: no %q after %v\n%s", s.b.lang, key, awaitTimeout, s.report())
		}
	}
}

// waitDone waits until the scenario has finished; the test ends when it
// failed or did not finish.
func (s *scenario) waitDone(t *testing.T) {
	t.Helper()
	timer := time.NewTimer(awaitTimeout)
	defer timer.Stop()
	for {
		s.b.mu.Lock()
		done, failed, exited := s.done, s.fail != "", s.b.exited
		ch := s.b.changed
		s.b.mu.Unlock()
		switch {
		case done:
			return
		case failed || exited:
			t.Fatalf("%s peer: the scenario did not finish\n%s", s.b.lang, s.report())
		}
		select {
		case <-ch:
		case <-timer.C:
			t.Fatalf("%s peer: the scenario did not finish within %v\n%s", s.b.lang, awaitTimeout, s.report())
		}
	}
}

// report describes the scenario's output so far, for failures.
func (s *scenario) report() string {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	var w strings.Builder
	if s.fail != "" {
		fmt.Fprintf(&w, "scenario failed:\n%s\n", s.fail)
	}
	if s.b.problem != "" {
		fmt.Fprintf(&w, "process: %s\n", s.b.problem)
	}
	fmt.Fprintf(&w, "lines:\n  %s", strings.Join(s.lines, "\n  "))
	return w.String()
}

// get returns the value reported under key (the scenario has finished).
func (s *scenario) get(t *testing.T, key string) any {
	t.Helper()
	s.b.mu.Lock()
	raw, ok := s.vals[key]
	s.b.mu.Unlock()
	if !ok {
		t.Fatalf("no result %q\n%s", key, s.report())
	}
	return decodeJSON(t, raw)
}

// noUnexpectedClose checks that no session of the scenario closed before
// its end.
func (s *scenario) noUnexpectedClose(t *testing.T) {
	t.Helper()
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	keys := slicesSorted(s.keys)
	for _, k := range keys {
		if strings.HasPrefix(k, "unexpected_close.") {
			t.Errorf("%s peer: %s: %s", s.b.lang, k, s.vals[k])
		}
	}
}

func slicesSorted(in []string) []string {
	out := append([]string(nil), in...)
	sort.Strings(out)
	return out
}

func decodeJSON(t *testing.T, raw []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
	return v
}

func absPath(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}

// lockedWriter writes under a mutex shared with the readers of w.
type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

var nodeProbe struct {
	once    sync.Once
	problem string
}

// requireNode skips the test under -short, and when node or AutobahnJS
// 22.11.1 is missing (failing it instead when AUTOBAHN_INTEROP=1).
func requireNode(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("interop test (-short)")
	}
	nodeProbe.once.Do(func() {
		node, err := exec.LookPath("node")
		if err != nil {
			nodeProbe.problem = "node is not installed"
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, node, "-e", `const v = require('autobahn').version;
if (v !== '22.11.1') throw new Error('autobahn ' + v + ', want 22.11.1');`)
		cmd.Env = append(os.Environ(), "NODE_PATH="+absPath(nodeModules))
		if out, err := cmd.CombinedOutput(); err != nil {
			nodeProbe.problem = fmt.Sprintf("AutobahnJS unavailable (run scripts/install-peers.sh): %v\n%s", err, out)
		}
	})
	if nodeProbe.problem != "" {
		testpeer.Unavailable(t, nodeProbe.problem)
	}
}
