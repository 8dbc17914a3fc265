package websocket

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/autobahn-go/autobahn/internal/optmap"
)

// Options are the WebSocket protocol options of a server or a client: the
// options of Autobahn's setProtocolOptions, plus a few Go-specific buffer and
// timeout settings. The zero value means Autobahn's defaults (WIRE.md §8).
// Where Autobahn's default is true, the Go field is negated (DisableWebStatus,
// DenyNullOrigin, ...) so that the zero value keeps the default.
//
// Durations whose Autobahn default is not zero (OpenHandshakeTimeout,
// CloseHandshakeTimeout, ServerConnectionDropTimeout) use 0 for that default
// and a negative value for "no timeout" (Autobahn's 0).
//
// # What this implementation fixes
//
// A few things that Autobahn lets you configure are fixed here (as they
// were by gorilla/websocket, which this package framed with at first).
// These options are therefore not fields here, and [OptionsFromMap] accepts
// them only with their default value:
//
//   - requireMaskedClientFrames (always true): a server always fails
//     connections on unmasked client frames (close 1002 or drop).
//   - maskServerFrames (always false) and maskClientFrames (always true):
//     frames are masked exactly as RFC 6455 requires.
//   - acceptMaskedServerFrames (always false): a client always fails on
//     masked server frames.
//   - applyMask (always true): masked payloads are always unmasked.
//   - serveFlashSocketPolicy (always false): Flash socket policy files are
//     not served.
//
// permessage-deflate: only "no context takeover" is implemented, with a
// 32 KiB window (15 bits). A server therefore accepts an offer (see
// PerMessageCompressionAccept) by answering
// "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
// (plus "; server_max_window_bits=15" if the offer asked for 15), and cannot
// accept an offer that requests server_max_window_bits below 15;
// the window bits, memory level and compression level of Autobahn's accept
// objects cannot be chosen. A client sends its offers as given, and accepts a
// response only if it contains server_no_context_takeover and no
// client_max_window_bits below 15 (other responses fail the handshake with a
// HandshakeError that says so).
//
// Fragmentation on send: a server sends each uncompressed message
// as one frame; compressed messages, and a client's messages, longer than
// WriteBufferSize go out as frames of WriteBufferSize bytes. With
// AutoFragmentSize both send frames of exactly that size.
type Options struct {
	// DisableUTF8Validation turns off the validation of incoming text
	// messages (Autobahn utf8validateIncoming, default true). Invalid UTF-8
	// fails the connection with close code 1007, as soon as the first invalid
	// byte arrives. Close reasons are always validated.
	DisableUTF8Validation bool

	// MaxFramePayloadSize limits the payload of one incoming frame as sent on
	// the wire (Autobahn maxFramePayloadSize, default 0 = unlimited). A larger
	// frame fails the connection with close code 1009 as soon as its header
	// arrives.
	MaxFramePayloadSize int64

	// MaxMessagePayloadSize limits the payload of one incoming message
	// (Autobahn maxMessagePayloadSize, default 0 = unlimited). It is checked
	// on the wire (the sum of the frame lengths, when each frame header
	// arrives) and again after permessage-deflate decompression, so that a
	// small compressed message cannot inflate beyond the limit. Either fails
	// the connection with close code 1009.
	MaxMessagePayloadSize int64

	// AutoFragmentSize makes outgoing messages longer than this be sent as
	// frames of this many payload bytes (Autobahn autoFragmentSize, default
	// 0 = off; see above for a server's compressed messages). It replaces
	// WriteBufferSize.
	AutoFragmentSize int

	// FailByClose makes a protocol violation (and the 1007 and 1009 cases
	// above) fail the connection with a closing handshake: a close frame with
	// the code and reason, then waiting up to CloseHandshakeTimeout for the
	// peer's close. It is Autobahn's failByDrop=false; the default (failByDrop
	// true) drops the TCP connection without a close frame.
	FailByClose bool

	// EchoCloseCodeReason makes the reply to a peer's close frame repeat its
	// code and reason (Autobahn echoCloseCodeReason, default false: reply
	// with 1000 and no reason).
	EchoCloseCodeReason bool

	// OpenHandshakeTimeout bounds the opening handshake (Autobahn
	// openHandshakeTimeout, default 5 s; negative = none). A server applies
	// it to reading the request when it listens itself (Serve, Listen,
	// ListenAndServe); mounted in another http.Server, that server's
	// ReadHeaderTimeout applies instead.
	OpenHandshakeTimeout time.Duration

	// CloseHandshakeTimeout is how long to wait for the peer's close frame
	// after sending ours before dropping the connection uncleanly (Autobahn
	// closeHandshakeTimeout, default 1 s; negative = none).
	CloseHandshakeTimeout time.Duration

	// DisableTCPNoDelay turns Nagle's algorithm back on (Autobahn tcpNoDelay,
	// default true: TCP_NODELAY set).
	DisableTCPNoDelay bool

	// AutoPingInterval makes the connection send a ping this long after it
	// opens and this long after each answered auto-ping (Autobahn
	// autoPingInterval, default 0 = off). The ping payload is an 8-byte
	// big-endian send time in nanoseconds, a 4-byte sequence number and
	// random bytes up to AutoPingSize; only a pong with the same payload
	// answers it.
	AutoPingInterval time.Duration

	// AutoPingTimeout drops the connection if an auto-ping is not answered
	// in time (Autobahn autoPingTimeout, default 0 = never).
	AutoPingTimeout time.Duration

	// AutoPingSize is the auto-ping payload size, 12..125 (Autobahn
	// autoPingSize, default 12).
	AutoPingSize int

	// DisableAutoPingRestartOnAnyTraffic makes only the matching pong
	// answer an auto-ping. By default (Autobahn autoPingRestartOnAnyTraffic
	// true) any incoming data frame also counts as an answer.
	DisableAutoPingRestartOnAnyTraffic bool

	// Versions are the WebSocket protocol versions a server accepts, a
	// subset of {8, 13} (Autobahn versions, default [8, 13]). Other versions
	// get 400 with the header "Sec-WebSocket-Version: 13,8".
	Versions []int

	// DisableWebStatus makes a server answer a plain GET without an Upgrade
	// header with 426 Upgrade Required. By default (Autobahn webStatus true)
	// it gets a small HTML status page, or a 303 redirect to the URL in the
	// "redirect" query parameter ("&after=N" instead redirects from the status
	// page after N seconds).
	DisableWebStatus bool

	// PerMessageCompressionAccept is called by a server with the client's
	// permessage-deflate offers (in the client's order) and returns the offer
	// to accept, or nil to decline (Autobahn perMessageCompressionAccept,
	// default: decline all). [AcceptDeflate] accepts the first offer that can
	// be served. An offer requesting server_max_window_bits below 15 cannot
	// be accepted (see above); choosing it declines compression.
	PerMessageCompressionAccept func(offers []DeflateOffer) *DeflateOffer

	// AllowedOrigins are the wildcard patterns a server matches the Origin
	// header against (Autobahn allowedOrigins, default ["*"]). The origin is
	// normalised to scheme://host:port (port 80 or 443 made explicit for
	// http and https; without ":port" for other schemes that have none) and
	// each pattern must match all of it; "*" matches any run of characters,
	// everything else is literal. A denied origin gets 400. Requests without
	// an Origin header (non-browser clients) are always allowed.
	AllowedOrigins []string

	// DenyNullOrigin refuses the origin "null" (sent by browsers for file://
	// pages and sandboxed frames). By default it is allowed (Autobahn
	// allowNullOrigin true; note that Autobahn's setProtocolOptions resets it
	// to false when called without it, OptionsFromMap does not).
	DenyNullOrigin bool

	// MaxConnections limits the number of concurrent WebSocket connections
	// of a server (Autobahn maxConnections, default 0 = unlimited); opening
	// handshakes beyond it get 503.
	MaxConnections int

	// TrustXForwardedFor is the number of proxies in front of a server whose
	// X-Forwarded-For entries are trusted (Autobahn trustXForwardedFor,
	// default 0). With N > 0 the peer becomes the first of the last N
	// comma-separated entries.
	TrustXForwardedFor int

	// Version is the WebSocket spec version a client speaks (Autobahn
	// version, default 18 = RFC 6455): 13..18 send Sec-WebSocket-Version 13,
	// 10..12 (Hybi-10) send version 8 and the origin as
	// Sec-WebSocket-Origin.
	Version int

	// ServerConnectionDropTimeout is how long a client waits, after the
	// closing handshake, for the server to close the TCP connection before
	// closing it itself and reporting an unclean close (Autobahn
	// serverConnectionDropTimeout, default 1 s; negative = wait forever).
	ServerConnectionDropTimeout time.Duration

	// PerMessageCompressionOffers are the permessage-deflate offers of a
	// client, most preferred first (Autobahn perMessageCompressionOffers,
	// default none). The server's response must contain
	// server_no_context_takeover (see above): offer RequestNoContextTakeover,
	// as [ClientDeflateOffer] does.
	PerMessageCompressionOffers []DeflateOffer

	// ReadBufferSize is the size of the per-connection read buffer (default
	// and minimum 512). Larger messages are read past it; it only bounds
	// how many small frames one read system call can fetch.
	ReadBufferSize int

	// WriteBufferSize is the size of the write buffers, which are pooled and
	// held only while a message is being written (default 4096).
	WriteBufferSize int

	// WriteTimeout bounds each SendMessage; a write that does not finish in
	// time drops the connection (default 0 = no limit). WAMP transports use
	// their send queue's stall timeout instead ([core.QueueOptions]).
	WriteTimeout time.Duration

	// LogOctets and LogFrames log every WAMP message's bytes and every WAMP
	// transport message at debug level; TrackTimings records the timings
	// that [WAMPTransport.Timings] returns (Autobahn's logOctets,
	// logFrames, trackTimings). They apply to WAMP over WebSocket, where
	// the transport engine implements them the same way for every
	// transport.
	LogOctets, LogFrames, TrackTimings bool
}

