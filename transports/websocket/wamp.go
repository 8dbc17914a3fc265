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
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/engine"
	"github.com/autobahn-go/autobahn/registry"
)

// ErrTransportAborted is the cause given to OnClose (inside a
// [*core.TransportLost]) after [WAMPTransport.Abort]; it is
// [core.ErrAborted].
var ErrTransportAborted = core.ErrAborted

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
	// message that could not be parsed, 1011 for a panic in the handler,
	// 1006 (dropped) for a peer that does not read.
	Local bool
	// Err is the cause of a local failure: the *core.ProtocolError or
	// *core.SerializationError of the offending message, the panic, or an
	// error wrapping core.ErrSlowPeer.
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

// WAMPTransport is a WAMP-over-WebSocket connection, on the client or the
// server side. It implements [core.Transport], [core.TrySender],
// [core.StatsReporter] and [core.DoneNotifier] through the transport engine
// (send queue, slow-peer policy, panics, stats), and adds
// [WAMPTransport.CloseWith] and the WebSocket connection below.
//
// Its methods Send, TrySend, Close, Abort, Details, Done, Stats and Timings
// come from the transport engine embedded in it, and are the same on every
// transport of this module (see core.Transport and core.QueueOptions).
//
// Concurrency: every method may be called from any goroutine. The
// connection's reader goroutine calls the transport handler: OnOpen once,
// OnMessage for every message in order, then OnClose once.
//
// Sending needs no goroutine while the connection is idle: the engine's
// writer runs only while messages are queued, and combines them into one
// WebSocket message (up to the queue's MaxBatchSize) when the serializer
// is batched.
type WAMPTransport struct {
	*engine.Transport
	w *wampWire
}

// wampWire is the WebSocket framing below the engine.
type wampWire struct {
	conn   *Conn
	binary bool
	c      *engine.Transport

	mu          sync.Mutex
	closeCode   int // of CloseWith, sent once the queue is written
	closeReason string
	failure     *WAMPCloseError // how this side failed the connection
}

var _ engine.Wire = (*wampWire)(nil)

func newWAMPTransport(c *Conn, ser core.Serializer, cfg *wampConfig) *WAMPTransport {
	w := &wampWire{conn: c, binary: ser.Binary(), closeCode: CloseNormal}
	w.c = engine.New(w, cfg.engine, ser, wampDetails(c, ser), cfg.maxOut)
	if c.w.tw.Usable() {
		engine.SetTryWriter(w.c, w)
	}
	t := &WAMPTransport{Transport: w.c, w: w}
	engine.SetTransport(w.c, t)
	return t
}

// wampDetails describes c once it is open; Extra and HTTPHeaders are built
// on demand (wampWire.ExtraDetails, wampWire.HTTPHeaders), so that the
// handshake stays packed in the Conn until someone asks.
func wampDetails(c *Conn, ser core.Serializer) core.TransportDetails {
	d := core.TransportDetails{
		Framing:    core.FramingWebSocket,
		Serializer: ser,
		IsServer:   c.IsServer(),
		LocalAddr:  c.LocalAddr(),
		PeerAddr:   c.RemoteAddr(),
		Peer:       c.Peer(),
		TLS:        c.TLS(),
	}
	if c.IsServer() {
		// A peer taken from a trusted X-Forwarded-For entry replaces the
		// socket's address.
		if ip, err := netip.ParseAddr(c.Peer()); err == nil {
			d.PeerAddr = &net.TCPAddr{IP: ip.AsSlice(), Zone: ip.Zone()}
		}
	}
	return d
}

// HTTPHeaders are core.TransportDetails.HTTPHeaders, made with Extra on the
// first call to Details.
func (w *wampWire) HTTPHeaders() map[string][]string { return w.conn.handshakeHeaders(false) }

// ExtraDetails are core.TransportDetails.Extra, made on each call to
// Details so that idle connections do not each keep a map.
func (w *wampWire) ExtraDetails() map[string]any {
	c := w.conn
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
	if req := c.handshakeRequest(false); req != nil {
		extra["path"] = req.Path
		extra["origin"] = req.Origin
	}
	return extra
}

// Conn returns the WebSocket connection below the transport, for its
// WebSocket-level details and pings. Messages sent on it directly bypass the
// transport's send queue and must be valid WAMP messages of the negotiated
// serializer.
func (t *WAMPTransport) Conn() *Conn { return t.w.conn }

