package websocket

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Conn is an open WebSocket connection, on the server or the client side
// (Autobahn's WebSocketProtocol as the application sees it).
//
// Concurrency: SendMessage, SendPing, SendPong, SendClose, Close and Abort
// are safe to call from any goroutine, concurrently with each other and with
// the handler; messages sent from several goroutines are written whole, one
// after the other. The accessors are safe at any time. The handler's methods
// run on the connection's reader goroutine (see [Handler]).
//
// A Conn costs one goroutine (the reader) while it is idle, and over TLS a
// small read buffer; write buffers come from a pool and timers are created
// only when the auto-ping needs them (see the package documentation).
//
// Frames are read and parsed once, by frameConn, and written by frameWriter;
// gorilla/websocket only writes a server's opening handshake response.
type Conn struct {
	fc      *frameConn
	w       *frameWriter
	cfg     *config
	h       Handler
	log     *slog.Logger
	peer    string
	version int
	proto   string
	tls     *tls.ConnectionState
	srv     *Server // the server whose connection this is, or nil

	state atomic.Int32
	wmu   sync.Mutex // one writer of data messages at a time

	mu           sync.Mutex // guards the closing bookkeeping
	closedByMe   bool       // we sent the first close frame
	droppedByMe  bool
	wasClean     bool
	remoteClosed bool
	remoteCode   int
	remoteReason string
	notClean     string // why the close was not clean, Autobahn's wording

	// The opening handshake, packed (see head.go), until Request or
	// Response makes it into request or response (guarded by mu).
	head     string
	request  *ConnectionRequest
	response *ConnectionResponse

	ping *autoPing // nil unless AutoPingInterval is set
	// done is made on demand (guarded by mu): most connections are never
	// waited for, and a channel is 112 bytes of every idle connection.
	done     chan struct{}
	finished bool // OnClose has returned

	// Reader only: OnMessage ran since the reader last waited, and that
	// wait blocked (see wait).
	delivered, blocked bool
}

const (
	stateOpen int32 = iota
	stateClosing
	stateClosed
)

// controlWriteWait bounds writing a control frame when no WriteTimeout is set.
const controlWriteWait = 10 * time.Second

// newConn makes the connection over fc, whose opening handshake is done
// with subprotocol proto and fc.compressed telling whether permessage-deflate
// is in use.
func newConn(fc *frameConn, proto string, cfg *config, h Handler, log *slog.Logger) *Conn {
	c := &Conn{
		fc:    fc,
		w:     newFrameWriter(fc.Conn, cfg, fc.compressed),
		cfg:   cfg,
		h:     h,
		log:   log,
		proto: proto,
	}
	fc.onControl = c.onControlFrame
	if cfg.pingInterval > 0 {
		c.ping = &autoPing{}
		if cfg.pingRestart {
			fc.onData = c.onDataFrame
		}
	}
	return c
}

// Peer describes the other side: "tcp4:127.0.0.1:52314", "tcp6:::1:9000",
// "unix:/path", or on a server the trusted X-Forwarded-For entry.
func (c *Conn) Peer() string { return c.peer }

// LocalAddr is the local network address.
func (c *Conn) LocalAddr() net.Addr { return c.fc.LocalAddr() }

// RemoteAddr is the network address of the other side (not changed by
// X-Forwarded-For).
func (c *Conn) RemoteAddr() net.Addr { return c.fc.RemoteAddr() }

// IsServer tells whether this is the server side of the connection.
func (c *Conn) IsServer() bool { return c.cfg.isServer }

// Subprotocol is the negotiated subprotocol, or "".
func (c *Conn) Subprotocol() string { return c.proto }

// Version is the WebSocket protocol version spoken: 13, or 8 for a Hybi-10
// client.
func (c *Conn) Version() int { return c.version }

// Compressed tells whether permessage-deflate is in use.
func (c *Conn) Compressed() bool { return c.fc.compressed }

// TLS is the TLS connection state (for channel binding, client certificates),
// nil for plain connections.
func (c *Conn) TLS() *tls.ConnectionState { return c.tls }

// Done is closed when the connection is gone and OnClose has returned.
func (c *Conn) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		if c.finished {
			return closedChan
		}
		c.done = make(chan struct{})
	}
	return c.done
}

