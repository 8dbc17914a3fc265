package rawsocket_test

import (
	"context"
	"fmt"
	"log"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"
	_ "github.com/autobahn-go/autobahn/serializers/json"
	"github.com/autobahn-go/autobahn/transports/rawsocket"
)

// echo sends every message it receives back.
type echo struct{ t core.Transport }

func (e *echo) OnOpen(t core.Transport)  { e.t = t }
func (e *echo) OnMessage(m core.Message) { e.t.Send(context.Background(), m) }
func (e *echo) OnClose(error)            {}

// printer prints what it receives; got and closed signal the first message
// and the end of the transport.
type printer struct{ got, closed chan struct{} }

func (p *printer) OnOpen(core.Transport) {}
func (p *printer) OnMessage(m core.Message) {
	if pub, ok := m.(*core.Publish); ok {
		fmt.Println("received", m.Type(), pub.Topic, pub.Args)
	}
	close(p.got)
}
func (p *printer) OnClose(err error) {
	fmt.Println("closed, error:", err)
	close(p.closed)
}

// A RawSocket server and client through the registry: importing the package
// (a blank import is enough) registers the rs, rss, tcp and unix schemes.
func Example() {
	ctx := context.Background()
	json, err := registry.Default.Serializer("json")
	if err != nil {
		log.Fatal(err)
	}
	cfg := core.TransportConfig{Serializers: []core.Serializer{json}}

	l, err := registry.Listen(ctx, "rs://127.0.0.1:0", cfg, func(t core.Transport) core.TransportHandler {
		return &echo{}
	})
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()

	p := &printer{got: make(chan struct{}), closed: make(chan struct{})}
	t, err := registry.Dial(ctx, "rs://"+l.Addr().String(), cfg, p)
	if err != nil {
		log.Fatal(err)
	}
	err = t.Send(ctx, &core.Publish{Request: 1, Topic: "com.example.topic", Args: []any{"hello"}})
	if err != nil {
		log.Fatal(err)
	}
	<-p.got
	d := t.Details()
	fmt.Println(d.Framing, d.Serializer.Name(), d.Extra["max_message_size"])
	t.Close(ctx)
	<-p.closed // OnClose runs on the transport's reader goroutine
	// Output:
	// received PUBLISH com.example.topic [hello]
	// rawsocket json 16777216
	// closed, error: <nil>
}

// Autobahn component configurations describe a RawSocket endpoint as a map;
// ParseEndpoint turns it into the URL to dial.
func ExampleParseEndpoint() {
	for _, cfg := range []map[string]any{
		{"type": "tcp", "host": "router.example.com", "port": 8080},
		{"type": "tcp", "host": "router.example.com", "port": 443, "tls": true},
		{"type": "unix", "path": "/run/router.sock"},
	} {
		ep, err := rawsocket.ParseEndpoint(cfg)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(ep.URL, ep.Timeout)
	}
	// Output:
	// rs://router.example.com:8080 10s
	// rss://router.example.com:443 10s
	// rs://unix:/run/router.sock 10s
}

// Options come as a struct, or as a map with Autobahn's option names.
func ExampleOptionsFromMap() {
	opts, err := rawsocket.OptionsFromMap(map[string]any{"maxMessagePayloadSize": 65536, "tcp_nodelay": true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(opts.MaxMessagePayloadSize, opts.DisableTCPNoDelay)
	_, err = rawsocket.OptionsFromMap(map[string]any{"autoPingInterval": 10})
	fmt.Println(err != nil)
	// Output:
	// 65536 false
	// true
}
