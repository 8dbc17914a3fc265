package cryptobox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/loopback"
	"github.com/autobahn-go/autobahn/internal/peers"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/payloadcodec/cryptobox"
	"github.com/autobahn-go/autobahn/serializers/json"
	"github.com/autobahn-go/autobahn/wamp"
)

func TestMain(m *testing.M) {
	os.Exit(testpeer.RunWithLeakCheck(m, "autobahn/wamp.", "autobahn/router.", "autobahn/transports/"))
}

const (
	realm = loopback.Realm
	// wait bounds each wait of the Go side, awaitTimeout each wait for the
	// peer's reports, processTimeout the peer (it gives up after 30 s).
	wait           = 10 * time.Second
	awaitTimeout   = 20 * time.Second
	processTimeout = 40 * time.Second
)

// keys are the key pairs of a run, made anew each time: the originator's
// and the responder's, and a private key nobody expects.
type keys struct{ origPriv, origPub, respPriv, respPub, wrongPriv string }

func newKeys(t *testing.T) keys {
	var k keys
	var err error
	for _, p := range []struct{ priv, pub *string }{{&k.origPriv, &k.origPub}, {&k.respPriv, &k.respPub}, {&k.wrongPriv, new(string)}} {
		if *p.priv, *p.pub, err = cryptobox.GenerateKeyPair(nil); err != nil {
			t.Fatal(err)
		}
	}
	return k
}

func marker(t *testing.T, kind string) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return kind + "-MARKER-" + hex.EncodeToString(b)
}

