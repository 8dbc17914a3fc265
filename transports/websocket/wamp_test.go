package websocket_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	gorilla "github.com/gorilla/websocket"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/transports/websocket"
)

// sampleMessages are sent both ways in the round-trip tests.
func sampleMessages() []core.Message {
	return []core.Message{
		&core.Hello{Realm: "realm1", Details: core.HelloDetails{Roles: map[string]core.Role{
			"caller":     {Features: map[string]bool{"progressive_call_results": true, "call_canceling": true}},
			"subscriber": {},
		}}},
		&core.Call{Request: 1, Procedure: "com.example.echo",
			Args:   []any{int64(1), "zwei", []byte{0, 1, 0xff}, -3.5, nil, true, int64(1) << 53, "grüße ☃"},
			Kwargs: map[string]any{"k": []any{int64(-1), map[string]any{"a": "b"}}}},
		&core.Call{Request: 2, Procedure: "com.example.big", Args: []any{strings.Repeat("x", 200_000)}},
		&core.Event{Subscription: 5, Publication: 6, Args: []any{[]any{}}, Kwargs: map[string]any{"n": int64(7)}},
		&core.Goodbye{Reason: core.URICloseNormal, Details: core.GoodbyeDetails{Message: "bye"}},
	}
}

func sameMessage(t testing.TB, got, want core.Message) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, w := fmt.Sprintf("%#v", got), fmt.Sprintf("%#v", want)
		if len(g) > 400 {
			g = g[:400] + "…"
		}
		if len(w) > 400 {
			w = w[:400] + "…"
		}
		t.Fatalf("message differs:\n got %s\nwant %s", g, w)
	}
}

// TestWAMPRoundTrip: every registered serializer, plain and batched, over ws
// and wss: both sides agree on the serializer, messages arrive unchanged in
// both directions, and a clean close gives OnClose(nil) on both sides.
func TestWAMPRoundTrip(t *testing.T) {
	tt := testpeer.NewCert(t)
	for _, scheme := range []string{"ws", "wss"} {
		cfg := core.TransportConfig{}
		if scheme == "wss" {
			cfg.TLS = tt.ServerConfig()
		}
		l, recs := wampServer(t, scheme+"://127.0.0.1:0/ws", cfg, nil)
		for _, ser := range allSerializers(t) {
			t.Run(scheme+"/"+ser.Name(), func(t *testing.T) {
				ccfg := core.TransportConfig{Serializers: []core.Serializer{ser}}
				if scheme == "wss" {
					ccfg.TLS = tt.ClientConfig()
				}
				cli, crec := wampDial(t, l.URL(), ccfg)
				srv := recvRec(t, recs)
				st := srv.Transport().(*websocket.WAMPTransport)
				for _, d := range []core.TransportDetails{cli.Details(), st.Details()} {
					if d.Serializer != ser || d.Extra["protocol"] != ser.Subprotocol() {
						t.Fatalf("negotiated %v / %v, want %s", d.Serializer.Name(), d.Extra["protocol"], ser.Subprotocol())
					}
					if (d.TLS != nil) != (scheme == "wss") {
						t.Fatalf("TLS state %v on %s", d.TLS, scheme)
					}
				}
				ctx := context.Background()
				for _, m := range sampleMessages() {
					if err := cli.Send(ctx, m); err != nil {
						t.Fatal(err)
					}
					if err := st.Send(ctx, m); err != nil {
						t.Fatal(err)
					}
				}
				for _, m := range sampleMessages() {
					sameMessage(t, srv.Next(t), m)
					sameMessage(t, crec.Next(t), m)
				}
				cctx, cancel := context.WithTimeout(ctx, wampWait)
				defer cancel()
				if err := cli.Close(cctx); err != nil {
					t.Fatal(err)
				}
				if err := crec.WaitClose(t); err != nil {
					t.Errorf("client OnClose(%v), want nil", err)
				}
				if err := srv.WaitClose(t); err != nil {
					t.Errorf("server OnClose(%v), want nil", err)
				}
				if err := cli.Send(ctx, sampleMessages()[0]); !errors.Is(err, core.ErrTransportLost) {
					t.Errorf("Send after Close: %v, want ErrTransportLost", err)
				}
			})
		}
	}
}

