package client

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/router"
	"github.com/autobahn-go/autobahn/wamp"

	_ "github.com/autobahn-go/autobahn/serializers/cbor"
	_ "github.com/autobahn-go/autobahn/serializers/json"
	_ "github.com/autobahn-go/autobahn/serializers/msgpack"
	_ "github.com/autobahn-go/autobahn/serializers/ubjson"
	_ "github.com/autobahn-go/autobahn/transports/rawsocket"
	_ "github.com/autobahn-go/autobahn/transports/websocket"
)

// The tests here put Go sessions (package wamp) and Autobahn|Python /
// AutobahnJS sessions on one embedded router, each pair on the same
// transport and serializer, in four scenarios per configuration:
//
//   - go_callee_*: the peer calls the Go callee (Register): args and kwargs,
//     bytes, an application error and a runtime error, progressive results
//     (inv.Progress, receive_progress), caller identification, the peer's
//     cancel, the dealer's timeout and a forwarded one, 50 calls at once;
//   - go_caller_*: the Go session calls the peer's callee (Call): several
//     positional and keyword results, bytes, big numbers, an application
//     error as *core.ApplicationError, progressive results (OnProgress),
//     cancel through ctx, CallOptions.Timeout, disclose_me, 50 calls at once,
//     a progressive call invocation the peer cannot take;
//   - go_subscriber_*: the Go session gets 100 events of the peer in order,
//     with the publisher's identity when disclosed, then bytes;
//   - go_publisher_*: the peer's subscribers get the Go session's events,
//     with exclude / eligible, acknowledged (publication IDs checked) or not.
//
// Each language's scenarios run in one peer process (peer_test.go).
// Differences of the peers that are theirs, not the Go client's, are in
// peerLang: AutobahnJS's JSON has no bytes convention, its MsgPack and CBOR
// libraries carry 2^53 as a float64, Autobahn|Python fails a canceled call
// at once, AutobahnJS callees take no INTERRUPT.

func TestMain(m *testing.M) {
	os.Exit(testpeer.RunWithLeakCheck(m, "autobahn/wamp.", "autobahn/router.", "autobahn/transports/"))
}

const realm = "realm1"

// wait bounds every wait of the Go side.
const wait = 20 * time.Second

var quietLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

// conf is the transport and serializer of a Go session and of its peer's
// sessions.
type conf struct{ transport, serializer string }

func (c conf) String() string { return c.transport + "_" + c.serializer }

// testRouter is an embedded router serving WebSocket and RawSocket on
// loopback ports.
type testRouter struct {
	r      *router.Router
	ws, rs string
	rsHost string
	rsPort int
}

// newRouter starts a router with realm1 for the test; it is closed after
// the test (and its subtests).
func newRouter(t *testing.T) *testRouter {
	t.Helper()
	r, err := router.New(router.Options{Realms: []string{realm}, Logger: quietLogger})
	if err != nil {
		t.Fatal(err)
	}
	rt := &testRouter{r: r}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		r.Close(ctx)
	})
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	for _, u := range []string{"ws://127.0.0.1:0/ws", "rs://127.0.0.1:0"} {
		l, err := registry.Listen(ctx, u, core.TransportConfig{}, r.Accept)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		if strings.HasPrefix(u, "ws") {
			rt.ws = "ws://" + l.Addr().String() + "/ws"
		} else {
			rt.rs = "rs://" + l.Addr().String()
			host, port, _ := net.SplitHostPort(l.Addr().String())
			rt.rsHost = host
			rt.rsPort, _ = strconv.Atoi(port)
		}
	}
	return rt
}

// goSession is a Go client session of the test, and what its handlers saw
// go wrong.
type goSession struct {
	*wamp.Session
	mu         sync.Mutex
	userErrors []error
}

