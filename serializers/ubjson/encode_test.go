package ubjson

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
)

// h decodes a hex string with optional spaces, for readable expectations.
func h(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// The expected bytes below were produced by py-ubjson 0.16.1 (Debian
// python3-ubjson, C extension) with ubjson.dumpb(value).
var encodeCases = []struct {
	name string
	v    any
	want string
}{
	{"null", nil, "5a"},
	{"true", true, "54"},
	{"false", false, "46"},

	{"0 as U", int64(0), "55 00"},
	{"1", int64(1), "55 01"},
	{"127 as U not i", int64(127), "55 7f"},
	{"128", int64(128), "55 80"},
	{"255 max U", int64(255), "55 ff"},
	{"256 as I", int64(256), "49 0100"},
	{"-1 as i", int64(-1), "69 ff"},
	{"-128 min i", int64(-128), "69 80"},
	{"-129 as I", int64(-129), "49 ff7f"},
	{"32767 max I", int64(32767), "49 7fff"},
	{"32768 as l", int64(32768), "6c 00008000"},
	{"-32768 min I", int64(-32768), "49 8000"},
	{"-32769 as l", int64(-32769), "6c ffff7fff"},
	{"MaxInt32", int64(math.MaxInt32), "6c 7fffffff"},
	{"MaxInt32+1 as L", int64(math.MaxInt32 + 1), "4c 0000000080000000"},
	{"MinInt32", int64(math.MinInt32), "6c 80000000"},
	{"MinInt32-1 as L", int64(math.MinInt32 - 1), "4c ffffffff7fffffff"},
	{"MaxInt64", int64(math.MaxInt64), "4c 7fffffffffffffff"},
	{"MinInt64", int64(math.MinInt64), "4c 8000000000000000"},
	{"uint64 MaxInt64+1 as H", uint64(math.MaxInt64 + 1), "48 55 13 39323233333732303336383534373735383038"},
	{"uint64 max as H", uint64(math.MaxUint64), "48 55 14 3138343436373434303733373039353531363135"},
	{"uint64 small", uint64(7), "55 07"},
	{"int", 300, "49 012c"},
	{"int8", int8(-5), "69 fb"},
	{"int16", int16(1000), "49 03e8"},
	{"int32", int32(-70000), "6c fffeee90"},
	{"uint", uint(255), "55 ff"},
	{"uint8", uint8(200), "55 c8"},
	{"uint16", uint16(65535), "6c 0000ffff"},
	{"uint32", uint32(math.MaxUint32), "4c 00000000ffffffff"},

	{"0.0 as float32", 0.0, "64 00000000"},
	{"-0.0 as float32", math.Copysign(0, -1), "64 80000000"},
	{"1.5", 1.5, "44 3ff8000000000000"},
	{"-1.5", -1.5, "44 bff8000000000000"},
	{"0.1", 0.1, "44 3fb999999999999a"},
	{"smallest normal", 0x1p-1022, "44 0010000000000000"},
	{"2.229e-308", 2.229e-308, "44 0010073a36339bb2"},
	{"MaxFloat64", math.MaxFloat64, "44 7fefffffffffffff"},
	{"+Inf as null", math.Inf(1), "5a"},
	{"-Inf as null", math.Inf(-1), "5a"},
	{"NaN as null", math.NaN(), "5a"},
	{"float32 as float64", float32(1.5), "44 3ff8000000000000"},

	{"empty string", "", "53 55 00"},
	{"one ASCII byte as C", "a", "43 61"},
	{"DEL as C", "\x7f", "43 7f"},
	{"NUL as C", "\x00", "43 00"},
	{"one non-ASCII char as S", "é", "53 55 02 c3a9"},
	{"one invalid byte as S", "\xff", "53 55 01 ff"},
	{"two bytes", "ab", "53 55 02 6162"},

	{"empty bytes", []byte{}, "5b 24 55 23 55 00"},
	{"nil bytes", []byte(nil), "5b 24 55 23 55 00"},
	{"bytes", []byte{1, 2}, "5b 24 55 23 55 02 0102"},

	{"empty array", []any{}, "5b 5d"},
	{"nil array", []any(nil), "5b 5d"},
	{"nested array", []any{int64(1), []any{int64(2)}}, "5b 5501 5b 5502 5d 5d"},
	{"[]string", []string{"x", "yz"}, "5b 43 78 53 55 02 797a 5d"},
	{"empty object", map[string]any{}, "7b 7d"},
	{"nil object", map[string]any(nil), "7b 7d"},
	{"empty key", map[string]any{"": nil}, "7b 5500 5a 7d"},
	{"keys sorted", map[string]any{"b": int64(1), "a": int64(2)}, "7b 5501 61 5502 5501 62 5501 7d"},
	{"map[string]string", map[string]string{"k": "v"}, "7b 5501 6b 43 76 7d"},
	{"mixed", []any{"x", map[string]any{"a": []any{[]byte{0}}, "b": -1.5}},
		"5b 43 78 7b 5501 61 5b 5b 24 55 23 55 01 00 5d 5501 62 44 bff8000000000000 7d 5d"},
}

func TestMarshalBytes(t *testing.T) {
	for _, tc := range encodeCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := codec{}.Marshal(nil, tc.v)
			if err != nil {
				t.Fatalf("Marshal(%#v): %v", tc.v, err)
			}
			if want := h(t, tc.want); !bytes.Equal(got, want) {
				t.Fatalf("Marshal(%#v)\n got  % x\n want % x", tc.v, got, want)
			}
		})
	}
}

