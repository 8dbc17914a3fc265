package router

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"

	"github.com/autobahn-go/autobahn/auth"
	"github.com/autobahn-go/autobahn/core"
)

// Dynamic authenticates with Method ("ticket", "wampcra" or "cryptosign")
// by calling a WAMP procedure, as Crossbar.io's dynamic authenticators do,
// so that an authenticator component written for Crossbar.io works
// unchanged. The router calls Procedure with (realm, authid, details):
// details holds the session ID, authmethod, authid, authrole and authextra
// of the HELLO, the transport, and for ticket the ticket the client sent.
// The answer is a role (a string) or a dict with role, and optionally
// authid, realm and extra; for wampcra also secret (and salt, iterations,
// keylen for a salted secret), for cryptosign pubkey. An ERROR from the
// procedure refuses the session with its URI and first argument.
//
// wampcra and cryptosign call the procedure at HELLO, to learn the secret or
// the key to challenge with; ticket calls it with the client's answer.
type Dynamic struct {
	Method, Procedure string
	// Realm is the realm of the procedure (Crossbar.io's
	// authenticator-realm); empty means the realm the client asks for.
	Realm string
	// DefaultRole is the role when the answer names none (default-role).
	DefaultRole string
	// RouterKey signs the challenges of cryptosign clients that
	// authenticate the router (see Cryptosign).
	RouterKey ed25519.PrivateKey
}

func (d Dynamic) Name() string { return d.Method }

type ticketState struct {
	q *AuthRequest
}

func (d Dynamic) Hello(ctx context.Context, q *AuthRequest) (*Identity, *core.Challenge, any, error) {
	switch d.Method {
	case "ticket":
		return nil, &core.Challenge{AuthMethod: "ticket", Extra: map[string]any{}}, ticketState{q}, nil
	case "wampcra":
		id, p, err := d.principal(ctx, q, nil)
		if err != nil {
			return nil, nil, nil, err
		}
		// Crossbar.io takes the secret for salted only when the answer
		// has all of salt, iterations and keylen; otherwise the client
		// signs with the secret itself and the CHALLENGE names no salt.
		if p.Salt == "" || p.Iterations == 0 || p.KeyLen == 0 {
			p.Salt = ""
		} else {
			key, err := auth.DeriveKey(p.Secret, p.Salt, p.Iterations, p.KeyLen)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("dynamic authenticator %s: %w", d.Procedure, err)
			}
			p.Secret = key
		}
		c, st, err := craChallenge(q, *id, p)
		return nil, c, st, err
	case "cryptosign":
		id, p, err := d.principal(ctx, q, nil)
		if err != nil {
			return nil, nil, nil, err
		}
		want, _ := q.Hello.AuthExtra["pubkey"].(string)
		if len(p.PubKeys) != 1 || want != "" && want != p.PubKeys[0] {
			return nil, nil, nil, &core.ApplicationError{URI: core.URINotAuthorized,
				Args: []any{"cryptosign: the dynamic authenticator's pubkey is not the client's"}}
		}
		return cryptosignChallenge(q, *id, p.PubKeys[0], d.RouterKey)
	}
	return nil, nil, nil, fmt.Errorf("dynamic authentication is not available for authmethod %q", d.Method)
}

func (d Dynamic) Verify(ctx context.Context, state any, a *core.Authenticate) (*Identity, error) {
	switch st := state.(type) {
	case ticketState:
		id, _, err := d.principal(ctx, st.q, map[string]any{"ticket": a.Signature})
		return id, err
	case *craState:
		return verifyCRA(st, a)
	case *cryptosignState:
		return Cryptosign{}.Verify(ctx, st, a)
	}
	return nil, errors.New("dynamic authentication: unknown state")
}

