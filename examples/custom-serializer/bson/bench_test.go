package bson

import (
	"testing"

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

// BenchmarkMessage is one Serialize and one Unserialize of a CALL and of an
// EVENT per operation, as message/serializer.
func BenchmarkMessage(b *testing.B) {
	call := &core.Call{Request: 7814135, Procedure: "com.myapp.add2", Args: []any{int64(23), int64(7)},
		Kwargs: map[string]any{"mode": "fast", "verbose": true}}
	event := &core.Event{Subscription: 5512315355, Publication: 4429313566, Args: []any{serializertest.Event()[4].([]any)[0]}}
	for _, m := range []struct {
		name string
		msg  core.Message
	}{{"call", call}, {"event", event}} {
		for _, s := range []core.Serializer{Serializer, msgpack.Serializer} {
			b.Run(m.name+"/"+s.Name(), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					data, err := s.Serialize(m.msg)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := s.Unserialize(data); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
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
