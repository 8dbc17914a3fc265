package websocket

import (
	"fmt"
	"log/slog"
	"maps"
	"strings"
)

// WAMPOptions configure WAMP over WebSocket: the WebSocket protocol options
// and the send queue of each transport. It is what
// [core.TransportConfig.Options] may hold for the ws and wss schemes, besides
// a plain [Options] (the WebSocket options alone) or a map[string]any with
// Autobahn's option names (see [WAMPOptionsFromMap]).
//
// A nil [core.TransportConfig.Options] means [WAMPClientOptions] for clients
// and the zero WAMPOptions (Autobahn's WebSocket server defaults) for
// servers. A struct is used as given: start from WAMPClientOptions to keep
// the client defaults.
type WAMPOptions struct {
	// WebSocket are the WebSocket protocol options.
	WebSocket Options

	// SendQueueSize bounds the bytes of serialized messages that may wait
	// behind the WebSocket write in progress (default
	// DefaultWAMPSendQueueSize). Send blocks, bounded by its context, while
	// the queue is full; one message is always accepted into an empty
	// queue, whatever its size.
	SendQueueSize int

	// MaxBatchSize is the largest WebSocket message into which queued
	// messages are combined when a batched serializer is in use (default
	// DefaultWAMPMaxBatchSize). A single larger message is sent alone.
	MaxBatchSize int

	// Logger receives failures and debug output; nil means slog.Default().
	Logger *slog.Logger
}

// Defaults of WAMPOptions.
const (
	DefaultWAMPSendQueueSize = 1 << 20
	DefaultWAMPMaxBatchSize  = 64 << 10
)

// wampClientDefaults are the WebSocket options Autobahn|Python's
// ApplicationRunner sets for WAMP clients (WIRE.md §7), by Autobahn name.
var wampClientDefaults = map[string]any{
	"maxFramePayloadSize":         1 << 20,
	"maxMessagePayloadSize":       1 << 20,
	"autoFragmentSize":            64 << 10,
	"failByDrop":                  true,
	"echoCloseCodeReason":         false,
	"serverConnectionDropTimeout": 1.0,
	"openHandshakeTimeout":        2.5,
	"closeHandshakeTimeout":       1.0,
	"tcpNoDelay":                  true,
	"perMessageCompressionOffers": true,
	"autoPingInterval":            10.0,
	"autoPingTimeout":             5.0,
	"autoPingSize":                12,
	"autoPingRestartOnAnyTraffic": true,
}

// WAMPClientOptions returns the defaults of a WAMP client, those of
// Autobahn|Python's ApplicationRunner: maximum frame and message payload
// 1 MiB, autoFragmentSize 64 KiB, openHandshakeTimeout 2.5 s,
// closeHandshakeTimeout 1 s, autoPingInterval 10 s, autoPingTimeout 5 s,
// autoPingSize 12, permessage-deflate offered.
func WAMPClientOptions() WAMPOptions {
	o, err := OptionsFromMap(maps.Clone(wampClientDefaults))
	if err != nil {
		panic("websocket: invalid WAMP client defaults: " + err.Error())
	}
	return WAMPOptions{WebSocket: o}
}

// WAMPOptionsFromMap builds WAMPOptions from Autobahn's option names, as
// found in the "options" of a component's transport configuration. The
// WebSocket options are those of [OptionsFromMap] (camelCase, or snake_case
// as Autobahn's Component also accepts: "auto_ping_interval"); on top of
// them, "sendQueueSize" and "maxBatchSize" (bytes) set the WAMP options.
// For a client (isServer false) the keys override [WAMPClientOptions];
// for a server they override Autobahn's WebSocket server defaults. Unknown
// names are an error.
func WAMPOptionsFromMap(m map[string]any, isServer bool) (WAMPOptions, error) {
	ws := make(map[string]any, len(m)+len(wampClientDefaults))
	if !isServer {
		maps.Copy(ws, wampClientDefaults)
	}
	var o WAMPOptions
	for k, v := range m {
		name := camelCase(k)
		var err error
		switch name {
		case "sendQueueSize":
			o.SendQueueSize, err = asInt(v)
		case "maxBatchSize":
			o.MaxBatchSize, err = asInt(v)
		default:
			ws[name] = v
			continue
		}
		if err != nil {
			return WAMPOptions{}, fmt.Errorf("websocket: WAMP option %q: %w", k, err)
		}
	}
	wo, err := OptionsFromMap(ws)
	if err != nil {
		return WAMPOptions{}, err
	}
	o.WebSocket = wo
	return o, nil
}

// camelCase turns Autobahn's documented snake_case option names into the
// camelCase names of setProtocolOptions, as Autobahn's Component does.
func camelCase(name string) string {
	if !strings.Contains(name, "_") {
		return name
	}
	parts := strings.Split(name, "_")
	var b strings.Builder
	b.WriteString(parts[0])
	for _, p := range parts[1:] {
		if p == "" {
			continue
		}
		b.WriteString(strings.ToUpper(p[:1]))
		b.WriteString(p[1:])
	}
	return b.String()
}

// wampConfig is WAMPOptions with the defaults applied.
type wampConfig struct {
	ws        Options
	sendQueue int
	maxBatch  int
	log       *slog.Logger
}

// wampConfigFrom reads the Options of a core.TransportConfig.
func wampConfigFrom(v any, isServer bool) (*wampConfig, error) {
	var o WAMPOptions
	switch opts := v.(type) {
	case nil:
		if !isServer {
			o = WAMPClientOptions()
		}
	case WAMPOptions:
		o = opts
	case *WAMPOptions:
		if opts != nil {
			o = *opts
		} else if !isServer {
			o = WAMPClientOptions()
		}
	case Options:
		o.WebSocket = opts
	case *Options:
		if opts != nil {
			o.WebSocket = *opts
		} else if !isServer {
			o = WAMPClientOptions()
		}
	case map[string]any:
		var err error
		if o, err = WAMPOptionsFromMap(opts, isServer); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("websocket: unsupported transport options of type %T (want websocket.WAMPOptions, websocket.Options or map[string]any)", v)
	}
	if o.SendQueueSize < 0 {
		return nil, fmt.Errorf("websocket: WAMP option SendQueueSize: %d is negative", o.SendQueueSize)
	}
	if o.MaxBatchSize < 0 {
		return nil, fmt.Errorf("websocket: WAMP option MaxBatchSize: %d is negative", o.MaxBatchSize)
	}
	// Check the WebSocket options now, so that Dial and Listen fail early.
	if _, err := o.WebSocket.resolve(isServer); err != nil {
		return nil, err
	}
	c := &wampConfig{
		ws:        o.WebSocket,
		sendQueue: o.SendQueueSize,
		maxBatch:  o.MaxBatchSize,
		log:       o.Logger,
	}
	if c.sendQueue == 0 {
		c.sendQueue = DefaultWAMPSendQueueSize
	}
	if c.maxBatch == 0 {
		c.maxBatch = DefaultWAMPMaxBatchSize
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	return c, nil
}
