package msgpack

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/autobahn-go/autobahn/serializers/internal/serialtest"
)

// serializers describes the package for the checks that all binary serializers
// share.
var serializers = serialtest.Binary{Object: Object, Plain: Serializer, Batched: Batched, RawSocketID: 2}

func TestRegistered(t *testing.T) {
	serializers.CheckRegistered(t)
	if Object.Name() != "msgpack" {
		t.Errorf("Name = %q", Object.Name())
	}
}

// TestMarshalGoTypes covers the Go types accepted beyond the value
// representation.
func TestMarshalGoTypes(t *testing.T) {
	serialtest.CheckMarshal(t, Object, serialtest.GoTypes(), map[string]string{
		"int":                      "d0df",
		"int8":                     "d080",
		"int16":                    "cd012c",
		"int32":                    "d2fffeee90",
		"uint":                     "ccc8",
		"uint8":                    "07",
		"uint16":                   "cdffff",
		"uint32":                   "ce80000000",
		"uint64 small":             "05",
		"float32 as float64":       "cb3ff8000000000000",
		"[]string":                 "92a161a26263",
		"map[string]string sorted": "82a161a132a162a131",
		"named string":             "a178",
		"named int":                "ff",
		"named uint":               "ccc8",
		"named float":              "cb3fe0000000000000",
		"named bool":               "c3",
		"named bytes":              "c4020102",
		"byte array":               "c4020102",
		"[]int":                    "9201ff",
		"[]map":                    "9182a16102a16201",
		"map[string][]any":         "81a16b91c0",
		"pointer":                  "01",
		"nil pointer":              "c0",
		"nil []any":                "90",
		"nil map":                  "80",
		"nil []byte":               "c400",
		"[]any in array":           "9191c3",
	})
}

