package ubjson

import (
	"strings"
	"testing"
)

var (
	// benchCall is a typical CALL: [48, request, options, procedure, args, kwargs].
	benchCall = []any{int64(48), int64(7814135), map[string]any{}, "com.myapp.add2",
		[]any{int64(23), int64(7)}, map[string]any{"mode": "fast", "verbose": true}}
	// benchEvent is an EVENT carrying a 1 KiB string payload.
	benchEvent = []any{int64(36), int64(5512315355), int64(4429313566), map[string]any{},
		[]any{strings.Repeat("x", 1024)}}
)

func benchMarshal(b *testing.B, v any) {
	enc, err := codec{}.Marshal(nil, v)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	buf := make([]byte, 0, len(enc))
	for b.Loop() {
		if buf, err = (codec{}).Marshal(buf[:0], v); err != nil {
			b.Fatal(err)
		}
	}
}

func benchUnmarshal(b *testing.B, v any) {
	enc, err := codec{}.Marshal(nil, v)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (codec{}).Unmarshal(enc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalCall(b *testing.B)    { benchMarshal(b, benchCall) }
func BenchmarkUnmarshalCall(b *testing.B)  { benchUnmarshal(b, benchCall) }
func BenchmarkMarshalEvent(b *testing.B)   { benchMarshal(b, benchEvent) }
func BenchmarkUnmarshalEvent(b *testing.B) { benchUnmarshal(b, benchEvent) }
