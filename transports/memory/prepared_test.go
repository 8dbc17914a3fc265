package memory_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/serializers/cbor"
	"github.com/autobahn-go/autobahn/serializers/json"
	"github.com/autobahn-go/autobahn/serializers/msgpack"
	"github.com/autobahn-go/autobahn/serializers/ubjson"
	"github.com/autobahn-go/autobahn/transports/memory"
)

// countingSerializer counts the messages it serializes.
type countingSerializer struct {
	core.Serializer
	n atomic.Int64
}

func (s *countingSerializer) Serialize(m core.Message) ([]byte, error) {
	s.n.Add(1)
	return s.Serializer.Serialize(m)
}

// sink counts the EVENTs it receives.
type sink struct {
	got  *sync.WaitGroup
	want uint64
}

func (s sink) OnOpen(core.Transport) {}
func (s sink) OnMessage(m core.Message) {
	if e, ok := m.(*core.Event); ok && e.Publication == s.want {
		s.got.Done()
	}
}
func (s sink) OnClose(error) {}

type nop struct{}

func (nop) OnOpen(core.Transport)  {}
func (nop) OnMessage(core.Message) {}
func (nop) OnClose(error)          {}

// TestPreparedOneEncodingPerSerializer sends one prepared EVENT to 1,000
// transports that use four serializers: each serializer encodes it once.
func TestPreparedOneEncodingPerSerializer(t *testing.T) {
	sers := []*countingSerializer{{Serializer: json.Serializer}, {Serializer: msgpack.Serializer}, {Serializer: cbor.Serializer}, {Serializer: ubjson.Serializer}}
	var got sync.WaitGroup
	const n = 1000
	senders := make([]*memory.Transport, n)
	for i := range n {
		ser := sers[i%len(sers)]
		a, _, err := memory.Pair(nop{}, sink{got: &got, want: 7}, memory.Options{Serializer: ser})
		if err != nil {
			t.Fatal(err)
		}
		senders[i] = a
	}
	for _, s := range sers {
		s.n.Store(0)
	}
	got.Add(n)
	ev := core.Prepare(&core.Event{Subscription: 3, Publication: 7, Args: []any{"hello", int64(42), []byte{1, 2, 3}}})
	for _, s := range senders {
		if err := s.TrySend(ev); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan struct{})
	go func() { got.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("not every subscriber got the event")
	}
	for _, s := range sers {
		if c := s.n.Load(); c != 1 {
			t.Errorf("serializer %s encoded the event %d times, want once", s.Name(), c)
		}
	}
	for _, s := range senders {
		s.Close(context.Background())
	}
}

// BenchmarkFanout sends one EVENT to 1,000 in-memory transports (JSON
// serialized), prepared once or serialized for each; the ratio is what
// prepared messages save a broker. It times the sends (what the broker's
// reader pays); the deliveries are waited for outside the timer.
func BenchmarkFanout(b *testing.B) {
	const n = 1000
	var got sync.WaitGroup
	senders := make([]*memory.Transport, n)
	for i := range n {
		a, _, err := memory.Pair(nop{}, sink{got: &got, want: 7}, memory.Options{Serializer: json.Serializer})
		if err != nil {
			b.Fatal(err)
		}
		senders[i] = a
	}
	defer func() {
		for _, s := range senders {
			s.Close(context.Background())
		}
	}()
	ev := &core.Event{Subscription: 3, Publication: 7, Args: []any{"a payload of some size", int64(42), map[string]any{"k": "v", "n": 1.5}}, Kwargs: map[string]any{"x": []any{1, 2, 3}}}
	run := func(b *testing.B, prepare bool) {
		for b.Loop() {
			got.Add(n)
			var m core.Message = ev
			if prepare {
				m = core.Prepare(ev)
			}
			for _, s := range senders {
				if err := s.TrySend(m); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			got.Wait()
			b.StartTimer()
		}
	}
	b.Run("plain", func(b *testing.B) { run(b, false) })
	b.Run("prepared", func(b *testing.B) { run(b, true) })
}
