package router

import (
	"time"
)

// Snapshot is what a router serves at one moment: its realms with their
// sessions, registrations and subscriptions, for status pages and
// operators' tools (Stats has the counters). It is a copy: nothing in it
// changes with the router, and holding it holds no lock.
type Snapshot struct {
	// Time is when the snapshot was taken.
	Time time.Time `json:"time"`
	// Realms are sorted by name.
	Realms []RealmSnapshot `json:"realms"`
}

// RealmSnapshot is one realm of a Snapshot.
type RealmSnapshot struct {
	Name string `json:"name"`
	// Sessions are the sessions joined to the realm, by ID.
	Sessions []SessionSnapshot `json:"sessions"`
	// Registrations and Subscriptions are sorted by ID, as the meta
	// procedures wamp.registration.list and wamp.subscription.list list
	// them.
	Registrations []RegistrationSnapshot `json:"registrations"`
	Subscriptions []SubscriptionSnapshot `json:"subscriptions"`
}

// SessionSnapshot is one joined session.
type SessionSnapshot struct {
	ID           uint64 `json:"id"`
	AuthID       string `json:"authid"`
	AuthRole     string `json:"authrole"`
	AuthMethod   string `json:"authmethod"`
	AuthProvider string `json:"authprovider"`
	// Peer is the transport's peer, as Autobahn writes it
	// ("tcp4:127.0.0.1:52314").
	Peer string `json:"peer"`
}

// RegistrationSnapshot is one procedure pattern with its callees, as
// wamp.registration.get describes it plus the callee count.
type RegistrationSnapshot struct {
	ID      uint64    `json:"id"`
	URI     string    `json:"uri"`
	Match   string    `json:"match"`
	Invoke  string    `json:"invoke"`
	Created time.Time `json:"created"`
	Callees int       `json:"callees"`
}

// SubscriptionSnapshot is one topic pattern with its subscribers.
type SubscriptionSnapshot struct {
	ID          uint64    `json:"id"`
	URI         string    `json:"uri"`
	Match       string    `json:"match"`
	Created     time.Time `json:"created"`
	Subscribers int       `json:"subscribers"`
}

// Snapshot returns the router's realms with their sessions, registrations
// and subscriptions. It takes each realm's, dealer's and broker's lock in
// turn, one at a time and only to copy its table, so routing goes on while
// a snapshot is taken; the parts of the result are therefore not all of
// one instant (a session that joined meanwhile may own a registration not
// listed, say).
func (r *Router) Snapshot() Snapshot {
	realms := r.Realms()
	out := Snapshot{Time: time.Now(), Realms: make([]RealmSnapshot, len(realms))}
	for i, rl := range realms {
		out.Realms[i] = RealmSnapshot{
			Name:          rl.name,
			Sessions:      rl.sessionSnapshots(),
			Registrations: rl.dealer.snapshot(),
			Subscriptions: rl.broker.snapshot(),
		}
	}
	return out
}

// sessionSnapshots describes the realm's sessions. The fields HELLO set are
// copied under the realm's lock (a transport may carry a new session after
// a GOODBYE); the peer is asked of each transport after it, since that may
// take longer than the lock should be held.
func (rl *Realm) sessionSnapshots() []SessionSnapshot {
	rl.mu.Lock()
	members := sortedByID(rl.sessions)
	out := make([]SessionSnapshot, len(members))
	for i, s := range members {
		out[i] = SessionSnapshot{ID: s.id, AuthID: s.authid, AuthRole: s.authrole, AuthMethod: s.authmethod, AuthProvider: s.authprovider}
	}
	rl.mu.Unlock()
	for i, s := range members {
		out[i].Peer = s.t.Details().Peer
	}
	return out
}
