package node

import (
	"errors"

	"github.com/autobahn-go/autobahn/auth"
	"os"
	"path/filepath"
	"testing"
)

// cheapDerive derives WAMP-CRA keys with one iteration, so that a fuzzed
// configuration asking for a million does not stall the fuzzer.
func cheapDerive(secret, salt string, iterations, keylen int) (string, error) {
	if iterations > auth.MaxIterations {
		return auth.DeriveKey(secret, salt, iterations, keylen) // the error
	}
	return auth.DeriveKey(secret, salt, 1, min(keylen, 32))
}

// FuzzLoad feeds the configuration reader arbitrary documents, as JSON and
// as YAML: it must never panic, and every failure must be an *Error.
func FuzzLoad(f *testing.F) {
	full, err := os.ReadFile(filepath.Join("testdata", "full.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(full)
	for _, seed := range []string{
		`{"version": 2, "workers": [{"type": "router", "realms": [{"name": "realm1"}]}]}`,
		wsAuth(`"ticket": {"type": "dynamic", "authenticator": "com.example.authenticate", "authenticator-realm": "realm1"}`),
		wsAuth(`"wampcra": {"type": "static", "users": {"a": {"secret": "s", "role": "r", "salt": "x", "iterations": 10, "keylen": 8}}}`),
		worker(realm1, `{"type": "universal", "endpoint": {"type": "tcp", "port": 0}, "rawsocket": {}, "websocket": {"ws": {}}}`),
		worker(realm1, `{"type": "rawsocket", "endpoint": {"type": "tcp", "port": 0, "tls": {"key": "server.key", "certificate": "server.crt", "ciphers": "ECDHE-RSA-AES128-GCM-SHA256"}}}`),
		"version: 2\nworkers:\n  - type: router\n    realms: [{name: realm1, store: {type: memory, event-history: [{uri: a.b}]}}]\n",
		`{"version": 2, "workers": [{"type": "guest"}]}`,
		`[1, 2.5e300, null, "x"]`,
	} {
		f.Add([]byte(seed))
	}
	dir := f.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "web"), 0o700); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, yaml := range []bool{false, true} {
			cfg, err := parse(data, LoadOptions{Dir: dir, YAML: yaml, LookupEnv: testEnv}, cheapDerive)
			var ce *Error
			switch {
			case err != nil && !errors.As(err, &ce):
				t.Fatalf("error %v (%T) is not a *node.Error", err, err)
			case err == nil && cfg == nil:
				t.Fatal("no error and no configuration")
			}
		}
	})
}