// TestWAMPNegotiation: the first of the client's subprotocols that the
// server supports wins; no match is denied with 400 and a reason naming both
// lists.
func TestWAMPNegotiation(t *testing.T) {
	names := func(ns ...string) []core.Serializer {
		out := make([]core.Serializer, len(ns))
		for i, n := range ns {
			out[i] = mustSerializer(t, n)
		}
		return out
	}
	tests := []struct {
		name   string
		server []string // nil: every registered serializer
		client []string
		want   string // "" = denied
	}{
		{"client order wins over server order", []string{"json", "msgpack", "ubjson"}, []string{"ubjson", "msgpack"}, "ubjson"},
		{"batched first", []string{"json", "msgpack.batched"}, []string{"msgpack.batched", "json"}, "msgpack.batched"},
		{"skip unsupported", []string{"json"}, []string{"msgpack.batched", "msgpack", "json"}, "json"},
		{"all registered", nil, []string{"ubjson.batched", "json"}, "ubjson.batched"},
		{"no match", []string{"msgpack"}, []string{"json", "ubjson"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			scfg := core.TransportConfig{}
			if tc.server != nil {
				scfg.Serializers = names(tc.server...)
			}
			l, recs := wampServer(t, "ws://127.0.0.1:0", scfg, nil)
			ccfg := core.TransportConfig{Serializers: names(tc.client...), Options: websocket.WAMPOptions{Logger: wampQuietLog}}
			r := testpeer.NewRecorder()
			tr, err := registry.Dial(context.Background(), l.URL(), ccfg, r)
			if tc.want == "" {
				var he *websocket.HandshakeError
				if !errors.As(err, &he) || he.StatusCode != http.StatusBadRequest {
					t.Fatalf("Dial: %v, want a 400 handshake error", err)
				}
				for _, p := range []string{"wamp.2.json", "wamp.2.ubjson", "wamp.2.msgpack"} {
					if !strings.Contains(he.Reason, p) {
						t.Errorf("reason %q does not name %s", he.Reason, p)
					}
				}
				if len(r.Opened) != 0 {
					t.Error("handler opened after a failed dial")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Abort()
			if got := tr.Details().Serializer.Name(); got != tc.want {
				t.Errorf("client uses %s, want %s", got, tc.want)
			}
			if got := recvRec(t, recs).Transport().Details().Serializer.Name(); got != tc.want {
				t.Errorf("server uses %s, want %s", got, tc.want)
			}
		})
	}

	// A client without (WAMP) subprotocols gets 400 too.
	l, _ := wampServer(t, "ws://127.0.0.1:0", core.TransportConfig{}, nil)
	for _, protos := range [][]string{nil, {"chat", "wamp.1.json", "wamp.2.nosuch"}} {
		d := gorilla.Dialer{Subprotocols: protos}
		conn, resp, err := d.Dial(l.URL(), nil)
		if err == nil {
			conn.Close()
			t.Fatalf("dial with %q succeeded", protos)
		}
		if resp == nil || resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("dial with %q: %v, want 400", protos, err)
		}
		if !strings.Contains(resp.Status, "none of the offered subprotocols") {
			t.Errorf("status %q does not explain the failure", resp.Status)
		}
	}
}

// TestWAMPFrameTypes: JSON travels in text frames, the binary serializers in
// binary frames, from the server (to a raw client) and from the client (to
// a raw server).
func TestWAMPFrameTypes(t *testing.T) {
	hello := &core.Hello{Realm: "realm1", Details: core.HelloDetails{Roles: map[string]core.Role{"caller": {}}}}
	for _, ser := range allSerializers(t) {
		want := gorilla.TextMessage
		if ser.Binary() {
			want = gorilla.BinaryMessage
		}
		if ser.Binary() != (!strings.HasPrefix(ser.Name(), "json")) {
			t.Fatalf("%s: Binary() = %v", ser.Name(), ser.Binary())
		}
		t.Run("server/"+ser.Name(), func(t *testing.T) {
			l, recs := wampServer(t, "ws://127.0.0.1:0", core.TransportConfig{}, nil)
			conn, _, err := (&gorilla.Dialer{Subprotocols: []string{ser.Subprotocol()}}).Dial(l.URL(), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if conn.Subprotocol() != ser.Subprotocol() {
				t.Fatalf("subprotocol %q", conn.Subprotocol())
			}
			srv := recvRec(t, recs)
			if err := srv.Transport().Send(context.Background(), hello); err != nil {
				t.Fatal(err)
			}
			conn.SetReadDeadline(time.Now().Add(wampWait))
			typ, data, err := conn.ReadMessage()
			if err != nil {
				t.Fatal(err)
			}
			if typ != want {
				t.Errorf("frame type %d, want %d", typ, want)
			}
			msgs, err := ser.Unserialize(data)
			if err != nil || len(msgs) != 1 {
				t.Fatalf("unserialize: %v, %d messages", err, len(msgs))
			}
			sameMessage(t, msgs[0], hello)
		})
		t.Run("client/"+ser.Name(), func(t *testing.T) {
			type frame struct {
				typ  int
				data []byte
			}
			frames := make(chan frame, 1)
			up := gorilla.Upgrader{Subprotocols: []string{ser.Subprotocol()}}
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				c, err := up.Upgrade(w, r, nil)
				if err != nil {
					return
				}
				defer c.Close()
				typ, data, err := c.ReadMessage()
				if err == nil {
					frames <- frame{typ, data}
				}
				c.ReadMessage() // until the client closes
			}))
			defer ts.Close()
			cli, crec := wampDial(t, "ws"+strings.TrimPrefix(ts.URL, "http"), core.TransportConfig{Serializers: []core.Serializer{ser}})
			if err := cli.Send(context.Background(), hello); err != nil {
				t.Fatal(err)
			}
			select {
			case f := <-frames:
				if f.typ != want {
					t.Errorf("frame type %d, want %d", f.typ, want)
				}
				msgs, err := ser.Unserialize(f.data)
				if err != nil || len(msgs) != 1 {
					t.Fatalf("unserialize: %v, %d messages", err, len(msgs))
				}
				sameMessage(t, msgs[0], hello)
			case <-time.After(wampWait):
				t.Fatal("no frame")
			}
			ctx, cancel := context.WithTimeout(context.Background(), wampWait)
			defer cancel()
			cli.Close(ctx)
			crec.WaitClose(t)
		})
	}
}

