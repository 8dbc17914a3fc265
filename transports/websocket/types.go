package websocket

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Handler receives the events of one WebSocket connection (the callbacks of
// Autobahn's IWebSocketChannel). The connection calls its methods one at a
// time, in order: OnOpen once, OnMessage for every message received, OnClose
// once (with OnPing and OnPong, if implemented, in between). They run on the
// connection's reader goroutine, which is replaced by a fresh one when the
// connection has been quiet for a moment (to keep idle connections small),
// so successive calls may come from different goroutines, each happening
// after the previous one returned. A slow method delays the reading of
// further messages of this connection only.
//
// Handler methods may call the connection's Send methods and SendClose, but
// must not call [Conn.Close], which waits for OnClose.
type Handler interface {
	// OnOpen is called when the opening handshake is complete.
	OnOpen(c *Conn)
	// OnMessage is called for every complete message. payload belongs to
	// the handler; text messages have been validated as UTF-8 unless
	// DisableUTF8Validation is set.
	OnMessage(payload []byte, isBinary bool)
	// OnClose is called once when the connection is gone. wasClean tells
	// whether the closing handshake completed (and, for a client, the server
	// closed the TCP connection in time). After a clean close, code and
	// reason are the peer's (code 1005 if its close frame had none, where
	// Autobahn passes None); otherwise code is 1006 and reason says what
	// happened, worded as Autobahn does: connection was closed uncleanly
	// ("peer dropped the TCP connection without previous WebSocket closing
	// handshake").
	OnClose(wasClean bool, code int, reason string)
}

// ServerHandler is a Handler on the server side, which also decides whether
// to accept a connection (Autobahn's WebSocketServerProtocol.onConnect).
type ServerHandler interface {
	Handler
	// OnConnect is called with the validated opening handshake request. It
	// returns the subprotocol and extra headers to accept with, or an error
	// to deny: a *ConnectionDeny sends its HTTP status and reason, any other
	// error sends 500 with "Internal server error: " and the error text.
	OnConnect(req *ConnectionRequest) (ConnectionAccept, error)
}

// ClientHandler is a Handler on the client side (Autobahn's
// WebSocketClientProtocol).
type ClientHandler interface {
	Handler
	// OnConnect is called with the server's handshake response before
	// OnOpen. Returning an error fails the connection and makes Dial return
	// that error.
	OnConnect(resp *ConnectionResponse) error
}

// PingHandler is implemented by handlers that want to see incoming pings
// (Autobahn onPing). The pong is sent by the connection in any case. Pings
// and pongs are reported when they are read, which can be before OnMessage
// for a message that arrived just before them.
type PingHandler interface {
	OnPing(payload []byte)
}

// PongHandler is implemented by handlers that want to see incoming pongs
// (Autobahn onPong), including the answers to auto-pings.
type PongHandler interface {
	OnPong(payload []byte)
}

// ConnectionRequest is a client's opening handshake request, as given to
// [ServerHandler.OnConnect] (Autobahn's ConnectionRequest).
type ConnectionRequest struct {
	// Peer describes the client: "tcp4:127.0.0.1:52314", "tcp6:::1:52314",
	// or the trusted X-Forwarded-For entry (see TrustXForwardedFor).
	Peer string
	// Headers are the HTTP request headers (canonical keys, where Autobahn
	// lower-cases them and joins repeated headers with ", ").
	Headers http.Header
	// Host is the Host header without its port.
	Host string
	// Path is the unescaped path of the request URI: "/myservice" for
	// "/myservice?foo=23&foo=66&bar=2".
	Path string
	// Params are the query parameters of the request URI ({"foo": ["23",
	// "66"], "bar": ["2"]}); as with Python's parse_qs, blank values are left
	// out.
	Params url.Values
	// Version is the WebSocket protocol version the client announced: 13
	// (RFC 6455) or 8 (Hybi-10..12).
	Version int
	// Origin is the Origin header (Sec-WebSocket-Origin for version 8), or
	// "". It is reliable for browser clients only.
	Origin string
	// Protocols are the subprotocols the client announced, in its order.
	Protocols []string
	// Extensions are the extensions the client requested, in its order.
	Extensions []Extension
	// TLS is the TLS connection state, nil for plain connections.
	TLS *tls.ConnectionState
	// RemoteAddr is the network address of the client as net/http reports it
	// (not changed by X-Forwarded-For).
	RemoteAddr string
}

// ConnectionResponse is a server's opening handshake response, as given to
// [ClientHandler.OnConnect] (Autobahn's ConnectionResponse).
type ConnectionResponse struct {
	// Peer describes the server: "tcp4:127.0.0.1:9000".
	Peer string
	// Headers are the HTTP response headers.
	Headers http.Header
	// Version is the WebSocket protocol version spoken: 13.
	Version int
	// Protocol is the subprotocol the server chose, or "".
	Protocol string
	// Extensions are the extensions in use (as the server answered them).
	Extensions []Extension
	// TLS is the TLS connection state, nil for plain connections.
	TLS *tls.ConnectionState
}

// ConnectionAccept is how a server accepts a connection in
// [ServerHandler.OnConnect] (Autobahn's ConnectionAccept).
type ConnectionAccept struct {
	// Subprotocol is the subprotocol to speak; it must be one the client
	// announced. If empty and the Server has Protocols, the first of the
	// client's protocols that the server speaks is chosen.
	Subprotocol string
	// Headers are extra HTTP headers for the handshake response, e.g.
	// Set-Cookie.
	Headers http.Header
}

// ConnectionDeny is the error a server's OnConnect returns to deny a
// connection with an HTTP status and reason (Autobahn's ConnectionDeny).
type ConnectionDeny struct {
	// Code is the HTTP status code: http.StatusBadRequest, StatusForbidden,
	// StatusNotFound, StatusNotAcceptable, StatusRequestTimeout,
	// StatusInternalServerError, StatusNotImplemented,
	// StatusServiceUnavailable, ...
	Code int
	// Reason is sent as the reason phrase of the status line and as the
	// response body.
	Reason string
}

// Deny returns a *ConnectionDeny, for returning from OnConnect.
func Deny(code int, reason string) *ConnectionDeny {
	return &ConnectionDeny{Code: code, Reason: reason}
}

func (d *ConnectionDeny) Error() string {
	return fmt.Sprintf("websocket: connection denied: %d %s", d.Code, d.Reason)
}

// HandshakeError is returned by Dial when the server does not complete the
// opening handshake properly.
type HandshakeError struct {
	// StatusCode is the HTTP status of the response, 0 if there was none.
	StatusCode int
	// Reason is the reason phrase of the response (what a denying Autobahn
	// or Autobahn for Go server puts there), or what was wrong with a 101
	// response.
	Reason string
	// Header holds the response headers, if any.
	Header http.Header
}

func (e *HandshakeError) Error() string {
	if e.StatusCode != 0 && e.StatusCode != http.StatusSwitchingProtocols {
		return fmt.Sprintf("websocket: WebSocket connection upgrade failed [%d]: %s", e.StatusCode, e.Reason)
	}
	return "websocket: opening handshake failed: " + e.Reason
}

// ErrNotOpen is returned (wrapped) when sending on a connection that is
// closing or closed.
var ErrNotOpen = errors.New("websocket: connection is not open")

// Extension is one entry of a Sec-WebSocket-Extensions header.
type Extension struct {
	// Name is the extension token, in lower case: "permessage-deflate".
	Name string
	// Params are the parameters in order.
	Params []ExtensionParam
}

// ExtensionParam is one parameter of an extension.
type ExtensionParam struct {
	// Name is the parameter name in lower case.
	Name string
	// Value is the parameter value without quotes, "" if it has none.
	Value string
	// HasValue tells "name=value" (true) from a bare "name".
	HasValue bool
}

// String formats e as in a Sec-WebSocket-Extensions header.
func (e Extension) String() string {
	var b strings.Builder
	b.WriteString(e.Name)
	for _, p := range e.Params {
		b.WriteString("; ")
		b.WriteString(p.Name)
		if p.HasValue {
			b.WriteByte('=')
			b.WriteString(p.Value)
		}
	}
	return b.String()
}

// parseExtensions parses the value of Sec-WebSocket-Extensions headers the
// way Autobahn does: comma-separated extensions, semicolon-separated
// parameters, names lower-cased, quotes removed from values.
func parseExtensions(header string) []Extension {
	var res []Extension
	for _, e := range strings.Split(header, ",") {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		parts := strings.Split(e, ";")
		ext := Extension{Name: strings.ToLower(strings.TrimSpace(parts[0]))}
		for _, p := range parts[1:] {
			name, value, hasValue := strings.Cut(p, "=")
			param := ExtensionParam{Name: strings.ToLower(strings.TrimSpace(name)), HasValue: hasValue}
			if hasValue {
				value = strings.TrimSpace(value)
				value = strings.TrimPrefix(value, `"`)
				value = strings.TrimSuffix(value, `"`)
				param.Value = value
			}
			ext.Params = append(ext.Params, param)
		}
		res = append(res, ext)
	}
	return res
}

// DeflateOffer is a permessage-deflate offer of a client (Autobahn's
// PerMessageDeflateOffer).
type DeflateOffer struct {
	// AcceptNoContextTakeover: the client accepts "client no context
	// takeover" (client_no_context_takeover).
	AcceptNoContextTakeover bool
	// AcceptMaxWindowBits: the client accepts a limit on its window
	// (client_max_window_bits).
	AcceptMaxWindowBits bool
	// RequestNoContextTakeover: the client asks the server not to take over
	// its compression context (server_no_context_takeover).
	RequestNoContextTakeover bool
	// RequestMaxWindowBits: the client asks the server to use at most this
	// window (server_max_window_bits, 9..15), 0 if not.
	RequestMaxWindowBits int
}

// ClientDeflateOffer is a client offer that every server able to compress
// without context takeover can accept, and whose answers this package can
// use: "permessage-deflate; client_no_context_takeover;
// server_no_context_takeover".
var ClientDeflateOffer = DeflateOffer{AcceptNoContextTakeover: true, RequestNoContextTakeover: true}

// String formats o as an extension offer (Autobahn get_extension_string).
func (o DeflateOffer) String() string {
	s := "permessage-deflate"
	if o.AcceptNoContextTakeover {
		s += "; client_no_context_takeover"
	}
	if o.AcceptMaxWindowBits {
		s += "; client_max_window_bits"
	}
	if o.RequestNoContextTakeover {
		s += "; server_no_context_takeover"
	}
	if o.RequestMaxWindowBits != 0 {
		s += "; server_max_window_bits=" + strconv.Itoa(o.RequestMaxWindowBits)
	}
	return s
}

// servable tells whether this package can accept the offer: gorilla always
// compresses with a 32 KiB window (15 bits).
func (o DeflateOffer) servable() bool {
	return o.RequestMaxWindowBits == 0 || o.RequestMaxWindowBits == 15
}

// AcceptDeflate is a PerMessageCompressionAccept function that accepts the
// first offer this package can serve.
func AcceptDeflate(offers []DeflateOffer) *DeflateOffer {
	for i := range offers {
		if offers[i].servable() {
			return &offers[i]
		}
	}
	return nil
}

func windowBits(param ExtensionParam) (int, error) {
	n, err := strconv.Atoi(param.Value)
	if err != nil || n < 9 || n > 15 || !param.HasValue {
		return 0, fmt.Errorf("illegal extension parameter value '%s' for parameter '%s' of extension 'permessage-deflate'", param.Value, param.Name)
	}
	return n, nil
}

func paramsOnce(params []ExtensionParam) error {
	seen := make(map[string]bool, len(params))
	for _, p := range params {
		if seen[p.Name] {
			return fmt.Errorf("multiple occurrence of extension parameter '%s' for extension 'permessage-deflate'", p.Name)
		}
		seen[p.Name] = true
	}
	return nil
}

func flagParam(p ExtensionParam) error {
	if p.HasValue {
		return fmt.Errorf("illegal extension parameter value '%s' for parameter '%s' of extension 'permessage-deflate'", p.Value, p.Name)
	}
	return nil
}

// parseDeflateOffer parses the parameters of a permessage-deflate offer with
// Autobahn's rules and error texts.
func parseDeflateOffer(params []ExtensionParam) (DeflateOffer, error) {
	var o DeflateOffer
	if err := paramsOnce(params); err != nil {
		return o, err
	}
	for _, p := range params {
		var err error
		switch p.Name {
		case "client_max_window_bits":
			if p.HasValue {
				_, err = windowBits(p)
			}
			o.AcceptMaxWindowBits = true
		case "client_no_context_takeover":
			err = flagParam(p)
			o.AcceptNoContextTakeover = true
		case "server_max_window_bits":
			o.RequestMaxWindowBits, err = windowBits(p)
		case "server_no_context_takeover":
			err = flagParam(p)
			o.RequestNoContextTakeover = true
		default:
			err = fmt.Errorf("illegal extension parameter '%s' for extension 'permessage-deflate'", p.Name)
		}
		if err != nil {
			return DeflateOffer{}, err
		}
	}
	return o, nil
}

// checkDeflateResponse validates the parameters of a server's
// permessage-deflate response with Autobahn's rules.
func checkDeflateResponse(params []ExtensionParam) error {
	if err := paramsOnce(params); err != nil {
		return err
	}
	for _, p := range params {
		var err error
		switch p.Name {
		case "client_max_window_bits", "server_max_window_bits":
			_, err = windowBits(p)
		case "client_no_context_takeover", "server_no_context_takeover":
			err = flagParam(p)
		default:
			err = fmt.Errorf("illegal extension parameter '%s' for extension 'permessage-deflate'", p.Name)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
