package node

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/router"
	"github.com/autobahn-go/autobahn/transports/rawsocket"
	"github.com/autobahn-go/autobahn/transports/websocket"
)

// Node is a running node: the router and the listeners of a [Config].
type Node struct {
	// Router is the node's router, for in-process components
	// (Router.Connect) and its statistics.
	Router *router.Router

	logger  *slog.Logger
	servers []*server
}

// Bound is a listener of a running node: where it listens and what it
// serves there.
type Bound struct {
	// Path is the transport's key path in the configuration.
	Path string
	// Type is the transport's type (websocket, rawsocket, web, universal).
	Type string
	Addr net.Addr
	// Services are what clients reach at Addr, one per WAMP service or
	// static route.
	Services []Service
}

// Service is one thing a listener serves: Kind is "websocket",
// "rawsocket", "static" or "nodeinfo"; URL is how a client reaches it
// (ws://127.0.0.1:8080/ws, rss://…, https://…/static/).
type Service struct{ Kind, URL string }

// server is one running listener.
type server struct {
	cfg  *Listener
	addr net.Addr
	// Exactly one of these accepts: the RawSocket factory's listener (a
	// rawsocket transport), or the node's own (the others).
	rs core.Listener
	ln net.Listener

	http   *http.Server
	wamp   []*websocket.WAMPServer
	loopWG sync.WaitGroup // the accept loop of a universal transport
}

// Start creates the router of cfg and opens every listener, in order. If
// one cannot listen, those already open are closed again and the error
// names the transport. ctx bounds starting only; [Node.Close] stops the
// node. The router's logger (cfg.Router.Logger, default slog.Default())
// logs for the listeners too.
func Start(ctx context.Context, cfg *Config) (*Node, error) {
	r, err := router.New(cfg.Router)
	if err != nil {
		return nil, fmt.Errorf("config: router: %w", err)
	}
	n := &Node{Router: r, logger: cfg.Router.Logger}
	if n.logger == nil {
		n.logger = slog.Default()
	}
	for i := range cfg.Listeners {
		s, err := n.listen(ctx, &cfg.Listeners[i])
		if err != nil {
			n.stopListening()
			r.Close(context.WithoutCancel(ctx))
			n.dropConnections(context.WithoutCancel(ctx))
			return nil, err
		}
		n.servers = append(n.servers, s)
	}
	return n, nil
}

// Listeners returns the node's listeners, in the order of the
// configuration.
func (n *Node) Listeners() []Bound {
	out := make([]Bound, len(n.servers))
	for i, s := range n.servers {
		out[i] = Bound{Path: s.cfg.Path, Type: s.cfg.Type, Addr: s.addr, Services: s.services()}
	}
	return out
}

// Close stops the node: the listeners stop accepting, the router says
// GOODBYE to every session and waits for them (bounded by ctx and
// Options.ShutdownTimeout), then connections still open are dropped. It
// returns the router's error, if any.
func (n *Node) Close(ctx context.Context) error {
	n.stopListening()
	err := n.Router.Close(ctx)
	n.dropConnections(ctx)
	return err
}

func (n *Node) stopListening() {
	for _, s := range n.servers {
		if s.rs != nil {
			s.rs.Close()
		}
		if s.ln != nil {
			s.ln.Close()
		}
		s.loopWG.Wait()
	}
}

// dropConnections closes the WebSocket connections the router's GOODBYE
// left open, and the HTTP servers with their idle connections.
func (n *Node) dropConnections(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	for _, s := range n.servers {
		for _, w := range s.wamp {
			w.CloseAll(ctx)
		}
		if s.http != nil {
			s.http.Close()
		}
	}
}

