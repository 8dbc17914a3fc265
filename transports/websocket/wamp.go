package websocket

// WAMP over WebSocket (the WAMP spec's WebSocket transport, as Autobahn and
// Crossbar.io speak it): each WebSocket message carries one WAMP message, or
// with a batched serializer one or more. The subprotocol wamp.2.<serializer>
// names the serializer; JSON travels in text frames, the binary formats in
// binary frames. A message that cannot be parsed, or that arrives in the
// wrong frame type, fails the connection with close code 1002 (protocol
// error); a panic in the transport handler with 1011 (internal error).
//
// WAMPTransport implements core.Transport over a Conn; WAMPFactory
// (registered for ws and wss) dials and listens; NewWAMPHandler serves WAMP
// on an existing net/http server.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/autobahn-go/autobahn/core"
)

// ErrTransportAborted is the cause given to OnClose (inside a
// [*core.TransportLost]) after [WAMPTransport.Abort].
var ErrTransportAborted = errors.New("websocket: WAMP transport aborted")

// errWAMPClosed is the cause of the error Send returns once the transport is
// closing or closed.
var errWAMPClosed = errors.New("websocket: WAMP transport closed")

// WAMPCloseError describes how a WAMP-over-WebSocket connection ended, when
// it did not end with a clean close (a completed closing handshake with code
// 1000 or no code). The transport handler's OnClose receives it inside a
// [*core.TransportLost]; use errors.As to get it.
type WAMPCloseError struct {
	// Code is the WebSocket close code: the one this side sent when it
	// failed the connection (Local), else the peer's; 1006 when the
	// connection was lost without a closing handshake.
	Code int
	// Reason is the close reason, or what happened to the connection.
	Reason string
	// WasClean tells whether the WebSocket closing handshake completed.
	WasClean bool
	// Local is true when this side failed the connection: 1002 for a
	// message that could not be parsed, 1011 for a panic in the handler.
	Local bool
	// Err is the cause of a local failure: the *core.ProtocolError or
	// *core.SerializationError of the offending message, or the panic.
	Err error
}

// Error describes the close, e.g. "websocket: WAMP connection failed with
// close code 1002: WAMP Protocol Error (...)".
func (e *WAMPCloseError) Error() string {
	switch {
	case e.Local:
		return fmt.Sprintf("websocket: WAMP connection failed with close code %d: %s", e.Code, e.Reason)
	case e.Code == CloseAbnormal:
		return "websocket: WAMP connection lost: " + e.Reason
	case e.Reason == "":
		return fmt.Sprintf("websocket: WAMP connection closed by the peer with code %d", e.Code)
	}
	return fmt.Sprintf("websocket: WAMP connection closed by the peer with code %d: %s", e.Code, e.Reason)
}

// Unwrap returns the cause of a local failure.
func (e *WAMPCloseError) Unwrap() error { return e.Err }

type wampState uint8

const (
	wampOpen    wampState = iota
	wampClosing           // Close called: queued messages are still written
	wampFailed            // this side failed the connection (1002, 1011)
	wampAborted           // Abort called
	wampClosed            // the connection is gone
)

// WAMPTransport is a WAMP-over-WebSocket connection, on the client or the
// server side. It implements [core.Transport].
//
// Concurrency: Send, Close, CloseWith, Abort and Details may be called from
// any goroutine. The connection's reader goroutine calls the transport
// handler: OnOpen once, OnMessage for every message in order, then OnClose
// once.
//
// Sending needs no goroutine while the connection is idle: Send queues the
// serialized message (the queue is bounded by WAMPOptions.SendQueueSize)
// and, if none runs, starts a short-lived flusher goroutine that writes
// until the queue is empty, combining queued messages into one WebSocket
// message (up to WAMPOptions.MaxBatchSize) when the serializer is batched.
type WAMPTransport struct {
	conn    *Conn
	ser     core.Serializer
	cfg     *wampConfig
	h       core.TransportHandler // nil while not accepted
	details core.TransportDetails

	// inHandler is set while the reader goroutine runs a handler callback,
	// so that Close called from there does not wait for itself.
	inHandler atomic.Bool

	mu           sync.Mutex
	state        wampState
	writing      bool     // a goroutine is writing a data message
	pending      [][]byte // serialized messages waiting behind that write
	pendingBytes int
	wake         chan struct{} // closed when the queue or the state changes
	failure      *WAMPCloseError
	lost         error // why the connection is gone, once it is
	closeCode    int   // of Close, sent once the queue is empty
	closeReason  string
}

