package registry

import (
	"context"
	"fmt"
	"net/url"

	"github.com/autobahn-go/autobahn/core"
)

// Dial connects to the WAMP transport at rawURL (ws://, wss://, rs://, rss://,
// tcp://, unix://, … whichever schemes are registered) and runs h over it.
func (r *Registry) Dial(ctx context.Context, rawURL string, cfg core.TransportConfig, h core.TransportHandler) (core.Transport, error) {
	u, f, err := r.resolve(rawURL)
	if err != nil {
		return nil, err
	}
	t, err := f.Dial(ctx, u, cfg, h)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", rawURL, err)
	}
	return t, nil
}

// Listen accepts WAMP transports at rawURL and hands each to accept.
func (r *Registry) Listen(ctx context.Context, rawURL string, cfg core.TransportConfig, accept core.Acceptor) (core.Listener, error) {
	u, f, err := r.resolve(rawURL)
	if err != nil {
		return nil, err
	}
	l, err := f.Listen(ctx, u, cfg, accept)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", rawURL, err)
	}
	return l, nil
}

func (r *Registry) resolve(rawURL string) (*url.URL, core.TransportFactory, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, nil, fmt.Errorf("registry: bad transport URL %q: %w", rawURL, err)
	}
	if u.Scheme == "" {
		return nil, nil, fmt.Errorf("registry: transport URL %q has no scheme (registered: %s)", rawURL, listing(r.TransportSchemes()))
	}
	f, err := r.Transport(u.Scheme)
	if err != nil {
		return nil, nil, err
	}
	return u, f, nil
}

// RegisterSerializer registers s with the Default registry.
func RegisterSerializer(s core.Serializer) { Default.RegisterSerializer(s) }

// RegisterTransport registers f for scheme with the Default registry.
func RegisterTransport(scheme string, f core.TransportFactory) { Default.RegisterTransport(scheme, f) }

// RegisterPayloadCodec registers c for algo with the Default registry.
func RegisterPayloadCodec(algo string, c core.PayloadCodec) { Default.RegisterPayloadCodec(algo, c) }

// RegisterPayloadCodecFactory registers f for algo with the Default registry.
func RegisterPayloadCodecFactory(algo string, f PayloadCodecFactory) {
	Default.RegisterPayloadCodecFactory(algo, f)
}

// NewPayloadCodec makes the codec of algo with config from the Default
// registry.
func NewPayloadCodec(algo string, config map[string]any) (core.PayloadCodec, error) {
	return Default.NewPayloadCodec(algo, config)
}

// Dial dials rawURL through the Default registry.
func Dial(ctx context.Context, rawURL string, cfg core.TransportConfig, h core.TransportHandler) (core.Transport, error) {
	return Default.Dial(ctx, rawURL, cfg, h)
}

// Listen listens at rawURL through the Default registry.
func Listen(ctx context.Context, rawURL string, cfg core.TransportConfig, accept core.Acceptor) (core.Listener, error) {
	return Default.Listen(ctx, rawURL, cfg, accept)
}
