package auth

import (
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type vectors struct {
	WAMPCRA []struct {
		Secret, Salt, Challenge, Key, Signature string
		Iterations, Keylen                      int
	}
	TOTP []struct {
		Secret, Code string
		Unix         int64
		Offset       int
	}
	Cryptosign []struct {
		Challenge string
		ChannelID string `json:"channel_id"`
		Pubkey    string
		Signature string
	}
}

func loadVectors(t *testing.T, dir string) *vectors {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return &v
}

// checkVectors checks every algorithm against vectors Autobahn|Python
// computed in dir (the cryptosign ones with dir's id_ed25519).
func checkVectors(t *testing.T, dir string) {
	v := loadVectors(t, dir)
	for _, c := range v.WAMPCRA {
		extra := map[string]any{}
		if c.Salt != "" {
			extra = map[string]any{"salt": c.Salt, "iterations": int64(c.Iterations), "keylen": int64(c.Keylen)}
		}
		key, err := WAMPCRAKey(c.Secret, extra)
		if err != nil || key != c.Key {
			t.Errorf("WAMP-CRA key of %q: %q, %v; Autobahn: %q", c.Secret, key, err, c.Key)
		}
		if sig := SignWAMPCRA(key, c.Challenge); sig != c.Signature {
			t.Errorf("WAMP-CRA signature of %q: %s; Autobahn: %s", c.Challenge, sig, c.Signature)
		}
	}
	for _, c := range v.TOTP {
		code, err := TOTP(c.Secret, time.Unix(c.Unix, 0), c.Offset)
		if err != nil || code != c.Code {
			t.Errorf("TOTP %s at %d%+d: %s, %v; Autobahn: %s", c.Secret, c.Unix, c.Offset, code, err, c.Code)
		}
		if !CheckTOTP(c.Secret, c.Code, time.Unix(c.Unix, 0)) {
			t.Errorf("CheckTOTP refuses %s", c.Code)
		}
	}
	key, err := LoadPrivateKey(filepath.Join(dir, "id_ed25519"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range v.Cryptosign {
		if PublicKeyHex(key) != c.Pubkey {
			t.Fatalf("public key %s; Autobahn: %s", PublicKeyHex(key), c.Pubkey)
		}
		var channel []byte
		if c.ChannelID != "" {
			channel, _ = hex.DecodeString(c.ChannelID)
		}
		sig, err := SignCryptosign(key, c.Challenge, channel)
		if err != nil || sig != c.Signature {
			t.Errorf("cryptosign of %s (channel %q): %s, %v; Autobahn: %s", c.Challenge, c.ChannelID, sig, err, c.Signature)
		}
		if err := VerifyCryptosign(key.Public().(ed25519.PublicKey), c.Challenge, channel, c.Signature); err != nil {
			t.Errorf("Autobahn's signature does not verify: %v", err)
		}
		if c.ChannelID != "" {
			if err := VerifyCryptosign(key.Public().(ed25519.PublicKey), c.Challenge, nil, c.Signature); err == nil {
				t.Error("a channel-bound signature verifies without the channel")
			}
		}
	}
}

func TestAutobahnVectors(t *testing.T) { checkVectors(t, "testdata") }

// TestAutobahnLive recomputes the vectors with Autobahn|Python and a fresh
// ssh-keygen key, when they are installed.
func TestAutobahnLive(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command("/usr/bin/python3", "testdata/gen_vectors.py", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		if os.Getenv("AUTOBAHN_INTEROP") != "" {
			t.Fatalf("Autobahn|Python or ssh-keygen missing: %v\n%s", err, out)
		}
		t.Skipf("Autobahn|Python or ssh-keygen missing: %v", err)
	}
	checkVectors(t, dir)

	// An encrypted OpenSSH key is refused with a message that says so.
	enc := filepath.Join(dir, "enc")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "pass phrase", "-f", enc).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	if _, err := LoadPrivateKey(enc); err == nil || !strings.Contains(err.Error(), "encrypted") {
		t.Fatalf("encrypted key: %v", err)
	}
}

func TestKeyFormats(t *testing.T) {
	seed := make([]byte, 32)
	for i := range seed {
		seed[i] = byte(i * 7)
	}
	want := ed25519.NewKeyFromSeed(seed)
	k, err := ParsePrivateKey([]byte(hex.EncodeToString(seed) + "\n"))
	if err != nil || !k.Equal(want) {
		t.Fatalf("hex seed: %v", err)
	}
	// signify -G -n layout: Ed, BK, 0 rounds, salt, checksum, keynum, key.
	b := make([]byte, 104)
	copy(b, "EdBK")
	sum := sha512.Sum512(want)
	copy(b[24:32], sum[:8])
	binary.BigEndian.PutUint64(b[32:40], 42)
	copy(b[40:], want)
	file := "untrusted comment: signify secret key\n" + base64.StdEncoding.EncodeToString(b) + "\n"
	if k, err = ParsePrivateKey([]byte(file)); err != nil || !k.Equal(want) {
		t.Fatalf("signify: %v", err)
	}
	b[30] ^= 1
	if _, err = ParsePrivateKey([]byte("untrusted comment: x\n" + base64.StdEncoding.EncodeToString(b))); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("signify with a bad checksum: %v", err)
	}
	for _, bad := range []string{"", "zz", strings.Repeat("ab", 31), "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----"} {
		if _, err := ParsePrivateKey([]byte(bad)); err == nil {
			t.Errorf("%q accepted as a key", bad)
		}
	}
}

func TestCryptosignRejects(t *testing.T) {
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	if _, err := SignCryptosign(key, "abcd", nil); err == nil {
		t.Error("short challenge accepted")
	}
	if _, err := SignCryptosign(key, strings.Repeat("00", 32), make([]byte, 12)); err == nil {
		t.Error("12-byte channel id accepted")
	}
	sig, _ := SignCryptosign(key, strings.Repeat("00", 32), nil)
	other := ed25519.NewKeyFromSeed(append(make([]byte, 31), 1))
	if VerifyCryptosign(other.Public().(ed25519.PublicKey), strings.Repeat("00", 32), nil, sig) == nil {
		t.Error("signature verifies with another key")
	}
	if VerifyCryptosign(key.Public().(ed25519.PublicKey), strings.Repeat("01", 32), nil, sig) == nil {
		t.Error("signature verifies for another challenge")
	}
}
