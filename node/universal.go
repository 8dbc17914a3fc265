package node

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"github.com/autobahn-go/autobahn/transports/rawsocket"
)

// universalTimeout bounds the TLS handshake and the first byte of a
// universal transport's connection: RawSocket's open handshake timeout.
const universalTimeout = rawsocket.DefaultOpenHandshakeTimeout

// rawSocketMagic is the first byte of a RawSocket client.
const rawSocketMagic = 0x7F

// serveUniversal runs the accept loop of a universal transport: each
// connection (after TLS, when the endpoint has it) is RawSocket when its
// first byte is 0x7F, else HTTP for the listener's routes — one port for
// every kind of client, as Crossbar.io's universal transport.
func (n *Node) serveUniversal(s *server) {
	conns := newConnQueue(s.ln.Addr())
	go s.http.Serve(conns)
	s.loopWG.Add(1)
	go func() {
		defer s.loopWG.Done()
		defer conns.Close()
		var delay time.Duration
		for {
			c, err := s.ln.Accept()
			if err != nil {
				if errors.Is(err, net.ErrClosed) {
					return
				}
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				n.logger.Warn("universal transport: accept failed", "addr", s.addr, "err", err, "retry_in", delay)
				time.Sleep(delay)
				continue
			}
			delay = 0
			go n.dispatch(s, c, conns)
		}
	}()
}

// dispatch tells one connection of a universal transport apart and hands
// it on.
func (n *Node) dispatch(s *server, c net.Conn, conns *connQueue) {
	l := s.cfg
	deadline := time.Now().Add(universalTimeout)
	var tc *tls.Conn
	if l.Endpoint.TLS != nil {
		tc = tls.Server(c, l.Endpoint.TLS)
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		err := tc.HandshakeContext(ctx)
		cancel()
		if err != nil {
			n.logger.Debug("universal transport: TLS handshake failed", "peer", c.RemoteAddr(), "err", err)
			c.Close()
			return
		}
		c = tc
	}
	first, conn, err := peekFirst(c, tc, deadline)
	if err != nil {
		n.logger.Debug("universal transport: no first byte", "peer", c.RemoteAddr(), "err", err)
		c.Close()
		return
	}
	switch {
	case first != rawSocketMagic:
		if len(l.Routes) == 0 {
			conn.Close()
			return
		}
		conns.push(conn)
	case l.RawSocket == nil:
		n.logger.Debug("universal transport: dropping a client", "peer", c.RemoteAddr(), "err", errNoRawSocket)
		conn.Close()
	default:
		// TLS is done already: the RawSocket server runs over the stream.
		err := rawsocket.ServeConn(conn, nil, n.rawSocketConfig(l.RawSocket, nil), n.Router.Acceptor(l.RawSocket.Auth...))
		if err != nil {
			n.logger.Debug("universal transport: RawSocket handshake failed", "peer", c.RemoteAddr(), "err", err)
		}
	}
}

// peekFirst returns the first byte of c without consuming it: with
// MSG_PEEK on a plain TCP or Unix socket (the connection stays the
// socket itself, which the transports write to most efficiently), else by
// reading it and returning a connection that gives it back first.
func peekFirst(c net.Conn, tc *tls.Conn, deadline time.Time) (byte, net.Conn, error) {
	c.SetReadDeadline(deadline)
	defer c.SetReadDeadline(time.Time{})
	if tc == nil {
		if b, ok, err := peekSocket(c); ok {
			return b, c, err
		}
	}
	var b [1]byte
	if _, err := io.ReadFull(c, b[:]); err != nil {
		return 0, nil, err
	}
	pc := &peekedConn{Conn: c, first: b[0], pending: true}
	if tc != nil {
		return b[0], &peekedTLSConn{peekedConn: pc, tls: tc}, nil
	}
	return b[0], pc, nil
}

// peekedConn is a connection whose first byte was read: Read returns it
// first.
type peekedConn struct {
	net.Conn
	mu      sync.Mutex
	first   byte
	pending bool
}

func (p *peekedConn) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return p.Conn.Read(b)
	}
	p.mu.Lock()
	if p.pending {
		p.pending = false
		p.mu.Unlock()
		b[0] = p.first
		return 1, nil
	}
	p.mu.Unlock()
	return p.Conn.Read(b)
}

// peekedTLSConn is a peekedConn over TLS. ConnectionState and NetConn are
// those of the TLS connection, so that the transports see the TLS state
// (for channel binding) as they do on a *tls.Conn.
type peekedTLSConn struct {
	*peekedConn
	tls *tls.Conn
}

// ConnectionState is the TLS state of the connection.
func (p *peekedTLSConn) ConnectionState() tls.ConnectionState { return p.tls.ConnectionState() }

// NetConn is the socket below TLS.
func (p *peekedTLSConn) NetConn() net.Conn { return p.tls.NetConn() }

// connQueue is the net.Listener through which a universal transport hands
// its HTTP connections to its http.Server.
type connQueue struct {
	addr  net.Addr
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newConnQueue(addr net.Addr) *connQueue {
	return &connQueue{addr: addr, conns: make(chan net.Conn), done: make(chan struct{})}
}

// push hands c to the server, or closes it once the queue is closed.
func (q *connQueue) push(c net.Conn) {
	select {
	case q.conns <- c:
	case <-q.done:
		c.Close()
	}
}

func (q *connQueue) Accept() (net.Conn, error) {
	select {
	case c := <-q.conns:
		return c, nil
	case <-q.done:
		return nil, net.ErrClosed
	}
}

func (q *connQueue) Close() error {
	q.once.Do(func() { close(q.done) })
	return nil
}

func (q *connQueue) Addr() net.Addr { return q.addr }