// Defaults from Autobahn (WIRE.md §8) and this package.
const (
	DefaultOpenHandshakeTimeout        = 5 * time.Second
	DefaultCloseHandshakeTimeout       = 1 * time.Second
	DefaultServerConnectionDropTimeout = 1 * time.Second
	DefaultAutoPingSize                = 12
	DefaultReadBufferSize              = 512
	DefaultWriteBufferSize             = 4096
	// DefaultClientVersion is the spec version a client speaks: 18 is RFC 6455.
	DefaultClientVersion = 18
)

// config is Options resolved for one role, with defaults applied and, on a
// server, origin patterns compiled. It is shared read-only by all
// connections of a server, or of a dialer's dial; the WAMP client shares one
// among all dials with the default options (see wampConfigFrom). A client's
// config holds nothing only a server uses (origin patterns, versions), so
// that a config made per dial stays small.
type config struct {
	isServer      bool
	validateUTF8  bool
	maxFrame      int64
	maxMessage    int64
	autoFragment  int
	failByDrop    bool
	echoClose     bool
	openTimeout   time.Duration // 0 = none
	closeTimeout  time.Duration // 0 = none
	dropTimeout   time.Duration // 0 = none
	noDelay       bool
	pingInterval  time.Duration
	pingTimeout   time.Duration
	pingSize      int
	pingRestart   bool
	versions      []int
	versionHeader string
	webStatus     bool
	accept        func([]DeflateOffer) *DeflateOffer
	origins       []*regexp.Regexp
	allowNull     bool
	maxConns      int
	trustXFF      int
	offer         bool
	offers        []DeflateOffer
	version       int
	readBuf       int
	writeBuf      int
	writePool     *sync.Pool
	writeTimeout  time.Duration
}

