package rawsocket

import (
	"fmt"
	"log/slog"
	"maps"
	"math/bits"
	"slices"
	"strings"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/optmap"
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
	DefaultOpenHandshakeTimeout  = 5 * time.Second
	DefaultCloseHandshakeTimeout = 1 * time.Second
	DefaultFrameTimeout          = 60 * time.Second
)

// Options configure a RawSocket client or server. The zero value gives
// Autobahn's behaviour. Pass an Options (or *Options) as
// [core.TransportConfig.Options], or a map[string]any with the option names of
// Autobahn and Crossbar.io component configurations (see [OptionsFromMap]).
// Options that WebSocket has too carry the same names and meanings.
type Options struct {
	// MaxMessagePayloadSize is the largest message this side accepts and
	// announces in the handshake (Autobahn maxMessagePayloadSize). It is
	// rounded up to a power of two between 512 bytes and 16 MiB, like
	// Autobahn does. Zero means 16 MiB (Autobahn's default).
	MaxMessagePayloadSize int

	// MinPeerMaxMessageSize is the smallest limit the peer may announce. A
	// server answers a client that announces less with error 2 (maximum
	// message length unacceptable); a client fails the handshake when the
	// server announces less. Zero accepts any limit.
	MinPeerMaxMessageSize int

	// OpenHandshakeTimeout bounds the opening handshake (TLS and RawSocket).
	// Zero means 5 s; negative means no timeout (a client is still bounded by
	// its context).
	OpenHandshakeTimeout time.Duration

	// CloseHandshakeTimeout is how long Close waits for the peer to end its
	// side of the stream before the connection is dropped. Zero means 1 s
	// (Autobahn's closeHandshakeTimeout); negative means no timeout beyond
	// Close's context.
	CloseHandshakeTimeout time.Duration

	// FrameTimeout bounds the arrival of one frame once its first byte is
	// in: a peer that sends part of a frame and then nothing is dropped
	// after this long, instead of holding its connection forever. Zero
	// means 60 s; negative means no timeout. An idle connection (between
	// frames) is not affected.
	FrameTimeout time.Duration

	// MaxConnections is the number of connections a listener serves at once;
	// a client beyond it gets error 4 (maximum connection count reached).
	// Zero means no limit. Clients ignore it.
	MaxConnections int

	// DisableTCPNoDelay turns Nagle's algorithm back on (Autobahn
	// tcpNoDelay, default true: TCP_NODELAY set).
	DisableTCPNoDelay bool

	// Queue configures the send queue: its limits, the slow-peer policy and
	// the stall timeout (see [core.QueueOptions] for the defaults).
	Queue core.QueueOptions

	// LogOctets and LogFrames log every message's bytes and every frame at
	// debug level; TrackTimings records the timings that
	// [Transport.Timings] returns (Autobahn's logOctets, logFrames,
	// trackTimings).
	LogOctets, LogFrames, TrackTimings bool

	// Logger receives connection-level events (rejected handshakes, protocol
	// errors, slow peers). Nil means slog.Default().
	Logger *slog.Logger
}