// TestWAMPBatchedFrame: one WebSocket message of a batched serializer may
// carry several WAMP messages; they are delivered in order. JSON batches are
// accepted with either separator byte.
func TestWAMPBatchedFrame(t *testing.T) {
	msgs := sampleMessages()
	for _, ser := range allSerializers(t) {
		if !ser.Batched() {
			continue
		}
		t.Run(ser.Name(), func(t *testing.T) {
			l, recs := wampServer(t, "ws://127.0.0.1:0", core.TransportConfig{}, nil)
			conn, _, err := (&gorilla.Dialer{Subprotocols: []string{ser.Subprotocol()}}).Dial(l.URL(), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			srv := recvRec(t, recs)
			var batch []byte
			for i, m := range msgs {
				b, err := ser.Serialize(m)
				if err != nil {
					t.Fatal(err)
				}
				if !ser.Binary() && i%2 == 1 {
					b[len(b)-1] = core.BatchSeparatorSpec
				}
				batch = append(batch, b...)
			}
			typ := gorilla.TextMessage
			if ser.Binary() {
				typ = gorilla.BinaryMessage
			}
			if err := conn.WriteMessage(typ, batch); err != nil {
				t.Fatal(err)
			}
			for _, m := range msgs {
				sameMessage(t, srv.Next(t), m)
			}
		})
	}
}

// TestWAMPCoalescedSends: many goroutines sending at once; every message
// arrives, each goroutine's in order, and with a batched serializer queued
// messages may share a WebSocket message.
func TestWAMPCoalescedSends(t *testing.T) {
	for _, name := range []string{"json", "json.batched", "msgpack.batched"} {
		t.Run(name, func(t *testing.T) {
			ser := mustSerializer(t, name)
			l, recs := wampServer(t, "ws://127.0.0.1:0", core.TransportConfig{}, nil)
			conn, _, err := (&gorilla.Dialer{Subprotocols: []string{ser.Subprotocol()}}).Dial(l.URL(), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			srv := recvRec(t, recs)
			const senders, each = 16, 100
			var wg sync.WaitGroup
			for g := range senders {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range each {
						m := &core.Event{Subscription: uint64(g + 1), Publication: uint64(i + 1), Args: []any{strings.Repeat("p", 100)}}
						if err := srv.Transport().Send(context.Background(), m); err != nil {
							t.Error(err)
							return
						}
					}
				}()
			}
			next := make([]uint64, senders+1)
			got, frames, maxPer := 0, 0, 0
			conn.SetReadDeadline(time.Now().Add(wampWait))
			for got < senders*each {
				_, data, err := conn.ReadMessage()
				if err != nil {
					t.Fatalf("after %d messages: %v", got, err)
				}
				ms, err := ser.Unserialize(data)
				if err != nil {
					t.Fatal(err)
				}
				if len(ms) > 1 && !ser.Batched() {
					t.Fatal("several messages in a frame of a plain serializer")
				}
				frames++
				maxPer = max(maxPer, len(ms))
				for _, m := range ms {
					e := m.(*core.Event)
					if e.Publication != next[e.Subscription]+1 {
						t.Fatalf("sender %d: message %d after %d", e.Subscription, e.Publication, next[e.Subscription])
					}
					next[e.Subscription] = e.Publication
					got++
				}
			}
			wg.Wait()
			t.Logf("%d messages in %d WebSocket messages (at most %d in one)", got, frames, maxPer)
		})
	}
}

// TestWAMPBadMessages: a message that does not parse, or arrives in the
// wrong frame type, fails that connection with close code 1002; the server
// keeps serving other connections.
func TestWAMPBadMessages(t *testing.T) {
	tests := []struct {
		name   string
		proto  string
		typ    int
		data   []byte
		reason string // part of the close reason
	}{
		{"json garbage", "wamp.2.json", gorilla.TextMessage, []byte("this is not JSON"), "WAMP Protocol Error"},
		{"json not a list", "wamp.2.json", gorilla.TextMessage, []byte(`{"a":1}`), "WAMP Protocol Error"},
		{"json unknown type", "wamp.2.json", gorilla.TextMessage, []byte(`[999,{}]`), "WAMP Protocol Error"},
		{"json bad HELLO", "wamp.2.json", gorilla.TextMessage, []byte(`[1,"realm1",{"roles":{}}]`), "HELLO"},
		{"json in a binary frame", "wamp.2.json", gorilla.BinaryMessage, []byte(`[6,{},"wamp.close.normal"]`), "binary frame"},
		{"msgpack in a text frame", "wamp.2.msgpack", gorilla.TextMessage, []byte("x"), "text frame"},
		{"msgpack garbage", "wamp.2.msgpack", gorilla.BinaryMessage, []byte{0xc1, 0xff, 0x00}, "WAMP Protocol Error"},
		{"ubjson truncated", "wamp.2.ubjson", gorilla.BinaryMessage, []byte("[i"), "WAMP Protocol Error"},
		{"json batch without separator", "wamp.2.json.batched", gorilla.TextMessage, []byte(`[6,{},"wamp.close.normal"]`), "separator"},
		{"msgpack batch bad length", "wamp.2.msgpack.batched", gorilla.BinaryMessage, []byte{0, 0, 1, 0, 0x93}, "WAMP Protocol Error"},
	}
	l, recs := wampServer(t, "ws://127.0.0.1:0", core.TransportConfig{}, nil)
	// A bystander connection that must survive every failure.
	by, byRec := wampDial(t, l.URL(), core.TransportConfig{Serializers: []core.Serializer{mustSerializer(t, "json")}})
	bySrv := recvRec(t, recs)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn, _, err := (&gorilla.Dialer{Subprotocols: []string{tc.proto}}).Dial(l.URL(), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			srv := recvRec(t, recs)
			if err := conn.WriteMessage(tc.typ, tc.data); err != nil {
				t.Fatal(err)
			}
			conn.SetReadDeadline(time.Now().Add(wampWait))
			_, _, err = conn.ReadMessage()
			var ce *gorilla.CloseError
			if !errors.As(err, &ce) || ce.Code != websocket.CloseProtocolError {
				t.Fatalf("read: %v, want close 1002", err)
			}
			if !strings.Contains(ce.Text, tc.reason) {
				t.Errorf("close reason %q does not contain %q", ce.Text, tc.reason)
			}
			serr := srv.WaitClose(t)
			var we *websocket.WAMPCloseError
			if !errors.As(serr, &we) || !we.Local || we.Code != websocket.CloseProtocolError || we.Err == nil {
				t.Fatalf("server OnClose(%v), want a local 1002 WAMPCloseError", serr)
			}
			if !errors.Is(serr, core.ErrTransportLost) {
				t.Errorf("server OnClose(%v) does not match ErrTransportLost", serr)
			}
			if len(srv.Msgs) != 0 {
				t.Errorf("%d messages delivered", len(srv.Msgs))
			}
			// The bystander still works both ways.
			m := &core.Publish{Request: 7, Topic: "com.example.still.here"}
			if err := by.Send(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			sameMessage(t, bySrv.Next(t), m)
			if err := bySrv.Transport().Send(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			sameMessage(t, byRec.Next(t), m)
		})
	}
	// And new connections are served.
	cli, crec := wampDial(t, l.URL(), core.TransportConfig{})
	srv := recvRec(t, recs)
	m := &core.Goodbye{Reason: core.URICloseNormal}
	if err := cli.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	sameMessage(t, srv.Next(t), m)
	ctx, cancel := context.WithTimeout(context.Background(), wampWait)
	defer cancel()
	cli.Close(ctx)
	if err := crec.WaitClose(t); err != nil {
		t.Errorf("OnClose(%v)", err)
	}
}

// TestWAMPCloseFromHandler: a router-like handler answers GOODBYE and closes
// from inside OnMessage; the answer arrives before the close, and both
// sides see a clean close.
func TestWAMPCloseFromHandler(t *testing.T) {
	for _, name := range []string{"json", "cbor.batched", "msgpack.batched"} {
		t.Run(name, func(t *testing.T) {
			ser, err := registry.Default.Serializer(name)
			if err != nil {
				t.Skip(err)
			}
			react := func(tr core.Transport, m core.Message) {
				if _, ok := m.(*core.Goodbye); !ok {
					return
				}
				// Several messages queued right before Close must all go out.
				for i := range 20 {
					tr.Send(context.Background(), &core.Event{Subscription: 1, Publication: uint64(i + 1)})
				}
				tr.Send(context.Background(), &core.Goodbye{Reason: core.URICloseGoodbyeAndOut})
				if err := tr.Close(context.Background()); err != nil {
					t.Errorf("Close in handler: %v", err)
				}
			}
			l, recs := wampServer(t, "ws://127.0.0.1:0", core.TransportConfig{}, react)
			cli, crec := wampDial(t, l.URL(), core.TransportConfig{Serializers: []core.Serializer{ser}})
			srv := recvRec(t, recs)
			if err := cli.Send(context.Background(), &core.Goodbye{Reason: core.URICloseNormal}); err != nil {
				t.Fatal(err)
			}
			for i := range 20 {
				if e, ok := crec.Next(t).(*core.Event); !ok || e.Publication != uint64(i+1) {
					t.Fatalf("message %d: %#v", i, e)
				}
			}
			if g, ok := crec.Next(t).(*core.Goodbye); !ok || g.Reason != core.URICloseGoodbyeAndOut {
				t.Fatalf("got %#v, want GOODBYE", g)
			}
			if err := crec.WaitClose(t); err != nil {
				t.Errorf("client OnClose(%v)", err)
			}
			if err := srv.WaitClose(t); err != nil {
				t.Errorf("server OnClose(%v)", err)
			}
		})
	}
}

// TestWAMPCloseCodes: Abort, CloseWith, a panicking handler (1011) and a
// server shutdown (1001) as each side sees them.
func TestWAMPCloseCodes(t *testing.T) {
	closeErr := func(t *testing.T, err error) *websocket.WAMPCloseError {
		t.Helper()
		var we *websocket.WAMPCloseError
		if !errors.As(err, &we) || !errors.Is(err, core.ErrTransportLost) {
			t.Fatalf("OnClose(%v), want a TransportLost with a WAMPCloseError", err)
		}
		return we
	}
	t.Run("abort", func(t *testing.T) {
		l, recs := wampServer(t, "ws://127.0.0.1:0", core.TransportConfig{}, nil)
		cli, crec := wampDial(t, l.URL(), core.TransportConfig{})
		srv := recvRec(t, recs)
		cli.Abort()
		if err := crec.WaitClose(t); !errors.Is(err, websocket.ErrTransportAborted) || !errors.Is(err, core.ErrTransportLost) {
			t.Errorf("client OnClose(%v), want ErrTransportAborted", err)
		}
		if we := closeErr(t, srv.WaitClose(t)); we.Code != websocket.CloseAbnormal || we.WasClean {
			t.Errorf("server sees %+v, want 1006", we)
		}
		if err := cli.Send(context.Background(), &core.Goodbye{Reason: core.URICloseNormal}); !errors.Is(err, websocket.ErrTransportAborted) {
			t.Errorf("Send after Abort: %v", err)
		}
	})
	t.Run("close with code", func(t *testing.T) {
		l, recs := wampServer(t, "ws://127.0.0.1:0", core.TransportConfig{}, nil)
		cli, crec := wampDial(t, l.URL(), core.TransportConfig{})
		srv := recvRec(t, recs)
		if err := cli.CloseWith(context.Background(), 999, ""); err == nil {
			t.Error("CloseWith(999) accepted")
		}
		ctx, cancel := context.WithTimeout(context.Background(), wampWait)
		defer cancel()
		if err := srv.Transport().(*websocket.WAMPTransport).CloseWith(ctx, 4000, "application says so"); err != nil {
			t.Fatal(err)
		}
		if we := closeErr(t, crec.WaitClose(t)); we.Code != 4000 || we.Reason != "application says so" || !we.WasClean || we.Local {
			t.Errorf("client sees %+v", we)
		}
		if err := srv.WaitClose(t); err != nil {
			t.Errorf("server OnClose(%v), want nil (the client answered 1000)", err)
		}
	})
	t.Run("panic", func(t *testing.T) {
		react := func(core.Transport, core.Message) { panic("router bug") }
		l, recs := wampServer(t, "ws://127.0.0.1:0", core.TransportConfig{}, react)
		cli, crec := wampDial(t, l.URL(), core.TransportConfig{})
		srv := recvRec(t, recs)
		cli.Send(context.Background(), &core.Goodbye{Reason: core.URICloseNormal})
		if we := closeErr(t, crec.WaitClose(t)); we.Code != websocket.CloseInternalError || !strings.Contains(we.Reason, "router bug") {
			t.Errorf("client sees %+v, want 1011", we)
		}
		if we := closeErr(t, srv.WaitClose(t)); we.Code != websocket.CloseInternalError || !we.Local {
			t.Errorf("server sees %+v", we)
		}
	})
	t.Run("going away", func(t *testing.T) {
		l, recs := wampServer(t, "ws://127.0.0.1:0", core.TransportConfig{}, nil)
		_, crec := wampDial(t, l.URL(), core.TransportConfig{})
		srv := recvRec(t, recs)
		ctx, cancel := context.WithTimeout(context.Background(), wampWait)
		defer cancel()
		if n := l.Server().ConnectionCount(); n != 1 {
			t.Errorf("ConnectionCount %d", n)
		}
		if err := l.Server().CloseAll(ctx); err != nil {
			t.Fatal(err)
		}
		if we := closeErr(t, crec.WaitClose(t)); we.Code != websocket.CloseGoingAway || !we.WasClean {
			t.Errorf("client sees %+v, want 1001", we)
		}
		if err := srv.WaitClose(t); err != nil {
			t.Errorf("server OnClose(%v)", err)
		}
	})
}

// TestWAMPSendQueueBound: when the peer does not read, Send blocks once the
// queue is full and gives up when its context ends.
func TestWAMPSendQueueBound(t *testing.T) {
	opts := websocket.WAMPOptions{Queue: core.QueueOptions{MaxBytes: 64 << 10}, Logger: wampQuietLog}
	l, recs := wampServer(t, "ws://127.0.0.1:0", core.TransportConfig{Options: opts}, nil)
	conn, _, err := (&gorilla.Dialer{Subprotocols: []string{"wamp.2.json"}}).Dial(l.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	srv := recvRec(t, recs)
	big := &core.Event{Subscription: 1, Publication: 1, Args: []any{strings.Repeat("z", 256<<10)}}
	var sendErr error
	for i := 0; i < 4000 && sendErr == nil; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		sendErr = srv.Transport().Send(ctx, big)
		cancel()
	}
	if !errors.Is(sendErr, context.DeadlineExceeded) {
		t.Fatalf("Send to a peer that does not read: %v, want a deadline error", sendErr)
	}
	srv.Transport().Abort()
	srv.WaitClose(t)
}

// TestWAMPDetails: what Details says on both sides, over ws and wss, with
// and without permessage-deflate.
func TestWAMPDetails(t *testing.T) {
	tt := testpeer.NewCert(t)
	for _, tc := range []struct {
		scheme   string
		compress bool
	}{{"ws", false}, {"ws", true}, {"wss", false}} {
		t.Run(fmt.Sprintf("%s/deflate=%v", tc.scheme, tc.compress), func(t *testing.T) {
			scfg := core.TransportConfig{Headers: map[string][]string{"X-Server": {"yes"}}}
			ccfg := core.TransportConfig{Headers: map[string][]string{"X-Client": {"hello"}}}
			if tc.scheme == "wss" {
				scfg.TLS, ccfg.TLS = tt.ServerConfig(), tt.ClientConfig()
			}
			if tc.compress {
				scfg.Options = map[string]any{"perMessageCompressionAccept": true}
			}
			l, recs := wampServer(t, tc.scheme+"://127.0.0.1:0/wamp", scfg, nil)
			cli, crec := wampDial(t, l.URL(), ccfg)
			srv := recvRec(t, recs)
			cd, sd := cli.Details(), srv.Transport().Details()
			if cd.Framing != core.FramingWebSocket || sd.Framing != core.FramingWebSocket {
				t.Errorf("framing %q / %q", cd.Framing, sd.Framing)
			}
			if cd.IsServer || !sd.IsServer {
				t.Errorf("IsServer %v / %v", cd.IsServer, sd.IsServer)
			}
			if cd.LocalAddr.String() != sd.PeerAddr.String() || cd.PeerAddr.String() != sd.LocalAddr.String() {
				t.Errorf("addresses %v-%v / %v-%v", cd.LocalAddr, cd.PeerAddr, sd.LocalAddr, sd.PeerAddr)
			}
			if !strings.HasPrefix(cd.Peer, "tcp4:127.0.0.1:") || !strings.HasPrefix(sd.Peer, "tcp4:127.0.0.1:") {
				t.Errorf("peers %q / %q", cd.Peer, sd.Peer)
			}
			if got := sd.HTTPHeaders["X-Client"]; len(got) != 1 || got[0] != "hello" {
				t.Errorf("server sees request headers %v", sd.HTTPHeaders)
			}
			if got := cd.HTTPHeaders["X-Server"]; len(got) != 1 || got[0] != "yes" {
				t.Errorf("client sees response headers %v", cd.HTTPHeaders)
			}
			if sd.Extra["path"] != "/wamp" {
				t.Errorf("server path %v", sd.Extra["path"])
			}
			// The maps are made on each call (the connection keeps only its
			// packed handshake): changing one changes nothing else.
			sd.Extra["path"], sd.HTTPHeaders["X-Client"][0] = "changed", "changed"
			if again := srv.Transport().Details(); again.Extra["path"] != "/wamp" || again.HTTPHeaders["X-Client"][0] != "hello" {
				t.Errorf("details again: %v, %v", again.Extra, again.HTTPHeaders)
			}
			for _, d := range []core.TransportDetails{cd, sd} {
				if d.Extra["compressed"] != tc.compress {
					t.Errorf("compressed %v, want %v", d.Extra["compressed"], tc.compress)
				}
				if d.Extra["protocol"] != d.Serializer.Subprotocol() {
					t.Errorf("protocol %v", d.Extra["protocol"])
				}
			}
			if tc.scheme == "wss" {
				ck, sk := cd.ChannelID(core.ChannelBindingTLSExporter), sd.ChannelID(core.ChannelBindingTLSExporter)
				if len(ck) != 32 || !bytes.Equal(ck, sk) {
					t.Errorf("tls-exporter channel ids %x / %x", ck, sk)
				}
			} else if cd.TLS != nil || sd.TLS != nil {
				t.Error("TLS state on ws")
			}
			// Messages cross a compressed connection too.
			m := sampleMessages()[2]
			if err := cli.Send(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			sameMessage(t, srv.Next(t), m)
			cli.Abort()
			crec.WaitClose(t)
		})
	}
}

// TestWAMPServeMux: NewWAMPHandler serves WAMP on an existing mux.
func TestWAMPServeMux(t *testing.T) {
	recs := make(chan *testpeer.Recorder, 4)
	h, err := websocket.NewWAMPHandler(nil, core.TransportConfig{Options: websocket.WAMPOptions{Logger: wampQuietLog}}, func(core.Transport) core.TransportHandler {
		r := testpeer.NewRecorder()
		recs <- r
		return r
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Serializers()) < 6 {
		t.Errorf("serializers %d", len(h.Serializers()))
	}
	mux := http.NewServeMux()
	mux.Handle("/wamp", h)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "index") })
	ts := httptest.NewServer(mux)
	defer ts.Close()
	cli, crec := wampDial(t, "ws"+strings.TrimPrefix(ts.URL, "http")+"/wamp", core.TransportConfig{})
	srv := recvRec(t, recs)
	m := &core.Publish{Request: 1, Topic: "com.example.mux", Args: []any{"via mux"}}
	if err := cli.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	sameMessage(t, srv.Next(t), m)
	ctx, cancel := context.WithTimeout(context.Background(), wampWait)
	defer cancel()
	if err := h.CloseAll(ctx); err != nil {
		t.Fatal(err)
	}
	crec.WaitClose(t)
	srv.WaitClose(t)
	_ = cli

	if _, err := websocket.NewWAMPHandler(nil, core.TransportConfig{}, nil); err == nil {
		t.Error("nil acceptor accepted")
	}
	if _, err := websocket.NewWAMPHandler(nil, core.TransportConfig{Options: map[string]any{"bogus": 1}}, func(core.Transport) core.TransportHandler { return nil }); err == nil {
		t.Error("unknown option accepted")
	}
}

