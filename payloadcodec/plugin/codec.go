package plugin

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync/atomic"

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
	// last are the strings of the last payload encoded.
	last atomic.Pointer[names]
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

// Encode encodes the payload in the plugin. The request and the answer
// are coded by hand (see package internal/wire), but for args and kwargs.
func (rc *remoteCodec) Encode(ctx context.Context, originating bool, uri string, args []any, kwargs map[string]any) (*core.EncodedPayload, error) {
	it := wire.NewItem()
	b := append(it.B, wire.OpEncode)
	b = binary.AppendUvarint(b, rc.id)
	b = wire.AppendBool(b, originating)
	b = wire.AppendString(b, uri)
	b, err := wire.AppendValue(b, args)
	if err == nil {
		b, err = wire.AppendValue(b, kwargs)
	}
	if err != nil {
		wire.FreeItem(it)
		return nil, fmt.Errorf("plugin %s: %s: the request does not encode: %w", rc.h.name, rc.encodeWhat, err)
	}
	it.B = b
	ans, err := rc.h.callRaw(ctx, rc.encodeWhat, rc, it)
	if err != nil {
		return nil, err
	}
	cur := wire.NewCursor(ans)
	switch cur.Byte() {
	case wire.AnsError:
		msg := cur.Str()
		if cur.Err() == nil {
			return nil, fmt.Errorf("plugin %s: %s: %s", rc.h.name, rc.encodeWhat, msg)
		}
	case wire.AnsClear:
		cur.End()
		if cur.Err() == nil {
			return nil, nil // sent in the clear
		}
	case wire.AnsPayload:
		// The strings are mostly those of the last answer: reused.
		last := rc.last.Load()
		if last == nil {
			last = &names{}
		}
		p := &core.EncodedPayload{Payload: cur.Bytes(), Algo: cur.StrLike(last.algo), Serializer: cur.StrLike(last.serializer),
			Cipher: cur.StrLike(last.cipher), Key: cur.StrLike(last.key)}
		cur.End()
		if cur.Err() == nil {
			if p.Algo != last.algo || p.Serializer != last.serializer || p.Cipher != last.cipher || p.Key != last.key {
				rc.last.Store(&names{p.Algo, p.Serializer, p.Cipher, p.Key})
			}
			return p, nil
		}
	default:
		if cur.Err() == nil {
			return nil, fmt.Errorf("plugin %s: %s: %w", rc.h.name, rc.encodeWhat, garbage(fmt.Errorf("unknown status %d", ans[0])))
		}
	}
	return nil, fmt.Errorf("plugin %s: %s: %w", rc.h.name, rc.encodeWhat, garbage(cur.Err()))
}

// names are the strings of an encoded payload.
type names struct{ algo, serializer, cipher, key string }

// Decode decodes the payload in the plugin. The request and the answer
// are coded by hand (see package internal/wire), but for args and kwargs.
func (rc *remoteCodec) Decode(ctx context.Context, originating bool, uri string, p *core.EncodedPayload) (string, []any, map[string]any, error) {
	it := wire.NewItem()
	b := append(it.B, wire.OpDecode)
	b = binary.AppendUvarint(b, rc.id)
	b = wire.AppendBool(b, originating)
	b = wire.AppendString(b, uri)
	b = wire.AppendBytes(b, p.Payload)
	b = wire.AppendString(b, p.Algo)
	b = wire.AppendString(b, p.Serializer)
	b = wire.AppendString(b, p.Cipher)
	it.B = wire.AppendString(b, p.Key)
	ans, err := rc.h.callRaw(ctx, rc.decodeWhat, rc, it)
	if err != nil {
		return "", nil, nil, err
	}
	cur := wire.NewCursor(ans)
	switch cur.Byte() {
	case wire.AnsError:
		msg := cur.Str()
		if cur.Err() == nil {
			return "", nil, nil, fmt.Errorf("plugin %s: %s: %s", rc.h.name, rc.decodeWhat, msg)
		}
	case wire.AnsPayload:
		// The answer is a slice of a wire.Reader's buffer, which is not
		// reused: its payloads alias it instead of being copied.
		inner, args, kwargs := cur.StrLike(uri), cur.List(), cur.Map()
		cur.End()
		if cur.Err() == nil {
			return inner, args, kwargs, nil
		}
	default:
		if cur.Err() == nil {
			return "", nil, nil, fmt.Errorf("plugin %s: %s: %w", rc.h.name, rc.decodeWhat, garbage(fmt.Errorf("unknown status %d", ans[0])))
		}
	}
	return "", nil, nil, fmt.Errorf("plugin %s: %s: %w", rc.h.name, rc.decodeWhat, garbage(cur.Err()))
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
