package bson

import (
	"slices"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/serializers/msgpack"
	"github.com/autobahn-go/autobahn/serializers/serializertest"
)

// The benchmarks compare BSON with the MessagePack serializer of this
// module, on the typical CALL and EVENT of serializertest, in the same run:
//
//	go test -run '^$' -bench . -benchmem ./examples/custom-serializer/bson/
//
// BenchmarkMarshal, BenchmarkUnmarshal and BenchmarkRoundTrip work on the
// list form (the ObjectSerializer); BenchmarkMessage goes through
// core.Serializer's Serialize and Unserialize, the path a peer runs.
func bench() serializertest.Bench {
	return serializertest.Bench{
		Engines: []serializertest.Engine{
			{Name: "bson", Marshal: New().Marshal, Unmarshal: New().Unmarshal},
			{Name: "msgpack", Marshal: msgpack.Object.Marshal, Unmarshal: msgpack.Object.Unmarshal},
		},
		Values: serializertest.Messages(),
	}
}

func BenchmarkMarshal(b *testing.B) { bench().Marshal(b) }

func BenchmarkUnmarshal(b *testing.B) { bench().Unmarshal(b) }

func BenchmarkRoundTrip(b *testing.B) { bench().RoundTrip(b) }

type message struct {
	name string
	msg  core.Message
}

// messages are the typical CALL and EVENT (1 KiB of bytes) of serialtest.
func messages() []message {
	return []message{
		{"call", &core.Call{Request: 7814135, Procedure: "com.myapp.add2", Args: []any{int64(23), int64(7)},
			Kwargs: map[string]any{"mode": "fast", "verbose": true}}},
		{"event", &core.Event{Subscription: 5512315355, Publication: 4429313566, Args: []any{serializertest.Event()[4].([]any)[0]}}},
	}
}

// roundTrip is one Serialize and one Unserialize of msg.
func roundTrip(s core.Serializer, msg core.Message) error {
	data, err := s.Serialize(msg)
	if err != nil {
		return err
	}
	_, err = s.Unserialize(data)
	return err
}

// BenchmarkMessage is one Serialize and one Unserialize of a CALL and of an
// EVENT per operation, as message/serializer.
func BenchmarkMessage(b *testing.B) {
	for _, m := range messages() {
		for _, s := range []core.Serializer{Serializer, msgpack.Serializer} {
			b.Run(m.name+"/"+s.Name(), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := roundTrip(s, m.msg); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkMessageRatio gives the ratio of BSON's time to MessagePack's on a
// busy machine, where separate benchmark runs see different loads: each
// iteration times a block of round trips with BSON, then the same with
// MessagePack, and the benchmark reports the median of the ratios
// ("bson/msgpack") with the mean time per round trip of each.
func BenchmarkMessageRatio(b *testing.B) {
	const block = 1000
	for _, m := range messages() {
		b.Run(m.name, func(b *testing.B) {
			var ratios []float64
			var total [2]time.Duration
			for b.Loop() {
				var took [2]time.Duration
				for i, s := range []core.Serializer{Serializer, msgpack.Serializer} {
					start := time.Now()
					for range block {
						if err := roundTrip(s, m.msg); err != nil {
							b.Fatal(err)
						}
					}
					took[i] = time.Since(start)
					total[i] += took[i]
				}
				ratios = append(ratios, float64(took[0])/float64(took[1]))
			}
			slices.Sort(ratios)
			b.ReportMetric(ratios[len(ratios)/2], "bson/msgpack")
			b.ReportMetric(float64(total[0])/float64(b.N*block), "bson-ns/round")
			b.ReportMetric(float64(total[1])/float64(b.N*block), "msgpack-ns/round")
		})
	}
}

// TestBenchmarksAgree makes sure the benchmarks compare the same work: each
// engine decodes its own encoding of each message to the original.
func TestBenchmarksAgree(t *testing.T) {
	bn := bench()
	for _, e := range bn.Engines {
		for _, nv := range bn.Values {
			data, err := e.Marshal(nil, nv.Value)
			if err != nil {
				t.Fatal(err)
			}
			v, err := e.Unmarshal(data)
			if err != nil || !serializertest.Same(v, nv.Value) {
				t.Errorf("%s/%s: %s, %v", e.Name, nv.Name, serializertest.Show(v), err)
			}
		}
	}
}
