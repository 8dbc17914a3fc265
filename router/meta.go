package router

import (
	"slices"

	"github.com/autobahn-go/autobahn/core"
)

// The session meta API, as Crossbar.io names it: the router publishes
// wamp.session.on_join (the session's details) and wamp.session.on_leave
// (session ID, authid, authrole) in each realm, and answers the procedures
// wamp.session.count, list and get itself. The meta procedures obey the
// Authorizer like any other call.

// URINoSuchSession is the error of wamp.session.get for an unknown ID.
const URINoSuchSession = "wamp.error.no_such_session"

// publishMeta publishes a meta event of the realm from the router.
func (rl *Realm) publishMeta(topic string, args ...any) {
	m := &core.Publish{Topic: topic, Args: args}
	delivered, _ := rl.broker.route(m, randomID(), publisherInfo{}, &pubFilter{})
	rl.router.stats.events.Add(uint64(delivered))
}

// metaDetails is the details dict of a session in the meta API.
func (s *session) metaDetails() map[string]any {
	return map[string]any{
		"session": s.id, "authid": s.authid, "authrole": s.authrole,
		"authmethod": s.authmethod, "authprovider": "static", "realm": s.realmName(),
		"transport": map[string]any{"peer": s.t.Details().Peer},
	}
}

// metaCall answers a call of a wamp.session.* procedure; false when the
// procedure is not one of them.
func (rl *Realm) metaCall(s *session, m *core.Call) bool {
	var res *core.Result
	switch m.Procedure {
	case "wamp.session.count":
		res = &core.Result{Args: []any{int64(len(rl.sessionsWithRoles(m.Args)))}}
	case "wamp.session.list":
		ids := rl.sessionsWithRoles(m.Args)
		list := make([]any, len(ids))
		for i, id := range ids {
			list[i] = id
		}
		res = &core.Result{Args: []any{list}}
	case "wamp.session.get":
		id, _ := firstUint(m.Args)
		rl.mu.Lock()
		other := rl.sessions[id]
		rl.mu.Unlock()
		if other == nil {
			s.sendError(core.TypeCall, m.Request, URINoSuchSession, "no session with this ID in the realm")
			return true
		}
		res = &core.Result{Args: []any{other.metaDetails()}}
	default:
		return false
	}
	res.Request = m.Request
	s.send(res)
	return true
}

// sessionsWithRoles returns the IDs of the realm's sessions, only those
// with one of the authroles of args[0] when it is a list (Crossbar's
// filter_authroles), sorted.
func (rl *Realm) sessionsWithRoles(args []any) []uint64 {
	var roles []any
	if len(args) > 0 {
		roles, _ = args[0].([]any)
	}
	rl.mu.Lock()
	defer rl.mu.Unlock()
	ids := make([]uint64, 0, len(rl.sessions))
	for id, s := range rl.sessions {
		if roles == nil || slices.Contains(roles, any(s.authrole)) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

func firstUint(args []any) (uint64, bool) {
	if len(args) == 0 {
		return 0, false
	}
	switch n := args[0].(type) {
	case uint64:
		return n, true
	case int64:
		return uint64(n), n > 0
	}
	return 0, false
}
