package cryptobox

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/curve25519"
	"golang.org/x/crypto/nacl/box"
)

// KeySpec is one entry of a key ring as written in a key-ring file: the URI
// prefix it covers and its keys, each in standard base64 or hex (see the
// package doc). Empty fields are absent keys.
type KeySpec struct {
	URI string `json:"uri"`
	// Key is a private key used for both sides (Autobahn's
	// set_key(uri, "base64")); it excludes the four fields below.
	Key            string `json:"key,omitempty"`
	OriginatorPriv string `json:"originator_priv,omitempty"`
	OriginatorPub  string `json:"originator_pub,omitempty"`
	ResponderPriv  string `json:"responder_priv,omitempty"`
	ResponderPub   string `json:"responder_pub,omitempty"`
}

// Key is the pair of boxes of one URI prefix: the originator's (caller,
// publisher) and the responder's (callee, subscriber), either of which may be
// missing when the session holds only one side's private key. The shared
// secrets are computed once, here, so that each message costs only the
// symmetric cipher. A Key is immutable and safe for concurrent use.
type Key struct {
	originator *[32]byte // shared key of originator_priv and responder_pub
	responder  *[32]byte // shared key of responder_priv and originator_pub
}

// NewKey makes the key of spec (spec.URI is not used). It fails, naming the
// field, when a key does not decode to 32 bytes, a public key does not match
// the private key given beside it, a public key is a low-order point, or
// neither side gets both its private key and its peer's public key.
func NewKey(spec KeySpec) (*Key, error) {
	k, err := newKey(spec)
	if err != nil {
		return nil, fmt.Errorf("cryptobox: %w", err)
	}
	return k, nil
}

// newKey is NewKey with errors that do not name the package.
func newKey(spec KeySpec) (*Key, error) {
	if spec.Key != "" {
		if spec.OriginatorPriv != "" || spec.OriginatorPub != "" || spec.ResponderPriv != "" || spec.ResponderPub != "" {
			return nil, errors.New(`"key" gives both sides' private key; it cannot be combined with originator_* or responder_* keys`)
		}
		spec.OriginatorPriv, spec.ResponderPriv = spec.Key, spec.Key
	}
	oPriv, oPub, err := pair("originator", spec.OriginatorPriv, spec.OriginatorPub)
	if err != nil {
		return nil, err
	}
	rPriv, rPub, err := pair("responder", spec.ResponderPriv, spec.ResponderPub)
	if err != nil {
		return nil, err
	}
	k := &Key{}
	if oPriv != nil && rPub != nil {
		if k.originator, err = shared(oPriv, rPub, "responder_pub"); err != nil {
			return nil, err
		}
	}
	if rPriv != nil && oPub != nil {
		if k.responder, err = shared(rPriv, oPub, "originator_pub"); err != nil {
			return nil, err
		}
	}
	if k.originator == nil && k.responder == nil {
		return nil, errors.New("insufficient keys: the originator needs originator_priv and responder_pub " +
			"(or responder_priv), the responder responder_priv and originator_pub (or originator_priv)")
	}
	return k, nil
}

// CanOriginate reports whether k encrypts CALL and PUBLISH (and decrypts
// RESULT and ERROR).
func (k *Key) CanOriginate() bool { return k.originator != nil }

// CanRespond reports whether k decrypts INVOCATION and EVENT (and encrypts
// YIELD and ERROR).
func (k *Key) CanRespond() bool { return k.responder != nil }

// box returns the shared key of the side: the originator's or the
// responder's.
func (k *Key) box(originating bool) *[32]byte {
	if originating {
		return k.originator
	}
	return k.responder
}

// pair decodes one side's private and public keys; the public key is
// derived from the private one when only that is given.
func pair(side, privText, pubText string) (priv, pub *[32]byte, err error) {
	if privText != "" {
		if priv, err = ParseKey(privText); err != nil {
			return nil, nil, fmt.Errorf("%s_priv: %w", side, err)
		}
		derived, err := curve25519.X25519(priv[:], curve25519.Basepoint)
		if err != nil {
			return nil, nil, fmt.Errorf("%s_priv: %w", side, err)
		}
		pub = (*[32]byte)(derived)
	}
	if pubText != "" {
		given, err := ParseKey(pubText)
		if err != nil {
			return nil, nil, fmt.Errorf("%s_pub: %w", side, err)
		}
		if pub != nil && *pub != *given {
			return nil, nil, fmt.Errorf("%s_pub is not the public key of %s_priv", side, side)
		}
		pub = given
	}
	return priv, pub, nil
}

// shared precomputes the box key of priv and the peer's pub, refusing a
// public key of low order (whose shared secret is known to anybody).
func shared(priv, pub *[32]byte, pubField string) (*[32]byte, error) {
	if _, err := curve25519.X25519(priv[:], pub[:]); err != nil {
		return nil, fmt.Errorf("%s is not a usable Curve25519 public key: %w", pubField, err)
	}
	k := new([32]byte)
	box.Precompute(k, pub, priv)
	return k, nil
}

// ParseKey decodes a 32-byte key written in hex (64 characters) or in
// standard base64 (as Autobahn's KeyRing.generate_key prints it).
func ParseKey(s string) (*[32]byte, error) {
	s = strings.TrimSpace(s)
	var b []byte
	var err error
	if len(s) == 64 {
		b, err = hex.DecodeString(s)
	} else {
		b, err = base64.StdEncoding.DecodeString(s)
	}
	if err != nil {
		return nil, fmt.Errorf("not a key in base64 or hex (%d characters): %w", len(s), err)
	}
	if len(b) != 32 {
		return nil, fmt.Errorf("a key has 32 bytes, this one %d", len(b))
	}
	return (*[32]byte)(b), nil
}

// GenerateKeyPair makes a Curve25519 key pair from rand (crypto/rand's
// Reader when nil) and returns both keys in base64, as Autobahn's
// KeyRing.generate_key does.
func GenerateKeyPair(rnd io.Reader) (priv, pub string, err error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	pk, sk, err := box.GenerateKey(rnd)
	if err != nil {
		return "", "", fmt.Errorf("cryptobox: generating a key pair: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sk[:]), base64.StdEncoding.EncodeToString(pk[:]), nil
}