// TestWAMPNotAccepted: an acceptor returning nil closes the connection.
func TestWAMPNotAccepted(t *testing.T) {
	l, err := registry.Listen(context.Background(), "ws://127.0.0.1:0", core.TransportConfig{Options: websocket.WAMPOptions{Logger: wampQuietLog}},
		func(core.Transport) core.TransportHandler { return nil })
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, crec := wampDial(t, l.(*websocket.WAMPListener).URL(), core.TransportConfig{})
	if err := crec.WaitClose(t); err != nil {
		// Closed with 1000: clean.
		t.Errorf("OnClose(%v)", err)
	}
}

// TestWAMPRegistry: ws and wss are registered; Dial and Listen go through
// the registry; bad URLs, schemes and options are errors.
func TestWAMPRegistry(t *testing.T) {
	schemes := registry.Default.TransportSchemes()
	for _, s := range []string{"ws", "wss"} {
		f, err := registry.Default.Transport(s)
		if err != nil {
			t.Fatalf("scheme %s: %v (registered: %v)", s, err, schemes)
		}
		if _, ok := f.(*websocket.WAMPFactory); !ok {
			t.Errorf("scheme %s served by %T", s, f)
		}
	}
	l, recs := wampServer(t, "ws://127.0.0.1:0/path", core.TransportConfig{}, nil)
	if !strings.HasSuffix(l.URL(), "/path") {
		t.Fatalf("URL %s", l.URL())
	}
	cli, _ := wampDial(t, l.URL(), core.TransportConfig{})
	recvRec(t, recs)
	cli.Abort()

	ctx := context.Background()
	accept := func(core.Transport) core.TransportHandler { return testpeer.NewRecorder() }
	quiet := websocket.WAMPOptions{Logger: wampQuietLog}
	dialErrs := []struct {
		url  string
		cfg  core.TransportConfig
		want string
	}{
		{"nosuch://127.0.0.1:1", core.TransportConfig{}, "no transport for URL scheme"},
		{"ws://[::1", core.TransportConfig{}, "bad transport URL"},
		{"127.0.0.1:8080", core.TransportConfig{}, "bad transport URL"},
		{"localhost", core.TransportConfig{}, "no scheme"},
		{"ws:///nohost", core.TransportConfig{}, "missing hostname"},
		{"ws://127.0.0.1:99999/", core.TransportConfig{}, "invalid port"},
		{l.URL() + "#frag", core.TransportConfig{}, "fragment"},
		{strings.Replace(l.URL(), "/path", "/other", 1), core.TransportConfig{Options: quiet}, "404"},
		{l.URL(), core.TransportConfig{Options: map[string]any{"noSuchOption": 1}}, "unknown WebSocket option"},
		{l.URL(), core.TransportConfig{Options: map[string]any{"autoPingSize": 3}}, "autoPingSize"},
		{l.URL(), core.TransportConfig{Options: 42}, "unsupported transport options"},
		{l.URL(), core.TransportConfig{Serializers: []core.Serializer{nil}}, "nil"},
	}
	for _, tc := range dialErrs {
		tr, err := registry.Dial(ctx, tc.url, tc.cfg, testpeer.NewRecorder())
		if err == nil {
			tr.Abort()
			t.Errorf("Dial %s succeeded", tc.url)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Dial %s: %v, want an error about %q", tc.url, err, tc.want)
		}
	}
	if _, err := (&websocket.WAMPFactory{}).Dial(ctx, mustParseURL(t, l.URL()), core.TransportConfig{}, nil); err == nil {
		t.Error("Dial with a nil handler succeeded")
	}
	listenErrs := []struct {
		url  string
		cfg  core.TransportConfig
		want string
	}{
		{"wss://127.0.0.1:0", core.TransportConfig{}, "certificate"},
		{"ws://127.0.0.1:0/?a=1", core.TransportConfig{}, "query"},
		{"ws://user:pw@127.0.0.1:0/", core.TransportConfig{}, "user information"},
		{"ws://127.0.0.1:70000/", core.TransportConfig{}, "invalid port"},
		{"ws://127.0.0.1:/", core.TransportConfig{}, "empty port"},
		{"ws://unix:", core.TransportConfig{}, "socket path"},
		{"ws://127.0.0.1:0", core.TransportConfig{Options: map[string]any{"maxConnections": "many"}}, "maxConnections"},
		{"ws://256.0.0.1:0", core.TransportConfig{}, "listen"},
	}
	for _, tc := range listenErrs {
		ln, err := registry.Listen(ctx, tc.url, tc.cfg, accept)
		if err == nil {
			ln.Close()
			t.Errorf("Listen %s succeeded", tc.url)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Listen %s: %v, want an error about %q", tc.url, err, tc.want)
		}
	}
	if _, err := registry.Listen(ctx, "ws://127.0.0.1:0", core.TransportConfig{}, nil); err == nil {
		t.Error("Listen with a nil acceptor succeeded")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := registry.Listen(cctx, "ws://127.0.0.1:0", core.TransportConfig{}, accept); !errors.Is(err, context.Canceled) {
		t.Errorf("Listen with a cancelled context: %v", err)
	}
}

// TestWAMPUnixSocket: ws://unix:/path listens and dials on a Unix socket.
func TestWAMPUnixSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wamp.sock")
	l, recs := wampServer(t, "ws://unix:"+path, core.TransportConfig{}, nil)
	if l.URL() != "ws://unix:"+path {
		t.Errorf("URL %s", l.URL())
	}
	cli, crec := wampDial(t, l.URL(), core.TransportConfig{})
	srv := recvRec(t, recs)
	m := &core.Goodbye{Reason: core.URICloseNormal}
	if err := cli.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	sameMessage(t, srv.Next(t), m)
	if cli.Details().Peer != "unix:"+path {
		t.Errorf("client peer %q", cli.Details().Peer)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wampWait)
	defer cancel()
	cli.Close(ctx)
	crec.WaitClose(t)
}

