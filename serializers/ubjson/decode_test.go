package ubjson

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestUnmarshalValues(t *testing.T) {
	tests := []struct {
		name string
		in   string // hex
		want any
	}{
		{"Z", "5a", nil},
		{"T", "54", true},
		{"F", "46", false},
		{"i", "69 80", int64(-128)},
		{"i positive", "69 7f", int64(127)},
		{"U", "55 ff", int64(255)},
		{"I", "49 8000", int64(-32768)},
		{"I positive", "49 0001", int64(1)},
		{"l", "6c 80000000", int64(math.MinInt32)},
		{"L min", "4c 8000000000000000", int64(math.MinInt64)},
		{"L max", "4c 7fffffffffffffff", int64(math.MaxInt64)},
		{"d", "64 3fc00000", 1.5},
		{"d zero", "64 00000000", 0.0},
		{"d NaN", "64 7fc00000", math.NaN()},
		{"D", "44 3fb999999999999a", 0.1},
		{"D -Inf", "44 fff0000000000000", math.Inf(-1)},
		{"H int", "48 55 03 313233", int64(123)},
		{"H negative int", "48 55 02 2d35", int64(-5)},
		{"H minus zero", "48 55 02 2d30", int64(0)},
		{"H uint64", "48 55 13 39323233333732303336383534373735383038", uint64(math.MaxInt64 + 1)},
		{"H MinInt64", "48 55 14 2d39323233333732303336383534373735383038", int64(math.MinInt64)},
		{"H decimal", "48 55 04 332e3134", 3.14},
		{"H exponent", "48 55 04 31452b33", 1000.0},
		{"H lower exponent", "48 55 05 312e356532", 150.0},
		{"H underflow to zero", "48 55 06 31652d343030", 0.0},
		{"C", "43 61", "a"},
		{"C NUL", "43 00", "\x00"},
		{"S empty", "53 55 00", ""},
		{"S", "53 55 05 68656c6c6f", "hello"},
		{"S length i", "53 69 02 6869", "hi"},
		{"S length I", "53 49 0002 6869", "hi"},
		{"S length l", "53 6c 00000002 6869", "hi"},
		{"S length L", "53 4c 0000000000000002 6869", "hi"},
		{"S invalid UTF-8 passed through", "53 55 02 ff fe", "\xff\xfe"},
		{"S UTF-8", "53 55 02 c3a9", "é"},

		{"N before top-level value", "4e 4e 5a", nil},
		{"empty array", "5b 5d", []any{}},
		{"array", "5b 5a 54 55 01 5d", []any{nil, true, int64(1)}},
		{"array with N", "5b 4e 5a 4e 4e 55 02 4e 5d", []any{nil, int64(2)}},
		{"nested arrays", "5b 5b 5d 5b 5b 5d 5d 5d", []any{[]any{}, []any{[]any{}}}},
		{"counted array", "5b 23 55 02 5a 43 78", []any{nil, "x"}},
		{"counted array, N not counted", "5b 23 55 02 4e 5a 4e 43 78", []any{nil, "x"}},
		{"counted array, count I", "5b 23 49 0001 54", []any{true}},
		{"counted empty array", "5b 23 55 00", []any{}},
		{"typed U array is bytes", "5b 24 55 23 55 03 010203", []byte{1, 2, 3}},
		{"typed U array empty", "5b 24 55 23 55 00", []byte{}},
		{"typed U array, count L", "5b 24 55 23 4c 0000000000000001 ff", []byte{0xff}},
		{"typed i array", "5b 24 69 23 55 02 ff 01", []any{int64(-1), int64(1)}},
		{"typed I array", "5b 24 49 23 55 02 0100 ffff", []any{int64(256), int64(-1)}},
		{"typed l array", "5b 24 6c 23 55 01 00000005", []any{int64(5)}},
		{"typed L array", "5b 24 4c 23 55 01 0000000000000005", []any{int64(5)}},
		{"typed d array", "5b 24 64 23 55 02 3fc00000 00000000", []any{1.5, 0.0}},
		{"typed D array", "5b 24 44 23 55 01 3ff8000000000000", []any{1.5}},
		{"typed H array", "5b 24 48 23 55 02 55 01 37 55 03 302e35", []any{int64(7), 0.5}},
		{"typed C array", "5b 24 43 23 55 03 616263", []any{"a", "b", "c"}},
		{"typed S array", "5b 24 53 23 55 02 55 01 61 55 00", []any{"a", ""}},
		{"typed Z array", "5b 24 5a 23 55 03", []any{nil, nil, nil}},
		{"typed T array", "5b 24 54 23 55 02", []any{true, true}},
		{"typed F array", "5b 24 46 23 49 0002", []any{false, false}},
		{"typed Z array empty", "5b 24 5a 23 55 00", []any{}},
		{"typed array of arrays", "5b 24 5b 23 55 03 5d 23 55 01 5a 24 55 23 55 01 09", []any{[]any{}, []any{nil}, []byte{9}}},
		{"typed array of objects", "5b 24 7b 23 55 02 7d 23 55 01 55 01 6b 54", []any{map[string]any{}, map[string]any{"k": true}}},

		{"empty object", "7b 7d", map[string]any{}},
		{"object", "7b 55 01 61 55 01 55 02 6263 5a 7d", map[string]any{"a": int64(1), "bc": nil}},
		{"object, empty key", "7b 55 00 54 7d", map[string]any{"": true}},
		{"object, key length I", "7b 49 0001 61 54 7d", map[string]any{"a": true}},
		{"object with N before key and value", "7b 4e 55 01 61 4e 54 4e 7d", map[string]any{"a": true}},
		{"object, repeated key keeps last", "7b 55 01 61 55 01 55 01 61 55 02 7d", map[string]any{"a": int64(2)}},
		{"counted object", "7b 23 55 02 55 01 61 5a 55 01 62 46", map[string]any{"a": nil, "b": false}},
		{"counted empty object", "7b 23 55 00", map[string]any{}},
		{"typed U object is ints", "7b 24 55 23 55 02 55 01 61 05 55 01 62 ff", map[string]any{"a": int64(5), "b": int64(255)}},
		{"typed S object", "7b 24 53 23 55 01 55 01 61 55 01 78", map[string]any{"a": "x"}},
		{"typed Z object", "7b 24 5a 23 55 02 55 01 61 55 01 62", map[string]any{"a": nil, "b": nil}},
		{"typed T object", "7b 24 54 23 55 01 55 01 61", map[string]any{"a": true}},
		{"typed F object", "7b 24 46 23 55 01 55 01 61", map[string]any{"a": false}},
		{"typed object of arrays", "7b 24 5b 23 55 01 55 01 61 55 07 5d", map[string]any{"a": []any{int64(7)}}},
		{"bytes inside object", "7b 55 01 62 5b 24 55 23 55 01 00 7d", map[string]any{"b": []byte{0}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := codec{}.Unmarshal(h(t, tc.in))
			if err != nil {
				t.Fatalf("Unmarshal(%s): %v", tc.in, err)
			}
			if !equalValues(got, tc.want) {
				t.Fatalf("Unmarshal(%s) = %#v, want %#v", tc.in, got, tc.want)
			}
		})
	}
}

