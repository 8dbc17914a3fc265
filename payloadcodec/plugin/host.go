package plugin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/payloadcodec/plugin/internal/wire"
	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/serializers/cbor"
)

// Options configure [Load]. The zero value starts the plugin with no
// arguments and an empty environment and registers with registry.Default.
type Options struct {
	// Args are the plugin's command-line arguments.
	Args []string
	// Env is the plugin's whole environment ("KEY=VALUE"); nil means an
	// empty one (the host's environment is not passed on, so that no
	// secret of the host reaches a plugin by accident).
	Env []string
	// Dir is the plugin's working directory ("": the host's).
	Dir string
	// Registry is where the plugin's codecs and serializers are
	// registered (nil: registry.Default).
	Registry *registry.Registry
	// Logger receives the plugin's stderr, crashes and restarts (nil:
	// slog.Default()).
	Logger *slog.Logger
	// StartTimeout bounds a start of the plugin, handshake included
	// (default 10 s).
	StartTimeout time.Duration
	// CallTimeout bounds a request whose context has no deadline, and
	// every serializer request (ObjectSerializer has no context)
	// (default 10 s).
	CallTimeout time.Duration
	// RestartBackoff is the wait before the first restart of a crashed
	// plugin (default 100 ms); it doubles for every crash of a plugin that
	// ran less than a minute, up to MaxRestartBackoff (default 30 s).
	RestartBackoff, MaxRestartBackoff time.Duration
}

func (o *Options) defaults() {
	if o.Registry == nil {
		o.Registry = registry.Default
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 10 * time.Second
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = 10 * time.Second
	}
	if o.RestartBackoff <= 0 {
		o.RestartBackoff = 100 * time.Millisecond
	}
	if o.MaxRestartBackoff <= 0 {
		o.MaxRestartBackoff = 30 * time.Second
	}
}

// Host runs one plugin process on behalf of the registry its codecs and
// serializers are registered in: it restarts the process when it crashes
// (with backoff, logged and counted) and ends it on Close. It is safe for
// concurrent use.
type Host struct {
	name, path string
	opts       Options
	logger     *slog.Logger
	desc       description
	nextCodec  atomic.Uint64

	mu      sync.Mutex
	cur     *conn         // nil while restarting
	ready   chan struct{} // closed when cur is set again
	closed  bool
	closing chan struct{}
	backoff time.Duration
	wg      sync.WaitGroup

	crashes, restarts atomic.Int64
}

// ErrClosed is the error of a request to a plugin whose host was closed.
var ErrClosed = errors.New("the plugin host is closed")

// Load starts the plugin binary at path, checks its handshake, asks what
// it offers and registers its payload codecs (as factories whose config
// goes to the plugin) and serializers (plain and batched) in
// opts.Registry under their names. A plugin that does not start fails
// Load with what it wrote to stderr; a name that is already registered
// fails it too, and nothing is registered then.
func Load(ctx context.Context, path string, opts Options) (*Host, error) {
	opts.defaults()
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < opts.StartTimeout {
		opts.StartTimeout = max(time.Until(dl), time.Millisecond)
	}
	h := &Host{name: filepath.Base(path), path: path, opts: opts, closing: make(chan struct{}), ready: make(chan struct{}), backoff: opts.RestartBackoff}
	h.logger = opts.Logger.With("plugin", h.name)
	c, desc, err := startConn(h)
	if err != nil {
		return nil, err
	}
	h.cur, h.desc = c, desc
	close(h.ready)
	if err := h.register(); err != nil {
		h.Close()
		return nil, err
	}
	h.logger.Info("plugin loaded", "path", path, "pid", c.pid, "codecs", desc.Codecs, "serializers", h.SerializerNames())
	return h, nil
}

