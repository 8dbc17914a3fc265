package websocket_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/transports/websocket"
)

// Live WAMP framing interoperability with Autobahn|Python 22.7 (Debian
// python3-autobahn): its Twisted clients join a Go server built on this
// package's transport, with every serializer, plain and batched.

// pyWAMPClients runs, for each serializer given, two client sessions one
// after the other: one joins realm "interop.<ser>", publishes (acknowledged)
// what it learnt from WELCOME, and leaves; the other asks for realm
// "abort.<ser>" and reports the ABORT it gets. Plain serializers use
// autobahn.twisted.component.Component (which cannot be configured with
// batched serializers); batched ones use ApplicationRunner, which also
// offers permessage-deflate.
const pyWAMPClients = `
import sys, json, txaio
txaio.use_twisted()
# Twisted's logging redirects sys.stdout: results go to the real stdout.
txaio.start_logging(out=sys.__stderr__, level="warn")
from twisted.internet import reactor, defer
from twisted.internet.defer import inlineCallbacks
from autobahn.twisted.component import Component
from autobahn.twisted.wamp import ApplicationSession, ApplicationRunner
from autobahn.wamp.serializer import create_transport_serializer
from autobahn.wamp.types import PublishOptions

url, sers = sys.argv[1], sys.argv[2:]

def out(*args):
    print(*args, file=sys.__stdout__, flush=True)

@inlineCallbacks
def on_join(session, ser, details):
    out("JOINED", ser, details.session, details.realm, details.authid, details.authrole)
    pub = yield session.publish("com.example.joined", details.session, details.realm, ser, b"\x00\x01\xff",
                                options=PublishOptions(acknowledge=True))
    out("PUBLISHED", ser, pub.id)
    yield session.leave()

def on_leave(ser, details):
    out("LEFT", ser, details.reason, json.dumps(details.message))

@inlineCallbacks
def with_component(ser, realm):
    comp = Component(transports=[{"type": "websocket", "url": url, "serializers": [ser], "max_retries": 0}], realm=realm)
    comp.on("join", lambda session, details: on_join(session, ser, details))
    comp.on("leave", lambda session, details: on_leave(ser, details))
    try:
        yield comp.start(reactor)
        out("DONE", ser, realm)
    except Exception as e:
        out("DONE", ser, realm, "failed:", type(e).__name__)

class Session(ApplicationSession):
    def onJoin(self, details):
        return on_join(self, self.config.extra["ser"], details)
    def onLeave(self, details):
        on_leave(self.config.extra["ser"], details)
        self.disconnect()
    def onDisconnect(self):
        done = self.config.extra["done"]
        if not done.called:
            done.callback(None)

@inlineCallbacks
def with_runner(ser, realm):
    done = defer.Deferred()
    runner = ApplicationRunner(url, realm, extra={"ser": ser, "done": done},
                               serializers=[create_transport_serializer(ser)])
    yield runner.run(Session, start_reactor=False)
    yield done
    out("DONE", ser, realm)

@inlineCallbacks
def main():
    for ser in sers:
        run = with_runner if ser.endswith(".batched") else with_component
        yield run(ser, "interop." + ser)
        yield run(ser, "abort." + ser)

def finish(result):
    if hasattr(result, "getTraceback"):
        out("ERROR", result.getTraceback())
    # Let the last closing handshake finish before stopping.
    reactor.callLater(0.2, reactor.stop)

reactor.callWhenRunning(lambda: main().addBoth(finish))
reactor.run()
`

// interopRouter is just enough of a router for the Python clients: WELCOME
// for realms "interop.*", ABORT for "abort.*", PUBLISHED for acknowledged
// publications, GOODBYE answered and the transport closed.
type interopRouter struct {
	mu       sync.Mutex
	nextID   uint64
	sessions map[string]*interopSession // by realm
}

type interopSession struct {
	realm      string
	serializer string
	compressed bool
	id         uint64
	hello      *core.Hello
	publish    *core.Publish
	goodbye    bool
	closeErr   error
	closed     bool
}

