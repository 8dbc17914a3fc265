package websocket_test

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/transports/websocket"

	// The serializers every WAMP test runs with.
	_ "github.com/autobahn-go/autobahn/serializers/cbor"
	_ "github.com/autobahn-go/autobahn/serializers/json"
	_ "github.com/autobahn-go/autobahn/serializers/msgpack"
	_ "github.com/autobahn-go/autobahn/serializers/ubjson"
)

var wampQuietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// wampWait bounds every wait of the WAMP tests.
const wampWait = 10 * time.Second

// wampServer listens at rawURL through the default registry with one
// wampRec per connection, sent on the returned channel.
func wampServer(t testing.TB, rawURL string, cfg core.TransportConfig, react func(core.Transport, core.Message)) (*websocket.WAMPListener, chan *testpeer.Recorder) {
	t.Helper()
	recs := make(chan *testpeer.Recorder, 64)
	l := wampListen(t, rawURL, cfg, func(core.Transport) core.TransportHandler {
		r := testpeer.NewRecorder()
		r.React = react
		recs <- r
		return r
	})
	return l, recs
}

// wampListen listens at rawURL through the default registry; the listener
// and its connections are closed when the test ends.
func wampListen(t testing.TB, rawURL string, cfg core.TransportConfig, accept core.Acceptor) *websocket.WAMPListener {
	t.Helper()
	if cfg.Options == nil {
		cfg.Options = websocket.WAMPOptions{Logger: wampQuietLog}
	}
	l, err := registry.Listen(context.Background(), rawURL, cfg, accept)
	if err != nil {
		t.Fatalf("Listen %s: %v", rawURL, err)
	}
	wl, ok := l.(*websocket.WAMPListener)
	if !ok {
		t.Fatalf("Listen returned %T, want *websocket.WAMPListener", l)
	}
	t.Cleanup(func() {
		wl.Close()
		ctx, cancel := context.WithTimeout(context.Background(), wampWait)
		defer cancel()
		wl.Server().CloseAll(ctx)
	})
	return wl
}

// wampDial dials rawURL through the default registry.
func wampDial(t testing.TB, rawURL string, cfg core.TransportConfig) (*websocket.WAMPTransport, *testpeer.Recorder) {
	t.Helper()
	r := testpeer.NewRecorder()
	if cfg.Options == nil {
		o := websocket.WAMPClientOptions()
		o.Logger = wampQuietLog
		cfg.Options = o
	}
	tr, err := registry.Dial(context.Background(), rawURL, cfg, r)
	if err != nil {
		t.Fatalf("Dial %s: %v", rawURL, err)
	}
	wt, ok := tr.(*websocket.WAMPTransport)
	if !ok {
		t.Fatalf("Dial returned %T, want *websocket.WAMPTransport", tr)
	}
	select {
	case <-r.Opened:
	default:
		t.Fatal("OnOpen not called before Dial returned")
	}
	t.Cleanup(func() {
		wt.Abort()
		<-wt.Conn().Done()
	})
	return wt, r
}

func recvRec(t testing.TB, recs chan *testpeer.Recorder) *testpeer.Recorder {
	t.Helper()
	select {
	case r := <-recs:
		select {
		case <-r.Opened:
		case <-time.After(wampWait):
			t.Fatal("server transport not opened")
		}
		return r
	case <-time.After(wampWait):
		t.Fatal("no server transport")
		return nil
	}
}

func mustParseURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// allSerializers returns every registered serializer, in the default
// preference order; all four formats, plain and batched, must be there.
func allSerializers(t testing.TB) []core.Serializer {
	t.Helper()
	sers := registry.Default.Serializers()
	for _, name := range []string{"cbor", "cbor.batched", "json", "json.batched", "msgpack", "msgpack.batched", "ubjson", "ubjson.batched"} {
		if _, err := registry.Default.Serializer(name); err != nil {
			t.Fatalf("serializer %s missing: %v", name, err)
		}
	}
	return sers
}

func mustSerializer(t testing.TB, name string) core.Serializer {
	t.Helper()
	s, err := registry.Default.Serializer(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
