package wamp

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/autobahn-go/autobahn/auth"
	"github.com/autobahn-go/autobahn/core"
)

// Authenticator authenticates a session by one method (Autobahn's
// IAuthenticator): it adds what HELLO must carry, and answers the router's
// CHALLENGE. Give them in JoinOptions.Authenticators; the router picks the
// method.
type Authenticator interface {
	// AuthMethod is the method's name in HELLO.authmethods and CHALLENGE.
	AuthMethod() string
	// AuthExtra is what the method adds to HELLO.Details.authextra (the
	// cryptosign public key), or nil.
	AuthExtra() map[string]any
	// Authenticate answers the CHALLENGE; t describes the transport (its
	// TLS state, for channel binding).
	Authenticate(ctx context.Context, c *core.Challenge, t core.TransportDetails) (*core.Authenticate, error)
}

type ticketAuth struct{ ticket string }

// Ticket authenticates with WAMP-Ticket: the ticket (a password or token)
// is the answer. Use it over TLS only.
func Ticket(ticket string) Authenticator { return ticketAuth{ticket} }

func (ticketAuth) AuthMethod() string        { return "ticket" }
func (ticketAuth) AuthExtra() map[string]any { return nil }
func (a ticketAuth) Authenticate(context.Context, *core.Challenge, core.TransportDetails) (*core.Authenticate, error) {
	return &core.Authenticate{Signature: a.ticket}, nil
}

type wampcraAuth struct{ secret string }

// WAMPCRA authenticates with WAMP-CRA: an HMAC of the router's challenge
// with the secret, or with the key derived from it when the router says the
// secret is salted.
func WAMPCRA(secret string) Authenticator { return wampcraAuth{secret} }

func (wampcraAuth) AuthMethod() string        { return "wampcra" }
func (wampcraAuth) AuthExtra() map[string]any { return nil }
func (a wampcraAuth) Authenticate(_ context.Context, c *core.Challenge, _ core.TransportDetails) (*core.Authenticate, error) {
	challenge, ok := c.Extra["challenge"].(string)
	if !ok {
		return nil, fmt.Errorf("wampcra: the CHALLENGE has no challenge string")
	}
	key, err := auth.WAMPCRAKey(a.secret, c.Extra)
	if err != nil {
		return nil, err
	}
	return &core.Authenticate{Signature: auth.SignWAMPCRA(key, challenge)}, nil
}

type totpAuth struct{ secret string }

// TOTP authenticates with a time-based one-time password of a base32
// secret (method "totp"): the current 6-digit code is the answer.
func TOTP(secret string) Authenticator { return totpAuth{secret} }

func (totpAuth) AuthMethod() string        { return "totp" }
func (totpAuth) AuthExtra() map[string]any { return nil }
func (a totpAuth) Authenticate(context.Context, *core.Challenge, core.TransportDetails) (*core.Authenticate, error) {
	code, err := auth.TOTP(a.secret, time.Now(), 0)
	if err != nil {
		return nil, err
	}
	return &core.Authenticate{Signature: code}, nil
}

type cryptosignAuth struct {
	key     ed25519.PrivateKey
	binding core.ChannelBinding
}

// Cryptosign authenticates with WAMP-Cryptosign: HELLO carries the public
// key, and the answer is the Ed25519 signature of the router's challenge —
// XORed with the TLS channel id when binding is tls-unique or tls-exporter
// (empty: no binding). Load keys with auth.LoadPrivateKey (hex seed,
// OpenSSH or signify files).
func Cryptosign(key ed25519.PrivateKey, binding core.ChannelBinding) Authenticator {
	return cryptosignAuth{key, binding}
}

func (cryptosignAuth) AuthMethod() string { return "cryptosign" }

func (a cryptosignAuth) AuthExtra() map[string]any {
	extra := map[string]any{"pubkey": auth.PublicKeyHex(a.key)}
	if a.binding != "" {
		extra["channel_binding"] = string(a.binding)
	}
	return extra
}

func (a cryptosignAuth) Authenticate(_ context.Context, c *core.Challenge, t core.TransportDetails) (*core.Authenticate, error) {
	challenge, ok := c.Extra["challenge"].(string)
	if !ok {
		return nil, fmt.Errorf("cryptosign: the CHALLENGE has no challenge")
	}
	var channelID []byte
	if a.binding != "" {
		if channelID = t.ChannelID(a.binding); channelID == nil {
			return nil, fmt.Errorf("cryptosign: channel binding %s is not available on this transport (it needs TLS; tls-unique needs TLS 1.2)", a.binding)
		}
	}
	sig, err := auth.SignCryptosign(a.key, challenge, channelID)
	if err != nil {
		return nil, err
	}
	return &core.Authenticate{Signature: sig}, nil
}

// CryptosignMutual is Cryptosign that also authenticates the router: HELLO
// carries a random challenge of the client's, and the router's CHALLENGE
// must carry its signature by routerKey (bound to the TLS channel like the
// client's), or the join fails. One authenticator serves one Join at a
// time.
func CryptosignMutual(key ed25519.PrivateKey, binding core.ChannelBinding, routerKey ed25519.PublicKey) Authenticator {
	return &mutualCryptosignAuth{cryptosignAuth: cryptosignAuth{key, binding}, routerKey: routerKey}
}

type mutualCryptosignAuth struct {
	cryptosignAuth
	routerKey ed25519.PublicKey

	mu        sync.Mutex
	challenge string // of the Join under way
}

func (a *mutualCryptosignAuth) AuthExtra() map[string]any {
	extra := a.cryptosignAuth.AuthExtra()
	b := make([]byte, 32)
	rand.Read(b)
	a.mu.Lock()
	a.challenge = hex.EncodeToString(b)
	extra["challenge"] = a.challenge
	a.mu.Unlock()
	return extra
}

func (a *mutualCryptosignAuth) Authenticate(ctx context.Context, c *core.Challenge, t core.TransportDetails) (*core.Authenticate, error) {
	sig, _ := c.Extra["signature"].(string)
	pub, _ := c.Extra["pubkey"].(string)
	if sig == "" || pub != hex.EncodeToString(a.routerKey) {
		return nil, fmt.Errorf("cryptosign: the router did not authenticate itself with the expected key (pubkey %q)", pub)
	}
	var channelID []byte
	if a.binding != "" {
		channelID = t.ChannelID(a.binding)
	}
	a.mu.Lock()
	mine := a.challenge
	a.mu.Unlock()
	if err := auth.VerifyCryptosign(a.routerKey, mine, channelID, sig); err != nil {
		return nil, fmt.Errorf("cryptosign: the router's signature of our challenge is wrong: %w", err)
	}
	return a.cryptosignAuth.Authenticate(ctx, c, t)
}
