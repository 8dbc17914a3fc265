package router

import (
	"sync"

	"github.com/autobahn-go/autobahn/core"
)

// Realm is a routing and administrative domain: sessions joined to it
// publish and call only within it. Each realm has its own broker and dealer.
type Realm struct {
	name   string
	router *Router

	mu       sync.Mutex
	sessions map[uint64]*session

	broker broker
	dealer dealer

	serviceOnce sync.Once
	service     *serviceCaller // the router's own caller (Router.Call)
}

func newRealm(r *Router, name string) *Realm {
	rl := &Realm{name: name, router: r, sessions: make(map[uint64]*session)}
	rl.broker.init(rl)
	rl.dealer.init(rl)
	return rl
}

// Name returns the realm's name.
func (rl *Realm) Name() string { return rl.name }

// SessionCount returns the number of sessions joined to the realm.
func (rl *Realm) SessionCount() int {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	return len(rl.sessions)
}

// newSessionID returns a session ID not in use in the realm now.
func (rl *Realm) newSessionID() uint64 {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	id := randomID()
	for rl.sessions[id] != nil {
		id = randomID()
	}
	return id
}

// join adds s to the realm under its ID (from newSessionID), or a new one
// if another session took it meanwhile, or s's ID is of another realm.
func (rl *Realm) join(s *session) {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	for s.id == 0 || rl.sessions[s.id] != nil {
		s.id = randomID()
	}
	rl.sessions[s.id] = s
	rl.router.stats.sessions.Add(1)
	rl.router.stats.sessionsTotal.Add(1)
}

// leave removes s from the realm: its subscriptions and registrations go,
// calls it made are interrupted, and calls it was serving fail.
func (rl *Realm) leave(s *session) {
	rl.mu.Lock()
	ok := rl.sessions[s.id] == s
	if ok {
		delete(rl.sessions, s.id)
	}
	rl.mu.Unlock()
	if !ok {
		return
	}
	rl.router.stats.sessions.Add(-1)
	rl.publishTestaments(s)
	rl.broker.detach(s)
	rl.dealer.detach(s)
	rl.publishMeta("wamp.session.on_leave", s.id, s.authid, s.authrole)
}

// Features are the advanced-profile features the router implements, by
// role, exactly as announced in WELCOME.
var Features = map[string][]string{
	core.RoleBroker: {
		"publisher_identification", "pattern_based_subscription", "subscriber_blackwhite_listing",
		"publisher_exclusion", "event_retention", "payload_passthru_mode", "session_meta_api",
		"subscription_meta_api", "subscription_revocation", "event_history",
	},
	core.RoleDealer: {
		"progressive_call_results", "progressive_call_invocations", "call_timeout", "call_canceling",
		"caller_identification", "pattern_based_registration", "shared_registration",
		"payload_passthru_mode", "registration_revocation", "session_meta_api", "registration_meta_api",
		"testament_meta_api",
	},
}

// welcomeRoles is WELCOME.Details.roles, built once from Features and
// shared (read-only) by every WELCOME.
var welcomeRoles = func() map[string]core.Role {
	roles := make(map[string]core.Role, len(Features))
	for role, names := range Features {
		f := make(map[string]bool, len(names))
		for _, n := range names {
			f[n] = true
		}
		roles[role] = core.Role{Features: f}
	}
	return roles
}()
