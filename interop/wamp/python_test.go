package wamp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os/exec"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/transports/websocket"

	_ "github.com/autobahn-go/autobahn/serializers/cbor"
	_ "github.com/autobahn-go/autobahn/serializers/json"
	_ "github.com/autobahn-go/autobahn/serializers/msgpack"
	_ "github.com/autobahn-go/autobahn/serializers/ubjson"
	_ "github.com/autobahn-go/autobahn/transports/rawsocket"
)

// pyCase is one client configuration for the Python script.
type pyCase struct {
	// ID names the case in realms and output: "rs_json", "wss_cbor".
	ID string `json:"id"`
	// Transport is an Autobahn Component transport configuration.
	Transport map[string]any `json:"transport"`
}

// pyClients runs two Component sessions per case, one after the other: one
// joins realm "interop.<id>", publishes (acknowledged) what it learnt from
// WELCOME and leaves; the other asks for realm "abort.<id>" and reports the
// ABORT. Results go to stdout, one line each.
const pyClients = `
import sys, json, txaio
txaio.use_twisted()
# Twisted's logging redirects sys.stdout: results go to the real stdout.
txaio.start_logging(out=sys.__stderr__, level="warn")
from twisted.internet import reactor
from twisted.internet.defer import inlineCallbacks
from autobahn.twisted.component import Component
from autobahn.wamp.types import PublishOptions

cases = json.loads(sys.argv[1])

def out(*args):
    print(*args, file=sys.__stdout__, flush=True)

@inlineCallbacks
def on_join(session, cid, details):
    out("JOINED", cid, details.session, details.realm, details.authid, details.authrole)
    pub = yield session.publish("com.example.joined", details.session, details.realm, cid, b"\x00\x01\xff",
                                options=PublishOptions(acknowledge=True))
    out("PUBLISHED", cid, pub.id)
    yield session.leave()

@inlineCallbacks
def run(case, realm):
    cid = case["id"]
    transport = dict(case["transport"], max_retries=0)
    comp = Component(transports=[transport], realm=realm)
    comp.on("join", lambda session, details: on_join(session, cid, details))
    comp.on("leave", lambda session, details: out("LEFT", cid, details.reason, json.dumps(details.message)))
    try:
        yield comp.start(reactor)
        out("DONE", cid, realm)
    except Exception as e:
        out("DONE", cid, realm, "failed:", type(e).__name__)

@inlineCallbacks
def main():
    for case in cases:
        yield run(case, "interop." + case["id"])
        yield run(case, "abort." + case["id"])

def finish(result):
    if hasattr(result, "getTraceback"):
        out("ERROR", result.getTraceback())
    # Let the last closing handshake finish before stopping.
    reactor.callLater(0.2, reactor.stop)

reactor.callWhenRunning(lambda: main().addBoth(finish))
reactor.run()
`

// router is just enough of a WAMP router for the Python clients: WELCOME
// for realms "interop.*", ABORT for "abort.*", PUBLISHED for acknowledged
// publications, and GOODBYE answered before closing the transport.
type router struct {
	mu       sync.Mutex
	nextID   uint64
	sessions map[string]*session // by realm
}

type session struct {
	realm    string
	details  core.TransportDetails
	id       uint64
	hello    *core.Hello
	publish  *core.Publish
	goodbye  bool
	closed   bool
	closeErr error
}

type conn struct {
	r *router
	t core.Transport
	s *session
}

func (r *router) accept(core.Transport) core.TransportHandler { return &conn{r: r} }

func (c *conn) OnOpen(t core.Transport) { c.t = t }

