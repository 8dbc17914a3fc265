package serialtest

import (
	"encoding/base64"
	"reflect"
	"testing"

	"github.com/autobahn-go/autobahn/core"
	"github.com/ugorji/go/codec"
)

// Engine is one implementation of a wire format under test.
type Engine struct {
	Name string
	// Marshal appends the encoding of v to dst (or ignores dst and starts a
	// new buffer, if the implementation cannot append).
	Marshal func(dst []byte, v any) ([]byte, error)
	// Unmarshal decodes data to the value representation.
	Unmarshal func(data []byte) (any, error)
}

// Ours is the engine of an object serializer of this module.
func Ours(obj core.ObjectSerializer) Engine {
	return Engine{Name: "ours", Marshal: obj.Marshal, Unmarshal: obj.Unmarshal}
}

// UgorjiJSON returns a ugorji/go/codec handle for the JSON of WAMP: integers
// decoded as int64, maps as map[string]any, and []byte written in the binary
// convention of WAMP ("\x00" followed by base64, see [Ugorji]).
func UgorjiJSON() *codec.JsonHandle {
	h := &codec.JsonHandle{}
	h.SignedInteger = true
	h.MapType = reflect.TypeFor[map[string]any]()
	h.RawBytesExt = binaryExt{}
	return h
}

// UgorjiMsgpack returns a ugorji/go/codec handle for the MessagePack of
// Autobahn|Python: the str and bin families (WriteExt, which also decodes
// str to string and bin to []byte), positive integers in the uint family,
// integers decoded to int64, maps to map[string]any.
func UgorjiMsgpack() *codec.MsgpackHandle {
	h := &codec.MsgpackHandle{WriteExt: true, PositiveIntUnsigned: true}
	h.SignedInteger = true
	h.MapType = reflect.TypeFor[map[string]any]()
	return h
}

// UgorjiCBOR returns a ugorji/go/codec handle for CBOR: integers decoded as
// int64, maps as map[string]any.
func UgorjiCBOR() *codec.CborHandle {
	h := &codec.CborHandle{}
	h.SignedInteger = true
	h.MapType = reflect.TypeFor[map[string]any]()
	return h
}

// Ugorji returns the engine of ugorji/go/codec with handle h, reusing one
// Encoder and one Decoder (ResetBytes), so it must not be used concurrently.
// With a JSON handle, decoded strings in the binary convention are turned
// into []byte, as a WAMP implementation built on ugorji would have to.
func Ugorji(h codec.Handle) Engine {
	enc := codec.NewEncoderBytes(nil, h)
	dec := codec.NewDecoderBytes(nil, h)
	_, isJSON := h.(*codec.JsonHandle)
	return Engine{
		Name: "ugorji",
		Marshal: func(dst []byte, v any) ([]byte, error) {
			enc.ResetBytes(&dst)
			err := enc.Encode(v)
			return dst, err
		},
		Unmarshal: func(data []byte) (any, error) {
			var v any
			dec.ResetBytes(data)
			if err := dec.Decode(&v); err != nil {
				return nil, err
			}
			if isJSON {
				return binaryStrings(v)
			}
			return v, nil
		},
	}
}

// binaryExt writes []byte for ugorji in the binary convention of WAMP's
// JSON.
type binaryExt struct{}

func (binaryExt) ConvertExt(v any) any {
	return "\x00" + base64.StdEncoding.EncodeToString(v.([]byte))
}

func (binaryExt) UpdateExt(dst, src any) { panic("not used: decoding goes to any") }

// binaryStrings replaces, in place, the strings of v that start with a NUL
// byte by the bytes they encode in base64.
func binaryStrings(v any) (any, error) {
	switch v := v.(type) {
	case string:
		if isBinary(v) {
			return base64.StdEncoding.DecodeString(v[1:])
		}
	case []any:
		for i, e := range v {
			c, err := binaryStrings(e)
			if err != nil {
				return nil, err
			}
			v[i] = c
		}
	case map[string]any:
		for k, e := range v {
			c, err := binaryStrings(e)
			if err != nil {
				return nil, err
			}
			if s, ok := e.(string); ok && isBinary(s) {
				v[k] = c // other values are unchanged or converted in place
			}
		}
	}
	return v, nil
}

