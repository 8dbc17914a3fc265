package rawsocket

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/engine"
	"github.com/autobahn-go/autobahn/internal/netutil"
	"github.com/autobahn-go/autobahn/registry"
)

func init() {
	f := &Factory{}
	for _, s := range f.Schemes() {
		registry.RegisterTransport(s, f)
	}
}

// Schemes are the URL schemes the factory serves: rs, rss, tcp, unix.
func (f *Factory) Schemes() []string { return slices.Clone(schemes) }

// Factory dials and listens for RawSocket URLs (rs, rss, tcp, unix). The zero
// value is ready to use; it is registered with the default registry for those
// schemes.
type Factory struct {
	// Registry supplies the serializers when the configuration names none.
	// Nil means registry.Default.
	Registry *registry.Registry
}

var _ core.TransportFactory = (*Factory)(nil)

func (f *Factory) registry() *registry.Registry {
	if f == nil {
		return registry.Default
	}
	return orDefault(f.Registry)
}

// Dial connects to u, performs the handshake, and runs h over the new
// transport. The client offers the first plain serializer of cfg.Serializers
// (default: the first registered of CBOR, MsgPack, UBJSON, JSON). ctx bounds
// connecting and the handshake. For rss, cfg.TLS configures the TLS client
// (nil: Go's defaults, verifying the URL's host); cfg.Headers does not apply
// to RawSocket and is ignored, and cfg.Proxy is refused (dial the proxy
// yourself and run [Client] over the connection).
func (f *Factory) Dial(ctx context.Context, u *url.URL, cfg core.TransportConfig, h core.TransportHandler) (core.Transport, error) {
	addr, err := ParseURL(u, false)
	if err != nil {
		return nil, err
	}
	if h == nil {
		return nil, fmt.Errorf("rawsocket: dial %s: nil handler", u.Redacted())
	}
	if cfg.Proxy != nil {
		return nil, fmt.Errorf("rawsocket: dial %s: proxy %s: proxies are not supported for RawSocket", u.Redacted(), cfg.Proxy.Redacted())
	}
	opts, err := optionsFrom(cfg.Options)
	if err != nil {
		return nil, err
	}
	ser, err := clientSerializer(cfg.Serializers, f.registry())
	if err != nil {
		return nil, err
	}
	d := &net.Dialer{}
	var conn net.Conn
	if addr.TLS {
		tc := cfg.TLS
		if tc == nil {
			tc = &tls.Config{}
		}
		if tc.ServerName == "" && addr.Host != "" {
			tc = tc.Clone()
			tc.ServerName = addr.Host
		}
		hctx, cancel := handshakeContext(ctx, opts.OpenHandshakeTimeout)
		conn, err = (&tls.Dialer{NetDialer: d, Config: tc}).DialContext(hctx, addr.Network, addr.Address)
		cancel()
	} else {
		conn, err = d.DialContext(ctx, addr.Network, addr.Address)
	}
	if err != nil {
		return nil, fmt.Errorf("rawsocket: %w", err)
	}
	netutil.SetNoDelay(conn, !opts.DisableTCPNoDelay)
	t, err := clientHandshake(ctx, conn, ser, &opts)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("rawsocket: %w", err)
	}
	engine.Start(t.Transport, h)
	go t.run(nil)
	return t, nil
}

// Client runs the client side of a RawSocket connection over an established
// conn (a proxied stream, a stream tunnelled over WebSocket, …): it performs
// the handshake, bounded by ctx and the handshake timeout, and starts the
// reader goroutine that runs h. reg supplies the serializers when cfg names
// none (nil: registry.Default). On error, conn is closed.
func Client(ctx context.Context, conn net.Conn, reg *registry.Registry, cfg core.TransportConfig, h core.TransportHandler) (*Transport, error) {
	if h == nil {
		conn.Close()
		return nil, fmt.Errorf("rawsocket: client: nil handler")
	}
	opts, err := optionsFrom(cfg.Options)
	if err != nil {
		conn.Close()
		return nil, err
	}
	ser, err := clientSerializer(cfg.Serializers, orDefault(reg))
	if err != nil {
		conn.Close()
		return nil, err
	}
	t, err := clientHandshake(ctx, conn, ser, &opts)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("rawsocket: %w", err)
	}
	engine.Start(t.Transport, h)
	go t.run(nil)
	return t, nil
}

