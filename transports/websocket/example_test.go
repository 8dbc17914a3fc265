package websocket_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/autobahn-go/autobahn/transports/websocket"
)

// echoServer is a ServerHandler that sends every message back.
type echoServer struct{ conn *websocket.Conn }

func (e *echoServer) OnConnect(req *websocket.ConnectionRequest) (websocket.ConnectionAccept, error) {
	if req.Path != "/echo" {
		return websocket.ConnectionAccept{}, websocket.Deny(404, "no such resource")
	}
	return websocket.ConnectionAccept{}, nil
}
func (e *echoServer) OnOpen(c *websocket.Conn)                       { e.conn = c }
func (e *echoServer) OnMessage(payload []byte, isBinary bool)        { e.conn.SendMessage(payload, isBinary) }
func (e *echoServer) OnClose(wasClean bool, code int, reason string) {}

// greeter is a ClientHandler that prints what it gets.
type greeter struct{ done chan struct{} }

func (g *greeter) OnConnect(resp *websocket.ConnectionResponse) error { return nil }
func (g *greeter) OnOpen(c *websocket.Conn) {
	c.SendMessage([]byte("Hello, world!"), false)
}
func (g *greeter) OnMessage(payload []byte, isBinary bool) {
	fmt.Printf("received %q\n", payload)
	close(g.done)
}
func (g *greeter) OnClose(wasClean bool, code int, reason string) {
	fmt.Println("closed", wasClean, code)
}

// A server mounted in an HTTP server, and a client talking to it.
func Example() {
	server := websocket.NewServer(func() websocket.ServerHandler { return &echoServer{} }, websocket.Options{})
	ts := httptest.NewServer(server) // or websocket.ListenAndServe(ctx, addr, ...)
	defer ts.Close()

	g := &greeter{done: make(chan struct{})}
	url := "ws" + strings.TrimPrefix(ts.URL, "http") + "/echo"
	conn, err := websocket.Dial(context.Background(), url, g, websocket.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	<-g.done
	conn.Close(context.Background())

	_, err = websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(ts.URL, "http")+"/other", g, websocket.Options{})
	var denied *websocket.HandshakeError
	if errors.As(err, &denied) {
		fmt.Println("denied:", denied.StatusCode, denied.Reason)
	}
	// Output:
	// received "Hello, world!"
	// closed true 1000
	// denied: 404 no such resource
}

// Protocol options as found in Autobahn and Crossbar.io configurations.
func ExampleOptionsFromMap() {
	opts, err := websocket.OptionsFromMap(map[string]any{
		"autoPingInterval":      10,
		"autoPingTimeout":       5,
		"maxMessagePayloadSize": 1 << 20,
		"failByDrop":            false,
		"allowedOrigins":        []any{"https://*.example.com:443"},
	})
	fmt.Println(opts.AutoPingInterval, opts.AutoPingTimeout, opts.MaxMessagePayloadSize, opts.FailByClose, opts.AllowedOrigins, err)

	_, err = websocket.OptionsFromMap(map[string]any{"maskServerFrames": true})
	fmt.Println(err)
	// Output:
	// 10s 5s 1048576 true [https://*.example.com:443] <nil>
	// websocket: option "maskServerFrames": only false is supported
}

func ExampleParseURL() {
	u, err := websocket.ParseURL("wss://example.com/ws?realm=realm1")
	fmt.Println(u.Secure, u.Host, u.Port, u.Resource, u.Path, u.Params, err)
	s, _ := websocket.CreateURL("localhost", 0, false, "ws", nil)
	fmt.Println(s)
	// Output:
	// true example.com 443 /ws?realm=realm1 /ws map[realm:[realm1]] <nil>
	// ws://localhost:80/ws
}
