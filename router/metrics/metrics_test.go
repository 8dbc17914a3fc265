package metrics_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/router"
	"github.com/autobahn-go/autobahn/router/metrics"
	"github.com/autobahn-go/autobahn/transports/memory"
)

const wait = 10 * time.Second

// peer is a protocol-level client over the in-memory transport: the test
// knows every message it causes, so it can predict every counter.
type peer struct {
	t   *testing.T
	rec *testpeer.Recorder
	tr  core.Transport
	req uint64
}

func connect(t *testing.T, r *router.Router, h core.TransportHandler, rec *testpeer.Recorder, opts memory.Options) *peer {
	t.Helper()
	if h == nil {
		h = rec
	}
	tr, err := memory.Connect(r.Accept, h, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Abort() })
	return &peer{t: t, rec: rec, tr: tr}
}

func join(t *testing.T, r *router.Router, realm string) *peer {
	t.Helper()
	p := connect(t, r, nil, testpeer.NewRecorder(), memory.Options{})
	p.send(&core.Hello{Realm: realm, Details: core.HelloDetails{Roles: map[string]core.Role{
		core.RoleCaller: {}, core.RoleCallee: {}, core.RolePublisher: {}, core.RoleSubscriber: {}}}})
	expect[*core.Welcome](p)
	return p
}

func (p *peer) next() uint64 { p.req++; return p.req }

func (p *peer) send(m core.Message) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := p.tr.Send(ctx, m); err != nil {
		p.t.Fatalf("send %v: %v", m.Type(), err)
	}
}

func expect[T core.Message](p *peer) T {
	p.t.Helper()
	m := p.rec.Next(p.t)
	v, ok := m.(T)
	if !ok {
		var zero T
		p.t.Fatalf("got %v, want %T", m.Type(), zero)
	}
	return v
}

func newRouter(t *testing.T, opts router.Options) *router.Router {
	t.Helper()
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	r, err := router.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		r.Close(ctx)
	})
	return r
}

// settle waits until the router's counters satisfy ok: a counter of a
// message is bumped just after the message was queued, so a client may
// have it a moment before.
func settle(t *testing.T, r *router.Router, ok func(router.Stats) bool) {
	t.Helper()
	for deadline := time.Now().Add(wait); !ok(r.Stats()); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("counters did not settle: %+v", r.Stats())
		}
	}
}

// scrape GETs the handler and returns the samples by series
// (`name{label="value"}`), as the text exposition format writes them.
func scrape(t *testing.T, h http.Handler) map[string]string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: status %d: %s", rec.Code, rec.Body)
	}
	out := make(map[string]string)
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		out[line[:i]] = line[i+1:]
	}
	return out
}

// check compares the scraped series with want, exactly.
func check(t *testing.T, got map[string]string, want map[string]string) {
	t.Helper()
	for series, v := range want {
		if got[series] != v {
			t.Errorf("%s = %q, want %s", series, got[series], v)
		}
	}
}

