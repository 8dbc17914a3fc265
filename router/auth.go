package router

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/autobahn-go/autobahn/auth"
	"github.com/autobahn-go/autobahn/core"
)

// Identity is who an authenticated session is, as WELCOME tells it.
type Identity struct {
	AuthID, AuthRole, AuthMethod, AuthProvider string
	// AuthExtra goes to the client in WELCOME.authextra.
	AuthExtra map[string]any
	// Realm, when set, is the realm the session joins instead of the one it
	// asked for (a dynamic authenticator may assign one).
	Realm string
}

// AuthRequest is a HELLO being authenticated.
type AuthRequest struct {
	// Realm is the realm the client asks to join: "" when HELLO names none,
	// and perhaps one this router does not have (the authenticator may
	// assign another).
	Realm string
	Hello *core.HelloDetails
	// Transport describes the client's connection (TLS, peer address).
	Transport core.TransportDetails
	// Session is the ID the session gets when it joins.
	Session uint64

	router *Router
}

// Call calls a procedure of a realm from the router's own service session,
// as a dynamic authenticator does; it returns the RESULT, or the callee's
// ERROR as a *core.ApplicationError.
func (q *AuthRequest) Call(ctx context.Context, realm, procedure string, args []any, kwargs map[string]any) (*core.Result, error) {
	return q.router.Call(ctx, realm, procedure, args, kwargs)
}

// AuthMethod authenticates sessions by one WAMP authentication method on
// the router side. Options.Auth lists the methods a router admits; a
// client's HELLO.authmethods picks among them, in the client's order.
type AuthMethod interface {
	// Name is the method's name in HELLO.authmethods ("anonymous",
	// "ticket", "wampcra", "cryptosign").
	Name() string
	// Hello starts authenticating a HELLO: it returns the identity at once
	// (anonymous), or a CHALLENGE to send and the state Verify gets with the
	// client's AUTHENTICATE. An error refuses the session (ABORT
	// wamp.error.authentication_failed with its message, or the URI of an
	// *core.ApplicationError). ctx ends with the handshake timeout.
	Hello(ctx context.Context, q *AuthRequest) (id *Identity, c *core.Challenge, state any, err error)
	// Verify checks the AUTHENTICATE answering the challenge of state.
	Verify(ctx context.Context, state any, a *core.Authenticate) (*Identity, error)
}

// errAuthFailed is the message every failed verification gets: which part
// failed is not the client's business.
var errAuthFailed = errors.New("authentication failed: wrong or unknown credentials")

// Anonymous admits every session as an anonymous authid with Role
// ("anonymous" when empty).
type Anonymous struct{ Role string }

func (Anonymous) Name() string { return "anonymous" }

func (a Anonymous) Hello(context.Context, *AuthRequest) (*Identity, *core.Challenge, any, error) {
	role := a.Role
	if role == "" {
		role = "anonymous"
	}
	return &Identity{AuthID: anonymousAuthID(), AuthRole: role, AuthMethod: "anonymous", AuthProvider: "static"}, nil, nil, nil
}

func (Anonymous) Verify(context.Context, any, *core.Authenticate) (*Identity, error) {
	return nil, errors.New("anonymous authentication has no challenge")
}

// Principal is one configured identity of the static authenticators.
type Principal struct {
	// Role is the authrole the session gets.
	Role string
	// Secret is the ticket (Ticket), or the WAMP-CRA secret (WAMPCRA): the
	// secret itself, or, with Salt, the derived key as Crossbar.io stores it
	// (auth.DeriveKey(secret, Salt, Iterations, KeyLen)).
	Secret             string
	Salt               string
	Iterations, KeyLen int
	// PubKeys are the Ed25519 public keys (64 hex characters) that
	// authenticate as this principal (Cryptosign).
	PubKeys []string
}

// Ticket authenticates with WAMP-Ticket against static principals, by
// authid. The ticket travels in the clear: use it over TLS.
type Ticket struct{ Principals map[string]Principal }

