package json

import (
	"bytes"
	"encoding/base64"
	stdjson "encoding/json"
	"testing"

	"github.com/autobahn-go/autobahn/serializers/internal/serialtest"
)

// The benchmarks compare this package with ugorji/go/codec (JsonHandle) and
// encoding/json producing and reading the same wire format, so that the
// ratios can be read from one run:
//
//	go test -run XXX -bench . -benchmem ./serializers/json/
//
// Each engine gets its best usual setup: ugorji reuses one Encoder and one
// Decoder (ResetBytes), encoding/json uses UseNumber so that integers stay
// exact. Neither knows the binary convention, so each gets what a WAMP
// implementation built on it would need: ugorji writes []byte through a
// RawBytesExt and decodes through a pass that turns "\x00…" strings into
// []byte (see serialtest.Ugorji), encoding/json writes after a pass that
// turns []byte into strings and decodes through fromStd. Every encoding
// starts from a nil buffer, as core.Serializer.Serialize does.

// bench is the benchmark set: our codec, ugorji and encoding/json on the
// typical messages.
func bench() serialtest.Bench {
	return serialtest.Bench{
		Engines: []serialtest.Engine{
			serialtest.Ours(Object),
			serialtest.Ugorji(serialtest.UgorjiJSON()),
			{
				Name:    "stdlib",
				Marshal: func(_ []byte, v any) ([]byte, error) { return stdjson.Marshal(toStd(v)) },
				Unmarshal: func(data []byte) (any, error) {
					d := stdjson.NewDecoder(bytes.NewReader(data))
					d.UseNumber()
					var v any
					if err := d.Decode(&v); err != nil {
						return nil, err
					}
					return fromStd(v)
				},
			},
		},
		Values:      serialtest.Messages(),
		FreshBuffer: true,
	}
}

// toStd returns v with every []byte replaced by its binary-convention string.
func toStd(v any) any {
	switch v := v.(type) {
	case []byte:
		return "\x00" + base64.StdEncoding.EncodeToString(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = toStd(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = toStd(e)
		}
		return out
	default:
		return v
	}
}

func BenchmarkSerialize(b *testing.B) { bench().Marshal(b) }

func BenchmarkUnserialize(b *testing.B) { bench().Unmarshal(b) }

// BenchmarkRoundTrip is an encoding and a decoding per operation: the figure
// the speed target compares.
func BenchmarkRoundTrip(b *testing.B) { bench().RoundTrip(b) }

// TestEnginesAgree makes sure the benchmarks compare the same work: every
// engine decodes its own encoding, and ours, to the original values, and
// ours decodes theirs.
func TestEnginesAgree(t *testing.T) {
	bn := bench()
	serialtest.CheckEngines(t, bn.Engines, bn.Values)
}