// resolved returns a copy of o with defaults filled in and limits rounded.
func (o Options) resolved() (Options, error) {
	if err := o.validate(); err != nil {
		return o, err
	}
	if o.MaxMessagePayloadSize == 0 {
		o.MaxMessagePayloadSize = MaxMessageSize
	}
	o.MaxMessagePayloadSize = 1 << (lengthExp(o.MaxMessagePayloadSize) + 9)
	if o.OpenHandshakeTimeout == 0 {
		o.OpenHandshakeTimeout = DefaultOpenHandshakeTimeout
	}
	if o.CloseHandshakeTimeout == 0 {
		o.CloseHandshakeTimeout = DefaultCloseHandshakeTimeout
	}
	if o.FrameTimeout == 0 {
		o.FrameTimeout = DefaultFrameTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	q, err := o.Queue.Resolved()
	if err != nil {
		return o, fmt.Errorf("rawsocket: %w", err)
	}
	o.Queue = q
	return o, nil
}

func (o Options) validate() error {
	switch {
	case o.MaxMessagePayloadSize < 0 || o.MaxMessagePayloadSize > MaxMessageSize:
		return fmt.Errorf("rawsocket: option MaxMessagePayloadSize %d is out of range (0 for the default, or 1..%d)", o.MaxMessagePayloadSize, MaxMessageSize)
	case o.MinPeerMaxMessageSize < 0 || o.MinPeerMaxMessageSize > MaxMessageSize:
		return fmt.Errorf("rawsocket: option MinPeerMaxMessageSize %d is out of range (0..%d)", o.MinPeerMaxMessageSize, MaxMessageSize)
	case o.MaxConnections < 0:
		return fmt.Errorf("rawsocket: option MaxConnections %d is negative", o.MaxConnections)
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
	o, ok, err := optmap.Decode(v, OptionsFromMap)
	if !ok {
		return Options{}, fmt.Errorf("rawsocket: unsupported options type %T (want rawsocket.Options or map[string]any)", v)
	}
	if err != nil {
		return Options{}, err
	}
	return o.resolved()
}

// mapOptions lists the option names OptionsFromMap understands, in their
// canonical camelCase form (see optmap.Key), with the setter for each.
var mapOptions = map[string]func(o *Options, v any) error{
	"maxMessagePayloadSize": setSize(func(o *Options) *int { return &o.MaxMessagePayloadSize }),
	"maxMessageSize":        setSize(func(o *Options) *int { return &o.MaxMessagePayloadSize }), // Crossbar's name
	"minPeerMaxMessageSize": setSize(func(o *Options) *int { return &o.MinPeerMaxMessageSize }),
	"openHandshakeTimeout":  setTimeout(func(o *Options) *time.Duration { return &o.OpenHandshakeTimeout }),
	"closeHandshakeTimeout": setTimeout(func(o *Options) *time.Duration { return &o.CloseHandshakeTimeout }),
	"frameTimeout":          setTimeout(func(o *Options) *time.Duration { return &o.FrameTimeout }),
	"maxConnections":        setInt(func(o *Options) *int { return &o.MaxConnections }),
	"tcpNoDelay":            setNegated(func(o *Options) *bool { return &o.DisableTCPNoDelay }),
	"logOctets":             setBool(func(o *Options) *bool { return &o.LogOctets }),
	"logFrames":             setBool(func(o *Options) *bool { return &o.LogFrames }),
	"trackTimings":          setBool(func(o *Options) *bool { return &o.TrackTimings }),
	// Earlier names of this package, still accepted.
	"handshakeTimeout": setTimeout(func(o *Options) *time.Duration { return &o.OpenHandshakeTimeout }),
	"closeTimeout":     setTimeout(func(o *Options) *time.Duration { return &o.CloseHandshakeTimeout }),
	"tcpNodelay":       setNegated(func(o *Options) *bool { return &o.DisableTCPNoDelay }),
	"writeTimeout":     setTimeout(func(o *Options) *time.Duration { return &o.Queue.StallTimeout }),
}

// OptionsFromMap builds Options from a component configuration's "options"
// map. Keys are Autobahn's camelCase names or their snake_case forms
// (auto_ping_interval), as Autobahn's Component accepts both:
//
//	maxMessagePayloadSize, maxMessageSize (Crossbar)   MaxMessagePayloadSize
//	minPeerMaxMessageSize                              MinPeerMaxMessageSize
//	openHandshakeTimeout                               OpenHandshakeTimeout
//	closeHandshakeTimeout                              CloseHandshakeTimeout
//	frameTimeout                                       FrameTimeout
//	maxConnections                                     MaxConnections
//	tcpNoDelay                                         !DisableTCPNoDelay
//	logOctets, logFrames, trackTimings                 LogOctets, LogFrames, TrackTimings
//	sendQueueSize, sendQueueMessages, slowPeerPolicy,  Queue (MaxBytes, MaxMessages, Policy,
//	stallTimeout, maxBatchSize                         StallTimeout, MaxBatchSize)
//
// Sizes and counts are integers (an integral float64 from a JSON decoder is
// accepted); durations are seconds as a number (0: no timeout), or a Go
// duration string such as "2.5s". An unknown key or a value of the wrong
// type is an error naming the key.
func OptionsFromMap(m map[string]any) (Options, error) {
	var o Options
	for _, key := range slices.Sorted(maps.Keys(m)) {
		name := optmap.Key(key)
		var err error
		if set, ok := mapOptions[name]; ok {
			err = set(&o, m[key])
		} else if ok, qerr := optmap.Queue(&o.Queue, name, m[key]); ok {
			err = qerr
		} else {
			names := slices.Concat(slices.Collect(maps.Keys(mapOptions)), optmap.QueueKeys)
			slices.Sort(names)
			return Options{}, fmt.Errorf("rawsocket: unknown option %q (known: %s)", key, strings.Join(names, ", "))
		}
		if err != nil {
			return Options{}, fmt.Errorf("rawsocket: option %q: %w", key, err)
		}
	}
	if err := o.validate(); err != nil {
		return Options{}, err
	}
	return o, nil
}

func setInt(field func(*Options) *int) func(*Options, any) error {
	return func(o *Options, v any) (err error) {
		*field(o), err = optmap.Int(v)
		return err
	}
}

func setSize(field func(*Options) *int) func(*Options, any) error {
	return func(o *Options, v any) error {
		n, err := optmap.Int(v)
		if err != nil {
			return err
		}
		if n < 1 || n > MaxMessageSize {
			return fmt.Errorf("%d is out of range (1..%d, RawSocket cannot announce more than 16 MiB)", n, MaxMessageSize)
		}
		*field(o) = n
		return nil
	}
}

func setTimeout(field func(*Options) *time.Duration) func(*Options, any) error {
	return func(o *Options, v any) (err error) {
		*field(o), err = optmap.Timeout(v)
		return err
	}
}

func setBool(field func(*Options) *bool) func(*Options, any) error {
	return func(o *Options, v any) (err error) {
		*field(o), err = optmap.Bool(v)
		return err
	}
}

// setNegated sets a Disable… field from Autobahn's positive option.
func setNegated(field func(*Options) *bool) func(*Options, any) error {
	return func(o *Options, v any) error {
		b, err := optmap.Bool(v)
		*field(o) = !b
		return err
	}
}