func TestMetricsCountCallsPublicationsAndAuthFailures(t *testing.T) {
	r := newRouter(t, router.Options{Realms: []string{"realm1", "realm2"}, Auth: []router.AuthMethod{
		router.Anonymous{}, router.Ticket{Principals: map[string]router.Principal{"alice": {Role: "user", Secret: "right"}}}}})
	h := metrics.Handler(r)

	callee := join(t, r, "realm1")
	callee.send(&core.Register{Request: callee.next(), Procedure: "com.example.add"})
	reg := expect[*core.Registered](callee).Registration
	caller := join(t, r, "realm1")
	// Two calls answered with YIELD, one with ERROR, one left running.
	for i := range 4 {
		caller.send(&core.Call{Request: caller.next(), Procedure: "com.example.add", Args: []any{int64(i)}})
		inv := expect[*core.Invocation](callee)
		if inv.Registration != reg {
			t.Fatalf("INVOCATION for registration %d", inv.Registration)
		}
		switch i {
		case 0, 1:
			callee.send(&core.Yield{Request: inv.Request})
			expect[*core.Result](caller)
		case 2:
			callee.send(&core.Error{RequestType: core.TypeInvocation, Request: inv.Request, Error: "com.example.error.nope"})
			expect[*core.Error](caller)
		}
	}
	subs := []*peer{join(t, r, "realm1"), join(t, r, "realm1")}
	for _, s := range subs {
		s.send(&core.Subscribe{Request: s.next(), Topic: "com.example.news"})
		expect[*core.Subscribed](s)
	}
	for i := range 3 {
		ack := i == 2
		caller.send(&core.Publish{Request: caller.next(), Topic: "com.example.news", Args: []any{int64(i)},
			Options: core.PublishOptions{Acknowledge: &ack}})
	}
	expect[*core.Published](caller)
	for _, s := range subs {
		for range 3 {
			expect[*core.Event](s)
		}
	}
	// A wrong ticket.
	intruder := connect(t, r, nil, testpeer.NewRecorder(), memory.Options{})
	intruder.send(&core.Hello{Realm: "realm1", Details: core.HelloDetails{AuthMethods: []string{"ticket"}, AuthID: "alice",
		Roles: map[string]core.Role{core.RoleCaller: {}}}})
	expect[*core.Challenge](intruder)
	intruder.send(&core.Authenticate{Signature: "wrong"})
	expect[*core.Abort](intruder)
	settle(t, r, func(st router.Stats) bool {
		return st.Sent[core.TypeAbort] == 1 && st.Sent[core.TypeEvent] == 6 && st.CallDurations.Count() == 3
	})

	got := scrape(t, h)
	check(t, got, map[string]string{
		`autobahn_sessions{realm="realm1"}`:                     "4",
		`autobahn_sessions{realm="realm2"}`:                     "0",
		`autobahn_sessions_joined_total`:                        "4",
		`autobahn_messages_received_total{type="HELLO"}`:        "5",
		`autobahn_messages_received_total{type="AUTHENTICATE"}`: "1",
		`autobahn_messages_received_total{type="REGISTER"}`:     "1",
		`autobahn_messages_received_total{type="CALL"}`:         "4",
		`autobahn_messages_received_total{type="YIELD"}`:        "2",
		`autobahn_messages_received_total{type="ERROR"}`:        "1",
		`autobahn_messages_received_total{type="SUBSCRIBE"}`:    "2",
		`autobahn_messages_received_total{type="PUBLISH"}`:      "3",
		`autobahn_messages_received_total{type="GOODBYE"}`:      "0",
		`autobahn_messages_sent_total{type="WELCOME"}`:          "4",
		`autobahn_messages_sent_total{type="CHALLENGE"}`:        "1",
		`autobahn_messages_sent_total{type="ABORT"}`:            "1",
		`autobahn_messages_sent_total{type="REGISTERED"}`:       "1",
		`autobahn_messages_sent_total{type="INVOCATION"}`:       "4",
		`autobahn_messages_sent_total{type="RESULT"}`:           "2",
		`autobahn_messages_sent_total{type="ERROR"}`:            "1",
		`autobahn_messages_sent_total{type="SUBSCRIBED"}`:       "2",
		`autobahn_messages_sent_total{type="EVENT"}`:            "6",
		`autobahn_messages_sent_total{type="PUBLISHED"}`:        "1",
		`autobahn_messages_sent_total{type="INTERRUPT"}`:        "0",
		`autobahn_messages_dropped_total{type="EVENT"}`:         "0",
		`autobahn_publications_total`:                           "3",
		`autobahn_calls_total`:                                  "4",
		`autobahn_calls_in_flight`:                              "1",
		`autobahn_call_duration_seconds_count`:                  "3",
		`autobahn_call_duration_seconds_bucket{le="+Inf"}`:      "3",
		`autobahn_events_delivered_total`:                       "6",
		`autobahn_events_dropped_total`:                         "0",
		`autobahn_slow_consumer_disconnects_total`:              "0",
		`autobahn_auth_failures_total`:                          "1",
		`autobahn_auth_throttled_total`:                         "0",
		`autobahn_handshake_timeouts_total`:                     "0",
		`autobahn_connections_refused_total`:                    "0",
		`autobahn_protocol_violations_total`:                    "0",
		`autobahn_retained_refused_total`:                       "0",
	})
	// The histogram's buckets are the router's: 16 µs doubling to ~16.8 s.
	if _, ok := got[`autobahn_call_duration_seconds_bucket{le="1.6e-05"}`]; !ok {
		t.Error("no 16 µs bucket")
	}
	if _, ok := got[`autobahn_call_duration_seconds_bucket{le="16.777216"}`]; !ok {
		t.Error("no 16.777216 s bucket")
	}
	if _, ok := got["go_goroutines"]; !ok {
		t.Error("no Go runtime metrics")
	}
	if _, ok := got["process_start_time_seconds"]; !ok {
		t.Error("no process metrics")
	}

	// The caller leaves: the call it left running is interrupted at the
	// callee if the callee can take it; this callee announced no
	// call_canceling, so the invocation runs on until the callee answers.
	caller.tr.Abort()
	settle(t, r, func(st router.Stats) bool { return st.Sessions == 3 })
	check(t, scrape(t, h), map[string]string{`autobahn_sessions{realm="realm1"}`: "3", `autobahn_calls_in_flight`: "1"})
	callee.tr.Abort()
	settle(t, r, func(st router.Stats) bool { return st.Sessions == 2 })
	check(t, scrape(t, h), map[string]string{`autobahn_calls_in_flight`: "0", `autobahn_call_duration_seconds_count`: "3"})
}

