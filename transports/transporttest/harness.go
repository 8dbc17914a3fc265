// Package transporttest is the conformance suite that every WAMP transport
// runs (in the spirit of gocloud's drivertest and net/nettest): one set of
// tests of the guarantees of [core.Transport], so that what one transport
// promises, every transport keeps. A transport package calls [Run] from a
// test with a [Harness] that connects a client to a server over it.
//
// The suite checks: OnOpen once, OnMessage in order, OnClose exactly once;
// Send honouring its context against a peer that does not read; a panicking
// handler closing only its own connection; Close from inside a handler; Send
// after Close; messages at the size limit and one byte over; 8 goroutines
// sending at once; every slow-peer policy; TrySend never waiting for a peer
// that does not read, also when the socket's buffers are full and no writer
// runs; and no goroutine left behind.
package transporttest

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

// Harness connects transports for the suite.
type Harness struct {
	// Connect establishes one connection and runs client on its client side
	// and server on its server side. It returns once the client's OnOpen
	// has run (the server's may follow), and fails t when it cannot
	// connect. The transports use opts; everything they open is closed by
	// the suite or by t.Cleanup. [Endpoint.Connect] does this for a
	// transport reached through a core.TransportFactory.
	Connect func(t *testing.T, client, server core.TransportHandler, opts Options)

	// MaxMessageSize is the largest serialized message both sides accept
	// and send (each side refuses to send a larger one); 0 skips the size
	// tests.
	MaxMessageSize int

	// Serializer is the serializer the transports negotiate (it sizes the
	// messages of the size tests); nil when messages are not serialized.
	Serializer core.Serializer
}

// Options are what the suite asks of a connection.
type Options struct {
	// ClientQueue configures the client side's send queue.
	ClientQueue core.QueueOptions
}

// wait bounds every wait of the suite.
const wait = 10 * time.Second

// handler is the suite's core.TransportHandler: it records what the
// transport does and checks the call order as it goes.
type handler struct {
	// onMessage, if set, runs for every message before it is recorded.
	onMessage func(t core.Transport, m core.Message)

	mu       sync.Mutex
	t        core.Transport
	opened   int
	closed   int
	msgs     []core.Message
	closeErr error
	problems []string
	changed  chan struct{}
}

func newHandler() *handler { return &handler{changed: make(chan struct{}, 1)} }

func (h *handler) problem(format string, args ...any) {
	h.problems = append(h.problems, fmt.Sprintf(format, args...))
}

func (h *handler) notify() {
	select {
	case h.changed <- struct{}{}:
	default:
	}
}

func (h *handler) OnOpen(t core.Transport) {
	h.mu.Lock()
	h.opened++
	if h.opened > 1 {
		h.problem("OnOpen called %d times", h.opened)
	}
	if h.closed > 0 {
		h.problem("OnOpen after OnClose")
	}
	h.t = t
	h.mu.Unlock()
	h.notify()
}

func (h *handler) OnMessage(m core.Message) {
	h.mu.Lock()
	if h.opened == 0 {
		h.problem("OnMessage before OnOpen")
	}
	if h.closed > 0 {
		h.problem("OnMessage after OnClose")
	}
	t, f := h.t, h.onMessage
	h.mu.Unlock()
	if f != nil {
		f(t, m)
	}
	h.mu.Lock()
	h.msgs = append(h.msgs, m)
	h.mu.Unlock()
	h.notify()
}

func (h *handler) OnClose(err error) {
	h.mu.Lock()
	h.closed++
	if h.closed > 1 {
		h.problem("OnClose called %d times", h.closed)
	}
	h.closeErr = err
	h.mu.Unlock()
	h.notify()
}

// transport returns the transport given to OnOpen.
func (h *handler) transport() core.Transport {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.t
}

// waitFor waits until cond (called with h.mu held) holds.
func (h *handler) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for {
		h.mu.Lock()
		ok := cond()
		h.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-h.changed:
		case <-deadline.C:
			t.Fatalf("timed out after %v waiting for %s", wait, what)
		}
	}
}

func (h *handler) waitMessages(t *testing.T, n int) []core.Message {
	t.Helper()
	h.waitFor(t, fmt.Sprintf("%d messages", n), func() bool { return len(h.msgs) >= n })
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]core.Message(nil), h.msgs...)
}

// waitClosed waits for OnClose and returns its error.
func (h *handler) waitClosed(t *testing.T) error {
	t.Helper()
	h.waitFor(t, "OnClose", func() bool { return h.closed > 0 })
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.closeErr
}

// check fails t with the call-order problems seen.
func (h *handler) check(t *testing.T, side string) {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.problems) > 0 {
		t.Errorf("%s handler: %s", side, strings.Join(h.problems, "; "))
	}
}

// event is a message of the suite: an EVENT whose publication id numbers it
// and whose single argument pads it.
func event(n int, pad string) core.Message {
	e := &core.Event{Subscription: 1, Publication: uint64(n) + 1}
	if pad != "" {
		e.Args = []any{pad}
	}
	return e
}

// number returns the number of a message made by event.
func number(m core.Message) int {
	e, ok := m.(*core.Event)
	if !ok {
		return -1
	}
	return int(e.Publication) - 1
}

func closeWithin(t *testing.T, tr core.Transport) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	return tr.Close(ctx)
}

// Endpoint connects through a [core.TransportFactory]: a listener per
// connection, and a dialer.
type Endpoint struct {
	// Factory listens and dials.
	Factory core.TransportFactory
	// ListenURL returns where to listen for the next connection (port 0
	// for a free port; a fresh path for Unix sockets).
	ListenURL func() string
	// DialURL is the URL that reaches listener l.
	DialURL func(l core.Listener) string
	// Config is the configuration of each side for the suite's options.
	Config func(opts Options, server bool) core.TransportConfig
}

// Connect is a [Harness.Connect] for the endpoint.
func (e Endpoint) Connect(t *testing.T, client, server core.TransportHandler, opts Options) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	lu, err := url.Parse(e.ListenURL())
	if err != nil {
		t.Fatal(err)
	}
	l, err := e.Factory.Listen(ctx, lu, e.Config(opts, true), func(core.Transport) core.TransportHandler { return server })
	if err != nil {
		t.Fatalf("listen %s: %v", lu, err)
	}
	t.Cleanup(func() { l.Close() })
	du, err := url.Parse(e.DialURL(l))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Factory.Dial(ctx, du, e.Config(opts, false), client); err != nil {
		t.Fatalf("dial %s: %v", du, err)
	}
}