// register adds the offer to the registry, after checking that none of its
// names is taken.
func (h *Host) register() error {
	reg := h.opts.Registry
	for _, name := range h.desc.Codecs {
		for _, have := range reg.PayloadCodecNames() {
			if have == name {
				return fmt.Errorf("plugin %s: it offers payload codec %q, and one is registered under that name already", h.path, name)
			}
		}
	}
	for _, s := range h.desc.Serializers {
		for _, n := range []string{s.Name, s.Name + ".batched"} {
			if _, err := reg.Serializer(n); err == nil {
				return fmt.Errorf("plugin %s: it offers serializer %q, and one is registered under that name already", h.path, n)
			}
		}
		if s.RawSocketID != 0 {
			if other, err := reg.SerializerByRawSocketID(s.RawSocketID); err == nil {
				return fmt.Errorf("plugin %s: its serializer %q has RawSocket id %d, which %q has already", h.path, s.Name, s.RawSocketID, other.Name())
			}
		}
	}
	for _, name := range h.desc.Codecs {
		reg.RegisterPayloadCodecFactory(name, h.codecFactory(name))
	}
	for i, s := range h.desc.Serializers {
		obj := newRemoteSerializer(h, i, s)
		reg.RegisterSerializer(core.NewSerializer(obj, false))
		reg.RegisterSerializer(core.NewSerializer(obj, true))
	}
	return nil
}

// CodecNames returns the algorithm names of the plugin's payload codecs.
func (h *Host) CodecNames() []string { return append([]string(nil), h.desc.Codecs...) }

// SerializerNames returns the names of the message serializers the plugin
// provides ("bson", "bson.batched", …).
func (h *Host) SerializerNames() []string {
	var out []string
	for _, s := range h.desc.Serializers {
		out = append(out, s.Name, s.Name+".batched")
	}
	return out
}

// Stats are a plugin host's counters.
type Stats struct {
	// Pid is the process id of the running plugin (0 while it restarts).
	Pid int
	// Crashes counts the runs that ended other than by Close (the process
	// exited, the connection broke, the plugin sent garbage); Restarts the
	// starts after them.
	Crashes, Restarts int64
}

// Stats returns the host's counters.
func (h *Host) Stats() Stats {
	st := Stats{Crashes: h.crashes.Load(), Restarts: h.restarts.Load()}
	h.mu.Lock()
	if h.cur != nil {
		st.Pid = h.cur.pid
	}
	h.mu.Unlock()
	return st
}

// Close ends the plugin process and waits until it is gone. Codecs and
// serializers of the plugin stay registered and fail with ErrClosed.
func (h *Host) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	close(h.closing)
	c := h.cur
	h.mu.Unlock()
	if c != nil {
		c.close()
	}
	h.wg.Wait()
	return nil
}

// lost is called by a conn that failed: unless the host is closing, the
// crash is counted and logged and a restart begins.
func (h *Host) lost(c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || h.cur != c {
		return
	}
	h.cur = nil
	h.ready = make(chan struct{})
	h.crashes.Add(1)
	if time.Since(c.started) > time.Minute {
		h.backoff = h.opts.RestartBackoff
	}
	h.logger.Error("plugin crashed; restarting it", "pid", c.pid, "err", c.err, "in", h.backoff)
	h.wg.Add(1)
	go h.restart()
}

// restart starts the plugin again until it runs, waiting longer after
// every failure.
func (h *Host) restart() {
	defer h.wg.Done()
	for {
		h.mu.Lock()
		wait := h.backoff
		h.backoff = min(2*h.backoff, h.opts.MaxRestartBackoff)
		h.mu.Unlock()
		select {
		case <-h.closing:
			return
		case <-time.After(wait):
		}
		c, desc, err := startConn(h)
		if err == nil && !desc.equal(h.desc) {
			c.close()
			err = fmt.Errorf("plugin %s: after a restart it offers %v, before it offered %v", h.path, desc, h.desc)
		}
		if err != nil {
			h.logger.Error("plugin restart failed", "err", err)
			continue
		}
		h.mu.Lock()
		if h.closed {
			h.mu.Unlock()
			c.close()
			return
		}
		h.cur = c
		close(h.ready)
		h.restarts.Add(1)
		h.mu.Unlock()
		h.logger.Warn("plugin restarted", "pid", c.pid, "restarts", h.restarts.Load())
		return
	}
}

