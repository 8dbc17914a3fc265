// Package xortest is the payload codec of the tests and benchmarks of
// package plugin: the payload is the CBOR of [uri, args, kwargs], xored
// with a one-byte key. The same code runs in process (the benchmarks'
// baseline) and in the test plugin, so that the difference is the plugin.
package xortest

import (
	"context"
	"errors"
	"fmt"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/serializers/cbor"
)

// New makes the codec; config may set "key" (one character, default "Z").
func New(config map[string]any) (core.PayloadCodec, error) {
	c := codec{key: 'Z'}
	for k, v := range config {
		switch k {
		case "key":
			s, ok := v.(string)
			if !ok || len(s) != 1 {
				return nil, fmt.Errorf("xor: key: want one character, got %v", v)
			}
			c.key = s[0]
		default:
			return nil, fmt.Errorf("xor: unknown config key %q", k)
		}
	}
	return c, nil
}

type codec struct{ key byte }

// Hook, when set, runs before Encode and Decode with the first argument
// (the test plugin crashes, hangs or panics there).
var Hook func(arg any)

func (c codec) Encode(_ context.Context, _ bool, uri string, args []any, kwargs map[string]any) (*core.EncodedPayload, error) {
	if Hook != nil && len(args) > 0 {
		Hook(args[0])
	}
	b, err := cbor.Object.Marshal(nil, []any{uri, args, kwargs})
	if err != nil {
		return nil, err
	}
	for i := range b {
		b[i] ^= c.key
	}
	return &core.EncodedPayload{Payload: b, Algo: "xor", Serializer: "cbor"}, nil
}

func (c codec) Decode(_ context.Context, _ bool, _ string, p *core.EncodedPayload) (string, []any, map[string]any, error) {
	b := make([]byte, len(p.Payload))
	for i, x := range p.Payload {
		b[i] = x ^ c.key
	}
	v, err := cbor.Object.Unmarshal(b)
	if err != nil {
		return "", nil, nil, fmt.Errorf("xor: %w", err)
	}
	l, ok := v.([]any)
	if !ok || len(l) != 3 {
		return "", nil, nil, errors.New("xor: not [uri, args, kwargs]")
	}
	uri, _ := l[0].(string)
	args, _ := l[1].([]any)
	kwargs, _ := l[2].(map[string]any)
	if Hook != nil && len(args) > 0 {
		Hook(args[0])
	}
	return uri, args, kwargs, nil
}
