package auth

import (
	"crypto/ed25519"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
)

// SignCryptosign answers a WAMP-Cryptosign challenge (64 hex characters:
// 32 random bytes) with key: the message signed is the challenge, XORed
// with the 32-byte TLS channel id when the session binds to its channel
// (channelID not nil). It returns the AUTHENTICATE signature:
// hex(signature ‖ message), 192 hex characters.
func SignCryptosign(key ed25519.PrivateKey, challenge string, channelID []byte) (string, error) {
	msg, err := cryptosignMessage(challenge, channelID)
	if err != nil {
		return "", err
	}
	sig := ed25519.Sign(key, msg)
	return hex.EncodeToString(append(sig, msg...)), nil
}

// VerifyCryptosign checks an AUTHENTICATE signature against the challenge
// the router sent, the channel id it expects and the session's public key.
func VerifyCryptosign(pub ed25519.PublicKey, challenge string, channelID []byte, signature string) error {
	want, err := cryptosignMessage(challenge, channelID)
	if err != nil {
		return err
	}
	b, err := hex.DecodeString(signature)
	if err != nil || len(b) != ed25519.SignatureSize+32 {
		return errors.New("auth: cryptosign signature must be 192 hex characters (signature and signed message)")
	}
	sig, msg := b[:ed25519.SignatureSize], b[ed25519.SignatureSize:]
	if subtle.ConstantTimeCompare(msg, want) != 1 {
		return errors.New("auth: cryptosign signature signs another message than the challenge (or another channel)")
	}
	if !ed25519.Verify(pub, msg, sig) {
		return errors.New("auth: cryptosign signature does not verify with the session's public key")
	}
	return nil
}

func cryptosignMessage(challenge string, channelID []byte) ([]byte, error) {
	msg, err := hex.DecodeString(challenge)
	if err != nil || len(msg) != 32 {
		return nil, fmt.Errorf("auth: cryptosign challenge must be 64 hex characters, got %q", challenge)
	}
	if channelID != nil {
		if len(channelID) != 32 {
			return nil, fmt.Errorf("auth: channel id must be 32 bytes, got %d", len(channelID))
		}
		for i := range msg {
			msg[i] ^= channelID[i]
		}
	}
	return msg, nil
}

// PublicKeyHex is the public key of key as WAMP-Cryptosign announces it
// (HELLO authextra pubkey): 64 lower-case hex characters.
func PublicKeyHex(key ed25519.PrivateKey) string {
	return hex.EncodeToString(key.Public().(ed25519.PublicKey))
}
