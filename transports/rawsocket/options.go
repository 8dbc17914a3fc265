package rawsocket

import (
	"fmt"
	"log/slog"
	"maps"
	"math"
	"math/bits"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Limits of the RawSocket handshake: a peer announces a maximum message
// length 2^(9+exp) with exp in 0..15.
const (
	// MinMessageSize is the smallest maximum message length a peer can
	// announce (exp 0).
	MinMessageSize = 1 << 9
	// MaxMessageSize is the largest maximum message length a peer can
	// announce (exp 15): 16 MiB.
	MaxMessageSize = 1 << 24
)

// Defaults used for zero fields of [Options].
const (
	DefaultHandshakeTimeout = 5 * time.Second
	DefaultCloseTimeout     = 1 * time.Second
	DefaultSendQueueSize    = 1 << 20
)

// Options configure a RawSocket client or server. The zero value gives
// Autobahn's behaviour. Pass an Options (or *Options) as
// [core.TransportConfig.Options], or a map[string]any with the option names of
// Autobahn and Crossbar.io component configurations (see [OptionsFromMap]).
type Options struct {
	// MaxMessageSize is the largest message this side accepts and announces
	// in the handshake. It is rounded up to a power of two between 512 bytes
	// and 16 MiB, like Autobahn does. Zero means 16 MiB (Autobahn's
	// maxMessagePayloadSize default).
	MaxMessageSize int

	// MinPeerMaxMessageSize is the smallest limit the peer may announce. A
	// server answers a client that announces less with error 2 (maximum
	// message length unacceptable); a client fails the handshake when the
	// server announces less. Zero accepts any limit.
	MinPeerMaxMessageSize int

	// HandshakeTimeout bounds the opening handshake (TLS and RawSocket).
	// Zero means 5 s; negative means no timeout (a client is still bounded by
	// its context).
	HandshakeTimeout time.Duration

	// CloseTimeout is how long Close waits for the peer to end its side of
	// the stream before the connection is dropped. Zero means 1 s (Autobahn's
	// closeHandshakeTimeout); negative means no timeout beyond Close's
	// context.
	CloseTimeout time.Duration

	// MaxConnections is the number of connections a listener serves at once;
	// a client beyond it gets error 4 (maximum connection count reached).
	// Zero means no limit. Clients ignore it.
	MaxConnections int

	// Nagle enables Nagle's algorithm on TCP connections. The default (false)
	// sets TCP_NODELAY, like Autobahn's tcpNoDelay.
	Nagle bool

	// SendQueueSize is how many bytes of frames may wait behind the write in
	// progress before Send blocks (bounded by its context). A frame is always
	// accepted into an empty queue, whatever its size. Zero means 1 MiB.
	SendQueueSize int

	// WriteTimeout bounds each write to the socket; a write that times out
	// fails the connection (a partial frame cannot be taken back). Zero means
	// no timeout.
	WriteTimeout time.Duration

	// Logger receives connection-level events (rejected handshakes, protocol
	// errors) at debug level. Nil means slog.Default().
	Logger *slog.Logger
}

// resolved returns a copy of o with defaults filled in and limits rounded.
func (o Options) resolved() (Options, error) {
	if err := o.validate(); err != nil {
		return o, err
	}
	if o.MaxMessageSize == 0 {
		o.MaxMessageSize = MaxMessageSize
	}
	o.MaxMessageSize = 1 << (lengthExp(o.MaxMessageSize) + 9)
	if o.HandshakeTimeout == 0 {
		o.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if o.CloseTimeout == 0 {
		o.CloseTimeout = DefaultCloseTimeout
	}
	if o.SendQueueSize == 0 {
		o.SendQueueSize = DefaultSendQueueSize
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o, nil
}

func (o Options) validate() error {
	switch {
	case o.MaxMessageSize < 0 || o.MaxMessageSize > MaxMessageSize:
		return fmt.Errorf("rawsocket: option MaxMessageSize %d is out of range (0 for the default, or 1..%d)", o.MaxMessageSize, MaxMessageSize)
	case o.MinPeerMaxMessageSize < 0 || o.MinPeerMaxMessageSize > MaxMessageSize:
		return fmt.Errorf("rawsocket: option MinPeerMaxMessageSize %d is out of range (0..%d)", o.MinPeerMaxMessageSize, MaxMessageSize)
	case o.MaxConnections < 0:
		return fmt.Errorf("rawsocket: option MaxConnections %d is negative", o.MaxConnections)
	case o.SendQueueSize < 0:
		return fmt.Errorf("rawsocket: option SendQueueSize %d is negative", o.SendQueueSize)
	case o.WriteTimeout < 0:
		return fmt.Errorf("rawsocket: option WriteTimeout %v is negative", o.WriteTimeout)
	}
	return nil
}

// lengthExp returns the handshake exponent announcing at least size bytes:
// the smallest exp in 0..15 with 2^(9+exp) >= size. size must be in
// 1..MaxMessageSize.
func lengthExp(size int) byte {
	if size <= MinMessageSize {
		return 0
	}
	return byte(bits.Len(uint(size-1)) - 9)
}

// optionsFrom interprets core.TransportConfig.Options.
func optionsFrom(v any) (Options, error) {
	switch o := v.(type) {
	case nil:
		return Options{}.resolved()
	case Options:
		return o.resolved()
	case *Options:
		if o == nil {
			return Options{}.resolved()
		}
		return o.resolved()
	case map[string]any:
		opts, err := OptionsFromMap(o)
		if err != nil {
			return Options{}, err
		}
		return opts.resolved()
	default:
		return Options{}, fmt.Errorf("rawsocket: unsupported options type %T (want rawsocket.Options or map[string]any)", v)
	}
}

// mapOptions lists the option names OptionsFromMap understands, in snake
// case, with the setter for each.
var mapOptions = map[string]func(o *Options, key string, v any) error{
	"max_message_payload_size":  setSize(func(o *Options) *int { return &o.MaxMessageSize }),
	"max_message_size":          setSize(func(o *Options) *int { return &o.MaxMessageSize }),
	"min_peer_max_message_size": setSize(func(o *Options) *int { return &o.MinPeerMaxMessageSize }),
	"handshake_timeout":         setDuration(func(o *Options) *time.Duration { return &o.HandshakeTimeout }),
	"open_handshake_timeout":    setDuration(func(o *Options) *time.Duration { return &o.HandshakeTimeout }),
	"close_timeout":             setDuration(func(o *Options) *time.Duration { return &o.CloseTimeout }),
	"close_handshake_timeout":   setDuration(func(o *Options) *time.Duration { return &o.CloseTimeout }),
	"write_timeout":             setDuration(func(o *Options) *time.Duration { return &o.WriteTimeout }),
	"max_connections":           setInt(func(o *Options) *int { return &o.MaxConnections }),
	"send_queue_size":           setInt(func(o *Options) *int { return &o.SendQueueSize }),
	"tcp_no_delay":              setTCPNoDelay,
	"tcp_nodelay":               setTCPNoDelay,
}

// OptionsFromMap builds Options from a component configuration's "options"
// map. Keys may be written in snake_case or camelCase, as Autobahn accepts
// both:
//
//	max_message_payload_size, maxMessagePayloadSize  (Autobahn)  MaxMessageSize
//	max_message_size                                 (Crossbar)  MaxMessageSize
//	min_peer_max_message_size                                    MinPeerMaxMessageSize
//	handshake_timeout, open_handshake_timeout                    HandshakeTimeout
//	close_timeout, close_handshake_timeout                       CloseTimeout
//	write_timeout                                                WriteTimeout
//	max_connections                                              MaxConnections
//	send_queue_size                                              SendQueueSize
//	tcp_nodelay, tcpNoDelay                                      !Nagle
//
// Sizes and counts are integers (an integral float64 from a JSON decoder is
// accepted); durations are seconds as a number, or a Go duration string such
// as "2.5s". An unknown key or a value of the wrong type is an error naming
// the key.
func OptionsFromMap(m map[string]any) (Options, error) {
	var o Options
	for _, key := range slices.Sorted(maps.Keys(m)) {
		set, ok := mapOptions[snakeCase(key)]
		if !ok {
			names := slices.Sorted(maps.Keys(mapOptions))
			return Options{}, fmt.Errorf("rawsocket: unknown option %q (known: %s)", key, strings.Join(names, ", "))
		}
		if err := set(&o, key, m[key]); err != nil {
			return Options{}, err
		}
	}
	if err := o.validate(); err != nil {
		return Options{}, err
	}
	return o, nil
}

// snakeCase turns maxMessagePayloadSize into max_message_payload_size; snake
// case input is returned as is.
func snakeCase(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func intValue(key string, v any) (int, error) {
	switch n := v.(type) {
	case int:
		return n, nil
	case int64:
		if n < math.MinInt || n > math.MaxInt {
			break
		}
		return int(n), nil
	case int32:
		return int(n), nil
	case uint64:
		if n > math.MaxInt {
			break
		}
		return int(n), nil
	case float64:
		if n != math.Trunc(n) || n < math.MinInt32 || n > math.MaxInt32 {
			return 0, fmt.Errorf("rawsocket: option %q: %v is not an integer", key, n)
		}
		return int(n), nil
	default:
		return 0, fmt.Errorf("rawsocket: option %q: want an integer, got %T", key, v)
	}
	return 0, fmt.Errorf("rawsocket: option %q: %v is out of range", key, v)
}

func setInt(field func(*Options) *int) func(*Options, string, any) error {
	return func(o *Options, key string, v any) error {
		n, err := intValue(key, v)
		if err != nil {
			return err
		}
		if n < 0 {
			return fmt.Errorf("rawsocket: option %q: %d is negative", key, n)
		}
		*field(o) = n
		return nil
	}
}

func setSize(field func(*Options) *int) func(*Options, string, any) error {
	return func(o *Options, key string, v any) error {
		n, err := intValue(key, v)
		if err != nil {
			return err
		}
		if n < 1 || n > MaxMessageSize {
			return fmt.Errorf("rawsocket: option %q: %d is out of range (1..%d, RawSocket cannot announce more than 16 MiB)", key, n, MaxMessageSize)
		}
		*field(o) = n
		return nil
	}
}

func setDuration(field func(*Options) *time.Duration) func(*Options, string, any) error {
	return func(o *Options, key string, v any) error {
		var d time.Duration
		switch x := v.(type) {
		case string:
			var err error
			if d, err = time.ParseDuration(x); err != nil {
				return fmt.Errorf("rawsocket: option %q: %w", key, err)
			}
		case time.Duration:
			d = x
		default:
			secs, err := floatValue(key, v)
			if err != nil {
				return err
			}
			if math.IsNaN(secs) || math.Abs(secs) > math.MaxInt64/float64(time.Second) {
				return fmt.Errorf("rawsocket: option %q: %v seconds is out of range", key, secs)
			}
			d = time.Duration(secs * float64(time.Second))
		}
		*field(o) = d
		return nil
	}
}

func floatValue(key string, v any) (float64, error) {
	switch n := v.(type) {
	case float64:
		return n, nil
	case float32:
		return float64(n), nil
	case int:
		return float64(n), nil
	case int64:
		return float64(n), nil
	case uint64:
		return float64(n), nil
	}
	return 0, fmt.Errorf("rawsocket: option %q: want seconds as a number or a duration string, got %T", key, v)
}

func setTCPNoDelay(o *Options, key string, v any) error {
	b, ok := v.(bool)
	if !ok {
		return fmt.Errorf("rawsocket: option %q: want a boolean, got %T", key, v)
	}
	o.Nagle = !b
	return nil
}