// isBinary reports whether s is a string in the binary convention.
func isBinary(s string) bool { return len(s) > 0 && s[0] == 0 }

// CheckEngines makes sure that benchmarks of the engines compare the same
// work: every engine decodes its own encoding, and that of the first engine,
// to the original values, and the first engine decodes every engine's
// encoding.
func CheckEngines(t *testing.T, engines []Engine, values []NamedValue) {
	t.Helper()
	first := engines[0]
	for _, nv := range values {
		firstData, err := first.Marshal(nil, nv.Value)
		if err != nil {
			t.Fatalf("%s/%s marshal: %v", nv.Name, first.Name, err)
		}
		for _, e := range engines {
			data, err := e.Marshal(nil, nv.Value)
			if err != nil {
				t.Fatalf("%s/%s marshal: %v", nv.Name, e.Name, err)
			}
			for _, in := range [][]byte{data, firstData} {
				got, err := e.Unmarshal(in)
				if err != nil {
					t.Fatalf("%s/%s unmarshal %q: %v", nv.Name, e.Name, in, err)
				}
				if !Same(got, nv.Value) {
					t.Errorf("%s/%s: %q decodes as %s", nv.Name, e.Name, in, Show(got))
				}
			}
			if got, err := first.Unmarshal(data); err != nil || !Same(got, nv.Value) {
				t.Errorf("%s: %s's decoding of %s's %q = %s, %v", nv.Name, first.Name, e.Name, data, Show(got), err)
			}
		}
	}
}

// Bench runs the benchmarks of a serializer package: each engine on each
// value, in sub-benchmarks named value/engine.
type Bench struct {
	Engines []Engine
	Values  []NamedValue
	// FreshBuffer makes every encoding start from a nil buffer, as
	// core.Serializer.Serialize does; otherwise the buffer is reused.
	FreshBuffer bool
}

func (bn Bench) run(b *testing.B, f func(b *testing.B, e Engine, v any)) {
	for _, nv := range bn.Values {
		for _, e := range bn.Engines {
			b.Run(nv.Name+"/"+e.Name, func(b *testing.B) {
				b.ReportAllocs()
				f(b, e, nv.Value)
			})
		}
	}
}

func (bn Bench) buffer(buf []byte) []byte {
	if bn.FreshBuffer {
		return nil
	}
	return buf[:0]
}

// Marshal benchmarks encoding.
func (bn Bench) Marshal(b *testing.B) { bn.run(b, bn.encode(false)) }

// Unmarshal benchmarks decoding of the engine's own encoding.
func (bn Bench) Unmarshal(b *testing.B) {
	bn.run(b, func(b *testing.B, e Engine, v any) {
		data, err := e.Marshal(nil, v)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := e.Unmarshal(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// RoundTrip benchmarks an encoding and a decoding per operation.
func (bn Bench) RoundTrip(b *testing.B) { bn.run(b, bn.encode(true)) }

// encode returns the loop of Marshal, or with decode set of RoundTrip.
func (bn Bench) encode(decode bool) func(b *testing.B, e Engine, v any) {
	return func(b *testing.B, e Engine, v any) {
		var buf []byte
		for b.Loop() {
			var err error
			if buf, err = e.Marshal(bn.buffer(buf), v); err != nil {
				b.Fatal(err)
			}
			if !decode {
				continue
			}
			if _, err := e.Unmarshal(buf); err != nil {
				b.Fatal(err)
			}
		}
		if !decode {
			b.SetBytes(int64(len(buf)))
		}
	}
}
