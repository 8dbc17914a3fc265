package rawsocket

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/engine"
	"github.com/autobahn-go/autobahn/internal/netutil"
)

// ErrAborted is the cause given to OnClose (inside a [*core.TransportLost])
// after [Transport.Abort]; it is [core.ErrAborted].
var ErrAborted = core.ErrAborted

// Transport is an established WAMP-over-RawSocket connection. It implements
// [core.Transport], [core.TrySender], [core.StatsReporter] and
// [core.DoneNotifier] through the transport engine, and adds
// [Transport.Ping] and the negotiated limits.
//
// Its methods Send, TrySend, Close, Abort, Details, Done, Stats and Timings
// come from the transport engine embedded in it, and are the same on every
// transport of this module (see core.Transport and core.QueueOptions).
//
// Concurrency: every method may be called from any goroutine. The
// connection's reader goroutine calls the handler: OnOpen once, OnMessage
// for every message in order, then OnClose once.
type Transport struct {
	*engine.Transport
	w *wire
}

// wire is the RawSocket framing below the engine.
type wire struct {
	conn    net.Conn
	opts    *Options
	c       *engine.Transport
	sendMax int         // the peer's announced limit, capped at maxSendSize
	writev  bool        // conn writes net.Buffers with one writev call
	fr      frameReader // used by the reader goroutine only
	onDone  func()      // called once the connection is gone (listener bookkeeping)

	wmu sync.Mutex // one frame writer at a time: the engine's writer, PONG, Ping
	// pending (guarded by wmu) is the rest of a frame that TryWrite wrote in
	// part; every write sends it first.
	pending []byte
	tw      netutil.TryWriter // writes without waiting; unusable over TLS

	cs closeState // Close ended our side of the stream

	pmu   sync.Mutex
	pings map[string][]chan struct{}
	gone  bool // the connection is gone: no more PONGs
}

var _ engine.Wire = (*wire)(nil)

func newTransport(conn net.Conn, ser core.Serializer, s *engine.Settings, opts *Options, isServer bool, peerMax int) *Transport {
	w := &wire{conn: conn, opts: opts, sendMax: min(peerMax, maxSendSize)}
	w.fr = frameReader{r: conn, max: opts.MaxMessagePayloadSize, conn: conn, timeout: opts.FrameTimeout, cs: &w.cs}
	switch conn.(type) {
	case *net.TCPConn, *net.UnixConn:
		w.writev = true
		w.fr.probing = true
	case *tls.Conn:
		// The connections whose read deadlines are known to work and to
		// time out with os.ErrDeadlineExceeded: the idle probe relies on it.
		w.fr.probing = true
	}
	d := core.TransportDetails{
		Framing:    core.FramingRawSocket,
		Serializer: ser,
		IsServer:   isServer,
		LocalAddr:  conn.LocalAddr(),
		PeerAddr:   conn.RemoteAddr(),
		Peer:       netutil.PeerString(conn.RemoteAddr()),
	}
	if tc, ok := conn.(netutil.TLSConn); ok {
		// A *tls.Conn, or a wrapper of one (a connection whose first
		// byte a server sharing its port with HTTP has peeked).
		st := tc.ConnectionState()
		d.TLS = &st
	}
	w.c = engine.New(w, s, ser, d, w.sendMax)
	if w.tw, _ = netutil.NewTryWriter(conn); w.tw.Usable() {
		engine.SetTryWriter(w.c, w)
	}
	t := &Transport{Transport: w.c, w: w}
	engine.SetTransport(w.c, t)
	return t
}

// run is the reader goroutine: on a server it first asks accept for the
// handler and starts it (a client's handler was started by the dialer), then
// delivers messages until the connection ends, and closes the handler.
//
// The functions on the idle reader's stack (readLoop, frameReader.next)
// keep their frames small, with the work done in functions that return
// before the next read: the runtime sizes new goroutines' stacks after the
// average stack in use, and an idle connection is mostly its stack.
func (t *Transport) run(accept core.Acceptor) {
	if accept != nil {
		engine.Accept(t.Transport, accept)
	}
	t.w.readLoop(false)
}

