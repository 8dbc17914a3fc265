package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/auth"
	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/router"
)

// TestBenchIdleAuthenticated: bench idle joins with each authentication
// method, and a wrong secret fails the bench with the router's ABORT.
func TestBenchIdleAuthenticated(t *testing.T) {
	seed := make([]byte, 32)
	key := ed25519.NewKeyFromSeed(seed)
	keyFile := filepath.Join(t.TempDir(), "key.hex")
	if err := os.WriteFile(keyFile, []byte(hex.EncodeToString(seed)), 0o600); err != nil {
		t.Fatal(err)
	}
	principals := map[string]router.Principal{"joe": {Role: "user", Secret: "s3cret", PubKeys: []string{auth.PublicKeyHex(key)}}}
	r, err := router.New(router.Options{Realms: []string{"realm1"}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Auth: []router.AuthMethod{router.Ticket{Principals: principals}, router.WAMPCRA{Principals: principals}, router.Cryptosign{Principals: principals}}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(context.Background())
	l, err := registry.Listen(context.Background(), "rs://127.0.0.1:0", core.TransportConfig{}, r.Accept)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	url := "rs://" + l.Addr().String()
	for _, flags := range [][]string{{"--ticket", "s3cret"}, {"--wampcra", "s3cret"}, {"--cryptosign", keyFile}} {
		var rep idleReport
		runBenchJSON(t, &rep, append(append([]string{"idle", "--sessions", "10", "--authid", "joe"}, flags...), url)...)
		if rep.Sessions != 10 || rep.JoinsPerS <= 0 {
			t.Errorf("%v: %+v", flags, rep)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = runBench(ctx, []string{"idle", "--quiet", "--sessions", "1", "--authid", "joe", "--ticket", "wrong", url}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "ABORT "+core.URIAuthenticationFailed) {
		t.Fatalf("wrong ticket: %v", err)
	}
}