// closedChan is the Done of connections that ended before anyone asked.
var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// SendMessage sends a text (isBinary false) or binary message (Autobahn
// sendMessage). It returns once the message is written to the network
// connection. Outgoing text is not validated. Sending on a connection that is
// not open returns an error wrapping ErrNotOpen; a failed write drops the
// connection.
func (c *Conn) SendMessage(payload []byte, isBinary bool) error {
	var deadline time.Time
	if c.cfg.writeTimeout > 0 {
		deadline = time.Now().Add(c.cfg.writeTimeout)
	}
	err := c.sendMessageBy(payload, isBinary, deadline)
	if err != nil && !errors.Is(err, ErrNotOpen) {
		c.drop("write failed: " + errors.Unwrap(err).Error())
	}
	return err
}

// sendMessageBy is SendMessage with a deadline of the caller's; unlike
// SendMessage it leaves a failed connection to the caller (the engine,
// which records why before it drops the connection).
func (c *Conn) sendMessageBy(payload []byte, isBinary bool, deadline time.Time) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.state.Load() != stateOpen {
		return fmt.Errorf("websocket: send message to %s: %w", c.peer, ErrNotOpen)
	}
	return c.sendErr(c.w.writeMessage(dataOp(isBinary), payload, deadline))
}

func (c *Conn) sendErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errCloseSent):
		return fmt.Errorf("websocket: send message to %s: %w", c.peer, ErrNotOpen)
	}
	return fmt.Errorf("websocket: send message to %s: %w", c.peer, err)
}

func dataOp(isBinary bool) byte {
	if isBinary {
		return opBinary
	}
	return opText
}

func (c *Conn) controlDeadline() time.Time {
	if c.cfg.writeTimeout > 0 {
		return time.Now().Add(c.cfg.writeTimeout)
	}
	return time.Now().Add(controlWriteWait)
}

// SendPing sends a ping with up to 125 bytes of payload (Autobahn sendPing).
// It does nothing unless the connection is open.
func (c *Conn) SendPing(payload []byte) error {
	return c.sendControl(opPing, "ping", payload)
}

// SendPong sends an unsolicited pong (Autobahn sendPong). Pings are answered
// automatically. It does nothing unless the connection is open.
func (c *Conn) SendPong(payload []byte) error {
	return c.sendControl(opPong, "pong", payload)
}

func (c *Conn) sendControl(op byte, what string, payload []byte) error {
	if len(payload) > 125 {
		return fmt.Errorf("websocket: send %s to %s: invalid payload for %s (payload length must be <= 125, was %d)", what, c.peer, what, len(payload))
	}
	if c.state.Load() != stateOpen {
		return nil
	}
	if err := c.w.writeControl(op, payload, c.controlDeadline()); err != nil && !errors.Is(err, errCloseSent) {
		return fmt.Errorf("websocket: send %s to %s: %w", what, c.peer, err)
	}
	return nil
}

// SendClose starts the closing handshake (Autobahn sendClose). code is 0 for
// none, 1000, or 3000..4999; reason needs a code and is truncated to 123
// bytes of UTF-8. The connection waits up to CloseHandshakeTimeout for the
// peer's close frame; OnClose reports the outcome. SendClose on a connection
// that is already closing does nothing.
func (c *Conn) SendClose(code int, reason string) error {
	if code != 0 && code != CloseNormal && (code < 3000 || code > 4999) {
		return fmt.Errorf("websocket: close %s: invalid close code %d (must be 1000 or from [3000, 4999])", c.peer, code)
	}
	if code == 0 && reason != "" {
		return fmt.Errorf("websocket: close %s: close reason without close code", c.peer)
	}
	if !utf8.ValidString(reason) {
		return fmt.Errorf("websocket: close %s: close reason is not valid UTF-8", c.peer)
	}
	c.sendCloseFrame(code, reason, false)
	return nil
}

// Close closes the connection cleanly with code 1000 and waits until it is
// gone (OnClose has returned) or ctx is done, when it drops the connection.
// It must not be called from the handler's methods.
func (c *Conn) Close(ctx context.Context) error {
	c.sendCloseFrame(CloseNormal, "", false)
	done := c.Done()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		c.Abort()
		<-done
		return fmt.Errorf("websocket: close %s: %w", c.peer, ctx.Err())
	}
}

// Abort drops the TCP connection at once, without a closing handshake
// (Autobahn dropConnection).
func (c *Conn) Abort() {
	c.drop("aborted by the application")
}

// drop closes the network connection; the reader then finishes. reason is
// Autobahn's wasNotCleanReason, unless one is set already.
func (c *Conn) drop(reason string) {
	c.mu.Lock()
	if !c.droppedByMe {
		c.droppedByMe = true
		c.wasClean = false
		if c.notClean == "" {
			c.notClean = reason
		}
	}
	c.mu.Unlock()
	c.fc.closeNow()
}

