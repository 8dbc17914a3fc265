package router

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/serializers/json"
	"github.com/autobahn-go/autobahn/transports/memory"
)

// autoCallee yields every INVOCATION from OnMessage.
type autoCallee struct {
	*testpeer.Recorder
	ready atomic.Bool
}

func (h *autoCallee) OnMessage(m core.Message) {
	if inv, ok := m.(*core.Invocation); ok && h.ready.Load() {
		h.Transport().(core.TrySender).TrySend(&core.Yield{Request: inv.Request, Args: inv.Args})
		return
	}
	h.Recorder.OnMessage(m)
}

// BenchmarkCall measures one caller's call round trips through the router
// with in-process sessions: the router's own cost per call (dealer, two
// enqueues, no network), with messages passed as values or through JSON.
func BenchmarkCall(b *testing.B) {
	for _, tc := range []struct {
		name string
		ser  core.Serializer
	}{{"passthrough", nil}, {"json", json.Serializer}} {
		b.Run(tc.name, func(b *testing.B) {
			r := newRouter(b, Options{})
			h := &autoCallee{Recorder: testpeer.NewRecorder()}
			tr, err := memory.Connect(r.Accept, h, memory.Options{Serializer: tc.ser})
			if err != nil {
				b.Fatal(err)
			}
			callee := &client{t: b, rec: h.Recorder, tr: tr}
			callee.hello("realm1")
			callee.register("com.example.echo", core.RegisterOptions{})
			h.ready.Store(true)
			caller := connect(b, r, tc.ser)
			caller.hello("realm1")
			ctx := context.Background()
			args := []any{"hello", int64(42)}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				caller.tr.Send(ctx, &core.Call{Request: uint64(i + 1), Procedure: "com.example.echo", Args: args})
				expect[*core.Result](caller)
			}
		})
	}
}

// fanoutCounter counts the events it receives and signals when it has n.
type fanoutCounter struct {
	*testpeer.Recorder
	counting atomic.Bool
	got      atomic.Int64
	want     int64
	done     chan struct{}
}

func (h *fanoutCounter) OnMessage(m core.Message) {
	if _, ok := m.(*core.Event); ok && h.counting.Load() {
		if h.got.Add(1) == h.want {
			close(h.done)
		}
		return
	}
	h.Recorder.OnMessage(m)
}

// BenchmarkFanout measures one publisher's events delivered to S in-process
// subscribers, serialized with JSON (so prepared messages count: one
// encoding per event), as deliveries per second; the publisher waits for an
// acknowledgement every 64 events.
func BenchmarkFanout(b *testing.B) {
	for _, subs := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("subscribers=%d", subs), func(b *testing.B) {
			r := newRouter(b, Options{})
			counters := make([]*fanoutCounter, subs)
			for i := range counters {
				h := &fanoutCounter{Recorder: testpeer.NewRecorder(), want: int64(b.N), done: make(chan struct{})}
				tr, err := memory.Connect(r.Accept, h, memory.Options{Serializer: json.Serializer})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { tr.Abort() })
				c := &client{t: b, rec: h.Recorder, tr: tr}
				c.hello("realm1")
				c.subscribe("com.example.fan", "")
				h.counting.Store(true)
				counters[i] = h
			}
			pub := connect(b, r, json.Serializer)
			pub.hello("realm1")
			payload := make([]byte, 64)
			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				ack := (i+1)%64 == 0 || i == b.N-1
				pub.send(&core.Publish{Request: uint64(i + 1), Topic: "com.example.fan", Args: []any{int64(i), payload},
					Options: core.PublishOptions{Acknowledge: &ack}})
				if ack {
					expect[*core.Published](pub)
				}
			}
			for _, h := range counters {
				select {
				case <-h.done:
				case <-time.After(time.Minute):
					b.Fatalf("a subscriber got %d of %d events", h.got.Load(), b.N)
				}
			}
			b.ReportMetric(float64(b.N*subs)/time.Since(start).Seconds(), "deliveries/s")
		})
	}
}
