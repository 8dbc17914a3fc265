package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/klauspost/compress/zstd"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/serializers/cbor"
)

// settings are the codec's options: the flags' values, overridden by a
// session's config.
type settings struct {
	level string
	dict  string // path
}

// maxDecoded bounds what one payload may decompress to, so that a small
// hostile payload cannot take the plugin's memory.
const maxDecoded = 64 << 20

// codec compresses payloads with Zstandard. The encoder and decoder are
// safe for concurrent use (EncodeAll, DecodeAll).
type codec struct {
	enc *zstd.Encoder
	dec *zstd.Decoder
}

// newCodec makes a codec from defaults and config ("level", "dict");
// unknown keys are refused by name.
func newCodec(s settings, config map[string]any) (*codec, error) {
	for k, v := range config {
		var str string
		switch v := v.(type) {
		case string:
			str = v
		case int64:
			str = strconv.FormatInt(v, 10)
		default:
			return nil, fmt.Errorf("zstd: config %q: want a string, got %T", k, v)
		}
		switch k {
		case "level":
			s.level = str
		case "dict":
			s.dict = str
		default:
			return nil, fmt.Errorf("zstd: unknown config key %q (level, dict)", k)
		}
	}
	level, err := parseLevel(s.level)
	if err != nil {
		return nil, err
	}
	encOpts := []zstd.EOption{zstd.WithEncoderLevel(level), zstd.WithEncoderConcurrency(1)}
	decOpts := []zstd.DOption{zstd.WithDecoderMaxMemory(maxDecoded), zstd.WithDecoderConcurrency(0)}
	if s.dict != "" {
		d, err := os.ReadFile(s.dict)
		if err != nil {
			return nil, fmt.Errorf("zstd: dict: %w", err)
		}
		encOpts = append(encOpts, zstd.WithEncoderDict(d))
		decOpts = append(decOpts, zstd.WithDecoderDicts(d))
	}
	enc, err := zstd.NewWriter(nil, encOpts...)
	if err != nil {
		return nil, fmt.Errorf("zstd: %w", err)
	}
	dec, err := zstd.NewReader(nil, decOpts...)
	if err != nil {
		return nil, fmt.Errorf("zstd: %w", err)
	}
	return &codec{enc: enc, dec: dec}, nil
}

func parseLevel(s string) (zstd.EncoderLevel, error) {
	if n, err := strconv.Atoi(s); err == nil && n >= int(zstd.SpeedFastest) && n <= int(zstd.SpeedBestCompression) {
		return zstd.EncoderLevel(n), nil
	}
	switch s {
	case "fastest":
		return zstd.SpeedFastest, nil
	case "default", "":
		return zstd.SpeedDefault, nil
	case "better":
		return zstd.SpeedBetterCompression, nil
	case "best":
		return zstd.SpeedBestCompression, nil
	}
	return 0, fmt.Errorf("zstd: level %q: want fastest, default, better, best or 1..4", s)
}

// Encode compresses [uri, args, kwargs].
func (c *codec) Encode(_ context.Context, _ bool, uri string, args []any, kwargs map[string]any) (*core.EncodedPayload, error) {
	plain, err := cbor.Object.Marshal(nil, []any{uri, args, kwargs})
	if err != nil {
		return nil, fmt.Errorf("zstd: %w", err)
	}
	return &core.EncodedPayload{Payload: c.enc.EncodeAll(plain, nil), Algo: "zstd", Serializer: "cbor"}, nil
}

// Decode decompresses a payload of Encode.
func (c *codec) Decode(_ context.Context, _ bool, _ string, p *core.EncodedPayload) (string, []any, map[string]any, error) {
	if p.Algo != "zstd" || p.Serializer != "cbor" {
		return "", nil, nil, fmt.Errorf("zstd: cannot decode a payload of %s/%s", p.Algo, p.Serializer)
	}
	plain, err := c.dec.DecodeAll(p.Payload, nil)
	if err != nil {
		return "", nil, nil, fmt.Errorf("zstd: %w", err)
	}
	v, err := cbor.Object.Unmarshal(plain)
	if err != nil {
		return "", nil, nil, fmt.Errorf("zstd: %w", err)
	}
	l, ok := v.([]any)
	if !ok || len(l) != 3 {
		return "", nil, nil, errors.New("zstd: the payload is not [uri, args, kwargs]")
	}
	uri, ok1 := l[0].(string)
	args, ok2 := l[1].([]any)
	kwargs, ok3 := l[2].(map[string]any)
	if !ok1 || (!ok2 && l[1] != nil) || (!ok3 && l[2] != nil) {
		return "", nil, nil, errors.New("zstd: the payload is not [uri, args, kwargs]")
	}
	return uri, args, kwargs, nil
}