func (Ticket) Name() string { return "ticket" }

func (t Ticket) Hello(_ context.Context, q *AuthRequest) (*Identity, *core.Challenge, any, error) {
	return nil, &core.Challenge{AuthMethod: "ticket", Extra: map[string]any{}}, q.Hello.AuthID, nil
}

func (t Ticket) Verify(_ context.Context, state any, a *core.Authenticate) (*Identity, error) {
	authid, _ := state.(string)
	p, ok := t.Principals[authid]
	if !ok || subtle.ConstantTimeCompare([]byte(p.Secret), []byte(a.Signature)) != 1 {
		return nil, errAuthFailed
	}
	return &Identity{AuthID: authid, AuthRole: p.Role, AuthMethod: "ticket", AuthProvider: "static"}, nil
}

// WAMPCRA authenticates with WAMP-CRA against static principals, by authid:
// the challenge is Crossbar.io's JSON text, and salted principals send
// their salt, iterations and keylen with it.
type WAMPCRA struct{ Principals map[string]Principal }

func (WAMPCRA) Name() string { return "wampcra" }

type craState struct {
	id        Identity
	secret    string // the key the client signs with (derived for salted secrets)
	challenge string
}

func (w WAMPCRA) Hello(_ context.Context, q *AuthRequest) (*Identity, *core.Challenge, any, error) {
	p, ok := w.Principals[q.Hello.AuthID]
	if !ok {
		// Challenge an unknown authid like a known one, so that the answer
		// does not tell which authids exist; it cannot verify.
		p = Principal{Secret: randomHex(16)}
	}
	id := Identity{AuthID: q.Hello.AuthID, AuthRole: p.Role, AuthMethod: "wampcra", AuthProvider: "static"}
	c, st, err := craChallenge(q, id, p)
	if err != nil {
		return nil, nil, nil, err
	}
	if !ok {
		st.secret = "" // nothing verifies
	}
	return nil, c, st, nil
}

// craChallenge is the CHALLENGE of WAMP-CRA for principal p: Crossbar.io's
// JSON text, with the salt, iterations and keylen of a salted secret.
// p.Secret is the key the client's signature uses: the derived key of a
// salted secret.
func craChallenge(q *AuthRequest, id Identity, p Principal) (*core.Challenge, *craState, error) {
	b, err := json.Marshal(map[string]any{"authid": id.AuthID, "authrole": id.AuthRole, "authmethod": "wampcra",
		"authprovider": id.AuthProvider, "session": q.Session, "nonce": randomHex(16),
		"timestamp": time.Now().UTC().Format("2006-01-02T15:04:05.000Z")})
	if err != nil {
		return nil, nil, err
	}
	extra := map[string]any{"challenge": string(b)}
	if p.Salt != "" {
		extra["salt"], extra["iterations"], extra["keylen"] = p.Salt, int64(p.Iterations), int64(p.KeyLen)
	}
	return &core.Challenge{AuthMethod: "wampcra", Extra: extra}, &craState{id: id, secret: p.Secret, challenge: string(b)}, nil
}

func (WAMPCRA) Verify(_ context.Context, state any, a *core.Authenticate) (*Identity, error) {
	return verifyCRA(state.(*craState), a)
}

func verifyCRA(st *craState, a *core.Authenticate) (*Identity, error) {
	if st.secret == "" {
		return nil, errAuthFailed
	}
	want := auth.SignWAMPCRA(st.secret, st.challenge)
	if subtle.ConstantTimeCompare([]byte(want), []byte(a.Signature)) != 1 {
		return nil, errAuthFailed
	}
	return &st.id, nil
}

