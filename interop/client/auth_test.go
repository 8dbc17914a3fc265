package client

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"testing"

	"github.com/autobahn-go/autobahn/auth"
	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/router"
)

// TestPythonAuthenticatesWithTheRouter: Autobahn|Python's own WAMP-CRA
// (plain and salted) and Cryptosign join our router's static principals;
// wrong secrets are refused.
func TestPythonAuthenticatesWithTheRouter(t *testing.T) {
	if out, err := exec.Command("/usr/bin/python3", "-c", "import autobahn, nacl").CombinedOutput(); err != nil {
		if os.Getenv("AUTOBAHN_INTEROP") != "" {
			t.Fatalf("Autobahn|Python with PyNaCl is missing: %v\n%s", err, out)
		}
		t.Skipf("Autobahn|Python with PyNaCl is missing: %v", err)
	}
	seed := make([]byte, 32)
	for i := range seed {
		seed[i] = byte(3 * i)
	}
	key := ed25519.NewKeyFromSeed(seed)
	salted, err := auth.DeriveKey("s3cret", "pepper", 100, 32)
	if err != nil {
		t.Fatal(err)
	}
	r, err := router.New(router.Options{Realms: []string{realm}, Logger: quietLogger, Auth: []router.AuthMethod{
		router.WAMPCRA{Principals: map[string]router.Principal{
			"ann": {Role: "admin", Secret: "plain-secret"},
			"bob": {Role: "user", Secret: salted, Salt: "pepper", Iterations: 100, KeyLen: 32},
		}},
		router.Cryptosign{Principals: map[string]router.Principal{"device1": {Role: "device", PubKeys: []string{auth.PublicKeyHex(key)}}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		r.Close(ctx)
	})
	l, err := registry.Listen(context.Background(), "ws://127.0.0.1:0/ws", core.TransportConfig{}, r.Accept)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	url := "ws://" + l.Addr().String() + "/ws"
	for _, tc := range []struct {
		name, method, authid, secret string
		want                         map[string]any
	}{
		{"wampcra", "wampcra", "ann", "plain-secret", map[string]any{"ok": true, "authid": "ann", "authrole": "admin", "authmethod": "wampcra"}},
		{"wampcra salted", "wampcra", "bob", "s3cret", map[string]any{"ok": true, "authid": "bob", "authrole": "user", "authmethod": "wampcra"}},
		{"wampcra wrong", "wampcra", "bob", "guess", map[string]any{"ok": false, "reason": core.URIAuthenticationFailed}},
		{"cryptosign", "cryptosign", "", hex.EncodeToString(seed), map[string]any{"ok": true, "authid": "device1", "authrole": "device", "authmethod": "cryptosign"}},
		{"cryptosign unknown key", "cryptosign", "", hex.EncodeToString(make([]byte, 32)), map[string]any{"ok": false, "reason": core.URINotAuthorized}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			out, err := exec.CommandContext(ctx, "/usr/bin/python3", "testdata/py_auth.py", url, tc.method, tc.authid, tc.secret).Output()
			if err != nil {
				t.Fatalf("py_auth.py: %v\n%s", err, out)
			}
			var got map[string]any
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("py_auth.py printed %q: %v", out, err)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Fatalf("%s: got %v, want %v", k, got, tc.want)
				}
			}
		})
	}
}
