package rawsocket

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

// ErrAborted is the cause given to OnClose (inside a [*core.TransportLost])
// after [Transport.Abort].
var ErrAborted = errors.New("rawsocket transport aborted")

// errClosed is the cause of the error Send returns after a clean close.
var errClosed = errors.New("transport closed")

// Transport is an established WAMP-over-RawSocket connection. It implements
// [core.Transport] and adds [Transport.Ping] and the negotiated limits.
//
// Concurrency: Send, Ping, Close, Abort and Details may be called from any
// goroutine. The connection's reader goroutine calls the handler: OnOpen
// once, OnMessage for every message in order, then OnClose once.
type Transport struct {
	conn     net.Conn
	h        core.TransportHandler
	ser      core.Serializer
	opts     *Options
	isServer bool
	sendMax  int         // the peer's announced limit, capped at maxSendSize
	writev   bool        // conn writes net.Buffers with one writev call
	fr       frameReader // used by the reader goroutine only
	done     chan struct{}
	onDone   func() // called once the connection is gone (listener bookkeeping)

	inHandler atomic.Bool // the reader goroutine is inside a handler callback

	mu           sync.Mutex
	pending      net.Buffers // frames waiting behind the write in progress
	pendingBytes int
	writing      bool          // a goroutine is writing to conn
	wake         chan struct{} // closed when the queue drains or the state changes
	state        connState
	lost         error // why the transport went away, once it has
	failure      error // why the transport failed on the write side, if it did
	pings        map[string][]chan struct{}
}

type connState uint8

const (
	stateOpen connState = iota
	stateClosing
	stateAborted
	stateClosed
)

var _ core.Transport = (*Transport)(nil)

func newTransport(conn net.Conn, ser core.Serializer, opts *Options, isServer bool, recvMax, peerMax int) *Transport {
	t := &Transport{
		conn:     conn,
		ser:      ser,
		opts:     opts,
		isServer: isServer,
		sendMax:  min(peerMax, maxSendSize),
		done:     make(chan struct{}),
	}
	switch conn.(type) {
	case *net.TCPConn, *net.UnixConn:
		t.writev = true
	}
	t.fr = frameReader{r: conn, max: recvMax}
	return t
}

// run is the reader goroutine: it opens the handler, delivers messages until
// the connection ends, and closes the handler.
//
// The functions on the idle reader's stack (run, readLoop, frameReader.next)
// keep their frames small, with the work done in functions that return
// before the next read: the runtime sizes new goroutines' stacks after the
// average stack in use, and an idle connection is mostly its stack.
func (t *Transport) run() {
	t.open()
	t.finish(t.readLoop())
}

func (t *Transport) open() {
	t.inHandler.Store(true)
	t.h.OnOpen(t)
	t.inHandler.Store(false)
}

func (t *Transport) readLoop() error {
	for {
		typ, payload, err := t.fr.next()
		if err != nil {
			if err == io.EOF {
				return nil
			}
			return readError(err)
		}
		if err := t.handle(typ, payload); err != nil {
			return err
		}
	}
}

func readError(err error) error { return fmt.Errorf("read: %w", err) }

// handle processes one frame.
func (t *Transport) handle(typ byte, payload []byte) error {
	switch typ {
	case frameMessage:
		msgs, err := t.ser.Unserialize(payload)
		if err != nil {
			return fmt.Errorf("%w: undecodable message of %d bytes: %w", ErrProtocolViolation, len(payload), err)
		}
		t.inHandler.Store(true)
		for _, m := range msgs {
			t.h.OnMessage(m)
		}
		t.inHandler.Store(false)
	case framePing:
		if err := t.queueFrame(context.Background(), framePong, payload, true); err != nil {
			return fmt.Errorf("send PONG: %w", err)
		}
	case framePong:
		t.pong(payload)
	}
	return nil
}

