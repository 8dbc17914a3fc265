package router

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/autobahn-go/autobahn/auth"
	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/serializers/json"
)

// recordingTransport keeps what the router sends, for the fuzz target's
// checks.
type recordingTransport struct {
	nullTransport
	mu   sync.Mutex
	sent []core.Message
}

func (t *recordingTransport) TrySend(m core.Message) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sent = append(t.sent, m)
	return nil
}

func (t *recordingTransport) Send(_ context.Context, m core.Message) error { return t.TrySend(m) }

// FuzzAuthentication feeds one connection of a router that admits every
// authentication method whatever HELLO / AUTHENTICATE / other messages the
// input holds (one JSON message per line). The router must not panic, must
// answer every HELLO, and may only say WELCOME to a ticket session that
// sent the right ticket, or to a WAMP-CRA session of a known authid.
func FuzzAuthentication(f *testing.F) {
	for _, seed := range []string{
		`[1,"realm1",{"authmethods":["ticket"],"authid":"joe","roles":{"caller":{}}}]` + "\n" + `[5,"t1",{}]`,
		`[1,"realm1",{"authmethods":["ticket"],"authid":"joe","roles":{"caller":{}}}]` + "\n" + `[5,"",{}]` + "\n" + `[5,"t1",{}]`,
		`[1,"realm1",{"authmethods":["wampcra"],"authid":"ann","roles":{"caller":{}}}]` + "\n" + `[5,"AAAA",{}]`,
		`[1,"realm1",{"authmethods":["cryptosign"],"authextra":{"pubkey":"00","challenge":"zz","channel_binding":"tls-unique"},"roles":{"caller":{}}}]`,
		`[1,"realm1",{"authmethods":["cryptosign"],"authextra":{"pubkey":"3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29","challenge":"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"},"roles":{"caller":{}}}]` + "\n" + `[5,"` + string(bytes.Repeat([]byte("ab"), 96)) + `",{}]`,
		`[1,"realm1",{"authmethods":["totp","anonymous"],"authid":"joe","roles":{"caller":{}}}]` + "\n" + `[5,"123456",{}]` + "\n" + `[5,"123456",{}]`,
		`[5,"t1",{}]` + "\n" + `[1,"nope",{"authmethods":["x"],"roles":{"caller":{}}}]`,
	} {
		f.Add([]byte(seed))
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	principals := map[string]Principal{
		"joe": {Role: "user", Secret: "t1", PubKeys: []string{auth.PublicKeyHex(key)}},
		"ann": {Role: "user", Secret: "c2", Salt: "s", Iterations: 10, KeyLen: 16},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := New(Options{Realms: []string{"realm1"}, Logger: logger, Auth: []AuthMethod{
			Ticket{Principals: principals}, WAMPCRA{Principals: principals},
			Cryptosign{Principals: principals, RouterKey: key}, &TOTP{Principals: map[string]Principal{"joe": {Role: "user", Secret: "GEZDGNBVGY3TQOJQ"}}},
			Anonymous{Role: "guest"},
		}})
		if err != nil {
			t.Fatal(err)
		}
		tr := &recordingTransport{}
		s := r.Accept(tr).(*session)
		for line := range bytes.SplitSeq(data, []byte("\n")) {
			msgs, err := json.Serializer.Unserialize(line)
			if err != nil {
				continue
			}
			for _, m := range msgs {
				before := len(tr.sent)
				state := s.state.Load()
				s.OnMessage(m)
				if _, hello := m.(*core.Hello); hello && state == stNew && len(tr.sent) == before {
					t.Fatalf("HELLO got no answer")
				}
				for _, out := range tr.sent[before:] {
					if w, ok := out.(*core.Welcome); ok {
						checkWelcome(t, w, m)
					}
				}
			}
		}
		s.OnClose(nil)
	})
}

// checkWelcome fails the fuzz target when a WELCOME (answering m) admits
// an identity that did not prove itself.
func checkWelcome(t *testing.T, w *core.Welcome, m core.Message) {
	d := w.Details
	switch d.AuthMethod {
	case "ticket":
		if a, ok := m.(*core.Authenticate); !ok || d.AuthID != "joe" || a.Signature != "t1" {
			t.Fatalf("ticket WELCOME for %q answering %v", d.AuthID, m)
		}
	case "wampcra":
		if d.AuthID != "ann" {
			t.Fatalf("wampcra WELCOME for %q", d.AuthID)
		}
	case "cryptosign", "totp":
		if d.AuthID != "joe" {
			t.Fatalf("%s WELCOME for %q", d.AuthMethod, d.AuthID)
		}
	case "anonymous":
	default:
		t.Fatalf("WELCOME with authmethod %q", d.AuthMethod)
	}
}
