package core

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/url"
)

// TransportConfig is what a [TransportFactory] needs to dial or listen, beyond
// the URL.
type TransportConfig struct {
	// Serializers lists the serializers to offer (client) or accept (server),
	// most preferred first. Empty means every serializer of the registry in
	// the default preference order (cbor.batched, cbor, msgpack.batched, …).
	Serializers []Serializer
	// TLS configures wss / rss connections (client: verification, client
	// certificates; server: certificates). Nil uses Go's defaults on the client
	// and is an error for a TLS listener.
	TLS *tls.Config
	// Proxy is an HTTP or SOCKS5 proxy for clients (http://, socks5://).
	Proxy *url.URL
	// Headers are extra HTTP headers for the WebSocket opening handshake.
	Headers http.Header
	// Options are transport-specific options: the transport's own options
	// struct, or a map[string]any with Autobahn's option names (as found in
	// component configs). Unknown option names are an error.
	Options any
}

// Acceptor is called by a listener for every transport it accepts, once the
// transport is established; it returns the handler that will run over it, or
// nil to close the transport again.
type Acceptor func(t Transport) TransportHandler

// Listener is a listening transport endpoint.
type Listener interface {
	// Addr is the address the listener accepts connections on.
	Addr() net.Addr
	// Close stops accepting; established transports are not affected.
	Close() error
}

// TransportFactory dials and listens for one family of URL schemes. Transport
// plugins register a factory with the registry under each scheme they serve.
type TransportFactory interface {
	// Dial connects to u and runs h over the new transport: h.OnOpen is
	// called before any message is delivered. Dial returns once the transport
	// is established (handshake done) or failed.
	Dial(ctx context.Context, u *url.URL, cfg TransportConfig, h TransportHandler) (Transport, error)
	// Listen accepts transports at u until the listener is closed.
	Listen(ctx context.Context, u *url.URL, cfg TransportConfig, accept Acceptor) (Listener, error)
}
