package cbor

import (
	"bytes"
	"encoding/hex"
	"math"
	"strings"
	"testing"

	"github.com/autobahn-go/autobahn/serializers/internal/serialtest"
)

// serializers describes the package for the checks that all binary
// serializers share.
var serializers = serialtest.Binary{Object: Object, Plain: Serializer, Batched: Batched, RawSocketID: 3}

func TestRegistered(t *testing.T) {
	serializers.CheckRegistered(t)
	if Object.Name() != "cbor" {
		t.Errorf("Name = %q", Object.Name())
	}
}

// TestMarshalGoTypes covers the Go types accepted beyond the value
// representation, and NaNs, which cbor2 writes as one half float.
func TestMarshalGoTypes(t *testing.T) {
	cases := append(serialtest.GoTypes(),
		serialtest.NamedValue{Name: "float32 NaN", Value: float32(math.NaN())},
		serialtest.NamedValue{Name: "NaN with payload", Value: math.Float64frombits(0xfff0000000000123)})
	serialtest.CheckMarshal(t, Object, cases, map[string]string{
		"int":                      "3820",
		"int8":                     "387f",
		"int16":                    "19012c",
		"int32":                    "3a0001116f",
		"uint":                     "18c8",
		"uint8":                    "07",
		"uint16":                   "19ffff",
		"uint32":                   "1a80000000",
		"uint64 small":             "05",
		"float32 as float64":       "fb3ff8000000000000",
		"float32 NaN":              "f97e00",
		"NaN with payload":         "f97e00",
		"[]string":                 "826161626263",
		"map[string]string sorted": "a26161613261626131",
		"named string":             "6178",
		"named int":                "20",
		"named uint":               "18c8",
		"named float":              "fb3fe0000000000000",
		"named bool":               "f5",
		"named bytes":              "420102",
		"byte array":               "420102",
		"[]int":                    "820120",
		"[]map":                    "81a2616102616201",
		"map[string][]any":         "a1616b81f6",
		"pointer":                  "01",
		"nil pointer":              "f6",
		"nil []any":                "80",
		"nil map":                  "a0",
		"nil []byte":               "40",
		"[]any in array":           "8181f5",
	})
}

func TestMarshalAppends(t *testing.T) {
	got, err := Object.Marshal([]byte{0xaa}, []any{int64(1)})
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{0xaa, 0x81, 0x01}; !bytes.Equal(got, want) {
		t.Errorf("Marshal = %x, want %x", got, want)
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
	}{
		{"channel", make(chan int), "cannot encode a value of type chan int"},
		{"struct in array", []any{int64(1), point{1}}, "array element 1: cannot encode a value of type cbor.point"},
		{"int keys", map[int]any{1: nil}, "cannot encode map[int]interface {}: WAMP maps have string keys"},
		{"in map", map[string]any{"k": func() {}}, `map value "k": cannot encode`},
		{"too deep", serialtest.Nested(MaxDepth + 1), "nesting deeper than 512"},
		{"cyclic", cyclic, "nesting deeper than 512"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst := []byte{1, 2}
			got, err := Object.Marshal(dst, tc.v)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "cbor: marshal: ") {
				t.Fatalf("Marshal error = %v, want one containing %q", err, tc.want)
			}
			if !bytes.Equal(got, dst) {
				t.Errorf("Marshal returned %x on error, want dst %x", got, dst)
			}
		})
	}
	if _, err := Object.Marshal(nil, serialtest.Nested(MaxDepth)); err != nil {
		t.Errorf("Marshal at the depth limit: %v", err)
	}
}

