package plugin

import (
	"context"
	"fmt"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/payloadcodec/plugin/internal/wire"
	"github.com/autobahn-go/autobahn/registry"
)

// codecFactory is the registry factory of one codec of the plugin: it
// opens a codec with config in the plugin, so that a configuration error
// shows at once, and returns a codec that sends every payload there.
func (h *Host) codecFactory(algo string) registry.PayloadCodecFactory {
	return func(config map[string]any) (core.PayloadCodec, error) {
		c := &remoteCodec{h: h, id: h.nextCodec.Add(1), algo: algo, config: config,
			encodeWhat: fmt.Sprintf("codec %q: encode", algo), decodeWhat: fmt.Sprintf("codec %q: decode", algo)}
		ctx, cancel := context.WithTimeout(context.Background(), h.opts.CallTimeout)
		defer cancel()
		conn, err := h.live(ctx)
		if err == nil {
			err = c.ensureOpen(ctx, conn)
		}
		if err != nil {
			return nil, fmt.Errorf("plugin %s: codec %q: %w", h.name, algo, err)
		}
		return c, nil
	}
}

// remoteCodec is a payload codec that runs in the plugin process. It is
// opened again, with the same config, in every new run of the process.
type remoteCodec struct {
	h      *Host
	id     uint64
	algo   string
	config map[string]any
	// encodeWhat and decodeWhat name the requests in errors.
	encodeWhat, decodeWhat string
}

var _ core.PayloadCodec = (*remoteCodec)(nil)

// ensureOpen opens the codec in the process of c, unless it was.
func (rc *remoteCodec) ensureOpen(ctx context.Context, c *conn) error {
	c.mu.Lock()
	done := c.opened[rc.id]
	c.mu.Unlock()
	if done {
		return nil
	}
	if _, err := rc.h.send(ctx, c, []any{int64(wire.OpOpen), rc.id, rc.algo, rc.config}); err != nil {
		return err
	}
	c.mu.Lock()
	c.opened[rc.id] = true
	c.mu.Unlock()
	return nil
}

// Encode encodes the payload in the plugin.
func (rc *remoteCodec) Encode(ctx context.Context, originating bool, uri string, args []any, kwargs map[string]any) (*core.EncodedPayload, error) {
	f, err := rc.h.call(ctx, rc.encodeWhat, rc, []any{int64(wire.OpEncode), rc.id, originating, uri, args, kwargs})
	if err != nil {
		return nil, err
	}
	if f.Any(0) == nil {
		return nil, nil // sent in the clear
	}
	p := &core.EncodedPayload{Payload: f.Bytes(0), Algo: f.Str(1), Serializer: f.Str(2), Cipher: f.Str(3), Key: f.Str(4)}
	if f.Err() != nil {
		return nil, fmt.Errorf("plugin %s: %s: %w", rc.h.name, rc.encodeWhat, garbage(f.Err()))
	}
	return p, nil
}

// Decode decodes the payload in the plugin.
func (rc *remoteCodec) Decode(ctx context.Context, originating bool, uri string, p *core.EncodedPayload) (string, []any, map[string]any, error) {
	f, err := rc.h.call(ctx, rc.decodeWhat, rc, []any{int64(wire.OpDecode), rc.id, originating, uri, p.Payload, p.Algo, p.Serializer, p.Cipher, p.Key})
	if err != nil {
		return "", nil, nil, err
	}
	inner, args, kwargs := f.Str(0), f.List(1), f.Map(2)
	if f.Err() != nil {
		return "", nil, nil, fmt.Errorf("plugin %s: %s: %w", rc.h.name, rc.decodeWhat, garbage(f.Err()))
	}
	return inner, args, kwargs, nil
}

// remoteSerializer is an object serializer that runs in the plugin
// process; core.NewSerializer makes message serializers of it. Every
// request is bounded by Options.CallTimeout.
type remoteSerializer struct {
	h     *Host
	index int
	info  serializerInfo
	// marshalWhat and unmarshalWhat name the requests in errors.
	marshalWhat, unmarshalWhat string
}

func newRemoteSerializer(h *Host, index int, info serializerInfo) *remoteSerializer {
	return &remoteSerializer{h: h, index: index, info: info,
		marshalWhat: fmt.Sprintf("serializer %q: marshal", info.Name), unmarshalWhat: fmt.Sprintf("serializer %q: unmarshal", info.Name)}
}

var _ core.ObjectSerializer = (*remoteSerializer)(nil)

func (s *remoteSerializer) Name() string      { return s.info.Name }
func (s *remoteSerializer) RawSocketID() byte { return s.info.RawSocketID }
func (s *remoteSerializer) Binary() bool      { return s.info.Binary }

// Marshal appends the plugin's encoding of v to dst.
func (s *remoteSerializer) Marshal(dst []byte, v any) ([]byte, error) {
	what := s.marshalWhat
	f, err := s.h.call(context.Background(), what, nil, []any{int64(wire.OpMarshal), int64(s.index), v})
	if err != nil {
		return dst, err
	}
	b := f.Bytes(0)
	if f.Err() != nil {
		return dst, fmt.Errorf("plugin %s: %s: %w", s.h.name, what, garbage(f.Err()))
	}
	return append(dst, b...), nil
}

// Unmarshal decodes data in the plugin.
func (s *remoteSerializer) Unmarshal(data []byte) (any, error) {
	what := s.unmarshalWhat
	f, err := s.h.call(context.Background(), what, nil, []any{int64(wire.OpUnmarshal), int64(s.index), data})
	if err != nil {
		return nil, err
	}
	return f.Any(0), nil
}