// equalValues is reflect.DeepEqual, except that NaN equals NaN and types must
// match exactly.
func equalValues(a, b any) bool {
	if fa, ok := a.(float64); ok {
		fb, ok := b.(float64)
		return ok && (fa == fb && math.Signbit(fa) == math.Signbit(fb) || math.IsNaN(fa) && math.IsNaN(fb))
	}
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) || (x == nil) != (y == nil) {
			return false
		}
		for i := range x {
			if !equalValues(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) || (x == nil) != (y == nil) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equalValues(v, w) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

func TestUnmarshalFloatSign(t *testing.T) {
	v, err := codec{}.Unmarshal(h(t, "64 80000000"))
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := v.(float64); !ok || f != 0 || !math.Signbit(f) {
		t.Fatalf("d 80000000 = %#v, want -0.0", v)
	}
}

func TestUnmarshalCopies(t *testing.T) {
	in := h(t, "5b 5b 24 55 23 55 02 0102 53 55 02 6869 5d")
	v, err := codec{}.Unmarshal(in)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		in[i] = 0
	}
	want := []any{[]byte{1, 2}, "hi"}
	if !equalValues(v, want) {
		t.Fatalf("result changed with the input: %#v", v)
	}
}

func TestUnmarshalErrors(t *testing.T) {
	deepOK := strings.Repeat("5b", MaxDepth) + strings.Repeat("5d", MaxDepth)
	if _, err := (codec{}).Unmarshal(h(t, deepOK)); err != nil {
		t.Fatalf("%d nested arrays: %v", MaxDepth, err)
	}
	tests := []struct {
		name string
		in   string
		msg  string
		off  int
	}{
		{"empty input", "", "unexpected end of input, expected a value", 0},
		{"only N", "4e 4e", "unexpected end of input, expected a value", 2},
		{"trailing byte", "5a 5a", "1 trailing bytes after the value", 1},
		{"trailing N", "5a 4e", "1 trailing bytes after the value", 1},
		{"unknown marker", "78", "unexpected marker 'x', expected a value", 0},
		{"control marker", "00", "unexpected marker 0x00, expected a value", 0},
		{"end marker at top", "5d", "unexpected marker ']'", 0},
		{"count marker at top", "23 55 01", "unexpected marker '#'", 0},
		{"truncated i", "69", "integer needs 1 bytes, only 0 left", 1},
		{"truncated I", "49 00", "integer needs 2 bytes, only 1 left", 1},
		{"truncated l", "6c 000000", "integer needs 4 bytes, only 3 left", 1},
		{"truncated L", "4c 00", "integer needs 8 bytes, only 1 left", 1},
		{"truncated d", "64 0000", "float32 needs 4 bytes, only 2 left", 1},
		{"truncated D", "44", "float64 needs 8 bytes, only 0 left", 1},
		{"truncated C", "43", "char needs 1 bytes, only 0 left", 1},
		{"non-ASCII C", "43 ff", "char 0xff is not ASCII", 1},
		{"S without length", "53", "unexpected end of input, expected string length", 1},
		{"S length not an integer", "53 53 01 61", "string length must be an integer, found marker 'S'", 1},
		{"S length float", "53 64 3f800000 61", "string length must be an integer, found marker 'd'", 1},
		{"S negative length", "53 69 ff", "negative string length -1", 1},
		{"S negative length L", "53 4c 8000000000000000", "negative string length -9223372036854775808", 1},
		{"S too short", "53 55 05 6869", "string needs 5 bytes, only 2 left", 3},
		{"S huge length", "53 4c 7fffffffffffffff 61", "string needs 9223372036854775807 bytes, only 1 left", 10},
		{"H not a number", "48 55 03 616263", `high-precision number "abc" is not a JSON number`, 1},
		{"H NaN", "48 55 03 4e614e", `high-precision number "NaN" is not a JSON number`, 1},
		{"H empty", "48 55 00", `high-precision number "" is not a JSON number`, 1},
		{"H leading zero", "48 55 02 3031", `"01" is not a JSON number`, 1},
		{"H plus sign", "48 55 02 2b31", `"+1" is not a JSON number`, 1},
		{"H dot without digits", "48 55 02 312e", `"1." is not a JSON number`, 1},
		{"H exponent without digits", "48 55 02 3165", `"1e" is not a JSON number`, 1},
		{"H spec typo form", "48 55 0a 2d312e39332b45313930", `"-1.93+E190" is not a JSON number`, 1},
		{"H int too large", "48 55 14 3138343436373434303733373039353531363136", `"18446744073709551616" is an integer outside the 64-bit ranges`, 1},
		{"H int too small", "48 55 14 2d39323233333732303336383534373735383039", `is an integer outside the 64-bit ranges`, 1},
		{"H float overflow", "48 55 05 3165343030", `"1e400" is outside the float64 range`, 1},
		{"H negative length", "48 69 fe", "negative high-precision number length -2", 1},

		{"unterminated array", "5b 5a", "unexpected end of input, expected array element or ']'", 2},
		{"array closed by }", "5b 7d", "unexpected marker '}', expected a value", 1},
		{"counted array short", "5b 23 55 02 5a", "container count 2 exceeds what the remaining 1 bytes can hold", 0},
		{"counted array, element missing after N", "5b 23 55 02 5a 4e", "unexpected end of input, expected array element", 6},
		{"counted array with end marker", "5b 23 55 01 5d", "unexpected marker ']', expected a value", 4},
		{"negative count", "5b 23 69 ff", "negative container count -1", 2},
		{"count not an integer", "5b 23 53 55 01 31", "container count must be an integer, found marker 'S'", 2},
		{"huge count", "5b 23 4c 7fffffffffffffff 5a", "container count 9223372036854775807 exceeds what the remaining 1 bytes can hold", 0},
		{"huge typed count", "5b 24 6c 23 6c 40000000 00000000", "container count 1073741824 exceeds what the remaining 4 bytes can hold", 0},
		{"huge bytes count", "5b 24 55 23 6c 7fffffff 00", "uint8 array needs 2147483647 bytes, only 1 left", 9},
		{"type without count", "5b 24 55 5d", "container type 'U' without a count", 3},
		{"type at end", "5b 24", "unexpected end of input, expected container type", 2},
		{"type N", "5b 24 4e 23 55 01", "container type cannot be no-op 'N'", 2},
		{"type ]", "5b 24 5d 23 55 01", "invalid container type ']'", 2},
		{"type $", "5b 24 24 23 55 01", "invalid container type '$'", 2},
		{"typed short", "5b 24 49 23 55 02 0001 00", "container count 2 exceeds what the remaining 3 bytes can hold", 0},
		{"typed Z over limit", "5b 24 5a 23 6c 00100001", "typed 'Z' array of 1048577 elements exceeds the limit of 1048576 payload-less elements", 0},
		{"typed Z total over limit", "5b 23 55 02 5b 24 5a 23 6c 000c0000 5b 24 54 23 6c 000c0000",
			"typed 'T' array of 786432 elements exceeds the limit of 1048576 payload-less elements", 13},
		{"typed Z array with body", "5b 24 5a 23 55 01 5a", "1 trailing bytes after the value", 6},
		{"typed C non-ASCII", "5b 24 43 23 55 01 80", "char 0x80 is not ASCII", 6},

		{"unterminated object", "7b 55 01 61 5a", "unexpected end of input, expected object key or '}'", 5},
		{"object key with S marker", "7b 53 55 01 61 5a 7d", "object key length must be an integer, found marker 'S'", 1},
		{"object key negative length", "7b 69 fe 5a 7d", "negative object key length -2", 1},
		{"object key too long", "7b 55 09 61 7d", "object key needs 9 bytes, only 2 left", 3},
		{"object without value", "7b 55 01 61 7d", "unexpected marker '}', expected a value", 4},
		{"object value missing", "7b 55 01 61", "unexpected end of input, expected object value", 4},
		{"object closed by ]", "7b 5d", "object key length must be an integer, found marker ']'", 1},
		{"counted object short", "7b 23 55 02 55 01 61 5a", "container count 2 exceeds what the remaining 4 bytes can hold", 0},
		{"typed Z object short", "7b 24 5a 23 55 03 55 01 61", "container count 3 exceeds what the remaining 3 bytes can hold", 0},
		{"object type without count", "7b 24 5a 7d", "container type 'Z' without a count", 3},

		{"too deep arrays", strings.Repeat("5b", MaxDepth+1), "containers nested deeper than 512 levels", MaxDepth},
		{"too deep objects", strings.Repeat("7b 55 00", MaxDepth) + "7b", "containers nested deeper than 512 levels", 3 * MaxDepth},
		{"truncated typed nesting", strings.Repeat("5b 24 5b 23 55 01", 100), "container count 1 exceeds what the remaining 0 bytes can hold", 594},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := codec{}.Unmarshal(h(t, tc.in))
			if err == nil {
				t.Fatalf("Unmarshal(%s) = %#v, want error", tc.in, v)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T) is not a *SyntaxError", err, err)
			}
			if !strings.Contains(se.Msg, tc.msg) {
				t.Errorf("error %q does not contain %q", err, tc.msg)
			}
			if se.Offset != tc.off {
				t.Errorf("error %q at offset %d, want %d", err, se.Offset, tc.off)
			}
			if !strings.HasPrefix(err.Error(), "ubjson: unmarshal: ") {
				t.Errorf("error %q lacks the ubjson: unmarshal: prefix", err)
			}
		})
	}
}

// A typed array of arrays counts towards the nesting limit like any other.
func TestUnmarshalTypedNestingLimit(t *testing.T) {
	in := bytes.Repeat(h(t, "5b 24 5b 23 55 01"), MaxDepth+1)
	_, err := codec{}.Unmarshal(in)
	var se *SyntaxError
	if !errors.As(err, &se) || !strings.Contains(se.Msg, "nested deeper than 512") {
		t.Fatalf("got %v, want a nesting error", err)
	}
}

// Decoders share pooled scratch space; concurrent use must not mix results.
func TestUnmarshalConcurrent(t *testing.T) {
	inputs := []any{benchCall, benchEvent, []any{[]any{"a", []any{int64(1), nil}}, "b"}, []any{}}
	encoded := make([][]byte, len(inputs))
	for i, v := range inputs {
		b, err := codec{}.Marshal(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		encoded[i] = b
	}
	done := make(chan error, 4)
	for g := range 4 {
		go func() {
			for n := range 500 {
				i := (g + n) % len(inputs)
				v, err := codec{}.Unmarshal(encoded[i])
				if err != nil || !equalValues(v, inputs[i]) {
					done <- errors.New("concurrent Unmarshal returned a wrong value")
					return
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
