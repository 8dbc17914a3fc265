package msgpack

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"
)

func TestRegistered(t *testing.T) {
	for _, tc := range []struct {
		name, subprotocol string
		want              core.Serializer
		batched           bool
	}{
		{"msgpack", "wamp.2.msgpack", Serializer, false},
		{"msgpack.batched", "wamp.2.msgpack.batched", Batched, true},
	} {
		s, err := registry.Default.Serializer(tc.name)
		if err != nil {
			t.Fatal(err)
		}
		if s != tc.want {
			t.Errorf("registry has %v for %q, want the package's serializer", s, tc.name)
		}
		if s.Subprotocol() != tc.subprotocol || s.RawSocketID() != 2 || !s.Binary() || s.Batched() != tc.batched {
			t.Errorf("%s: subprotocol %q, RawSocket id %d, binary %v, batched %v", tc.name, s.Subprotocol(), s.RawSocketID(), s.Binary(), s.Batched())
		}
		if obj, ok := core.Object(s); !ok || obj != Object {
			t.Errorf("%s: core.Object = %v, %v", tc.name, obj, ok)
		}
	}
	if s, err := registry.Default.SerializerByRawSocketID(2); err != nil || s != Serializer {
		t.Errorf("RawSocket id 2 = %v, %v", s, err)
	}
	if Object.Name() != "msgpack" {
		t.Errorf("Name = %q", Object.Name())
	}
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type (
	myString string
	myInt    int16
	myUint   uint8
	myFloat  float32
	myBool   bool
	myBytes  []byte
)

// TestMarshalGoTypes covers the Go types accepted beyond the value
// representation.
func TestMarshalGoTypes(t *testing.T) {
	one := int64(1)
	var nilPtr *int64
	for _, tc := range []struct {
		name string
		v    any
		want string
	}{
		{"int", int(-33), "d0df"},
		{"int8", int8(-128), "d080"},
		{"int16", int16(300), "cd012c"},
		{"int32", int32(-70000), "d2fffeee90"},
		{"uint", uint(200), "ccc8"},
		{"uint8", uint8(7), "07"},
		{"uint16", uint16(65535), "cdffff"},
		{"uint32", uint32(1 << 31), "ce80000000"},
		{"uint64 small", uint64(5), "05"},
		{"float32 as float64", float32(1.5), "cb3ff8000000000000"},
		{"[]string", []string{"a", "bc"}, "92a161a26263"},
		{"map[string]string sorted", map[string]string{"b": "1", "a": "2"}, "82a161a132a162a131"},
		{"named string", myString("x"), "a178"},
		{"named int", myInt(-1), "ff"},
		{"named uint", myUint(200), "ccc8"},
		{"named float", myFloat(0.5), "cb3fe0000000000000"},
		{"named bool", myBool(true), "c3"},
		{"named bytes", myBytes{1, 2}, "c4020102"},
		{"byte array", [2]byte{1, 2}, "c4020102"},
		{"[]int", []int{1, -1}, "9201ff"},
		{"[]map", []map[string]int{{"b": 1, "a": 2}}, "9182a16102a16201"},
		{"map[string][]any", map[string][]any{"k": {nil}}, "81a16b91c0"},
		{"pointer", &one, "01"},
		{"nil pointer", nilPtr, "c0"},
		{"nil []any", []any(nil), "90"},
		{"nil map", map[string]any(nil), "80"},
		{"nil []byte", []byte(nil), "c400"},
		{"[]any in array", [1]any{[]any{true}}, "9191c3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Object.Marshal(nil, tc.v)
			if err != nil {
				t.Fatal(err)
			}
			if want := mustHex(t, tc.want); !bytes.Equal(got, want) {
				t.Errorf("Marshal(%#v) = %x, want %x", tc.v, got, want)
			}
		})
	}
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

func nested(depth int) any {
	var v any = int64(1)
	for range depth {
		v = []any{v}
	}
	return v
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
		{"too deep", nested(MaxDepth + 1), "nesting deeper than 512"},
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
	if _, err := Object.Marshal(nil, nested(MaxDepth)); err != nil {
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
	} {
		got, err := Object.Unmarshal(mustHex(t, tc.in))
		if err != nil {
			t.Errorf("Unmarshal(%s): %v", tc.in, err)
			continue
		}
		if !same(got, tc.want) {
			t.Errorf("Unmarshal(%s) = %s, want %s", tc.in, show(got), show(tc.want))
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
				t.Fatalf("Unmarshal(%x) = %s, want an error", tc.in, show(v))
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

// listMessage is a stand-in WAMP message with a fixed list form.
type listMessage []any

func (m listMessage) Type() core.MessageType { return core.MessageType(m[0].(int64)) }
func (m listMessage) List() ([]any, error)   { return m, nil }

// TestSerialize checks the message serializers: the plain one writes the
// object encoding, the batched one prefixes it with its 32-bit length.
func TestSerialize(t *testing.T) {
	want, err := Object.Marshal(nil, call)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Serializer.Serialize(listMessage(call))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Serialize = %x, want %x", got, want)
	}
	got, err = Batched.Serialize(listMessage(call))
	if err != nil {
		t.Fatal(err)
	}
	if prefix := []byte{0, 0, 0, byte(len(want))}; !bytes.Equal(got, append(prefix, want...)) {
		t.Errorf("batched Serialize = %x, want %x%x", got, prefix, want)
	}
}

// TestUnserialize reads messages through the WAMP message model: a CALL
// parses, and its list form re-encodes to the same bytes; a batch yields its
// messages in order; bad bytes give a SerializationError naming the
// serializer.
func TestUnserialize(t *testing.T) {
	data, err := Object.Marshal(nil, call)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := Serializer.Unserialize(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Type() != core.TypeCall {
		t.Fatalf("Unserialize = %v, want one CALL", msgs)
	}
	c, ok := msgs[0].(*core.Call)
	if !ok || c.Request != 7814135 || c.Procedure != "com.myapp.add2" || !same(c.Args, call[4]) || !same(c.Kwargs, call[5]) {
		t.Errorf("Unserialize = %#v", msgs[0])
	}
	again, err := Serializer.Serialize(msgs[0])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, data) {
		t.Errorf("Serialize(Unserialize(%x)) = %x", data, again)
	}

	one, err := Batched.Serialize(listMessage(call))
	if err != nil {
		t.Fatal(err)
	}
	msgs, err = Batched.Unserialize(append(one, one...))
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].Type() != core.TypeCall || msgs[1].Type() != core.TypeCall {
		t.Errorf("batched Unserialize = %v, want two CALLs", msgs)
	}

	_, err = Serializer.Unserialize([]byte{0x01, 0x02})
	var serr *core.SerializationError
	if !errors.As(err, &serr) || serr.Serializer != Object.Name() || serr.Op != "unserialize" {
		t.Errorf("Unserialize(bad bytes) error = %#v, want a SerializationError of %s", err, Object.Name())
	}
}
