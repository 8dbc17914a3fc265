package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

// Failure says why the engine fails a connection; the wire turns it into its
// own signal (a WebSocket close code, a dropped RawSocket connection).
type Failure uint8

// The reasons the engine fails a connection.
const (
	// FailProtocol: the peer sent bytes that are not a valid WAMP message
	// (WebSocket close code 1002).
	FailProtocol Failure = iota + 1
	// FailInternal: a handler panicked (WebSocket close code 1011).
	FailInternal
	// FailSlowPeer: the peer does not read (queue overflow under
	// SlowPeerFail, or a stalled write).
	FailSlowPeer
	// FailWrite: a write failed; the connection is broken.
	FailWrite
)

// Outgoing is one message handed to the wire.
type Outgoing struct {
	// Data is the serialized message, or several concatenated into one
	// batch; nil when the connection has no serializer.
	Data []byte
	// Msg is the message itself (nil for a combined batch). Wires without a
	// serializer (in-memory pass-through) deliver it as it is.
	Msg core.Message
}

// Wire is the framing below the engine: what a transport package provides.
type Wire interface {
	// Write writes msgs in order, each one transport message, and gives up
	// at deadline (zero: no deadline). The engine calls it from one
	// goroutine at a time. An error means the connection is unusable.
	// msgs is empty when only the rest of a message that TryWrite wrote in
	// part is left to write (see TryWriter).
	Write(msgs []Outgoing, deadline time.Time) error
	// Close starts the clean end of the connection once everything queued
	// is written (WebSocket's closing handshake, RawSocket's half-close).
	// It must not wait for the peer: the wire's reader calls [Closed]
	// when the connection is gone.
	Close()
	// Fail ends the connection because of f; cause says why. The wire's
	// reader then calls Closed.
	Fail(f Failure, cause error)
	// Abort drops the connection at once; the reader then calls Closed.
	Abort()
}

// TryWriter is a Wire that can write a message on the goroutine that sends
// it, without waiting for anything: the engine then skips the hand-off to
// its writer goroutine (a wake-up and a context switch per message) when
// no writer runs. A wire enables it with [SetTryWriter], only over
// connections where a write can be made without waiting (plain TCP and
// Unix sockets; not TLS).
type TryWriter interface {
	// TryWrite writes o now if that needs no waiting: the wire's write
	// locks are free, nothing of an earlier message is left unwritten, and
	// the socket takes at least part of o at once. It reports false when
	// it wrote nothing; the engine then queues o for its writer as usual,
	// and the writer meets and reports any write error. When it reports
	// true, o is the wire's: written whole, or (pending true) written in
	// part, the rest kept by the wire and written before anything else by
	// the next Write — which the engine then calls from its writer, with no
	// messages if none are queued. TryWrite must never block: the engine
	// calls it from whichever goroutine sends, typically the reader of
	// another connection.
	TryWrite(o Outgoing) (taken, pending bool)
}

// Debug holds Autobahn's debugging options, the same for every transport.
type Debug struct {
	// LogOctets logs every transport message's bytes (hex) at debug level.
	LogOctets bool
	// LogFrames logs every transport message (direction, type, size) at
	// debug level.
	LogFrames bool
	// TrackTimings records [core.TransportTimings].
	TrackTimings bool
}

// Settings are shared by the connections of one listener or dialer.
type Settings struct {
	// Name prefixes errors and log lines: "websocket", "rawsocket", …
	Name string
	// Queue configures the send queue; Resolved is applied by New.
	Queue core.QueueOptions
	// Logger receives the engine's log lines; nil means slog.Default().
	Logger *slog.Logger
	// Debug holds the debugging options.
	Debug Debug
	// ProtocolViolation, if set, is wrapped by the error of a connection
	// failed for an undecodable message, besides the serializer's error.
	ProtocolViolation error
}

// Transport states; written under Transport.mu, read with atomics on the fast paths.
const (
	stOpen    uint32 = iota
	stClosing        // Close called: queued messages are still written
	stFailed         // the engine failed the connection
	stAborted        // Abort called
	stClosed         // the connection is gone
)

var errClosed = errors.New("transport closed")

