package bson

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/serializers/serializertest"
)

// suite describes the package for the checks every binary serializer runs.
var suite = serializertest.Binary{Object: New(), Plain: Serializer, Batched: Batched, RawSocketID: RawSocketID}

func TestRegistered(t *testing.T) {
	suite.CheckRegistered(t)
	if Serializer.Subprotocol() != "wamp.2.bson" || Batched.Subprotocol() != "wamp.2.bson.batched" {
		t.Errorf("subprotocols %q, %q", Serializer.Subprotocol(), Batched.Subprotocol())
	}
}

func TestSerialize(t *testing.T) { suite.CheckSerialize(t) }

func TestUnserialize(t *testing.T) { suite.CheckUnserialize(t) }

// TestNewStandalone checks that New serves a registry of one's own (as a
// plugin binary would) without touching registry.Default.
func TestNewStandalone(t *testing.T) {
	var reg registry.Registry
	reg.RegisterSerializer(core.NewSerializer(New(), false))
	s, err := reg.SerializerByRawSocketID(15)
	if err != nil || s.Name() != "bson" || s.Subprotocol() != "wamp.2.bson" {
		t.Fatalf("own registry: %v, %v", s, err)
	}
	data, err := s.Serialize(&core.Publish{Request: 1, Topic: "com.example.t", Args: []any{"x"}})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := Serializer.Unserialize(data)
	if err != nil || len(msgs) != 1 || msgs[0].(*core.Publish).Topic != "com.example.t" {
		t.Fatalf("Unserialize = %v, %v", msgs, err)
	}
}

// callBSON is the CALL of serializertest.Call as pymongo's bson.encode
// writes the document {"0": 48, "1": 7814135, "2": {}, "3":
// "com.myapp.add2", "4": [23, 7], "5": {"mode": "fast", "verbose": True}}
// (python_test.go checks it against pymongo when it is installed).
const callBSON = "68000000 10 3000 30000000 10 3100 f73b7700 03 3200 05000000 00" +
	" 02 3300 0f000000 636f6d2e6d796170702e6164643200" +
	" 04 3400 13000000 10 3000 17000000 10 3100 07000000 00" +
	" 03 3500 1e000000 02 6d6f646500 05000000 6661737400 08 766572626f736500 01 00 00"

func TestCallBytes(t *testing.T) {
	want := serializertest.MustHex(t, callBSON)
	got, err := New().Marshal(nil, serializertest.Call())
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("Marshal(CALL) = %x, %v\nwant %x", got, err, want)
	}
}

func TestValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    any
		hex  string // the element "0" of the message [v]
	}{
		{"nil", nil, "0a 3000"},
		{"true", true, "08 3000 01"},
		{"false", false, "08 3000 00"},
		{"int32", int64(-2), "10 3000 feffffff"},
		{"int32 max", int64(math.MaxInt32), "10 3000 ffffff7f"},
		{"int64", int64(math.MaxInt32 + 1), "12 3000 0000008000000000"},
		{"int64 min", int64(math.MinInt64), "12 3000 0000000000000080"},
		{"uint64 max", uint64(math.MaxUint64), "13 3000 ffffffffffffffff 0000000000004030"},
		{"uint64 2^63", uint64(1 << 63), "13 3000 0000000000000080 0000000000004030"},
		{"double", 1.5, "01 3000 000000000000f83f"},
		{"-0", math.Copysign(0, -1), "01 3000 0000000000000080"},
		{"NaN payload", math.Float64frombits(0x7ff8000000000123), "01 3000 230100000000f87f"},
		{"+Inf", math.Inf(1), "01 3000 000000000000f07f"},
		{"string", "é", "02 3000 03000000 c3a900"},
		{"string with NUL", "a\x00b", "02 3000 04000000 61006200"},
		{"invalid UTF-8", "\xff", "02 3000 02000000 ff00"},
		{"bytes", []byte{0, 0xff}, "05 3000 02000000 00 00ff"},
		{"empty bytes", []byte{}, "05 3000 00000000 00"},
		{"empty list", []any{}, "04 3000 05000000 00"},
		{"empty map", map[string]any{}, "03 3000 05000000 00"},
		{"map sorted", map[string]any{"b": int64(1), "a": nil, "": "x"}, "03 3000 17000000 02 00 02000000 7800 0a 6100 10 6200 01000000 00"},
		{"list", []any{[]any{true}}, "04 3000 11000000 04 3000 09000000 08 3000 01 00 00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			elem := serializertest.MustHex(t, tc.hex)
			want := append([]byte{byte(len(elem) + 5), 0, 0, 0}, elem...)
			want = append(want, 0)
			got, err := New().Marshal(nil, []any{tc.v})
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("Marshal = %x, %v\nwant %x", got, err, want)
			}
			back, err := New().Unmarshal(got)
			if err != nil || !serializertest.Same(back, []any{tc.v}) {
				t.Fatalf("Unmarshal = %s, %v", serializertest.Show(back), err)
			}
		})
	}
}