var _ core.Transport = (*WAMPTransport)(nil)

func newWAMPTransport(c *Conn, ser core.Serializer, cfg *wampConfig) *WAMPTransport {
	t := &WAMPTransport{conn: c, ser: ser, cfg: cfg}
	t.details = wampDetails(c, ser)
	return t
}

// wampDetails describes c once it is open.
func wampDetails(c *Conn, ser core.Serializer) core.TransportDetails {
	d := core.TransportDetails{
		Framing:     core.FramingWebSocket,
		Serializer:  ser,
		IsServer:    c.IsServer(),
		LocalAddr:   c.LocalAddr(),
		PeerAddr:    c.RemoteAddr(),
		Peer:        c.Peer(),
		TLS:         c.TLS(),
		HTTPHeaders: c.Headers(),
	}
	var exts []string
	if c.Compressed() {
		exts = []string{"permessage-deflate"}
	}
	extra := map[string]any{
		"protocol":   c.Subprotocol(),
		"version":    c.Version(),
		"compressed": c.Compressed(),
		"extensions": exts,
	}
	if req := c.Request(); req != nil {
		extra["path"] = req.Path
		extra["origin"] = req.Origin
		// A peer taken from a trusted X-Forwarded-For entry replaces the
		// socket's address.
		if ip, err := netip.ParseAddr(req.Peer); err == nil {
			d.PeerAddr = &net.TCPAddr{IP: ip.AsSlice(), Zone: ip.Zone()}
		}
	}
	d.Extra = extra
	return d
}

// Conn returns the WebSocket connection below the transport, for its
// WebSocket-level details and pings. Messages sent on it directly bypass the
// transport's send queue and must be valid WAMP messages of the negotiated
// serializer.
func (t *WAMPTransport) Conn() *Conn { return t.conn }

// Details describes the connection: framing websocket, the serializer, the
// side, the addresses and Autobahn's peer string, the TLS state (for channel
// binding), the opening handshake's HTTP headers (the request's on a server,
// the response's on a client), and in Extra "protocol" (the subprotocol),
// "version", "compressed" and "extensions" (permessage-deflate in use), and
// on a server "path" and "origin" of the request. The maps are shared: do
// not modify them.
func (t *WAMPTransport) Details() core.TransportDetails { return t.details }

// Send serializes msg and queues it for sending. It returns once the message
// is queued; ctx bounds the wait for room in the send queue, so that a peer
// that does not read cannot block the sender beyond ctx. A message that cannot be serialized is refused with the
// serializer's error and the transport stays usable. Sending on a transport
// that is closing or gone returns an error wrapping [core.ErrTransportLost].
func (t *WAMPTransport) Send(ctx context.Context, msg core.Message) error {
	if msg == nil {
		return fmt.Errorf("websocket: send to %s: nil WAMP message", t.details.Peer)
	}
	data, err := t.ser.Serialize(msg)
	if err != nil {
		return fmt.Errorf("websocket: send %v to %s: %w", msg.Type(), t.details.Peer, err)
	}
	if err := t.queue(ctx, data); err != nil {
		return fmt.Errorf("websocket: send %v to %s: %w", msg.Type(), t.details.Peer, err)
	}
	return nil
}

// queue queues data for the flusher, starting one when none runs. It waits,
// bounded by ctx, while the queue is full.
func (t *WAMPTransport) queue(ctx context.Context, data []byte) error {
	t.mu.Lock()
	for {
		if t.state != wampOpen {
			err := t.errNotOpen()
			t.mu.Unlock()
			return err
		}
		if t.pendingBytes == 0 || t.pendingBytes+len(data) <= t.cfg.sendQueue {
			break
		}
		wake := t.waitChan()
		t.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return fmt.Errorf("waiting for room in the send queue: %w", ctx.Err())
		}
		t.mu.Lock()
	}
	t.pending = append(t.pending, data)
	t.pendingBytes += len(data)
	start := !t.writing
	t.writing = true
	t.mu.Unlock()
	if start {
		go t.flush()
	}
	return nil
}

