package auth

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
)

// LoadPrivateKey reads an Ed25519 private key from a file in any format
// ParsePrivateKey takes.
func LoadPrivateKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	k, err := ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("auth: %s: %w", path, err)
	}
	return k, nil
}

// ParsePrivateKey reads an Ed25519 private key as Autobahn does: 64 hex
// characters (the 32-byte seed), an unencrypted OpenSSH private key
// ("-----BEGIN OPENSSH PRIVATE KEY-----", as ssh-keygen -t ed25519 writes
// it), or an unencrypted signify secret key ("untrusted comment:" then the
// base64 key, as signify -G -n writes it).
func ParsePrivateKey(data []byte) (ed25519.PrivateKey, error) {
	text := strings.TrimSpace(string(data))
	switch {
	case strings.HasPrefix(text, "-----BEGIN OPENSSH PRIVATE KEY-----"):
		return parseOpenSSH(data)
	case strings.HasPrefix(text, "untrusted comment:"):
		return parseSignify(text)
	}
	seed, err := hex.DecodeString(text)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, errors.New("not an Ed25519 key: want 64 hex characters (the seed), an OpenSSH or a signify private key")
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// parseOpenSSH reads the openssh-key-v1 format (PROTOCOL.key in OpenSSH's
// sources) for one unencrypted ssh-ed25519 key.
func parseOpenSSH(data []byte) (ed25519.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("OpenSSH key: no PEM block")
	}
	r := sshReader{b: block.Bytes}
	if !bytes.HasPrefix(r.b, []byte("openssh-key-v1\x00")) {
		return nil, errors.New("OpenSSH key: not openssh-key-v1")
	}
	r.b = r.b[len("openssh-key-v1\x00"):]
	cipher, kdf, _ := r.str(), r.str(), r.str()
	if string(cipher) != "none" || string(kdf) != "none" {
		return nil, fmt.Errorf("OpenSSH key: encrypted (%s, %s): decrypt it first (ssh-keygen -p)", cipher, kdf)
	}
	if n := r.u32(); n != 1 {
		return nil, fmt.Errorf("OpenSSH key: %d keys in the file, want 1", n)
	}
	r.str() // public key blob
	priv := sshReader{b: r.str()}
	if r.err != nil {
		return nil, fmt.Errorf("OpenSSH key: %w", r.err)
	}
	if check1, check2 := priv.u32(), priv.u32(); check1 != check2 {
		return nil, errors.New("OpenSSH key: check integers differ (an encrypted or corrupt key)")
	}
	if t := priv.str(); string(t) != "ssh-ed25519" {
		return nil, fmt.Errorf("OpenSSH key: type %q, want ssh-ed25519", t)
	}
	pub, key := priv.str(), priv.str()
	if priv.err != nil || len(pub) != ed25519.PublicKeySize || len(key) != ed25519.PrivateKeySize {
		return nil, errors.New("OpenSSH key: malformed ssh-ed25519 key")
	}
	k := ed25519.NewKeyFromSeed(key[:ed25519.SeedSize])
	if subtle.ConstantTimeCompare(k[ed25519.SeedSize:], pub) != 1 {
		return nil, errors.New("OpenSSH key: public key does not match the private key")
	}
	return k, nil
}

// sshReader reads SSH wire-format fields; the first error sticks.
type sshReader struct {
	b   []byte
	err error
}

func (r *sshReader) u32() uint32 {
	if r.err != nil || len(r.b) < 4 {
		r.err = errors.New("truncated")
		return 0
	}
	v := binary.BigEndian.Uint32(r.b)
	r.b = r.b[4:]
	return v
}

func (r *sshReader) str() []byte {
	n := r.u32()
	if r.err != nil || uint32(len(r.b)) < n {
		r.err = errors.New("truncated")
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

// parseSignify reads a signify secret key: pkalg "Ed", kdfalg "BK",
// kdfrounds (0: not encrypted), salt, checksum (the first 8 bytes of
// SHA-512 of the key), keynum, and the 64-byte Ed25519 key.
func parseSignify(text string) (ed25519.PrivateKey, error) {
	lines := strings.Split(text, "\n")
	if len(lines) < 2 {
		return nil, errors.New("signify key: want a comment line and a base64 line")
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(lines[1]))
	if err != nil || len(b) != 104 {
		return nil, errors.New("signify key: the second line must be 104 bytes of base64")
	}
	if string(b[:2]) != "Ed" || string(b[2:4]) != "BK" {
		return nil, fmt.Errorf("signify key: algorithms %q/%q, want Ed/BK", b[:2], b[2:4])
	}
	if rounds := binary.BigEndian.Uint32(b[4:8]); rounds != 0 {
		return nil, errors.New("signify key: encrypted with a passphrase: make one with signify -G -n")
	}
	checksum, key := b[24:32], b[40:104]
	sum := sha512.Sum512(key)
	if subtle.ConstantTimeCompare(sum[:8], checksum) != 1 {
		return nil, errors.New("signify key: checksum mismatch")
	}
	k := ed25519.NewKeyFromSeed(key[:ed25519.SeedSize])
	if subtle.ConstantTimeCompare(k, key) != 1 {
		return nil, errors.New("signify key: public half does not match the seed")
	}
	return k, nil
}