// TestPython puts Go and Autobahn|Python sessions with cryptobox on one
// router, in every role:
//   - Python caller → Go callee: the result and an application error come
//     back encrypted and Python decrypts them;
//   - Go caller → Python callee, likewise the other way;
//   - Python publisher → Go subscriber, Go publisher → Python subscriber;
//   - a session of each side with another key: its calls get
//     wamp.error.encryption.decrypt_error, its events are dropped (and, on
//     the Go side, counted), and both sides carry on;
//
// and the router's traffic, recorded message by message, never shows the
// secret marker, while a plain call's marker shows (the recording does see
// payloads).
func TestPython(t *testing.T) {
	testpeer.RequirePython(t, "nacl", "pytrie", "autobahn.wamp.cryptobox")
	k := newKeys(t)
	secret, plain := marker(t, "SECRET"), marker(t, "PLAIN")
	blob := []byte{0, 1, 2, 0xfe, 0xff}

	var traffic testpeer.Traffic
	url := loopback.Router(t, &traffic)
	ctx, cancel := context.WithTimeout(context.Background(), awaitTimeout+wait)
	defer cancel()

	// The Go session plays both roles: responder of com.box.go.,
	// originator of com.box.py.; the wrong one has another originator key.
	ring, err := cryptobox.NewKeyRingFrom(
		cryptobox.KeySpec{URI: "com.box.go.", ResponderPriv: k.respPriv, OriginatorPub: k.origPub},
		cryptobox.KeySpec{URI: "com.box.py.", OriginatorPriv: k.origPriv, ResponderPub: k.respPub})
	if err != nil {
		t.Fatal(err)
	}
	wrongRing, err := cryptobox.NewKeyRingFrom(cryptobox.KeySpec{URI: "com.box.py.", OriginatorPriv: k.wrongPriv, ResponderPub: k.respPub})
	if err != nil {
		t.Fatal(err)
	}
	gs := loopback.Join(t, url, wamp.Config{PayloadCodec: ring})
	wrong := loopback.Join(t, url, wamp.Config{PayloadCodec: wrongRing})

	echo := func(_ context.Context, inv *wamp.Invocation) (*wamp.Result, error) {
		return &wamp.Result{Args: inv.Args, Kwargs: inv.Kwargs}, nil
	}
	register(t, gs, "com.box.go.echo", echo)
	register(t, gs, "org.plain.go.echo", echo)
	register(t, gs, "com.box.go.fail", func(context.Context, *wamp.Invocation) (*wamp.Result, error) {
		return nil, &core.ApplicationError{URI: "com.box.go.error.oops", Args: []any{secret, "from go"}}
	})
	events := make(chan *wamp.Event, 16)
	if _, err := gs.Subscribe(ctx, "com.box.go.news", func(_ context.Context, ev *wamp.Event) { events <- ev }, core.SubscribeOptions{}); err != nil {
		t.Fatal(err)
	}

	kinds := []string{"callee", "subscriber", "caller", "wrong_caller", "publisher"}
	var specs []map[string]any
	for _, kind := range kinds {
		specs = append(specs, map[string]any{"id": kind, "kind": kind})
	}
	py := startPeer(t, processTimeout, map[string]any{"url": url, "realm": realm, "marker": secret, "scenarios": specs,
		"keys": map[string]any{"orig_priv": k.origPriv, "orig_pub": k.origPub, "resp_priv": k.respPriv,
			"resp_pub": k.respPub, "wrong_priv": k.wrongPriv}})

	// Python calls and publishes on its own; Go calls and publishes once
	// Python's callee and subscriber are there.
	py.await(t, "callee", "ready")
	py.await(t, "subscriber", "ready")
	res, err := gs.Call(ctx, "com.box.py.echo", []any{secret, blob, 23}, map[string]any{"k": secret}, wamp.CallOptions{})
	if err != nil {
		t.Fatalf("Go caller → Python callee: %v", err)
	}
	got := slices.Clone(res.Args)
	if len(got) > 1 {
		if b, ok := got[1].([]byte); ok { // as the peer reports bytes
			got[1] = map[string]any{"$bytes": hex.EncodeToString(b)}
		}
	}
	peers.Equal(t, "result of Python's echo", peers.Normalize(t, map[string]any{"args": got, "kwargs": res.Kwargs}),
		map[string]any{"args": []any{secret, map[string]any{"$bytes": "000102feff"}, 23}, "kwargs": map[string]any{"k": secret}})
	_, err = gs.Call(ctx, "com.box.py.fail", []any{secret}, nil, wamp.CallOptions{})
	wantAppError(t, "Python's encrypted error", err, "com.box.py.error.oops", secret)
	_, err = wrong.Call(ctx, "com.box.py.echo", []any{secret}, nil, wamp.CallOptions{})
	wantAppError(t, "a call with the wrong key", err, core.URIDecryptError, "")

	ack := core.PublishOptions{Acknowledge: wamp.Ptr(true)}
	for i := range 3 {
		publish(t, gs, "com.box.py.news", secret, i)
	}
	if _, err := wrong.Publish(ctx, "com.box.py.news", []any{"wrong"}, nil, ack); err != nil {
		t.Fatal(err)
	}
	publish(t, gs, "com.box.py.news", "end")
	if _, err := gs.Call(ctx, "org.plain.py.finish", []any{plain}, nil, wamp.CallOptions{}); err != nil {
		t.Fatalf("the plain call: %v", err)
	}

	// What Python got from Go.
	peers.Equal(t, "Python's invocations", py.await(t, "callee", "invocations"),
		[]any{map[string]any{"args": []any{secret, map[string]any{"$bytes": "000102feff"}, 23}, "kwargs": map[string]any{"k": secret}}})
	peers.Equal(t, "Python's plain finish", py.await(t, "callee", "finish"), []any{plain})
	var wantEvents []any
	for i := range 3 {
		wantEvents = append(wantEvents, map[string]any{"args": []any{secret, i}, "kwargs": map[string]any{}})
	}
	wantEvents = append(wantEvents, map[string]any{"args": []any{"end"}, "kwargs": map[string]any{}})
	peers.Equal(t, "Python's events (without the wrong key's)", py.await(t, "subscriber", "events"), wantEvents)

	// What Go got from Python.
	peers.Equal(t, "Python's result of the Go callee", py.await(t, "caller", "result"),
		map[string]any{"args": []any{secret, map[string]any{"$bytes": "000102feff"}, 23}, "kwargs": map[string]any{"k": secret}})
	peers.Equal(t, "Python's error from the Go callee", py.await(t, "caller", "error"),
		map[string]any{"error": "com.box.go.error.oops", "args": []any{secret, "from go"}})
	wrongErr := py.await(t, "wrong_caller", "error")
	peers.Equal(t, "Python's call with the wrong key", peers.At(wrongErr, "error"), core.URIDecryptError)
	if msg, _ := peers.At(wrongErr, "args", 0).(string); !strings.Contains(msg, "cryptobox: ") || !strings.Contains(msg, "does not authenticate") {
		t.Errorf("the decrypt_error Python got says %q, want the cryptobox reason", msg)
	}
	peers.Equal(t, "Python's plain call after it", py.await(t, "wrong_caller", "plain"), "clear")
	py.await(t, "publisher", "published")
	got = nil
	for len(got) < 4 {
		select {
		case ev := <-events:
			got = append(got, ev.Args)
		case <-ctx.Done():
			t.Fatalf("the Go subscriber got %v, want Python's 4 good events", got)
		}
	}
	peers.Equal(t, "the Go subscriber's events", peers.Normalize(t, got), []any{[]any{secret, 0}, []any{secret, 1}, []any{secret, 2}, []any{"end"}})
	if n := gs.UndecodableEvents(); n != 1 {
		t.Errorf("UndecodableEvents = %d, want 1 (Python's event with the wrong key)", n)
	}

	checkTraffic(t, traffic.Messages(), secret, plain)
}