// live returns the running conn, waiting for a restart within ctx (or
// Options.CallTimeout when ctx has no deadline).
func (h *Host) live(ctx context.Context) (*conn, error) {
	for {
		h.mu.Lock()
		c, ready, closed := h.cur, h.ready, h.closed
		h.mu.Unlock()
		if closed {
			return nil, ErrClosed
		}
		if c != nil && !c.isDead() {
			return c, nil
		}
		if _, ok := ctx.Deadline(); !ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, h.opts.CallTimeout)
			defer cancel()
		}
		if c != nil { // dead, and lost() is about to replace it
			ready = c.dead
		}
		select {
		case <-ready:
		case <-h.closing:
		case <-ctx.Done():
			return nil, fmt.Errorf("the plugin is restarting after a crash: %w", context.Cause(ctx))
		}
		if c != nil {
			time.Sleep(time.Millisecond) // let lost() replace it
		}
	}
}

// call sends one request on the running conn and returns the answer's
// results; what names the request in errors ("codec \"zstd\": decode").
// open, when set, is a codec to open first in a newly started process.
func (h *Host) call(ctx context.Context, what string, open *remoteCodec, req []any) (wire.Fields, error) {
	it, err := cborItem(req)
	if err != nil {
		return wire.Fields{}, fmt.Errorf("plugin %s: %s: %w", h.name, what, err)
	}
	ans, err := h.callRaw(ctx, what, open, it)
	if err != nil {
		return wire.Fields{}, err
	}
	res, err := parseAnswer(ans)
	if err != nil {
		return res, fmt.Errorf("plugin %s: %s: %w", h.name, what, err)
	}
	return res, nil
}

// callRaw sends the request it (a wire.NewItem with its body) on the
// running conn and returns the answer's body, as call does.
func (h *Host) callRaw(ctx context.Context, what string, open *remoteCodec, it *wire.Item) ([]byte, error) {
	ans, err := h.callConn(ctx, open, it)
	if err != nil {
		return nil, fmt.Errorf("plugin %s: %s: %w", h.name, what, err)
	}
	return ans, nil
}

func (h *Host) callConn(ctx context.Context, open *remoteCodec, it *wire.Item) ([]byte, error) {
	c, err := h.live(ctx)
	if err != nil {
		wire.FreeItem(it)
		return nil, err
	}
	if open != nil {
		if err := open.ensureOpen(ctx, c); err != nil {
			wire.FreeItem(it)
			return nil, err
		}
	}
	return c.roundTrip(ctx, it, h.opts.CallTimeout)
}

// cborItem is a request item whose body is req in CBOR.
func cborItem(req []any) (*wire.Item, error) {
	it := wire.NewItem()
	var err error
	if it.B, err = cbor.Object.Marshal(it.B, req); err != nil {
		wire.FreeItem(it)
		return nil, fmt.Errorf("the request does not encode: %w", err)
	}
	return it, nil
}

// send encodes a request in CBOR, sends it on c and reads the answer.
func (h *Host) send(ctx context.Context, c *conn, req []any) (wire.Fields, error) {
	it, err := cborItem(req)
	if err != nil {
		return wire.Fields{}, err
	}
	ans, err := c.roundTrip(ctx, it, h.opts.CallTimeout)
	if err != nil {
		return wire.Fields{}, err
	}
	return parseAnswer(ans)
}

// parseAnswer reads a CBOR answer: [error or nil, results…]. A plugin's
// error is returned as it said it; an answer that does not parse is
// garbage, and says so.
func parseAnswer(ans []byte) (wire.Fields, error) {
	// The answer is a slice of a wire.Reader's buffer, which is not
	// reused: its payloads can alias it instead of being copied.
	v, err := cbor.UnmarshalAliasing(ans)
	if err != nil {
		return wire.Fields{}, garbage(err)
	}
	f := wire.NewFields(v, 1, "answer")
	if msg := f.OptStr(0); f.Err() != nil {
		return wire.Fields{}, garbage(f.Err())
	} else if msg != "" {
		return wire.Fields{}, errors.New(msg)
	}
	return wire.NewFields(v.([]any)[1:], 0, "answer"), nil
}

// garbage wraps the error of an answer of the wrong shape.
func garbage(err error) error {
	return fmt.Errorf("the plugin answered garbage: %w", err)
}
