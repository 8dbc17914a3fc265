package websocket_test

import (
	"context"
	"testing"

	"github.com/autobahn-go/autobahn/core"
)

// wampEcho answers every CALL with a RESULT carrying its arguments.
type wampEcho struct{ t core.Transport }

func (e *wampEcho) OnOpen(t core.Transport) { e.t = t }
func (e *wampEcho) OnMessage(m core.Message) {
	if c, ok := m.(*core.Call); ok {
		e.t.Send(context.Background(), &core.Result{Request: c.Request, Args: c.Args, Kwargs: c.Kwargs})
	}
}
func (e *wampEcho) OnClose(error) {}

// BenchmarkWAMPCallRoundTrip measures a CALL / RESULT round trip over
// loopback WebSocket for every serializer.
func BenchmarkWAMPCallRoundTrip(b *testing.B) {
	for _, ser := range allSerializers(b) {
		b.Run(ser.Name(), func(b *testing.B) {
			l := wampListen(b, "ws://127.0.0.1:0", core.TransportConfig{}, func(core.Transport) core.TransportHandler { return &wampEcho{} })
			cli, rec := wampDial(b, l.URL(), core.TransportConfig{Serializers: []core.Serializer{ser}})
			ctx := context.Background()
			call := &core.Call{Procedure: "com.example.echo", Args: []any{int64(42), "hello", []byte{1, 2, 3}},
				Kwargs: map[string]any{"flag": true}}
			b.ReportAllocs()
			req := uint64(0)
			for b.Loop() {
				req++
				call.Request = req
				if err := cli.Send(ctx, call); err != nil {
					b.Fatal(err)
				}
				rec.Next(b)
			}
		})
	}
}

// BenchmarkWAMPSendThroughput measures one-way EVENT throughput from a
// server transport to a client, where batched serializers combine queued
// messages.
func BenchmarkWAMPSendThroughput(b *testing.B) {
	for _, name := range []string{"json", "json.batched", "cbor", "cbor.batched"} {
		b.Run(name, func(b *testing.B) {
			ser := mustSerializer(b, name)
			l, recs := wampServer(b, "ws://127.0.0.1:0", core.TransportConfig{}, nil)
			_, rec := wampDial(b, l.URL(), core.TransportConfig{Serializers: []core.Serializer{ser}})
			srv := recvRec(b, recs)
			ctx := context.Background()
			ev := &core.Event{Subscription: 1, Publication: 1, Args: []any{"some payload", int64(12345)}}
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				if err := srv.Transport().Send(ctx, ev); err != nil {
					b.Fatal(err)
				}
				n++
				// Drain as we go so that the client's buffer never fills.
				for len(rec.Msgs) > 0 {
					<-rec.Msgs
					n--
				}
			}
			for ; n > 0; n-- {
				rec.Next(b)
			}
		})
	}
}