// Lengths use the smallest integer marker, as values do (checked against
// py-ubjson: "a"*256 → S I 0100, "a"*40000 → S l 00009c40, bytes of 300 →
// [$U# I 012c).
func TestMarshalLengthMarkers(t *testing.T) {
	tests := []struct {
		v      any
		prefix string
	}{
		{strings.Repeat("a", 255), "53 55 ff"},
		{strings.Repeat("a", 256), "53 49 0100"},
		{strings.Repeat("a", 40000), "53 6c 00009c40"},
		{bytes.Repeat([]byte("a"), 300), "5b 24 55 23 49 012c"},
		{map[string]any{strings.Repeat("k", 256): nil}, "7b 49 0100 6b"},
	}
	for _, tc := range tests {
		got, err := codec{}.Marshal(nil, tc.v)
		if err != nil {
			t.Fatal(err)
		}
		if want := h(t, tc.prefix); !bytes.HasPrefix(got, want) {
			t.Errorf("Marshal(len %d) starts % x, want % x", len(got), got[:min(len(got), 8)], want)
		}
	}
}

// Subnormal floats become H with every digit of the exact value, as Python's
// str(Decimal(f)).
func TestMarshalSubnormal(t *testing.T) {
	got, err := codec{}.Marshal(nil, 5e-324)
	if err != nil {
		t.Fatal(err)
	}
	// H I 02f5 (757 digits)
	if !bytes.HasPrefix(got, h(t, "48 49 02f5")) || len(got) != 4+757 {
		t.Fatalf("5e-324 encoded as % x… (%d bytes)", got[:4], len(got))
	}
	s := string(got[4:])
	if !strings.HasPrefix(s, "4.940656458412465441765687928682213723650598026143") || !strings.HasSuffix(s, "265533447265625E-324") {
		t.Fatalf("5e-324 digits %s…%s", s[:20], s[len(s)-20:])
	}
	for _, f := range []float64{5e-324, -5e-324, 1e-310, -2.225073858507201e-308, 0x1p-1030, math.Nextafter(0x1p-1022, 0)} {
		s := exactDecimal(f)
		back, err := strconv.ParseFloat(s, 64)
		if err != nil || back != f {
			t.Errorf("exactDecimal(%g) = %.30s… parses back to %g, %v", f, s, back, err)
		}
		if (f < 0) != strings.HasPrefix(s, "-") || !strings.Contains(s, "E-3") {
			t.Errorf("exactDecimal(%g) = %q: wrong sign or exponent form", f, s)
		}
	}
	if s := exactDecimal(-2.225073858507201e-308); len(s) != 774 || !strings.HasPrefix(s, "-2.225073858507200889024586876") {
		t.Errorf("exactDecimal(-2.225073858507201e-308) = %.30s… (%d chars), want 774 chars", s, len(s))
	}
}

func TestMarshalAppends(t *testing.T) {
	dst := []byte("prefix")
	got, err := codec{}.Marshal(dst, []any{int64(1)})
	if err != nil {
		t.Fatal(err)
	}
	if want := append([]byte("prefix"), h(t, "5b 5501 5d")...); !bytes.Equal(got, want) {
		t.Fatalf("got % x, want % x", got, want)
	}
}

func TestMarshalErrors(t *testing.T) {
	cyclic := []any{nil}
	cyclic[0] = cyclic
	deep := any(int64(1))
	for range MaxDepth + 1 {
		deep = []any{deep}
	}
	okDeep := any(int64(1))
	for range MaxDepth {
		okDeep = []any{okDeep}
	}
	if _, err := (codec{}).Marshal(nil, okDeep); err != nil {
		t.Fatalf("Marshal at the depth limit: %v", err)
	}
	tests := []struct {
		name string
		v    any
		is   error
		msg  string
	}{
		{"chan", make(chan int), ErrUnsupportedType, "ubjson: marshal: unsupported type chan int"},
		{"struct in list", []any{int64(1), struct{}{}}, ErrUnsupportedType, "ubjson: marshal value at [1]: unsupported type struct {}"},
		{"nested path", []any{map[string]any{"mode": []any{nil, complex(1, 2)}}}, ErrUnsupportedType,
			`ubjson: marshal value at [0]["mode"][1]: unsupported type complex128`},
		{"int-keyed map", map[int]any{1: nil}, ErrUnsupportedType, "ubjson: marshal: unsupported type map[int]interface {}"},
		{"too deep", deep, ErrTooDeep, "containers nested too deeply"},
		{"cyclic", cyclic, ErrTooDeep, "containers nested too deeply"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dst := []byte{1, 2}
			got, err := codec{}.Marshal(dst, tc.v)
			if err == nil {
				t.Fatalf("Marshal succeeded: % x", got)
			}
			if !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not contain %q", err, tc.msg)
			}
			if !bytes.Equal(got, []byte{1, 2}) {
				t.Errorf("dst changed to % x", got)
			}
		})
	}
}

func TestIdentity(t *testing.T) {
	o := Object
	if o.Name() != "ubjson" || o.RawSocketID() != 4 || !o.Binary() {
		t.Fatalf("Object = %q, %d, %v", o.Name(), o.RawSocketID(), o.Binary())
	}
}
