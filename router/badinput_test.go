package router

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/transports/websocket"

	_ "github.com/autobahn-go/autobahn/serializers/json"
)

// rawPeer speaks WAMP-over-WebSocket text by hand, to send what no
// well-behaved client would.
type rawPeer struct {
	msgs   chan string
	closed chan int // the close code
}

func (p *rawPeer) OnConnect(*websocket.ConnectionResponse) error { return nil }
func (p *rawPeer) OnOpen(*websocket.Conn)                        {}
func (p *rawPeer) OnMessage(b []byte, _ bool)                    { p.msgs <- string(b) }
func (p *rawPeer) OnClose(_ bool, code int, _ string)            { p.closed <- code }

// serveWS serves r over WebSocket on a loopback port and returns its URL.
func serveWS(t *testing.T, r *Router) string {
	t.Helper()
	l, err := registry.Listen(t.Context(), "ws://127.0.0.1:0/ws", core.TransportConfig{}, r.Accept)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l.(*websocket.WAMPListener).URL()
}

const helloJSON = `[1,"realm1",{"roles":{"caller":{},"callee":{},"publisher":{},"subscriber":{}}}]`

func TestBadInput(t *testing.T) {
	r := newRouter(t, Options{})
	url := serveWS(t, r)
	// A bystander in another realm session keeps working throughout.
	callee, caller := join(t, r, "realm1"), join(t, r, "realm1")
	callee.register("com.example.alive", core.RegisterOptions{})

	for _, tc := range []struct {
		name  string
		hello bool
		send  []string
		// want: a message prefix the router answers with, and whether the
		// connection then closes (with close code, 0 for any).
		want      []string
		closes    bool
		closeCode int
	}{
		{name: "message before HELLO", send: []string{`[48,1,{},"com.example.alive"]`},
			want: []string{`[3,{"message":"CALL received before HELLO"},"wamp.error.protocol_violation"]`}, closes: true},
		{name: "GOODBYE before HELLO", send: []string{`[6,{},"wamp.close.normal"]`},
			want: []string{`[3,`}, closes: true},
		{name: "second HELLO", hello: true, send: []string{helloJSON},
			want: []string{`[3,{"message":"second HELLO on an established session"},"wamp.error.protocol_violation"]`}, closes: true},
		{name: "router-only message", hello: true, send: []string{`[36,1,2,{}]`},
			want: []string{`[3,{"message":"EVENT is not a message a router accepts"},"wamp.error.protocol_violation"]`}, closes: true},
		{name: "ERROR for a CALL", hello: true, send: []string{`[8,48,1,{},"com.example.e"]`},
			want: []string{`[3,`}, closes: true},
		{name: "float request ID", hello: true, send: []string{`[48,1.5,{},"com.example.alive"]`}, closes: true, closeCode: 1002},
		{name: "request ID beyond 2^53", hello: true, send: []string{`[48,9007199254740993,{},"com.example.alive"]`}, closes: true, closeCode: 1002},
		{name: "request ID zero", hello: true, send: []string{`[48,0,{},"com.example.alive"]`}, closes: true, closeCode: 1002},
		{name: "unknown message type", hello: true, send: []string{`[99,1]`}, closes: true, closeCode: 1002},
		{name: "wrong arity", hello: true, send: []string{`[48,1,{}]`}, closes: true, closeCode: 1002},
		{name: "wrong type", hello: true, send: []string{`[32,1,[],"com.example.t"]`}, closes: true, closeCode: 1002},
		{name: "not a list", hello: true, send: []string{`{"a":1}`}, closes: true, closeCode: 1002},
		{name: "not JSON", hello: true, send: []string{`[48,1,`}, closes: true, closeCode: 1002},
		{name: "bool option", hello: true, send: []string{`[48,1,{"timeout":true},"com.example.alive"]`}, closes: true, closeCode: 1002},
		{name: "CALL to nobody", hello: true, send: []string{`[48,1,{},"com.example.nobody"]`, `[48,2,{},"com.example.nobody"]`},
			want: []string{`[8,48,1,{},"wamp.error.no_such_procedure"`, `[8,48,2,{},"wamp.error.no_such_procedure"`}},
		{name: "invalid URI (strict)", hello: true, send: []string{`[32,1,{},"com.Example.T"]`, `[64,2,{},"com.Upper-Case"]`},
			want: []string{`[8,32,1,{},"wamp.error.invalid_uri"`, `[8,64,2,{},"wamp.error.invalid_uri"`}},
		{name: "unknown IDs", hello: true, send: []string{`[34,1,12345]`, `[66,2,12345]`, `[70,777,{}]`, `[49,778,{}]`, `[48,3,{},"com.example.nobody"]`},
			want: []string{`[8,34,1,{},"wamp.error.no_such_subscription"`, `[8,66,2,{},"wamp.error.no_such_registration"`, `[8,48,3,`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &rawPeer{msgs: make(chan string, 16), closed: make(chan int, 1)}
			d := websocket.Dialer{Protocols: []string{"wamp.2.json"}}
			ctx, cancel := context.WithTimeout(t.Context(), wait)
			defer cancel()
			conn, err := d.Dial(ctx, url, p)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Abort()
			if tc.hello {
				conn.SendMessage([]byte(helloJSON), false)
				if m := <-p.msgs; !strings.HasPrefix(m, "[2,") {
					t.Fatalf("got %s, want WELCOME", m)
				}
			}
			for _, m := range tc.send {
				conn.SendMessage([]byte(m), false)
			}
			for _, want := range tc.want {
				select {
				case m := <-p.msgs:
					if !strings.HasPrefix(m, want) {
						t.Fatalf("got %s\nwant %s…", m, want)
					}
				case <-time.After(wait):
					t.Fatalf("no answer, want %s…", want)
				}
			}
			select {
			case code := <-p.closed:
				if !tc.closes {
					t.Fatalf("connection closed (%d)", code)
				}
				if tc.closeCode != 0 && code != tc.closeCode {
					t.Fatalf("close code %d, want %d", code, tc.closeCode)
				}
			case m := <-p.msgs:
				t.Fatalf("unexpected %s", m)
			case <-time.After(100 * time.Millisecond):
				if tc.closes {
					select {
					case <-p.closed:
					case <-time.After(wait):
						t.Fatal("connection not closed")
					}
				}
			}
			// Everyone else carries on.
			req := caller.call("com.example.alive", core.CallOptions{})
			callee.serve()
			equal(t, "bystander's call", expect[*core.Result](caller).Request, req)
		})
	}
	if r.Stats().ProtocolViolations == 0 {
		t.Fatal("violations not counted")
	}
}