// TestWAMPOptions: defaults and the map form.
func TestWAMPOptions(t *testing.T) {
	def := websocket.WAMPClientOptions().WebSocket
	want := websocket.Options{
		MaxFramePayloadSize: 1 << 20, MaxMessagePayloadSize: 1 << 20, AutoFragmentSize: 64 << 10,
		OpenHandshakeTimeout: 2500 * time.Millisecond,
		AutoPingInterval:     10 * time.Second, AutoPingTimeout: 5 * time.Second,
		PerMessageCompressionOffers: []websocket.DeflateOffer{websocket.ClientDeflateOffer},
	}
	if !reflect.DeepEqual(def, want) {
		t.Errorf("client defaults\n got %+v\nwant %+v", def, want)
	}
	tests := []struct {
		name    string
		m       map[string]any
		check   func(websocket.WAMPOptions) bool
		wantErr string
	}{
		{"unnamed options keep the side's defaults", map[string]any{"autoPingInterval": 2}, func(o websocket.WAMPOptions) bool {
			return o.WebSocket.AutoPingInterval == 2*time.Second && o.WebSocket.MaxMessagePayloadSize == 0
		}, ""},
		{"snake case", map[string]any{"max_message_payload_size": 4096, "send_queue_size": 10}, func(o websocket.WAMPOptions) bool {
			return o.WebSocket.MaxMessagePayloadSize == 4096 && o.Queue.MaxBytes == 10
		}, ""},
		{"queue options", map[string]any{"maxBatchSize": 100, "slow_peer_policy": "fail", "stallTimeout": 2}, func(o websocket.WAMPOptions) bool {
			return o.Queue == core.QueueOptions{MaxBatchSize: 100, Policy: core.SlowPeerFail, StallTimeout: 2 * time.Second}
		}, ""},
		{"0 turns a limit off", map[string]any{"maxMessagePayloadSize": 0, "autoPingInterval": 0}, func(o websocket.WAMPOptions) bool {
			return o.WebSocket.MaxMessagePayloadSize < 0 && o.WebSocket.AutoPingInterval < 0
		}, ""},
		{"disable compression offer", map[string]any{"perMessageCompressionOffers": false}, func(o websocket.WAMPOptions) bool {
			return o.WebSocket.PerMessageCompressionOffers != nil && len(o.WebSocket.PerMessageCompressionOffers) == 0
		}, ""},
		{"debug options", map[string]any{"logFrames": true, "log_octets": true, "trackTimings": true}, func(o websocket.WAMPOptions) bool {
			return o.WebSocket.LogFrames && o.WebSocket.LogOctets && o.WebSocket.TrackTimings
		}, ""},
		{"unknown", map[string]any{"nope": true}, nil, "unknown WebSocket option"},
		{"bad queue", map[string]any{"sendQueueSize": "big"}, nil, "sendQueueSize"},
		{"negative batch", map[string]any{"maxBatchSize": -1}, nil, "maxBatchSize"},
		{"bad policy", map[string]any{"slowPeerPolicy": "wait"}, nil, "slow-peer policy"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := websocket.WAMPOptionsFromMap(tc.m)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(o) {
				t.Errorf("options %+v", o)
			}
		})
	}
}

