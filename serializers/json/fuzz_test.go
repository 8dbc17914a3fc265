package json

import (
	"bytes"
	"encoding/base64"
	stdjson "encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// seeds are valid and invalid inputs for the fuzz targets (more live in
// testdata/fuzz).
var seeds = []string{
	`[48,7814135,{},"com.myapp.add2",[23,7],{"mode":"fast","verbose":true}]`,
	`[36,5512315355,4429313566,{},["\u0000AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="]]`,
	`[1,"realm1",{"roles":{"caller":{"features":{"progressive_call_results":true}}},"authmethods":["ticket"]}]`,
	`[8,48,1,{},"wamp.error.no_such_procedure",["é€𝄞\n\u2028"],{"x":null}]`,
	` { "a" : [ -0 , 1.5e-3 , 1E+2 , -9223372036854775808 , 18446744073709551615 , 18446744073709551616 ] } `,
	`"\ud834\udd1e\ud800\udc00\ud800x\\\/\"\b\f\r\t"`,
	`"\u0000\/\/4="`, `{"\u0000":"\u0000"}`, `"\u0000a"`,
	`[1e400]`, `[1,]`, `{"a"}`, `"\x"`, "\"\xff\"", `nul`, `01`, `-`, `[[[[[[[[[[]]]]]]]]]]`,
	`true`, `false`, `null`, `0`, `""`, `[]`, `{}`,
}

// FuzzUnmarshal checks that no input makes Unmarshal panic or hang, and that
// whatever decodes encodes canonically and decodes again to the same value.
func FuzzUnmarshal(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Unmarshal(data)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(data) {
				t.Fatalf("Unmarshal(%q): error %#v is not a *SyntaxError within the input", data, err)
			}
			if v != nil {
				t.Fatalf("Unmarshal(%q) returned %#v with an error", data, v)
			}
			return
		}
		b, err := Marshal(nil, v)
		if err != nil {
			t.Fatalf("Marshal(Unmarshal(%q)): %v", data, err)
		}
		v2, err := Unmarshal(b)
		if err != nil {
			t.Fatalf("Unmarshal(%q) (re-encoded from %q): %v", b, data, err)
		}
		if !reflect.DeepEqual(v, v2) {
			t.Fatalf("round trip of %q through %q changed %#v into %#v", data, b, v, v2)
		}
		b2, err := Marshal(nil, v2)
		if err != nil || !bytes.Equal(b, b2) {
			t.Fatalf("second encoding differs: %q then %q (%v)", b, b2, err)
		}
	})
}

// FuzzDifferential compares Unmarshal with encoding/json (UseNumber) on valid
// UTF-8: both must accept the same inputs, except for the documented
// rejections (depth, bad base64, floats out of range), and agree on the
// value.
func FuzzDifferential(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !utf8.Valid(data) {
			return
		}
		ours, err := Unmarshal(data)
		var std any
		stdErr := errors.New("invalid JSON")
		if stdjson.Valid(data) {
			dec := stdjson.NewDecoder(bytes.NewReader(data))
			dec.UseNumber()
			stdErr = dec.Decode(&std)
		}
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Unmarshal(%q): error %v is not a *SyntaxError", data, err)
			}
			if stdErr == nil && se.kind == kindGrammar {
				t.Fatalf("Unmarshal(%q) rejects valid JSON: %v", data, err)
			}
			if stdErr == nil && se.kind != kindDepth {
				if _, convErr := fromStd(std); convErr == nil {
					t.Fatalf("Unmarshal(%q) = %v, but encoding/json's value converts fine", data, err)
				}
			}
			return
		}
		if stdErr != nil {
			t.Fatalf("Unmarshal(%q) accepts what encoding/json rejects (%v): %#v", data, stdErr, ours)
		}
		want, convErr := fromStd(std)
		if convErr != nil {
			t.Fatalf("Unmarshal(%q) = %#v, but the value should be rejected: %v", data, ours, convErr)
		}
		if !reflect.DeepEqual(ours, want) {
			t.Fatalf("Unmarshal(%q) = %#v; encoding/json says %#v", data, ours, want)
		}
	})
}

// fromStd converts, in place, a value decoded by another JSON decoder
// (encoding/json with UseNumber, or ugorji) to the representation of package
// core: json.Number becomes int64, uint64 or float64, and the binary
// convention is applied to string values (map keys are left alone).
func fromStd(v any) (any, error) {
	switch v := v.(type) {
	case stdjson.Number:
		s := string(v)
		if !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return i, nil
			}
			if u, err := strconv.ParseUint(s, 10, 64); err == nil {
				return u, nil
			}
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(f, 0) {
			return nil, errors.New("float out of range")
		}
		return f, nil
	case string:
		if len(v) > 0 && v[0] == 0 {
			return base64.StdEncoding.DecodeString(v[1:])
		}
		return v, nil
	case []any:
		for i, e := range v {
			c, err := fromStd(e)
			if err != nil {
				return nil, err
			}
			v[i] = c
		}
		return v, nil
	case map[string]any:
		for k, e := range v {
			c, err := fromStd(e)
			if err != nil {
				return nil, err
			}
			switch e.(type) {
			case string, stdjson.Number:
				v[k] = c
			}
		}
		return v, nil
	default:
		return v, nil
	}
}
