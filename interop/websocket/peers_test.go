package wsinterop

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/internal/testpeer"
)

// nodeModules holds ws (installed by scripts/install-peers.sh).
const nodeModules = "../node/node_modules"

// eventTimeout bounds every wait for a peer: generous, as Python startup
// and pure-Python UTF-8 validation are slow on a loaded machine.
const eventTimeout = 30 * time.Second

// peerKind names a third-party implementation.
type peerKind string

const (
	autobahnPeer peerKind = "autobahn"
	wsPeer       peerKind = "ws"
)

// peerRole is the side the peer plays.
type peerRole string

const (
	peerServer peerRole = "server" // our client connects to it
	peerClient peerRole = "client" // it connects to our server
)

// event is one line a peer reports.
type event struct {
	Event      string `json:"event"`
	ID         string `json:"id"`
	Port       int    `json:"port"`
	Binary     bool   `json:"binary"`
	Size       int    `json:"size"`
	SHA256     string `json:"sha256"`
	Payload    string `json:"payload"`
	WasClean   bool   `json:"wasClean"`
	Code       int    `json:"code"`
	Reason     string `json:"reason"`
	Compressed bool   `json:"compressed"`
	Extensions string `json:"extensions"`
	Offer      string `json:"offer"`
	Path       string `json:"path"`
	Status     int    `json:"status"`
	Message    string `json:"message"`
	Op         string `json:"op"`
}

// peerProc is a running peer process.
type peerProc struct {
	kind  peerKind
	role  peerRole
	cmd   *exec.Cmd
	stdin io.WriteCloser
	port  int // peer servers: the port they listen on

	mu     sync.Mutex
	chans  map[string]chan event
	output bytes.Buffer // stderr and lines that are not events, for failure messages
	exited chan struct{}
}

var (
	procsMu sync.Mutex
	procs   = map[string]*peerProc{}
	// probes holds, per kind, why the peer cannot run ("" if it can).
	probes = map[peerKind]string{}
)

// probe tells why a peer of kind cannot run, or "".
func probe(kind peerKind) string {
	if p, ok := probes[kind]; ok {
		return p
	}
	ctx, cancel := context.WithTimeout(context.Background(), eventTimeout)
	defer cancel()
	var cmd *exec.Cmd
	switch kind {
	case autobahnPeer:
		cmd = exec.CommandContext(ctx, testpeer.Python, "-c", "import txaio; txaio.use_twisted(); import autobahn.twisted.websocket, autobahn.websocket.compress")
	case wsPeer:
		node, err := exec.LookPath("node")
		if err != nil {
			probes[kind] = "node is not installed"
			return probes[kind]
		}
		cmd = exec.CommandContext(ctx, node, "-e", "require('ws')")
		cmd.Env = append(os.Environ(), "NODE_PATH="+absPath(nodeModules))
	}
	problem := ""
	if out, err := cmd.CombinedOutput(); err != nil {
		problem = fmt.Sprintf("peer %s unavailable: %v\n%s", kind, err, out)
	}
	probes[kind] = problem
	return problem
}

func absPath(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}

// getPeer returns the running peer of kind in role, starting it on first
// use. A peer that cannot run skips the test, or fails it when
// AUTOBAHN_INTEROP=1.
func getPeer(t *testing.T, kind peerKind, role peerRole) *peerProc {
	t.Helper()
	procsMu.Lock()
	defer procsMu.Unlock()
	if problem := probe(kind); problem != "" {
		testpeer.Unavailable(t, problem)
	}
	key := string(kind) + "/" + string(role)
	if p := procs[key]; p != nil {
		select {
		case <-p.exited:
			t.Fatalf("peer %s exited earlier:\n%s", key, p.outputText())
		default:
		}
		return p
	}
	p, err := startPeer(kind, role)
	if err != nil {
		t.Fatalf("start peer %s: %v", key, err)
	}
	procs[key] = p
	return p
}

