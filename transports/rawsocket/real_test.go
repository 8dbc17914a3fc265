package rawsocket

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"
	_ "github.com/autobahn-go/autobahn/serializers/cbor"
	_ "github.com/autobahn-go/autobahn/serializers/json"
	_ "github.com/autobahn-go/autobahn/serializers/msgpack"
	_ "github.com/autobahn-go/autobahn/serializers/ubjson"
)

// realSerializers are the registered plain serializers (the test imports
// them), in the default preference order.
func realSerializers(t testing.TB) []core.Serializer {
	sers := registry.Default.RawSocketSerializers()
	if len(sers) == 0 {
		t.Fatal("no serializers registered")
	}
	return sers
}

// TestRealSerializers runs WAMP messages through every registered serializer
// over TCP, TLS and Unix sockets, with the default serializer configuration
// on the server (every registered one).
func TestRealSerializers(t *testing.T) {
	call := &core.Call{
		Request:   7,
		Procedure: "com.example.add",
		Args:      []any{int64(1), "zwei", 3.5, []byte{0, 1, 2}, nil, true},
		Kwargs:    map[string]any{"list": []any{int64(-1), uint64(1 << 63)}, "map": map[string]any{"a": "b"}},
	}
	for _, ep := range endpoints(t) {
		for _, ser := range realSerializers(t) {
			t.Run(ep.name+"/"+ser.Name(), func(t *testing.T) {
				ts := startServer(t, ep.listen, ep.srvCfg, true)
				cfg := ep.cliCfg
				cfg.Serializers = []core.Serializer{ser}
				cli := newRecorder(false)
				tr, err := dial(t, ts.url, cfg, cli)
				if err != nil {
					t.Fatal(err)
				}
				if err := tr.Send(context.Background(), call); err != nil {
					t.Fatal(err)
				}
				select {
				case m := <-cli.Msgs:
					if !reflect.DeepEqual(m, call) {
						t.Fatalf("echo:\n got %#v\nwant %#v", m, call)
					}
				case err := <-cli.Closed:
					t.Fatalf("closed: %v", err)
				}
				if got := ts.next(t).WaitOpen(t).Details().Serializer; got != ser {
					t.Errorf("server picked %s", got.Name())
				}
			})
		}
	}
}

func TestDefaultClientSerializer(t *testing.T) {
	ts := startServer(t, "rs://127.0.0.1:0", core.TransportConfig{}, true)
	tr, err := dial(t, ts.url, core.TransportConfig{}, newRecorder(false))
	if err != nil {
		t.Fatal(err)
	}
	want := realSerializers(t)[0]
	if got := tr.Details().Serializer; got != want {
		t.Fatalf("default serializer %s, want %s", got.Name(), want.Name())
	}
	// The full registry list (batched first) also picks the first plain one.
	tr2, err := dial(t, ts.url, core.TransportConfig{Serializers: registry.Default.Serializers()}, newRecorder(false))
	if err != nil {
		t.Fatal(err)
	}
	if got := tr2.Details().Serializer; got != want {
		t.Fatalf("serializer from the full list %s, want %s", got.Name(), want.Name())
	}
}

// TestRealGarbage: bytes a real serializer cannot decode, or a valid value
// that is no WAMP message, fail that connection only.
func TestRealGarbage(t *testing.T) {
	json, err := registry.Default.Serializer("json")
	if err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, "rs://127.0.0.1:0", core.TransportConfig{Serializers: []core.Serializer{json}}, true)
	for _, payload := range []string{"[1, \"realm\"", "\xff\xfe", "{}", "[999]", "[48, 1.5, {}, \"p\"]"} {
		c := rawDial(t, ts)
		if _, err := c.handshake(t, 0x7F, 0xF1, 0, 0); err != nil {
			t.Fatal(err)
		}
		srv := ts.next(t)
		c.Write(frame(frameMessage, payload))
		err := srv.WaitClose(t)
		if !errors.Is(err, ErrProtocolViolation) || !errors.Is(err, core.ErrTransportLost) {
			t.Errorf("payload %q: OnClose(%v), want a protocol violation", payload, err)
		}
	}
}
