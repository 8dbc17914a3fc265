package cryptobox_test

import (
	"context"
	"fmt"
	"log"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/payloadcodec/cryptobox"
	"github.com/autobahn-go/autobahn/wamp"
)

// A caller holds the originator's private key and the responder's public
// key, its callee the other two; what one seals, the other opens.
func Example() {
	origPriv, origPub, _ := cryptobox.GenerateKeyPair(nil)
	respPriv, respPub, _ := cryptobox.GenerateKeyPair(nil)
	caller, err := cryptobox.ParseKeyRing([]byte(`[{"uri": "com.example.",
		"originator_priv": "` + origPriv + `", "responder_pub": "` + respPub + `"}]`))
	if err != nil {
		log.Fatal(err)
	}
	callee, err := cryptobox.NewKeyRingFrom(cryptobox.KeySpec{URI: "com.example.", ResponderPriv: respPriv, OriginatorPub: origPub})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	p, err := caller.Encode(ctx, true, "com.example.add2", []any{2, 3}, nil)
	if err != nil {
		log.Fatal(err)
	}
	uri, args, _, err := callee.Decode(ctx, false, "com.example.add2", p)
	fmt.Println(p.Algo, len(p.Payload), uri, args, err) // 40 bytes of nonce and tag, and the JSON
	clear, _ := caller.Encode(ctx, true, "org.example.public", []any{1}, nil)
	fmt.Println(clear == nil) // no key for that URI: sent in the clear
	// Output:
	// cryptobox 93 com.example.add2 [2 3] <nil>
	// true
}

// A key ring is enabled on a session with its Config.
func ExampleLoadKeyRing() {
	ring, err := cryptobox.LoadKeyRing("keyring.json")
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	s, err := wamp.Dial(ctx, "ws://127.0.0.1:8080/ws", core.TransportConfig{}, wamp.Config{PayloadCodec: ring})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close(ctx)
}
