package core

import (
	"errors"
	"os"
	"reflect"
	"testing"
)

// FuzzParseMessage feeds ParseMessage with generic values decoded from JSON
// text (integers as int64/uint64, "\u0000"-prefixed strings as bytes). It must
// never panic, must reject only with a *ProtocolError, and whatever it
// accepts must convert back with List and re-parse to an equal message.
func FuzzParseMessage(f *testing.F) {
	for _, m := range roundTripMessages() {
		l, err := m.List()
		if err != nil {
			f.Fatal(err)
		}
		b, err := toJSON(l)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	data, err := os.ReadFile("testdata/autobahn_marshal.json")
	if err != nil {
		f.Fatal(err)
	}
	vectors, err := fromJSON(data)
	if err != nil {
		f.Fatal(err)
	}
	for _, vec := range vectors.([]any) {
		b, err := toJSON(vec.([]any)[1])
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		`[]`, `{}`, `[48]`, `[48, 1.0, {}, "a"]`, `[35, 0, {"subscription": 1}]`,
		`[1, null, {"roles": {"caller": {"features": {"x": {}}}}}]`,
		`[50, 1, {"ppt_scheme": "x"}, ["\u0000AA=="], {}]`,
		`[8, 68, 1, {"enc_algo": "cryptobox"}, "e.x", "\u0000"]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := fromJSON(data)
		if err != nil {
			return
		}
		msg, err := ParseMessage(v)
		if err != nil {
			var pe *ProtocolError
			if !errors.As(err, &pe) {
				t.Fatalf("rejection is %T, not *ProtocolError: %v", err, err)
			}
			return
		}
		l, err := msg.List()
		if err != nil {
			t.Fatalf("parsed %s as %#v, but List fails: %v", data, msg, err)
		}
		if err := checkRepr(l); err != nil {
			t.Fatalf("List of %s: %v", data, err)
		}
		again, err := ParseMessage(l)
		if err != nil {
			t.Fatalf("List of %s = %#v does not parse: %v", data, l, err)
		}
		if !reflect.DeepEqual(again, msg) {
			t.Fatalf("round trip of %s differs:\n first %#v\nsecond %#v", data, msg, again)
		}
	})
}
