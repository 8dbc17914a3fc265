package node

import (
	"strings"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/router"
)

// defaultHistoryLimit is the events a memory store keeps per event-history
// entry when neither the entry nor the store sets a limit: Crossbar.io's
// GLOBAL_HISTORY_LIMIT.
const defaultHistoryLimit = 100

// realmList reads the router worker's realms into Config.Router.
func (l *loader) realmList(w obj) error {
	list, err := w.list("realms")
	if err != nil {
		return err
	}
	l.realms = make(map[string]bool, len(list))
	opts := &l.cfg.Router
	for i, v := range list {
		r, err := asObj(index(child(w.path, "realms"), i), v)
		if err != nil {
			return err
		}
		name, err := l.realm(r)
		if err != nil {
			return err
		}
		opts.Realms = append(opts.Realms, name)
	}
	return nil
}

// realm reads one realm: its name, roles, options and store.
func (l *loader) realm(r obj) (string, error) {
	if err := r.check(schema{known: []string{"id", "name", "roles", "options", "store"}}); err != nil {
		return "", err
	}
	if _, _, err := r.str("id"); err != nil {
		return "", err
	}
	name, err := r.mustStr("name")
	if err != nil {
		return "", err
	}
	if err := core.ValidateRealm(name); err != nil {
		return "", wrapErr(child(r.path, "name"), err)
	}
	if l.realms[name] {
		return "", errorf(child(r.path, "name"), "realm %q is configured twice", name)
	}
	l.realms[name] = true
	roles, err := realmRoles(r)
	if err != nil {
		return "", err
	}
	if l.cfg.Router.Roles == nil {
		l.cfg.Router.Roles = make(map[string]map[string]router.Role)
	}
	l.cfg.Router.Roles[name] = roles
	if err := realmOptions(r); err != nil {
		return "", err
	}
	history, err := realmStore(r)
	if err != nil || history == nil {
		return name, err
	}
	if l.cfg.Router.EventHistory == nil {
		l.cfg.Router.EventHistory = make(map[string][]router.EventHistory)
	}
	l.cfg.Router.EventHistory[name] = history
	return name, nil
}

// realmRoles reads a realm's "roles": static permissions, a dynamic
// authorizer, or neither (Crossbar.io's "allow-by-default", false unless
// given).
func realmRoles(r obj) (map[string]router.Role, error) {
	list, err := r.list("roles")
	if err != nil {
		return nil, err
	}
	roles := make(map[string]router.Role, len(list))
	for i, v := range list {
		ro, err := asObj(index(child(r.path, "roles"), i), v)
		if err != nil {
			return nil, err
		}
		name, role, err := realmRole(ro)
		if err != nil {
			return nil, err
		}
		if _, dup := roles[name]; dup {
			return nil, errorf(child(ro.path, "name"), "role %q is configured twice in this realm", name)
		}
		roles[name] = role
	}
	return roles, nil
}

func realmRole(ro obj) (string, router.Role, error) {
	var role router.Role
	if err := ro.check(schema{known: []string{"id", "name", "permissions", "authorizer", "allow-by-default"}}); err != nil {
		return "", role, err
	}
	if _, _, err := ro.str("id"); err != nil {
		return "", role, err
	}
	name, err := ro.mustStr("name")
	if err != nil {
		return "", role, err
	}
	if ro.has("authorizer") && ro.has("permissions") {
		return "", role, errorf(ro.path, "a role has \"authorizer\" or \"permissions\", not both")
	}
	if auth, ok, err := ro.str("authorizer"); err != nil {
		return "", role, err
	} else if ok {
		if err := core.ValidateURI(auth, true, core.MatchExact); err != nil {
			return "", role, wrapErr(child(ro.path, "authorizer"), err)
		}
		role.Authorizer = auth
		return name, role, nil
	}
	allowAll, err := ro.boolean("allow-by-default", false)
	if err != nil {
		return "", role, err
	}
	if allowAll && !ro.has("permissions") {
		role.Permissions = []router.Permission{{URI: "", Match: core.MatchPrefix, Call: true, Register: true, Publish: true, Subscribe: true}}
		return name, role, nil
	}
	role.Permissions, err = permissions(ro)
	return name, role, err
}

// permissions reads a role's "permissions".
func permissions(ro obj) ([]router.Permission, error) {
	list, err := ro.list("permissions")
	if err != nil {
		return nil, err
	}
	perms := make([]router.Permission, 0, len(list))
	for i, v := range list {
		po, err := asObj(index(child(ro.path, "permissions"), i), v)
		if err != nil {
			return nil, err
		}
		p, err := permission(po)
		if err != nil {
			return nil, err
		}
		perms = append(perms, p)
	}
	return perms, nil
}

