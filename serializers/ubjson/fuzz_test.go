package ubjson

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
)

// normalize maps a decoded value to what survives Marshal: NaN and
// infinities are written as null.
func normalize(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	}
	return v
}

func FuzzUnmarshal(f *testing.F) {
	for _, tc := range encodeCases {
		if b, err := (codec{}).Marshal(nil, tc.v); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"4e 5a", "5b 4e 5a 4e 5d", "5b 23 55 02 5a 43 78", "5b 24 55 23 55 03 010203",
		"5b 24 69 23 55 02 ff 01", "5b 24 48 23 55 02 55 01 37 55 03 302e35",
		"5b 24 5a 23 55 03", "5b 24 5b 23 55 03 5d 23 55 01 5a 24 55 23 55 01 09",
		"7b 24 55 23 55 02 55 01 61 05 55 01 62 ff", "7b 24 5a 23 55 02 55 01 61 55 01 62",
		"7b 4e 55 01 61 4e 54 4e 7d", "7b 24 5b 23 55 01 55 01 61 55 07 5d",
		"48 55 05 312e356532", "48 55 14 2d39323233333732303336383534373735383038",
		"64 7fc00000", "44 fff0000000000000", "5b 23 4c 7fffffffffffffff 5a",
		"5b 24 5a 23 6c 00100001", "53 4c 7fffffffffffffff 61", "5b 24 4e 23 55 01",
	} {
		f.Add(h(f, s))
	}
	f.Add([]byte(strings.Repeat("[", 600)))
	call, _ := codec{}.Marshal(nil, benchCall)
	f.Add(call)

	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := codec{}.Unmarshal(data)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(data) {
				t.Fatalf("error %v (%T) is not a *SyntaxError with an offset inside the input", err, err)
			}
			return
		}
		enc, err := codec{}.Marshal(nil, v)
		if err != nil {
			t.Fatalf("Marshal of decoded %#.100v: %v", v, err)
		}
		back, err := codec{}.Unmarshal(enc)
		if err != nil {
			t.Fatalf("Unmarshal(Marshal(v)) % .100x: %v", enc, err)
		}
		if !equalValues(back, normalize(v)) {
			t.Fatalf("round trip changed the value:\n %#.200v\n %#.200v", v, back)
		}
		again, err := codec{}.Marshal(nil, back)
		if err != nil || !bytes.Equal(again, enc) {
			t.Fatalf("encoding is not stable: % .100x then % .100x (%v)", enc, again, err)
		}
	})
}