// checkTraffic asserts that the router never had secret in any message it
// received or sent, that it did see plain (so the recording shows
// payloads), and that every message on a com.box. URI carried an opaque
// cryptobox payload in Autobahn's enc_* spelling.
func checkTraffic(t *testing.T, msgs []testpeer.Recorded, secret, plain string) {
	t.Helper()
	sawPlain, encrypted := false, map[core.MessageType]int{}
	for _, r := range msgs {
		b, err := json.Serializer.Serialize(r.Msg)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), secret) {
			t.Errorf("the router saw the plaintext (received %v): %s", r.In, b)
		}
		sawPlain = sawPlain || strings.Contains(string(b), plain)
		var pt *core.Passthru
		var payload []byte
		var uri string
		var args []any
		switch m := r.Msg.(type) {
		case *core.Call:
			pt, payload, uri, args = &m.Options.Passthru, m.Payload, m.Procedure, m.Args
		case *core.Publish:
			pt, payload, uri, args = &m.Options.Passthru, m.Payload, m.Topic, m.Args
		case *core.Error:
			pt, payload, uri, args = &m.Details.Passthru, m.Payload, m.Error, m.Args
		case *core.Invocation:
			pt, payload, args = &m.Details.Passthru, m.Payload, m.Args
		case *core.Event:
			pt, payload, args = &m.Details.Passthru, m.Payload, m.Args
		case *core.Yield:
			pt, payload, args = &m.Options.Passthru, m.Payload, m.Args
		case *core.Result:
			pt, payload, args = &m.Details.Passthru, m.Payload, m.Args
		default:
			continue
		}
		if payload == nil {
			if strings.HasPrefix(uri, "com.box.") {
				t.Errorf("%T on %s went in the clear: %s", r.Msg, uri, b)
			}
			continue
		}
		if pt.EncAlgo != cryptobox.Algo || pt.EncSerializer != "json" || len(args) != 0 || len(payload) < 40 {
			t.Errorf("%T: not a cryptobox payload as Autobahn writes it: %s", r.Msg, b)
		}
		encrypted[r.Msg.Type()]++
	}
	if !sawPlain {
		t.Error("the recording never showed the plain call's marker: it does not see payloads")
	}
	// Each kind of payload message was seen encrypted both ways through the
	// router (received and sent counted together).
	for _, typ := range []core.MessageType{core.TypeCall, core.TypeInvocation, core.TypeYield, core.TypeResult,
		core.TypeError, core.TypePublish, core.TypeEvent} {
		if encrypted[typ] == 0 {
			t.Errorf("no encrypted %v went through the router", typ)
		}
	}
	t.Logf("encrypted messages through the router: %v", encrypted)
}

func register(t *testing.T, s *wamp.Session, proc string, h wamp.Handler) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if _, err := s.Register(ctx, proc, h, core.RegisterOptions{}); err != nil {
		t.Fatal(err)
	}
}

func publish(t *testing.T, s *wamp.Session, topic string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if _, err := s.Publish(ctx, topic, args, nil, core.PublishOptions{Acknowledge: wamp.Ptr(true)}); err != nil {
		t.Fatalf("publish %s: %v", topic, err)
	}
}

// wantAppError checks that err is the application error uri whose first
// argument contains arg0 (any when arg0 is empty).
func wantAppError(t *testing.T, what string, err error, uri, arg0 string) {
	t.Helper()
	var ae *core.ApplicationError
	if !errors.As(err, &ae) || ae.URI != uri {
		t.Errorf("%s: %v, want %s", what, err, uri)
		return
	}
	if msg, _ := ae.Args[0].(string); len(ae.Args) == 0 || !strings.Contains(msg, arg0) {
		t.Errorf("%s: arguments %v, want the first to contain %q", what, ae.Args, arg0)
	}
}