// readLoop reads and handles frames until the connection ends, then
// finishes it. A goroutine's stack grows with the work done on it (the
// handler's above all) and is not shrunk back while the goroutine waits in
// a read, so with the idle probe (frameReader.probing) a reader that finds
// nothing to read for idleProbe between frames continues on a new
// goroutine, fresh, whose first wait has no probe: an idle connection then
// holds a goroutine with the smallest stack (2 KiB), as on WebSocket. The
// handler's methods are thus called one at a time and in order, but not
// always from the same goroutine.
func (w *wire) readLoop(fresh bool) {
	for {
		typ, payload, err := w.fr.next(fresh)
		fresh = false
		if err == errIdle {
			go w.readLoop(true)
			return
		}
		if err == nil {
			err = w.handle(typ, payload)
		} else if err == io.EOF {
			err = errEOF
		} else {
			err = readError(err)
		}
		if err != nil {
			w.finish(err)
			return
		}
	}
}

// errEOF ends the read loop when the peer ended the stream at a frame
// boundary: a clean close (finish reports no error).
var errEOF = errors.New("end of stream")

func readError(err error) error { return fmt.Errorf("read: %w", err) }

// errStopped ends the read loop once the engine stopped taking messages
// (the connection failed, or was closed without a handler).
var errStopped = errors.New("stopped reading")

// handle processes one frame.
func (w *wire) handle(typ byte, payload []byte) error {
	switch typ {
	case frameMessage:
		if engine.Handler(w.c) == nil || !engine.Receive(w.c, payload) {
			return errStopped
		}
	case framePing:
		if err := w.writeFrame(framePong, payload, w.stallDeadline()); err != nil {
			return fmt.Errorf("send PONG: %w", err)
		}
	case framePong:
		w.pong(payload)
	}
	return nil
}

func (w *wire) stallDeadline() time.Time {
	if st := w.opts.Queue.StallTimeout; st > 0 {
		return time.Now().Add(st)
	}
	return time.Time{}
}

// finish tears the connection down after the read loop ended with err and
// closes the engine (which calls OnClose).
func (w *wire) finish(err error) {
	if w.cs.closing.Load() || err == errStopped || err == errEOF {
		// We closed (whatever ended the read, a clean close), or the engine
		// failed the connection and knows why.
		err = nil
	}
	if err != nil {
		w.opts.Logger.Debug("rawsocket: connection failed", "peer", w.c.Details().Peer, "err", err)
		err = fmt.Errorf("rawsocket connection with %s: %w", w.c.Details().Peer, err)
	}
	// Otherwise err is nil: the peer ended the stream at a frame boundary
	// (errEOF), a clean close.
	w.conn.Close()
	w.pmu.Lock()
	w.gone = true
	for _, waiters := range w.pings {
		for _, c := range waiters {
			close(c)
		}
	}
	w.pings = nil
	w.pmu.Unlock()
	engine.Closed(w.c, err)
	if w.onDone != nil {
		w.onDone()
	}
}

// Write writes msgs as message frames with one system call where the
// connection allows it (writev on TCP and Unix sockets, one contiguous
// buffer otherwise). A write that fails or passes deadline leaves a partial
// frame behind: the engine then fails the connection.
func (w *wire) Write(msgs []engine.Outgoing, deadline time.Time) error {
	hdrs := make([]byte, headerLen*len(msgs))
	bufs := make(net.Buffers, 0, 2*len(msgs))
	for i, m := range msgs {
		h := hdrs[i*headerLen : (i+1)*headerLen]
		putHeader(h, frameMessage, len(m.Data))
		bufs = append(bufs, h)
		if len(m.Data) > 0 {
			bufs = append(bufs, m.Data)
		}
	}
	w.wmu.Lock()
	defer w.wmu.Unlock()
	return w.writeLocked(bufs, deadline)
}