// Transport is a WAMP transport: [core.Transport], [core.TrySender],
// [core.StatsReporter] and [core.DoneNotifier] over a [Wire]. Transport
// packages embed it in their exported transport type; its methods are the
// public API of every transport. What only a wire may do (Start, Accept,
// Receive, ReceiveMessage, Closed, Fail, …) are functions of this package,
// so that embedding does not make them methods of the transports.
//
// Concurrency: every method may be called from any goroutine. The wire's
// reader calls Start or Accept, then Receive for every incoming transport
// message, then Closed, and the handler's methods run on it in that order.
type Transport struct {
	wire    Wire
	tw      TryWriter // nil unless the wire enabled SetTryWriter
	s       *Settings
	maxOut  int                    // largest serialized message the peer accepts; 0 = any
	details *core.TransportDetails // shared by the connections of an in-memory listener
	h       core.TransportHandler
	self    core.Transport // what handlers see: the transport package's type
	timings *timings       // nil unless Debug.TrackTimings

	state     atomic.Uint32
	inHandler atomic.Bool // the reader is inside a handler callback

	msgsIn, bytesIn, msgsOut, bytesOut, dropped, refused atomic.Uint64

	mu          sync.Mutex
	queue       []Outgoing
	queueBytes  int
	writing     bool          // the writer runs, or a sender writes (TryWriter)
	wirePending bool          // the wire keeps part of a message: the writer must call Write
	closeSent   bool          // Wire.Close was called
	overflowing bool          // an overflow was logged since the queue last drained
	wake        chan struct{} // closed when the queue or the state changes
	done        chan struct{} // made on demand: most connections are never waited for
	closedDone  bool          // OnClose has returned
	// reason is why the engine failed the connection (state stFailed), then
	// the error OnClose got (stClosed; nil after a clean close).
	reason error
}

// closedChan is a closed channel, the Done of connections that ended before
// anyone asked.
var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

var (
	_ core.Transport     = (*Transport)(nil)
	_ core.TrySender     = (*Transport)(nil)
	_ core.StatsReporter = (*Transport)(nil)
	_ core.DoneNotifier  = (*Transport)(nil)
)

// Resolve checks s and fills in its defaults; transports call it once per
// listener or dialer.
func (s *Settings) Resolve() error {
	q, err := s.Queue.Resolved()
	if err != nil {
		return fmt.Errorf("%s: %w", s.Name, err)
	}
	s.Queue = q
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	return nil
}

// New returns the transport over w. ser is the negotiated serializer (nil for
// a pass-through in-memory wire), details describe the connection (computed
// once), and maxOut is the largest serialized message the peer accepts (0:
// no limit). s must have been resolved.
func New(w Wire, s *Settings, ser core.Serializer, details core.TransportDetails, maxOut int) *Transport {
	details.Serializer = ser
	c := &Transport{}
	Init(c, w, s, &details, maxOut)
	return c
}

// Init is New for a Transport that the caller allocated (embedded in its
// own type, to save an allocation per connection), with details that may
// be shared by connections that are described alike; details.Serializer is
// the serializer (nil for pass-through), and details must not change.
func Init(c *Transport, w Wire, s *Settings, details *core.TransportDetails, maxOut int) {
	c.wire, c.s, c.maxOut, c.details = w, s, maxOut, details
	c.self = c
	if s.Debug.TrackTimings {
		c.timings = &timings{}
	}
}

// SetTransport makes handlers and acceptors see t, the transport package's
// type that embeds c (so that they can reach its extra methods), instead of
// c itself. Call it before Start or Accept.
func SetTransport(c *Transport, t core.Transport) { c.self = t }

// SetTryWriter lets the engine write through tw (the wire of c) on the
// sending goroutine whenever no writer runs. Call it before Start or Accept.
func SetTryWriter(c *Transport, tw TryWriter) { c.tw = tw }

// Details describes the connection. A wire that implements ExtraDetails
// fills Extra (and with HTTPHeadersDetails HTTPHeaders) anew on each call
// instead of the connection keeping them: the router asks for the peer of
// every session at HELLO, and an idle session must not hold maps (about
// 1 KiB) for that.
func (c *Transport) Details() core.TransportDetails {
	d := *c.details
	if x, ok := c.wire.(ExtraDetails); ok {
		d.Extra = x.ExtraDetails()
		if h, ok := x.(HTTPHeadersDetails); ok {
			d.HTTPHeaders = h.HTTPHeaders()
		}
	}
	return d
}

// ExtraDetails is a Wire that builds core.TransportDetails.Extra on demand.
type ExtraDetails interface {
	ExtraDetails() map[string]any
}

// HTTPHeadersDetails is an ExtraDetails wire that also builds
// core.TransportDetails.HTTPHeaders on demand, with Extra (a WebSocket
// connection keeps its handshake packed until then).
type HTTPHeadersDetails interface {
	HTTPHeaders() map[string][]string
}

// Done is closed once the connection is gone and OnClose has returned.
func (c *Transport) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		if c.closedDone {
			return closedChan
		}
		c.done = make(chan struct{})
	}
	return c.done
}

// Handler returns the handler given to Start, or nil.
func Handler(c *Transport) core.TransportHandler { return c.h }