func orDefault(reg *registry.Registry) *registry.Registry {
	if reg == nil {
		return registry.Default
	}
	return reg
}

// clientSerializer picks the serializer a client offers.
func clientSerializer(list []core.Serializer, reg *registry.Registry) (core.Serializer, error) {
	explicit := len(list) > 0
	if !explicit {
		list = reg.RawSocketSerializers()
	}
	for _, s := range list {
		if s != nil && !s.Batched() && s.RawSocketID() >= 1 && s.RawSocketID() <= 15 {
			return s, nil
		}
	}
	if explicit {
		names := make([]string, 0, len(list))
		for _, s := range list {
			if s != nil {
				names = append(names, s.Name())
			}
		}
		return nil, fmt.Errorf("rawsocket: none of the serializers [%s] can run over RawSocket (a plain serializer with a RawSocket id is needed)", strings.Join(names, ", "))
	}
	return nil, fmt.Errorf("rawsocket: no serializer registered (import one, e.g. _ \"github.com/autobahn-go/autobahn/serializers/cbor\")")
}

// serverSerializers maps the RawSocket ids a server accepts to serializers;
// the first plain serializer of the list wins for an id.
func serverSerializers(list []core.Serializer, reg *registry.Registry) (map[byte]core.Serializer, error) {
	if len(list) == 0 {
		list = reg.RawSocketSerializers()
	}
	m := make(map[byte]core.Serializer)
	for _, s := range list {
		if s == nil || s.Batched() || s.RawSocketID() < 1 || s.RawSocketID() > 15 {
			continue
		}
		if _, dup := m[s.RawSocketID()]; !dup {
			m[s.RawSocketID()] = s
		}
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("rawsocket: no plain serializer with a RawSocket id to accept (configured or registered)")
	}
	return m, nil
}

// handshakeContext bounds ctx by the handshake timeout (negative: none).
func handshakeContext(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if timeout < 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, timeout)
}

// withDeadline applies ctx (and its cancellation) to conn's deadline for the
// duration of a handshake; the returned function clears it again and reports
// whether ctx ended the handshake.
func withDeadline(ctx context.Context, conn net.Conn) (stop func() error) {
	if d, ok := ctx.Deadline(); ok {
		conn.SetDeadline(d)
	}
	stopAfter := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	return func() error {
		if !stopAfter() {
			// The context ended: the deadline may have been moved into the
			// past; report why.
			return ctx.Err()
		}
		conn.SetDeadline(time.Time{})
		return nil
	}
}

func clientHandshake(ctx context.Context, conn net.Conn, ser core.Serializer, opts *Options) (*Transport, error) {
	hctx, cancel := handshakeContext(ctx, opts.OpenHandshakeTimeout)
	defer cancel()
	stop := withDeadline(hctx, conn)
	req := handshake(opts.MaxMessagePayloadSize, ser.RawSocketID())
	var reply [4]byte
	_, err := conn.Write(req[:])
	if err == nil {
		_, err = io.ReadFull(conn, reply[:])
	}
	if cerr := stop(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		err = handshakeErr(hctx, err)
		return nil, fmt.Errorf("handshake with %s: %w", netutil.PeerString(conn.RemoteAddr()), err)
	}
	peerMax, err := parseReply(reply, ser.RawSocketID(), opts.MinPeerMaxMessageSize)
	if err != nil {
		return nil, fmt.Errorf("handshake with %s: %w", netutil.PeerString(conn.RemoteAddr()), err)
	}
	return newTransport(conn, ser, settings(opts), opts, false, peerMax), nil
}

// handshakeErr explains a failed handshake I/O: when the deadline (or
// cancellation) of ctx caused it, the error wraps ctx's error too.
func handshakeErr(ctx context.Context, err error) error {
	cerr := ctx.Err()
	if cerr == nil && errors.Is(err, os.ErrDeadlineExceeded) {
		if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
			cerr = context.DeadlineExceeded
		}
	}
	if cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w (%w)", cerr, err)
	}
	return err
}

