package rawsocket

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/registry"
)

// Live interoperability with Autobahn|Python 22.7 (Debian python3-autobahn):
// its Twisted RawSocket client against this package's server, and this
// package's client against its Twisted and asyncio RawSocket servers.

// miniRouter is just enough of a WAMP router for an Autobahn client: it
// welcomes HELLO, answers CALL with a RESULT echoing the arguments, and
// answers GOODBYE and closes.
type miniRouter struct {
	t     core.Transport
	mu    sync.Mutex
	calls []*core.Call
	hello *core.Hello
	done  chan error
}

func (r *miniRouter) OnOpen(t core.Transport) { r.t = t }

func (r *miniRouter) OnMessage(m core.Message) {
	ctx := context.Background()
	var err error
	switch m := m.(type) {
	case *core.Hello:
		r.mu.Lock()
		r.hello = m
		r.mu.Unlock()
		err = r.t.Send(ctx, &core.Welcome{Session: 4242, Details: core.WelcomeDetails{
			Realm: m.Realm, AuthID: "anon", AuthRole: "anonymous", AuthMethod: "anonymous",
			Roles: map[string]core.Role{"broker": {}, "dealer": {}},
		}})
	case *core.Call:
		r.mu.Lock()
		r.calls = append(r.calls, m)
		r.mu.Unlock()
		err = r.t.Send(ctx, &core.Result{Request: m.Request, Args: m.Args, Kwargs: m.Kwargs})
	case *core.Goodbye:
		if err = r.t.Send(ctx, &core.Goodbye{Reason: core.URICloseGoodbyeAndOut}); err == nil {
			err = r.t.Close(ctx)
		}
	}
	if err != nil {
		panic(err)
	}
}

func (r *miniRouter) OnClose(err error) { r.done <- err }

const pyClient = `
import os, sys, txaio
txaio.use_twisted()
from twisted.internet.defer import inlineCallbacks
from autobahn.twisted.component import Component, run

url, ser = sys.argv[1], sys.argv[2]
comp = Component(transports=[{"type": "rawsocket", "url": url, "serializer": ser, "max_retries": 0}], realm="realm1")

@comp.on_join
@inlineCallbacks
def joined(session, details):
    big = "x" * 100000
    res = yield session.call("com.example.echo", 1, "zwei", b"\x00\x01\xff", big, 2**40, -3.5, None, k=[True, {"a": "b"}])
    args = list(res.results)
    ok = (args[:3] == [1, "zwei", b"\x00\x01\xff"] and args[3] == big and args[4:] == [2**40, -3.5, None]
          and res.kwresults == {"k": [True, {"a": "b"}]})
    line = "RESULT %s %d\n" % ("ok" if ok else repr((args[:3], len(args[3]), args[4:], res.kwresults)), details.session)
    os.write(1, line.encode())  # print() goes to Twisted's log
    yield session.leave()

run([comp], log_level="warn")
`