// dial connects a Go session to rt on c's transport and serializer and
// joins realm1; it is closed after the test.
func dial(t *testing.T, rt *testRouter, c conf) *goSession {
	t.Helper()
	ser, err := registry.Default.Serializer(c.serializer)
	if err != nil {
		t.Fatal(err)
	}
	url := rt.ws
	if c.transport == "rs" {
		url = rt.rs
	}
	gs := &goSession{}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	s, err := wamp.Dial(ctx, url, core.TransportConfig{Serializers: []core.Serializer{ser}}, wamp.Config{
		Logger: quietLogger,
		OnUserError: func(_ *wamp.Session, err error) {
			gs.mu.Lock()
			gs.userErrors = append(gs.userErrors, err)
			gs.mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	gs.Session = s
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		s.Close(ctx)
		select {
		case <-s.Done():
		case <-ctx.Done():
			t.Errorf("the Go session did not close")
		}
	})
	if _, err := s.Join(ctx, realm, wamp.JoinOptions{}); err != nil {
		t.Fatal(err)
	}
	return gs
}

func (gs *goSession) errorsSoFar() []error {
	gs.mu.Lock()
	defer gs.mu.Unlock()
	return slices.Clone(gs.userErrors)
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	t.Cleanup(cancel)
	return ctx
}

// uriOf returns the URI prefix of subtest t: "test.<name>".
func uriOf(t *testing.T) string {
	r := strings.NewReplacer("/", ".", "-", "_", " ", "_")
	return "test." + strings.ToLower(r.Replace(t.Name()))
}

// canon turns a Go value, or JSON text given as json.RawMessage, into what
// the peers' JSON output decodes to: bytes become {"$bytes": hex}, numbers
// json.Number.
func canon(t *testing.T, v any) any {
	t.Helper()
	raw, ok := v.(json.RawMessage)
	if !ok {
		var err error
		if raw, err = json.Marshal(bytesAsHex(v)); err != nil {
			t.Fatalf("canon %#v: %v", v, err)
		}
	}
	return decodeJSON(t, raw)
}

func bytesAsHex(v any) any {
	switch v := v.(type) {
	case []byte:
		return map[string]any{"$bytes": hex.EncodeToString(v)}
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = bytesAsHex(x)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = bytesAsHex(x)
		}
		return out
	}
	return v
}

func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// sameValue checks that got (as the Go session received it) is want, both
// in value (compared as JSON) and in Go types (goTypes).
func sameValue(t *testing.T, what string, got, want any) {
	t.Helper()
	if g, w := canon(t, got), canon(t, want); !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, compact(g), compact(w))
		return
	}
	if g, w := goTypes(got), goTypes(want); g != w {
		t.Errorf("%s: Go types\n got %s\nwant %s", what, g, w)
	}
}

// goTypes describes the Go types in v, e.g. "[int64 string map[k:bool]]".
func goTypes(v any) string {
	switch v := v.(type) {
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = goTypes(x)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ":" + goTypes(v[k])
		}
		return "map[" + strings.Join(parts, " ") + "]"
	case nil:
		return "nil"
	}
	return fmt.Sprintf("%T", v)
}

// The payload: args and kwargs of every type the serializers carry (bytes
// separately), as Go sends them and expects to receive them.
var (
	goArgs = []any{int64(1), int64(-42), int64(1 << 53), 3.5, "two \u00e9 \u2713 \u65e5\u672c", true, nil,
		[]any{int64(1), []any{int64(2), map[string]any{"x": "y"}}}, map[string]any{"k": "v"}, "", []any{}}
	goKwargs = map[string]any{"a": int64(1), "b": "\u00fc", "nested": map[string]any{"list": []any{int64(1), int64(2), int64(3)},
		"empty": map[string]any{}, "none": nil}, "flt": -0.25}
)

// data is DATA of the peer scripts: a 0x00 byte first and inside, bytes that
// are no UTF-8, and non-ASCII UTF-8.
var data = append(append([]byte{0, 1, 2, 0x7f, 0x80, 0xfe, 0xff, 0}, "\u00e9\u2713"...), "\x00end"...)

func reversed(b []byte) []byte {
	r := slices.Clone(b)
	slices.Reverse(r)
	return r
}

// peerLang is what differs between the peers.
type peerLang struct {
	name    string // "python" or "node"
	configs []conf
	// jsonBytes is false when the peer's JSON serializer has no bytes
	// convention (AutobahnJS): it sends and sees bytes as "\0"+base64 text.
	jsonBytes bool
	// argTypes and kwargTypes are the peer's type names of goArgs and
	// goKwargs, and bytesType the one of bytes.
	argTypes   []string
	kwargTypes map[string]any
	bytesType  string
	// canceledCall is the outcome of a call the peer cancels.
	canceledCall map[string]any
	// interrupts tells whether the peer's callees take INTERRUPT
	// (call_canceling).
	interrupts bool
	// exactInts is true when the peer keeps any 64-bit integer exactly
	// (Python's ints).
	exactInts bool
	// bigInt says, per serializer, how the peer carries 2^53 (goArgs[2]),
	// which is no safe JavaScript integer; the default is an integer.
	bigInt map[string]bigIntCarry
}