func (c *conn) OnMessage(m core.Message) {
	ctx := context.Background()
	r := c.r
	var err error
	switch m := m.(type) {
	case *core.Hello:
		r.mu.Lock()
		r.nextID++
		c.s = &session{realm: m.Realm, details: c.t.Details(), id: 5_000_000 + 2*r.nextID, hello: m}
		r.sessions[m.Realm] = c.s
		r.mu.Unlock()
		if strings.HasPrefix(m.Realm, "abort.") {
			err = c.t.Send(ctx, &core.Abort{Reason: core.URINoSuchRealm, Details: core.AbortDetails{Message: "no realm " + m.Realm + " here"}})
			break
		}
		err = c.t.Send(ctx, &core.Welcome{Session: c.s.id, Details: core.WelcomeDetails{
			Realm: m.Realm, AuthID: "anon-" + strings.TrimPrefix(m.Realm, "interop."), AuthRole: "anonymous",
			AuthMethod: "anonymous", AuthProvider: "static",
			Roles: map[string]core.Role{
				"broker": {Features: map[string]bool{"publisher_identification": true, "publisher_exclusion": true}},
				"dealer": {Features: map[string]bool{"caller_identification": true, "progressive_call_results": true}},
			},
		}})
	case *core.Publish:
		r.mu.Lock()
		c.s.publish = m
		r.mu.Unlock()
		if m.Options.Acknowledge != nil && *m.Options.Acknowledge {
			err = c.t.Send(ctx, &core.Published{Request: m.Request, Publication: c.s.id + 1})
		}
	case *core.Goodbye:
		r.mu.Lock()
		c.s.goodbye = true
		r.mu.Unlock()
		if err = c.t.Send(ctx, &core.Goodbye{Reason: core.URICloseGoodbyeAndOut}); err == nil {
			err = c.t.Close(ctx)
		}
	}
	if err != nil {
		panic(fmt.Sprintf("router: %v", err))
	}
}

func (c *conn) OnClose(err error) {
	c.r.mu.Lock()
	defer c.r.mu.Unlock()
	if c.s != nil {
		c.s.closed, c.s.closeErr = true, err
	}
}

