package main

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/autobahn-go/autobahn/core"
)

func TestCodecRoundTrip(t *testing.T) {
	ctx := context.Background()
	args := []any{strings.Repeat("autobahn ", 200), int64(7), []byte{1, 2}}
	kwargs := map[string]any{"k": true}
	for _, config := range []map[string]any{nil, {"level": "best"}, {"level": int64(1)}} {
		c, err := newCodec(settings{level: "default"}, config)
		if err != nil {
			t.Fatal(err)
		}
		enc, err := c.Encode(ctx, true, "com.example.big", args, kwargs)
		if err != nil {
			t.Fatal(err)
		}
		if len(enc.Payload) > 200 {
			t.Errorf("%v: %d bytes: not compressed", config, len(enc.Payload))
		}
		uri, a, kw, err := c.Decode(ctx, true, "com.example.big", enc)
		if err != nil || uri != "com.example.big" || !reflect.DeepEqual(a, args) || !reflect.DeepEqual(kw, kwargs) {
			t.Errorf("%v: %v %v %v %v", config, uri, a, kw, err)
		}
	}
}

func TestCodecRefusesBadInput(t *testing.T) {
	for config, want := range map[string]map[string]any{
		`unknown config key "speed"`: {"speed": "1"},
		`level "warp"`:               {"level": "warp"},
		"dict":                       {"dict": "/nonexistent/dict"},
	} {
		if _, err := newCodec(settings{}, want); err == nil || !strings.Contains(err.Error(), config) {
			t.Errorf("%v: %v", want, err)
		}
	}
	c, _ := newCodec(settings{}, nil)
	_, _, _, err := c.Decode(context.Background(), true, "u", &core.EncodedPayload{Payload: bytes.Repeat([]byte{7}, 20), Algo: "zstd", Serializer: "cbor"})
	if err == nil {
		t.Error("garbage decoded")
	}
}