func TestMarshalAppends(t *testing.T) {
	got, err := Object.Marshal([]byte{0xaa}, []any{int64(1)})
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{0xaa, 0x91, 0x01}; !bytes.Equal(got, want) {
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
		{"struct in list", []any{int64(1), point{1}}, "list element 1: cannot encode a value of type msgpack.point"},
		{"int keys", map[int]any{1: nil}, "cannot encode map[int]interface {}: WAMP maps have string keys"},
		{"in map", map[string]any{"k": func() {}}, `map value "k": cannot encode`},
		{"too deep", serialtest.Nested(MaxDepth + 1), "nesting deeper than 512"},
		{"cyclic", cyclic, "nesting deeper than 512"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst := []byte{1, 2}
			got, err := Object.Marshal(dst, tc.v)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "msgpack: marshal: ") {
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

// TestUnmarshalAllWidths decodes encodings that Marshal never writes (wider
// than needed, float32) and checks the value representation.
func TestUnmarshalAllWidths(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want any
	}{
		{"cc05", int64(5)},
		{"cd0005", int64(5)},
		{"ce00000005", int64(5)},
		{"cf0000000000000005", int64(5)},
		{"cf7fffffffffffffff", int64(math.MaxInt64)},
		{"cf8000000000000000", uint64(1 << 63)},
		{"d005", int64(5)},
		{"d0ff", int64(-1)},
		{"d1ffff", int64(-1)},
		{"d2ffffffff", int64(-1)},
		{"d3ffffffffffffffff", int64(-1)},
		{"d38000000000000000", int64(math.MinInt64)},
		{"d30000000000000005", int64(5)},
		{"ca3fc00000", 1.5},
		{"ca7f800000", math.Inf(1)},
		{"cb3ff8000000000000", 1.5},
		{"d90161", "a"},
		{"da000161", "a"},
		{"db0000000161", "a"},
		{"a2c3bf", "\xc3\xbf"},
		{"a1ff", "\xff"}, // invalid UTF-8 passes through
		{"c50001ff", []byte{0xff}},
		{"c600000001ff", []byte{0xff}},
		{"c400", []byte{}},
		{"dc0001c0", []any{nil}},
		{"dd00000001c2", []any{false}},
		{"de0001a16101", map[string]any{"a": int64(1)}},
		{"df00000001d90161c0", map[string]any{"a": nil}},
		{"82a16101a16102", map[string]any{"a": int64(2)}}, // duplicate key: last wins
		// JavaScript's undefined (fixext1 type 0, data 0): wampy writes it for every unset option.
		{"d40000", nil},
		{"942003de0002a56d61746368d40000ac6765745f72657461696e6564d40000b1636f6d2e6578616d706c652e746f706963",
			[]any{int64(32), int64(3), map[string]any{"match": nil, "get_retained": nil}, "com.example.topic"}},
	} {
		got, err := Object.Unmarshal(serialtest.MustHex(t, tc.in))
		if err != nil {
			t.Errorf("Unmarshal(%s): %v", tc.in, err)
			continue
		}
		if !serialtest.Same(got, tc.want) {
			t.Errorf("Unmarshal(%s) = %s, want %s", tc.in, serialtest.Show(got), serialtest.Show(tc.want))
		}
	}
}

func TestUnmarshalErrors(t *testing.T) {
	deep := bytes.Repeat([]byte{0x91}, MaxDepth+1)
	deep = append(deep, 0x01)
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "no data"},
		{"trailing", []byte{0x01, 0x02}, "offset 1: 1 bytes follow the value"},
		{"0xc1", []byte{0xc1}, "offset 0: the never used byte 0xc1"},
		{"fixext1", []byte{0xd4, 0x01, 0x00}, "extension type (fixext1) is not supported"},
		{"fixext1 type 0, not undefined", []byte{0xd4, 0x00, 0x01}, "extension type (fixext1) is not supported"},
		{"ext8", []byte{0xc7, 0x01, 0x05, 0x00}, "extension type (ext8) is not supported"},
		{"timestamp", []byte{0xd6, 0xff, 0, 0, 0, 0}, "extension type (fixext4)"},
		{"truncated uint32", []byte{0xce, 0, 0}, "offset 0: uint32 is truncated"},
		{"truncated float64", []byte{0xcb, 0}, "float64 is truncated"},
		{"truncated fixstr", []byte{0xa3, 'a'}, "offset 1: fixstr of 3 bytes, but only 1 bytes follow"},
		{"truncated str32 length", []byte{0xdb, 0, 0}, "str32 is truncated"},
		{"huge str32", []byte{0xdb, 0xff, 0xff, 0xff, 0xff, 'a'}, "str32 of 4294967295 bytes, but only 1 bytes follow"},
		{"huge bin32", []byte{0xc6, 0xff, 0xff, 0xff, 0xff}, "bin32 of 4294967295 bytes"},
		{"huge array32", []byte{0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0}, "list of 4294967295 elements, but only 1 bytes follow"},
		{"huge map32", []byte{0xdf, 0xff, 0xff, 0xff, 0xff, 0xc0, 0xc0}, "map of 4294967295 pairs, but only 2 bytes follow"},
		{"short list", []byte{0x92, 0x01}, "offset 0: list of 2 elements, but only 1 bytes follow"},
		{"truncated list", []byte{0x92, 0x91, 0x01}, "list element 1: offset 3: value expected, data ends"},
		{"int key", []byte{0x81, 0x01, 0x02}, "offset 1: map key is positive fixint, but WAMP maps have string keys"},
		{"bin key", []byte{0x81, 0xc4, 0x01, 'a', 0x02}, "map key is bin8, but WAMP maps have string keys"},
		{"nil key", []byte{0x81, 0xc0, 0x02}, "map key is nil"},
		{"list key", []byte{0x81, 0x90, 0x02}, "map key is fixarray"},
		{"truncated key", []byte{0x81, 0xa2, 'a'}, "map key of 2 bytes, but only 1 bytes follow"},
		{"bad value in map", []byte{0x81, 0xa1, 'k', 0xc1}, `map value "k": offset 3: the never used byte 0xc1`},
		{"too deep", deep, "list nested deeper than 512"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Object.Unmarshal(tc.in)
			if err == nil {
				t.Fatalf("Unmarshal(%x) = %s, want an error", tc.in, serialtest.Show(v))
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "msgpack: unmarshal: ") {
				t.Errorf("Unmarshal(%x) error = %q, want one containing %q", tc.in, err, tc.want)
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
	want := []byte{0xde, 0x00, 40}
	for n := 1; n <= 40; n++ {
		if n <= 31 {
			want = append(want, 0xa0|byte(n))
		} else {
			want = append(want, 0xd9, byte(n))
		}
		want = append(want, strings.Repeat("k", n)...)
		want = append(want, byte(40-n))
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
