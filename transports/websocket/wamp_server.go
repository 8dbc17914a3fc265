package websocket

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"
)

// WAMPServer serves WAMP over WebSocket. It is an http.Handler, to mount on
// an http.ServeMux or any net/http server (see [NewWAMPHandler]); the ws
// and wss listeners of [WAMPFactory] run one too.
//
// For every opening handshake it picks the serializer: the first of the
// client's wamp.2.* subprotocols that the server supports (client order
// wins, as in Autobahn and Crossbar.io); when none matches, the handshake
// is denied with 400 and a reason naming the offered and the supported
// subprotocols. Once the connection is open it calls the Acceptor with the
// new [*WAMPTransport] and runs the returned handler.
type WAMPServer struct {
	ws      *Server
	accept  core.Acceptor
	sers    []core.Serializer
	reg     *registry.Registry
	cfg     *wampConfig
	path    string // "" serves every path
	headers http.Header
}

var _ http.Handler = (*WAMPServer)(nil)

// NewWAMPHandler returns a WAMPServer for cfg that hands every established
// transport to accept:
//
//	h, err := websocket.NewWAMPHandler(nil, core.TransportConfig{}, router.Accept)
//	mux.Handle("/ws", h)
//
// reg supplies the serializers when cfg names none, and negotiates (nil:
// registry.Default). cfg.Serializers are the serializers accepted, in the
// server's order (default: every serializer of reg); cfg.Options the
// [WAMPOptions], [Options] or map of Autobahn option names (default: a WAMP
// server's, see [WAMPOptions]); cfg.Headers are added to every handshake
// response. cfg.TLS and cfg.Proxy are not used: TLS is the business of the
// http.Server the handler runs in.
func NewWAMPHandler(reg *registry.Registry, cfg core.TransportConfig, accept core.Acceptor) (*WAMPServer, error) {
	if reg == nil {
		reg = registry.Default
	}
	return newWAMPServer(cfg, accept, reg, "")
}

func newWAMPServer(cfg core.TransportConfig, accept core.Acceptor, reg *registry.Registry, path string) (*WAMPServer, error) {
	if accept == nil {
		return nil, errors.New("websocket: WAMP server: nil acceptor")
	}
	wc, err := wampConfigFrom(cfg.Options, true)
	if err != nil {
		return nil, err
	}
	sers, err := wampSerializers(cfg.Serializers, reg)
	if err != nil {
		return nil, err
	}
	s := &WAMPServer{
		accept:  accept,
		sers:    sers,
		reg:     reg,
		cfg:     wc,
		path:    path,
		headers: cfg.Headers.Clone(),
	}
	s.ws = &Server{
		NewHandler: func() ServerHandler { return &wampHandler{cfg: wc, srv: s} },
		Options:    wc.ws,
		Protocols:  registry.Subprotocols(sers),
		Logger:     wc.log,
	}
	if err := s.ws.init(); err != nil {
		return nil, err
	}
	return s, nil
}

// wampSerializers checks a configured serializer list, or takes every
// serializer of reg in the default preference order. Duplicates are
// dropped.
func wampSerializers(list []core.Serializer, reg *registry.Registry) ([]core.Serializer, error) {
	if len(list) == 0 {
		list = reg.Serializers()
		if len(list) == 0 {
			return nil, errors.New(`websocket: no WAMP serializer registered (import one, e.g. _ "github.com/autobahn-go/autobahn/serializers/json")`)
		}
	}
	out := make([]core.Serializer, 0, len(list))
	seen := make(map[string]bool, len(list))
	for i, s := range list {
		if s == nil {
			return nil, fmt.Errorf("websocket: serializer %d of the transport configuration is nil", i)
		}
		if seen[s.Subprotocol()] {
			continue
		}
		seen[s.Subprotocol()] = true
		out = append(out, s)
	}
	return out, nil
}

// ServeHTTP runs the WebSocket opening handshake and, once it succeeds, the
// WAMP transport on a goroutine of its own.
func (s *WAMPServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.ws.ServeHTTP(w, r)
}

// Serializers returns the serializers the server accepts, in its order.
func (s *WAMPServer) Serializers() []core.Serializer {
	return append([]core.Serializer(nil), s.sers...)
}

// ConnectionCount is the number of open WebSocket connections.
func (s *WAMPServer) ConnectionCount() int { return s.ws.ConnectionCount() }

// CloseAll starts the closing handshake with code 1001 (going away) on every
// open connection and waits until they are gone or ctx is done, when it drops
// the rest. Messages still queued on the transports are dropped.
func (s *WAMPServer) CloseAll(ctx context.Context) error {
	if err := s.ws.CloseAll(ctx); err != nil {
		return fmt.Errorf("websocket: close WAMP connections: %w", err)
	}
	return nil
}