// finish tears the connection down after the read loop ended with err, and
// closes the handler.
func (t *Transport) finish(err error) {
	t.mu.Lock()
	switch {
	case t.state == stateAborted:
		err = &core.TransportLost{Err: ErrAborted}
	case t.state == stateClosing:
		// We closed: whatever ended the read, a clean close.
		err = nil
	case t.failure != nil:
		err = t.failure
	}
	if err != nil && t.state == stateOpen {
		t.opts.Logger.Debug("rawsocket: connection failed", "peer", t.peer(), "err", err)
		err = &core.TransportLost{Err: fmt.Errorf("rawsocket connection with %s: %w", t.peer(), err)}
	}
	// Otherwise err is nil: the peer ended the stream at a frame boundary,
	// a clean close.
	t.state = stateClosed
	t.lost = err
	t.pending, t.pendingBytes = nil, 0
	t.signal()
	for _, waiters := range t.pings {
		for _, c := range waiters {
			close(c)
		}
	}
	t.pings = nil
	t.mu.Unlock()
	t.conn.Close()
	t.h.OnClose(err)
	close(t.done)
	if t.onDone != nil {
		t.onDone()
	}
}

// signal wakes every goroutine waiting for the send queue or the state. The
// caller holds t.mu.
func (t *Transport) signal() {
	if t.wake != nil {
		close(t.wake)
		t.wake = nil
	}
}

// waitChan returns the channel the next signal closes. The caller holds t.mu.
func (t *Transport) waitChan() chan struct{} {
	if t.wake == nil {
		t.wake = make(chan struct{})
	}
	return t.wake
}

// errLost returns the error for an operation on a transport that is no
// longer open: a [*core.TransportLost]. The caller holds t.mu.
func (t *Transport) errLost() error {
	if t.lost != nil {
		return t.lost
	}
	return &core.TransportLost{Err: errClosed}
}

// Send serializes msg and queues it for sending. It returns once the frame is
// written or queued behind the write in progress; ctx bounds the wait for room
// in the send queue. A message longer than the peer's announced maximum is
// refused with an error wrapping [ErrMessageTooLarge]; the transport stays
// usable.
func (t *Transport) Send(ctx context.Context, msg core.Message) error {
	data, err := t.ser.Serialize(msg)
	if err != nil {
		return fmt.Errorf("rawsocket: send %v to %s: %w", msg.Type(), t.peer(), err)
	}
	if len(data) > t.sendMax {
		return fmt.Errorf("rawsocket: send %v to %s: %w: serialized message is %d bytes, the peer accepts at most %d", msg.Type(), t.peer(), ErrMessageTooLarge, len(data), t.sendMax)
	}
	if err := t.queueFrame(ctx, frameMessage, data, false); err != nil {
		return fmt.Errorf("rawsocket: send %v to %s: %w", msg.Type(), t.peer(), err)
	}
	return nil
}