// TestPythonClient: Autobahn|Python's Twisted RawSocket client joins, calls
// and leaves over this package's server, with each serializer.
func TestPythonClient(t *testing.T) {
	testpeer.RequirePython(t)
	for _, ser := range []string{"json", "msgpack", "cbor", "ubjson"} {
		t.Run(ser, func(t *testing.T) {
			if _, err := registry.Default.Serializer(ser); err != nil {
				t.Skipf("serializer %s not built yet: %v", ser, err)
			}
			router := &miniRouter{done: make(chan error, 1)}
			l, err := (&Factory{}).Listen(context.Background(), mustURL(t, "rs://127.0.0.1:0"), core.TransportConfig{}, func(core.Transport) core.TransportHandler { return router })
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			out, err := exec.CommandContext(ctx, testpeer.Python, "-c", pyClient, "rs://"+l.Addr().String(), ser).CombinedOutput()
			if err != nil {
				t.Fatalf("python client: %v\n%s", err, out)
			}
			if !bytes.Contains(out, []byte("RESULT ok 4242")) {
				t.Fatalf("python client output:\n%s", out)
			}
			select {
			case err := <-router.done:
				if err != nil {
					t.Errorf("server OnClose(%v), want a clean close", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("server connection not closed")
			}
			router.mu.Lock()
			defer router.mu.Unlock()
			if router.hello == nil || router.hello.Realm != "realm1" || len(router.calls) != 1 {
				t.Fatalf("router saw hello %+v, %d calls", router.hello, len(router.calls))
			}
			if got := router.calls[0].Args[2]; !reflect.DeepEqual(got, []byte{0, 1, 0xff}) {
				t.Errorf("bytes argument arrived as %#v", got)
			}
		})
	}
}

const pyServer = `
import sys, txaio
kind = sys.argv[1]
if kind == "twisted":
    txaio.use_twisted()
else:
    txaio.use_asyncio()
from autobahn.wamp.serializer import JsonSerializer, MsgPackSerializer, CBORSerializer, UBJSONSerializer
serializers = [JsonSerializer(), MsgPackSerializer(), CBORSerializer(), UBJSONSerializer()]

class Echo:
    def onOpen(self, transport):
        self.transport = transport
    def onMessage(self, msg):
        self.transport.send(msg)
    def onClose(self, was_clean):
        pass

if kind == "twisted":
    from twisted.internet import reactor
    from autobahn.twisted.rawsocket import WampRawSocketServerFactory
    f = WampRawSocketServerFactory(Echo, serializers=serializers)
    port = reactor.listenTCP(0, f, interface="127.0.0.1")
    print(port.getHost().port, flush=True)
    reactor.run()
else:
    import asyncio
    from autobahn.asyncio.rawsocket import WampRawSocketServerFactory
    f = WampRawSocketServerFactory(Echo, serializers=serializers)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(f, "127.0.0.1", 0))
    print(server.sockets[0].getsockname()[1], flush=True)
    loop.run_forever()
`

// startPythonServer runs an Autobahn|Python RawSocket echo server and returns
// its URL; the process is killed when the test ends.
func startPythonServer(t *testing.T, kind string) string {
	t.Helper()
	return "rs://127.0.0.1:" + testpeer.StartPythonServer(t, "python "+kind+" server", pyServer, kind)
}

// TestPythonServer: this package's client against Autobahn|Python's Twisted
// and asyncio RawSocket servers, which echo every message.
func TestPythonServer(t *testing.T) {
	testpeer.RequirePython(t)
	call := &core.Call{
		Request:   1,
		Procedure: "com.example.echo",
		Args:      []any{int64(1), "zwei", []byte{0, 1, 0xff}, strings.Repeat("y", 200000), int64(1) << 40},
		Kwargs:    map[string]any{"k": []any{true, map[string]any{"a": "b"}}},
	}
	for _, kind := range []string{"twisted", "asyncio"} {
		t.Run(kind, func(t *testing.T) {
			u := startPythonServer(t, kind)
			for _, ser := range realSerializers(t) {
				t.Run(ser.Name(), func(t *testing.T) {
					cli := newRecorder(false)
					tr, err := dial(t, u, core.TransportConfig{Serializers: []core.Serializer{ser}}, cli)
					if err != nil {
						t.Fatal(err)
					}
					if tr.PeerMaxMessageSize() != maxSendSize {
						t.Errorf("peer limit %d, want 16 MiB - 1", tr.PeerMaxMessageSize())
					}
					for i := range 3 {
						c := *call
						c.Request = uint64(i + 1)
						if err := tr.Send(context.Background(), &c); err != nil {
							t.Fatal(err)
						}
					}
					for i := range 3 {
						select {
						case m := <-cli.Msgs:
							c := *call
							c.Request = uint64(i + 1)
							if !reflect.DeepEqual(m, &c) {
								t.Fatalf("echo %d:\n got %s\nwant %s", i, short(m), short(&c))
							}
						case err := <-cli.Closed:
							t.Fatalf("closed: %v", err)
						case <-time.After(10 * time.Second):
							t.Fatal("no echo")
						}
					}
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					defer cancel()
					if err := tr.Close(ctx); err != nil {
						t.Fatal(err)
					}
					if err := cli.WaitClose(t); err != nil {
						t.Errorf("OnClose(%v)", err)
					}
				})
			}
		})
	}
}

func short(m core.Message) string {
	s := fmt.Sprintf("%#v", m)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
