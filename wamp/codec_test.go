package wamp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/router"
)

// xorCodec is a reversible test codec: JSON of {uri, args, kwargs}, every
// byte XORed with key, so that plaintext never shows in what it makes.
type xorCodec struct{ key byte }

func (c xorCodec) Encode(_ context.Context, _ bool, uri string, args []any, kwargs map[string]any) (*core.EncodedPayload, error) {
	b, err := json.Marshal(map[string]any{"uri": uri, "args": args, "kwargs": kwargs})
	if err != nil {
		return nil, err
	}
	for i := range b {
		b[i] ^= c.key
	}
	return &core.EncodedPayload{Payload: b, Algo: "xor", Serializer: "json"}, nil
}

func (c xorCodec) Decode(_ context.Context, _ bool, _ string, p *core.EncodedPayload) (string, []any, map[string]any, error) {
	b := bytes.Clone(p.Payload)
	for i := range b {
		b[i] ^= c.key
	}
	var v struct {
		URI    string         `json:"uri"`
		Args   []any          `json:"args"`
		Kwargs map[string]any `json:"kwargs"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return "", nil, nil, err
	}
	return v.URI, v.Args, v.Kwargs, nil
}

// spy records the router-side view: every message the router receives
// from an in-process client passes through Send of the client's transport.
type spy struct {
	core.Transport
	mu   sync.Mutex
	seen []string
}

func (s *spy) Send(ctx context.Context, m core.Message) error {
	l, _ := m.List()
	s.mu.Lock()
	s.seen = append(s.seen, strings.ReplaceAll(strings.ToLower(fmtList(l)), " ", ""))
	s.mu.Unlock()
	return s.Transport.Send(ctx, m)
}

func fmtList(l []any) string {
	b, _ := json.Marshal(l)
	return string(b)
}

// joinedSpy joins a session whose every outgoing message is recorded.
func joinedSpy(t *testing.T, r *router.Router, cfg Config) (*Session, *spy) {
	t.Helper()
	cfg.Logger = quietLogger
	s := New(cfg)
	tr, err := r.Connect(s)
	if err != nil {
		t.Fatal(err)
	}
	sp := &spy{Transport: tr}
	s.mu.Lock()
	s.t = sp
	s.mu.Unlock()
	t.Cleanup(func() { closeSession(s) })
	if _, err := s.Join(testContext(t), "realm1", JoinOptions{}); err != nil {
		t.Fatal(err)
	}
	return s, sp
}

func TestPayloadCodec(t *testing.T) {
	r := newRouter(t)
	codec := xorCodec{key: 0x5a}
	callee, calleeSpy := joinedSpy(t, r, Config{PayloadCodec: codec})
	caller, callerSpy := joinedSpy(t, r, Config{PayloadCodec: codec})
	ctx := testContext(t)
	mustRegister(t, callee, "com.example.vault", func(ctx context.Context, inv *Invocation) (*Result, error) {
		if inv.Args[0] == "fail" {
			return nil, &core.ApplicationError{URI: "com.example.error.vault_failure", Args: []any{"topsecret reason"}}
		}
		if err := inv.Progress(ctx, []any{"topsecret progress"}, nil); err != nil {
			return nil, err
		}
		return &Result{Args: []any{"topsecret answer"}, Kwargs: map[string]any{"k": "topsecret kw"}}, nil
	})
	var progress []any
	res, err := caller.Call(ctx, "com.example.vault", []any{"topsecret question"}, nil,
		CallOptions{OnProgress: func(r *Result) { progress = append(progress, r.Args...) }})
	if err != nil || res.Args[0] != "topsecret answer" || res.Kwargs["k"] != "topsecret kw" || len(progress) != 1 {
		t.Fatalf("encoded call: %v, %v, progress %v", res, err, progress)
	}
	_, err = caller.Call(ctx, "com.example.vault", []any{"fail"}, nil, CallOptions{})
	var ae *core.ApplicationError
	if !errors.As(err, &ae) || ae.URI != "com.example.error.vault_failure" || ae.Args[0] != "topsecret reason" {
		t.Fatalf("encoded error: %v", err)
	}
	got := make(chan *Event, 1)
	if _, err := callee.Subscribe(ctx, "com.example.news", func(_ context.Context, ev *Event) { got <- ev }, core.SubscribeOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := caller.Publish(ctx, "com.example.news", []any{"topsecret news"}, nil, core.PublishOptions{Acknowledge: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if ev := <-got; ev.Args[0] != "topsecret news" {
		t.Fatalf("encoded event %+v", ev)
	}
	// The router never saw a plaintext payload, and saw the enc_* fields.
	for _, sp := range []*spy{calleeSpy, callerSpy} {
		sp.mu.Lock()
		for _, m := range sp.seen {
			if strings.Contains(m, "topsecret") {
				t.Errorf("plaintext sent to the router: %s", m)
			}
		}
		if !strings.Contains(strings.Join(sp.seen, "\n"), `"enc_algo":"xor"`) {
			t.Errorf("no enc_algo in %v", sp.seen)
		}
		sp.mu.Unlock()
	}

	// A session without the codec cannot read the payload: a clear error.
	plain := joined(t, r, Config{})
	_, err = plain.Call(ctx, "com.example.vault", []any{"x"}, nil, CallOptions{})
	if !errors.As(err, &ae) || ae.URI != URINoPayloadCodec {
		t.Fatalf("plain caller of an encoding callee: %v", err)
	}
	// A wrong key fails to decode: decrypt_error, and the callee carries on.
	wrong := joined(t, r, Config{PayloadCodec: xorCodec{key: 0x33}})
	if _, err = wrong.Call(ctx, "com.example.vault", []any{"x"}, nil, CallOptions{}); !errors.Is(err, core.ErrDecryptError) {
		t.Fatalf("wrong key: %v", err)
	}
	if _, err := caller.Call(ctx, "com.example.vault", []any{"again"}, nil, CallOptions{}); err != nil {
		t.Fatalf("after a bad key: %v", err)
	}
}

// uriSwapCodec encodes for another URI than asked: receivers must refuse.
type uriSwapCodec struct{ xorCodec }

func (c uriSwapCodec) Encode(ctx context.Context, o bool, uri string, args []any, kwargs map[string]any) (*core.EncodedPayload, error) {
	return c.xorCodec.Encode(ctx, o, uri+".elsewhere", args, kwargs)
}

func TestPayloadCodecURIMismatch(t *testing.T) {
	r := newRouter(t)
	callee := joined(t, r, Config{PayloadCodec: xorCodec{key: 1}})
	caller := joined(t, r, Config{PayloadCodec: uriSwapCodec{xorCodec{key: 1}}})
	mustRegister(t, callee, "com.example.p", func(context.Context, *Invocation) (*Result, error) { return nil, nil })
	_, err := caller.Call(testContext(t), "com.example.p", []any{1}, nil, CallOptions{})
	if !errors.Is(err, core.ErrTrustedURIMismatch) {
		t.Fatalf("moved payload: %v", err)
	}
}

// hangingCodec is xorCodec whose Decode of one URI waits until its context
// ends, as a hung codec plugin would.
type hangingCodec struct {
	xorCodec
	uri string
}

func (c hangingCodec) Decode(ctx context.Context, o bool, uri string, p *core.EncodedPayload) (string, []any, map[string]any, error) {
	if uri == c.uri {
		// It bounds its own wait, as the plugin host does.
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		<-ctx.Done()
		return "", nil, nil, fmt.Errorf("codec hangs: %w", ctx.Err())
	}
	return c.xorCodec.Decode(ctx, o, uri, p)
}

// A codec that hangs on one payload stalls neither the session's reader
// nor its other subscriptions and registrations: decoding runs where the
// handler runs; once the codec gives up, the event is dropped and counted,
// the invocation answered with decrypt_error.
func TestPayloadCodecHangs(t *testing.T) {
	r := newRouter(t)
	codec := xorCodec{key: 7}
	victim := joined(t, r, Config{PayloadCodec: hangingCodec{codec, "com.example.stuck"}})
	peer := joined(t, r, Config{PayloadCodec: codec})
	ctx := testContext(t)
	got := make(chan string, 2)
	for _, topic := range []string{"com.example.stuck", "com.example.fine"} {
		if _, err := victim.Subscribe(ctx, topic, func(_ context.Context, ev *Event) { got <- ev.Topic }, core.SubscribeOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, proc := range []string{"com.example.stuck", "com.example.fine"} {
		mustRegister(t, victim, proc, func(_ context.Context, inv *Invocation) (*Result, error) { return &Result{Args: inv.Args}, nil })
	}
	ack := core.PublishOptions{Acknowledge: ptr(true)}
	if _, err := peer.Publish(ctx, "com.example.stuck", []any{1}, nil, ack); err != nil {
		t.Fatal(err)
	}
	stuck := make(chan error, 1)
	go func() {
		_, err := peer.Call(ctx, "com.example.stuck", []any{1}, nil, CallOptions{})
		stuck <- err
	}()
	// While both hang in the codec, the session serves everything else.
	if _, err := peer.Publish(ctx, "com.example.fine", []any{2}, nil, ack); err != nil {
		t.Fatal(err)
	}
	select {
	case topic := <-got:
		if topic != "com.example.fine" {
			t.Fatalf("delivered %s, whose payload cannot decode", topic)
		}
	case <-time.After(time.Second): // the hung decode lasts 2 s
		t.Fatal("an event of another subscription waited for the hung codec")
	}
	start := time.Now()
	if res, err := peer.Call(ctx, "com.example.fine", []any{"x"}, nil, CallOptions{}); err != nil || res.Args[0] != "x" || time.Since(start) > time.Second {
		t.Fatalf("call of another procedure: %v, %v after %v", res, err, time.Since(start))
	}
	if err := <-stuck; !errors.Is(err, core.ErrDecryptError) {
		t.Fatalf("invocation the codec could not decode: %v, want decrypt_error", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for victim.UndecodableEvents() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("undecodable events counted: %d, want 1", victim.UndecodableEvents())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