type interopConn struct {
	r *interopRouter
	t core.Transport
	s *interopSession
}

var welcomeRoles = map[string]core.Role{
	"broker": {Features: map[string]bool{"publisher_identification": true, "publisher_exclusion": true, "subscriber_blackwhite_listing": true}},
	"dealer": {Features: map[string]bool{"caller_identification": true, "progressive_call_results": true, "call_canceling": true}},
}

func (c *interopConn) OnOpen(t core.Transport) { c.t = t }

func (c *interopConn) OnMessage(m core.Message) {
	ctx := context.Background()
	r := c.r
	switch m := m.(type) {
	case *core.Hello:
		d := c.t.Details()
		r.mu.Lock()
		r.nextID++
		c.s = &interopSession{realm: m.Realm, serializer: d.Serializer.Name(), compressed: d.Extra["compressed"] == true, id: 7_000_000 + r.nextID, hello: m}
		r.sessions[m.Realm] = c.s
		r.mu.Unlock()
		if strings.HasPrefix(m.Realm, "abort.") {
			c.t.Send(ctx, &core.Abort{Reason: core.URINoSuchRealm, Details: core.AbortDetails{Message: "no realm " + m.Realm + " here"}})
			return
		}
		c.t.Send(ctx, &core.Welcome{Session: c.s.id, Details: core.WelcomeDetails{
			Realm: m.Realm, AuthID: "anon-" + d.Serializer.Name(), AuthRole: "anonymous",
			AuthMethod: "anonymous", AuthProvider: "static", Roles: welcomeRoles,
		}})
	case *core.Publish:
		r.mu.Lock()
		c.s.publish = m
		r.mu.Unlock()
		if m.Options.Acknowledge != nil && *m.Options.Acknowledge {
			c.t.Send(ctx, &core.Published{Request: m.Request, Publication: c.s.id + 1})
		}
	case *core.Goodbye:
		r.mu.Lock()
		c.s.goodbye = true
		r.mu.Unlock()
		c.t.Send(ctx, &core.Goodbye{Reason: core.URICloseGoodbyeAndOut})
		c.t.Close(ctx)
	}
}

func (c *interopConn) OnClose(err error) {
	c.r.mu.Lock()
	defer c.r.mu.Unlock()
	if c.s != nil {
		c.s.closed = true
		c.s.closeErr = err
	}
}

