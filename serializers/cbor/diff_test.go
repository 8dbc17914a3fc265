package cbor

import (
	"bytes"
	"math"
	"math/big"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	fxcbor "github.com/fxamacker/cbor/v2"
)

// libDecMode is github.com/fxamacker/cbor/v2 set up as the independent
// reference decoder: maps with string keys, unvalidated UTF-8, tags unwrapped,
// limits no tighter than ours.
var libDecMode = func() fxcbor.DecMode {
	dm, err := fxcbor.DecOptions{
		DefaultMapType:       reflect.TypeFor[map[string]any](),
		UTF8:                 fxcbor.UTF8DecodeInvalid,
		MaxNestedLevels:      65535,
		MaxArrayElements:     math.MaxInt32,
		MaxMapPairs:          math.MaxInt32,
		UnrecognizedTagToAny: fxcbor.UnrecognizedTagContentToAny,
	}.DecMode()
	if err != nil {
		panic(err)
	}
	return dm
}()

// libEncMode is github.com/fxamacker/cbor/v2's encoder with its defaults,
// which match cbor2: smallest integers, float64, NaN and infinities as half
// floats. Its map key orders are not Python's, so only encodings without maps
// of two or more keys are compared.
var libEncMode = func() fxcbor.EncMode {
	em, err := fxcbor.EncOptions{}.EncMode()
	if err != nil {
		panic(err)
	}
	return em
}()

// libDecode decodes data with the reference decoder and converts its result
// to the value representation. time reports a time.Time in the result, which
// has no counterpart in ours (we unwrap tags 0 and 1).
func libDecode(data []byte) (v any, time bool, err error) {
	if err := libDecMode.Unmarshal(data, &v); err != nil {
		return nil, false, err
	}
	v, time = normalize(v)
	return v, time, nil
}

func normalize(v any) (any, bool) {
	switch v := v.(type) {
	case uint64:
		if v <= math.MaxInt64 {
			return int64(v), false
		}
	case big.Int:
		if v.IsInt64() {
			return v.Int64(), false
		}
		if v.IsUint64() {
			return v.Uint64(), false
		}
	case time.Time:
		return v, true
	case []any:
		found := false
		for i := range v {
			var t bool
			v[i], t = normalize(v[i])
			found = found || t
		}
		return v, found
	case map[string]any:
		found := false
		for k := range v {
			var t bool
			v[k], t = normalize(v[k])
			found = found || t
		}
		return v, found
	}
	return v, false
}

// multiKeyMap reports whether v holds a map of two or more keys.
func multiKeyMap(v any) bool {
	switch v := v.(type) {
	case []any:
		return slices.ContainsFunc(v, multiKeyMap)
	case map[string]any:
		if len(v) > 1 {
			return true
		}
		for _, e := range v {
			return multiKeyMap(e)
		}
	}
	return false
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

// TestDifferential compares with github.com/fxamacker/cbor/v2 on random
// valid values: its decoder reads our bytes back to the value, our decoder
// reads its bytes back to the value, and both encoders write the same bytes
// where their map key orders do not differ.
func TestDifferential(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	compared := 0
	for i := range 2000 {
		v := randomValue(r, 0)
		if i%2 == 0 {
			v = []any{v, randomValue(r, 0), map[string]any{"k": randomValue(r, 0)}}
		}
		ours, err := Object.Marshal(nil, v)
		if err != nil {
			t.Fatalf("Marshal(%s): %v", show(v), err)
		}
		got, _, err := libDecode(ours)
		if err != nil {
			t.Fatalf("library cannot decode our %x: %v", ours, err)
		}
		if !same(got, v) {
			t.Fatalf("library decodes our encoding of %s to %s", show(v), show(got))
		}
		theirs, err := libEncMode.Marshal(v)
		if err != nil {
			t.Fatalf("library Marshal(%s): %v", show(v), err)
		}
		if !multiKeyMap(v) {
			compared++
			if !bytes.Equal(ours, theirs) {
				t.Fatalf("encodings of %s differ:\nours    %x\nlibrary %x", show(v), ours, theirs)
			}
		}
		back, err := Object.Unmarshal(theirs)
		if err != nil {
			t.Fatalf("Unmarshal(library's %x): %v", theirs, err)
		}
		if !same(back, v) {
			t.Fatalf("Unmarshal(library's encoding of %s) = %s", show(v), show(back))
		}
	}
	if compared < 500 {
		t.Errorf("only %d of 2000 encodings compared byte for byte", compared)
	}
}
