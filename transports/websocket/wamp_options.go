package websocket

import (
	"fmt"
	"log/slog"
	"reflect"
	"sync/atomic"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/engine"
	"github.com/autobahn-go/autobahn/internal/optmap"
)

// WAMPOptions configure WAMP over WebSocket: the WebSocket protocol options
// and the send queue of each transport. It is what
// [core.TransportConfig.Options] may hold for the ws and wss schemes, besides
// a plain [Options] (the WebSocket options alone) or a map[string]any with
// Autobahn's option names (see [WAMPOptionsFromMap]).
//
// Zero fields mean the defaults of the side in use, so that WAMPOptions{}
// is right for both:
//
//   - a client gets Autobahn|Python's ApplicationRunner defaults: maximum
//     frame and message payload 1 MiB, autoFragmentSize 64 KiB,
//     openHandshakeTimeout 2.5 s, closeHandshakeTimeout 1 s,
//     autoPingInterval 10 s, autoPingTimeout 5 s, autoPingSize 12,
//     permessage-deflate offered;
//   - a server gets Autobahn's WebSocket server defaults, except that a
//     message (after permessage-deflate inflation) may be at most
//     [DefaultWAMPServerMaxMessageSize]: a WAMP server must not buffer
//     messages of any size for any peer.
//
// To turn one of these off, set it negative: MaxMessagePayloadSize,
// MaxFramePayloadSize and AutoFragmentSize (-1: unlimited / off),
// AutoPingInterval and AutoPingTimeout (-1: off); an empty non-nil
// PerMessageCompressionOffers offers no compression. The map form's 0
// (Autobahn's "off") does the same.
type WAMPOptions struct {
	// WebSocket are the WebSocket protocol options.
	WebSocket Options

	// Queue configures the send queue of each transport: its limits, the
	// slow-peer policy, the stall timeout and the largest batch (see
	// [core.QueueOptions] for the defaults).
	Queue core.QueueOptions

	// Logger receives failures and debug output; nil means slog.Default().
	Logger *slog.Logger
}

// DefaultWAMPServerMaxMessageSize is the largest message a WAMP server
// accepts when its options set no limit: 16 MiB, the largest message a
// RawSocket peer can announce.
const DefaultWAMPServerMaxMessageSize = 16 << 20

// WAMPClientOptions returns the defaults of a WAMP client, those of
// Autobahn|Python's ApplicationRunner, spelled out (WAMPOptions{} means the
// same for a client).
func WAMPClientOptions() WAMPOptions {
	return WAMPOptions{WebSocket: withSideDefaults(Options{}, false)}
}

// withSideDefaults fills the zero fields of o with the WAMP defaults of a
// server or a client, and turns negative ones into Autobahn's 0 (off).
func withSideDefaults(o Options, isServer bool) Options {
	size := func(p *int64, def int64) {
		switch {
		case *p == 0:
			*p = def
		case *p < 0:
			*p = 0
		}
	}
	duration := func(p *time.Duration, def time.Duration) {
		switch {
		case *p == 0:
			*p = def
		case *p < 0:
			*p = 0
		}
	}
	frag := int64(o.AutoFragmentSize)
	if isServer {
		size(&o.MaxMessagePayloadSize, DefaultWAMPServerMaxMessageSize)
		size(&o.MaxFramePayloadSize, 0)
		size(&frag, 0)
		duration(&o.AutoPingInterval, 0)
		duration(&o.AutoPingTimeout, 0)
	} else {
		size(&o.MaxMessagePayloadSize, 1<<20)
		size(&o.MaxFramePayloadSize, 1<<20)
		size(&frag, 64<<10)
		duration(&o.AutoPingInterval, 10*time.Second)
		duration(&o.AutoPingTimeout, 5*time.Second)
		if o.OpenHandshakeTimeout == 0 {
			o.OpenHandshakeTimeout = 2500 * time.Millisecond
		}
		if o.PerMessageCompressionOffers == nil {
			o.PerMessageCompressionOffers = []DeflateOffer{ClientDeflateOffer}
		}
	}
	o.AutoFragmentSize = int(frag)
	return o
}

// offWhenZero are the map options whose Autobahn value 0 means "off" or
// "unlimited", which a WAMP side's defaults would otherwise replace.
var offWhenZero = map[string]func(o *Options){
	"maxMessagePayloadSize": func(o *Options) { o.MaxMessagePayloadSize = -1 },
	"maxFramePayloadSize":   func(o *Options) { o.MaxFramePayloadSize = -1 },
	"autoFragmentSize":      func(o *Options) { o.AutoFragmentSize = -1 },
	"autoPingInterval":      func(o *Options) { o.AutoPingInterval = -1 },
	"autoPingTimeout":       func(o *Options) { o.AutoPingTimeout = -1 },
}