// Details describes the connection: framing websocket, the serializer, the
// side, the addresses and Autobahn's peer string, the TLS state (for channel
// binding), the opening handshake's HTTP headers (the request's on a server,
// the response's on a client), and in Extra "protocol" (the subprotocol),
// "version", "compressed" and "extensions" (permessage-deflate in use), and
// on a server "path" and "origin" of the request. Both maps are made anew
// on each call: the connection keeps only its handshake, packed.
func (t *WAMPTransport) Details() core.TransportDetails { return t.Transport.Details() }

// CloseWith is Close with another close code and reason: 1001 (going away,
// for a server or client shutting down), 1002 (protocol error), 1011
// (internal error), or an application code in 3000..4999. The reason is cut
// to 123 bytes of UTF-8. Messages already queued are written first.
func (t *WAMPTransport) CloseWith(ctx context.Context, code int, reason string) error {
	peer := t.Details().Peer
	if !validCloseCode(code) {
		return fmt.Errorf("websocket: close WAMP transport to %s: invalid close code %d", peer, code)
	}
	if !utf8.ValidString(reason) {
		return fmt.Errorf("websocket: close WAMP transport to %s: close reason is not valid UTF-8", peer)
	}
	t.w.mu.Lock()
	t.w.closeCode, t.w.closeReason = code, reason
	t.w.mu.Unlock()
	return t.Close(ctx)
}

// Write sends each message as one WebSocket message (the engine has already
// combined them into batches for a batched serializer), giving up at
// deadline. Several messages go out with one system call when none needs
// fragmenting or compressing.
func (w *wampWire) Write(msgs []engine.Outgoing, deadline time.Time) error {
	err := w.write(msgs, deadline)
	if errors.Is(err, ErrNotOpen) {
		// A closing handshake is under way (the peer's, typically): not a
		// failure of the connection; the reader reports its end.
		return fmt.Errorf("%w: %w", engine.ErrWireClosing, err)
	}
	return err
}

func (w *wampWire) write(msgs []engine.Outgoing, deadline time.Time) error {
	if len(msgs) == 0 {
		// Only the rest of a message of TryWrite is left to write.
		return w.conn.sendErr(w.conn.w.writePending(deadline))
	}
	if len(msgs) > 1 && w.conn.w.canBatch(msgs) {
		return w.conn.sendBatchBy(msgs, w.binary, deadline)
	}
	for _, m := range msgs {
		if err := w.conn.sendMessageBy(m.Data, w.binary, deadline); err != nil {
			return err
		}
	}
	return nil
}

// TryWrite writes o as one WebSocket frame if that needs no waiting (see
// engine.TryWriter); it is enabled over plain TCP and Unix sockets only.
func (w *wampWire) TryWrite(o engine.Outgoing) (taken, pending bool) {
	c := w.conn
	if !c.wmu.TryLock() {
		return false, false
	}
	defer c.wmu.Unlock()
	if c.state.Load() != stateOpen {
		return false, false
	}
	return c.w.tryWrite(dataOp(w.binary), o.Data)
}

// sendBatchBy writes msgs as single-frame messages with one write.
func (c *Conn) sendBatchBy(msgs []engine.Outgoing, isBinary bool, deadline time.Time) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.state.Load() != stateOpen {
		return fmt.Errorf("websocket: send message to %s: %w", c.peer, ErrNotOpen)
	}
	return c.sendErr(c.w.writeBatch(dataOp(isBinary), msgs, deadline))
}

// canBatch tells whether msgs can go out as single uncompressed frames.
func (w *frameWriter) canBatch(msgs []engine.Outgoing) bool {
	if w.compress {
		return false
	}
	for _, m := range msgs {
		if w.frameSize > 0 && len(m.Data) > w.frameSize {
			return false
		}
	}
	return true
}

// writeBatch writes msgs as single-frame messages (see canBatch), framed
// (and masked on a client) into one buffer and written with one call.
func (w *frameWriter) writeBatch(op byte, msgs []engine.Outgoing, deadline time.Time) error {
	n := 0
	for _, m := range msgs {
		n += maxHeader + len(m.Data)
	}
	buf := make([]byte, 0, n)
	if err := w.acquire(deadline, false); err != nil {
		return err
	}
	defer w.release()
	if w.err != nil {
		return w.err
	}
	for _, m := range msgs {
		h := w.header(op, true, false, len(m.Data))
		buf = append(buf, h...)
		start := len(buf)
		buf = append(buf, m.Data...)
		if !w.isServer {
			maskBytes([4]byte(h[len(h)-4:]), 0, buf[start:])
		}
	}
	w.setDeadline(deadline)
	return w.wrote(op, w.write(buf))
}