func (c *Transport) peer() string { return c.details.Peer }

// Start runs h over the connection: OnOpen now, on the caller's goroutine
// (the wire's reader). It reports false when OnOpen panicked (the connection
// is then failed).
func Start(c *Transport, h core.TransportHandler) bool {
	c.h = h
	if c.timings != nil {
		c.timings.set(func(t *core.TransportTimings) { t.Opened = time.Now() })
	}
	return c.callback("OnOpen", nil)
}

// Accept asks a listener's acceptor for the handler and starts it. A nil
// handler closes the connection again; Accept then reports false, as it
// does when the acceptor or OnOpen panicked.
func Accept(c *Transport, accept core.Acceptor) bool {
	var h core.TransportHandler
	if !c.guard("acceptor", func() { h = accept(c.self) }) {
		return false
	}
	if h == nil {
		c.beginClose()
		return false
	}
	return Start(c, h)
}

// Receive decodes one incoming transport message and hands its WAMP messages
// to OnMessage, in order. It reports false when the connection must stop
// reading: the message was invalid or a handler panicked (the connection is
// then failed), or the connection failed or was aborted meanwhile.
func Receive(c *Transport, data []byte) bool {
	if st := c.state.Load(); st == stFailed || st == stAborted || st == stClosed {
		return false
	}
	c.bytesIn.Add(uint64(len(data)))
	c.logIn(data)
	msgs, err := c.details.Serializer.Unserialize(data)
	if err != nil {
		if c.s.ProtocolViolation != nil {
			err = fmt.Errorf("%w: undecodable message of %d bytes: %w", c.s.ProtocolViolation, len(data), err)
		} else {
			err = fmt.Errorf("undecodable message of %d bytes: %w", len(data), err)
		}
		Fail(c, FailProtocol, err)
		return false
	}
	for _, m := range msgs {
		if !ReceiveMessage(c, m) {
			return false
		}
	}
	return true
}

// ReceiveMessage hands one decoded message to OnMessage (Receive does this
// for each message; pass-through wires call it directly).
func ReceiveMessage(c *Transport, m core.Message) bool {
	if st := c.state.Load(); st == stFailed || st == stAborted || st == stClosed {
		return false
	}
	c.msgsIn.Add(1)
	if c.timings != nil {
		c.timings.set(func(t *core.TransportTimings) { t.LastReceived = time.Now() })
	}
	return c.callback("OnMessage", m)
}

// callback runs OnOpen (m nil) or OnMessage(m) with the panic contained. It
// is written out rather than built on guard so that delivering a message
// allocates no closure.
func (c *Transport) callback(name string, m core.Message) (ok bool) {
	c.inHandler.Store(true)
	defer c.recoverHandler(name, &ok)
	if m == nil {
		c.h.OnOpen(c.self)
	} else {
		c.h.OnMessage(m)
	}
	return true
}

// guard runs f as a handler callback with the panic contained.
func (c *Transport) guard(name string, f func()) (ok bool) {
	c.inHandler.Store(true)
	defer c.recoverHandler(name, &ok)
	f()
	return true
}

// recoverHandler ends a handler callback: a panic is logged with its stack
// and fails the connection (except in OnClose, when it is already gone).
func (c *Transport) recoverHandler(name string, ok *bool) {
	c.inHandler.Store(false)
	r := recover()
	if r == nil {
		return
	}
	*ok = false
	err := fmt.Errorf("panic in transport handler %s: %v", name, r)
	c.s.Logger.Error(c.s.Name+": "+err.Error(), "peer", c.peer(), "stack", stack())
	if name != "OnClose" {
		Fail(c, FailInternal, err)
	}
}

// Closed ends the connection: the wire's reader calls it once the
// connection is gone, with nil after a clean close or the error that ended
// it. The handler's OnClose gets the engine's own reason when the engine
// failed or aborted the connection (unless err already wraps it), else err,
// wrapped in a [*core.TransportLost].
func Closed(c *Transport, err error) {
	c.mu.Lock()
	switch c.state.Load() {
	case stAborted:
		err = core.ErrAborted
	case stFailed:
		if err == nil || !errors.Is(err, c.reason) {
			err = c.reason
		}
	}
	if err != nil && !errors.Is(err, core.ErrTransportLost) {
		err = &core.TransportLost{Err: err}
	}
	c.state.Store(stClosed)
	c.reason = err
	c.dropQueueLocked()
	c.mu.Unlock()
	if c.timings != nil {
		c.timings.set(func(t *core.TransportTimings) { t.Closed = time.Now() })
	}
	if c.h != nil {
		c.guard("OnClose", func() { c.h.OnClose(err) })
	}
	c.mu.Lock()
	c.closedDone = true
	if c.done != nil {
		close(c.done)
	}
	c.mu.Unlock()
}

