package json

import (
	"bytes"
	"encoding/base64"
	stdjson "encoding/json"
	"reflect"
	"testing"

	"github.com/ugorji/go/codec"
)

// The benchmarks compare this package with ugorji/go/codec (JsonHandle) and
// encoding/json producing and reading the same wire format, so that the
// ratios can be read from one run:
//
//	go test -run XXX -bench . -benchmem ./serializers/json/
//
// Each engine gets its best usual setup: ugorji reuses one Encoder and one
// Decoder (ResetBytes), encoding/json uses UseNumber so that integers stay
// exact. Neither knows the binary convention, so each gets what a WAMP
// implementation built on it would need: ugorji writes []byte through a
// RawBytesExt, encoding/json after a pass that turns []byte into strings, and
// both decode through a pass (fromStd) that turns json.Number into integers
// and "\x00…" strings into []byte. Every encoding starts from a nil buffer, as
// core.Serializer.Serialize does.

func benchValues() []struct {
	name string
	v    any
} {
	payload := make([]byte, 1024)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	return []struct {
		name string
		v    any
	}{
		{"call", []any{int64(48), int64(7814135), map[string]any{}, "com.myapp.add2", []any{int64(23), int64(7)}, map[string]any{"mode": "fast", "verbose": true}}},
		{"event1KiB", []any{int64(36), int64(5512315355), int64(4429313566), map[string]any{}, []any{payload}}},
	}
}

// engine is one JSON implementation under test.
type engine struct {
	name      string
	marshal   func(v any) ([]byte, error)
	unmarshal func(data []byte) (any, error)
}

func engines() []engine {
	h := &codec.JsonHandle{}
	h.SignedInteger = true                        // integers as int64
	h.MapType = reflect.TypeFor[map[string]any]() // maps as map[string]any
	h.RawBytesExt = binaryExt{}
	enc := codec.NewEncoderBytes(nil, h)
	dec := codec.NewDecoderBytes(nil, h)
	return []engine{
		{"ours", func(v any) ([]byte, error) { return Marshal(nil, v) }, Unmarshal},
		{"ugorji",
			func(v any) ([]byte, error) {
				var out []byte
				enc.ResetBytes(&out)
				err := enc.Encode(v)
				return out, err
			},
			func(data []byte) (any, error) {
				var v any
				dec.ResetBytes(data)
				if err := dec.Decode(&v); err != nil {
					return nil, err
				}
				return fromStd(v)
			}},
		{"stdlib",
			func(v any) ([]byte, error) { return stdjson.Marshal(toStd(v)) },
			func(data []byte) (any, error) {
				d := stdjson.NewDecoder(bytes.NewReader(data))
				d.UseNumber()
				var v any
				if err := d.Decode(&v); err != nil {
					return nil, err
				}
				return fromStd(v)
			}},
	}
}

// binaryExt writes []byte for ugorji in the binary convention.
type binaryExt struct{}

func (binaryExt) ConvertExt(v any) any {
	return "\x00" + base64.StdEncoding.EncodeToString(v.([]byte))
}

func (binaryExt) UpdateExt(dst, src any) { panic("not used: decoding goes to any") }

// toStd returns v with every []byte replaced by its binary-convention string.
func toStd(v any) any {
	switch v := v.(type) {
	case []byte:
		return "\x00" + base64.StdEncoding.EncodeToString(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = toStd(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = toStd(e)
		}
		return out
	default:
		return v
	}
}

func BenchmarkSerialize(b *testing.B) {
	for _, bv := range benchValues() {
		for _, e := range engines() {
			b.Run(bv.name+"/"+e.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := e.marshal(bv.v); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkUnserialize(b *testing.B) {
	for _, bv := range benchValues() {
		for _, e := range engines() {
			data, err := e.marshal(bv.v)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(bv.name+"/"+e.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(data)))
				for b.Loop() {
					if _, err := e.unmarshal(data); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkRoundTrip is an encoding and a decoding per operation: the figure
// the speed target compares.
func BenchmarkRoundTrip(b *testing.B) {
	for _, bv := range benchValues() {
		for _, e := range engines() {
			b.Run(bv.name+"/"+e.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					data, err := e.marshal(bv.v)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := e.unmarshal(data); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// TestEnginesAgree makes sure the benchmarks compare the same work: every
// engine decodes its own encoding, and ours, to the original values, and
// ours decodes theirs.
func TestEnginesAgree(t *testing.T) {
	for _, bv := range benchValues() {
		ourData, err := Marshal(nil, bv.v)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range engines() {
			data, err := e.marshal(bv.v)
			if err != nil {
				t.Fatalf("%s/%s marshal: %v", bv.name, e.name, err)
			}
			for _, in := range [][]byte{data, ourData} {
				got, err := e.unmarshal(in)
				if err != nil {
					t.Fatalf("%s/%s unmarshal %s: %v", bv.name, e.name, in, err)
				}
				if !reflect.DeepEqual(got, bv.v) {
					t.Errorf("%s/%s: %s decodes as %#v", bv.name, e.name, in, got)
				}
			}
			if got, err := Unmarshal(data); err != nil || !reflect.DeepEqual(got, bv.v) {
				t.Errorf("%s: our decoding of %s's %s = %#v, %v", bv.name, e.name, data, got, err)
			}
		}
	}
}
