package cryptobox_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/payloadcodec/cryptobox"
	"github.com/autobahn-go/autobahn/registry"
)

// pairs are key pairs made once for the tests (base64).
type pairs struct{ origPriv, origPub, respPriv, respPub, shared string }

func newPairs(t testing.TB) pairs {
	t.Helper()
	var p pairs
	var err error
	if p.origPriv, p.origPub, err = cryptobox.GenerateKeyPair(nil); err != nil {
		t.Fatal(err)
	}
	if p.respPriv, p.respPub, err = cryptobox.GenerateKeyPair(nil); err != nil {
		t.Fatal(err)
	}
	if p.shared, _, err = cryptobox.GenerateKeyPair(nil); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustRing(t testing.TB, specs ...cryptobox.KeySpec) *cryptobox.KeyRing {
	t.Helper()
	r, err := cryptobox.NewKeyRingFrom(specs...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustKey(t testing.TB, spec cryptobox.KeySpec) *cryptobox.Key {
	t.Helper()
	k, err := cryptobox.NewKey(spec)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestPrefixSelection(t *testing.T) {
	p := newPairs(t)
	def := mustKey(t, cryptobox.KeySpec{Key: p.shared})
	com := mustKey(t, cryptobox.KeySpec{Key: p.origPriv})
	example := mustKey(t, cryptobox.KeySpec{Key: p.respPriv})
	exact := mustKey(t, cryptobox.KeySpec{Key: p.origPriv})
	var zero cryptobox.KeyRing
	if zero.Key("com.example.x") != nil {
		t.Fatal("the zero ring has a key")
	}
	if p, err := zero.Encode(context.Background(), true, "com.example.x", nil, nil); p != nil || err != nil {
		t.Fatalf("the zero ring encodes: %v, %v", p, err)
	}
	r := cryptobox.NewKeyRing()
	if r.Key("com.example.x") != nil {
		t.Fatal("an empty ring has a key")
	}
	r.SetKey("com.", com)
	r.SetKey("com.example", example)
	r.SetKey("com.example.exact", exact)
	for _, c := range []struct {
		uri  string
		want *cryptobox.Key
	}{
		{"com.example.exact", exact},
		{"com.example.exactly", exact}, // character prefix, as Autobahn's StringTrie
		{"com.example.x", example},
		{"com.examples.x", example},
		{"com.exampl", com},
		{"com.", com},
		{"com", nil},
		{"org.example", nil},
		{"", nil},
	} {
		if got := r.Key(c.uri); got != c.want {
			t.Errorf("Key(%q) is not the expected key", c.uri)
		}
	}
	r.SetKey("", def)
	if r.Key("org.example") != def || r.Key("") != def || r.Key("com.x") != com {
		t.Error("the default key is not used for URIs without a prefix key")
	}
	r.SetKey("com.example", nil)
	if r.Key("com.example.x") != com {
		t.Error("removing com.example did not fall back to com.")
	}
	r.SetKey("", nil)
	if r.Key("org.example") != nil {
		t.Error("removing the default key left one")
	}
}

func TestNoKeyIsClear(t *testing.T) {
	p := newPairs(t)
	r := mustRing(t, cryptobox.KeySpec{URI: "com.secret.", Key: p.shared})
	enc, err := r.Encode(context.Background(), true, "com.public.x", []any{"hello"}, nil)
	if enc != nil || err != nil {
		t.Fatalf("Encode without a key = %v, %v; want nil, nil (in the clear)", enc, err)
	}
	_, _, _, err = r.Decode(context.Background(), false, "com.public.x", &core.EncodedPayload{Payload: make([]byte, 64), Algo: "cryptobox", Serializer: "json"})
	wantErr(t, err, `no key for "com.public.x"`)
}

// TestRoles seals on each side and opens on the other, with each side
// holding only its own private key; a side without its box refuses to
// encode rather than send in the clear.
func TestRoles(t *testing.T) {
	ctx := context.Background()
	p := newPairs(t)
	caller := mustRing(t, cryptobox.KeySpec{URI: "com.", OriginatorPriv: p.origPriv, ResponderPub: p.respPub})
	callee := mustRing(t, cryptobox.KeySpec{URI: "com.", ResponderPriv: p.respPriv, OriginatorPub: p.origPub})
	if k := caller.Key("com.x"); !k.CanOriginate() || k.CanRespond() {
		t.Error("the caller's key should originate only")
	}
	call, err := caller.Encode(ctx, true, "com.x", []any{"q"}, map[string]any{"k": int64(1)})
	if err != nil {
		t.Fatal(err)
	}
	uri, args, kwargs, err := callee.Decode(ctx, false, "com.x", call)
	if err != nil || uri != "com.x" || args[0] != "q" || kwargs["k"] != int64(1) {
		t.Fatalf("callee decoded %q %v %v %v", uri, args, kwargs, err)
	}
	yield, err := callee.Encode(ctx, false, "com.x", []any{"a"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, args, _, err := caller.Decode(ctx, true, "com.x", yield); err != nil || args[0] != "a" {
		t.Fatalf("caller decoded %v %v", args, err)
	}
	// The wrong side's box: the callee cannot open its own YIELD.
	_, _, _, err = callee.Decode(ctx, true, "com.x", yield)
	wantErr(t, err, "has no originator box")
	_, err = callee.Encode(ctx, true, "com.x", nil, nil)
	wantErr(t, err, "must not go in the clear")
	// Another key: authentication fails.
	other := mustRing(t, cryptobox.KeySpec{URI: "", ResponderPriv: p.shared, OriginatorPub: p.origPub})
	_, _, _, err = other.Decode(ctx, false, "com.x", call)
	wantErr(t, err, "does not authenticate")
	// Tampered bytes.
	bad := *call
	bad.Payload = append([]byte(nil), call.Payload...)
	bad.Payload[len(bad.Payload)-1] ^= 1
	_, _, _, err = callee.Decode(ctx, false, "com.x", &bad)
	wantErr(t, err, "does not authenticate")
}

func TestDecodeRefuses(t *testing.T) {
	ctx := context.Background()
	p := newPairs(t)
	r := mustRing(t, cryptobox.KeySpec{URI: "", Key: p.shared})
	good, err := r.Encode(ctx, true, "com.x", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		p    core.EncodedPayload
		want string
	}{
		{"algo", core.EncodedPayload{Payload: good.Payload, Algo: "mqtt", Serializer: "json"}, `encoded with "mqtt"`},
		{"serializer", core.EncodedPayload{Payload: good.Payload, Algo: "cryptobox", Serializer: "cbor"}, `serialized with "cbor"`},
		{"cipher", core.EncodedPayload{Payload: good.Payload, Algo: "cryptobox", Serializer: "json", Cipher: "aes"}, `cipher "aes"`},
		{"short", core.EncodedPayload{Payload: good.Payload[:39], Algo: "cryptobox", Serializer: "json"}, "39 bytes, fewer than nonce and tag (40)"},
	} {
		_, _, _, err := r.Decode(ctx, false, "com.x", &c.p)
		wantErr(t, err, c.want)
	}
	_, _, _, err = r.Decode(ctx, false, "com.x", nil)
	wantErr(t, err, "no encoded payload")
	// Both spellings decode: ppt_* carries the cipher, enc_* none.
	for _, cipher := range []string{"", cryptobox.Cipher} {
		q := *good
		q.Cipher = cipher
		if _, _, _, err := r.Decode(ctx, false, "com.x", &q); err != nil {
			t.Errorf("cipher %q: %v", cipher, err)
		}
	}
}

func wantErr(t *testing.T, err error, part string) {
	t.Helper()
	if err == nil {
		t.Errorf("no error, want one with %q", part)
		return
	}
	if !strings.HasPrefix(err.Error(), "cryptobox: ") || !strings.Contains(err.Error(), part) {
		t.Errorf("error %q, want \"cryptobox: …%s…\"", err, part)
	}
}

func TestKeyErrors(t *testing.T) {
	p := newPairs(t)
	raw, _ := base64.StdEncoding.DecodeString(p.origPriv)
	hexPriv := hex.EncodeToString(raw)
	if _, err := cryptobox.NewKey(cryptobox.KeySpec{Key: hexPriv}); err != nil {
		t.Errorf("a hex key: %v", err)
	}
	if _, err := cryptobox.NewKey(cryptobox.KeySpec{OriginatorPriv: p.origPriv, OriginatorPub: p.origPub, ResponderPub: p.respPub}); err != nil {
		t.Errorf("a private key with its public key: %v", err)
	}
	lowOrder := base64.StdEncoding.EncodeToString(make([]byte, 32))
	for _, c := range []struct {
		spec cryptobox.KeySpec
		want string
	}{
		{cryptobox.KeySpec{}, "insufficient keys"},
		{cryptobox.KeySpec{OriginatorPriv: p.origPriv}, "insufficient keys"},
		{cryptobox.KeySpec{OriginatorPub: p.origPub, ResponderPub: p.respPub}, "insufficient keys"},
		{cryptobox.KeySpec{Key: p.shared, ResponderPub: p.respPub}, `"key" gives both sides`},
		{cryptobox.KeySpec{Key: "not a key!"}, "originator_priv: not a key in base64 or hex"},
		{cryptobox.KeySpec{Key: base64.StdEncoding.EncodeToString(make([]byte, 31))}, "a key has 32 bytes, this one 31"},
		{cryptobox.KeySpec{Key: strings.Repeat("zz", 32)}, "not a key in base64 or hex (64 characters)"},
		{cryptobox.KeySpec{OriginatorPriv: p.origPriv, OriginatorPub: p.respPub, ResponderPub: p.respPub}, "originator_pub is not the public key of originator_priv"},
		{cryptobox.KeySpec{OriginatorPriv: p.origPriv, ResponderPub: lowOrder}, "responder_pub is not a usable Curve25519 public key"},
	} {
		_, err := cryptobox.NewKey(c.spec)
		wantErr(t, err, c.want)
	}
}

func TestKeyRingFiles(t *testing.T) {
	p := newPairs(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := write("good.json", `[{"uri": "", "key": "`+p.shared+`"},
		{"uri": "com.example.", "originator_priv": "`+p.origPriv+`", "responder_pub": "`+p.respPub+`"}]`)
	r, err := cryptobox.LoadKeyRing(good)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Key("com.example.x").CanOriginate() || r.Key("com.example.x").CanRespond() || !r.Key("org").CanRespond() {
		t.Error("the file's keys are not where they belong")
	}
	for _, c := range []struct{ name, content, want string }{
		{"object.json", `{"uri": ""}`, "a key ring is a JSON list"},
		{"trailing.json", `[] []`, "more after it"},
		{"unknown.json", `[{"uri": "", "key": "` + p.shared + `", "secret": 1, "kid": "x"}]`, `key 0: unknown field(s) "kid", "secret"`},
		{"nouri.json", `[{"key": "` + p.shared + `"}]`, `key 0 has no "uri"`},
		{"number.json", `[{"uri": 5}]`, `key 0: "uri" is 5, not a string`},
		{"null.json", `[null]`, "key 0 is null"},
		{"dup.json", `[{"uri": "a", "key": "` + p.shared + `"}, {"uri": "a", "key": "` + p.shared + `"}]`, `key 1: the URI "a" has a key already`},
		{"badkey.json", `[{"uri": "a", "key": "` + p.shared + `"}, {"uri": "b", "responder_priv": "xyz"}]`, `key 1 (uri "b"): responder_priv: not a key`},
	} {
		_, err := cryptobox.LoadKeyRing(write(c.name, c.content))
		wantErr(t, err, c.want)
		if err != nil && !strings.Contains(err.Error(), c.name) {
			t.Errorf("error %q does not name the file", err)
		}
	}
	_, err = cryptobox.LoadKeyRing(filepath.Join(dir, "missing.json"))
	wantErr(t, err, "reading the key ring")
}

func TestRegistryFactory(t *testing.T) {
	p := newPairs(t)
	path := filepath.Join(t.TempDir(), "ring.json")
	if err := os.WriteFile(path, []byte(`[{"uri": "com.", "key": "`+p.shared+`"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	inline := `[{"uri": "org.", "key": "` + p.origPriv + `"}]`
	decoded := []any{map[string]any{"uri": "net.", "key": p.respPriv}}
	for _, c := range []struct {
		name   string
		config map[string]any
		want   []string // URIs with a key
		err    string
	}{
		{"file", map[string]any{"keyring": path}, []string{"com.x"}, ""},
		{"inline", map[string]any{"keys": inline}, []string{"org.x"}, ""},
		{"decoded", map[string]any{"keys": decoded}, []string{"net.x"}, ""},
		{"both", map[string]any{"keyring": path, "keys": inline}, []string{"com.x", "org.x"}, ""},
		{"none", nil, nil, "no keys"},
		{"unknown", map[string]any{"keyring": path, "key": "x", "zz": 1}, nil, "unknown configuration key(s) key, zz"},
		{"path type", map[string]any{"keyring": 5}, nil, `"keyring" is the path of a key-ring file`},
		{"dup across", map[string]any{"keyring": path, "keys": `[{"uri": "com.", "key": "` + p.shared + `"}]`}, nil, `the URI "com." has a key already`},
		{"bad inline", map[string]any{"keys": `[{"uri": "x"}]`}, nil, `insufficient keys`},
	} {
		t.Run(c.name, func(t *testing.T) {
			codec, err := registry.NewPayloadCodec("cryptobox", c.config)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), "cryptobox: ") || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one with %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			r := codec.(*cryptobox.KeyRing)
			for _, u := range c.want {
				if r.Key(u) == nil {
					t.Errorf("no key for %s", u)
				}
			}
			if r.Key("elsewhere") != nil {
				t.Error("a key for a URI the config does not cover")
			}
		})
	}
}

// TestRotate replaces keys while other goroutines encode and decode (run it
// with -race): each sees one set of keys or the other.
func TestRotate(t *testing.T) {
	p := newPairs(t)
	a, b := mustKey(t, cryptobox.KeySpec{Key: p.shared}), mustKey(t, cryptobox.KeySpec{Key: p.origPriv})
	var r cryptobox.KeyRing
	r.SetKey("com.", a)
	ctx := context.Background()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 200 {
			r.SetKey("com.", []*cryptobox.Key{a, b}[i%2])
			r.SetKey("org."+string(rune('a'+i%26)), b)
		}
	}()
	for range 200 {
		enc, err := r.Encode(ctx, true, "com.x", []any{"x"}, nil)
		if err != nil || enc == nil {
			t.Fatalf("encode during rotation: %v, %v", enc, err)
		}
		// The key may have changed in between: an authentication failure is
		// the only error allowed.
		if _, _, _, err := r.Decode(ctx, false, "com.x", enc); err != nil && !strings.Contains(err.Error(), "does not authenticate") {
			t.Fatal(err)
		}
	}
	<-done
}