// settings are the engine settings of resolved options.
func settings(o *Options) *engine.Settings {
	return &engine.Settings{
		Name:              "rawsocket",
		Queue:             o.Queue,
		Logger:            o.Logger,
		Debug:             engine.Debug{LogOctets: o.LogOctets, LogFrames: o.LogFrames, TrackTimings: o.TrackTimings},
		ProtocolViolation: ErrProtocolViolation,
	}
}

// server is the configuration shared by the connections of one listener.
type server struct {
	opts   Options
	es     *engine.Settings // shared by the connections
	sers   map[byte]core.Serializer
	tls    *tls.Config
	accept core.Acceptor
	active atomic.Int64 // connections being served (for MaxConnections)
}

// ServeConn runs the server side of a RawSocket connection over an
// established conn, for servers that accept connections themselves (for
// example to share a port with WebSocket: RawSocket clients start with the
// byte 0x7F). It performs the handshake, calls accept, and runs the returned
// handler in the calling goroutine until the connection ends. It returns nil
// after a served connection, or the handshake error. reg supplies the
// serializers when cfg names none (nil: registry.Default). cfg.TLS, when
// set, is used to run TLS over conn first. cfg.Options.MaxConnections is
// ignored.
func ServeConn(conn net.Conn, reg *registry.Registry, cfg core.TransportConfig, accept core.Acceptor) error {
	s, err := newServer(cfg, accept, orDefault(reg))
	if err != nil {
		conn.Close()
		return err
	}
	s.opts.MaxConnections = 0
	return s.serve(conn, false)
}

func newServer(cfg core.TransportConfig, accept core.Acceptor, reg *registry.Registry) (*server, error) {
	if accept == nil {
		return nil, fmt.Errorf("rawsocket: nil acceptor")
	}
	opts, err := optionsFrom(cfg.Options)
	if err != nil {
		return nil, err
	}
	sers, err := serverSerializers(cfg.Serializers, reg)
	if err != nil {
		return nil, err
	}
	return &server{opts: opts, es: settings(&opts), sers: sers, tls: cfg.TLS, accept: accept}, nil
}

// serve handshakes and runs one connection in the calling goroutine, or with
// async, in a new goroutine once the handshake is done: the handshake (TLS in
// particular) grows a goroutine's stack, which is then never shrunk while it
// sits idle in a read, so a fresh reader goroutine keeps an idle connection
// at the minimal stack size.
func (s *server) serve(conn net.Conn, async bool) error {
	n := s.active.Add(1)
	release := func() { s.active.Add(-1) }
	t, err := s.handshake(conn, n)
	if err != nil {
		release()
		conn.Close()
		s.opts.Logger.Debug("rawsocket: handshake failed", "peer", netutil.PeerString(conn.RemoteAddr()), "err", err)
		return err
	}
	t.w.onDone = release
	if async {
		go t.run(s.accept)
	} else {
		// The caller's goroutine serves the connection to its end: the
		// reader must not move to another goroutine.
		t.w.fr.probing = false
		t.run(s.accept)
	}
	return nil
}

