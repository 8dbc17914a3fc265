package rawsocket

import (
	"context"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

// TestQuietSpells: messages, pings and a clean close after the readers of
// both sides have moved to fresh goroutines (the idle probe), over each
// kind of socket.
func TestQuietSpells(t *testing.T) {
	for _, ep := range endpoints(t) {
		t.Run(ep.name, func(t *testing.T) {
			srvCfg := ep.srvCfg
			srvCfg.Serializers = fakeAll
			ts := startServer(t, ep.listen, srvCfg, true)
			cliCfg := ep.cliCfg
			cliCfg.Serializers = fakeAll
			cli := newRecorder(false)
			tr, err := dial(t, ts.url, cliCfg, cli)
			if err != nil {
				t.Fatal(err)
			}
			cli.WaitOpen(t)
			srv := ts.next(t)
			srvT := srv.WaitOpen(t).(*Transport)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			for i, msg := range []string{"one", strings.Repeat("x", 70000), "three"} {
				time.Sleep(2 * idleProbe)
				if err := tr.Send(ctx, &testMsg{data: []byte(msg)}); err != nil {
					t.Fatal(err)
				}
				if got := cli.waitMsg(t); string(got) != msg {
					t.Fatalf("echo %d: %d bytes, want %d", i, len(got), len(msg))
				}
				time.Sleep(2 * idleProbe)
				if err := tr.Ping(ctx, []byte(msg)); err != nil {
					t.Fatalf("client ping: %v", err)
				}
				time.Sleep(2 * idleProbe)
				if err := srvT.Ping(ctx, []byte(msg)); err != nil {
					t.Fatalf("server ping: %v", err)
				}
			}
			time.Sleep(2 * idleProbe)
			if err := tr.Close(ctx); err != nil {
				t.Fatal(err)
			}
			if err := cli.WaitClose(t); err != nil {
				t.Errorf("client OnClose(%v), want a clean close", err)
			}
			if err := srv.WaitClose(t); err != nil {
				t.Errorf("server OnClose(%v), want a clean close", err)
			}
		})
	}
}

// TestIdleReaderMoves: an idle reader continues on a goroutine that the
// reader started, and a connection served by ServeConn keeps its caller's
// goroutine (ServeConn returns only once the connection ends).
func TestIdleReaderMoves(t *testing.T) {
	ts := startServer(t, "rs://127.0.0.1:0", core.TransportConfig{Serializers: fakeAll}, true)
	c := rawDial(t, ts)
	if _, err := c.handshake(t, 0x7F, 0xF3, 0, 0); err != nil {
		t.Fatal(err)
	}
	ts.next(t).WaitOpen(t)
	time.Sleep(4 * idleProbe)
	if !strings.Contains(allStacks(), "created by github.com/autobahn-go/autobahn/transports/rawsocket.(*wire).readLoop") {
		t.Error("no reader goroutine started by an idle reader")
	}

	a, b := net.Pipe()
	defer a.Close()
	done := make(chan error, 1)
	srv := newRecorder(true)
	go func() {
		done <- ServeConn(b, nil, core.TransportConfig{Serializers: fakeAll}, func(core.Transport) core.TransportHandler { return srv })
	}()
	cli := newRecorder(false)
	tr, err := Client(context.Background(), a, nil, core.TransportConfig{Serializers: fakeAll}, cli)
	if err != nil {
		t.Fatal(err)
	}
	srv.WaitOpen(t)
	time.Sleep(4 * idleProbe)
	select {
	case err := <-done:
		t.Fatalf("ServeConn returned (%v) while its connection is open", err)
	default:
	}
	if err := tr.Send(context.Background(), &testMsg{data: []byte("hi")}); err != nil {
		t.Fatal(err)
	}
	if got := cli.waitMsg(t); string(got) != "hi" {
		t.Fatalf("echo %q", got)
	}
	tr.Close(context.Background())
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ServeConn: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ServeConn did not return after the close")
	}
}

func allStacks() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}

// TestProbeInsideFrame: a frame whose header and payload arrive in pieces,
// with pauses longer than the idle probe, is read whole, with and without
// a FrameTimeout.
func TestProbeInsideFrame(t *testing.T) {
	for _, ft := range []time.Duration{-1, 0} {
		ts := startServer(t, "rs://127.0.0.1:0", core.TransportConfig{Serializers: fakeAll, Options: Options{FrameTimeout: ft}}, false)
		c := rawDial(t, ts)
		if _, err := c.handshake(t, 0x7F, 0xF3, 0, 0); err != nil {
			t.Fatal(err)
		}
		srv := ts.next(t)
		msg := strings.Repeat("y", 1000)
		f := frame(frameMessage, msg)
		for _, piece := range [][]byte{f[:2], f[2:100], f[100:600], f[600:]} {
			time.Sleep(2 * idleProbe)
			if _, err := c.Write(piece); err != nil {
				t.Fatal(err)
			}
		}
		if got := srv.waitMsg(t); string(got) != msg {
			t.Fatalf("FrameTimeout %v: got %d bytes, want %d", ft, len(got), len(msg))
		}
	}
}

// TestCloseWhileIdle: Close of an idle connection whose peer does not end
// its side waits CloseHandshakeTimeout (not the idle probe) before the
// connection is dropped, and with no timeout waits for Close's context.
func TestCloseWhileIdle(t *testing.T) {
	for _, tc := range []struct {
		timeout, ctx time.Duration
	}{{300 * time.Millisecond, 5 * time.Second}, {-1, 300 * time.Millisecond}} {
		ts := startServer(t, "rs://127.0.0.1:0", core.TransportConfig{Serializers: fakeAll, Options: Options{CloseHandshakeTimeout: tc.timeout}}, false)
		c := rawDial(t, ts)
		if _, err := c.handshake(t, 0x7F, 0xF3, 0, 0); err != nil {
			t.Fatal(err)
		}
		srv := ts.next(t)
		srvT := srv.WaitOpen(t)
		time.Sleep(3 * idleProbe)
		ctx, cancel := context.WithTimeout(context.Background(), tc.ctx)
		start := time.Now()
		srvT.Close(ctx)
		took := time.Since(start)
		cancel()
		if took < 250*time.Millisecond || took > 3*time.Second {
			t.Errorf("CloseHandshakeTimeout %v, context %v: Close took %v, want about 300 ms", tc.timeout, tc.ctx, took)
		}
		srv.WaitClose(t)
	}
}