// bigIntCarry is how a peer carries 2^53: what the Go session gets when the
// peer sends it (sent) and when the peer echoes the Go session's int64
// (echoed), and the peer's type name for the int64 it got.
type bigIntCarry struct {
	sent, echoed any
	peerType     string
}

func (l *peerLang) big(ser string) bigIntCarry {
	if c, ok := l.bigInt[ser]; ok {
		return c
	}
	return bigIntCarry{sent: int64(1 << 53), echoed: int64(1 << 53), peerType: l.argTypes[2]}
}

// withBig returns a copy of list with its element 2 (2^53) replaced by v.
func withBig[T any](list []T, v T) []T {
	out := slices.Clone(list)
	out[2] = v
	return out
}

// bytesFor is b as the peer sends and sees it with serializer ser.
func (l *peerLang) bytesFor(ser string, b []byte) any {
	if ser == "json" && !l.jsonBytes {
		return "\x00" + base64.StdEncoding.EncodeToString(b)
	}
	return b
}

func (l *peerLang) bytesTypeFor(ser string) string {
	if ser == "json" && !l.jsonBytes {
		return "string"
	}
	return l.bytesType
}

var (
	python = &peerLang{
		name:       "python",
		configs:    []conf{{"ws", "json"}, {"ws", "msgpack"}, {"ws", "cbor"}, {"ws", "ubjson"}, {"rs", "msgpack"}, {"rs", "json"}},
		jsonBytes:  true,
		exactInts:  true,
		argTypes:   []string{"int", "int", "int", "float", "str", "bool", "NoneType", "list", "dict", "str", "list"},
		kwargTypes: map[string]any{"a": "int", "b": "str", "nested": "dict", "flt": "float"},
		bytesType:  "bytes",
		// Autobahn|Python fails the call's Deferred at once (and ignores the
		// router's ERROR that follows).
		canceledCall: map[string]any{"exception": "CancelledError"},
		interrupts:   true,
	}
	node = &peerLang{
		name:       "node",
		configs:    []conf{{"ws", "json"}, {"ws", "msgpack"}, {"ws", "cbor"}, {"rs", "json"}},
		argTypes:   []string{"number", "number", "number", "number", "string", "boolean", "null", "Array", "object", "string", "Array"},
		kwargTypes: map[string]any{"a": "number", "b": "string", "nested": "object", "flt": "number"},
		bytesType:  "Buffer",
		// AutobahnJS cancels with mode "kill" and waits for the callee's
		// answer, which the Go callee gives (wamp.error.canceled).
		canceledCall: map[string]any{"error": core.URICanceled},
		// msgpack5 writes integers beyond 32 bits as a float64 and reads
		// 64-bit integers as numbers; node-cbor writes unsafe integers as a
		// float64 and reads them as BigInts (which it writes back as
		// integers).
		bigInt: map[string]bigIntCarry{
			"msgpack": {sent: float64(1 << 53), echoed: float64(1 << 53), peerType: "number"},
			"cbor":    {sent: float64(1 << 53), echoed: int64(1 << 53), peerType: "bigint"},
		},
	}
)

// TestPython: the Go client with Autobahn|Python 22.7.1 peers, on
// WebSocket (json, msgpack, cbor, ubjson) and RawSocket (msgpack, json).
func TestPython(t *testing.T) {
	testpeer.RequirePython(t)
	runSuite(t, python)
}

// TestJS: the Go client with AutobahnJS 22.11.1 peers (Node), on WebSocket
// (json, msgpack, cbor) and RawSocket (json, the only serializer of
// AutobahnJS's Node RawSocket transport).
func TestJS(t *testing.T) {
	requireNode(t)
	runSuite(t, node)
}

// runSuite runs the four scenarios on every configuration of l, in one peer
// process.
func runSuite(t *testing.T, l *peerLang) {
	rt := newRouter(t)
	b := newBatch(l.name)
	for _, c := range l.configs {
		t.Run("go_callee_"+c.String(), func(t *testing.T) { testGoCallee(t, l, rt, b, c) })
		t.Run("go_caller_"+c.String(), func(t *testing.T) { testGoCaller(t, l, rt, b, c) })
		t.Run("go_subscriber_"+c.String(), func(t *testing.T) { testGoSubscriber(t, l, rt, b, c) })
		t.Run("go_publisher_"+c.String(), func(t *testing.T) { testGoPublisher(t, l, rt, b, c) })
	}
	b.start(t, rt)
}

