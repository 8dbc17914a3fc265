package node

import (
	"crypto/tls"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/router"
	"github.com/autobahn-go/autobahn/transports/rawsocket"
	"github.com/autobahn-go/autobahn/transports/websocket"
)

// Config is a node configuration as [Load] read it: what [Start] serves.
// Every field is plain data, so that a program can inspect or adjust it
// (set Router.Logger, say) between the two.
type Config struct {
	// Router are the options of the router worker: its realms and their
	// roles. Start creates the router with them.
	Router router.Options
	// Listeners are the router worker's transports, in the order of the
	// configuration.
	Listeners []Listener
	// Plugins are the plugin binaries of the "plugins" list (autobahn's
	// own key), started by LoadOptions.LoadPlugin while loading.
	Plugins []Plugin
}

// Listener is one transport of the router worker: an endpoint to listen
// on and what it serves there. A "rawsocket" transport has RawSocket only;
// "websocket" and "web" transports have Routes only; a "universal"
// transport may have both, and tells them apart by a connection's first
// byte (0x7F starts a RawSocket handshake, anything else is HTTP).
type Listener struct {
	// Path is the transport's key path in the configuration
	// ("workers[0].transports[1]"), for messages.
	Path string
	// Type is the transport's type: "websocket", "rawsocket", "web" or
	// "universal".
	Type     string
	Endpoint Endpoint
	// RawSocket serves WAMP over RawSocket.
	RawSocket *RawSocketService
	// Routes serve HTTP by the first component of the request path (Name
	// "ws" serves /ws and everything below it); the route named "/" serves
	// every request no other route takes. A "websocket" transport is one
	// WebSocket route named "/".
	Routes []Route
	// Web are the HTTP options of a web transport.
	Web WebOptions
}

// Endpoint is where a listener listens: a TCP address or a Unix socket,
// with TLS when TLS is set.
type Endpoint struct {
	// Network is "tcp", "tcp4", "tcp6" (Crossbar.io's "version" 4 or 6) or
	// "unix".
	Network string
	// Address is "host:port" (an empty host means every interface; port 0
	// picks a free port), or the socket's path.
	Address string
	TLS     *tls.Config
}

// RawSocketService is WAMP over RawSocket on a listener.
type RawSocketService struct {
	// Auth are the authentication methods of the transport's "auth"
	// section (anonymous with role "anonymous" when it has none).
	Auth []router.AuthMethod
	// Serializers are the serializers accepted; nil accepts every
	// registered one.
	Serializers []core.Serializer
	Options     rawsocket.Options
}

// Route is one entry of a web transport's "paths" (or of a universal
// transport's "websocket" map): exactly one of WebSocket, Static and
// NodeInfo is set.
type Route struct {
	// Name is the first path component the route serves, or "/" for the
	// root.
	Name      string
	WebSocket *WebSocketService
	Static    *StaticService
	// NodeInfo serves the router's status page (router/status: realms,
	// sessions, registrations, subscriptions, counters and rates; JSON
	// with ?format=json) where Crossbar.io's "nodeinfo" service shows its
	// node's information page.
	NodeInfo bool
}

// WebSocketService is WAMP over WebSocket on a route.
type WebSocketService struct {
	// Auth are the authentication methods of the service's "auth" section
	// (anonymous with role "anonymous" when it has none).
	Auth []router.AuthMethod
	// Serializers are the serializers accepted (each name of the
	// configuration with its batched variant, as Crossbar.io does); nil
	// accepts every registered one.
	Serializers []core.Serializer
	Options     websocket.WAMPOptions
}

// StaticService serves the files of a directory, as Crossbar.io's
// "static" web service does.
type StaticService struct {
	// Directory is the absolute path of the directory served.
	Directory string
	// Listing lists directories that have no index.html
	// (enable_directory_listing, default false: 404).
	Listing bool
	// CacheTimeout sets Cache-Control max-age and Expires (cache_timeout,
	// default 12 hours); negative sends neither (cache_timeout null).
	CacheTimeout time.Duration
	// MIMETypes maps file extensions (".svg") to content types, over Go's
	// own table (mime_types).
	MIMETypes map[string]string
	// DefaultFile, when set, is served (with status 200) for paths that
	// have no file, as single-page applications want (default_file).
	DefaultFile string
}

// WebOptions are the "options" of a web transport.
type WebOptions struct {
	// AccessLog logs every HTTP request (access_log).
	AccessLog bool
	// HSTS sends Strict-Transport-Security with HSTSMaxAge (hsts,
	// hsts_max_age, default 31536000 s) on TLS connections.
	HSTS       bool
	HSTSMaxAge time.Duration
	// ClientTimeout closes idle HTTP connections after this long
	// (client_timeout; zero: never).
	ClientTimeout time.Duration
}
