package memory_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/transports/memory"
)

// events records a handler's calls in order.
type events struct {
	mu     sync.Mutex
	got    []string
	onOpen func(core.Transport)
	closed chan struct{}
}

func newEvents() *events { return &events{closed: make(chan struct{})} }

func (e *events) add(s string) {
	e.mu.Lock()
	e.got = append(e.got, s)
	e.mu.Unlock()
}
func (e *events) OnOpen(t core.Transport) {
	e.add("open")
	if e.onOpen != nil {
		e.onOpen(t)
	}
}
func (e *events) OnMessage(core.Message) { e.add("msg") }
func (e *events) OnClose(error)          { e.add("close"); close(e.closed) }

func (e *events) wait(t *testing.T) []string {
	t.Helper()
	select {
	case <-e.closed:
	case <-time.After(5 * time.Second):
		t.Fatal("no OnClose")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.got...)
}

// TestCloseInOnOpen: a server that answers and closes in its OnOpen (a
// router refusing a session) ends the client properly: OnOpen, the message,
// then OnClose, even though the server's side ended before the client's
// started.
func TestCloseInOnOpen(t *testing.T) {
	server, client := newEvents(), newEvents()
	server.onOpen = func(tr core.Transport) {
		tr.Send(context.Background(), &core.Abort{Reason: core.URINoSuchRealm})
		tr.Close(context.Background())
		time.Sleep(50 * time.Millisecond) // let the end race ahead of the client's start
	}
	if _, err := memory.Connect(func(core.Transport) core.TransportHandler { return server }, client, memory.Options{}); err != nil {
		t.Fatal(err)
	}
	if got := client.wait(t); len(got) != 3 || got[0] != "open" || got[1] != "msg" || got[2] != "close" {
		t.Errorf("client saw %v, want [open msg close]", got)
	}
	if got := server.wait(t); len(got) != 2 || got[1] != "close" {
		t.Errorf("server saw %v, want [open close]", got)
	}
}