// TestUnmarshalAccepted decodes well-formed items that Marshal never writes:
// wider heads than needed, half and single floats, indefinite lengths, tags,
// undefined.
func TestUnmarshalAccepted(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want any
	}{
		{"uint8 head", "1805", int64(5)},
		{"uint16 head", "190005", int64(5)},
		{"uint32 head", "1a00000005", int64(5)},
		{"uint64 head", "1b0000000000000005", int64(5)},
		{"max int64", "1b7fffffffffffffff", int64(math.MaxInt64)},
		{"above int64", "1b8000000000000000", uint64(1 << 63)},
		{"negative wide", "3b0000000000000000", int64(-1)},
		{"min int64", "3b7fffffffffffffff", int64(math.MinInt64)},
		{"half 1.5", "f93e00", 1.5},
		{"half -0", "f98000", math.Copysign(0, -1)},
		{"half subnormal", "f90001", 5.960464477539063e-08},
		{"half max", "f97bff", 65504.0},
		{"half +Inf", "f97c00", math.Inf(1)},
		{"half -Inf", "f9fc00", math.Inf(-1)},
		{"half NaN", "f97e00", math.NaN()},
		{"single 1.5", "fa3fc00000", 1.5},
		{"single 100000", "fa47c35000", 100000.0},
		{"single Inf", "fa7f800000", math.Inf(1)},
		{"double", "fb3ff8000000000000", 1.5},
		{"undefined", "f7", nil},
		{"null", "f6", nil},
		{"invalid UTF-8 passes", "61ff", "\xff"},
		{"text uint8 length", "780161", "a"},
		{"bytes uint64 length", "5b0000000000000001ff", []byte{0xff}},
		{"indefinite bytes", "5f42010243030405ff", []byte{1, 2, 3, 4, 5}},
		{"indefinite bytes empty", "5fff", []byte{}},
		{"indefinite text", "7f657374726561646d696e67ff", "streaming"},
		{"indefinite text empty chunks", "7f6060ff", ""},
		{"indefinite array", "9f018202039f0405ffff", []any{int64(1), []any{int64(2), int64(3)}, []any{int64(4), int64(5)}}},
		{"indefinite array empty", "9fff", []any{}},
		{"indefinite map", "bf61610161629f0203ffff", map[string]any{"a": int64(1), "b": []any{int64(2), int64(3)}}},
		{"indefinite map empty", "bfff", map[string]any{}},
		{"indefinite key", "a17f6161ff01", map[string]any{"a": int64(1)}},
		{"duplicate key, last wins", "a2616101616102", map[string]any{"a": int64(2)}},
		{"tag 64 uint8 typed array", "d84043010203", []byte{1, 2, 3}},
		{"tag 64 in a list", "82183081d8404101", []any{int64(48), []any{[]byte{1}}}},
		{"self-described CBOR", "d9d9f78101", []any{int64(1)}},
		{"date/time string unwrapped", "c074323031332d30332d32315432303a30343a30305a", "2013-03-21T20:04:00Z"},
		{"epoch unwrapped", "c11a514b67b0", int64(1363896240)},
		{"nested tags", "d818d8184101", []byte{1}},
		{"bignum small", "c2420100", int64(256)},
		{"bignum leading zeros", "c24a0000ffffffffffffffff", uint64(math.MaxUint64)},
		{"bignum empty", "c240", int64(0)},
		{"negative bignum", "c3487fffffffffffffff", int64(math.MinInt64)},
		{"bignum indefinite", "c25f4101ff", int64(1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Object.Unmarshal(serialtest.MustHex(t, tc.in))
			if err != nil {
				t.Fatalf("Unmarshal(%s): %v", tc.in, err)
			}
			if !serialtest.Same(got, tc.want) {
				t.Errorf("Unmarshal(%s) = %s, want %s", tc.in, serialtest.Show(got), serialtest.Show(tc.want))
			}
		})
	}
}