// TestWAMPProxy: cfg.Proxy takes the client through an HTTP CONNECT proxy.
func TestWAMPProxy(t *testing.T) {
	var tunnels sync.WaitGroup
	defer tunnels.Wait()
	connects := make(chan string, 1)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		connects <- r.Host
		up, err := net.Dial("tcp", r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusOK)
		down, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			up.Close()
			return
		}
		tunnels.Add(2)
		go func() {
			defer tunnels.Done()
			io.Copy(up, brw)
			up.(*net.TCPConn).CloseWrite()
		}()
		go func() {
			defer tunnels.Done()
			io.Copy(down, up)
			down.Close()
			up.Close()
		}()
	}))
	defer proxy.Close()

	l, recs := wampServer(t, "ws://127.0.0.1:0/ws", core.TransportConfig{}, nil)
	cli, crec := wampDial(t, l.URL(), core.TransportConfig{Proxy: mustParseURL(t, proxy.URL)})
	if got := <-connects; got != l.Addr().String() {
		t.Errorf("proxy asked for %s, want %s", got, l.Addr())
	}
	srv := recvRec(t, recs)
	m := &core.Publish{Request: 1, Topic: "com.example.proxied"}
	if err := cli.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	sameMessage(t, srv.Next(t), m)
	ctx, cancel := context.WithTimeout(context.Background(), wampWait)
	defer cancel()
	if err := cli.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := crec.WaitClose(t); err != nil {
		t.Errorf("OnClose(%v)", err)
	}
}