// TestTopLevel checks the two shapes of a top-level document: a list's
// elements under "0", "1", …, or any other value under "value".
func TestTopLevel(t *testing.T) {
	for _, tc := range []struct {
		v   any
		hex string
	}{
		{[]any{}, "05000000 00"},
		{map[string]any{"0": int64(1)}, "18000000 03 76616c756500 0c000000 10 3000 01000000 00 00"},
		{map[string]any{"value": true}, "19000000 03 76616c756500 0d000000 08 76616c756500 01 00 00"},
		{"s", "12000000 02 76616c756500 02000000 7300 00"},
		{nil, "0c000000 0a 76616c756500 00"},
		{[]int{7}, "0c000000 10 3000 07000000 00"},
		{[]string{"a"}, "0e000000 02 3000 02000000 6100 00"},
	} {
		want := serializertest.MustHex(t, tc.hex)
		got, err := New().Marshal(nil, tc.v)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("Marshal(%#v) = %x, %v; want %x", tc.v, got, err, want)
			continue
		}
		back, err := New().Unmarshal(got)
		if err != nil {
			t.Errorf("Unmarshal(%x): %v", got, err)
		}
		if l, ok := tc.v.([]int); ok {
			tc.v = []any{int64(l[0])}
		}
		if l, ok := tc.v.([]string); ok {
			tc.v = []any{l[0]}
		}
		if !serializertest.Same(back, tc.v) {
			t.Errorf("Unmarshal(%x) = %s, want %s", got, serializertest.Show(back), serializertest.Show(tc.v))
		}
	}
}

// TestDecimal128 covers the decimal128 forms a peer may send for an
// integer: any exponent, a sign, trailing zeros in the coefficient.
func TestDecimal128(t *testing.T) {
	for _, tc := range []struct {
		lo, hi uint64
		want   any
		err    string
	}{
		{5, decimalExponentZero, int64(5), ""},
		{5, decimalExponentZero | 1<<63, int64(-5), ""},
		{0, decimalExponentZero | 1<<63, int64(0), ""},
		{1, decimalExponentZero + 19<<49, uint64(1e19), ""},
		{150, decimalExponentZero - 1<<49, int64(15), ""},
		{1 << 63, decimalExponentZero | 1<<63, int64(math.MinInt64), ""},
		{1<<63 + 1, decimalExponentZero | 1<<63, nil, "beyond the range of int64 and uint64"},
		{15, decimalExponentZero - 1<<49, nil, "15E-1 is not an integer"},
		{0, decimalExponentZero + 1, nil, "18446744073709551616 is beyond"},
		{1, decimalExponentZero + 21<<49, nil, "1E21 is beyond the range of uint64"},
		{0, 0x7c00000000000000, nil, "NaN is not an integer"},
		{0, 0x7800000000000000, nil, "infinity is not an integer"},
		{0, 0x6000000000000000, nil, "non-canonical"},
		{0, decimalExponentZero | 0x1ffffffffffff, nil, "non-canonical"},
	} {
		got, err := decimalInteger(tc.lo, tc.hi)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("decimalInteger(%x, %x) = %v, %v; want an error containing %q", tc.lo, tc.hi, got, err, tc.err)
			}
			continue
		}
		if err != nil || !serializertest.Same(got, tc.want) {
			t.Errorf("decimalInteger(%x, %x) = %s, %v; want %s", tc.lo, tc.hi, serializertest.Show(got), err, serializertest.Show(tc.want))
		}
	}
}

