package core

import (
	"reflect"
	"testing"
)

func TestPassthruEncoded(t *testing.T) {
	e := &EncodedPayload{Payload: []byte{1}, Algo: "cryptobox", Serializer: "json", Cipher: "xsalsa20poly1305", Key: "k"}

	var p Passthru
	p.SetEncoded(e, false)
	if want := (Passthru{EncAlgo: "cryptobox", EncSerializer: "json", EncKey: "k"}); p != want {
		t.Errorf("enc spelling: got %+v, want %+v", p, want)
	}
	if got, want := p.Encoded(e.Payload), (&EncodedPayload{Payload: []byte{1}, Algo: "cryptobox", Serializer: "json", Key: "k"}); !reflect.DeepEqual(got, want) {
		t.Errorf("Encoded: got %+v, want %+v", got, want)
	}

	p.SetEncoded(e, true)
	if want := (Passthru{PPTScheme: "cryptobox", PPTSerializer: "json", PPTCipher: "xsalsa20poly1305", PPTKeyID: "k"}); p != want {
		t.Errorf("ppt spelling: got %+v, want %+v", p, want)
	}
	if got := p.Encoded(e.Payload); !reflect.DeepEqual(got, e) {
		t.Errorf("Encoded: got %+v, want %+v", got, e)
	}
	if p.Scheme() != "cryptobox" {
		t.Errorf("Scheme: %q", p.Scheme())
	}

	p.SetEncoded(nil, false)
	if p != (Passthru{}) || p.Encoded([]byte{1}) != nil || p.Scheme() != "" {
		t.Errorf("cleared: got %+v", p)
	}

	// A message built from a codec's result lists and parses back.
	c := &Call{Request: 1, Procedure: "com.example.secret", Payload: e.Payload}
	c.Options.SetEncoded(e, false)
	l, err := c.List()
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseMessage(l)
	if err != nil {
		t.Fatal(err)
	}
	got := m.(*Call)
	if enc := got.Options.Encoded(got.Payload); enc.Algo != "cryptobox" || string(enc.Payload) != "\x01" {
		t.Errorf("after round trip: %+v", enc)
	}
}
