package auth

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// WAMP-CRA defaults for salted secrets (Autobahn's derive_key), and the
// most a router may ask for: the parameters come from the CHALLENGE, and a
// hostile router must not make a client spend minutes or gigabytes.
const (
	DefaultIterations = 1000
	DefaultKeyLen     = 32
	MaxIterations     = 1_000_000
	MaxKeyLen         = 1024
)

// DeriveKey derives the WAMP-CRA key of a salted secret: the base64 text of
// PBKDF2-HMAC-SHA256(secret, salt, iterations, keylen), as Autobahn's
// derive_key returns it. Zero iterations or keylen take the defaults.
func DeriveKey(secret, salt string, iterations, keylen int) (string, error) {
	if iterations <= 0 {
		iterations = DefaultIterations
	}
	if keylen <= 0 {
		keylen = DefaultKeyLen
	}
	if iterations > MaxIterations || keylen > MaxKeyLen {
		return "", fmt.Errorf("auth: WAMP-CRA key derivation with %d iterations and %d-byte keys: at most %d and %d", iterations, keylen, MaxIterations, MaxKeyLen)
	}
	k, err := pbkdf2.Key(sha256.New, secret, []byte(salt), iterations, keylen)
	if err != nil {
		return "", fmt.Errorf("auth: deriving the WAMP-CRA key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(k), nil
}

// SignWAMPCRA returns the WAMP-CRA signature of a challenge:
// base64(HMAC-SHA256(key, challenge)). key is the secret, or the derived
// key text for a salted secret.
func SignWAMPCRA(key, challenge string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(challenge))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// WAMPCRAKey returns the key to sign a WAMP-CRA challenge with: the secret
// itself, or, when the CHALLENGE's extra carries a salt, the key derived
// with its salt, iterations and keylen.
func WAMPCRAKey(secret string, extra map[string]any) (string, error) {
	salt, ok := extra["salt"].(string)
	if !ok || salt == "" {
		return secret, nil
	}
	return DeriveKey(secret, salt, intOf(extra["iterations"]), intOf(extra["keylen"]))
}

func intOf(v any) int {
	switch n := v.(type) {
	case int64:
		return int(n)
	case uint64:
		return int(n)
	case float64:
		return int(n)
	case int:
		return n
	}
	return 0
}
