package bson

import (
	"errors"
	"testing"

	"github.com/autobahn-go/autobahn/serializers/serializertest"
)

// FuzzUnmarshal checks that no input makes Unmarshal panic or hang, that
// every rejection is a *SyntaxError whose offset lies inside the input, and
// that whatever decodes re-encodes to bytes that decode to the same value
// (serializertest.FuzzRoundTrip).
//
//	go test -fuzz=FuzzUnmarshal -fuzztime=1m ./examples/custom-serializer/bson/
func FuzzUnmarshal(f *testing.F) {
	for _, m := range serializertest.Messages() {
		data, err := New().Marshal(nil, m.Value)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		callBSON,
		"05000000 00",
		"0c000000 0a 76616c756500 00",
		"18000000 13 3000 ffffffffffffffff 0000000000004030 00",
		"18000000 13 3000 0f00000000000000 0000000000003e30 00",
		"12000000 05 3000 05000000 02 01000000 ff 00",
		"14000000 07 3000 000102030405060708090a0b 00",
		"10000000 04 3000 08000000 0a 3100 00 00",
		"0e000000 03 3000 09000000 00 00 00",
		"ffffff7f 00",
	} {
		f.Add(serializertest.MustHex(f, s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := New().Unmarshal(data); err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(data) {
				t.Fatalf("Unmarshal(%x): error %v (%T) is not a *SyntaxError with an offset inside the input", data, err, err)
			}
			return
		}
		serializertest.FuzzRoundTrip(t, New(), data)
	})
}