// Cryptosign authenticates with WAMP-Cryptosign against static principals:
// the client's HELLO names its public key (authextra.pubkey), the principal
// that lists it is the identity, and the signature of a random challenge —
// bound to the TLS channel when the client asks (authextra.channel_binding)
// — proves the key.
//
// A client that sends its own challenge (authextra.challenge) gets it
// signed by RouterKey in the CHALLENGE (extra signature and pubkey), so
// that it can authenticate the router; without RouterKey such a client's
// challenge is not answered.
type Cryptosign struct {
	Principals map[string]Principal
	RouterKey  ed25519.PrivateKey
}

func (Cryptosign) Name() string { return "cryptosign" }

type cryptosignState struct {
	id        Identity
	pub       ed25519.PublicKey
	challenge string
	channelID []byte
}

func (c Cryptosign) Hello(_ context.Context, q *AuthRequest) (*Identity, *core.Challenge, any, error) {
	pubHex, _ := q.Hello.AuthExtra["pubkey"].(string)
	var id *Identity
	for authid, p := range c.Principals {
		for _, k := range p.PubKeys {
			if k == pubHex && (q.Hello.AuthID == "" || q.Hello.AuthID == authid) {
				id = &Identity{AuthID: authid, AuthRole: p.Role, AuthMethod: "cryptosign", AuthProvider: "static"}
			}
		}
	}
	if id == nil {
		if _, err := cryptosignKey(pubHex); err != nil {
			return nil, nil, nil, err
		}
		return nil, nil, nil, &core.ApplicationError{URI: core.URINotAuthorized, Args: []any{"cryptosign: no principal has this public key"}}
	}
	return cryptosignChallenge(q, *id, pubHex, c.RouterKey)
}

// cryptosignKey decodes a public key given as 64 hex characters.
func cryptosignKey(pubHex string) (ed25519.PublicKey, error) {
	pub, err := hex.DecodeString(pubHex)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return nil, &core.ApplicationError{URI: core.URIAuthenticationFailed, Args: []any{"cryptosign: the public key must be 64 hex characters"}}
	}
	return pub, nil
}

// cryptosignChallenge is the CHALLENGE for the key pubHex: 32 random bytes,
// bound to the TLS channel when the client asks.
func cryptosignChallenge(q *AuthRequest, id Identity, pubHex string, routerKey ed25519.PrivateKey) (*Identity, *core.Challenge, any, error) {
	pub, err := cryptosignKey(pubHex)
	if err != nil {
		return nil, nil, nil, err
	}
	st := &cryptosignState{id: id, pub: pub, challenge: randomHex(32)}
	extra := map[string]any{"challenge": st.challenge, "channel_binding": nil}
	if kind, _ := q.Hello.AuthExtra["channel_binding"].(string); kind != "" {
		if st.channelID = q.Transport.ChannelID(core.ChannelBinding(kind)); st.channelID == nil {
			return nil, nil, nil, &core.ApplicationError{URI: core.URIAuthenticationFailed,
				Args: []any{fmt.Sprintf("cryptosign: channel binding %s is not available on this transport", kind)}}
		}
		extra["channel_binding"] = kind
	}
	if theirs, _ := q.Hello.AuthExtra["challenge"].(string); theirs != "" && routerKey != nil {
		sig, err := auth.SignCryptosign(routerKey, theirs, st.channelID)
		if err != nil {
			return nil, nil, nil, &core.ApplicationError{URI: core.URIAuthenticationFailed, Args: []any{"cryptosign: authextra.challenge: " + err.Error()}}
		}
		extra["signature"], extra["pubkey"] = sig, hex.EncodeToString(routerKey.Public().(ed25519.PublicKey))
	}
	return nil, &core.Challenge{AuthMethod: "cryptosign", Extra: extra}, st, nil
}

func (Cryptosign) Verify(_ context.Context, state any, a *core.Authenticate) (*Identity, error) {
	st := state.(*cryptosignState)
	if err := auth.VerifyCryptosign(st.pub, st.challenge, st.channelID, a.Signature); err != nil {
		return nil, errAuthFailed
	}
	return &st.id, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
