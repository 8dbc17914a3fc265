package router

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/serializers/json"
)

// nullTransport accepts every message and drops it, so that the fuzz
// target drives sessions directly, without goroutines, and sees panics.
type nullTransport struct{}

func (nullTransport) Send(context.Context, core.Message) error { return nil }
func (nullTransport) TrySend(core.Message) error               { return nil }
func (nullTransport) Close(context.Context) error              { return nil }
func (nullTransport) Abort() error                             { return nil }
func (nullTransport) Details() core.TransportDetails           { return core.TransportDetails{} }

// FuzzRouterMessages feeds two joined sessions of one realm whatever valid
// WAMP messages the input holds (one JSON message per line; a line starting
// with "b" goes to the second session). The router must not panic, and once
// both sessions are gone no subscription, registration, invocation or
// pending call may be left behind.
func FuzzRouterMessages(f *testing.F) {
	for _, seed := range []string{
		`[32,1,{},"com.a"]` + "\n" + `b[16,1,{"acknowledge":true,"exclude_me":false,"retain":true},"com.a",[1],{"k":"v"}]`,
		`[64,1,{"invoke":"roundrobin"},"com.p"]` + "\n" + `b[48,1,{"receive_progress":true,"timeout":1000},"com.p",[1]]` + "\n" + `[70,1,{"progress":true},[2]]` + "\n" + `[70,1,{}]`,
		`[64,1,{"match":"prefix"},"com"]` + "\n" + `b[48,7,{"progress":true},"com.x"]` + "\n" + `b[48,7,{},"com.x"]` + "\n" + `b[49,7,{"mode":"kill"}]` + "\n" + `[8,68,1,{},"com.err"]`,
		`[32,1,{"match":"wildcard"},"com..c"]` + "\n" + `[34,2,1]` + "\n" + `b[66,3,4]` + "\n" + `[6,{},"wamp.close.normal"]` + "\n" + `[1,"realm1",{"roles":{"caller":{}}}]`,
		`b[48,1,{},"com.p"]` + "\n" + `[64,1,{"force_reregister":true,"concurrency":1},"com.p"]` + "\n" + `b[49,1,{"mode":"skip"}]` + "\n" + `[36,1,2,{}]`,
	} {
		f.Add([]byte(seed))
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := New(Options{Realms: []string{"realm1"}, Logger: logger})
		if err != nil {
			t.Fatal(err)
		}
		var sessions [2]*session
		for i := range sessions {
			sessions[i] = r.Accept(nullTransport{}).(*session)
			sessions[i].OnMessage(&core.Hello{Realm: "realm1", Details: core.HelloDetails{Roles: allRoles}})
		}
		for line := range bytes.SplitSeq(data, []byte("\n")) {
			s := sessions[0]
			if len(line) > 0 && line[0] == 'b' {
				s, line = sessions[1], line[1:]
			}
			msgs, err := json.Serializer.Unserialize(line)
			if err != nil {
				continue
			}
			for _, m := range msgs {
				s.OnMessage(m)
			}
		}
		rl := r.Realm("realm1")
		b, d := &rl.broker, &rl.dealer
		d.mu.Lock()
		checkCallTables(t, sessions[:])
		d.mu.Unlock()
		for _, s := range sessions {
			s.OnClose(nil)
		}
		if len(rl.sessions) != 0 || len(b.byID) != 0 || len(b.subs.exact)+len(b.subs.prefix)+len(b.subs.wildcard) != 0 ||
			len(d.byID) != 0 || len(d.regs.exact)+len(d.regs.prefix)+len(d.regs.wildcard)+len(d.regs.prefixLens) != 0 ||
			len(sessions[0].calls)+len(sessions[1].calls)+len(sessions[0].serving)+len(sessions[1].serving) != 0 {
			t.Fatalf("state left after both sessions closed: %d sessions, %d subscriptions, %d registrations",
				len(rl.sessions), len(b.byID), len(d.byID))
		}
	})
}

// checkCallTables checks the dealer's per-session tables while sessions
// live: a served invocation is unfinished and its callee's; a call is kept
// only while the caller waits for its answer or still sends input; and
// each callee's in-flight count is the number of its unfinished
// invocations.
func checkCallTables(t *testing.T, sessions []*session) {
	t.Helper()
	inflight := map[*callee]int{}
	for _, s := range sessions {
		for id, inv := range s.serving {
			if inv.finished || inv.callee.s != s || inv.id != id {
				t.Fatalf("session %d serves invocation %d: finished %v, callee %d", s.id, id, inv.finished, inv.callee.s.id)
			}
			inflight[inv.callee]++
		}
		for req, inv := range s.calls {
			if inv.caller != s || inv.request != req || (inv.answered && !inv.inputOpen) {
				t.Fatalf("session %d keeps call %d: answered %v, input open %v", s.id, req, inv.answered, inv.inputOpen)
			}
		}
		for _, reg := range s.registrations {
			for _, c := range reg.callees {
				if c.inflight != inflight[c] {
					t.Fatalf("callee %d of %s: %d in flight, %d invocations served", c.s.id, reg.uri, c.inflight, inflight[c])
				}
			}
		}
	}
}