// permission reads one permission. Without "match", the URI is a starred
// URI, converted as Crossbar.io converts it (convert_starred_uri): no star
// is exact, one star at the end is a prefix, any other stars are wildcard
// components.
func permission(po obj) (router.Permission, error) {
	var p router.Permission
	err := po.check(schema{known: []string{"uri", "match", "allow", "disclose", "cache"}, refused: map[string]string{
		"validate": "payload validation against a type inventory is not implemented",
	}})
	if err != nil {
		return p, err
	}
	if p.URI, err = po.mustStr("uri"); err != nil {
		return p, err
	}
	match, explicit, err := po.str("match")
	if err != nil {
		return p, err
	}
	if explicit {
		if match != core.MatchExact && match != core.MatchPrefix && match != core.MatchWildcard {
			return p, errorf(child(po.path, "match"), "%q is not a match policy (exact, prefix or wildcard)", match)
		}
		p.Match = match
	} else {
		p.URI, p.Match = convertStarredURI(p.URI)
	}
	if p.Match != core.MatchPrefix || p.URI != "" {
		if err := core.ValidateURI(p.URI, false, p.Match); err != nil {
			return p, wrapErr(child(po.path, "uri"), err)
		}
	}
	if p.Cache, err = po.boolean("cache", false); err != nil {
		return p, err
	}
	if err := flags(po, "allow", map[string]*bool{"call": &p.Call, "register": &p.Register, "publish": &p.Publish, "subscribe": &p.Subscribe}); err != nil {
		return p, err
	}
	return p, flags(po, "disclose", map[string]*bool{"caller": &p.DiscloseCaller, "publisher": &p.DisclosePublisher})
}

// flags reads an object of booleans (a permission's "allow" or
// "disclose"); absent ones are false.
func flags(po obj, key string, dst map[string]*bool) error {
	o, ok, err := po.object(key)
	if err != nil || !ok {
		return err
	}
	if err := o.check(schema{known: sortedKeys(dst)}); err != nil {
		return err
	}
	for k, p := range dst {
		if *p, err = o.boolean(k, false); err != nil {
			return err
		}
	}
	return nil
}

// convertStarredURI is Autobahn's convert_starred_uri.
func convertStarredURI(uri string) (string, string) {
	switch n := strings.Count(uri, "*"); {
	case n == 0:
		return uri, core.MatchExact
	case n == 1 && strings.HasSuffix(uri, "*"):
		return uri[:len(uri)-1], core.MatchPrefix
	default:
		return strings.ReplaceAll(uri, "*", ""), core.MatchWildcard
	}
}

// realmOptions checks a realm's "options": those that change nothing
// here are accepted, the others refused.
func realmOptions(r obj) error {
	o, ok, err := r.object("options")
	if err != nil || !ok {
		return err
	}
	if err := o.check(schema{known: []string{"event_dispatching_chunk_size", "uri_check", "enable_meta_api", "bridge_meta_api"}}); err != nil {
		return err
	}
	if _, _, err := o.integer("event_dispatching_chunk_size", 1, 1<<31-1); err != nil {
		return err
	}
	if c, ok, err := o.str("uri_check"); err != nil {
		return err
	} else if ok && c != "strict" {
		return errorf(child(o.path, "uri_check"), "%q is not supported: only \"strict\" (the default); loose URI checking is a router-wide switch here (autobahn serve --loose-uris without --config)", c)
	}
	if meta, err := o.boolean("enable_meta_api", true); err != nil {
		return err
	} else if !meta {
		return errorf(child(o.path, "enable_meta_api"), "false is not supported: the meta API is always on")
	}
	if bridge, err := o.boolean("bridge_meta_api", false); err != nil {
		return err
	} else if bridge {
		return errorf(child(o.path, "bridge_meta_api"), "true is not supported: there is no node management router to bridge to")
	}
	return nil
}

// realmStore reads a realm's "store": a memory store whose
// "event-history" entries become router.EventHistory.
func realmStore(r obj) ([]router.EventHistory, error) {
	s, ok, err := r.object("store")
	if err != nil || !ok {
		return nil, err
	}
	err = s.check(schema{known: []string{"type", "limit", "event-history"}, refused: map[string]string{
		"call-queue": "call queueing is not implemented",
	}})
	if err != nil {
		return nil, err
	}
	typ, err := s.mustStr("type")
	if err != nil {
		return nil, err
	}
	if typ != "memory" {
		return nil, errorf(child(s.path, "type"), "%q stores are not supported by autobahn serve (only \"memory\")", typ)
	}
	limit, ok, err := s.integer("limit", 1, router.MaxEventHistory)
	if err != nil {
		return nil, err
	}
	if !ok {
		limit = defaultHistoryLimit
	}
	return eventHistory(s, int(limit))
}

// eventHistory reads a store's "event-history" list.
func eventHistory(s obj, limit int) ([]router.EventHistory, error) {
	list, err := s.list("event-history")
	if err != nil {
		return nil, err
	}
	out := make([]router.EventHistory, 0, len(list))
	for i, v := range list {
		e, err := asObj(index(child(s.path, "event-history"), i), v)
		if err != nil {
			return nil, err
		}
		if err := e.check(schema{known: []string{"uri", "match", "limit"}}); err != nil {
			return nil, err
		}
		h := router.EventHistory{Match: core.MatchExact, Limit: limit}
		if h.URI, err = e.mustStr("uri"); err != nil {
			return nil, err
		}
		if m, ok, err := e.str("match"); err != nil {
			return nil, err
		} else if ok {
			h.Match = m
		}
		if err := core.ValidateURI(h.URI, false, h.Match); err != nil {
			return nil, wrapErr(child(e.path, "uri"), err)
		}
		if n, ok, err := e.integer("limit", 1, router.MaxEventHistory); err != nil {
			return nil, err
		} else if ok {
			h.Limit = int(n)
		}
		out = append(out, h)
	}
	return out, nil
}