// flush writes queued messages until the queue is empty. One flusher runs
// at a time, and only while there is something to write.
func (t *WAMPTransport) flush() {
	for {
		t.mu.Lock()
		if len(t.pending) == 0 || (t.state != wampOpen && t.state != wampClosing) {
			t.writing = false
			t.pending, t.pendingBytes = nil, 0
			closing := t.state == wampClosing
			code, reason := t.closeCode, t.closeReason
			t.signal()
			t.mu.Unlock()
			if closing {
				t.conn.sendCloseFrame(code, reason, false)
			}
			return
		}
		msgs := t.pending
		t.pending, t.pendingBytes = nil, 0
		t.signal()
		t.mu.Unlock()
		for _, m := range t.combine(msgs) {
			if t.write(m) != nil {
				return
			}
		}
	}
}

// combine joins consecutive messages into WebSocket messages of at most
// MaxBatchSize bytes when the serializer is batched: each serialized
// message is a batch of one, and batches concatenate.
func (t *WAMPTransport) combine(msgs [][]byte) [][]byte {
	if !t.ser.Batched() || len(msgs) < 2 {
		return msgs
	}
	out := make([][]byte, 0, len(msgs))
	for i := 0; i < len(msgs); {
		j, n := i+1, len(msgs[i])
		for j < len(msgs) && n+len(msgs[j]) <= t.cfg.maxBatch {
			n += len(msgs[j])
			j++
		}
		if j == i+1 {
			out = append(out, msgs[i])
		} else {
			buf := make([]byte, 0, n)
			for _, m := range msgs[i:j] {
				buf = append(buf, m...)
			}
			out = append(out, buf)
		}
		i = j
	}
	return out
}

// write sends one WebSocket message. Only the goroutine that set t.writing
// calls it; on failure writing is cleared and the queue dropped (the
// connection is gone or going).
func (t *WAMPTransport) write(data []byte) error {
	err := t.conn.SendMessage(data, t.ser.Binary())
	if err == nil {
		return nil
	}
	t.mu.Lock()
	t.writing = false
	t.pending, t.pendingBytes = nil, 0
	t.signal()
	t.mu.Unlock()
	return &core.TransportLost{Err: err}
}

// signal wakes every goroutine waiting for the queue or the state. The
// caller holds t.mu.
func (t *WAMPTransport) signal() {
	if t.wake != nil {
		close(t.wake)
		t.wake = nil
	}
}

// waitChan returns the channel the next signal closes. The caller holds t.mu.
func (t *WAMPTransport) waitChan() chan struct{} {
	if t.wake == nil {
		t.wake = make(chan struct{})
	}
	return t.wake
}

// errNotOpen is the error for sending on a transport that is not open. The
// caller holds t.mu.
func (t *WAMPTransport) errNotOpen() error {
	if t.lost != nil {
		return t.lost
	}
	if t.failure != nil {
		return &core.TransportLost{Err: t.failure}
	}
	if t.state == wampAborted {
		return &core.TransportLost{Err: ErrTransportAborted}
	}
	return &core.TransportLost{Err: errWAMPClosed}
}

// Close closes the transport cleanly with close code 1000: messages already
// queued are written first, then the closing handshake runs. Close waits,
// bounded by ctx, until the connection is gone; when ctx ends first it drops
// the connection. Called from the transport handler's own callbacks (for
// example after sending GOODBYE in OnMessage), Close does not wait at all:
// the reader goroutine that would notice the end is the caller.
func (t *WAMPTransport) Close(ctx context.Context) error {
	return t.CloseWith(ctx, CloseNormal, "")
}

// CloseWith is Close with another close code and reason: 1001 (going away,
// for a server or client shutting down), 1002 (protocol error), 1011
// (internal error), or an application code in 3000..4999. The reason is cut
// to 123 bytes of UTF-8.
func (t *WAMPTransport) CloseWith(ctx context.Context, code int, reason string) error {
	if !validCloseCode(code) {
		return fmt.Errorf("websocket: close WAMP transport to %s: invalid close code %d", t.details.Peer, code)
	}
	if !utf8.ValidString(reason) {
		return fmt.Errorf("websocket: close WAMP transport to %s: close reason is not valid UTF-8", t.details.Peer)
	}
	t.mu.Lock()
	if t.state == wampOpen {
		t.state = wampClosing
		t.closeCode, t.closeReason = code, reason
		t.signal()
	}
	// A running flusher sends the close frame once the messages sent
	// before Close are out.
	writing := t.writing
	t.mu.Unlock()
	if !writing {
		t.conn.sendCloseFrame(code, reason, false)
	}
	return t.waitDone(ctx)
}

