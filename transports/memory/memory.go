// Package memory is an in-process WAMP transport: a connected pair of
// transports that pass messages without a socket. It embeds components in
// the router's process and makes tests fast, and it runs on the same engine
// and passes the same conformance suite as the network transports.
//
// By default messages are passed as Go values (pass-through): the receiver
// gets the very message the sender sent, so neither side may modify a
// message once sent. With [Options.Serializer] set, every message is
// serialized by the sender and parsed by the receiver, exactly as on a
// network transport.
//
// Each side delivers incoming messages on a goroutine that runs only while
// messages are waiting, so an idle pair costs no goroutine. A receiver whose
// handler does not return stops taking messages after [Options.InboxSize]
// of them; the sender's queue then fills and its slow-peer policy applies,
// as with a peer that stops reading a socket.
//
// Importing the package registers a [Factory] for the memory URL scheme:
// a listener at memory://name accepts the dialers of the same URL in this
// process.
package memory

import (
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/engine"
)

// Framing is the core.TransportDetails.Framing of in-memory transports.
const Framing core.Framing = "memory"

// DefaultInboxSize is the default of Options.InboxSize.
const DefaultInboxSize = 256

// Options configure an in-memory pair. The zero value passes messages
// through without serializing them.
type Options struct {
	// Serializer, when set, serializes every message on the way (a real
	// serializer: JSON, MsgPack, …); nil passes the message values through.
	Serializer core.Serializer
	// MaxMessageSize is the largest serialized message either side sends;
	// larger ones are refused (0: no limit; only with a Serializer).
	MaxMessageSize int
	// InboxSize is how many messages a side takes from its peer before its
	// handler has consumed them (default 256).
	InboxSize int
	// Queue configures each side's send queue and slow-peer policy.
	Queue core.QueueOptions
	// LogOctets, LogFrames and TrackTimings are Autobahn's debugging
	// options (see the websocket package).
	LogOctets, LogFrames, TrackTimings bool
	// Logger receives the transports' log lines; nil means slog.Default().
	Logger *slog.Logger
}

// Transport is one side of an in-memory pair. It implements
// [core.Transport], [core.TrySender], [core.StatsReporter] and
// [core.DoneNotifier]. Its methods Send, TrySend, Close, Abort, Details,
// Done, Stats and Timings come from the transport engine embedded in it,
// and are the same on every transport of this module.
type Transport struct {
	engine.Transport
	side side
}

var errPeerGone = errors.New("memory: the peer is gone")

// side is one end's wire and its inbox of messages from the peer.
type side struct {
	conn      *engine.Transport
	peer      *side
	inboxSize int

	mu         sync.Mutex
	inbox      []engine.Outgoing
	started    bool          // the handler runs: delivery may begin
	running    bool          // the delivery goroutine runs
	ended      bool          // the connection ends after the inbox
	endErr     error         // why (nil: clean)
	gone       bool          // Closed was called
	room       chan struct{} // closed when the inbox shrinks or ends
	closeTimer *time.Timer   // bounds this side's clean close
}

// Pair connects two handlers: a's transport talks to b's (b is on the server
// side). OnOpen has run on both when Pair returns (a's first).
func Pair(a, b core.TransportHandler, opts Options) (*Transport, *Transport, error) {
	if a == nil || b == nil {
		return nil, nil, errors.New("memory: pair: nil handler")
	}
	cfg, err := configFrom(opts)
	if err != nil {
		return nil, nil, err
	}
	ta, tb := newPair(cfg, cfg)
	ta.side.start(func() { engine.Start(&ta.Transport, a) })
	tb.side.start(func() { engine.Start(&tb.Transport, b) })
	return ta, tb, nil
}

// Connect runs h over a new transport whose other end is handed to accept
// (a router's acceptor, for example). The server side is accepted first;
// OnOpen has run on both when Connect returns.
func Connect(accept core.Acceptor, h core.TransportHandler, opts Options) (*Transport, error) {
	cfg, err := configFrom(opts)
	if err != nil {
		return nil, err
	}
	return connect(accept, h, cfg, cfg)
}

func connect(accept core.Acceptor, h core.TransportHandler, client, server *config) (*Transport, error) {
	if accept == nil || h == nil {
		return nil, errors.New("memory: connect: nil acceptor or handler")
	}
	tc, ts := newPair(client, server)
	accepted := true
	ts.side.start(func() { accepted = engine.Accept(&ts.Transport, accept) })
	if !accepted {
		return nil, errors.New("memory: connect: the acceptor refused the connection")
	}
	tc.side.start(func() { engine.Start(&tc.Transport, h) })
	return tc, nil
}

// config is Options resolved, shared by the sides that use the same options.
type config struct {
	opts     Options
	settings *engine.Settings
	// details of the client and server sides, for the serializer of these
	// options (a dialer's options decide both sides' serializer).
	client, server core.TransportDetails
}

// configs memoizes the configs of the options in use, so that connections
// made with the same options (every Pair, Connect or Dial of a program,
// typically) share one instead of carrying a copy each.
var configs struct {
	sync.Mutex
	m map[Options]*config
}

func configFrom(o Options) (*config, error) {
	if o.Serializer != nil && !reflect.TypeOf(o.Serializer).Comparable() {
		return newConfig(o)
	}
	configs.Lock()
	defer configs.Unlock()
	if c := configs.m[o]; c != nil {
		return c, nil
	}
	c, err := newConfig(o)
	if err != nil {
		return nil, err
	}
	if configs.m == nil || len(configs.m) >= 64 {
		configs.m = make(map[Options]*config)
	}
	configs.m[o] = c
	return c, nil
}

func newConfig(o Options) (*config, error) {
	s := &engine.Settings{
		Name:   "memory",
		Queue:  o.Queue,
		Logger: o.Logger,
		Debug:  engine.Debug{LogOctets: o.LogOctets, LogFrames: o.LogFrames, TrackTimings: o.TrackTimings},
	}
	if err := s.Resolve(); err != nil {
		return nil, err
	}
	if o.InboxSize < 0 {
		return nil, fmt.Errorf("memory: InboxSize %d is negative", o.InboxSize)
	}
	if o.InboxSize == 0 {
		o.InboxSize = DefaultInboxSize
	}
	cfg := &config{opts: o, settings: s}
	cfg.client = core.TransportDetails{Framing: Framing, Serializer: o.Serializer, Peer: "memory"}
	cfg.server = cfg.client
	cfg.server.IsServer = true
	return cfg, nil
}

// newPair makes two connected transports, the second on the server side.
// The client's Serializer and MaxMessageSize apply to both; each side has
// the queue, inbox and debugging options of its own config.
func newPair(client, server *config) (*Transport, *Transport) {
	ta, tb := newSide(client, client, false), newSide(server, client, true)
	ta.side.peer, tb.side.peer = &tb.side, &ta.side
	return ta, tb
}

// newSide makes one side with its own options; shared (the dialer's)
// decide the serializer and the size limit.
func newSide(own, shared *config, isServer bool) *Transport {
	maxOut := 0
	if shared.opts.Serializer != nil {
		maxOut = shared.opts.MaxMessageSize
	}
	d := &shared.client
	if isServer {
		d = &shared.server
	}
	t := &Transport{side: side{inboxSize: own.opts.InboxSize}}
	t.side.conn = &t.Transport
	engine.Init(&t.Transport, &t.side, own.settings, d, maxOut)
	engine.SetTransport(&t.Transport, t)
	return t
}