// writeFrame writes one frame of another type (PING, PONG).
func (w *wire) writeFrame(typ byte, payload []byte, deadline time.Time) error {
	var h [headerLen]byte
	putHeader(h[:], typ, len(payload))
	bufs := net.Buffers{h[:]}
	if len(payload) > 0 {
		bufs = append(bufs, payload)
	}
	w.wmu.Lock()
	defer w.wmu.Unlock()
	return w.writeLocked(bufs, deadline)
}

// tryWriteMax bounds the frames TryWrite writes: it copies header and
// payload into one pooled buffer; larger messages go to the engine's
// writer, which writes them with writev, without copying.
const tryWriteMax = 16 << 10

var tryWriteBufs = sync.Pool{New: func() any { b := make([]byte, 0, tryWriteMax); return &b }}

// TryWrite writes o as one message frame if that needs no waiting (see
// engine.TryWriter): it writes nothing when another frame is being
// written, an earlier frame is not fully written, the frame is larger than
// tryWriteMax, or the socket takes nothing now. The rest of a frame the
// socket took in part is kept in pending for the next write.
func (w *wire) TryWrite(o engine.Outgoing) (taken, pending bool) {
	if headerLen+len(o.Data) > tryWriteMax || !w.wmu.TryLock() {
		return false, false
	}
	defer w.wmu.Unlock()
	if len(w.pending) > 0 {
		return false, false
	}
	bp := tryWriteBufs.Get().(*[]byte)
	f := (*bp)[:headerLen]
	putHeader(f, frameMessage, len(o.Data))
	f = append(f, o.Data...)
	n := w.tw.Write(f)
	if n > 0 && n < len(f) {
		w.pending = bytes.Clone(f[n:])
	}
	tryWriteBufs.Put(bp)
	return n > 0, n > 0 && n < len(f)
}

// writeLocked writes bufs, after the rest of a frame that TryWrite wrote in
// part, if any.
func (w *wire) writeLocked(bufs net.Buffers, deadline time.Time) error {
	if len(w.pending) > 0 {
		bufs = append(net.Buffers{w.pending}, bufs...)
	}
	if len(bufs) == 0 {
		return nil
	}
	w.conn.SetWriteDeadline(deadline)
	err := w.writeBufs(bufs)
	if err == nil {
		w.pending = nil
	}
	return err
}

func (w *wire) writeBufs(bufs net.Buffers) error {
	if w.writev || len(bufs) == 1 {
		_, err := bufs.WriteTo(w.conn)
		return err
	}
	n := 0
	for _, b := range bufs {
		n += len(b)
	}
	one := make([]byte, 0, n)
	for _, b := range bufs {
		one = append(one, b...)
	}
	_, err := w.conn.Write(one)
	return err
}

// ExtraDetails are core.TransportDetails.Extra: "max_message_size" (this
// side's limit) and "peer_max_message_size" (the peer's announced limit, as
// used by Send).
func (w *wire) ExtraDetails() map[string]any {
	return map[string]any{"max_message_size": w.fr.max, "peer_max_message_size": w.sendMax}
}

// Close ends our side of the stream once the queue is written (TCP
// half-close, TLS close_notify) and gives the peer CloseHandshakeTimeout to
// end its side; the reader then finishes.
func (w *wire) Close() {
	// closing and the deadline are published before the deadline is set,
	// so that the reader's frame deadline (disarm) cannot clear it unseen.
	var d time.Time
	if w.opts.CloseHandshakeTimeout > 0 {
		d = time.Now().Add(w.opts.CloseHandshakeTimeout)
		w.cs.deadline.Store(d.UnixNano())
	}
	w.cs.closing.Store(true)
	if !d.IsZero() {
		w.conn.SetReadDeadline(d)
	}
	if cw, ok := w.conn.(interface{ CloseWrite() error }); !ok || cw.CloseWrite() != nil {
		w.conn.Close()
	}
}

