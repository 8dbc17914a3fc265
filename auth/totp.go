package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"time"
)

// TOTP returns the 6-digit time-based one-time password (RFC 6238, as
// Autobahn's compute_totp) of a base32 secret at time t, offset by offset
// 30-second steps.
func TOTP(secret string, t time.Time, offset int) (string, error) {
	key, err := base32.StdEncoding.DecodeString(secret)
	if err != nil {
		return "", fmt.Errorf("auth: TOTP secret is not base32 (upper case, A-Z and 2-7): %w", err)
	}
	var counter [8]byte
	binary.BigEndian.PutUint64(counter[:], uint64(t.Unix()/30+int64(offset)))
	m := hmac.New(sha1.New, key)
	m.Write(counter[:])
	sum := m.Sum(nil)
	o := sum[len(sum)-1] & 0x0f
	code := binary.BigEndian.Uint32(sum[o:o+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", code%1_000_000), nil
}

// CheckTOTP reports whether code is the TOTP of secret at t, or one step
// before or after it (clock skew), as Autobahn's check_totp.
func CheckTOTP(secret, code string, t time.Time) bool {
	for _, off := range []int{0, 1, -1} {
		if c, err := TOTP(secret, t, off); err == nil && hmac.Equal([]byte(c), []byte(code)) {
			return true
		}
	}
	return false
}

// NewTOTPSecret returns a random base32 TOTP secret of n bytes (Autobahn's
// generate_totp_secret; 10 bytes give 16 characters).
func NewTOTPSecret(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base32.StdEncoding.EncodeToString(b)
}
