package msgpack

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"

	vmsgpack "github.com/vmihailenco/msgpack/v5"
)

// libDecode decodes data with github.com/vmihailenco/msgpack/v5, the
// independent reference, and converts its result to the value
// representation.
func libDecode(data []byte) (any, error) {
	dec := vmsgpack.NewDecoder(bytes.NewReader(data))
	v, err := dec.DecodeInterface()
	if err != nil {
		return nil, err
	}
	return normalize(v), nil
}

// libEncode encodes v with github.com/vmihailenco/msgpack/v5 set up for the
// wire format of Autobahn|Python: smallest integers, sorted map keys.
func libEncode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := vmsgpack.NewEncoder(&buf)
	enc.UseCompactInts(true)
	enc.SetSortMapKeys(true)
	err := enc.Encode(v)
	return buf.Bytes(), err
}

func normalize(v any) any {
	switch v := v.(type) {
	case int8:
		return int64(v)
	case int16:
		return int64(v)
	case int32:
		return int64(v)
	case uint8:
		return int64(v)
	case uint16:
		return int64(v)
	case uint32:
		return int64(v)
	case uint64:
		if v <= math.MaxInt64 {
			return int64(v)
		}
	case float32:
		return float64(v)
	case []any:
		for i := range v {
			v[i] = normalize(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = normalize(v[k])
		}
	}
	return v
}

// randomValue returns a random value of the representation, favouring the
// edge cases of the encoding: integer and length boundaries, NaNs, invalid
// UTF-8, empty containers.
func randomValue(r *rand.Rand, depth int) any {
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
		return string(randomBytes(r))
	case 6, 7:
		return randomBytes(r)
	case 8:
		l := make([]any, r.IntN(8))
		if r.IntN(50) == 0 {
			// A long list of scalars.
			l = make([]any, lengths[r.IntN(len(lengths))])
			depth = 99
		}
		for i := range l {
			l[i] = randomValue(r, depth+1)
		}
		return l
	}
	m := make(map[string]any)
	for range r.IntN(8) {
		m[string(randomBytes(r))] = randomValue(r, depth+1)
	}
	return m
}

var lengths = []int{0, 1, 15, 16, 31, 32, 255, 256, 65535, 65536}

// randomBytes returns random bytes, mostly short, sometimes of a length at
// an encoding boundary.
func randomBytes(r *rand.Rand) []byte {
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

// TestDifferential compares with github.com/vmihailenco/msgpack/v5 on random
// valid values: its decoder reads our bytes back to the value, our decoder
// reads its bytes back to the value, and both encoders write the same bytes.
func TestDifferential(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		v := randomValue(r, 0)
		if i%2 == 0 {
			v = []any{v, randomValue(r, 0), map[string]any{"k": randomValue(r, 0)}}
		}
		ours, err := Object.Marshal(nil, v)
		if err != nil {
			t.Fatalf("Marshal(%s): %v", show(v), err)
		}
		got, err := libDecode(ours)
		if err != nil {
			t.Fatalf("library cannot decode our %x: %v", ours, err)
		}
		if !same(got, v) {
			t.Fatalf("library decodes our encoding of %s to %s", show(v), show(got))
		}
		theirs, err := libEncode(v)
		if err != nil {
			t.Fatalf("library Encode(%s): %v", show(v), err)
		}
		if !bytes.Equal(ours, theirs) {
			t.Fatalf("encodings of %s differ:\nours    %x\nlibrary %x", show(v), ours, theirs)
		}
		back, err := Object.Unmarshal(theirs)
		if err != nil {
			t.Fatalf("Unmarshal(library's %x): %v", theirs, err)
		}
		if !same(back, v) {
			t.Fatalf("Unmarshal(library's encoding of %s) = %s", show(v), show(back))
		}
	}
}