// Close starts the closing handshake with CloseWith's code (1000 by
// default), once the queue is written.
func (w *wampWire) Close() {
	w.mu.Lock()
	code, reason := w.closeCode, w.closeReason
	w.mu.Unlock()
	w.conn.sendCloseFrame(code, reason, false)
}

// Fail fails the connection like Autobahn's _bailout: a close frame with
// 1002 for a message that cannot be parsed, 1011 for a panic in the
// handler; a peer that does not read (or a broken connection) is dropped,
// since it would not read a close frame either.
func (w *wampWire) Fail(f engine.Failure, cause error) {
	var code int
	var reason string
	switch f {
	case engine.FailProtocol:
		code, reason = CloseProtocolError, "WAMP Protocol Error ("+cause.Error()+")"
	case engine.FailInternal:
		code, reason = CloseInternalError, "WAMP Internal Error ("+cause.Error()+")"
	default:
		code, reason = CloseAbnormal, cause.Error()
	}
	w.mu.Lock()
	w.failure = &WAMPCloseError{Code: code, Reason: reason, Local: true, Err: cause}
	w.mu.Unlock()
	if code == CloseAbnormal {
		w.conn.Abort()
		return
	}
	w.conn.sendCloseFrame(code, reason, false)
}

// Abort drops the connection without a closing handshake.
func (w *wampWire) Abort() { w.conn.Abort() }

// receive handles one WebSocket message from the reader goroutine.
func (w *wampWire) receive(payload []byte, isBinary bool) {
	if engine.Handler(w.c) == nil {
		return
	}
	if isBinary != w.binary {
		ser := w.c.Details().Serializer
		perr := &core.ProtocolError{Reason: fmt.Sprintf("invalid serialization of WAMP message: %s frame, but serializer %s needs %s frames",
			frameKind(isBinary), ser.Name(), frameKind(w.binary))}
		engine.Fail(w.c, engine.FailProtocol, perr)
		return
	}
	engine.Receive(w.c, payload)
}

func frameKind(binary bool) string {
	if binary {
		return "binary"
	}
	return "text"
}

// closed ends the transport once the WebSocket connection is gone.
func (w *wampWire) closed(wasClean bool, code int, reason string) {
	w.mu.Lock()
	failure := w.failure
	w.mu.Unlock()
	var err error
	switch {
	case failure != nil:
		f := *failure
		f.WasClean = wasClean
		err = &f
	case wasClean && (code == CloseNormal || code == CloseNoStatus):
		err = nil
	default:
		err = &WAMPCloseError{Code: code, Reason: reason, WasClean: wasClean}
	}
	engine.Closed(w.c, err)
}

// wampHandler adapts the WebSocket callbacks of one connection to a
// WAMPTransport and its core.TransportHandler, on either side.
type wampHandler struct {
	cfg *wampConfig
	t   *WAMPTransport
	ser core.Serializer // negotiated: in OnConnect on a server, from the response on a client
	srv *WAMPServer     // server side
	cli *wampClient     // client side
}

// wampClient is what only a client's wampHandler needs, apart so that the
// handler of every server connection takes 48 bytes rather than 80.
type wampClient struct {
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
	for _, s := range w.cli.offered {
		if s.Subprotocol() == resp.Protocol {
			w.ser = s
			return nil
		}
	}
	if resp.Protocol == "" {
		return fmt.Errorf("the server does not speak any of the WebSocket subprotocols %s we requested (it chose none)", strings.Join(registry.Subprotocols(w.cli.offered), ", "))
	}
	return fmt.Errorf("the server chose the WebSocket subprotocol %q, which we did not request", resp.Protocol)
}

// OnOpen creates the transport; on the server side it asks the acceptor for
// the handler.
func (w *wampHandler) OnOpen(c *Conn) {
	t := newWAMPTransport(c, w.ser, w.cfg)
	w.t = t
	if w.srv != nil {
		engine.Accept(t.Transport, w.srv.accept)
		return
	}
	engine.Start(t.Transport, w.cli.th)
}

// OnMessage delivers the WAMP messages of one WebSocket message.
func (w *wampHandler) OnMessage(payload []byte, isBinary bool) {
	if w.t != nil {
		w.t.w.receive(payload, isBinary)
	}
}

// OnClose ends the transport.
func (w *wampHandler) OnClose(wasClean bool, code int, reason string) {
	if w.t != nil {
		w.t.w.closed(wasClean, code, reason)
	}
}

// wampClientHandler is the client side's ClientHandler.
type wampClientHandler struct{ *wampHandler }

func (w wampClientHandler) OnConnect(resp *ConnectionResponse) error {
	return w.onConnectResponse(resp)
}
