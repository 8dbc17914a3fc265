package websocket_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/transports/websocket"
)

// wampGreeter welcomes every HELLO; a stand-in for a router session.
type wampGreeter struct{ t core.Transport }

func (g *wampGreeter) OnOpen(t core.Transport) { g.t = t }
func (g *wampGreeter) OnMessage(m core.Message) {
	if h, ok := m.(*core.Hello); ok {
		g.t.Send(context.Background(), &core.Welcome{Session: 1, Details: core.WelcomeDetails{
			Realm: h.Realm, Roles: map[string]core.Role{"broker": {}},
		}})
	}
}
func (g *wampGreeter) OnClose(error) {}

// wampExampleClient prints what it receives.
type wampExampleClient struct{ got chan core.Message }

func (c *wampExampleClient) OnOpen(core.Transport)    {}
func (c *wampExampleClient) OnMessage(m core.Message) { c.got <- m }
func (c *wampExampleClient) OnClose(error)            {}

// ExampleNewWAMPHandler serves WAMP on an http.ServeMux and dials it
// through the registry.
func ExampleNewWAMPHandler() {
	h, err := websocket.NewWAMPHandler(nil, core.TransportConfig{}, func(core.Transport) core.TransportHandler {
		return &wampGreeter{}
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/ws", h)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	ctx := context.Background()
	c := &wampExampleClient{got: make(chan core.Message, 1)}
	// The wampExampleClient offers every registered serializer (cbor.batched first);
	// the server picks the first it supports in the wampExampleClient's order.
	t, err := registry.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", core.TransportConfig{}, c)
	if err != nil {
		panic(err)
	}
	defer t.Close(ctx)
	fmt.Println("subprotocol:", t.Details().Extra["protocol"])

	t.Send(ctx, &core.Hello{Realm: "realm1", Details: core.HelloDetails{Roles: map[string]core.Role{"caller": {}}}})
	w := (<-c.got).(*core.Welcome)
	fmt.Println("welcome to", w.Details.Realm, "session", w.Session)
	// Output:
	// subprotocol: wamp.2.cbor.batched
	// welcome to realm1 session 1
}

// ExampleWAMPFactory_Listen listens on a free port through the registry.
func ExampleWAMPFactory_Listen() {
	ctx := context.Background()
	l, err := registry.Listen(ctx, "ws://127.0.0.1:0/ws", core.TransportConfig{}, func(core.Transport) core.TransportHandler {
		return &wampGreeter{}
	})
	if err != nil {
		panic(err)
	}
	defer l.Close()
	wl := l.(*websocket.WAMPListener)

	json, _ := registry.Default.Serializer("json")
	c := &wampExampleClient{got: make(chan core.Message, 1)}
	t, err := registry.Dial(ctx, wl.URL(), core.TransportConfig{Serializers: []core.Serializer{json}}, c)
	if err != nil {
		panic(err)
	}
	defer t.Close(ctx)
	t.Send(ctx, &core.Hello{Realm: "realm1", Details: core.HelloDetails{Roles: map[string]core.Role{"caller": {}}}})
	fmt.Printf("%T over %s\n", <-c.got, t.Details().Serializer.Name())
	// Output: *core.Welcome over json
}
