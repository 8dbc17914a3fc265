package plugin_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/payloadcodec/plugin"
	"github.com/autobahn-go/autobahn/payloadcodec/plugin/internal/xortest"
	"github.com/autobahn-go/autobahn/router"
	"github.com/autobahn-go/autobahn/wamp"
)

// TestSessionsThroughACrashingPlugin: a callee and a subscriber decode
// with the plugin's codec, which crashes on a payload. The caller gets
// decrypt_error naming the plugin, the event is dropped and counted, and
// the next call and event go through the restarted plugin.
func TestSessionsThroughACrashingPlugin(t *testing.T) {
	_, reg := load(t, plugin.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r, err := router.New(router.Options{Realms: []string{"realm1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(context.Background())
	join := func(c core.PayloadCodec) *wamp.Session {
		s := wamp.New(wamp.Config{PayloadCodec: c, Logger: quiet})
		if _, err := r.Connect(s); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Join(ctx, "realm1", wamp.JoinOptions{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close(context.Background()) })
		return s
	}
	inproc, _ := xortest.New(nil)
	peer, victim := join(inproc), join(newCodec(t, reg, nil))

	events := make(chan any, 4)
	if _, err := victim.Subscribe(ctx, "com.example.t", func(_ context.Context, ev *wamp.Event) { events <- ev.Args[0] }, core.SubscribeOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := victim.Register(ctx, "com.example.p", func(_ context.Context, inv *wamp.Invocation) (*wamp.Result, error) {
		return &wamp.Result{Args: inv.Args}, nil
	}, core.RegisterOptions{}); err != nil {
		t.Fatal(err)
	}

	_, err = peer.Call(ctx, "com.example.p", []any{"crash"}, nil, wamp.CallOptions{})
	if !errors.Is(err, core.ErrDecryptError) || !strings.Contains(err.Error(), "plugin testplugin") {
		t.Fatalf("call that crashes the plugin: %v", err)
	}
	res, err := peer.Call(ctx, "com.example.p", []any{"after"}, nil, wamp.CallOptions{})
	if err != nil || res.Args[0] != "after" {
		t.Fatalf("call after the restart: %v %v", res, err)
	}

	ack := core.PublishOptions{Acknowledge: new(bool)}
	*ack.Acknowledge = true
	for _, arg := range []string{"crash", "fine"} {
		if _, err := peer.Publish(ctx, "com.example.t", []any{arg}, nil, ack); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case got := <-events:
		if got != "fine" {
			t.Fatalf("delivered %v", got)
		}
	case <-ctx.Done():
		t.Fatal("the event after the crash was not delivered")
	}
	if n := victim.UndecodableEvents(); n != 1 {
		t.Errorf("undecodable events %d, want 1", n)
	}
}