// principal calls the authenticator and reads its answer.
func (d Dynamic) principal(ctx context.Context, q *AuthRequest, more map[string]any) (*Identity, Principal, error) {
	h := q.Hello
	// What HELLO did not say is None to the authenticator, as Crossbar.io
	// passes it: a Python component tests "authid is None".
	authid, authrole := noneIfEmpty(h.AuthID), noneIfEmpty(h.AuthRole)
	details := map[string]any{"session": q.Session, "authmethod": d.Method, "authid": authid,
		"authrole": authrole, "authextra": h.AuthExtra, "transport": transportDetails(q.Transport)}
	for k, v := range more {
		details[k] = v
	}
	realm := d.Realm
	if realm == "" {
		realm = q.Realm
	}
	if realm == "" {
		return nil, Principal{}, &core.ApplicationError{URI: core.URINoSuchRealm,
			Args: []any{"HELLO names no realm, and the dynamic authenticator " + d.Procedure + " has no realm of its own"}}
	}
	res, err := q.Call(ctx, realm, d.Procedure, []any{noneIfEmpty(q.Realm), authid, details}, nil)
	if err != nil {
		var ae *core.ApplicationError
		if errors.As(err, &ae) {
			return nil, Principal{}, ae
		}
		return nil, Principal{}, fmt.Errorf("dynamic authenticator failed: %w", err)
	}
	id := &Identity{AuthID: h.AuthID, AuthRole: d.DefaultRole, AuthMethod: d.Method, AuthProvider: "dynamic"}
	var p Principal
	var answer any
	if len(res.Args) > 0 {
		answer = res.Args[0]
	}
	switch v := answer.(type) {
	case string:
		id.AuthRole = v
	case map[string]any:
		if err := readPrincipal(v, id, &p); err != nil {
			return nil, Principal{}, fmt.Errorf("dynamic authenticator %s: %w", d.Procedure, err)
		}
	default:
		return nil, Principal{}, fmt.Errorf("dynamic authenticator %s returned %T: want a role or a dict", d.Procedure, answer)
	}
	switch {
	case id.AuthID == "":
		return nil, Principal{}, &core.ApplicationError{URI: "wamp.error.no_such_principal", Args: []any{"the dynamic authenticator assigned no authid"}}
	case id.AuthRole == "":
		return nil, Principal{}, &core.ApplicationError{URI: core.URINoSuchRole, Args: []any{"the dynamic authenticator assigned no authrole"}}
	}
	p.Role = id.AuthRole
	return id, p, nil
}

// noneIfEmpty is s, or nil (None, null) for "".
func noneIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// readPrincipal reads a dynamic authenticator's dict into id and p.
func readPrincipal(v map[string]any, id *Identity, p *Principal) error {
	str := func(key string, dst *string) error {
		if x, ok := v[key]; ok {
			s, ok := x.(string)
			if !ok {
				return fmt.Errorf("%s is %T: want a string", key, x)
			}
			*dst = s
		}
		return nil
	}
	var pubkey string
	for key, dst := range map[string]*string{"role": &id.AuthRole, "authid": &id.AuthID, "realm": &id.Realm,
		"secret": &p.Secret, "salt": &p.Salt, "pubkey": &pubkey} {
		if err := str(key, dst); err != nil {
			return err
		}
	}
	if pubkey != "" {
		p.PubKeys = []string{pubkey}
	}
	for key, dst := range map[string]*int{"iterations": &p.Iterations, "keylen": &p.KeyLen} {
		if x, ok := v[key]; ok {
			n, ok := intOf(x)
			if !ok {
				return fmt.Errorf("%s is %T: want an integer", key, x)
			}
			*dst = int(n)
		}
	}
	if x, ok := v["extra"]; ok && x != nil {
		extra, ok := x.(map[string]any)
		if !ok {
			return fmt.Errorf("extra is %T: want a dict", x)
		}
		id.AuthExtra = extra
	}
	return nil
}

// transportDetails is the transport as Crossbar.io describes it to
// authenticators and the session meta API.
func transportDetails(t core.TransportDetails) map[string]any {
	channel := "tcp"
	if t.TLS != nil {
		channel = "tls"
	}
	m := map[string]any{"peer": t.Peer, "channel_type": channel, "channel_framing": string(t.Framing),
		"is_server": t.IsServer, "is_secure": t.TLS != nil}
	if t.Serializer != nil {
		m["channel_serializer"] = t.Serializer.Name()
	}
	return m
}

// intOf reads an integer as the serializers decode it.
func intOf(x any) (int64, bool) {
	switch n := x.(type) {
	case int64:
		return n, true
	case uint64:
		return int64(n), n <= 1<<63-1
	case float64:
		return int64(n), n == float64(int64(n))
	}
	return 0, false
}