// waitDone waits for the connection to be gone, unless called from the
// handler; when ctx ends first the connection is dropped.
func (t *WAMPTransport) waitDone(ctx context.Context) error {
	if t.inHandler.Load() {
		return nil
	}
	select {
	case <-t.conn.Done():
		return nil
	case <-ctx.Done():
		t.Abort()
		<-t.conn.Done()
		return fmt.Errorf("websocket: close WAMP transport to %s: %w", t.details.Peer, ctx.Err())
	}
}

// Abort drops the connection at once, without a closing handshake. The
// handler's OnClose receives a [*core.TransportLost] wrapping
// [ErrTransportAborted].
func (t *WAMPTransport) Abort() error {
	t.mu.Lock()
	if t.state != wampClosed && t.state != wampFailed {
		t.state = wampAborted
	}
	t.pending, t.pendingBytes = nil, 0
	t.signal()
	t.mu.Unlock()
	t.conn.Abort()
	return nil
}

// fail fails the connection with a close frame carrying code and reason
// (Autobahn's _bailout), dropping the messages still queued. Incoming
// messages are no longer delivered.
func (t *WAMPTransport) fail(code int, reason string, cause error) {
	t.mu.Lock()
	if t.state == wampClosed || t.state == wampAborted || t.state == wampFailed {
		t.mu.Unlock()
		return
	}
	t.state = wampFailed
	t.failure = &WAMPCloseError{Code: code, Reason: reason, Local: true, Err: cause}
	t.pending, t.pendingBytes = nil, 0
	t.signal()
	t.mu.Unlock()
	t.cfg.log.Warn("websocket: failing WAMP connection", "peer", t.details.Peer, "code", code, "reason", reason)
	t.conn.sendCloseFrame(code, reason, false)
}

func (t *WAMPTransport) failed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.state == wampFailed || t.state == wampAborted
}

// receive handles one WebSocket message from the reader goroutine.
func (t *WAMPTransport) receive(payload []byte, isBinary bool) {
	if t.h == nil || t.failed() {
		return
	}
	if isBinary != t.ser.Binary() {
		perr := &core.ProtocolError{Reason: fmt.Sprintf("invalid serialization of WAMP message: %s frame, but serializer %s needs %s frames",
			frameKind(isBinary), t.ser.Name(), frameKind(t.ser.Binary()))}
		t.fail(CloseProtocolError, "WAMP Protocol Error ("+perr.Error()+")", perr)
		return
	}
	msgs, err := t.ser.Unserialize(payload)
	if err != nil {
		t.fail(CloseProtocolError, "WAMP Protocol Error ("+err.Error()+")", err)
		return
	}
	for _, m := range msgs {
		if t.failed() {
			return
		}
		if !t.call("OnMessage", func() { t.h.OnMessage(m) }) {
			return
		}
	}
}

func frameKind(binary bool) string {
	if binary {
		return "binary"
	}
	return "text"
}

// call runs a handler callback on the reader goroutine. A panic fails the
// connection with 1011 (internal error); call reports whether f returned.
func (t *WAMPTransport) call(name string, f func()) (ok bool) {
	t.inHandler.Store(true)
	defer func() {
		t.inHandler.Store(false)
		if r := recover(); r != nil {
			ok = false
			err := fmt.Errorf("panic in transport handler %s: %v", name, r)
			t.cfg.log.Error("websocket: "+err.Error(), "peer", t.details.Peer, "stack", string(debug.Stack()))
			t.fail(CloseInternalError, "WAMP Internal Error ("+err.Error()+")", err)
		}
	}()
	f()
	return true
}

