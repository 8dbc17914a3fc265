package wamp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/router"
)

// xorCodec is a reversible test codec: JSON of {uri, args, kwargs}, every
// byte XORed with key, so that plaintext never shows in what it makes.
type xorCodec struct{ key byte }

func (c xorCodec) Encode(_ bool, uri string, args []any, kwargs map[string]any) (*core.EncodedPayload, error) {
	b, err := json.Marshal(map[string]any{"uri": uri, "args": args, "kwargs": kwargs})
	if err != nil {
		return nil, err
	}
	for i := range b {
		b[i] ^= c.key
	}
	return &core.EncodedPayload{Payload: b, Algo: "xor", Serializer: "json"}, nil
}

func (c xorCodec) Decode(_ bool, _ string, p *core.EncodedPayload) (string, []any, map[string]any, error) {
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

func (c uriSwapCodec) Encode(o bool, uri string, args []any, kwargs map[string]any) (*core.EncodedPayload, error) {
	return c.xorCodec.Encode(o, uri+".elsewhere", args, kwargs)
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
