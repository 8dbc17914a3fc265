package websocket_test

import (
	"context"
	"strings"
	"testing"
	"time"

	gorilla "github.com/gorilla/websocket"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/transports/websocket"
)

// TestWAMPServerDefaultLimit: with zero-value options a WAMP server accepts
// messages up to DefaultWAMPServerMaxMessageSize and fails a connection
// that sends more, also when the excess only appears on inflating a
// permessage-deflate message (a compression bomb); the server stays up.
func TestWAMPServerDefaultLimit(t *testing.T) {
	for _, tc := range []struct {
		name     string
		compress bool
	}{{"plain", false}, {"deflate bomb", true}} {
		t.Run(tc.name, func(t *testing.T) {
			opts := websocket.WAMPOptions{Logger: wampQuietLog}
			if tc.compress {
				opts.WebSocket.PerMessageCompressionAccept = websocket.AcceptDeflate
			}
			l, recs := wampServer(t, "ws://127.0.0.1:0/ws", core.TransportConfig{Options: opts}, nil)
			d := &gorilla.Dialer{Subprotocols: []string{"wamp.2.json"}, EnableCompression: tc.compress}
			conn, _, err := d.Dial(l.URL(), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.EnableWriteCompression(tc.compress)
			srv := recvRec(t, recs)
			// A JSON EVENT padded with spaces past the limit (zeros of a
			// sort: it compresses to almost nothing).
			over := `[36,1,1,{},["` + strings.Repeat(" ", websocket.DefaultWAMPServerMaxMessageSize) + `"]]`
			conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
			conn.WriteMessage(gorilla.TextMessage, []byte(over))
			err = srv.WaitClose(t)
			if err == nil || !strings.Contains(err.Error(), "exceeds payload limit") {
				t.Fatalf("server OnClose(%v), want the message limit exceeded", err)
			}
			// The server is still up: another client connects and sends a
			// message right at home within the limit.
			conn2, _, err := d.Dial(l.URL(), nil)
			if err != nil {
				t.Fatalf("server down after a peer broke the limit: %v", err)
			}
			defer conn2.Close()
			srv2 := recvRec(t, recs)
			if err := conn2.WriteMessage(gorilla.TextMessage, []byte(`[36,1,2,{},["`+strings.Repeat("x", 1<<20)+`"]]`)); err != nil {
				t.Fatal(err)
			}
			if m, ok := srv2.Next(t).(*core.Event); !ok || m.Publication != 2 {
				t.Fatalf("got %v", m)
			}
		})
	}
}

// TestWAMPPeerClosesWhileWriting: a client that closes cleanly while the
// server is streaming to it ends the connection cleanly on both sides; the
// messages the server still had queued are dropped, not turned into a
// failure.
func TestWAMPPeerClosesWhileWriting(t *testing.T) {
	l, recs := wampServer(t, "ws://127.0.0.1:0/ws", core.TransportConfig{Options: websocket.WAMPOptions{Logger: wampQuietLog}}, nil)
	for i := range 10 {
		cli, crec := wampDial(t, l.URL(), core.TransportConfig{})
		srv := recvRec(t, recs)
		stop := make(chan struct{})
		streamed := make(chan struct{})
		go func() { // the client reads everything
			for {
				select {
				case <-crec.Msgs:
				case <-stop:
					return
				}
			}
		}()
		go func() {
			defer close(streamed)
			ev := core.Prepare(&core.Event{Subscription: 1, Publication: 1, Args: []any{strings.Repeat("e", 512)}})
			for {
				select {
				case <-stop:
					return
				default:
				}
				if srv.Transport().(core.TrySender).TrySend(ev) != nil {
					time.Sleep(time.Millisecond)
				}
			}
		}()
		time.Sleep(20 * time.Millisecond)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		cli.Close(ctx)
		cancel()
		if err := srv.WaitClose(t); err != nil {
			t.Errorf("round %d: server OnClose(%v) after the client's clean close, want nil", i, err)
		}
		if err := crec.WaitClose(t); err != nil {
			t.Errorf("round %d: client OnClose(%v) after its clean close, want nil", i, err)
		}
		close(stop)
		<-streamed
	}
}