// stuck is a subscriber whose application stopped reading: its first
// OnMessage after it subscribed blocks until release is closed.
type stuck struct {
	*testpeer.Recorder
	subscribed atomic.Bool
	release    chan struct{}
}

func (h *stuck) OnMessage(m core.Message) {
	if h.subscribed.Load() {
		<-h.release
		return
	}
	h.Recorder.OnMessage(m)
}

func TestMetricsCountSlowConsumersViolationsAndTimeouts(t *testing.T) {
	r := newRouter(t, router.Options{Realms: []string{"realm1"}, HandshakeTimeout: 100 * time.Millisecond})
	h := metrics.Handler(r)

	// A connection that never says HELLO, and one that breaks the protocol.
	connect(t, r, nil, testpeer.NewRecorder(), memory.Options{})
	bad := connect(t, r, nil, testpeer.NewRecorder(), memory.Options{})
	bad.send(&core.Call{Request: 1, Procedure: "com.example.add"})
	expect[*core.Abort](bad)

	// A subscriber with a short send queue stops reading.
	slow := &stuck{Recorder: testpeer.NewRecorder(), release: make(chan struct{})}
	defer close(slow.release)
	sp := connect(t, r, slow, slow.Recorder, memory.Options{Queue: core.QueueOptions{MaxMessages: 4}, InboxSize: 1})
	sp.send(&core.Hello{Realm: "realm1", Details: core.HelloDetails{Roles: map[string]core.Role{core.RoleSubscriber: {}}}})
	expect[*core.Welcome](sp)
	sp.send(&core.Subscribe{Request: 1, Topic: "com.example.firehose"})
	expect[*core.Subscribed](sp)
	slow.subscribed.Store(true)
	fast := join(t, r, "realm1")
	fast.send(&core.Subscribe{Request: fast.next(), Topic: "com.example.firehose"})
	expect[*core.Subscribed](fast)

	pub := join(t, r, "realm1")
	published := 0
	for r.Stats().SlowDisconnects == 0 {
		if published == 1000 {
			t.Fatal("the stuck subscriber was not disconnected after 1000 events")
		}
		ack := true
		pub.send(&core.Publish{Request: pub.next(), Topic: "com.example.firehose", Options: core.PublishOptions{Acknowledge: &ack}})
		expect[*core.Published](pub)
		expect[*core.Event](fast)
		published++
	}
	settle(t, r, func(st router.Stats) bool {
		return st.HandshakeTimeouts == 1 && st.Sent[core.TypeAbort] == 2 && st.Sessions == 2
	})

	st := r.Stats()
	got := scrape(t, h)
	check(t, got, map[string]string{
		`autobahn_slow_consumer_disconnects_total`:         "1",
		`autobahn_protocol_violations_total`:               "1",
		`autobahn_handshake_timeouts_total`:                "1",
		`autobahn_auth_failures_total`:                     "0",
		`autobahn_sessions{realm="realm1"}`:                "2",
		`autobahn_publications_total`:                      strconv.Itoa(published),
		`autobahn_messages_received_total{type="CALL"}`:    "1",
		`autobahn_messages_received_total{type="HELLO"}`:   "3",
		`autobahn_messages_sent_total{type="ABORT"}`:       "2", // the violation's and the timeout's
		`autobahn_events_delivered_total`:                  strconv.Itoa(int(st.Sent[core.TypeEvent])),
		`autobahn_messages_sent_total{type="EVENT"}`:       strconv.Itoa(int(st.Sent[core.TypeEvent])),
		`autobahn_messages_sent_total{type="PUBLISHED"}`:   strconv.Itoa(published),
		`autobahn_messages_received_total{type="PUBLISH"}`: strconv.Itoa(published),
	})
	// The fast subscriber got every event; the stuck one some, not all.
	if n := int(st.Sent[core.TypeEvent]) - published; n < 1 || n >= published {
		t.Fatalf("%d events queued to the stuck subscriber of %d published", n, published)
	}
}
