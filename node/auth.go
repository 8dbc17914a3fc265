package node

import (
	"context"
	"encoding/hex"
	"strings"

	"github.com/autobahn-go/autobahn/auth"
	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/router"
)

// authRefusals are the authentication methods of Crossbar.io that the
// router does not implement.
var authRefusals = map[string]string{
	"tls":              "TLS client certificate authentication is not implemented",
	"cookie":           "cookie authentication is not implemented",
	"scram":            "WAMP-SCRAM is not implemented",
	"cryptosign-proxy": "proxy workers are not supported",
	"anonymous-proxy":  "proxy workers are not supported",
}

// auth reads a transport's "auth" section into the methods of its
// acceptor, in the order of their names. A transport without one admits
// anonymous sessions with role "anonymous", as in Crossbar.io.
func (l *loader) auth(t obj) ([]router.AuthMethod, error) {
	a, ok, err := t.object("auth")
	if err != nil {
		return nil, err
	}
	if !ok {
		return []router.AuthMethod{router.Anonymous{}}, nil
	}
	if err := a.check(schema{known: []string{"anonymous", "ticket", "wampcra", "cryptosign"}, refused: authRefusals}); err != nil {
		return nil, err
	}
	readers := map[string]func(obj) (router.AuthMethod, error){
		"anonymous": l.anonymous, "ticket": l.ticket, "wampcra": l.wampcra, "cryptosign": l.cryptosign,
	}
	var methods []router.AuthMethod
	for _, name := range sortedKeys(a.m) {
		m, err := asObj(child(a.path, name), a.m[name])
		if err != nil {
			return nil, err
		}
		method, err := readers[name](m)
		if err != nil {
			return nil, err
		}
		methods = append(methods, method)
	}
	if len(methods) == 0 {
		return nil, errorf(a.path, "no authentication method: no session could join")
	}
	return methods, nil
}

// authType reads a method's "type": static or dynamic ("function", which
// runs Python in Crossbar.io, is refused).
func authType(m obj) (string, error) {
	typ, err := m.mustStr("type")
	if err != nil {
		return "", err
	}
	switch typ {
	case "static", "dynamic":
		return typ, nil
	case "function":
		return "", errorf(child(m.path, "type"), "\"function\" authenticators (Python functions) are not supported by autobahn serve: use \"dynamic\"")
	}
	return "", errorf(child(m.path, "type"), "%q is not an authenticator type (static or dynamic)", typ)
}

// anonymous reads the anonymous method: static only, since the router has
// no dynamic anonymous authenticator.
func (l *loader) anonymous(m obj) (router.AuthMethod, error) {
	if err := m.check(schema{known: []string{"type", "role", "authid", "realm", "authenticator", "authenticator-realm", "authenticator-role"}}); err != nil {
		return nil, err
	}
	typ, err := authType(m)
	if err != nil {
		return nil, err
	}
	if typ == "dynamic" {
		return nil, errorf(child(m.path, "type"), "\"dynamic\" anonymous authentication is not supported by autobahn serve (only \"static\")")
	}
	for _, k := range []string{"authenticator", "authenticator-realm", "authenticator-role"} {
		if m.has(k) {
			return nil, errorf(child(m.path, k), "only for dynamic authentication")
		}
	}
	var a anonymousAuth
	if a.Role, _, err = m.str("role"); err != nil {
		return nil, err
	}
	if a.authid, _, err = m.str("authid"); err != nil {
		return nil, err
	}
	if a.realm, err = l.realmRef(m, "realm"); err != nil {
		return nil, err
	}
	if a.authid == "" && a.realm == "" {
		return a.Anonymous, nil
	}
	return a, nil
}

// realmRef reads a key that names a realm of the router worker.
func (l *loader) realmRef(m obj, key string) (string, error) {
	realm, ok, err := m.str(key)
	if err != nil || !ok {
		return "", err
	}
	if !l.realms[realm] {
		return "", errorf(child(m.path, key), "realm %q is not a realm of the router worker", realm)
	}
	return realm, nil
}