// truncateUTF8 cuts s to at most n bytes without splitting a code point
// (Autobahn encode_truncate).
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// sendCloseFrame sends a close frame if the connection is open and moves it
// to closing (Autobahn sendCloseFrame). A close we initiate starts the
// closing handshake timeout.
func (c *Conn) sendCloseFrame(code int, reason string, isReply bool) {
	if !c.state.CompareAndSwap(stateOpen, stateClosing) {
		return
	}
	c.mu.Lock()
	c.closedByMe = !isReply
	c.mu.Unlock()
	var payload []byte
	if code != 0 && code != CloseNoStatus {
		payload = make([]byte, 2, 2+len(reason))
		binary.BigEndian.PutUint16(payload, uint16(code))
		payload = append(payload, truncateUTF8(reason, 123)...)
	}
	if err := c.w.writeControl(opClose, payload, c.controlDeadline()); err != nil {
		c.log.Debug("websocket: sending close frame failed", "peer", c.peer, "err", err)
	}
	if !isReply && c.cfg.closeTimeout > 0 {
		c.fc.setCloseDeadline(time.Now().Add(c.cfg.closeTimeout))
	}
}

// remoteClose handles the peer's close frame, which frameConn has checked
// (Autobahn onCloseFrame): it answers it unless it answers our own, and
// makes the close clean.
func (c *Conn) remoteClose(code int, reason string) {
	c.mu.Lock()
	c.remoteClosed = true
	c.remoteCode, c.remoteReason = code, reason
	c.wasClean = !c.droppedByMe
	c.mu.Unlock()
	if c.state.Load() == stateOpen {
		if c.cfg.echoClose {
			c.sendCloseFrame(code, reason, true)
		} else {
			c.sendCloseFrame(CloseNormal, "", true)
		}
	}
}

// onControlFrame handles pings and pongs, which frameConn takes out of the
// stream. It runs on the reader goroutine, when the frame is parsed: after
// the messages that arrived before it, but before the end of a message whose
// frames it came between.
func (c *Conn) onControlFrame(op byte, payload []byte) {
	switch op {
	case 9: // ping
		if c.state.Load() == stateOpen {
			err := c.w.writeControl(opPong, payload, c.controlDeadline())
			if err != nil && !errors.Is(err, errCloseSent) {
				c.log.Debug("websocket: sending pong failed", "peer", c.peer, "err", err)
			}
		}
		if ph, ok := c.h.(PingHandler); ok {
			ph.OnPing(payload)
		}
	case 10: // pong
		if c.ping != nil {
			c.ping.pong(c, payload)
		}
		if ph, ok := c.h.(PongHandler); ok {
			ph.OnPong(payload)
		}
	}
}

// run is the reader: it delivers messages until the connection ends, then
// finishes the closing handshake and calls OnClose.
func (c *Conn) run(openHandler bool) {
	if openHandler {
		c.h.OnOpen(c)
	}
	c.startAutoPing()
	c.readLoop(false)
}

// idleProbe is how long the reader waits for more data on its current
// goroutine before moving the wait to a fresh one.
const idleProbe = 50 * time.Millisecond

// readLoop reads messages. A goroutine's stack grows with the work it does
// (the handler's above all) and never shrinks back below what a blocked read
// needs, so a connection that has been busy and then goes quiet moves its
// wait to a fresh goroutine, with the smallest stack: when nothing is
// buffered between messages, the reader waits up to about idleProbe for more
// data (a read deadline, see frameConn.armProbe), and if none comes,
// continues on a new goroutine. The handler's methods are thus called one at
// a time and in order, but not always from the same goroutine.
func (c *Conn) readLoop(fresh bool) {
	fc := c.fc
	for {
		if fc.failure == nil && fc.next() {
			c.deliver()
			continue
		}
		switch {
		case fc.failure != nil:
			c.failConnection(fc.failure)
			c.finish()
			return
		case fc.closeSeen:
			c.readEnded(nil)
			c.finish()
			return
		}
		// Everything buffered is parsed: read on.
		var err error
		if fc.inMessage {
			var complete bool
			if complete, err = fc.fillMessage(); complete {
				c.deliver()
				continue
			}
		} else {
			err = c.wait(fresh)
			if err != nil && !fresh && fc.probeExpired(err) {
				go c.readLoop(true)
				return
			}
			fresh = false
		}
		if err != nil {
			c.readEnded(err)
			c.finish()
			return
		}
	}
}

// deliver hands the message that frameConn completed to the handler, unless
// it fails the connection (compressed data that does not inflate validly).
func (c *Conn) deliver() {
	payload, isBinary := c.fc.takeMessage()
	if c.fc.failure == nil {
		c.h.OnMessage(payload, isBinary)
		c.delivered = true
	}
}