func TestGoTypes(t *testing.T) {
	for _, tc := range serializertest.GoTypes() {
		data, err := New().Marshal(nil, tc.Value)
		if err != nil {
			t.Errorf("%s: Marshal: %v", tc.Name, err)
			continue
		}
		v, err := New().Unmarshal(data)
		if err != nil {
			t.Errorf("%s: Unmarshal(%x): %v", tc.Name, data, err)
			continue
		}
		again, err := New().Marshal(nil, v)
		if err != nil || !bytes.Equal(again, data) {
			t.Errorf("%s: %x decodes to %s, which encodes as %x, %v", tc.Name, data, serializertest.Show(v), again, err)
		}
	}
}

func TestMarshalErrors(t *testing.T) {
	cyclic := []any{nil}
	cyclic[0] = cyclic
	type point struct{ X int }
	for _, tc := range []struct {
		name string
		v    any
		want string
		is   error
	}{
		{"NUL in key", []any{int64(1), map[string]any{"a\x00b": nil}}, `list element 1: map key "a\x00b" contains a NUL byte`, ErrNotRepresentable},
		{"NUL in top-level key", map[string]any{"\x00": nil}, `map key "\x00" contains a NUL byte`, ErrNotRepresentable},
		{"NUL in string map key", []any{map[string]string{"\x00": ""}}, "contains a NUL byte", ErrNotRepresentable},
		{"struct", []any{point{1}}, "list element 0: unsupported type bson.point", ErrUnsupportedType},
		{"int keys", map[int]any{1: nil}, "map[int]interface {}: WAMP maps have string keys", ErrUnsupportedType},
		{"channel in map", []any{map[string]any{"k": make(chan int)}}, `map value "k": unsupported type chan int`, ErrUnsupportedType},
		{"too deep", serializertest.Nested(MaxDepth + 1), "nesting deeper than 512", ErrNotRepresentable},
		{"cyclic", cyclic, "nesting deeper than 512", ErrNotRepresentable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst := []byte{1, 2}
			got, err := New().Marshal(dst, tc.v)
			if err == nil || !errors.Is(err, tc.is) || !strings.HasPrefix(err.Error(), "bson: marshal: ") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Marshal error = %v, want one containing %q", err, tc.want)
			}
			if !bytes.Equal(got, dst) {
				t.Errorf("Marshal returned %x on error, want dst %x", got, dst)
			}
		})
	}
	if _, err := New().Marshal(nil, serializertest.Nested(MaxDepth-1)); err != nil {
		t.Errorf("Marshal at the depth limit: %v", err)
	}
}

