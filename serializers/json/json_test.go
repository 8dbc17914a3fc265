package json

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

func TestMarshal(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"null", nil, `null`},
		{"true", true, `true`},
		{"false", false, `false`},
		{"zero", int64(0), `0`},
		{"min int64", int64(math.MinInt64), `-9223372036854775808`},
		{"max int64", int64(math.MaxInt64), `9223372036854775807`},
		{"2^53", int64(1 << 53), `9007199254740992`},
		{"max uint64", uint64(math.MaxUint64), `18446744073709551615`},
		{"int", -7, `-7`},
		{"int8", int8(-128), `-128`},
		{"int16", int16(300), `300`},
		{"int32", int32(-70000), `-70000`},
		{"uint", uint(7), `7`},
		{"uint8", uint8(255), `255`},
		{"uint16", uint16(65535), `65535`},
		{"uint32", uint32(4294967295), `4294967295`},
		{"float one", 1.0, `1.0`},
		{"float zero", 0.0, `0.0`},
		{"float negative zero", math.Copysign(0, -1), `-0.0`},
		{"float 0.1", 0.1, `0.1`},
		{"float third", 1.0 / 3, `0.3333333333333333`},
		{"float 1e15", 1e15, `1000000000000000.0`},
		{"float 1e16", 1e16, `1e+16`},
		{"float 2^53", float64(1 << 53), `9007199254740992.0`},
		{"float 2^63", float64(1 << 63), `9.223372036854776e+18`},
		{"float big", 123456789012345678.0, `1.2345678901234568e+17`},
		{"float 1e-4", 0.0001, `0.0001`},
		{"float 1e-5", 0.00001, `1e-05`},
		{"float negative small", -1.25e-5, `-1.25e-05`},
		{"float 1.5e300", 1.5e300, `1.5e+300`},
		{"float smallest", 5e-324, `5e-324`},
		{"float max", math.MaxFloat64, `1.7976931348623157e+308`},
		{"float fixed", 12345.678, `12345.678`},
		{"float fraction", -0.00123, `-0.00123`},
		{"float32", float32(0.1), `0.1`},
		{"float32 integral", float32(3), `3.0`},
		{"string", "com.myapp.add2", `"com.myapp.add2"`},
		{"empty string", "", `""`},
		{"quote and backslash", `a"b\c`, `"a\"b\\c"`},
		{"short escapes", "\b\t\n\f\r", `"\b\t\n\f\r"`},
		{"control characters", "\x00\x01\x0b\x1f ", `"\u0000\u0001\u000b\u001f "`},
		{"not escaped", "/\x7f\u2028\u2029\ufeff", "\"/\x7f\u2028\u2029\ufeff\""},
		{"non-ASCII", "é€𝄞日本", `"é€𝄞日本"`},
		{"bytes", []byte("hello"), `"\u0000aGVsbG8="`},
		{"empty bytes", []byte{}, `"\u0000"`},
		{"nil bytes", []byte(nil), `"\u0000"`},
		{"bytes padding", []byte{0xff, 0xfe}, `"\u0000//4="`},
		{"empty list", []any{}, `[]`},
		{"nil list", []any(nil), `[]`},
		{"empty map", map[string]any{}, `{}`},
		{"nil map", map[string]any(nil), `{}`},
		{"sorted keys", map[string]any{"b": int64(1), "a": int64(2), "é": nil, "B": true}, `{"B":true,"a":2,"b":1,"é":null}`},
		{"many keys", manyKeys(20), `{"k00":0,"k01":1,"k02":2,"k03":3,"k04":4,"k05":5,"k06":6,"k07":7,"k08":8,"k09":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k17":17,"k18":18,"k19":19}`},
		{"nul key stays a string", map[string]any{"\x00x": "\x00y"}, `{"\u0000x":"\u0000y"}`},
		{"strings", []string{"a", "\n"}, `["a","\n"]`},
		{"string map", map[string]string{"z": "1", "a": "2"}, `{"a":"2","z":"1"}`},
		{"call", []any{int64(48), int64(7814135), map[string]any{}, "com.myapp.add2", []any{int64(23), int64(7)}, map[string]any{"mode": "fast", "verbose": true}},
			`[48,7814135,{},"com.myapp.add2",[23,7],{"mode":"fast","verbose":true}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Marshal([]byte("prefix"), tt.in)
			if err != nil {
				t.Fatalf("Marshal(%#v): %v", tt.in, err)
			}
			if string(got) != "prefix"+tt.want {
				t.Errorf("Marshal(%#v)\n got %s\nwant prefix%s", tt.in, got, tt.want)
			}
		})
	}
}

func manyKeys(n int) map[string]any {
	m := make(map[string]any)
	for i := range n {
		m["k"+string(rune('0'+i/10))+string(rune('0'+i%10))] = int64(i)
	}
	return m
}

func TestMarshalErrors(t *testing.T) {
	cyclic := []any{nil}
	cyclic[0] = cyclic
	deep := any(int64(1))
	for range MaxDepth + 1 {
		deep = []any{deep}
	}
	tests := []struct {
		name     string
		in       any
		wantPath string
		want     string
	}{
		{"NaN", math.NaN(), "", "NaN cannot be represented in JSON"},
		{"+Inf", []any{int64(1), math.Inf(1)}, "[1]", "+Inf cannot be represented in JSON"},
		{"-Inf float32", float32(math.Inf(-1)), "", "-Inf cannot be represented in JSON"},
		{"invalid UTF-8", []any{map[string]any{"k": "a\xffb"}}, `[0]["k"]`, "string is not valid UTF-8 (byte 0xff at offset 1)"},
		{"invalid UTF-8 key", map[string]any{"\xc3": nil}, `[key "\xc3"]`, "not valid UTF-8"},
		{"invalid UTF-8 in []string", []string{"ok", "\xed\xa0\x80"}, `[1]`, "not valid UTF-8"},
		{"invalid UTF-8 in map[string]string", map[string]string{"k": "\x80"}, `["k"]`, "not valid UTF-8"},
		{"unsupported type", []any{int64(1), map[string]any{"a": []any{struct{}{}}}}, `[1]["a"][0]`, "unsupported type struct {}"},
		{"typed slice", []int{1}, "", "unsupported type []int"},
		{"cyclic", cyclic, strings.Repeat("[0]", MaxDepth), "nesting deeper than 1000 levels"},
		{"too deep", deep, strings.Repeat("[0]", MaxDepth), "nesting deeper than 1000 levels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Marshal([]byte("x"), tt.in)
			var me *MarshalError
			if !errors.As(err, &me) {
				t.Fatalf("Marshal = %q, %v; want a *MarshalError", got, err)
			}
			if me.Path != tt.wantPath || !strings.Contains(me.Reason, tt.want) {
				t.Errorf("error path %q reason %q; want path %q reason containing %q", me.Path, me.Reason, tt.wantPath, tt.want)
			}
			if string(got) != "x" {
				t.Errorf("Marshal returned %q on error; want dst unchanged", got)
			}
			if !strings.HasPrefix(err.Error(), "json: marshal") {
				t.Errorf("error text %q does not name the operation", err)
			}
		})
	}
}

func TestUnmarshal(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want any
	}{
		{"null", `null`, nil},
		{"true", ` true `, true},
		{"false", "\t\r\nfalse\n", false},
		{"zero", `0`, int64(0)},
		{"negative zero", `-0`, int64(0)},
		{"small", `48`, int64(48)},
		{"min int64", `-9223372036854775808`, int64(math.MinInt64)},
		{"max int64", `9223372036854775807`, int64(math.MaxInt64)},
		{"above int64", `9223372036854775808`, uint64(1 << 63)},
		{"max uint64", `18446744073709551615`, uint64(math.MaxUint64)},
		{"above uint64", `18446744073709551616`, float64(1 << 64)},
		{"below int64", `-9223372036854775809`, -float64(1 << 63)},
		{"float", `1.5`, 1.5},
		{"float integral", `1.0`, 1.0},
		{"exponent", `1e2`, 100.0},
		{"exponent upper", `1E+2`, 100.0},
		{"exponent negative", `-25e-1`, -2.5},
		{"underflow", `1e-400`, 0.0},
		{"string", `"com.myapp.add2"`, "com.myapp.add2"},
		{"empty string", `""`, ""},
		{"escapes", `"\"\\\/\b\f\n\r\t"`, "\"\\/\b\f\n\r\t"},
		{"unicode escapes", `"\u00e9\u20AC\ud834\udd1e"`, "é€𝄞"},
		{"raw UTF-8", `"é€𝄞\u2028` + "\u2029\x7f" + `"`, "é€𝄞\u2028\u2029\x7f"},
		{"lone high surrogate", `"a\ud800b"`, "a\ufffdb"},
		{"lone low surrogate", `"\udc00"`, "\ufffd"},
		{"high surrogate then non-surrogate escape", `"\ud800\u0041"`, "\ufffdA"},
		{"two high surrogates", `"\ud800\ud800\udc00"`, "\ufffd𐀀"},
		{"escape after plain text", `"ab\ncd"`, "ab\ncd"},
		{"bytes", `"\u0000aGVsbG8="`, []byte("hello")},
		{"empty bytes", `"\u0000"`, []byte{}},
		{"bytes with escaped slash", `"\u0000\/\/4="`, []byte{0xff, 0xfe}},
		{"bytes spelled with an escaped U+0000 later", `"\u0000aGVs\u0062G8="`, []byte("hello")},
		{"nul later is a string", `"a\u0000"`, "a\x00"},
		{"nul key stays a string", `{"\u0000aGVsbG8=":1}`, map[string]any{"\x00aGVsbG8=": int64(1)}},
		{"key with escapes", `{"a\nb":1}`, map[string]any{"a\nb": int64(1)}},
		{"empty list", `[ ]`, []any{}},
		{"empty map", `{ }`, map[string]any{}},
		{"duplicate keys: last wins", `{"a":1,"a":2}`, map[string]any{"a": int64(2)}},
		{"nested", ` [ 1 , { "a" : [ true , null ] } , [ ] ] `, []any{int64(1), map[string]any{"a": []any{true, nil}}, []any{}}},
		{"call", `[48,7814135,{},"com.myapp.add2",[23,7],{"mode":"fast","verbose":true}]`,
			[]any{int64(48), int64(7814135), map[string]any{}, "com.myapp.add2", []any{int64(23), int64(7)}, map[string]any{"mode": "fast", "verbose": true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Unmarshal([]byte(tt.in))
			if err != nil {
				t.Fatalf("Unmarshal(%s): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Unmarshal(%s) = %#v; want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestUnmarshalErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		offset int
		want   string
	}{
		{"empty", ``, 0, "unexpected end of input, expecting a value"},
		{"only space", `  `, 2, "unexpected end of input, expecting a value"},
		{"two values", `1 2`, 2, "unexpected character '2', expecting the end of input after the value"},
		{"trailing comma in list", `[1,]`, 3, "unexpected character ']', expecting a value"},
		{"trailing comma in map", `{"a":1,}`, 7, "expecting a string key in a map"},
		{"missing comma", `[1 2]`, 3, "expecting ',' or ']' in a list"},
		{"unclosed list", `[1`, 2, "unexpected end of input, expecting ',' or ']' in a list"},
		{"unclosed map", `{"a":1`, 6, "expecting ',' or '}' in a map"},
		{"missing colon", `{"a" 1}`, 5, "expecting ':' after a map key"},
		{"number key", `{1:2}`, 1, "expecting a string key in a map"},
		{"single quotes", `'a'`, 0, "unexpected character '\\'', expecting a value"},
		{"leading zero", `01`, 1, "expecting the end of input"},
		{"leading plus", `+1`, 0, "expecting a value"},
		{"bare minus", `-`, 1, "unexpected end of input, expecting a digit in a number"},
		{"minus letter", `-a`, 1, "expecting a digit in a number"},
		{"dot without digits", `1.`, 2, "expecting a digit after the decimal point"},
		{"leading dot", `.5`, 0, "expecting a value"},
		{"exponent without digits", `1e+`, 3, "expecting a digit in an exponent"},
		{"too large", `[1e400]`, 1, "number 1e400 is out of the float64 range"},
		{"too large negative", `-1e309`, 0, "out of the float64 range"},
		{"NaN", `NaN`, 0, "unexpected character 'N', expecting a value"},
		{"Infinity", `Infinity`, 0, "expecting a value"},
		{"bad literal", `tru`, 3, "unexpected end of input, expecting 'e' (in the literal true)"},
		{"misspelt literal", `nul1`, 3, "unexpected character '1', expecting 'l' (in the literal null)"},
		{"unterminated string", `"abc`, 4, "unexpected end of input in a string"},
		{"raw control character", "\"a\nb\"", 2, "control character 0x0a in a string (must be escaped)"},
		{"raw NUL", "\"\x00\"", 1, "control character 0x00"},
		{"bad escape", `"\x"`, 2, "unexpected character 'x', expecting an escape character"},
		{"short unicode escape", `"\u12"`, 1, "invalid \\u escape in a string (needs 4 hex digits)"},
		{"bad unicode escape", `"\u12g4"`, 1, "invalid \\u escape"},
		{"escape at end", `"\`, 2, "unexpected end of input in a string escape"},
		{"invalid UTF-8 in string", "\"a\xffb\"", 2, "invalid UTF-8 byte 0xff in a string"},
		{"truncated UTF-8 in string", "\"\xe2\x82\"", 1, "invalid UTF-8 byte 0xe2 in a string"},
		{"UTF-8 surrogate in string", "\"\xed\xa0\x80\"", 1, "invalid UTF-8 byte 0xed"},
		{"overlong UTF-8 in string", "\"\xc0\xaf\"", 1, "invalid UTF-8 byte 0xc0"},
		{"invalid UTF-8 outside", "[\xff]", 1, "invalid UTF-8 byte 0xff, expecting a value"},
		{"BOM", "\ufeff1", 0, "unexpected character '\\ufeff', expecting a value"},
		{"bad base64", `["\u0000abc"]`, 1, "invalid base64 in a binary string (a string value starting with U+0000)"},
		{"bad base64 character", `"\u0000a*=="`, 0, "invalid base64"},
		{"bad base64 after escape", `"\u0000\u0061"`, 0, "invalid base64"},
		{"missing padding", `"\u0000aGVsbG8"`, 0, "invalid base64"},
		{"control character in bytes", "\"\\u0000aG\x01Vs\"", 9, "control character 0x01"},
		{"too deep list", strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), MaxDepth, "nesting deeper than 1000 levels"},
		{"too deep map", strings.Repeat(`{"a":`, MaxDepth+1) + "1" + strings.Repeat("}", MaxDepth+1), 5 * MaxDepth, "nesting deeper than 1000 levels"},
		{"close without open", `]`, 0, "expecting a value"},
		{"comment", `[1/*x*/]`, 2, "expecting ',' or ']'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Unmarshal([]byte(tt.in))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Unmarshal(%q) = %#v, %v; want a *SyntaxError", tt.in, got, err)
			}
			if se.Offset != tt.offset || !strings.Contains(se.Reason, tt.want) {
				t.Errorf("Unmarshal(%q): offset %d reason %q; want offset %d reason containing %q", tt.in, se.Offset, se.Reason, tt.offset, tt.want)
			}
			if got != nil {
				t.Errorf("Unmarshal(%q) returned %#v with the error", tt.in, got)
			}
		})
	}
}

func TestDepthLimitAccepted(t *testing.T) {
	in := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	v, err := Unmarshal([]byte(in))
	if err != nil {
		t.Fatalf("Unmarshal of %d nested lists: %v", MaxDepth, err)
	}
	out, err := Marshal(nil, v)
	if err != nil || string(out) != in {
		t.Fatalf("Marshal of %d nested lists: %v (output equal: %v)", MaxDepth, err, string(out) == in)
	}
}

func TestBase64ErrorUnwraps(t *testing.T) {
	_, err := Unmarshal([]byte(`"\u0000!!!!"`))
	var se *SyntaxError
	if !errors.As(err, &se) || se.Err == nil || errors.Unwrap(err) != se.Err {
		t.Fatalf("error %v does not wrap the base64 error", err)
	}
	if !strings.Contains(err.Error(), "illegal base64 data at input byte 0") {
		t.Errorf("error %q does not include the base64 detail", err)
	}
}

// TestFloatRoundTrip checks that every encoded float reads back to the same
// bits, and that positional and exponent forms switch where Python's do.
func TestFloatRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 200000 {
		var f float64
		switch i % 3 {
		case 0:
			f = math.Float64frombits(r.Uint64())
		case 1:
			f = r.NormFloat64() * math.Pow(10, float64(r.IntN(40)-20))
		default:
			f = float64(r.Int64N(1<<60)) / float64(int64(1)<<r.IntN(60))
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		b, err := Marshal(nil, f)
		if err != nil {
			t.Fatalf("Marshal(%v): %v", f, err)
		}
		v, err := Unmarshal(b)
		if err != nil {
			t.Fatalf("Unmarshal(%s): %v", b, err)
		}
		g, ok := v.(float64)
		if !ok || math.Float64bits(g) != math.Float64bits(f) {
			t.Fatalf("float %v encoded as %s decodes as %#v", f, b, v)
		}
		exp := strings.ContainsAny(string(b), "e")
		abs := math.Abs(f)
		wantExp := abs != 0 && (abs < 1e-4 || abs >= 1e16)
		if exp != wantExp {
			t.Fatalf("float %v encoded as %s: exponent form %v, want %v", f, b, exp, wantExp)
		}
	}
}

func TestStringRoundTrip(t *testing.T) {
	// A string value starting with U+0000 would read back as bytes (see
	// TestNulStringValueIsBinary); start at U+0001.
	var all []rune
	for r := rune(1); r < 0x800; r++ {
		all = append(all, r)
	}
	all = append(all, 0xfffd, 0xffff, 0x10000, 0x10ffff, 0x2028, 0x2029)
	s := string(all)
	b, err := Marshal(nil, []any{s, map[string]any{s: s}})
	if err != nil {
		t.Fatal(err)
	}
	v, err := Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if want := []any{s, map[string]any{s: s}}; !reflect.DeepEqual(v, want) {
		t.Fatalf("string round trip changed the value")
	}
}

func TestObjectSerializer(t *testing.T) {
	if Object.Name() != "json" || Object.RawSocketID() != 1 || Object.Binary() {
		t.Fatalf("Object = %q id %d binary %v; want json id 1 text", Object.Name(), Object.RawSocketID(), Object.Binary())
	}
	b, err := Object.Marshal(nil, []any{[]byte{1, 2, 3}})
	if err != nil || string(b) != `["\u0000AQID"]` {
		t.Fatalf("Object.Marshal = %s, %v", b, err)
	}
	v, err := Object.Unmarshal(b)
	if err != nil || !reflect.DeepEqual(v, []any{[]byte{1, 2, 3}}) {
		t.Fatalf("Object.Unmarshal = %#v, %v", v, err)
	}
}

// TestNulStringValueIsBinary pins down the price of the binary convention: a
// string value that starts with U+0000 is written like Python writes it and
// reads back as bytes, or fails if the rest is not base64.
func TestNulStringValueIsBinary(t *testing.T) {
	b, err := Marshal(nil, []any{"\x00AQID", map[string]any{"\x00k": "\x00?"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `["\u0000AQID",{"\u0000k":"\u0000?"}]`; string(b) != want {
		t.Fatalf("Marshal = %s; want %s", b, want)
	}
	if _, err := Unmarshal(b); err == nil || !strings.Contains(err.Error(), "invalid base64") {
		t.Fatalf("Unmarshal(%s) error = %v; want invalid base64", b, err)
	}
	v, err := Unmarshal([]byte(`["\u0000AQID"]`))
	if err != nil || !reflect.DeepEqual(v, []any{[]byte{1, 2, 3}}) {
		t.Fatalf("Unmarshal = %#v, %v; want the bytes 1 2 3", v, err)
	}
}

// TestConcurrentUse runs Marshal and Unmarshal from several goroutines (the
// decoder state is pooled); run with -race.
func TestConcurrentUse(t *testing.T) {
	in := []byte(`[36,5512315355,4429313566,{"a":[1,2,[3,"x"]]},["\u0000AQID","é"]]`)
	want, err := Unmarshal(in)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			for range 500 {
				v, err := Unmarshal(in)
				if err == nil && !reflect.DeepEqual(v, want) {
					err = errors.New("decoded value differs")
				}
				if err == nil {
					var out []byte
					out, err = Marshal(nil, v)
					if err == nil && string(out) != string(in) {
						err = errors.New("encoding differs: " + string(out))
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
