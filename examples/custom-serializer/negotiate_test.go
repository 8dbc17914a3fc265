package main

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/examples/custom-serializer/bson"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/router"
	"github.com/autobahn-go/autobahn/serializers/cbor"
	"github.com/autobahn-go/autobahn/serializers/json"
	"github.com/autobahn-go/autobahn/serializers/serializertest"
	"github.com/autobahn-go/autobahn/transports/rawsocket"
	"github.com/autobahn-go/autobahn/wamp"

	_ "github.com/autobahn-go/autobahn/serializers/msgpack"
)

func TestMain(m *testing.M) {
	os.Exit(testpeer.RunWithLeakCheck(m, "autobahn/wamp.", "autobahn/router.", "autobahn/transports/"))
}

const (
	realm = "realm1"
	wait  = 10 * time.Second
)

// testRouter is a router with a WebSocket and a RawSocket listener that
// records the serializer each accepted connection negotiated.
type testRouter struct {
	ws, rs string
	mu     sync.Mutex
	chosen []string // "websocket bson.batched", "rawsocket bson", …
}

// startRouter serves realm1 with cfg on both listeners; everything is
// closed when the test ends.
func startRouter(t *testing.T, cfg core.TransportConfig) *testRouter {
	t.Helper()
	r, err := router.New(router.Options{Realms: []string{realm}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		r.Close(ctx)
	})
	tr := &testRouter{}
	accept := func(tp core.Transport) core.TransportHandler {
		d := tp.Details()
		tr.mu.Lock()
		tr.chosen = append(tr.chosen, string(d.Framing)+" "+d.Serializer.Name())
		tr.mu.Unlock()
		return r.Accept(tp)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	for _, u := range []string{"ws://127.0.0.1:0/ws", "rs://127.0.0.1:0"} {
		l, err := registry.Listen(ctx, u, cfg, accept)
		if err != nil {
			t.Fatalf("listen %s: %v", u, err)
		}
		t.Cleanup(func() { l.Close() })
		if strings.HasPrefix(u, "ws") {
			tr.ws = "ws://" + l.Addr().String() + "/ws"
		} else {
			tr.rs = "rs://" + l.Addr().String()
		}
	}
	return tr
}

// last returns what the most recent connection negotiated.
func (tr *testRouter) last() string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if len(tr.chosen) == 0 {
		return ""
	}
	return tr.chosen[len(tr.chosen)-1]
}

// connect dials url offering offered, in that order, joins realm1 and
// checks what the router says was negotiated.
func connect(t *testing.T, tr *testRouter, url string, offered []core.Serializer, want string) *wamp.Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	s, err := wamp.Dial(ctx, url, core.TransportConfig{Serializers: offered}, wamp.Config{Logger: quiet})
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { leave(s) })
	if _, err := s.Join(ctx, realm, wamp.JoinOptions{}); err != nil {
		t.Fatalf("join over %s: %v", url, err)
	}
	if got := tr.last(); got != want {
		t.Fatalf("the router negotiated %q for %s, want %q", got, url, want)
	}
	return s
}

// payload is what the tests send: every kind of value of core's
// representation, an integer above int64 and bytes included.
func payload() ([]any, map[string]any) {
	return []any{nil, true, int64(-7), int64(math.MinInt64), uint64(math.MaxUint64), 0.1, "é", []byte{0, 0xff}, []any{[]any{}}},
		map[string]any{"m": map[string]any{"k": []byte("v")}, "empty": map[string]any{}}
}

// exercise makes a call from caller to a procedure that callee registers
// (echoing its arguments) and a publication from caller to a subscription
// of callee, checking that every value arrives unchanged.
func exercise(t *testing.T, callee, caller *wamp.Session, uri string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	args, kwargs := payload()
	_, err := callee.Register(ctx, uri, func(_ context.Context, inv *wamp.Invocation) (*wamp.Result, error) {
		if !serializertest.Same(inv.Args, args) || !serializertest.Same(inv.Kwargs, kwargs) {
			return nil, core.NewApplicationError("com.example.error.changed", serializertest.Show(inv.Args), serializertest.Show(inv.Kwargs))
		}
		return &wamp.Result{Args: inv.Args, Kwargs: inv.Kwargs}, nil
	}, core.RegisterOptions{})
	if err != nil {
		t.Fatalf("register %s: %v", uri, err)
	}
	events := make(chan *wamp.Event, 1)
	if _, err := callee.Subscribe(ctx, uri, func(_ context.Context, ev *wamp.Event) { events <- ev }, core.SubscribeOptions{}); err != nil {
		t.Fatalf("subscribe %s: %v", uri, err)
	}
	res, err := caller.Call(ctx, uri, args, kwargs, wamp.CallOptions{})
	if err != nil {
		t.Fatalf("call %s: %v", uri, err)
	}
	if !serializertest.Same(res.Args, args) || !serializertest.Same(res.Kwargs, kwargs) {
		t.Errorf("call %s returned %s %s", uri, serializertest.Show(res.Args), serializertest.Show(res.Kwargs))
	}
	if _, err := caller.Publish(ctx, uri, args, kwargs, core.PublishOptions{Acknowledge: wamp.Ptr(true)}); err != nil {
		t.Fatalf("publish %s: %v", uri, err)
	}
	select {
	case ev := <-events:
		if !serializertest.Same(ev.Args, args) || !serializertest.Same(ev.Kwargs, kwargs) {
			t.Errorf("event on %s: %s %s", uri, serializertest.Show(ev.Args), serializertest.Show(ev.Kwargs))
		}
	case <-ctx.Done():
		t.Fatalf("no event on %s", uri)
	}
}

