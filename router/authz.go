package router

import (
	"fmt"

	"github.com/autobahn-go/autobahn/core"
)

// The actions an Authorizer decides on.
const (
	ActionCall      = "call"
	ActionRegister  = "register"
	ActionPublish   = "publish"
	ActionSubscribe = "subscribe"
)

// SessionInfo is what an Authorizer knows of the session that acts.
type SessionInfo struct {
	ID                      uint64
	Realm, AuthID, AuthRole string
}

// Authorizer decides whether a session may call, register, publish or
// subscribe on a URI (a pattern for register and subscribe). Denials
// answer ERROR wamp.error.not_authorized; an error from the authorizer
// answers wamp.error.authorization_failed. Options.Authorizer nil allows
// everything.
type Authorizer interface {
	Authorize(s SessionInfo, uri, action string) (bool, error)
}

// Permission allows actions on the URIs that match a pattern, as a role of
// Crossbar.io's config lists them.
type Permission struct {
	// URI and Match (exact, prefix or wildcard; empty is exact) select the
	// URIs. An empty prefix matches every URI.
	URI, Match                         string
	Call, Register, Publish, Subscribe bool
}

// Roles is the static Authorizer: permissions by authrole, as a realm of
// Crossbar.io's config lists them. The most specific permission that
// matches a URI decides (exact, then the longest prefix, then the best
// wildcard, as the dealer chooses registrations); a role without a
// matching permission, and an unknown role, are denied.
type Roles struct {
	byRole map[string]*patternTable[*Permission]
}

// NewRoles checks the permissions' patterns and indexes them.
func NewRoles(perms map[string][]Permission) (*Roles, error) {
	r := &Roles{byRole: make(map[string]*patternTable[*Permission], len(perms))}
	for role, ps := range perms {
		t := &patternTable[*Permission]{}
		for i := range ps {
			p := &ps[i]
			match := matchOf(p.Match)
			if match != core.MatchPrefix || p.URI != "" {
				if err := core.ValidateURI(p.URI, false, match); err != nil {
					return nil, fmt.Errorf("router: role %s: permission %q: %w", role, p.URI, err)
				}
			}
			t.put(p.URI, match, p)
		}
		r.byRole[role] = t
	}
	return r, nil
}

// Authorize implements Authorizer.
func (r *Roles) Authorize(s SessionInfo, uri, action string) (bool, error) {
	t := r.byRole[s.AuthRole]
	if t == nil {
		return false, nil
	}
	p, ok := t.best(uri)
	if !ok {
		return false, nil
	}
	switch action {
	case ActionCall:
		return p.Call, nil
	case ActionRegister:
		return p.Register, nil
	case ActionPublish:
		return p.Publish, nil
	case ActionSubscribe:
		return p.Subscribe, nil
	}
	return false, fmt.Errorf("unknown action %q", action)
}

// authorize asks the router's Authorizer whether s may act on uri, and
// answers request req with the ERROR of a denial (when answer is set).
func (s *session) authorize(action, uri string, typ core.MessageType, req uint64, answer bool) bool {
	a := s.router.opts.Authorizer
	if a == nil {
		return true
	}
	ok, err := a.Authorize(SessionInfo{ID: s.id, Realm: s.realmName(), AuthID: s.authid, AuthRole: s.authrole}, uri, action)
	switch {
	case err != nil:
		s.router.logger.Warn("router: authorizer failed", "action", action, "uri", uri, "authrole", s.authrole, "err", err)
		if answer {
			s.sendError(typ, req, core.URIAuthorizationFailed, fmt.Sprintf("could not authorize %s on %s", action, uri))
		}
		return false
	case !ok:
		if answer {
			s.sendError(typ, req, core.URINotAuthorized, fmt.Sprintf("session is not authorized to %s %s (authrole %s)", action, uri, s.authrole))
		}
		return false
	}
	return true
}