// dynamic reads a dynamic authenticator: its procedure, the realm it is
// registered in, and the role of answers without one.
func (l *loader) dynamic(m obj, method string) (router.AuthMethod, error) {
	d := router.Dynamic{Method: method}
	var err error
	if d.Procedure, err = m.mustStr("authenticator"); err != nil {
		return nil, err
	}
	if err := core.ValidateURI(d.Procedure, true, core.MatchExact); err != nil {
		return nil, wrapErr(child(m.path, "authenticator"), err)
	}
	if d.Realm, err = l.realmRef(m, "authenticator-realm"); err != nil {
		return nil, err
	}
	if d.DefaultRole, _, err = m.str("default-role"); err != nil {
		return nil, err
	}
	return d, nil
}

// dynamicKeys are the keys of a dynamic authenticator's section.
var dynamicKeys = []string{"type", "authenticator", "authenticator-realm", "default-role"}

var dynamicRefusals = map[string]string{
	"authenticator-role": "the router calls authenticators from its own trusted session; the role cannot be chosen",
}

// checkTyped checks the keys of a method's section for its type: static
// keys with static, dynamic keys with dynamic.
func checkTyped(m obj, typ string, static []string) error {
	if typ == "dynamic" {
		return m.check(schema{known: dynamicKeys, refused: dynamicRefusals})
	}
	return m.check(schema{known: append([]string{"type"}, static...)})
}

// ticket reads the ticket method: static principals {authid: {ticket,
// role}} or a dynamic authenticator.
func (l *loader) ticket(m obj) (router.AuthMethod, error) {
	typ, err := authType(m)
	if err != nil {
		return nil, err
	}
	if err := checkTyped(m, typ, []string{"principals"}); err != nil {
		return nil, err
	}
	if typ == "dynamic" {
		return l.dynamic(m, "ticket")
	}
	principals, err := l.principals(m, "principals", []string{"ticket", "role"}, func(_ string, p obj, pr *router.Principal) (err error) {
		pr.Secret, err = l.secret(p, "ticket")
		return err
	})
	return router.Ticket{Principals: principals}, err
}

// wampcra reads the WAMP-CRA method: static users {authid: {secret, role,
// salt, iterations, keylen}} or a dynamic authenticator. The router keeps
// the key a salted secret derives, as Crossbar.io does.
func (l *loader) wampcra(m obj) (router.AuthMethod, error) {
	typ, err := authType(m)
	if err != nil {
		return nil, err
	}
	if err := checkTyped(m, typ, []string{"users"}); err != nil {
		return nil, err
	}
	if typ == "dynamic" {
		return l.dynamic(m, "wampcra")
	}
	users, err := l.principals(m, "users", []string{"secret", "role", "salt", "iterations", "keylen"}, l.craUser)
	return router.WAMPCRA{Principals: users}, err
}

func (l *loader) craUser(_ string, u obj, p *router.Principal) error {
	secret, err := l.secret(u, "secret")
	if err != nil {
		return err
	}
	p.Secret = secret
	if p.Salt, _, err = u.str("salt"); err != nil {
		return err
	}
	it, hasIt, err := u.integer("iterations", 1, auth.MaxIterations)
	if err != nil {
		return err
	}
	kl, hasKL, err := u.integer("keylen", 1, auth.MaxKeyLen)
	if err != nil {
		return err
	}
	if p.Salt == "" {
		if hasIt || hasKL {
			return errorf(u.path, "iterations and keylen need a salt")
		}
		return nil
	}
	p.Iterations, p.KeyLen = auth.DefaultIterations, auth.DefaultKeyLen
	if hasIt {
		p.Iterations = int(it)
	}
	if hasKL {
		p.KeyLen = int(kl)
	}
	if p.Secret, err = l.derive(secret, p.Salt, p.Iterations, p.KeyLen); err != nil {
		return wrapErr(child(u.path, "secret"), err)
	}
	return nil
}

