package rawsocket

import (
	"context"
	"net"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

// benchEndpoints are the sockets the echo benchmarks run over.
func benchEndpoints(b *testing.B) map[string]string {
	return map[string]string{
		"tcp":  "rs://127.0.0.1:0",
		"unix": "rs://unix:" + socketPath(b),
	}
}

// BenchmarkEcho measures RawSocket round trips: the client sends a message,
// the server echoes it, the client waits for it (one message in flight).
// "fake" passes 100 bytes through a serializer that does no work (the
// transport's own cost); the others send a CALL with a few arguments through
// each registered serializer.
func BenchmarkEcho(b *testing.B) {
	sers := append([]core.Serializer{fakeCBOR}, realSerializers(b)...)
	for _, netName := range []string{"tcp", "unix"} {
		for _, ser := range sers {
			b.Run(netName+"/"+ser.Name(), func(b *testing.B) {
				ts := startServer(b, benchEndpoints(b)[netName], core.TransportConfig{Serializers: sers}, true)
				cli := newRecorder(false)
				tr, err := dial(b, ts.url, core.TransportConfig{Serializers: []core.Serializer{ser}}, cli)
				if err != nil {
					b.Fatal(err)
				}
				var msg core.Message = &testMsg{make([]byte, 100)}
				if ser != fakeCBOR {
					msg = &core.Call{Request: 1, Procedure: "com.example.add", Args: []any{int64(23), "hello", 1.5}, Kwargs: map[string]any{"x": true}}
				}
				ctx := context.Background()
				b.ReportAllocs()
				start := time.Now()
				for b.Loop() {
					if err := tr.Send(ctx, msg); err != nil {
						b.Fatal(err)
					}
					<-cli.Msgs
				}
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
			})
		}
	}
}

// BenchmarkEchoPipelined measures throughput with many messages in flight:
// one goroutine sends, the echoes are counted as they arrive.
func BenchmarkEchoPipelined(b *testing.B) {
	for _, netName := range []string{"tcp", "unix"} {
		b.Run(netName, func(b *testing.B) {
			ts := startServer(b, benchEndpoints(b)[netName], core.TransportConfig{Serializers: fakeAll}, true)
			var got atomic.Int64
			done := make(chan struct{})
			cli := newRecorder(false)
			want := int64(b.N)
			cli.React = func(core.Transport, core.Message) {
				if got.Add(1) == want {
					close(done)
				}
			}
			cli.Msgs = make(chan core.Message, 1<<20)
			tr, err := dial(b, ts.url, core.TransportConfig{Serializers: []core.Serializer{fakeCBOR}}, cli)
			if err != nil {
				b.Fatal(err)
			}
			msg := &testMsg{make([]byte, 100)}
			ctx := context.Background()
			go func() {
				// Drain the recorder's channel so it never fills.
				for range cli.Msgs {
				}
			}()
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				if err := tr.Send(ctx, msg); err != nil {
					b.Fatal(err)
				}
			}
			<-done
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
			b.StopTimer()
			tr.Abort()
			<-tr.Done()
			close(cli.Msgs)
		})
	}
}

// BenchmarkIdleServerConnMemory opens 2000 RawSocket connections to a server
// and reports the memory (Go heap plus goroutine stacks) each idle connection
// costs. The clients are raw sockets that did the handshake by hand, so that
// only their net.Conn (a few hundred bytes) counts besides the server side.
// The figure does not depend on b.N; run with -benchtime=1x.
func BenchmarkIdleServerConnMemory(b *testing.B) {
	const conns = 2000
	for b.Loop() {
		var opened atomic.Int64
		u := mustURL(b, "rs://127.0.0.1:0")
		l, err := (&Factory{}).Listen(context.Background(), u, core.TransportConfig{Serializers: fakeAll}, func(core.Transport) core.TransportHandler {
			return idleHandler{&opened}
		})
		if err != nil {
			b.Fatal(err)
		}
		addr := l.Addr().String()
		before := memInUse()
		clients := make([]net.Conn, 0, conns)
		for range conns {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatalf("after %d connections: %v", len(clients), err)
			}
			clients = append(clients, c)
			if _, err := c.Write([]byte{0x7F, 0xF3, 0, 0}); err != nil {
				b.Fatal(err)
			}
			var reply [4]byte
			if _, err := readFull(c, reply[:]); err != nil || reply[1] != 0xF3 {
				b.Fatalf("handshake: % X %v", reply, err)
			}
		}
		for opened.Load() < conns {
			time.Sleep(time.Millisecond)
		}
		after := memInUse()
		perConn := float64(after.heap+after.stack-before.heap-before.stack) / conns
		b.ReportMetric(perConn, "B/conn")
		b.ReportMetric(float64(after.stack-before.stack)/conns, "stack-B/conn")
		b.ReportMetric(float64(after.heap-before.heap)/conns, "heap-B/conn")
		for _, c := range clients {
			c.Close()
		}
		l.Close()
		for l.(*Listener).ActiveConnections() > 0 {
			time.Sleep(time.Millisecond)
		}
	}
}

type idleHandler struct{ opened *atomic.Int64 }

func (h idleHandler) OnOpen(core.Transport)  { h.opened.Add(1) }
func (h idleHandler) OnMessage(core.Message) {}
func (h idleHandler) OnClose(error)          {}

type memStats struct{ heap, stack uint64 }

func memInUse() memStats {
	var ms runtime.MemStats
	for range 2 {
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return memStats{heap: ms.HeapAlloc, stack: ms.StackInuse}
}