// queueFrame writes a frame, or queues it when another goroutine is writing.
// force skips the queue limit (PONG replies from the reader goroutine, which
// must not block); a peer that lets forced frames pile up beyond four times
// the limit is disconnected.
func (t *Transport) queueFrame(ctx context.Context, typ byte, payload []byte, force bool) error {
	hdr := make([]byte, headerLen)
	putHeader(hdr, typ, len(payload))
	size := headerLen + len(payload)
	t.mu.Lock()
	for {
		if t.state != stateOpen {
			err := t.errLost()
			t.mu.Unlock()
			return err
		}
		if !t.writing {
			break
		}
		if t.pendingBytes == 0 || t.pendingBytes+size <= t.opts.SendQueueSize || force {
			if force && t.pendingBytes > 4*t.opts.SendQueueSize {
				err := fmt.Errorf("send queue overflow: %d bytes waiting, the peer does not read", t.pendingBytes)
				t.failLocked(err)
				t.mu.Unlock()
				return err
			}
			if len(payload) == 0 {
				t.pending = append(t.pending, hdr)
			} else {
				t.pending = append(t.pending, hdr, payload)
			}
			t.pendingBytes += size
			t.mu.Unlock()
			return nil
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
	t.writing = true
	t.mu.Unlock()

	var bufs net.Buffers
	if len(payload) == 0 {
		bufs = net.Buffers{hdr}
	} else {
		bufs = net.Buffers{hdr, payload}
	}
	if err := t.write(bufs); err != nil {
		return err
	}
	// Frames queued meanwhile are flushed in the background so that this
	// caller is not held up by other goroutines' messages.
	t.mu.Lock()
	if len(t.pending) == 0 {
		t.writing = false
		t.signal()
		t.mu.Unlock()
		return nil
	}
	t.mu.Unlock()
	go t.flush()
	return nil
}

// flush writes queued frames, in batches, until the queue is empty.
func (t *Transport) flush() {
	for {
		t.mu.Lock()
		if len(t.pending) == 0 || t.state == stateClosed {
			t.writing = false
			t.signal()
			t.mu.Unlock()
			return
		}
		bufs := t.pending
		t.pending, t.pendingBytes = nil, 0
		t.signal()
		t.mu.Unlock()
		if t.write(bufs) != nil {
			return
		}
	}
}

// write writes bufs with one system call where the connection allows it
// (writev on TCP and Unix sockets, one contiguous buffer otherwise). Only the
// goroutine that set t.writing calls it. On failure the connection is closed
// (a partial frame cannot be taken back) and writing is cleared.
func (t *Transport) write(bufs net.Buffers) error {
	if t.opts.WriteTimeout > 0 {
		t.conn.SetWriteDeadline(time.Now().Add(t.opts.WriteTimeout))
	}
	var err error
	if t.writev || len(bufs) == 1 {
		_, err = bufs.WriteTo(t.conn)
	} else {
		n := 0
		for _, b := range bufs {
			n += len(b)
		}
		one := make([]byte, 0, n)
		for _, b := range bufs {
			one = append(one, b...)
		}
		_, err = t.conn.Write(one)
	}
	if err == nil {
		return nil
	}
	err = fmt.Errorf("write: %w", err)
	t.mu.Lock()
	t.writing = false
	t.failLocked(err)
	t.mu.Unlock()
	return &core.TransportLost{Err: err}
}

// failLocked fails the connection because of err (on the write side): queued
// frames are dropped and the connection is closed, so that the reader ends
// and reports err. The caller holds t.mu.
func (t *Transport) failLocked(err error) {
	if t.failure == nil {
		t.failure = err
	}
	t.pending, t.pendingBytes = nil, 0
	t.signal()
	t.conn.Close()
}

// Ping sends a PING frame carrying payload and waits, bounded by ctx, for the
// PONG that echoes it. Autobahn|Python peers do not implement PING (see the
// package documentation).
func (t *Transport) Ping(ctx context.Context, payload []byte) error {
	if len(payload) > t.sendMax {
		return fmt.Errorf("rawsocket: ping %s: %w: payload is %d bytes, the peer accepts at most %d", t.peer(), ErrMessageTooLarge, len(payload), t.sendMax)
	}
	got := make(chan struct{})
	key := string(payload)
	t.mu.Lock()
	if t.state != stateOpen {
		err := t.errLost()
		t.mu.Unlock()
		return fmt.Errorf("rawsocket: ping %s: %w", t.peer(), err)
	}
	if t.pings == nil {
		t.pings = make(map[string][]chan struct{})
	}
	t.pings[key] = append(t.pings[key], got)
	t.mu.Unlock()
	if err := t.queueFrame(ctx, framePing, append([]byte(nil), payload...), false); err != nil {
		t.dropPing(key, got)
		return fmt.Errorf("rawsocket: ping %s: %w", t.peer(), err)
	}
	select {
	case <-got:
		t.mu.Lock()
		defer t.mu.Unlock()
		if t.state == stateClosed {
			return fmt.Errorf("rawsocket: ping %s: %w", t.peer(), t.errLost())
		}
		return nil
	case <-ctx.Done():
		t.dropPing(key, got)
		return fmt.Errorf("rawsocket: ping %s: waiting for PONG: %w", t.peer(), ctx.Err())
	}
}

func (t *Transport) dropPing(key string, c chan struct{}) {
	t.mu.Lock()
	defer t.mu.Unlock()
	waiters := t.pings[key]
	for i, w := range waiters {
		if w == c {
			waiters = append(waiters[:i:i], waiters[i+1:]...)
			break
		}
	}
	if len(waiters) == 0 {
		delete(t.pings, key)
	} else {
		t.pings[key] = waiters
	}
}

// pong completes the oldest Ping waiting for this payload; an unsolicited
// PONG is ignored.
func (t *Transport) pong(payload []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	key := string(payload)
	waiters := t.pings[key]
	if len(waiters) == 0 {
		return
	}
	close(waiters[0])
	if len(waiters) == 1 {
		delete(t.pings, key)
	} else {
		t.pings[key] = waiters[1:]
	}
}

// Close ends the connection cleanly: queued frames are written, the stream is
// ended (TCP half-close, TLS close_notify), and Close waits, bounded by ctx and
// Options.CloseTimeout, for the peer to end its side; then the connection is
// dropped. When called from the transport's own handler callbacks, Close does
// not wait for the peer (the reader goroutine is the one that notices it) and
// the reader drops the connection after CloseTimeout at the latest. The
// handler's OnClose gets nil. Closing a closed transport returns nil.
func (t *Transport) Close(ctx context.Context) error {
	t.mu.Lock()
	if t.state != stateOpen {
		t.mu.Unlock()
		return nil
	}
	t.state = stateClosing
	t.signal()
	for t.writing {
		wake := t.waitChan()
		t.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			t.conn.Close()
			return fmt.Errorf("rawsocket: close %s: flushing the send queue: %w", t.peer(), ctx.Err())
		}
		t.mu.Lock()
	}
	t.mu.Unlock()

	deadline := time.Time{}
	if t.opts.CloseTimeout > 0 {
		deadline = time.Now().Add(t.opts.CloseTimeout)
	}
	if d, ok := ctx.Deadline(); ok && (deadline.IsZero() || d.Before(deadline)) {
		deadline = d
	}
	t.conn.SetReadDeadline(deadline)
	if cw, ok := t.conn.(interface{ CloseWrite() error }); !ok || cw.CloseWrite() != nil {
		t.conn.Close()
	}
	if t.inHandler.Load() {
		return nil
	}
	select {
	case <-t.done:
		return nil
	case <-ctx.Done():
		t.conn.Close()
		return fmt.Errorf("rawsocket: close %s: waiting for the peer to end the stream: %w", t.peer(), ctx.Err())
	}
}

// Abort drops the connection at once; queued frames are discarded and the
// handler's OnClose gets an error wrapping [ErrAborted].
func (t *Transport) Abort() error {
	t.mu.Lock()
	if t.state == stateOpen || t.state == stateClosing {
		t.state = stateAborted
		t.signal()
	}
	t.mu.Unlock()
	if err := t.conn.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("rawsocket: abort %s: %w", t.peer(), err)
	}
	return nil
}

