package cryptobox_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/loopback"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/payloadcodec/cryptobox"
	"github.com/autobahn-go/autobahn/serializers/json"
	"github.com/autobahn-go/autobahn/wamp"
)

// These tests run Go sessions with key rings through an embedded router over
// a loopback WebSocket with JSON, as deployed: the router only forwards.

var (
	startRouter = loopback.Router
	join        = loopback.Join
)

// echo is a handler that returns its arguments.
func echo(_ context.Context, inv *wamp.Invocation) (*wamp.Result, error) {
	return &wamp.Result{Args: inv.Args, Kwargs: inv.Kwargs}, nil
}

// TestSessions: a caller and a publisher holding the originator's keys, a
// callee and a subscriber holding the responder's, in either spelling of
// the fields (enc_*, ppt_*) on each side; the router sees only ciphertext.
func TestSessions(t *testing.T) {
	p := newPairs(t)
	orig := cryptobox.KeySpec{URI: "com.secret.", OriginatorPriv: p.origPriv, ResponderPub: p.respPub}
	resp := cryptobox.KeySpec{URI: "com.secret.", ResponderPriv: p.respPriv, OriginatorPub: p.origPub}
	const marker = "PLAINTEXT-MARKER-7f3a"
	for _, sp := range []struct {
		name                        string
		originatorPPT, responderPPT bool
	}{{"enc", false, false}, {"ppt", true, true}, {"enc_to_ppt", false, true}, {"ppt_to_enc", true, false}} {
		t.Run(sp.name, func(t *testing.T) {
			var tr testpeer.Traffic
			url := startRouter(t, &tr)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			responder := join(t, url, wamp.Config{PayloadCodec: mustRing(t, resp), PayloadSpelling: sp.responderPPT})
			originator := join(t, url, wamp.Config{PayloadCodec: mustRing(t, orig), PayloadSpelling: sp.originatorPPT})

			if _, err := responder.Register(ctx, "com.secret.echo", echo, core.RegisterOptions{}); err != nil {
				t.Fatal(err)
			}
			events := make(chan *wamp.Event, 1)
			if _, err := responder.Subscribe(ctx, "com.secret.news", func(_ context.Context, ev *wamp.Event) { events <- ev }, core.SubscribeOptions{}); err != nil {
				t.Fatal(err)
			}
			res, err := originator.Call(ctx, "com.secret.echo", []any{marker, []byte{0, 1, 2}}, map[string]any{"k": marker}, wamp.CallOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Args) != 2 || res.Args[0] != marker || string(res.Args[1].([]byte)) != "\x00\x01\x02" || res.Kwargs["k"] != marker {
				t.Errorf("result %v %v", res.Args, res.Kwargs)
			}
			if _, err := originator.Publish(ctx, "com.secret.news", []any{marker}, nil, core.PublishOptions{Acknowledge: wamp.Ptr(true)}); err != nil {
				t.Fatal(err)
			}
			select {
			case ev := <-events:
				if len(ev.Args) != 1 || ev.Args[0] != marker {
					t.Errorf("event %v", ev.Args)
				}
			case <-ctx.Done():
				t.Fatal("no event")
			}
			checkOpaque(t, tr.Messages(), marker, map[bool]bool{true: sp.originatorPPT, false: sp.responderPPT})
		})
	}
}

// checkOpaque asserts that no message the router received or sent shows
// marker, and that the payload-carrying messages had opaque payloads in the
// spelling of their sender: ppt[true] for the originator's (CALL, PUBLISH,
// and INVOCATION, EVENT forwarded), ppt[false] for the responder's.
func checkOpaque(t *testing.T, msgs []testpeer.Recorded, marker string, ppt map[bool]bool) {
	t.Helper()
	seen := 0
	for _, r := range msgs {
		b, err := json.Serializer.Serialize(r.Msg)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), marker) {
			t.Errorf("the router saw the plaintext: %s", b)
		}
		var pt *core.Passthru
		var payload []byte
		originating := true
		switch m := r.Msg.(type) {
		case *core.Call:
			pt, payload = &m.Options.Passthru, m.Payload
		case *core.Publish:
			pt, payload = &m.Options.Passthru, m.Payload
		case *core.Invocation:
			pt, payload = &m.Details.Passthru, m.Payload
		case *core.Event:
			pt, payload = &m.Details.Passthru, m.Payload
		case *core.Yield:
			pt, payload, originating = &m.Options.Passthru, m.Payload, false
		case *core.Result:
			pt, payload, originating = &m.Details.Passthru, m.Payload, false
		default:
			continue
		}
		seen++
		if len(payload) == 0 || pt.Scheme() != cryptobox.Algo {
			t.Errorf("%T went through without an opaque cryptobox payload: %s", r.Msg, b)
			continue
		}
		if got := pt.PPTScheme != ""; got != ppt[originating] {
			t.Errorf("%T in the ppt_* spelling: %v, want %v: %s", r.Msg, got, ppt[originating], b)
		}
	}
	if seen < 6 {
		t.Errorf("the router forwarded %d payload messages, want CALL, INVOCATION, YIELD, RESULT, PUBLISH, EVENT", seen)
	}
}

