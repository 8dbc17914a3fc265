package cryptobox_test

import (
	"context"
	"encoding/base64"
	"testing"
	"unicode/utf8"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/payloadcodec/cryptobox"
)

// FuzzDecode feeds Decode arbitrary payloads and fields, and arbitrary
// plaintexts sealed with the right key (so that the inner JSON reader is
// reached): it must return an error or a result, never panic, and what it
// returns must encode again.
func FuzzDecode(f *testing.F) {
	for _, v := range loadVectors(f) {
		payload, _ := base64.StdEncoding.DecodeString(v.Payload)
		f.Add(payload, v.URI, "cryptobox", "json", "", !v.Originating)
	}
	f.Add([]byte(`{"uri":"com.x","args":[1,"\u0000AAE="],"kwargs":{"a":null}}`), "com.x", "cryptobox", "json", "xsalsa20poly1305", false)
	f.Add([]byte(`{"uri":5}`), "", "cryptobox", "json", "", true)
	f.Add([]byte(`[]`), "com.x", "mqtt", "cbor", "aes", false)
	f.Add([]byte{}, "com.x", "cryptobox", "json", "", false)
	ring, err := cryptobox.NewKeyRingFrom(cryptobox.KeySpec{URI: "", Key: "pNJoaAF8DM/+Lv5QlE70IRg0ZgzKg0xun4bexqiCRvo="},
		cryptobox.KeySpec{URI: "com.example.", OriginatorPriv: "nu82mrlCn4HDmU2v/vQIeNMxtDBN9UNUpQK8pAR9T50=", ResponderPub: "qgbVkBFfNC0cTPGnoBDk7OhUIszTiVQMgwBGFTSF3To="})
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte, uri, algo, ser, cipher string, originating bool) {
		// As received: arbitrary bytes and fields.
		ring.Decode(ctx, originating, uri, &core.EncodedPayload{Payload: data, Algo: algo, Serializer: ser, Cipher: cipher})
		// data as a plaintext sealed with the right key.
		sealed := cryptobox.SealRaw(t, ring, originating, uri, data)
		if sealed == nil {
			return // no box of that side for uri
		}
		_, args, kwargs, err := ring.Decode(ctx, !originating, uri, sealed)
		if err != nil {
			return
		}
		// The side that opened it has its box: it can answer (for a URI that
		// a serializer can write).
		if !utf8.ValidString(uri) {
			return
		}
		if _, err := ring.Encode(ctx, !originating, uri, args, kwargs); err != nil {
			t.Errorf("a decoded payload does not encode again: %v", err)
		}
	})
}