// Done returns a channel that is closed once the connection is gone and the
// handler's OnClose has returned.
func (t *Transport) Done() <-chan struct{} { return t.done }

// MaxMessageSize is the largest message this side accepts (as announced in
// the handshake).
func (t *Transport) MaxMessageSize() int { return t.fr.max }

// PeerMaxMessageSize is the largest message Send will send: the peer's
// announced limit, capped at 16 MiB - 1 byte.
func (t *Transport) PeerMaxMessageSize() int { return t.sendMax }

// Details describes the connection. Extra holds "max_message_size" (this
// side's limit) and "peer_max_message_size" (the peer's announced limit, as
// used by Send).
func (t *Transport) Details() core.TransportDetails {
	d := core.TransportDetails{
		Framing:    core.FramingRawSocket,
		Serializer: t.ser,
		IsServer:   t.isServer,
		LocalAddr:  t.conn.LocalAddr(),
		PeerAddr:   t.conn.RemoteAddr(),
		Peer:       t.peer(),
		Extra: map[string]any{
			"max_message_size":      t.fr.max,
			"peer_max_message_size": t.sendMax,
		},
	}
	if tc, ok := t.conn.(*tls.Conn); ok {
		st := tc.ConnectionState()
		d.TLS = &st
	}
	return d
}

func (t *Transport) peer() string { return peerString(t.conn.RemoteAddr()) }

// peerString formats an address like Autobahn's peer2str: "tcp4:127.0.0.1:52914",
// "tcp6:::1:52914", "unix:/tmp/server.sock", or "unix" for an unnamed socket.
func peerString(a net.Addr) string {
	switch a := a.(type) {
	case *net.TCPAddr:
		if a.IP.To4() != nil {
			return fmt.Sprintf("tcp4:%s:%d", a.IP, a.Port)
		}
		return fmt.Sprintf("tcp6:%s:%d", a.IP, a.Port)
	case *net.UnixAddr:
		if a.Name == "" || a.Name == "@" {
			return "unix"
		}
		return "unix:" + a.Name
	case nil:
		return "unknown"
	}
	return a.Network() + ":" + a.String()
}