// hangEnd is how an invocation of the Go callee's hang procedures ended.
type hangEnd struct {
	label string
	cause error // context.Cause of the handler's context
}

// goCallee is the Go callee's record of its invocations.
type goCallee struct {
	mu   sync.Mutex
	invs map[string][]*wamp.Invocation // by procedure suffix
	hang chan hangEnd
}

func (g *goCallee) record(suffix string, inv *wamp.Invocation) {
	g.mu.Lock()
	g.invs[suffix] = append(g.invs[suffix], inv)
	g.mu.Unlock()
}

func (g *goCallee) invocations(suffix string) []*wamp.Invocation {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.invs[suffix])
}

// awaitHang returns how the hang invocation label ended.
func (g *goCallee) awaitHang(t *testing.T, label string) hangEnd {
	t.Helper()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case h := <-g.hang:
			if h.label == label {
				return h
			}
			t.Errorf("hang invocation %q ended while waiting for %q (cause %v)", h.label, label, h.cause)
		case <-timer.C:
			t.Fatalf("the Go callee's hang invocation %q did not end", label)
		}
	}
}

// registerGoCallee registers the Go callee's procedures under prefix.
func registerGoCallee(t *testing.T, s *goSession, prefix string) *goCallee {
	t.Helper()
	g := &goCallee{invs: map[string][]*wamp.Invocation{}, hang: make(chan hangEnd, 8)}
	hang := func(ctx context.Context, inv *wamp.Invocation) (*wamp.Result, error) {
		label, _ := inv.Args[0].(string)
		<-ctx.Done()
		g.hang <- hangEnd{label: label, cause: context.Cause(ctx)}
		return nil, ctx.Err()
	}
	procs := []struct {
		suffix  string
		handler wamp.Handler
		opts    core.RegisterOptions
	}{
		{".echo", func(_ context.Context, inv *wamp.Invocation) (*wamp.Result, error) {
			return &wamp.Result{Args: inv.Args, Kwargs: inv.Kwargs}, nil
		}, core.RegisterOptions{}},
		{".bytes", func(_ context.Context, _ *wamp.Invocation) (*wamp.Result, error) {
			return &wamp.Result{Args: []any{data, reversed(data)}, Kwargs: map[string]any{"blob": data}}, nil
		}, core.RegisterOptions{}},
		{".fail", func(_ context.Context, _ *wamp.Invocation) (*wamp.Result, error) {
			return nil, &core.ApplicationError{URI: "com.example.oops", Args: []any{"bad", int64(1)},
				Kwargs: map[string]any{"why": "test", "n": int64(2)}}
		}, core.RegisterOptions{}},
		{".runtime", func(_ context.Context, _ *wamp.Invocation) (*wamp.Result, error) {
			return nil, errors.New("boom")
		}, core.RegisterOptions{}},
		{".progress", func(ctx context.Context, inv *wamp.Invocation) (*wamp.Result, error) {
			n, _ := inv.Args[0].(int64)
			for i := int64(1); i <= n; i++ {
				if err := inv.Progress(ctx, []any{i}, map[string]any{"step": i}); err != nil {
					return nil, err
				}
			}
			rp := inv.Details.ReceiveProgress != nil && *inv.Details.ReceiveProgress
			return &wamp.Result{Args: []any{"done", n}, Kwargs: map[string]any{"progressed": rp}}, nil
		}, core.RegisterOptions{}},
		{".who", func(_ context.Context, inv *wamp.Invocation) (*wamp.Result, error) {
			return &wamp.Result{Args: []any{inv.Details.Caller, inv.Details.CallerAuthRole}}, nil
		}, core.RegisterOptions{}},
		{".hang", hang, core.RegisterOptions{}},
		{".hang_fwd", hang, core.RegisterOptions{ForwardTimeout: ptr(true)}},
	}
	ctx := testContext(t)
	for _, p := range procs {
		suffix, h := p.suffix, p.handler
		_, err := s.Register(ctx, prefix+suffix, func(ctx context.Context, inv *wamp.Invocation) (*wamp.Result, error) {
			g.record(suffix, inv)
			return h(ctx, inv)
		}, p.opts)
		if err != nil {
			t.Fatalf("register %s: %v", prefix+suffix, err)
		}
	}
	return g
}

func ptr[T any](v T) *T { return &v }
