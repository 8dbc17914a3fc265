package cryptobox_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	stdjson "encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/payloadcodec/cryptobox"
	"github.com/autobahn-go/autobahn/serializers/json"
)

// vector is one entry of testdata/vectors.json, written by Autobahn|Python
// 22.7.1 (testdata/gen_vectors.py) with a fixed nonce.
type vector struct {
	Label         string              `json:"label"`
	Encoder       []cryptobox.KeySpec `json:"encoder"`
	Decoder       []cryptobox.KeySpec `json:"decoder"`
	Originating   bool                `json:"originating"`
	URI           string              `json:"uri"`
	Args          stdjson.RawMessage  `json:"args"`
	Kwargs        stdjson.RawMessage  `json:"kwargs"`
	Nonce         string              `json:"nonce"`
	EncAlgo       string              `json:"enc_algo"`
	EncSerializer string              `json:"enc_serializer"`
	Payload       string              `json:"payload"`
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	data, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := stdjson.Unmarshal(data, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) == 0 {
		t.Fatal("no vectors")
	}
	return vs
}

// value decodes a vector's JSON value into core's representation, with
// {"$bytes": hex} as []byte.
func value(t *testing.T, raw stdjson.RawMessage) any {
	t.Helper()
	v, err := json.Unmarshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	return unhex(t, v)
}

func unhex(t *testing.T, v any) any {
	switch v := v.(type) {
	case map[string]any:
		if h, ok := v["$bytes"].(string); ok && len(v) == 1 {
			b, err := hex.DecodeString(h)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		for k, x := range v {
			v[k] = unhex(t, x)
		}
	case []any:
		for i, x := range v {
			v[i] = unhex(t, x)
		}
	}
	return v
}

// TestKnownAnswer checks that Go decodes what Autobahn|Python sealed, and
// that with the same nonce Go seals the very same bytes.
func TestKnownAnswer(t *testing.T) {
	ctx := context.Background()
	for _, v := range loadVectors(t) {
		t.Run(v.Label, func(t *testing.T) {
			args, _ := value(t, v.Args).([]any)
			kwargs, _ := value(t, v.Kwargs).(map[string]any)
			payload, err := base64.StdEncoding.DecodeString(v.Payload)
			if err != nil {
				t.Fatal(err)
			}
			dec, err := cryptobox.NewKeyRingFrom(v.Decoder...)
			if err != nil {
				t.Fatal(err)
			}
			uri, gotArgs, gotKwargs, err := dec.Decode(ctx, !v.Originating, v.URI,
				&core.EncodedPayload{Payload: payload, Algo: v.EncAlgo, Serializer: v.EncSerializer})
			if err != nil {
				t.Fatalf("decoding Autobahn's payload: %v", err)
			}
			if uri != v.URI || !reflect.DeepEqual(gotArgs, args) || !reflect.DeepEqual(gotKwargs, kwargs) {
				t.Errorf("decoded (%q, %#v, %#v), want (%q, %#v, %#v)", uri, gotArgs, gotKwargs, v.URI, args, kwargs)
			}

			enc, err := cryptobox.NewKeyRingFrom(v.Encoder...)
			if err != nil {
				t.Fatal(err)
			}
			nonce, _ := hex.DecodeString(v.Nonce)
			cryptobox.SetRand(enc, bytes.NewReader(nonce))
			p, err := enc.Encode(ctx, v.Originating, v.URI, args, kwargs)
			if err != nil {
				t.Fatal(err)
			}
			if p.Algo != v.EncAlgo || p.Serializer != v.EncSerializer {
				t.Errorf("encoded as %s/%s, Autobahn as %s/%s", p.Algo, p.Serializer, v.EncAlgo, v.EncSerializer)
			}
			if !bytes.Equal(p.Payload, payload) {
				t.Errorf("sealed bytes differ from Autobahn's:\n got %x\nwant %x", p.Payload, payload)
			}
		})
	}
}
