package router

import (
	"slices"

	"github.com/autobahn-go/autobahn/core"
)

// The session meta API, as Crossbar.io names it: the router publishes
// wamp.session.on_join (the session's details) and wamp.session.on_leave
// (session ID, authid, authrole) in each realm, and answers the procedures
// wamp.session.count, list, get, kill, kill_by_authid, kill_by_authrole
// and kill_all itself (a kill says GOODBYE with the reason and message
// keyword arguments, default wamp.close.killed; the by-* kills return the
// IDs killed and never kill the caller). The meta procedures obey the
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
		"authmethod": s.authmethod, "authprovider": s.authprovider, "authextra": s.authextra, "realm": s.realmName(),
		"transport": map[string]any{"peer": s.t.Details().Peer},
	}
}

// metaCall answers a call of a wamp.session.* procedure; false when the
// procedure is not one of them.
func (rl *Realm) metaCall(s *session, m *core.Call) bool {
	var res *core.Result
	switch m.Procedure {
	case "wamp.session.add_testament", "wamp.session.flush_testaments":
		rl.testamentCall(s, m)
		return true
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
	case "wamp.session.kill":
		id, _ := firstUint(m.Args)
		rl.mu.Lock()
		other := rl.sessions[id]
		rl.mu.Unlock()
		if other == nil || other == s {
			s.sendError(core.TypeCall, m.Request, URINoSuchSession, "no other session with this ID in the realm")
			return true
		}
		reason, message := killReason(m.Kwargs)
		other.goodbye(reason, message)
		res = &core.Result{}
	case "wamp.session.kill_by_authid", "wamp.session.kill_by_authrole", "wamp.session.kill_all":
		var want string
		if m.Procedure != "wamp.session.kill_all" {
			var ok bool
			if want, ok = firstString(m.Args); !ok {
				s.sendError(core.TypeCall, m.Request, core.URIInvalidArgument, m.Procedure+" takes the authid or authrole as its argument")
				return true
			}
		}
		reason, message := killReason(m.Kwargs)
		killed := []any{}
		for _, other := range rl.members() {
			match := m.Procedure == "wamp.session.kill_all" ||
				m.Procedure == "wamp.session.kill_by_authid" && other.authid == want ||
				m.Procedure == "wamp.session.kill_by_authrole" && other.authrole == want
			if other != s && match && other.goodbye(reason, message) {
				killed = append(killed, other.id)
			}
		}
		res = &core.Result{Args: []any{killed}}
	default:
		return false
	}
	res.Request = m.Request
	s.send(res)
	return true
}

// killReason reads the reason and message keyword arguments of the kill
// procedures (default wamp.close.killed).
func killReason(kwargs map[string]any) (reason, message string) {
	reason, _ = kwargs["reason"].(string)
	message, _ = kwargs["message"].(string)
	if reason == "" || core.ValidateURI(reason, false, core.MatchExact) != nil {
		reason = core.URICloseKilled
	}
	return reason, message
}

// members returns the realm's sessions.
func (rl *Realm) members() []*session {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	all := make([]*session, 0, len(rl.sessions))
	for _, s := range rl.sessions {
		all = append(all, s)
	}
	return all
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