// TestPythonComponents: Autobahn|Python Components over RawSocket (every
// serializer RawSocket carries: json, msgpack, cbor, ubjson) and over
// WebSocket with TLS (the same four) against a router on this module's
// transports. HELLO must parse to the expected realm and roles, the WELCOME
// must be accepted (session id and realm reported, an acknowledged PUBLISH,
// GOODBYE), and an ABORT's reason and message must be reported.
func TestPythonComponents(t *testing.T) {
	testpeer.RequirePython(t, "OpenSSL", "service_identity")
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	r := &router{sessions: make(map[string]*session)}
	ctx := context.Background()

	rs, err := registry.Listen(ctx, "rs://127.0.0.1:0", core.TransportConfig{}, r.accept)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	cert := testpeer.NewCert(t)
	serverTLS, certFile := cert.ServerConfig(), cert.WritePEM(t)
	wss, err := registry.Listen(ctx, "wss://127.0.0.1:0/ws", core.TransportConfig{TLS: serverTLS, Options: websocket.WAMPOptions{Logger: quiet}}, r.accept)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		wss.Close()
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		wss.(*websocket.WAMPListener).Server().CloseAll(cctx)
	}()
	wssPort := wss.Addr().(*net.TCPAddr).Port

	type expect struct {
		id, serializer string
		framing        core.Framing
		tls            bool
	}
	var cases []pyCase
	var expects []expect
	for _, ser := range []string{"json", "msgpack", "cbor", "ubjson"} {
		if _, err := registry.Default.Serializer(ser); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, pyCase{ID: "rs_" + ser, Transport: map[string]any{
			"type": "rawsocket", "url": "rs://" + rs.Addr().String(), "serializer": ser,
		}})
		expects = append(expects, expect{"rs_" + ser, ser, core.FramingRawSocket, false})
		cases = append(cases, pyCase{ID: "wss_" + ser, Transport: map[string]any{
			"type": "websocket", "url": fmt.Sprintf("wss://localhost:%d/ws", wssPort), "serializers": []string{ser},
			"endpoint": map[string]any{"type": "tcp", "host": "127.0.0.1", "port": wssPort,
				"tls": map[string]any{"hostname": "localhost", "trust_root": certFile}},
		}})
		expects = append(expects, expect{"wss_" + ser, ser, core.FramingWebSocket, true})
	}
	arg, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}

	pctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(pctx, testpeer.Python, "-c", pyClients, string(arg))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	t.Logf("Python ran %v for %d cases", time.Since(start).Round(time.Millisecond), len(cases))
	if err != nil {
		t.Fatalf("python: %v\nstdout:\n%s\nstderr:\n%s", err, out, stderr.String())
	}
	lines := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		lines[sc.Text()] = true
		if strings.HasPrefix(sc.Text(), "ERROR") {
			t.Fatalf("python failed:\n%s\nstderr:\n%s", out, stderr.String())
		}
	}
	defer func() {
		if t.Failed() {
			t.Logf("python stdout:\n%s\nstderr:\n%s", out, stderr.String())
		}
	}()

	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range expects {
		t.Run(e.id, func(t *testing.T) {
			printed := func(want string) {
				t.Helper()
				if !lines[want] {
					t.Errorf("python did not print %q", want)
				}
			}
			checkHello := func(s *session) {
				t.Helper()
				d := s.details
				if d.Framing != e.framing || d.Serializer.Name() != e.serializer || (d.TLS != nil) != e.tls {
					t.Errorf("transport: framing %s, serializer %s, TLS %v; want %s, %s, %v",
						d.Framing, d.Serializer.Name(), d.TLS != nil, e.framing, e.serializer, e.tls)
				}
				if s.hello.Realm != s.realm {
					t.Errorf("HELLO realm %q", s.hello.Realm)
				}
				got := map[string]map[string]bool{}
				for role, r := range s.hello.Details.Roles {
					got[role] = r.Features
				}
				if !reflect.DeepEqual(got, testpeer.AutobahnClientRoles) {
					t.Errorf("HELLO roles\n got %v\nwant %v", got, testpeer.AutobahnClientRoles)
				}
			}

			s := r.sessions["interop."+e.id]
			if s == nil {
				t.Fatalf("no HELLO for realm interop.%s", e.id)
			}
			checkHello(s)
			printed(fmt.Sprintf("JOINED %s %d interop.%s anon-%s anonymous", e.id, s.id, e.id, e.id))
			if p := s.publish; p == nil {
				t.Error("no PUBLISH after WELCOME")
			} else if want := []any{int64(s.id), "interop." + e.id, e.id, []byte{0, 1, 0xff}}; p.Topic != "com.example.joined" || !reflect.DeepEqual(p.Args, want) {
				t.Errorf("PUBLISH %s %#v, want args %#v", p.Topic, p.Args, want)
			}
			printed(fmt.Sprintf("PUBLISHED %s %d", e.id, s.id+1))
			printed(fmt.Sprintf("LEFT %s %s null", e.id, core.URICloseGoodbyeAndOut))
			printed(fmt.Sprintf("DONE %s interop.%s", e.id, e.id))
			if !s.goodbye || !s.closed || s.closeErr != nil {
				t.Errorf("GOODBYE %v, closed %v (%v); want a GOODBYE and a clean close", s.goodbye, s.closed, s.closeErr)
			}

			a := r.sessions["abort."+e.id]
			if a == nil {
				t.Fatalf("no HELLO for realm abort.%s", e.id)
			}
			checkHello(a)
			printed(fmt.Sprintf(`LEFT %s %s "no realm abort.%s here"`, e.id, core.URINoSuchRealm, e.id))
			// The Component fails after the ABORT: it has no retries left.
			printed(fmt.Sprintf("DONE %s abort.%s failed: RuntimeError", e.id, e.id))
			if !a.closed {
				t.Error("aborted session's transport was not closed")
			}
		})
	}
}