func startPeer(kind peerKind, role peerRole) (*peerProc, error) {
	p := &peerProc{kind: kind, role: role, chans: map[string]chan event{}, exited: make(chan struct{})}
	switch kind {
	case autobahnPeer:
		p.cmd = exec.Command(testpeer.Python, "peers/autobahn_peer.py", string(role))
	case wsPeer:
		p.cmd = exec.Command("node", "peers/ws_peer.js", string(role))
		p.cmd.Env = append(os.Environ(), "NODE_PATH="+absPath(nodeModules))
	}
	p.cmd.Stderr = &lockedWriter{p: p}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	listening := make(chan int, 1)
	go func() {
		defer close(p.exited)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			var ev event
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil || ev.Event == "" {
				p.mu.Lock()
				p.output.Write(sc.Bytes())
				p.output.WriteByte('\n')
				p.mu.Unlock()
				continue
			}
			if ev.Event == "listening" {
				listening <- ev.Port
				continue
			}
			p.events(ev.ID) <- ev
		}
		p.cmd.Wait()
	}()
	if role == peerClient {
		return p, nil
	}
	select {
	case p.port = <-listening:
		return p, nil
	case <-p.exited:
		return nil, fmt.Errorf("exited before listening:\n%s", p.outputText())
	case <-time.After(eventTimeout):
		p.stop()
		return nil, fmt.Errorf("not listening after %v:\n%s", eventTimeout, p.outputText())
	}
}

type lockedWriter struct{ p *peerProc }

func (w *lockedWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	if w.p.output.Len() < 1<<20 {
		w.p.output.Write(b)
	}
	return len(b), nil
}

func (p *peerProc) outputText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.output.String()
}

// events is the channel of the events of connection id.
func (p *peerProc) events(id string) chan event {
	p.mu.Lock()
	defer p.mu.Unlock()
	ch := p.chans[id]
	if ch == nil {
		ch = make(chan event, 4096)
		p.chans[id] = ch
	}
	return ch
}

// expect waits for the next event called name of connection id; other
// events before it are skipped (and logged, except the usual ones).
func (p *peerProc) expect(t *testing.T, id, name string) event {
	t.Helper()
	return p.expectAny(t, id, name)
}

// expectAny waits for the next event with one of names.
func (p *peerProc) expectAny(t *testing.T, id string, names ...string) event {
	t.Helper()
	ch := p.events(id)
	timeout := time.After(eventTimeout)
	for {
		select {
		case ev := <-ch:
			if slices.Contains(names, ev.Event) {
				return ev
			}
			if ev.Event != "connect" && ev.Event != "dialing" && ev.Event != "cmd" {
				t.Logf("%s %s: skipping event %+v while waiting for %q", p.kind, id, ev, names)
			}
		case <-timeout:
			t.Fatalf("%s peer (%s), connection %s: no %q event after %v; peer output:\n%s", p.kind, p.role, id, names, eventTimeout, outputTail(p.outputText()))
		case <-p.exited:
			t.Fatalf("%s peer (%s) exited; output:\n%s", p.kind, p.role, outputTail(p.outputText()))
		}
	}
}

// connect makes a client peer open a connection.
func (p *peerProc) connect(t *testing.T, req map[string]any) {
	t.Helper()
	b, _ := json.Marshal(req)
	if _, err := p.stdin.Write(append(b, '\n')); err != nil {
		t.Fatalf("write to %s peer: %v", p.kind, err)
	}
}

func (p *peerProc) stop() {
	p.stdin.Close()
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
}

// stopPeers ends all peer processes.
func stopPeers() {
	procsMu.Lock()
	defer procsMu.Unlock()
	for key, p := range procs {
		p.stop()
		delete(procs, key)
	}
}

// outputTail is the end of s, for messages.
func outputTail(s string) string {
	if len(s) > 2000 {
		return "..." + s[len(s)-2000:]
	}
	return strings.TrimSpace(s)
}