// TestWAMPPythonClients: Autobahn|Python's Component (plain serializers)
// and ApplicationRunner (batched serializers) connect over WebSocket with
// json, msgpack, cbor and ubjson: their HELLO parses to the expected realm
// and roles, they accept the WELCOME (and act on it: an acknowledged
// PUBLISH carrying the session id and realm, then GOODBYE) and report an
// ABORT's reason and message.
func TestWAMPPythonClients(t *testing.T) {
	testpeer.RequirePython(t)
	var sers []string
	for _, s := range allSerializers(t) {
		sers = append(sers, s.Name())
	}
	router := &interopRouter{sessions: make(map[string]*interopSession)}
	// Accept permessage-deflate (offered by ApplicationRunner) to cover it too.
	opts, err := websocket.WAMPOptionsFromMap(map[string]any{"perMessageCompressionAccept": true})
	if err != nil {
		t.Fatal(err)
	}
	opts.Logger = wampQuietLog
	l := wampListen(t, "ws://127.0.0.1:0/ws", core.TransportConfig{Options: opts}, func(core.Transport) core.TransportHandler {
		return &interopConn{r: router}
	})

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, testpeer.Python, append([]string{"-c", pyWAMPClients, l.URL()}, sers...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	t.Logf("Python clients ran %v for %d serializers", time.Since(start).Round(time.Millisecond), len(sers))
	if err != nil {
		t.Fatalf("python: %v\nstdout:\n%s\nstderr:\n%s", err, out, stderr.String())
	}
	if t.Failed() || testing.Verbose() {
		t.Logf("python output:\n%s", out)
	}
	lines := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		lines[sc.Text()] = true
		if strings.HasPrefix(sc.Text(), "ERROR") {
			t.Fatalf("python failed:\n%s\nstderr:\n%s", out, stderr.String())
		}
	}
	printed := func(t *testing.T, want string) {
		t.Helper()
		if !lines[want] {
			t.Errorf("python did not print %q", want)
		}
	}

	router.mu.Lock()
	defer router.mu.Unlock()
	for _, ser := range sers {
		t.Run(ser, func(t *testing.T) {
			// The session that was welcomed.
			s := router.sessions["interop."+ser]
			if s == nil {
				t.Fatalf("no HELLO for realm interop.%s\npython:\n%s\nstderr:\n%s", ser, out, stderr.String())
			}
			checkHello(t, s, ser)
			printed(t, fmt.Sprintf("JOINED %s %d interop.%s anon-%s anonymous", ser, s.id, ser, ser))
			if p := s.publish; p == nil {
				t.Error("no PUBLISH after WELCOME")
			} else {
				wantArgs := []any{int64(s.id), "interop." + ser, ser, []byte{0, 1, 0xff}}
				if p.Topic != "com.example.joined" || p.Options.Acknowledge == nil || !*p.Options.Acknowledge || !reflect.DeepEqual(p.Args, wantArgs) {
					t.Errorf("PUBLISH %s %+v %#v, want args %#v", p.Topic, p.Options, p.Args, wantArgs)
				}
			}
			printed(t, fmt.Sprintf("PUBLISHED %s %d", ser, s.id+1))
			printed(t, fmt.Sprintf("LEFT %s %s null", ser, core.URICloseGoodbyeAndOut))
			printed(t, fmt.Sprintf("DONE %s interop.%s", ser, ser))
			if !s.goodbye {
				t.Error("no GOODBYE")
			}
			if !s.closed || s.closeErr != nil {
				t.Errorf("server transport closed=%v err=%v, want a clean close", s.closed, s.closeErr)
			}
			// The session that was aborted.
			a := router.sessions["abort."+ser]
			if a == nil {
				t.Fatalf("no HELLO for realm abort.%s", ser)
			}
			checkHello(t, a, ser)
			printed(t, fmt.Sprintf(`LEFT %s %s "no realm abort.%s here"`, ser, core.URINoSuchRealm, ser))
			// A Component reports the ABORT by failing (it has no retries
			// left); ApplicationRunner's session just disconnects.
			if strings.HasSuffix(ser, ".batched") {
				printed(t, fmt.Sprintf("DONE %s abort.%s", ser, ser))
			} else {
				printed(t, fmt.Sprintf("DONE %s abort.%s failed: RuntimeError", ser, ser))
			}
			// The client closes after ABORT; the last one may be cut short by
			// the Python process ending, so only the closing is checked.
			if !a.closed {
				t.Error("aborted session's transport was not closed")
			} else if a.closeErr != nil {
				t.Logf("aborted session's transport: %v", a.closeErr)
			}
		})
	}
}

func checkHello(t *testing.T, s *interopSession, ser string) {
	t.Helper()
	if s.serializer != ser {
		t.Errorf("realm %s negotiated %s, want %s", s.realm, s.serializer, ser)
	}
	// ApplicationRunner (batched) offers permessage-deflate, Component does not.
	if wantDeflate := strings.HasSuffix(ser, ".batched"); s.compressed != wantDeflate {
		t.Errorf("%s: permessage-deflate in use %v, want %v", ser, s.compressed, wantDeflate)
	}
	h := s.hello
	if h.Realm != s.realm {
		t.Errorf("HELLO realm %q, want %q", h.Realm, s.realm)
	}
	got := map[string]map[string]bool{}
	for role, r := range h.Details.Roles {
		got[role] = r.Features
	}
	if !reflect.DeepEqual(got, testpeer.AutobahnClientRoles) {
		t.Errorf("HELLO roles\n got %v\nwant %v", got, testpeer.AutobahnClientRoles)
	}
	if testing.Verbose() {
		t.Logf("%s HELLO details: %+v", ser, h.Details)
	}
}