// Fail drops the connection: RawSocket has no way to tell the peer why, but
// a TCP peer sees a reset rather than the end of the stream.
func (w *wire) Fail(engine.Failure, error) { w.Abort() }

// Abort drops the connection, with a TCP reset where there is TCP. Below
// TLS it closes the socket itself: tls.Conn.Close would first try to send
// close_notify, for up to 5 s, to a peer that may not be reading.
func (w *wire) Abort() {
	c := w.conn
	if tc, ok := c.(netutil.TLSConn); ok {
		c = tc.NetConn()
	}
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}

// Ping sends a PING frame carrying payload and waits, bounded by ctx, for the
// PONG that echoes it. Autobahn|Python peers do not implement PING (see the
// package documentation). The PING is written between queued messages; a
// write that stalls is bounded by the stall timeout, not by ctx.
func (t *Transport) Ping(ctx context.Context, payload []byte) error {
	w, peer := t.w, t.Details().Peer
	if len(payload) > w.sendMax {
		return fmt.Errorf("rawsocket: ping %s: %w: payload is %d bytes, the peer accepts at most %d", peer, ErrMessageTooLarge, len(payload), w.sendMax)
	}
	got := make(chan struct{})
	key := string(payload)
	w.pmu.Lock()
	if w.gone {
		w.pmu.Unlock()
		return fmt.Errorf("rawsocket: ping %s: %w", peer, &core.TransportLost{Err: errConnGone})
	}
	if w.pings == nil {
		w.pings = make(map[string][]chan struct{})
	}
	w.pings[key] = append(w.pings[key], got)
	w.pmu.Unlock()
	if err := w.writeFrame(framePing, payload, w.stallDeadline()); err != nil {
		w.dropPing(key, got)
		engine.Fail(t.Transport, engine.FailWrite, fmt.Errorf("write PING: %w", err))
		return fmt.Errorf("rawsocket: ping %s: %w", peer, &core.TransportLost{Err: err})
	}
	select {
	case <-got:
		w.pmu.Lock()
		defer w.pmu.Unlock()
		if w.gone {
			return fmt.Errorf("rawsocket: ping %s: %w", peer, &core.TransportLost{Err: errConnGone})
		}
		return nil
	case <-ctx.Done():
		w.dropPing(key, got)
		return fmt.Errorf("rawsocket: ping %s: waiting for PONG: %w", peer, ctx.Err())
	}
}

var errConnGone = errors.New("connection closed")

func (w *wire) dropPing(key string, c chan struct{}) {
	w.pmu.Lock()
	defer w.pmu.Unlock()
	waiters := w.pings[key]
	for i, x := range waiters {
		if x == c {
			waiters = append(waiters[:i:i], waiters[i+1:]...)
			break
		}
	}
	if len(waiters) == 0 {
		delete(w.pings, key)
	} else {
		w.pings[key] = waiters
	}
}

// pong completes the oldest Ping waiting for this payload; an unsolicited
// PONG is ignored.
func (w *wire) pong(payload []byte) {
	w.pmu.Lock()
	defer w.pmu.Unlock()
	key := string(payload)
	waiters := w.pings[key]
	if len(waiters) == 0 {
		return
	}
	close(waiters[0])
	if len(waiters) == 1 {
		delete(w.pings, key)
	} else {
		w.pings[key] = waiters[1:]
	}
}

// MaxMessageSize is the largest message this side accepts (as announced in
// the handshake).
func (t *Transport) MaxMessageSize() int { return t.w.fr.max }

// PeerMaxMessageSize is the largest message Send will send: the peer's
// announced limit, capped at 16 MiB - 1 byte.
func (t *Transport) PeerMaxMessageSize() int { return t.w.sendMax }
