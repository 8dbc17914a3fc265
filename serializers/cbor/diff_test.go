package cbor

import (
	"math"
	"math/big"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/serializers/internal/serialtest"
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

// TestDifferential compares with github.com/fxamacker/cbor/v2 on random
// valid values: its decoder reads our bytes back to the value, our decoder
// reads its bytes back to the value, and both encoders write the same bytes
// where their map key orders do not differ.
func TestDifferential(t *testing.T) {
	ref := serialtest.Reference{
		Decode: func(data []byte) (any, error) {
			v, _, err := libDecode(data)
			return v, err
		},
		Encode:    libEncMode.Marshal,
		SameBytes: func(v any) bool { return !multiKeyMap(v) },
	}
	if compared := serialtest.Differential(t, Object, ref, 2000); compared < 500 {
		t.Errorf("only %d of 2000 encodings compared byte for byte", compared)
	}
}
