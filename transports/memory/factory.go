package memory

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/optmap"
	"github.com/autobahn-go/autobahn/registry"
)

// Scheme is the URL scheme of in-memory transports: memory://name.
const Scheme = "memory"

func init() { registry.RegisterTransport(Scheme, &Factory{}) }

// Schemes are the URL schemes the factory serves: memory.
func (f *Factory) Schemes() []string { return []string{Scheme} }

// Factory dials and listens at memory://name URLs inside one process: Listen
// names an endpoint, and Dial connects to it. The zero value is ready to use;
// importing the package registers one with the default registry. Each
// Factory has its own names.
//
// The options ([core.TransportConfig.Options]) are [Options] or *Options; a
// dialer's Serializer (or else the first of cfg.Serializers) is used by both
// sides, and must be one the listener accepts when the listener names any.
type Factory struct {
	mu        sync.Mutex
	listeners map[string]*Listener
}

var _ core.TransportFactory = (*Factory)(nil)

// Listener is a named in-memory endpoint; it implements [core.Listener].
type Listener struct {
	f      *Factory
	name   string
	accept core.Acceptor
	cfg    *config
	sers   []core.Serializer
}

// Addr is the listener's name as a net.Addr (network "memory").
func (l *Listener) Addr() net.Addr { return addr(l.name) }

// Close removes the name; established transports are not affected.
func (l *Listener) Close() error {
	l.f.mu.Lock()
	defer l.f.mu.Unlock()
	if l.f.listeners[l.name] == l {
		delete(l.f.listeners, l.name)
	}
	return nil
}

type addr string

func (a addr) Network() string { return Scheme }
func (a addr) String() string  { return string(a) }

func endpointName(u *url.URL) (string, error) {
	if u == nil {
		return "", errors.New("memory: nil URL")
	}
	if u.Scheme != Scheme {
		return "", fmt.Errorf("memory: URL %s: scheme %q is not %s", u.Redacted(), u.Scheme, Scheme)
	}
	name := u.Host + u.Path
	if name == "" {
		name = u.Opaque
	}
	if name == "" {
		return "", fmt.Errorf("memory: URL %s names no endpoint (want memory://name)", u.Redacted())
	}
	return name, nil
}

func optionsFrom(v any) (Options, error) {
	o, ok, _ := optmap.Decode[Options](v, nil)
	if !ok {
		return Options{}, fmt.Errorf("memory: unsupported options type %T (want memory.Options)", v)
	}
	return o, nil
}

// Listen names an endpoint; dialers of the same URL are handed to accept.
func (f *Factory) Listen(ctx context.Context, u *url.URL, cfg core.TransportConfig, accept core.Acceptor) (core.Listener, error) {
	name, err := endpointName(u)
	if err != nil {
		return nil, err
	}
	if accept == nil {
		return nil, fmt.Errorf("memory: listen %s: nil acceptor", u)
	}
	opts, err := optionsFrom(cfg.Options)
	if err != nil {
		return nil, err
	}
	lcfg, err := configFrom(opts)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, taken := f.listeners[name]; taken {
		return nil, fmt.Errorf("memory: listen %s: the name is taken", u)
	}
	if f.listeners == nil {
		f.listeners = make(map[string]*Listener)
	}
	l := &Listener{f: f, name: name, accept: accept, cfg: lcfg, sers: cfg.Serializers}
	f.listeners[name] = l
	return l, nil
}

// Dial connects to the listener named by u and runs h over the new
// transport; the listener's acceptor has run, and OnOpen on both sides,
// when Dial returns.
func (f *Factory) Dial(ctx context.Context, u *url.URL, cfg core.TransportConfig, h core.TransportHandler) (core.Transport, error) {
	name, err := endpointName(u)
	if err != nil {
		return nil, err
	}
	opts, err := optionsFrom(cfg.Options)
	if err != nil {
		return nil, err
	}
	if opts.Serializer == nil && len(cfg.Serializers) > 0 {
		opts.Serializer = cfg.Serializers[0]
	}
	f.mu.Lock()
	l := f.listeners[name]
	f.mu.Unlock()
	if l == nil {
		return nil, fmt.Errorf("memory: dial %s: no listener of that name", u)
	}
	if !l.accepts(opts.Serializer) {
		return nil, fmt.Errorf("memory: dial %s: the listener does not accept serializer %s", u, opts.Serializer.Name())
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memory: dial %s: %w", u, err)
	}
	ccfg, err := configFrom(opts)
	if err != nil {
		return nil, fmt.Errorf("memory: dial %s: %w", u, err)
	}
	t, err := connect(l.accept, h, ccfg, l.cfg)
	if err != nil {
		return nil, fmt.Errorf("memory: dial %s: %w", u, err)
	}
	return t, nil
}

func (l *Listener) accepts(s core.Serializer) bool {
	if s == nil || len(l.sers) == 0 {
		return true
	}
	for _, ls := range l.sers {
		if ls == s || ls.Name() == s.Name() {
			return true
		}
	}
	return false
}