// writePools holds one buffer pool per write buffer size, shared by all
// servers and clients (gorilla wants one pool per size).
var writePools sync.Map // int → *sync.Pool

func writePool(size int) *sync.Pool {
	if p, ok := writePools.Load(size); ok {
		return p.(*sync.Pool)
	}
	p, _ := writePools.LoadOrStore(size, &sync.Pool{})
	return p.(*sync.Pool)
}

func timeoutOrDefault(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	}
	return d
}

// resolve checks o and applies the defaults for a server or a client.
func (o *Options) resolve(isServer bool) (*config, error) {
	c := &config{
		isServer:     isServer,
		validateUTF8: !o.DisableUTF8Validation,
		maxFrame:     o.MaxFramePayloadSize,
		maxMessage:   o.MaxMessagePayloadSize,
		autoFragment: o.AutoFragmentSize,
		failByDrop:   !o.FailByClose,
		echoClose:    o.EchoCloseCodeReason,
		openTimeout:  timeoutOrDefault(o.OpenHandshakeTimeout, DefaultOpenHandshakeTimeout),
		closeTimeout: timeoutOrDefault(o.CloseHandshakeTimeout, DefaultCloseHandshakeTimeout),
		dropTimeout:  timeoutOrDefault(o.ServerConnectionDropTimeout, DefaultServerConnectionDropTimeout),
		noDelay:      !o.DisableTCPNoDelay,
		pingInterval: o.AutoPingInterval,
		pingTimeout:  o.AutoPingTimeout,
		pingSize:     o.AutoPingSize,
		pingRestart:  !o.DisableAutoPingRestartOnAnyTraffic,
		webStatus:    !o.DisableWebStatus,
		accept:       o.PerMessageCompressionAccept,
		allowNull:    !o.DenyNullOrigin,
		maxConns:     o.MaxConnections,
		trustXFF:     o.TrustXForwardedFor,
		offer:        len(o.PerMessageCompressionOffers) > 0,
		version:      o.Version,
		readBuf:      o.ReadBufferSize,
		writeBuf:     o.WriteBufferSize,
		writeTimeout: o.WriteTimeout,
	}
	var errs []error
	bad := func(name string, format string, args ...any) {
		errs = append(errs, fmt.Errorf("websocket: option %s: %s", name, fmt.Sprintf(format, args...)))
	}
	if c.maxFrame < 0 {
		bad("MaxFramePayloadSize", "%d is negative", c.maxFrame)
	}
	if c.maxMessage < 0 {
		bad("MaxMessagePayloadSize", "%d is negative", c.maxMessage)
	}
	if c.autoFragment < 0 {
		bad("AutoFragmentSize", "%d is negative", c.autoFragment)
	}
	if c.pingInterval < 0 {
		bad("AutoPingInterval", "%v is negative", c.pingInterval)
	}
	if c.pingTimeout < 0 {
		bad("AutoPingTimeout", "%v is negative", c.pingTimeout)
	}
	if c.pingSize == 0 {
		c.pingSize = DefaultAutoPingSize
	} else if c.pingSize < 12 || c.pingSize > 125 {
		bad("AutoPingSize", "%d is outside 12..125", c.pingSize)
	}
	if c.maxConns < 0 {
		bad("MaxConnections", "%d is negative", c.maxConns)
	}
	if c.trustXFF < 0 {
		bad("TrustXForwardedFor", "%d is negative", c.trustXFF)
	}
	if c.writeTimeout < 0 {
		bad("WriteTimeout", "%v is negative", c.writeTimeout)
	}
	switch {
	case c.readBuf == 0:
		c.readBuf = DefaultReadBufferSize
	case c.readBuf < 0:
		bad("ReadBufferSize", "%d is negative", c.readBuf)
	case c.readBuf < 512:
		c.readBuf = 512
	}
	switch {
	case c.autoFragment > 0:
		c.writeBuf = c.autoFragment
	case c.writeBuf == 0:
		c.writeBuf = DefaultWriteBufferSize
	case c.writeBuf < 0:
		bad("WriteBufferSize", "%d is negative", c.writeBuf)
	}
	if c.writeBuf > 0 {
		c.writePool = writePool(c.writeBuf)
	}

	versions := o.Versions
	if versions == nil {
		versions = []int{8, 13}
	}
	if len(versions) == 0 {
		bad("Versions", "empty")
	}
	for _, v := range versions {
		if v != 8 && v != 13 {
			bad("Versions", "invalid WebSocket protocol version %d (allowed values: [8, 13])", v)
		}
	}
	if isServer {
		c.versions = slices.Clone(versions)
		sorted := slices.Clone(versions)
		sort.Sort(sort.Reverse(sort.IntSlice(sorted)))
		sorted = slices.Compact(sorted)
		parts := make([]string, len(sorted))
		for i, v := range sorted {
			parts[i] = strconv.Itoa(v)
		}
		c.versionHeader = strings.Join(parts, ",")

		// Compiled patterns are about 1 KiB each; the default is shared.
		if o.AllowedOrigins == nil {
			c.origins = anyOrigin()
		} else {
			c.origins = wildcardsToPatterns(o.AllowedOrigins)
		}
	} else {
		c.offers = slices.Clone(o.PerMessageCompressionOffers)
	}

	switch v := o.Version; {
	case v == 0:
		c.version = DefaultClientVersion
	case v < 10 || v > 18:
		bad("Version", "invalid WebSocket draft version %d (allowed values: 10..18)", v)
	}
	for i, off := range o.PerMessageCompressionOffers {
		if w := off.RequestMaxWindowBits; w != 0 && (w < 9 || w > 15) {
			bad("PerMessageCompressionOffers", "offer %d: invalid value %d for request_max_window_bits - permissible values 9..15", i, w)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// anyOrigin is the default allowedOrigins ["*"] compiled, shared by every
// server that keeps the default (a compiled *regexp.Regexp is immutable and
// safe for concurrent use).
var anyOrigin = sync.OnceValue(func() []*regexp.Regexp { return wildcardsToPatterns([]string{"*"}) })

// wildcardsToPatterns turns Autobahn origin wildcards into anchored regular
// expressions: "*" matches any run of characters, the rest is literal.
func wildcardsToPatterns(wildcards []string) []*regexp.Regexp {
	res := make([]*regexp.Regexp, 0, len(wildcards))
	for _, w := range wildcards {
		parts := strings.Split(w, "*")
		for i, p := range parts {
			parts[i] = regexp.QuoteMeta(p)
		}
		res = append(res, regexp.MustCompile("^"+strings.Join(parts, ".*")+"$"))
	}
	return res
}

// OptionsFromMap builds Options from Autobahn's option names, as given to
// setProtocolOptions and found in component and router configurations
// (camelCase: "autoPingInterval", "maxMessagePayloadSize", ..., or the
// snake_case forms Autobahn's Component also accepts: "auto_ping_interval").
// Names of server and client options are both accepted; each role ignores
// the other's. Durations are numbers of seconds (or Go duration strings).
// logOctets, logFrames and trackTimings are accepted too. Unknown names,
// values of the wrong type,
// and values gorilla/websocket cannot honour (see [Options]) are errors. The
// Go-specific options are accepted as "readBufferSize", "writeBufferSize"
// (bytes) and "writeTimeout" (seconds).
//
// perMessageCompressionAccept may be true (use [AcceptDeflate]), false, or a
// func([]DeflateOffer) *DeflateOffer; perMessageCompressionOffers may be true,
// false, a []DeflateOffer or a list of maps with Autobahn's offer keys
// (accept_no_context_takeover, accept_max_window_bits,
// request_no_context_takeover, request_max_window_bits).
func OptionsFromMap(m map[string]any) (Options, error) {
	var o Options
	var errs []error
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := o.set(optmap.Key(name), m[name]); err != nil {
			errs = append(errs, fmt.Errorf("websocket: option %q: %w", name, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Options{}, err
	}
	return o, nil
}

func (o *Options) set(name string, v any) error {
	var err error
	switch name {
	case "utf8validateIncoming":
		var b bool
		b, err = optmap.Bool(v)
		o.DisableUTF8Validation = !b
	case "maxFramePayloadSize":
		o.MaxFramePayloadSize, err = optmap.Int64(v)
	case "maxMessagePayloadSize":
		o.MaxMessagePayloadSize, err = optmap.Int64(v)
	case "autoFragmentSize":
		o.AutoFragmentSize, err = optmap.Int(v)
	case "failByDrop":
		var b bool
		b, err = optmap.Bool(v)
		o.FailByClose = !b
	case "echoCloseCodeReason":
		o.EchoCloseCodeReason, err = optmap.Bool(v)
	case "openHandshakeTimeout":
		o.OpenHandshakeTimeout, err = optmap.Timeout(v)
	case "closeHandshakeTimeout":
		o.CloseHandshakeTimeout, err = optmap.Timeout(v)
	case "serverConnectionDropTimeout":
		o.ServerConnectionDropTimeout, err = optmap.Timeout(v)
	case "tcpNoDelay":
		var b bool
		b, err = optmap.Bool(v)
		o.DisableTCPNoDelay = !b
	case "autoPingInterval":
		o.AutoPingInterval, err = optmap.Seconds(v)
	case "autoPingTimeout":
		o.AutoPingTimeout, err = optmap.Seconds(v)
	case "autoPingSize":
		o.AutoPingSize, err = optmap.Int(v)
		if err == nil && (o.AutoPingSize < 12 || o.AutoPingSize > 125) {
			err = fmt.Errorf("%d is outside 12..125", o.AutoPingSize)
		}
	case "autoPingRestartOnAnyTraffic":
		var b bool
		b, err = optmap.Bool(v)
		o.DisableAutoPingRestartOnAnyTraffic = !b
	case "versions":
		o.Versions, err = optmap.Ints(v)
	case "webStatus":
		var b bool
		b, err = optmap.Bool(v)
		o.DisableWebStatus = !b
	case "perMessageCompressionAccept":
		switch f := v.(type) {
		case func([]DeflateOffer) *DeflateOffer:
			o.PerMessageCompressionAccept = f
		case bool:
			o.PerMessageCompressionAccept = nil
			if f {
				o.PerMessageCompressionAccept = AcceptDeflate
			}
		default:
			err = fmt.Errorf("want a bool or a func([]DeflateOffer) *DeflateOffer, got %T", v)
		}
	case "perMessageCompressionOffers":
		o.PerMessageCompressionOffers, err = asOffers(v)
	case "allowedOrigins":
		o.AllowedOrigins, err = optmap.Strings(v)
	case "allowNullOrigin":
		var b bool
		b, err = optmap.Bool(v)
		o.DenyNullOrigin = !b
	case "maxConnections":
		o.MaxConnections, err = optmap.Int(v)
	case "trustXForwardedFor":
		o.TrustXForwardedFor, err = optmap.Int(v)
	case "version":
		o.Version, err = optmap.Int(v)
	case "readBufferSize":
		o.ReadBufferSize, err = optmap.Int(v)
	case "writeBufferSize":
		o.WriteBufferSize, err = optmap.Int(v)
	case "writeTimeout":
		o.WriteTimeout, err = optmap.Seconds(v)
	case "logOctets":
		o.LogOctets, err = optmap.Bool(v)
	case "logFrames":
		o.LogFrames, err = optmap.Bool(v)
	case "trackTimings":
		o.TrackTimings, err = optmap.Bool(v)
	case "requireMaskedClientFrames", "applyMask", "maskClientFrames":
		err = wantFixed(v, true)
	case "maskServerFrames", "acceptMaskedServerFrames", "serveFlashSocketPolicy":
		err = wantFixed(v, false)
	case "flashSocketPolicy":
		if _, ok := v.(string); !ok {
			err = fmt.Errorf("want a string, got %T", v)
		}
	default:
		err = errors.New("unknown WebSocket option")
	}
	return err
}

func wantFixed(v any, want bool) error {
	b, err := optmap.Bool(v)
	if err != nil {
		return err
	}
	if b != want {
		return fmt.Errorf("only %v is supported", want)
	}
	return nil
}

func asOffers(v any) ([]DeflateOffer, error) {
	switch o := v.(type) {
	case bool:
		if o {
			return []DeflateOffer{ClientDeflateOffer}, nil
		}
		return nil, nil
	case []DeflateOffer:
		return o, nil
	}
	l, err := optmap.List(v)
	if err != nil {
		return nil, fmt.Errorf("want a bool or a list of offers, got %T", v)
	}
	res := make([]DeflateOffer, len(l))
	for i, e := range l {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("offer %d: want a map, got %T", i, e)
		}
		off := DeflateOffer{AcceptNoContextTakeover: true, AcceptMaxWindowBits: true}
		for k, val := range m {
			var err error
			switch k {
			case "accept_no_context_takeover":
				off.AcceptNoContextTakeover, err = optmap.Bool(val)
			case "accept_max_window_bits":
				off.AcceptMaxWindowBits, err = optmap.Bool(val)
			case "request_no_context_takeover":
				off.RequestNoContextTakeover, err = optmap.Bool(val)
			case "request_max_window_bits":
				off.RequestMaxWindowBits, err = optmap.Int(val)
			default:
				err = errors.New("unknown offer parameter")
			}
			if err != nil {
				return nil, fmt.Errorf("offer %d: %s: %w", i, k, err)
			}
		}
		res[i] = off
	}
	return res, nil
}