// listen opens one listener.
func (n *Node) listen(ctx context.Context, l *Listener) (*server, error) {
	s := &server{cfg: l}
	at := l.Path + ".endpoint"
	if len(l.Routes) == 0 && l.Type == "rawsocket" {
		rs, err := (&rawsocket.Factory{}).Listen(ctx, rawSocketURL(l.Endpoint), n.rawSocketConfig(l.RawSocket, l.Endpoint.TLS), n.Router.Acceptor(l.RawSocket.Auth...))
		if err != nil {
			return nil, wrapErr(at, err)
		}
		s.rs, s.addr = rs, rs.Addr()
		return s, nil
	}
	handler, err := n.handler(s)
	if err != nil {
		return nil, wrapErr(l.Path, err)
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, l.Endpoint.Network, l.Endpoint.Address)
	if err != nil {
		return nil, wrapErr(at, err)
	}
	s.ln, s.addr = ln, ln.Addr()
	s.http = n.httpServer(l, handler)
	if l.Type == "universal" {
		n.serveUniversal(s)
		return s, nil
	}
	if l.Endpoint.TLS != nil {
		ln = tls.NewListener(ln, httpTLS(l.Endpoint.TLS))
	}
	go s.http.Serve(ln)
	return s, nil
}

// httpTLS is a TLS configuration for HTTP/1.1 only: a WebSocket upgrade
// needs HTTP/1.1.
func httpTLS(c *tls.Config) *tls.Config {
	c = c.Clone()
	c.NextProtos = []string{"http/1.1"}
	return c
}

// rawSocketConfig is the transport configuration of a RawSocket service.
func (n *Node) rawSocketConfig(svc *RawSocketService, tc *tls.Config) core.TransportConfig {
	o := svc.Options
	o.Logger = n.logger
	return core.TransportConfig{Serializers: svc.Serializers, Options: o, TLS: tc}
}

// rawSocketURL is the RawSocket URL of an endpoint, for the RawSocket
// factory: rs:// or rss:// for TCP (the wildcard address of the
// endpoint's IP version when it names no interface), unix:// for a Unix
// socket.
func rawSocketURL(e Endpoint) *url.URL {
	if e.Network == "unix" {
		return &url.URL{Scheme: "unix", Path: e.Address}
	}
	host, port, _ := net.SplitHostPort(e.Address)
	switch {
	case host != "":
	case e.Network == "tcp6":
		host = "::"
	case e.Network == "tcp4":
		host = "0.0.0.0"
	}
	scheme := "rs"
	if e.TLS != nil {
		scheme = "rss"
	}
	return &url.URL{Scheme: scheme, Host: net.JoinHostPort(host, port)}
}

// services lists what s serves, with the URLs clients use.
func (s *server) services() []Service {
	var out []Service
	host := s.addr.String()
	if ta, ok := s.addr.(*net.TCPAddr); ok {
		host = net.JoinHostPort(ta.IP.String(), fmt.Sprint(ta.Port))
	}
	unix := s.cfg.Endpoint.Network == "unix"
	secure := s.cfg.Endpoint.TLS != nil
	if rs := s.cfg.RawSocket; rs != nil {
		u := "rs://" + host
		switch {
		case unix:
			u = (&url.URL{Scheme: "unix", Path: s.cfg.Endpoint.Address}).String()
		case secure:
			u = "rss://" + host
		}
		out = append(out, Service{Kind: "rawsocket", URL: u})
	}
	for _, r := range s.cfg.Routes {
		path := "/"
		if r.Name != "/" {
			path += r.Name
		}
		kind, scheme := "websocket", "ws"
		switch {
		case r.Static != nil:
			kind, scheme = "static", "http"
			if r.Name != "/" {
				path += "/"
			}
		case r.NodeInfo:
			kind, scheme = "nodeinfo", "http"
		}
		if secure {
			scheme += "s"
		}
		u := scheme + "://" + host + path
		if unix {
			u = scheme + "://unix:" + s.cfg.Endpoint.Address + " (path " + path + ")"
		}
		out = append(out, Service{Kind: kind, URL: u})
	}
	return out
}

// errNoRawSocket is why a universal transport without a RawSocket part
// drops a RawSocket client.
var errNoRawSocket = errors.New("RawSocket client on a transport without rawsocket")