// Fail fails the connection because of f: queued messages are dropped, the
// wire ends the connection, and OnClose will get cause. Wires call it for
// failures they detect themselves (for example an invalid frame type).
func Fail(c *Transport, f Failure, cause error) {
	c.mu.Lock()
	if !c.failLocked(cause) {
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	if f == FailProtocol {
		c.s.Logger.Warn(c.s.Name+": failing connection: protocol error", "peer", c.peer(), "err", cause)
	}
	c.wire.Fail(f, cause)
}

// failLocked records the failure; it reports false when the connection was
// already failing, aborted or gone.
func (c *Transport) failLocked(cause error) bool {
	if st := c.state.Load(); st != stOpen && st != stClosing {
		return false
	}
	c.state.Store(stFailed)
	c.reason = cause
	c.dropQueueLocked()
	return true
}

func (c *Transport) dropQueueLocked() {
	c.queue, c.queueBytes = nil, 0
	c.signalLocked()
}

// signalLocked wakes every goroutine waiting for the queue or the state.
func (c *Transport) signalLocked() {
	if c.wake != nil {
		close(c.wake)
		c.wake = nil
	}
}

// Close closes the connection cleanly: messages already queued are written,
// then the wire's clean close runs (WebSocket closing handshake with 1000,
// RawSocket end of stream). Close waits, bounded by ctx, until the
// connection is gone, and drops it when ctx ends first. Called from the
// handler's own callbacks it does not wait, since the reader that would
// notice the end is the caller; the check is per connection, not per
// goroutine, so Close from another goroutine while a handler runs does not
// wait either. Closing a connection that is already closing or gone waits
// for its end like the first Close.
func (c *Transport) Close(ctx context.Context) error {
	c.beginClose()
	if c.inHandler.Load() {
		return nil
	}
	select {
	case <-c.Done():
		return nil
	case <-ctx.Done():
		c.Abort()
		return fmt.Errorf("%s: close %s: %w", c.s.Name, c.peer(), ctx.Err())
	}
}

// beginClose starts a clean close without waiting for its end: the wire's
// close runs now, or after the writer has written the queue. It reports
// false when the connection was not open.
func (c *Transport) beginClose() bool {
	c.mu.Lock()
	if c.state.Load() != stOpen {
		c.mu.Unlock()
		return false
	}
	c.state.Store(stClosing)
	sendNow := !c.writing
	c.closeSent = c.closeSent || sendNow
	c.signalLocked()
	c.mu.Unlock()
	if sendNow {
		c.wire.Close()
	}
	return true
}

// Abort drops the connection at once; queued messages are discarded and
// OnClose gets an error wrapping [core.ErrAborted].
func (c *Transport) Abort() error {
	c.mu.Lock()
	if st := c.state.Load(); st == stOpen || st == stClosing {
		c.state.Store(stAborted)
	}
	c.dropQueueLocked()
	c.mu.Unlock()
	c.wire.Abort()
	return nil
}

// errNotOpenLocked is the error for sending on a connection that is not
// open.
func (c *Transport) errNotOpenLocked() error {
	switch st := c.state.Load(); {
	case st == stClosed && c.reason != nil:
		return c.reason
	case st == stFailed:
		return &core.TransportLost{Err: c.reason}
	case st == stAborted:
		return &core.TransportLost{Err: core.ErrAborted}
	}
	return &core.TransportLost{Err: errClosed}
}

// Stats returns the connection's counters.
func (c *Transport) Stats() core.TransportStats {
	c.mu.Lock()
	queued, queuedBytes := len(c.queue), c.queueBytes
	c.mu.Unlock()
	return core.TransportStats{
		MessagesIn: c.msgsIn.Load(), BytesIn: c.bytesIn.Load(),
		MessagesOut: c.msgsOut.Load(), BytesOut: c.bytesOut.Load(),
		QueuedMessages: queued, QueuedBytes: queuedBytes,
		Dropped: c.dropped.Load(), Refused: c.refused.Load(),
	}
}

// Timings returns the recorded timings; ok is false unless the TrackTimings
// option is on.
func (c *Transport) Timings() (t core.TransportTimings, ok bool) {
	if c.timings == nil {
		return t, false
	}
	c.timings.mu.Lock()
	defer c.timings.mu.Unlock()
	return c.timings.t, true
}

type timings struct {
	mu sync.Mutex
	t  core.TransportTimings
}

func (t *timings) set(f func(*core.TransportTimings)) {
	t.mu.Lock()
	f(&t.t)
	t.mu.Unlock()
}

// isTimeout tells whether a write error is its deadline passing.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}