var bsonOnly = []core.Serializer{bson.Serializer}

// TestBSONOnly joins sessions that offer nothing but BSON over WebSocket
// (plain and batched) and RawSocket, to a router that accepts every
// registered serializer, and has them call, publish and subscribe across
// the transports.
func TestBSONOnly(t *testing.T) {
	tr := startRouter(t, core.TransportConfig{})
	ws := connect(t, tr, tr.ws, bsonOnly, "websocket bson")
	rs := connect(t, tr, tr.rs, bsonOnly, "rawsocket bson")
	wsb := connect(t, tr, tr.ws, []core.Serializer{bson.Batched}, "websocket bson.batched")
	exercise(t, ws, rs, "com.example.ws_from_rs")
	exercise(t, rs, ws, "com.example.rs_from_ws")
	exercise(t, wsb, rs, "com.example.batched_from_rs")
}

// TestBSONAmongOthers offers BSON beside other serializers: first in the
// offer, it wins; after serializers that the router does not accept, it
// is the one the router picks. RawSocket offers the first plain serializer
// of the list.
func TestBSONAmongOthers(t *testing.T) {
	t.Run("preferred", func(t *testing.T) {
		tr := startRouter(t, core.TransportConfig{})
		ws := connect(t, tr, tr.ws, []core.Serializer{bson.Batched, bson.Serializer, cbor.Serializer, json.Serializer}, "websocket bson.batched")
		rs := connect(t, tr, tr.rs, []core.Serializer{bson.Batched, bson.Serializer, json.Serializer}, "rawsocket bson")
		exercise(t, ws, rs, "com.example.preferred")
	})
	t.Run("the one the router accepts", func(t *testing.T) {
		tr := startRouter(t, core.TransportConfig{Serializers: []core.Serializer{bson.Serializer, bson.Batched}})
		ws := connect(t, tr, tr.ws, []core.Serializer{cbor.Batched, json.Serializer, bson.Serializer}, "websocket bson")
		rs := connect(t, tr, tr.rs, bsonOnly, "rawsocket bson")
		exercise(t, rs, ws, "com.example.accepted")
	})
}

// TestMixedSerializers has a JSON peer and a BSON peer talk through the
// router, both ways and over both transports: bytes cross as the JSON
// binary convention on one side and BSON binary on the other, the integer
// above int64 as a JSON number and a decimal128.
func TestMixedSerializers(t *testing.T) {
	tr := startRouter(t, core.TransportConfig{})
	jsonWS := connect(t, tr, tr.ws, []core.Serializer{json.Serializer}, "websocket json")
	bsonRS := connect(t, tr, tr.rs, bsonOnly, "rawsocket bson")
	jsonRS := connect(t, tr, tr.rs, []core.Serializer{json.Serializer}, "rawsocket json")
	bsonWS := connect(t, tr, tr.ws, []core.Serializer{bson.Batched}, "websocket bson.batched")
	exercise(t, jsonWS, bsonRS, "com.example.json_callee")
	exercise(t, bsonRS, jsonWS, "com.example.bson_callee")
	exercise(t, jsonRS, bsonWS, "com.example.json_rs_callee")
	exercise(t, bsonWS, jsonRS, "com.example.bson_ws_callee")
}

// TestRouterWithoutBSON checks the refusals a BSON-only client meets at a
// router that does not accept BSON: HTTP 400 naming the subprotocols on
// WebSocket, the handshake error "serializer unsupported" on RawSocket.
func TestRouterWithoutBSON(t *testing.T) {
	tr := startRouter(t, core.TransportConfig{Serializers: []core.Serializer{json.Serializer, cbor.Serializer}})
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	_, err := wamp.Dial(ctx, tr.ws, core.TransportConfig{Serializers: bsonOnly}, wamp.Config{Logger: quiet})
	if err == nil || !strings.Contains(err.Error(), "wamp.2.bson") {
		t.Errorf("WebSocket dial offering only BSON: %v, want a refusal naming wamp.2.bson", err)
	}
	_, err = wamp.Dial(ctx, tr.rs, core.TransportConfig{Serializers: bsonOnly}, wamp.Config{Logger: quiet})
	var he *rawsocket.HandshakeError
	if !errors.As(err, &he) || he.Code != rawsocket.CodeSerializerUnsupported {
		t.Errorf("RawSocket dial offering only BSON: %v, want a HandshakeError with code 1", err)
	}
}

// TestRun runs the program and checks what it prints.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*wait)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, &out, "127.0.0.1:0", "127.0.0.1:0", realm); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	for _, re := range []string{
		`router: websocket connection speaks bson \(subprotocol wamp.2.bson, RawSocket id 15\)`,
		`router: rawsocket connection speaks bson \(subprotocol wamp.2.bson, RawSocket id 15\)`,
		`caller: com.example.describe.* types \[uint64 \[\]uint8 float64 string map\[string\]interface \{\}\]`,
		`callee: event on com.example.news: args \[hello over BSON \[190 239\]\] kwargs map\[seq:1\]`,
		`(?m)^done$`,
	} {
		if !regexp.MustCompile(re).MatchString(out.String()) {
			t.Errorf("output has no line matching %s:\n%s", re, out.String())
		}
	}
}