// blockedWait is how long a wait takes at least when it had to block for
// data: reading what has already arrived takes a fraction of it.
const blockedWait = 5 * time.Microsecond

// wait waits between messages until data arrives, or the read deadline
// passes; a fresh reader waits without the idle probe. It waits with a
// shallow stack, so that a fresh goroutine keeps the smallest stack (2 KiB).
//
// After delivering messages, if the previous wait blocked (the exchange is
// request/response rather than a stream), it first yields the processor: a
// handler usually wakes another goroutine (one waiting for the reply, or for
// the message it passed on), which the scheduler queues to run next on this
// processor, after the reader. Without the yield that goroutine waits while
// the reader tries a read that finds nothing and parks, and is often moved
// to the other processor meanwhile; with it, it runs at once
// (BenchmarkEchoVersus pingpong/64: about 1.4 times instead of 1.05 times
// gorilla's throughput). While messages stream in, the read finds data and
// yielding would only reorder work, so it is skipped.
//
//go:noinline
func (c *Conn) wait(fresh bool) error {
	if c.delivered && c.blocked {
		runtime.Gosched()
	}
	c.delivered = false
	start := time.Now()
	if fresh {
		c.fc.clearProbe()
		c.fc.idleWait()
	} else {
		c.fc.armProbe(start)
	}
	c.fc.waiting = true
	err := c.fc.fill()
	c.fc.waiting = false
	c.blocked = time.Since(start) >= blockedWait
	return err
}

