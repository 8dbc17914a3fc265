package msgpack

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// FuzzUnmarshal checks that no input makes Unmarshal panic or hang, that
// whatever decodes re-encodes to bytes that decode to the same value, and
// that the reference library decodes it to the same value too.
func FuzzUnmarshal(f *testing.F) {
	for _, m := range benchMessages {
		data, err := Object.Marshal(nil, m.msg)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, rec := range loadGolden(f) {
		if p, err := hex.DecodeString(rec.Hex); err == nil && len(p) > 0 {
			f.Add(p)
		}
	}
	for _, s := range []string{
		"cf8000000000000000", "d38000000000000000", "ca3fc00000", "c1", "d40100",
		"c70105 00", "81 01 02", "81 c4 01 61 02", "dd ffffffff c0", "df ffffffff c0c0",
		"92 91 01", "de0001a16101", "82a16101a16102", "9191919191919101",
	} {
		f.Add(mustHex(f, s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Object.Unmarshal(data)
		if err != nil {
			return
		}
		enc, err := Object.Marshal(nil, v)
		if err != nil {
			t.Fatalf("Marshal(Unmarshal(%x) = %s): %v", data, show(v), err)
		}
		back, err := Object.Unmarshal(enc)
		if err != nil {
			t.Fatalf("Unmarshal(Marshal(%s) = %x): %v", show(v), enc, err)
		}
		if !same(back, v) {
			t.Fatalf("round trip of %s gives %s", show(v), show(back))
		}
		if again, _ := Object.Marshal(nil, back); !bytes.Equal(again, enc) {
			t.Fatalf("re-encoding %s is not stable: %x then %x", show(v), enc, again)
		}
		lib, err := libDecode(data)
		if err != nil {
			t.Fatalf("library cannot decode %x that we decode to %s: %v", data, show(v), err)
		}
		if !same(lib, v) {
			t.Fatalf("Unmarshal(%x) = %s, library decodes %s", data, show(v), show(lib))
		}
	})
}