// cryptosign reads the WAMP-Cryptosign method: static principals {authid:
// {authorized_keys, role, realm}} or a dynamic authenticator.
func (l *loader) cryptosign(m obj) (router.AuthMethod, error) {
	typ, err := authType(m)
	if err != nil {
		return nil, err
	}
	if typ == "static" {
		err = m.check(schema{known: []string{"type", "principals"}, refused: map[string]string{
			"trustroots": "trustroots (Ethereum certificates) are not supported",
		}})
	} else {
		err = checkTyped(m, typ, nil)
	}
	if err != nil {
		return nil, err
	}
	if typ == "dynamic" {
		return l.dynamic(m, "cryptosign")
	}
	c := cryptosignAuth{realms: map[string]string{}}
	c.Principals, err = l.principals(m, "principals", []string{"authorized_keys", "role", "realm"}, func(authid string, p obj, pr *router.Principal) error {
		realm, err := l.realmRef(p, "realm")
		if err != nil {
			return err
		}
		if realm != "" {
			c.realms[authid] = realm
		}
		pr.PubKeys, err = pubKeys(p)
		return err
	})
	if err != nil || len(c.realms) == 0 {
		return c.Cryptosign, err
	}
	return c, nil
}

// pubKeys reads a principal's authorized_keys: Ed25519 public keys, 64
// hex characters each.
func pubKeys(p obj) ([]string, error) {
	keys, err := p.strings("authorized_keys")
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, errorf(child(p.path, "authorized_keys"), "missing or empty: a principal needs at least one key")
	}
	for i, k := range keys {
		if b, err := hex.DecodeString(k); err != nil || len(b) != 32 {
			return nil, errorf(index(child(p.path, "authorized_keys"), i), "want an Ed25519 public key as 64 hex characters")
		}
		keys[i] = strings.ToLower(k)
	}
	return keys, nil
}

// principals reads the map of principals of a static method: each an
// object with the keys known and a role, read by more.
func (l *loader) principals(m obj, key string, known []string, more func(authid string, p obj, pr *router.Principal) error) (map[string]router.Principal, error) {
	ps, ok, err := m.object(key)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errorf(ps.path, "missing: a static authenticator needs its principals")
	}
	out := make(map[string]router.Principal, len(ps.m))
	for _, authid := range sortedKeys(ps.m) {
		p, err := asObj(child(ps.path, authid), ps.m[authid])
		if err != nil {
			return nil, err
		}
		if err := p.check(schema{known: known}); err != nil {
			return nil, err
		}
		var pr router.Principal
		if pr.Role, _, err = p.str("role"); err != nil {
			return nil, err
		}
		if pr.Role == "" {
			return nil, errorf(child(p.path, "role"), "missing: the principal needs a role")
		}
		if err := more(authid, p, &pr); err != nil {
			return nil, err
		}
		out[authid] = pr
	}
	return out, nil
}

// secret reads a ticket or secret, which may name an environment variable
// as "${NAME}" (Crossbar.io's maybe_from_env).
func (l *loader) secret(p obj, key string) (string, error) {
	s, err := p.mustStr(key)
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(s, "${") || !strings.HasSuffix(s, "}") || len(s) < 4 {
		return s, nil
	}
	name := s[2 : len(s)-1]
	v, ok := l.env(name)
	if !ok {
		return "", errorf(child(p.path, key), "environment variable %s is not set", name)
	}
	return v, nil
}

// anonymousAuth is static anonymous authentication with Crossbar.io's
// optional fixed authid and realm.
type anonymousAuth struct {
	router.Anonymous
	authid, realm string
}

func (a anonymousAuth) Hello(ctx context.Context, q *router.AuthRequest) (*router.Identity, *core.Challenge, any, error) {
	id, c, st, err := a.Anonymous.Hello(ctx, q)
	if id != nil {
		if a.authid != "" {
			id.AuthID = a.authid
		}
		id.Realm = a.realm
	}
	return id, c, st, err
}

// cryptosignAuth is static Cryptosign whose principals may each be
// assigned a realm, as Crossbar.io's "realm" of a principal does.
type cryptosignAuth struct {
	router.Cryptosign
	realms map[string]string // authid → realm
}

func (c cryptosignAuth) Verify(ctx context.Context, state any, a *core.Authenticate) (*router.Identity, error) {
	id, err := c.Cryptosign.Verify(ctx, state, a)
	if err != nil || id == nil {
		return id, err
	}
	out := *id
	out.Realm = c.realms[out.AuthID]
	return &out, nil
}
