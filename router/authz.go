package router

import (
	"context"
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
	ID                                                uint64
	Realm, AuthID, AuthRole, AuthMethod, AuthProvider string
	AuthExtra                                         map[string]any
}

// Decision is an Authorizer's answer, as Crossbar.io's authorizers give it.
type Decision struct {
	// Allow permits the action.
	Allow bool
	// Disclose makes the router disclose the acting session to the callee
	// (call) or the subscribers (publish), as if it had asked to.
	Disclose bool
	// Cache lets the router remember the decision for this session, URI and
	// action until the session leaves.
	Cache bool
}

// Authorizer decides whether a session may call, register, publish or
// subscribe on a URI (a pattern for register and subscribe); options are
// the message's options. Denials answer ERROR wamp.error.not_authorized; an
// error from the authorizer answers wamp.error.authorization_failed.
type Authorizer interface {
	Authorize(ctx context.Context, s SessionInfo, uri, action string, options map[string]any) (Decision, error)
}

// Permission allows actions on the URIs that match a pattern, as a role of
// Crossbar.io's config lists them.
type Permission struct {
	// URI and Match (exact, prefix or wildcard; empty is exact) select the
	// URIs. An empty prefix matches every URI.
	URI, Match                         string
	Call, Register, Publish, Subscribe bool
	// DiscloseCaller and DisclosePublisher disclose the acting session to
	// callees and subscribers.
	DiscloseCaller, DisclosePublisher bool
	// Cache lets the router remember the decisions of this permission per
	// session.
	Cache bool
}