// readEnded handles the end of reading: a violation or a close frame found
// by frameConn, or a lost connection (err).
func (c *Conn) readEnded(err error) {
	if f := c.fc.failure; f != nil {
		c.failConnection(f)
		return
	}
	if c.fc.closeSeen {
		c.remoteClose(c.fc.closeCode, c.fc.closeReason)
	}
	c.mu.Lock()
	remoteClosed, closedByMe, dropped := c.remoteClosed, c.closedByMe, c.droppedByMe
	c.mu.Unlock()
	switch {
	case remoteClosed && !dropped:
		c.afterClosingHandshake()
	case dropped:
	case closedByMe && isTimeout(err):
		c.setNotClean("WebSocket closing handshake timeout (peer did not finish the closing handshake in time)")
	default:
		c.setNotClean("peer dropped the TCP connection without previous WebSocket closing handshake")
		c.log.Debug("websocket: connection lost", "peer", c.peer, "err", err)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func (c *Conn) setNotClean(reason string) {
	c.mu.Lock()
	c.wasClean = false
	if c.notClean == "" {
		c.notClean = reason
	}
	c.mu.Unlock()
}

// afterClosingHandshake completes a close once both close frames are
// exchanged: a server drops the TCP connection, a client waits for the
// server to do so (Autobahn onCloseFrame, onServerConnectionDropTimeout).
func (c *Conn) afterClosingHandshake() {
	if c.cfg.isServer {
		return // finish closes the connection
	}
	c.fc.clearProbe()
	if t := c.cfg.dropTimeout; t > 0 {
		c.fc.setCloseDeadline(time.Now().Add(t))
	} else {
		c.fc.setCloseDeadline(time.Time{})
	}
	if err := c.fc.discard(); err != nil {
		if isTimeout(err) {
			c.setNotClean("WebSocket closing handshake timeout (server did not drop TCP connection in time)")
		}
		// Other errors (a reset) still follow a complete closing handshake.
	}
}

// failConnection fails the connection (Autobahn _fail_connection): with
// failByDrop it drops the TCP connection, otherwise it sends a close frame
// with f's code and reason and waits for the peer's close frame.
func (c *Conn) failConnection(f *failure) {
	c.log.Warn("websocket: failing WebSocket connection", "peer", c.peer, "code", f.code, "reason", f.reason)
	if c.cfg.failByDrop || c.state.Load() != stateOpen {
		c.drop("I dropped the WebSocket TCP connection: " + f.reason)
		return
	}
	c.sendCloseFrame(f.code, f.reason, false)
	c.fc.clearProbe()
	err := c.fc.drain()
	switch {
	case c.fc.closeSeen:
		c.mu.Lock()
		c.remoteClosed = true
		c.remoteCode, c.remoteReason = c.fc.closeCode, c.fc.closeReason
		c.wasClean = !c.droppedByMe
		c.mu.Unlock()
		c.afterClosingHandshake()
	case isTimeout(err):
		c.setNotClean("WebSocket closing handshake timeout (peer did not finish the closing handshake in time)")
	case errors.Is(err, errProtocolViolation):
		c.setNotClean("I dropped the WebSocket TCP connection: " + c.fc.failure.reason)
	default:
		c.setNotClean("peer dropped the TCP connection without previous WebSocket closing handshake")
	}
}

// finish closes everything and reports the outcome (Autobahn
// _connectionLost).
func (c *Conn) finish() {
	c.state.Store(stateClosed)
	c.stopAutoPing()
	c.fc.Close()
	if c.srv != nil {
		c.srv.forget(c)
	}
	c.mu.Lock()
	wasClean := c.wasClean && c.remoteClosed
	code, reason := c.remoteCode, c.remoteReason
	if !wasClean {
		notClean := c.notClean
		if notClean == "" {
			notClean = "peer dropped the TCP connection without previous WebSocket closing handshake"
		}
		code, reason = CloseAbnormal, `connection was closed uncleanly ("`+notClean+`")`
	}
	c.mu.Unlock()
	c.h.OnClose(wasClean, code, reason)
	c.mu.Lock()
	c.finished = true
	if c.done != nil {
		close(c.done)
	}
	c.mu.Unlock()
}

// autoPing is the state of automatic pings (Autobahn autoPingInterval,
// autoPingTimeout, autoPingSize). Timers run on short-lived goroutines; the
// connection holds none while waiting.
type autoPing struct {
	mu       sync.Mutex
	stopped  bool
	seq      uint32
	pending  []byte // payload of the unanswered ping
	next     *time.Timer
	timeout  *time.Timer
	awaiting atomic.Bool // a ping is unanswered and a timeout runs
}

func (c *Conn) startAutoPing() {
	if c.ping == nil {
		return
	}
	p := c.ping
	p.mu.Lock()
	if !p.stopped {
		p.next = time.AfterFunc(c.cfg.pingInterval, c.sendAutoPing)
	}
	p.mu.Unlock()
}

func (c *Conn) stopAutoPing() {
	if c.ping == nil {
		return
	}
	p := c.ping
	p.mu.Lock()
	p.stopped = true
	if p.next != nil {
		p.next.Stop()
	}
	if p.timeout != nil {
		p.timeout.Stop()
	}
	p.mu.Unlock()
}

func (c *Conn) sendAutoPing() {
	p := c.ping
	payload := make([]byte, c.cfg.pingSize)
	binary.BigEndian.PutUint64(payload, uint64(time.Now().UnixNano()))
	rand.Read(payload[12:])
	p.mu.Lock()
	if p.stopped {
		p.mu.Unlock()
		return
	}
	p.seq++
	binary.BigEndian.PutUint32(payload[8:], p.seq)
	p.pending = payload
	if t := c.cfg.pingTimeout; t > 0 {
		if p.timeout == nil {
			p.timeout = time.AfterFunc(t, c.autoPingTimedOut)
		} else {
			p.timeout.Reset(t)
		}
		p.awaiting.Store(true)
	}
	p.mu.Unlock()
	if c.state.Load() == stateOpen {
		if err := c.w.writeControl(opPing, payload, c.controlDeadline()); err != nil {
			c.log.Debug("websocket: sending auto-ping failed", "peer", c.peer, "err", err)
		}
	}
}

func (c *Conn) autoPingTimedOut() {
	p := c.ping
	p.mu.Lock()
	expired := !p.stopped && p.pending != nil
	p.mu.Unlock()
	if expired {
		c.drop("WebSocket ping timeout (peer did not respond with pong in time)")
	}
}

// answered ends the wait for the pending ping and schedules the next one.
// p.mu is held.
func (p *autoPing) answered(interval time.Duration) {
	p.pending = nil
	p.awaiting.Store(false)
	if p.timeout != nil {
		p.timeout.Stop()
	}
	if !p.stopped && p.next != nil {
		p.next.Reset(interval)
	}
}

func (p *autoPing) pong(c *Conn, data []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pending == nil {
		return
	}
	if !bytes.Equal(p.pending, data) {
		c.log.Debug("websocket: auto ping/pong: received non-pending pong", "peer", c.peer)
		return
	}
	p.answered(c.cfg.pingInterval)
}

// onDataFrame counts any incoming data frame as an answer to a pending
// auto-ping (autoPingRestartOnAnyTraffic).
func (c *Conn) onDataFrame() {
	p := c.ping
	if !p.awaiting.Load() {
		return
	}
	p.mu.Lock()
	if p.pending != nil {
		p.answered(c.cfg.pingInterval)
	}
	p.mu.Unlock()
}