func (s *server) handshake(conn net.Conn, active int64) (*Transport, error) {
	ctx, cancel := handshakeContext(context.Background(), s.opts.OpenHandshakeTimeout)
	defer cancel()
	stop := withDeadline(ctx, conn)
	peer := netutil.PeerString(conn.RemoteAddr())
	if s.tls != nil {
		tc := tls.Server(conn, s.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			stop()
			return nil, fmt.Errorf("rawsocket: TLS handshake with %s: %w", peer, handshakeErr(ctx, err))
		}
		conn = tc
	}
	var req [4]byte
	if _, err := io.ReadFull(conn, req[:]); err != nil {
		stop()
		return nil, fmt.Errorf("rawsocket: handshake with %s: reading the request: %w", peer, handshakeErr(ctx, err))
	}
	var r request
	var err error
	if req[0] != magic {
		// Not a RawSocket client: fail the connection without a reply.
		stop()
		return nil, fmt.Errorf("rawsocket: handshake with %s: %w (got 0x%02X)", peer, ErrBadMagic, req[0])
	}
	if s.opts.MaxConnections > 0 && active > int64(s.opts.MaxConnections) {
		err = &HandshakeError{Code: CodeMaxConnectionsReached, Reason: fmt.Sprintf("%d connections served", s.opts.MaxConnections)}
	} else {
		r, err = parseRequest(req, func(id byte) bool { return s.sers[id] != nil }, s.opts.MinPeerMaxMessageSize)
	}
	var reply [4]byte
	var herr *HandshakeError
	switch {
	case errors.As(err, &herr):
		reply = errorReply(herr.Code)
	case err != nil:
		stop()
		return nil, fmt.Errorf("rawsocket: handshake with %s: %w", peer, err)
	default:
		reply = handshake(s.opts.MaxMessagePayloadSize, r.serializerID)
	}
	_, werr := conn.Write(reply[:])
	if err != nil {
		if cw, ok := conn.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
		stop()
		return nil, fmt.Errorf("rawsocket: handshake with %s: %w", peer, err)
	}
	if serr := stop(); werr == nil {
		werr = serr
	}
	if werr != nil {
		return nil, fmt.Errorf("rawsocket: handshake with %s: writing the reply: %w", peer, werr)
	}
	netutil.SetNoDelay(conn, !s.opts.DisableTCPNoDelay)
	return newTransport(conn, s.sers[r.serializerID], s.es, &s.opts, true, r.maxSize), nil
}

// Listen accepts RawSocket connections at u until the listener is closed,
// and hands each established transport to accept. The server accepts any
// plain serializer of cfg.Serializers (default: every registered one). An rss
// URL needs cfg.TLS with a certificate. ctx bounds setting up the listener
// only.
func (f *Factory) Listen(ctx context.Context, u *url.URL, cfg core.TransportConfig, accept core.Acceptor) (core.Listener, error) {
	addr, err := ParseURL(u, true)
	if err != nil {
		return nil, err
	}
	if !addr.TLS {
		cfg.TLS = nil
	} else if cfg.TLS == nil || (len(cfg.TLS.Certificates) == 0 && cfg.TLS.GetCertificate == nil && cfg.TLS.GetConfigForClient == nil) {
		return nil, fmt.Errorf("rawsocket: listen %s: TLS needs a certificate in the transport configuration's TLS", u.Redacted())
	}
	s, err := newServer(cfg, accept, f.registry())
	if err != nil {
		return nil, err
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, addr.Network, addr.Address)
	if err != nil {
		return nil, fmt.Errorf("rawsocket: %w", err)
	}
	l := &Listener{ln: ln, s: s, done: make(chan struct{})}
	go l.acceptLoop()
	return l, nil
}

// Listener accepts RawSocket connections; it implements [core.Listener].
type Listener struct {
	ln        net.Listener
	s         *server
	done      chan struct{}
	closeOnce sync.Once
	closed    atomic.Bool
}

var _ core.Listener = (*Listener)(nil)

// Addr is the address the listener accepts connections on.
func (l *Listener) Addr() net.Addr { return l.ln.Addr() }

// Close stops accepting and waits for the accept loop to end; established
// connections are not affected.
func (l *Listener) Close() error {
	var err error
	l.closeOnce.Do(func() {
		l.closed.Store(true)
		err = l.ln.Close()
	})
	<-l.done
	if err != nil {
		return fmt.Errorf("rawsocket: close listener %s: %w", l.ln.Addr(), err)
	}
	return nil
}

// ActiveConnections returns the number of connections being served
// (handshaking or established).
func (l *Listener) ActiveConnections() int { return int(l.s.active.Load()) }

func (l *Listener) acceptLoop() {
	defer close(l.done)
	var delay time.Duration
	for {
		conn, err := l.ln.Accept()
		if err != nil {
			if l.closed.Load() || errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: back off and retry.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			l.s.opts.Logger.Warn("rawsocket: accept failed", "addr", l.ln.Addr(), "err", err, "retry_in", delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		go l.s.serve(conn, true)
	}
}