// Role is one authrole of a realm (Options.Roles): static permissions, or
// a dynamic authorizer.
type Role struct {
	Permissions []Permission
	// Authorizer, when set, is the URI of a procedure of the realm that
	// decides instead of Permissions. The router calls it as Crossbar.io
	// calls a dynamic authorizer, with (session details, uri, action,
	// options), and takes a bool or a dict {allow, disclose, cache}.
	Authorizer string
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
func (r *Roles) Authorize(_ context.Context, s SessionInfo, uri, action string, _ map[string]any) (Decision, error) {
	t := r.byRole[s.AuthRole]
	if t == nil {
		return Decision{}, nil
	}
	p, ok := t.best(uri)
	if !ok {
		return Decision{}, nil
	}
	d := Decision{Cache: p.Cache}
	switch action {
	case ActionCall:
		d.Allow, d.Disclose = p.Call, p.DiscloseCaller
	case ActionRegister:
		d.Allow = p.Register
	case ActionPublish:
		d.Allow, d.Disclose = p.Publish, p.DisclosePublisher
	case ActionSubscribe:
		d.Allow = p.Subscribe
	default:
		return Decision{}, fmt.Errorf("unknown action %q", action)
	}
	return d, nil
}

// trustedRole is the authrole of the router's own service sessions (and of
// sessions an authenticator admits as such): allowed everything, as in
// Crossbar.io.
const trustedRole = "trusted"

// realmRoles authorizes the sessions of a realm that has Options.Roles:
// static permissions per role, or a dynamic authorizer procedure.
type realmRoles struct {
	static  *Roles
	dynamic map[string]string // authrole → authorizer procedure
}

func newRealmRoles(realm string, roles map[string]Role) (*realmRoles, error) {
	perms := make(map[string][]Permission, len(roles))
	rr := &realmRoles{dynamic: make(map[string]string)}
	for name, role := range roles {
		if role.Authorizer != "" {
			if err := core.ValidateURI(role.Authorizer, false, core.MatchExact); err != nil {
				return nil, fmt.Errorf("router: realm %s: role %s: authorizer: %w", realm, name, err)
			}
			rr.dynamic[name] = role.Authorizer
			continue
		}
		perms[name] = role.Permissions
	}
	static, err := NewRoles(perms)
	if err != nil {
		return nil, fmt.Errorf("router: realm %s: %w", realm, err)
	}
	rr.static = static
	return rr, nil
}

func (rr *realmRoles) has(role string) bool {
	_, dyn := rr.dynamic[role]
	return dyn || rr.static.byRole[role] != nil
}

// dynamicAuthorizer calls an authorizer procedure of a realm through the
// router's service session.
type dynamicAuthorizer struct {
	router    *Router
	procedure string
}

func (a dynamicAuthorizer) Authorize(ctx context.Context, s SessionInfo, uri, action string, options map[string]any) (Decision, error) {
	details := map[string]any{"session": s.ID, "authid": s.AuthID, "authrole": s.AuthRole,
		"authmethod": s.AuthMethod, "authprovider": s.AuthProvider, "authextra": s.AuthExtra}
	res, err := a.router.Call(ctx, s.Realm, a.procedure, []any{details, uri, action, options}, nil)
	if err != nil {
		return Decision{}, err
	}
	if len(res.Args) == 0 {
		return Decision{}, fmt.Errorf("authorizer %s returned nothing", a.procedure)
	}
	switch v := res.Args[0].(type) {
	case bool:
		return Decision{Allow: v}, nil
	case map[string]any:
		var d Decision
		for key, val := range v {
			b, isBool := val.(bool)
			switch {
			case key == "validate":
				continue // payload validation is not implemented; ignored as Crossbar.io ignores a null one
			case !isBool:
				return Decision{}, fmt.Errorf("authorizer %s returned %s=%v: want a bool", a.procedure, key, val)
			case key == "allow":
				d.Allow = b
			case key == "disclose":
				d.Disclose = b
			case key == "cache":
				d.Cache = b
			default:
				return Decision{}, fmt.Errorf("authorizer %s returned the unknown key %q", a.procedure, key)
			}
		}
		if _, ok := v["allow"]; !ok {
			return Decision{}, fmt.Errorf("authorizer %s returned a dict without \"allow\"", a.procedure)
		}
		return d, nil
	}
	return Decision{}, fmt.Errorf("authorizer %s returned %T: want a bool or a dict", a.procedure, res.Args[0])
}

// authorizerFor returns what decides for a session of realm with role: the
// realm's roles when Options.Roles has the realm, else Options.Authorizer;
// nil allows everything.
func (r *Router) authorizerFor(realm, role string) Authorizer {
	if role == trustedRole {
		return nil
	}
	if rr := r.roles[realm]; rr != nil {
		if proc, ok := rr.dynamic[role]; ok {
			return dynamicAuthorizer{router: r, procedure: proc}
		}
		return rr.static
	}
	return r.opts.Authorizer
}

// maxCachedDecisions bounds the decisions one session caches.
const maxCachedDecisions = 1024

// authorize asks the session's authorizer whether s may act on uri, and
// answers request req with the ERROR of a denial (when answer is set).
// Only the session's own reader calls it, so the cache needs no lock; a
// dynamic authorizer's answer is awaited there, bounded by
// Options.ServiceCallTimeout, which keeps the session's messages in order.
func (s *session) authorize(action, uri string, m core.Message, req uint64, answer bool) (Decision, bool) {
	a := s.authorizer
	if a == nil {
		return Decision{Allow: true}, true
	}
	key := [2]string{action, uri}
	if d, ok := s.decisions[key]; ok {
		return d, true
	}
	var options map[string]any
	if _, static := a.(*Roles); !static {
		options = messageOptions(m)
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.router.opts.ServiceCallTimeout)
	defer cancel()
	d, err := a.Authorize(ctx, s.info(), uri, action, options)
	typ := m.Type()
	switch {
	case err != nil:
		s.router.logger.Warn("router: authorizer failed", "session", s.id, "realm", s.realmName(),
			"action", action, "uri", uri, "authrole", s.authrole, "err", err)
		if answer {
			s.sendError(typ, req, core.URIAuthorizationFailed, fmt.Sprintf("could not authorize %s on %s: %v", action, uri, err))
		}
		return Decision{}, false
	case !d.Allow:
		if answer {
			s.sendError(typ, req, core.URINotAuthorized, fmt.Sprintf("session is not authorized to %s %s (authrole %s)", action, uri, s.authrole))
		}
		return d, false
	}
	if d.Cache && len(s.decisions) < maxCachedDecisions {
		if s.decisions == nil {
			s.decisions = make(map[[2]string]Decision)
		}
		s.decisions[key] = d
	}
	return d, true
}

// allowed is authorize for requests that are always answered.
func (s *session) allowed(action, uri string, m core.Message, req uint64) bool {
	_, ok := s.authorize(action, uri, m, req, true)
	return ok
}

// messageOptions returns the options of a CALL, PUBLISH, SUBSCRIBE or
// REGISTER (the third element of each) as the client sent them.
func messageOptions(m core.Message) map[string]any {
	l, err := m.List()
	if err != nil || len(l) < 3 {
		return map[string]any{}
	}
	o, ok := l[2].(map[string]any)
	if !ok {
		return map[string]any{}
	}
	return o
}

// info is what an Authorizer knows of s.
func (s *session) info() SessionInfo {
	return SessionInfo{ID: s.id, Realm: s.realmName(), AuthID: s.authid, AuthRole: s.authrole,
		AuthMethod: s.authmethod, AuthProvider: s.authprovider, AuthExtra: s.authextra}
}
