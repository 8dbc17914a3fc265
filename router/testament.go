package router

import (
	"fmt"
	"strings"

	"github.com/autobahn-go/autobahn/core"
)

// Testaments (Crossbar.io's testament meta API): a session leaves events
// that the router publishes for it when it goes — however it goes (GOODBYE,
// a lost connection, a kill). wamp.session.add_testament(topic, args,
// kwargs, publish_options, scope) stores one and returns its publication
// ID; wamp.session.flush_testaments(scope) drops them and returns how many.
// Without session resumption, the scopes "destroyed" and "detached" both
// end with the session. Unlike Crossbar.io, the router authorizes the
// publication when the testament is added (it cannot ask a dynamic
// authorizer while the session goes away).

// MaxTestaments bounds the testaments one session may leave.
const MaxTestaments = 100

// URITestamentError is the error of the testament procedures for bad
// arguments (Crossbar.io's).
const URITestamentError = "wamp.error.testament_error"

// testaments are a session's, by scope; the session's reader is the only
// goroutine that adds, flushes and publishes them.
type testaments struct {
	destroyed, detached []*core.Publish
}

func (t *testaments) scope(name string) (*[]*core.Publish, bool) {
	switch name {
	case "", "destroyed":
		return &t.destroyed, true
	case "detached":
		return &t.detached, true
	}
	return nil, false
}

// testamentCall answers add_testament and flush_testaments.
func (rl *Realm) testamentCall(s *session, m *core.Call) {
	kw := func(name string, pos int) any {
		if v, ok := m.Kwargs[name]; ok {
			return v
		}
		if pos < len(m.Args) {
			return m.Args[pos]
		}
		return nil
	}
	fail := func(format string, args ...any) {
		s.sendError(core.TypeCall, m.Request, URITestamentError, fmt.Sprintf(format, args...))
	}
	if s.testaments == nil {
		s.testaments = &testaments{}
	}
	if m.Procedure == "wamp.session.flush_testaments" {
		name, _ := kw("scope", 0).(string)
		list, ok := s.testaments.scope(name)
		if !ok {
			fail("scope must be destroyed or detached, not %q", name)
			return
		}
		n := len(*list)
		*list = nil
		s.send(&core.Result{Request: m.Request, Args: []any{int64(n)}})
		return
	}
	name, _ := kw("scope", 4).(string)
	list, ok := s.testaments.scope(name)
	if !ok {
		fail("scope must be destroyed or detached, not %q", name)
		return
	}
	if len(s.testaments.destroyed)+len(s.testaments.detached) >= MaxTestaments {
		fail("this session already left %d testaments, the most a session may", MaxTestaments)
		return
	}
	options, _ := kw("publish_options", 3).(map[string]any)
	opts := map[string]any{}
	for k, v := range options {
		if k != "acknowledge" && k != "exclude_me" {
			opts[k] = v
		}
	}
	pub := randomID()
	parsed, err := core.ParseMessage([]any{int64(core.TypePublish), int64(pub), opts, kw("topic", 0), orEmptyList(kw("args", 1)), orEmptyDict(kw("kwargs", 2))})
	if err != nil {
		fail("not a valid publication: %v", err)
		return
	}
	p := parsed.(*core.Publish)
	if err := rl.router.checkURI(p.Topic, core.MatchExact); err != nil || strings.HasPrefix(p.Topic, "wamp.") {
		s.sendError(core.TypeCall, m.Request, core.URIInvalidURI, "a testament's topic must be a valid URI outside wamp.")
		return
	}
	if _, ok := s.authorize(ActionPublish, p.Topic, p, m.Request, false); !ok {
		s.sendError(core.TypeCall, m.Request, core.URINotAuthorized, "session is not authorized to publish "+p.Topic)
		return
	}
	*list = append(*list, p)
	s.send(&core.Result{Request: m.Request, Args: []any{pub}})
}

func orEmptyList(v any) any {
	if v == nil {
		return []any{}
	}
	return v
}

func orEmptyDict(v any) any {
	if v == nil {
		return map[string]any{}
	}
	return v
}

// publishTestaments publishes what s left, as s, when it leaves rl.
func (rl *Realm) publishTestaments(s *session) {
	t := s.testaments
	if t == nil {
		return
	}
	s.testaments = nil
	from := publisherInfo{id: s.id, authid: s.authid, authrole: s.authrole}
	for _, p := range append(t.detached, t.destroyed...) {
		delivered, _ := rl.broker.route(p, p.Request, from, newPubFilter(&p.Options, s.id))
		rl.router.stats.publications.Add(1)
		rl.router.stats.events.Add(uint64(delivered))
	}
}