// pyWAMPEchoServer is Autobahn|Python's Twisted WAMP-over-WebSocket server
// with every serializer it has (plain and batched) and a transport handler
// that sends every message back; it accepts permessage-deflate.
const pyWAMPEchoServer = `
import sys, txaio
txaio.use_twisted()
from twisted.internet import reactor
from autobahn.twisted.websocket import WampWebSocketServerFactory
from autobahn.websocket.compress import PerMessageDeflateOffer, PerMessageDeflateOfferAccept

class Echo:
    # Read by Autobahn's WebSocket transport when it logs.
    _authid = None
    _session_id = None
    def onOpen(self, transport):
        self.transport = transport
    def onMessage(self, msg):
        self.transport.send(msg)
    def onClose(self, was_clean):
        pass

def accept(offers):
    for offer in offers:
        if isinstance(offer, PerMessageDeflateOffer):
            return PerMessageDeflateOfferAccept(offer, request_no_context_takeover=True)

factory = WampWebSocketServerFactory(Echo)
factory.setProtocolOptions(perMessageCompressionAccept=accept)
port = reactor.listenTCP(0, factory, interface="127.0.0.1")
print(port.getHost().port, flush=True)
reactor.run()
`

// TestWAMPPythonServer: this package's WAMP client against Autobahn|Python's
// WAMP-over-WebSocket server (which echoes): Autobahn picks the serializer
// the Go client offers, decodes what the client sends (batches of several
// messages included) and its answers decode in Go.
func TestWAMPPythonServer(t *testing.T) {
	testpeer.RequirePython(t)
	port := testpeer.StartPythonServer(t, "python server", pyWAMPEchoServer)
	url := "ws://127.0.0.1:" + port + "/"

	calls := sampleMessages()
	for _, ser := range allSerializers(t) {
		t.Run(ser.Name(), func(t *testing.T) {
			cli, rec := wampDial(t, url, core.TransportConfig{Serializers: []core.Serializer{ser}})
			d := cli.Details()
			if d.Serializer != ser || d.Extra["protocol"] != ser.Subprotocol() {
				t.Fatalf("negotiated %s", d.Extra["protocol"])
			}
			if d.Extra["compressed"] != true {
				t.Errorf("permessage-deflate not in use: %v", d.HTTPHeaders)
			}
			// Sent back to back, so that a batched serializer combines them.
			for _, m := range calls {
				if err := cli.Send(context.Background(), m); err != nil {
					t.Fatal(err)
				}
			}
			for _, m := range calls {
				sameMessage(t, rec.Next(t), m)
			}
			if ser.Batched() {
				// One WebSocket message with all the calls in one batch.
				var batch []byte
				for _, m := range calls {
					b, err := ser.Serialize(m)
					if err != nil {
						t.Fatal(err)
					}
					batch = append(batch, b...)
				}
				if err := cli.Conn().SendMessage(batch, ser.Binary()); err != nil {
					t.Fatal(err)
				}
				for _, m := range calls {
					sameMessage(t, rec.Next(t), m)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), wampWait)
			defer cancel()
			if err := cli.Close(ctx); err != nil {
				t.Fatal(err)
			}
			if err := rec.WaitClose(t); err != nil {
				t.Errorf("OnClose(%v), want a clean close", err)
			}
		})
	}
	// Autobahn denies a client without a common subprotocol with 400.
	r := testpeer.NewRecorder()
	_, err := (&websocket.WAMPFactory{}).Dial(context.Background(), mustParseURL(t, url),
		core.TransportConfig{Serializers: []core.Serializer{&renamedSerializer{mustSerializer(t, "json")}}}, r)
	var he *websocket.HandshakeError
	if !errors.As(err, &he) || he.StatusCode != http.StatusBadRequest || !strings.Contains(he.Reason, "wamp.2.json") {
		t.Errorf("dial with an unknown subprotocol: %v, want 400 naming Autobahn's subprotocols", err)
	}
}

// renamedSerializer is a serializer under a subprotocol nobody speaks.
type renamedSerializer struct{ core.Serializer }

func (s *renamedSerializer) Subprotocol() string { return "wamp.2.nosuch" }