func TestUnmarshalErrors(t *testing.T) {
	deep := bytes.Repeat([]byte{0x81}, MaxDepth+1)
	deep = append(deep, 0x01)
	deepTags := bytes.Repeat([]byte{0xc1}, MaxDepth+1)
	deepTags = append(deepTags, 0x01)
	for _, tc := range []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", "no data"},
		{"trailing", "0102", "offset 1: 1 bytes follow the data item"},
		{"negative below int64", "3b8000000000000000", "offset 0: negative integer -1-9223372036854775808 is below the smallest int64"},
		{"reserved ai 28", "1c", "reserved additional information 28 in unsigned integer head"},
		{"reserved ai 30 in float", "fe", "reserved additional information 30"},
		{"indefinite uint", "1f", "indefinite length is not allowed for a unsigned integer"},
		{"indefinite negative", "3f", "indefinite length is not allowed for a negative integer"},
		{"indefinite tag", "df", "indefinite length is not allowed for a tag"},
		{"truncated head", "1a0001", "offset 0: unsigned integer head is truncated"},
		{"truncated float64", "fb3ff8", "head is truncated"},
		{"truncated text", "63616263"[:6], "offset 0: text string of 3 bytes, but only 2 bytes follow"},
		{"huge bytes", "5bffffffffffffffff00", "byte string of 18446744073709551615 bytes, but only 1 bytes follow"},
		{"huge array", "9bffffffffffffffff00", "array of 18446744073709551615 elements, but only 1 bytes follow"},
		{"huge map", "bbffffffffffffffff0000", "map of 18446744073709551615 pairs, but only 2 bytes follow"},
		{"short array", "8201", "array of 2 elements, but only 1 bytes follow"},
		{"truncated array", "828101", "array element 1: offset 3: data item expected, data ends"},
		{"unterminated indefinite array", "9f01", "offset 0: indefinite-length array has no break byte"},
		{"unterminated indefinite map", "bf616101", "indefinite-length map has no break byte"},
		{"unterminated indefinite bytes", "5f4101", "indefinite-length byte string at offset 0: offset 3: data item expected"},
		{"text chunk in bytes", "5f6161ff", "offset 1: chunk of an indefinite-length byte string is not a definite-length byte string"},
		{"nested indefinite chunk", "7f7f6161ffff", "chunk of an indefinite-length text string is not a definite-length text string"},
		{"break outside", "ff", "offset 0: break byte outside an indefinite-length item"},
		{"break in definite array", "81ff", "array element 0: offset 1: break byte outside"},
		{"break as map value", "bf6161ff", `map value "a": offset 3: break byte outside`},
		{"simple value 16", "f0", "simple value 16 is not supported"},
		{"simple value 255", "f8ff", "simple value 255 is not supported"},
		{"two-byte simple below 32", "f814", "simple value 20 in two bytes is not well-formed"},
		{"int key", "a10102", "offset 1: map key is a unsigned integer, but WAMP maps have string keys"},
		{"bytes key", "a1416102", "map key is a byte string"},
		{"array key", "a18002", "map key is a array"},
		{"null key", "a1f602", "map key is a simple value, float or break"},
		{"truncated key", "a16261", "offset 1: text string of 2 bytes, but only 1 bytes follow"},
		{"bad value in map", "a1616bf0", `map value "k": offset 3: simple value 16 is not supported`},
		{"bignum too big", "c249010000000000000000", "bignum (tag 2) of 9 bytes does not fit in 64 bits"},
		{"negative bignum too small", "c3488000000000000000", "negative bignum -1-9223372036854775808 is below the smallest int64"},
		{"bignum of text", "c26161", "bignum (tag 2) content is string, not a byte string"},
		{"bad tag content", "d840f0", "tag 64: offset 2: simple value 16"},
		{"too deep", hex.EncodeToString(deep), "array nested deeper than 512"},
		{"too deep tags", hex.EncodeToString(deepTags), "tag nested deeper than 512"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := serialtest.MustHex(t, tc.in)
			v, err := Object.Unmarshal(in)
			if err == nil {
				t.Fatalf("Unmarshal(%x) = %s, want an error", in, serialtest.Show(v))
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "cbor: unmarshal: ") {
				t.Errorf("Unmarshal(%x) error = %q, want one containing %q", in, err, tc.want)
			}
		})
	}
	if _, err := Object.Unmarshal(deep[1:]); err != nil {
		t.Errorf("Unmarshal at the depth limit: %v", err)
	}
}

// TestMapKeysSorted checks that maps encode in sorted key order whatever the
// insertion order, so that equal maps give equal bytes.
func TestMapKeysSorted(t *testing.T) {
	m := map[string]any{}
	for i := range 40 {
		m[strings.Repeat("k", 40-i)] = int64(i) // longest key first
	}
	want := []byte{0xb8, 40}
	for n := 1; n <= 40; n++ {
		if n < 24 {
			want = append(want, 0x60|byte(n))
		} else {
			want = append(want, 0x78, byte(n))
		}
		want = append(want, strings.Repeat("k", n)...)
		if v := 40 - n; v < 24 {
			want = append(want, byte(v))
		} else {
			want = append(want, 0x18, byte(v))
		}
	}
	for range 20 {
		got, err := Object.Marshal(nil, m)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("Marshal = %x, want %x", got, want)
		}
	}
}

// TestSerialize checks the message serializers: the plain one writes the
// object encoding, the batched one prefixes it with its 32-bit length.
func TestSerialize(t *testing.T) { serializers.CheckSerialize(t) }

// TestUnserialize reads messages through the WAMP message model: a CALL
// parses, and its list form re-encodes to the same bytes; a batch yields its
// messages in order; bad bytes give a SerializationError naming the
// serializer.
func TestUnserialize(t *testing.T) { serializers.CheckUnserialize(t) }
