package router

import (
	"context"
	"crypto/subtle"
	"sync"
	"time"

	"github.com/autobahn-go/autobahn/auth"
	"github.com/autobahn-go/autobahn/core"
)

// TOTP authenticates with time-based one-time passwords (method "totp",
// as Autobahn's client sends them): Principal.Secret is the base32
// secret, the answer to an empty CHALLENGE the current 6-digit code (one
// 30-second step of clock skew either way is accepted). A code is good
// once: a code of a step at or before the last one accepted for the authid
// is refused, so that an overheard code cannot be replayed. Use it by
// pointer (&TOTP{…}): it remembers the steps used.
type TOTP struct {
	Principals map[string]Principal

	mu       sync.Mutex
	lastStep map[string]int64 // by authid
}

func (*TOTP) Name() string { return "totp" }

func (t *TOTP) Hello(_ context.Context, q *AuthRequest) (*Identity, *core.Challenge, any, error) {
	return nil, &core.Challenge{AuthMethod: "totp", Extra: map[string]any{}}, q.Hello.AuthID, nil
}

func (t *TOTP) Verify(_ context.Context, state any, a *core.Authenticate) (*Identity, error) {
	authid, _ := state.(string)
	p, ok := t.Principals[authid]
	if !ok {
		return nil, errAuthFailed
	}
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, off := range []int{-1, 0, 1} {
		code, err := auth.TOTP(p.Secret, now, off)
		if err != nil {
			return nil, errAuthFailed
		}
		step := now.Unix()/30 + int64(off)
		if subtle.ConstantTimeCompare([]byte(code), []byte(a.Signature)) == 1 && step > t.lastStep[authid] {
			if t.lastStep == nil {
				t.lastStep = make(map[string]int64)
			}
			t.lastStep[authid] = step
			return &Identity{AuthID: authid, AuthRole: p.Role, AuthMethod: "totp", AuthProvider: "static"}, nil
		}
	}
	return nil, errAuthFailed
}