// closed handles the end of the connection: the error for OnClose, then
// OnClose.
func (t *WAMPTransport) closed(wasClean bool, code int, reason string) {
	t.mu.Lock()
	var err error
	switch {
	case t.failure != nil:
		f := *t.failure
		f.WasClean = wasClean
		err = &core.TransportLost{Err: &f}
	case t.state == wampAborted:
		err = &core.TransportLost{Err: ErrTransportAborted}
	case wasClean && (code == CloseNormal || code == CloseNoStatus):
		err = nil
	default:
		err = &core.TransportLost{Err: &WAMPCloseError{Code: code, Reason: reason, WasClean: wasClean}}
	}
	t.state = wampClosed
	t.lost = err
	t.pending, t.pendingBytes = nil, 0
	t.signal()
	t.mu.Unlock()
	if t.h == nil {
		return
	}
	t.inHandler.Store(true)
	defer t.inHandler.Store(false)
	defer func() {
		if r := recover(); r != nil {
			t.cfg.log.Error(fmt.Sprintf("websocket: panic in transport handler OnClose: %v", r), "peer", t.details.Peer, "stack", string(debug.Stack()))
		}
	}()
	t.h.OnClose(err)
}

// wampHandler adapts the WebSocket callbacks of one connection to a
// WAMPTransport and its core.TransportHandler, on either side.
type wampHandler struct {
	cfg *wampConfig
	t   *WAMPTransport

	// Server side.
	srv *WAMPServer
	ser core.Serializer // negotiated in OnConnect

	// Client side.
	offered []core.Serializer
	th      core.TransportHandler
}

// OnConnect negotiates the serializer on the server side (the first of the
// client's subprotocols that the server supports wins).
func (w *wampHandler) OnConnect(req *ConnectionRequest) (ConnectionAccept, error) {
	s := w.srv
	if s.path != "" && req.Path != s.path {
		return ConnectionAccept{}, Deny(http.StatusNotFound, fmt.Sprintf("no WAMP endpoint at path \"%s\"", req.Path))
	}
	ser, err := s.reg.Negotiate(req.Protocols, s.sers)
	if err != nil {
		return ConnectionAccept{}, Deny(http.StatusBadRequest, strings.TrimPrefix(err.Error(), "registry: "))
	}
	w.ser = ser
	return ConnectionAccept{Subprotocol: ser.Subprotocol(), Headers: s.headers}, nil
}

// onConnectResponse picks the serializer the server chose on the client
// side.
func (w *wampHandler) onConnectResponse(resp *ConnectionResponse) error {
	for _, s := range w.offered {
		if s.Subprotocol() == resp.Protocol {
			w.ser = s
			return nil
		}
	}
	if resp.Protocol == "" {
		return fmt.Errorf("the server does not speak any of the WebSocket subprotocols %s we requested (it chose none)", strings.Join(wampSubprotocols(w.offered), ", "))
	}
	return fmt.Errorf("the server chose the WebSocket subprotocol %q, which we did not request", resp.Protocol)
}

// OnOpen creates the transport; on the server side it asks the acceptor for
// the handler.
func (w *wampHandler) OnOpen(c *Conn) {
	t := newWAMPTransport(c, w.ser, w.cfg)
	w.t = t
	th := w.th
	if w.srv != nil {
		if !t.call("acceptor", func() { th = w.srv.accept(t) }) {
			return
		}
		if th == nil {
			const reason = "WAMP transport not accepted"
			t.mu.Lock()
			t.state = wampClosing
			t.closeCode, t.closeReason = CloseNormal, reason
			t.mu.Unlock()
			c.sendCloseFrame(CloseNormal, reason, false)
			return
		}
	}
	t.h = th
	t.call("OnOpen", func() { th.OnOpen(t) })
}

// OnMessage delivers the WAMP messages of one WebSocket message.
func (w *wampHandler) OnMessage(payload []byte, isBinary bool) {
	if w.t != nil {
		w.t.receive(payload, isBinary)
	}
}

// OnClose ends the transport.
func (w *wampHandler) OnClose(wasClean bool, code int, reason string) {
	if w.t != nil {
		w.t.closed(wasClean, code, reason)
	}
}

// wampClientHandler is the client side's ClientHandler.
type wampClientHandler struct{ *wampHandler }

func (w wampClientHandler) OnConnect(resp *ConnectionResponse) error {
	return w.onConnectResponse(resp)
}

// wampSubprotocols returns the subprotocols of serializers, in order.
func wampSubprotocols(sers []core.Serializer) []string {
	out := make([]string, len(sers))
	for i, s := range sers {
		out[i] = s.Subprotocol()
	}
	return out
}