func TestUnmarshalErrors(t *testing.T) {
	deep := func(n int) []byte { // n nested arrays around an int32
		b := serializertest.MustHex(t, "0c000000 10 3000 01000000 00")
		for range n {
			inner := b
			b = append([]byte{byte(len(inner) + 8), byte((len(inner) + 8) >> 8), 0, 0, 0x04, '0', 0}, inner...)
			b = append(b, 0)
		}
		return b
	}
	for _, tc := range []struct {
		name, hex string
		in        []byte
		want      string
	}{
		{name: "empty", want: "offset 0: no data"},
		{name: "short", hex: "0500", want: "document needs at least 5 bytes, 2 remain"},
		{name: "length past end", hex: "06000000 00", want: "document length 6, but 5 bytes remain"},
		{name: "negative length", hex: "ffffffff 00", want: "document length -1"},
		{name: "no terminator", hex: "05000000 01", want: "offset 4: document does not end with a NUL byte"},
		{name: "trailing", hex: "05000000 00 00", want: "offset 5: 1 bytes follow the document"},
		{name: "map at top", hex: "0c000000 10 6100 01000000 00", want: `top-level element 0 has the key "a"`},
		{name: "gap at top", hex: "13000000 10 3000 01000000 10 3200 01000000 00", want: `top-level element 1 has the key "2"`},
		{name: "value and more", hex: "13000000 0a 76616c756500 10 3000 01000000 00", want: `the key "value" must hold only that element`},
		{name: "key unterminated", hex: "07000000 0a 61 00", want: "element key has no terminating NUL"},
		{name: "array key", hex: "10000000 04 3000 08000000 0a 3100 00 00", want: `array element 0 has the key "1", want "0"`},
		{name: "bool 2", hex: "09000000 08 3000 02 00", want: "offset 7: boolean byte 0x02"},
		{name: "int32 short", hex: "0a000000 10 3000 0100 00", want: "int32 needs 4 bytes, 2 remain"},
		{name: "string length 0", hex: "0c000000 02 3000 00000000 00", want: "string length 0"},
		{name: "string too long", hex: "0e000000 02 3000 05000000 6100 00", want: "string length 5, but 2 bytes remain"},
		{name: "string no NUL", hex: "0e000000 02 3000 02000000 6161 00", want: "string does not end with a NUL byte"},
		{name: "binary too long", hex: "0d000000 05 3000 09000000 00 00", want: "binary length 9"},
		{name: "binary negative", hex: "0d000000 05 3000 ffffffff 00 00", want: "binary length -1"},
		{name: "old binary", hex: "12000000 05 3000 05000000 02 05000000 ff 00", want: "subtype 0x02 of 5 bytes without an inner length of 1"},
		{name: "nested past parent", hex: "0e000000 03 3000 09000000 00 00 00", want: "offset 7: document length 9, but 6 bytes remain"},
		{name: "ObjectId", hex: "14000000 07 3000 000102030405060708090a0b 00", want: "element type 0x07 (ObjectId) has no WAMP value"},
		{name: "datetime", hex: "10000000 09 3000 0000000000000000 00", want: "UTC datetime"},
		{name: "timestamp", hex: "10000000 11 3000 0000000000000000 00", want: "0x11 (timestamp)"},
		{name: "min key", hex: "08000000 ff 3000 00", want: "0xff (min key)"},
		{name: "undefined", hex: "08000000 06 3000 00", want: "undefined, deprecated"},
		{name: "unknown", hex: "08000000 20 3000 00", want: "0x20 (unknown)"},
		{name: "decimal fraction", hex: "18000000 13 3000 0f00000000000000 0000000000003e30 00", want: "offset 7: decimal128 15E-1 is not an integer"},
		{name: "too deep", in: deep(MaxDepth), want: "documents nested deeper than 512"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			if tc.hex != "" {
				in = serializertest.MustHex(t, tc.hex)
			}
			v, err := New().Unmarshal(in)
			var se *SyntaxError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "bson: unmarshal: offset ") {
				t.Fatalf("Unmarshal(%x) = %s, %v; want an error containing %q", in, serializertest.Show(v), err, tc.want)
			}
		})
	}
	if _, err := New().Unmarshal(deep(MaxDepth - 1)); err != nil {
		t.Errorf("Unmarshal at the depth limit: %v", err)
	}
}

// TestRandomRoundTrip encodes random values of the representation (map keys
// without NUL bytes, which BSON cannot carry) and decodes them back.
func TestRandomRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		v := noNULKeys(serializertest.RandomValue(r, 0))
		for _, top := range []any{v, []any{v}} {
			data, err := New().Marshal(nil, top)
			if err != nil {
				t.Fatalf("Marshal(%s): %v", serializertest.Show(top), err)
			}
			back, err := New().Unmarshal(data)
			if err != nil || !serializertest.Same(back, top) {
				t.Fatalf("Unmarshal(Marshal(%s)) = %s, %v", serializertest.Show(top), serializertest.Show(back), err)
			}
		}
	}
}

// noNULKeys replaces the NUL bytes of map keys with 0x01.
func noNULKeys(v any) any {
	switch x := v.(type) {
	case []any:
		for i, e := range x {
			x[i] = noNULKeys(e)
		}
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[strings.ReplaceAll(k, "\x00", "\x01")] = noNULKeys(e)
		}
		return m
	}
	return v
}
