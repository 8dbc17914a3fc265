package msgpack

import (
	"bytes"
	"math"
	"testing"

	"github.com/autobahn-go/autobahn/serializers/internal/serialtest"
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

// TestDifferential compares with github.com/vmihailenco/msgpack/v5 on random
// valid values: its decoder reads our bytes back to the value, our decoder
// reads its bytes back to the value, and both encoders write the same bytes.
func TestDifferential(t *testing.T) {
	serialtest.Differential(t, Object, serialtest.Reference{Decode: libDecode, Encode: libEncode}, 2000)
}
