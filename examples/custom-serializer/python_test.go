package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/serializers/serializertest"
	"github.com/autobahn-go/autobahn/wamp"
)

// TestAutobahnPythonPeer has Autobahn|Python join the router with BSON
// only, over WebSocket and over RawSocket (id 15), through a serializer
// written for Autobahn|Python's serializer interface with pymongo's bson
// module (testdata/bson_peer.py): the same mapping, implemented
// independently. It calls a Go callee with values of every kind, is called
// back with the Go values and must return them unchanged, and receives a Go
// publication. Skipped without Autobahn|Python and python3-bson, unless
// AUTOBAHN_INTEROP=1.
func TestAutobahnPythonPeer(t *testing.T) {
	testpeer.RequirePython(t, "bson")
	tr := startRouter(t, core.TransportConfig{})
	goSide := connect(t, tr, tr.rs, bsonOnly, "rawsocket bson")
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()

	echoed := make(chan *wamp.Invocation, 2)
	register := func(uri string, h wamp.Handler) {
		if _, err := goSide.Register(ctx, uri, h, core.RegisterOptions{}); err != nil {
			t.Fatalf("register %s: %v", uri, err)
		}
	}
	register("com.example.echo", func(_ context.Context, inv *wamp.Invocation) (*wamp.Result, error) {
		echoed <- inv
		return &wamp.Result{Args: inv.Args, Kwargs: inv.Kwargs}, nil
	})
	register("com.example.roundtrip", func(ctx context.Context, _ *wamp.Invocation) (*wamp.Result, error) {
		args, kwargs := payload()
		res, err := goSide.Call(ctx, "com.example.python_echo", args, kwargs, wamp.CallOptions{})
		if err != nil {
			return nil, err
		}
		if !serializertest.Same(res.Args, args) || !serializertest.Same(res.Kwargs, kwargs) {
			return nil, core.NewApplicationError("com.example.error.changed", serializertest.Show(res.Args), serializertest.Show(res.Kwargs))
		}
		return &wamp.Result{Args: []any{true}}, nil
	})
	register("com.example.publish", func(ctx context.Context, _ *wamp.Invocation) (*wamp.Result, error) {
		_, err := goSide.Publish(ctx, "com.example.news", []any{uint64(1 << 63), []byte{0xbe, 0xef}}, map[string]any{"seq": int64(1)},
			core.PublishOptions{Acknowledge: wamp.Ptr(true)})
		return &wamp.Result{}, err
	})

	wantArgs := []any{uint64(math.MaxUint64), int64(math.MinInt64), []byte{0, 1}, 1.5, "é", nil, true,
		map[string]any{"k": []any{nil, map[string]any{}}, "n": int64(1 << 40)}}
	want := map[string]string{
		"echo":      `([18446744073709551615, -9223372036854775808, b'\x00\x01', 1.5, 'é', None, True, {'k': [None, {}], 'n': 1099511627776}], {'mode': 'fast'})`,
		"roundtrip": "True",
		"event":     `([9223372036854775808, b'\xbe\xef'], {'seq': 1})`,
	}
	for _, tc := range []struct{ url, negotiated string }{{tr.ws, "websocket bson"}, {tr.rs, "rawsocket bson"}} {
		t.Run(tc.negotiated, func(t *testing.T) {
			got := runPeer(t, tc.url)
			for k, w := range want {
				if got[k] != w {
					t.Errorf("python printed %s = %s, want %s", k, got[k], w)
				}
			}
			if n := tr.last(); n != tc.negotiated {
				t.Errorf("the router negotiated %q with Autobahn|Python, want %q", n, tc.negotiated)
			}
			select {
			case inv := <-echoed:
				if !serializertest.Same(inv.Args, wantArgs) || !serializertest.Same(inv.Kwargs, map[string]any{"mode": "fast"}) {
					t.Errorf("the Go callee got %s %s, want %s", serializertest.Show(inv.Args), serializertest.Show(inv.Kwargs), serializertest.Show(wantArgs))
				}
			default:
				t.Error("the Go callee was not called")
			}
		})
	}
}

// runPeer runs testdata/bson_peer.py against url and returns what it
// printed, key by key.
func runPeer(t *testing.T, url string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, testpeer.Python, "testdata/bson_peer.py", url, realm)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("bson_peer.py %s: %v\nstdout:\n%s\nstderr:\n%s", url, err, stdout.String(), stderr.String())
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatalf("bson_peer.py printed %q: %v", line, err)
		}
	}
	if len(got) != 3 {
		t.Fatalf("bson_peer.py printed %v, want echo, roundtrip and event\nstderr:\n%s", got, stderr.String())
	}
	return got
}