// TestWrongKey: a callee with another key answers decrypt_error, a
// subscriber with another key drops and counts the event; both sessions
// keep working for other URIs and the right key.
func TestWrongKey(t *testing.T) {
	p := newPairs(t)
	url := startRouter(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	caller := join(t, url, wamp.Config{PayloadCodec: mustRing(t, cryptobox.KeySpec{URI: "com.", Key: p.shared})})
	wrong := join(t, url, wamp.Config{PayloadCodec: mustRing(t, cryptobox.KeySpec{URI: "com.", Key: p.origPriv})})
	var calls, events atomic.Int64
	if _, err := wrong.Register(ctx, "com.proc", func(context.Context, *wamp.Invocation) (*wamp.Result, error) {
		calls.Add(1)
		return &wamp.Result{}, nil
	}, core.RegisterOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := wrong.Register(ctx, "org.plain", echo, core.RegisterOptions{}); err != nil {
		t.Fatal(err)
	}
	got := make(chan *wamp.Event, 4)
	for _, topic := range []string{"com.topic", "org.topic"} {
		if _, err := wrong.Subscribe(ctx, topic, func(_ context.Context, ev *wamp.Event) { events.Add(1); got <- ev }, core.SubscribeOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := caller.Call(ctx, "com.proc", []any{"x"}, nil, wamp.CallOptions{})
	var ae *core.ApplicationError
	if !errors.As(err, &ae) || ae.URI != core.URIDecryptError {
		t.Fatalf("call with the wrong key: %v, want %s", err, core.URIDecryptError)
	}
	if msg, _ := ae.Args[0].(string); !strings.Contains(msg, "cryptobox: ") || !strings.Contains(msg, "does not authenticate") {
		t.Errorf("decrypt_error says %q", ae.Args)
	}
	if calls.Load() != 0 {
		t.Error("the handler ran for a payload that did not decrypt")
	}
	ack := core.PublishOptions{Acknowledge: wamp.Ptr(true)}
	if _, err := caller.Publish(ctx, "com.topic", []any{"x"}, nil, ack); err != nil {
		t.Fatal(err)
	}
	if _, err := caller.Publish(ctx, "org.topic", []any{"clear"}, nil, ack); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-got:
		if ev.Details.Topic != "" && ev.Details.Topic != "org.topic" || ev.Args[0] != "clear" {
			t.Errorf("got %v", ev.Args)
		}
	case <-ctx.Done():
		t.Fatal("the plain event did not arrive after the undecodable one")
	}
	// Each subscription delivers on its own goroutine: the dropped event
	// may be counted after the other one ran.
	for wrong.UndecodableEvents() == 0 && ctx.Err() == nil {
		time.Sleep(time.Millisecond)
	}
	if n := wrong.UndecodableEvents(); n != 1 || events.Load() != 1 {
		t.Errorf("UndecodableEvents %d, handler ran %d times; want 1, 1", n, events.Load())
	}
	res, err := caller.Call(ctx, "org.plain", []any{"still here"}, nil, wamp.CallOptions{})
	if err != nil || res.Args[0] != "still here" {
		t.Errorf("a plain call afterwards: %v %v", res, err)
	}
}

// TestURIMismatch: a payload sealed for another URI under the same key is
// refused with trusted_uri_mismatch (the check of wamp.Session), even
// though it decrypts.
func TestURIMismatch(t *testing.T) {
	p := newPairs(t)
	ring := mustRing(t, cryptobox.KeySpec{URI: "", Key: p.shared})
	moved := &movingCodec{KeyRing: ring, to: "com.other"}
	url := startRouter(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	callee := join(t, url, wamp.Config{PayloadCodec: ring})
	caller := join(t, url, wamp.Config{PayloadCodec: moved})
	if _, err := callee.Register(ctx, "com.proc", echo, core.RegisterOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := caller.Call(ctx, "com.proc", nil, nil, wamp.CallOptions{})
	var ae *core.ApplicationError
	if !errors.As(err, &ae) || ae.URI != core.URITrustedURIMismatch {
		t.Fatalf("got %v, want %s", err, core.URITrustedURIMismatch)
	}
}

// movingCodec seals every payload as if it were for another URI.
type movingCodec struct {
	*cryptobox.KeyRing
	to string
}

func (m *movingCodec) Encode(ctx context.Context, originating bool, _ string, args []any, kwargs map[string]any) (*core.EncodedPayload, error) {
	return m.KeyRing.Encode(ctx, originating, m.to, args, kwargs)
}