// WAMPOptionsFromMap builds WAMPOptions from Autobahn's option names, as
// found in the "options" of a component's or a router transport's
// configuration: the WebSocket options of [OptionsFromMap] (camelCase or
// snake_case), and the send queue's "sendQueueSize", "sendQueueMessages",
// "slowPeerPolicy" (block, fail, drop), "stallTimeout" and "maxBatchSize",
// the same names as for every transport. Fields not named keep their zero
// value, which means the defaults of the side in use (see [WAMPOptions]);
// an explicit 0 for a size limit or the auto-ping turns it off, as in
// Autobahn. Unknown names are an error.
func WAMPOptionsFromMap(m map[string]any) (WAMPOptions, error) {
	ws := make(map[string]any, len(m))
	var o WAMPOptions
	var zeroed []string
	for k, v := range m {
		name := optmap.Key(k)
		ok, err := optmap.Queue(&o.Queue, name, v)
		if err != nil {
			return WAMPOptions{}, fmt.Errorf("websocket: WAMP option %q: %w", k, err)
		}
		if ok {
			continue
		}
		ws[name] = v
		if n, err := optmap.Seconds(v); err == nil && n == 0 && offWhenZero[name] != nil {
			zeroed = append(zeroed, name)
		}
	}
	wo, err := OptionsFromMap(ws)
	if err != nil {
		return WAMPOptions{}, err
	}
	for _, name := range zeroed {
		offWhenZero[name](&wo)
	}
	if _, named := ws["perMessageCompressionOffers"]; named && wo.PerMessageCompressionOffers == nil {
		wo.PerMessageCompressionOffers = []DeflateOffer{} // false: offer none
	}
	o.WebSocket = wo
	return o, nil
}

// wampConfig is WAMPOptions with the defaults of one side applied; it is
// shared by the connections of a server or a dialer, and, for the default
// options, by every dial (see sharedWAMPConfig).
type wampConfig struct {
	ws     Options
	cfg    *config // ws resolved for the side
	engine *engine.Settings
	maxOut int // the largest message sent (Autobahn refuses larger ones)
	log    *slog.Logger
}

// wampConfigFrom reads the Options of a core.TransportConfig.
func wampConfigFrom(v any, isServer bool) (*wampConfig, error) {
	o, ok, err := optmap.Decode(v, WAMPOptionsFromMap)
	if !ok {
		// The WebSocket options alone.
		o.WebSocket, ok, _ = optmap.Decode[Options](v, nil)
	}
	if !ok {
		return nil, fmt.Errorf("websocket: unsupported transport options of type %T (want websocket.WAMPOptions, websocket.Options or map[string]any)", v)
	}
	if err != nil {
		return nil, err
	}
	if reflect.ValueOf(&o).Elem().IsZero() {
		return sharedWAMPConfig(isServer)
	}
	return newWAMPConfig(o, isServer)
}

// defaultWAMPConfigs are the configurations of the default options, of a
// client [0] and a server [1], made with the slog.Default() of the time.
var defaultWAMPConfigs [2]atomic.Pointer[wampConfig]

// sharedWAMPConfig returns the configuration of the default options of a
// side. Every dial with the default options shares it, rather than keeping
// its own resolved copy of the same options (about 700 bytes of every idle
// client connection); it is made again if slog.Default() has changed since,
// since the default Logger is the one of the time of the dial.
func sharedWAMPConfig(isServer bool) (*wampConfig, error) {
	i := 0
	if isServer {
		i = 1
	}
	if wc := defaultWAMPConfigs[i].Load(); wc != nil && wc.log == slog.Default() {
		return wc, nil
	}
	wc, err := newWAMPConfig(WAMPOptions{}, isServer)
	if err != nil {
		return nil, err
	}
	defaultWAMPConfigs[i].Store(wc)
	return wc, nil
}

func newWAMPConfig(o WAMPOptions, isServer bool) (*wampConfig, error) {
	o.WebSocket = withSideDefaults(o.WebSocket, isServer)
	// Check the WebSocket options now, so that Dial and Listen fail early.
	cfg, err := o.WebSocket.resolve(isServer)
	if err != nil {
		return nil, err
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	ws := o.WebSocket
	es := &engine.Settings{
		Name:   "websocket",
		Queue:  o.Queue,
		Logger: o.Logger,
		Debug:  engine.Debug{LogOctets: ws.LogOctets, LogFrames: ws.LogFrames, TrackTimings: ws.TrackTimings},
	}
	if err := es.Resolve(); err != nil {
		return nil, err
	}
	return &wampConfig{ws: ws, cfg: cfg, engine: es, maxOut: int(min(ws.MaxMessagePayloadSize, 1<<62)), log: o.Logger}, nil
}
