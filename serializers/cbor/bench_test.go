package cbor

import (
	"testing"

	"github.com/autobahn-go/autobahn/serializers/internal/serialtest"
)

// The benchmarks compare this package with github.com/ugorji/go/codec (the
// issue's yardstick: encode+decode at most 2/3 of its time; set up as in
// serialtest.UgorjiCBOR) and with the generic Marshal and Unmarshal of
// github.com/fxamacker/cbor/v2 (set up as in the differential tests), on the
// same messages in the same run:
//
//	go test -run '^$' -bench . -benchmem ./serializers/cbor/
//
// Encoders reuse their output buffer where they can. The message-level
// comparison, through core.Serializer, is in ../bench_test.go.
func bench() serialtest.Bench {
	return serialtest.Bench{
		Engines: []serialtest.Engine{
			serialtest.Ours(Object),
			serialtest.Ugorji(serialtest.UgorjiCBOR()),
			{
				Name:    "fxamacker",
				Marshal: func(_ []byte, v any) ([]byte, error) { return libEncMode.Marshal(v) },
				Unmarshal: func(data []byte) (any, error) {
					var v any
					err := libDecMode.Unmarshal(data, &v)
					return v, err
				},
			},
		},
		Values: serialtest.Messages(),
	}
}

func BenchmarkMarshal(b *testing.B) { bench().Marshal(b) }

func BenchmarkUnmarshal(b *testing.B) { bench().Unmarshal(b) }

// BenchmarkRoundTrip is encode+decode of one message, the figure of the
// issue's target.
func BenchmarkRoundTrip(b *testing.B) { bench().RoundTrip(b) }
