package serialtest

import (
	"bytes"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/autobahn-go/autobahn/core"
)

// RandomValue returns a random value of the representation, favouring the
// edge cases of the binary encodings: integer and length boundaries, NaNs,
// invalid UTF-8, empty containers.
func RandomValue(r *rand.Rand, depth int) any {
	kinds := 10
	if depth >= 3 {
		kinds = 8 // no more containers
	}
	switch r.IntN(kinds) {
	case 0:
		return nil
	case 1:
		return r.IntN(2) == 0
	case 2:
		bounds := []int64{0, 23, 24, 127, 128, 255, 256, 65535, 65536, 1<<32 - 1, 1 << 32, math.MaxInt64,
			-1, -24, -25, -32, -33, -128, -129, -256, -257, -32768, -32769, -65536, -65537,
			-1 << 31, -1<<31 - 1, -1 << 32, -1<<32 - 1, math.MinInt64}
		b := bounds[r.IntN(len(bounds))]
		switch r.IntN(3) {
		case 0:
			return b
		case 1:
			return b + int64(r.IntN(3)) - 1 // may wrap, still an int64
		}
		return int64(r.Uint64()) >> r.IntN(64)
	case 3:
		return uint64(1<<63) + r.Uint64N(1<<63)
	case 4:
		switch r.IntN(4) {
		case 0:
			return math.Float64frombits(r.Uint64())
		case 1:
			return math.NaN()
		}
		return r.NormFloat64() * math.Pow(10, float64(r.IntN(40)-20))
	case 5:
		return string(RandomBytes(r))
	case 6, 7:
		return RandomBytes(r)
	case 8:
		l := make([]any, r.IntN(8))
		if r.IntN(50) == 0 {
			// A long list of scalars.
			l = make([]any, lengths[r.IntN(len(lengths))])
			depth = 99
		}
		for i := range l {
			l[i] = RandomValue(r, depth+1)
		}
		return l
	}
	m := make(map[string]any)
	for range r.IntN(8) {
		m[string(RandomBytes(r))] = RandomValue(r, depth+1)
	}
	return m
}

var lengths = []int{0, 1, 15, 16, 31, 32, 255, 256, 65535, 65536}

// RandomBytes returns random bytes, mostly short, sometimes of a length at
// an encoding boundary.
func RandomBytes(r *rand.Rand) []byte {
	n := r.IntN(20)
	if r.IntN(8) == 0 {
		n = lengths[r.IntN(len(lengths))]
	}
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(r.Uint32())
	}
	return p
}

// Reference is an independent implementation of a wire format, for
// differential tests.
type Reference struct {
	// Decode decodes data to the value representation.
	Decode func(data []byte) (any, error)
	// Encode encodes v in the wire format of Autobahn|Python.
	Encode func(v any) ([]byte, error)
	// SameBytes reports whether the encodings of v by both implementations
	// must be equal byte for byte; nil means always.
	SameBytes func(v any) bool
}

// Differential compares obj with ref on n random valid values: ref decodes
// obj's bytes back to the value, obj decodes ref's bytes back to the value,
// and both encoders write the same bytes where ref.SameBytes allows. It
// returns the number of encodings compared byte for byte.
func Differential(t *testing.T, obj core.ObjectSerializer, ref Reference, n int) (compared int) {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		v := RandomValue(r, 0)
		if i%2 == 0 {
			v = []any{v, RandomValue(r, 0), map[string]any{"k": RandomValue(r, 0)}}
		}
		ours, err := obj.Marshal(nil, v)
		if err != nil {
			t.Fatalf("Marshal(%s): %v", Show(v), err)
		}
		got, err := ref.Decode(ours)
		if err != nil {
			t.Fatalf("library cannot decode our %x: %v", ours, err)
		}
		if !Same(got, v) {
			t.Fatalf("library decodes our encoding of %s to %s", Show(v), Show(got))
		}
		theirs, err := ref.Encode(v)
		if err != nil {
			t.Fatalf("library Encode(%s): %v", Show(v), err)
		}
		if ref.SameBytes == nil || ref.SameBytes(v) {
			compared++
			if !bytes.Equal(ours, theirs) {
				t.Fatalf("encodings of %s differ:\nours    %x\nlibrary %x", Show(v), ours, theirs)
			}
		}
		back, err := obj.Unmarshal(theirs)
		if err != nil {
			t.Fatalf("Unmarshal(library's %x): %v", theirs, err)
		}
		if !Same(back, v) {
			t.Fatalf("Unmarshal(library's encoding of %s) = %s", Show(v), Show(back))
		}
	}
	return compared
}

// AddFuzzSeeds adds to f the encodings of the typical messages, the golden
// encodings of goldenPath and the given hex strings (spaces ignored).
func AddFuzzSeeds(f *testing.F, obj core.ObjectSerializer, goldenPath string, hexSeeds []string) {
	f.Helper()
	for _, m := range Messages() {
		data, err := obj.Marshal(nil, m.Value)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, rec := range LoadGolden(f, goldenPath) {
		if p, err := hex.DecodeString(rec.Hex); err == nil && len(p) > 0 {
			f.Add(p)
		}
	}
	for _, s := range hexSeeds {
		f.Add(MustHex(f, s))
	}
}

// FuzzRoundTrip is the common body of the decoders' fuzz targets: it returns
// ok false when obj rejects data; otherwise it checks that the value v
// re-encodes to bytes that decode to the same value and re-encode to the same
// bytes again.
func FuzzRoundTrip(t *testing.T, obj core.ObjectSerializer, data []byte) (v any, ok bool) {
	t.Helper()
	v, err := obj.Unmarshal(data)
	if err != nil {
		return nil, false
	}
	enc, err := obj.Marshal(nil, v)
	if err != nil {
		t.Fatalf("Marshal(Unmarshal(%x) = %s): %v", data, Show(v), err)
	}
	back, err := obj.Unmarshal(enc)
	if err != nil {
		t.Fatalf("Unmarshal(Marshal(%s) = %x): %v", Show(v), enc, err)
	}
	if !Same(back, v) {
		t.Fatalf("round trip of %s gives %s", Show(v), Show(back))
	}
	if again, _ := obj.Marshal(nil, back); !bytes.Equal(again, enc) {
		t.Fatalf("re-encoding %s is not stable: %x then %x", Show(v), enc, again)
	}
	return v, true
}
