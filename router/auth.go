package router

import (
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
}

// AuthMethod authenticates sessions by one WAMP authentication method on
// the router side. Options.Auth lists the methods a router admits; a
// client's HELLO.authmethods picks among them, in the client's order.
type AuthMethod interface {
	// Name is the method's name in HELLO.authmethods ("anonymous",
	// "ticket", "wampcra", "cryptosign").
	Name() string
	// Hello starts authenticating a HELLO for realm: it returns the
	// identity at once (anonymous), or a CHALLENGE to send and the state
	// Verify gets with the client's AUTHENTICATE. An error refuses the
	// session (ABORT wamp.error.authentication_failed with its message, or
	// the URI of an *core.ApplicationError).
	Hello(realm string, h *core.HelloDetails, t core.TransportDetails) (id *Identity, c *core.Challenge, state any, err error)
	// Verify checks the AUTHENTICATE answering the challenge of state.
	Verify(state any, a *core.Authenticate) (*Identity, error)
}

// errAuthFailed is the message every failed verification gets: which part
// failed is not the client's business.
var errAuthFailed = errors.New("authentication failed: wrong or unknown credentials")

// Anonymous admits every session as an anonymous authid with Role
// ("anonymous" when empty).
type Anonymous struct{ Role string }

func (Anonymous) Name() string { return "anonymous" }

func (a Anonymous) Hello(string, *core.HelloDetails, core.TransportDetails) (*Identity, *core.Challenge, any, error) {
	role := a.Role
	if role == "" {
		role = "anonymous"
	}
	return &Identity{AuthID: anonymousAuthID(), AuthRole: role, AuthMethod: "anonymous", AuthProvider: "static"}, nil, nil, nil
}

func (Anonymous) Verify(any, *core.Authenticate) (*Identity, error) {
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

func (t Ticket) Hello(_ string, h *core.HelloDetails, _ core.TransportDetails) (*Identity, *core.Challenge, any, error) {
	return nil, &core.Challenge{AuthMethod: "ticket", Extra: map[string]any{}}, h.AuthID, nil
}

func (t Ticket) Verify(state any, a *core.Authenticate) (*Identity, error) {
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
	authid, challenge string
}

func (w WAMPCRA) Hello(_ string, h *core.HelloDetails, _ core.TransportDetails) (*Identity, *core.Challenge, any, error) {
	p, ok := w.Principals[h.AuthID]
	if !ok {
		// Challenge an unknown authid like a known one, so that the answer
		// does not tell which authids exist; it cannot verify.
		p = Principal{Role: "", Secret: randomHex(16)}
	}
	nonce := randomHex(16)
	b, err := json.Marshal(map[string]any{"authid": h.AuthID, "authrole": p.Role, "authmethod": "wampcra",
		"authprovider": "static", "session": randomID(), "nonce": nonce,
		"timestamp": time.Now().UTC().Format("2006-01-02T15:04:05.000Z")})
	if err != nil {
		return nil, nil, nil, err
	}
	extra := map[string]any{"challenge": string(b)}
	if p.Salt != "" {
		extra["salt"], extra["iterations"], extra["keylen"] = p.Salt, int64(p.Iterations), int64(p.KeyLen)
	}
	return nil, &core.Challenge{AuthMethod: "wampcra", Extra: extra}, &craState{authid: h.AuthID, challenge: string(b)}, nil
}

func (w WAMPCRA) Verify(state any, a *core.Authenticate) (*Identity, error) {
	st, _ := state.(*craState)
	p, ok := w.Principals[st.authid]
	if !ok {
		return nil, errAuthFailed
	}
	want := auth.SignWAMPCRA(p.Secret, st.challenge)
	if subtle.ConstantTimeCompare([]byte(want), []byte(a.Signature)) != 1 {
		return nil, errAuthFailed
	}
	return &Identity{AuthID: st.authid, AuthRole: p.Role, AuthMethod: "wampcra", AuthProvider: "static"}, nil
}

// Cryptosign authenticates with WAMP-Cryptosign against static principals:
// the client's HELLO names its public key (authextra.pubkey), the principal
// that lists it is the identity, and the signature of a random challenge —
// bound to the TLS channel when the client asks (authextra.channel_binding)
// — proves the key.
type Cryptosign struct{ Principals map[string]Principal }

func (Cryptosign) Name() string { return "cryptosign" }

type cryptosignState struct {
	authid    string
	role      string
	pub       ed25519.PublicKey
	challenge string
	channelID []byte
}

func (c Cryptosign) Hello(_ string, h *core.HelloDetails, t core.TransportDetails) (*Identity, *core.Challenge, any, error) {
	pubHex, _ := h.AuthExtra["pubkey"].(string)
	pub, err := hex.DecodeString(pubHex)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return nil, nil, nil, &core.ApplicationError{URI: core.URIAuthenticationFailed, Args: []any{"cryptosign: HELLO authextra.pubkey must be 64 hex characters"}}
	}
	st := &cryptosignState{pub: pub, challenge: randomHex(32)}
	for authid, p := range c.Principals {
		for _, k := range p.PubKeys {
			if k == pubHex && (h.AuthID == "" || h.AuthID == authid) {
				st.authid, st.role = authid, p.Role
			}
		}
	}
	if st.authid == "" {
		return nil, nil, nil, &core.ApplicationError{URI: core.URINotAuthorized, Args: []any{"cryptosign: no principal has this public key"}}
	}
	extra := map[string]any{"challenge": st.challenge, "channel_binding": nil}
	if kind, _ := h.AuthExtra["channel_binding"].(string); kind != "" {
		if st.channelID = t.ChannelID(core.ChannelBinding(kind)); st.channelID == nil {
			return nil, nil, nil, &core.ApplicationError{URI: core.URIAuthenticationFailed,
				Args: []any{fmt.Sprintf("cryptosign: channel binding %s is not available on this transport", kind)}}
		}
		extra["channel_binding"] = kind
	}
	return nil, &core.Challenge{AuthMethod: "cryptosign", Extra: extra}, st, nil
}

func (c Cryptosign) Verify(state any, a *core.Authenticate) (*Identity, error) {
	st, _ := state.(*cryptosignState)
	if err := auth.VerifyCryptosign(st.pub, st.challenge, st.channelID, a.Signature); err != nil {
		return nil, errAuthFailed
	}
	return &Identity{AuthID: st.authid, AuthRole: st.role, AuthMethod: "cryptosign", AuthProvider: "static"}, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
