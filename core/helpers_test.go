package core

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// fromJSON decodes JSON text into the generic value representation: integers
// become int64 (uint64 above MaxInt64), other numbers float64, and strings
// starting with U+0000 become []byte (WAMP's JSON convention: the rest is
// base64; when it is not, the raw rest is taken, so that fuzzing reaches the
// binary paths).
func fromJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data")
	}
	return convertJSON(v), nil
}

func convertJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		s := string(x)
		if !strings.ContainsAny(s, ".eE") {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return n
			}
			if n, err := strconv.ParseUint(s, 10, 64); err == nil {
				return n
			}
		}
		f, _ := strconv.ParseFloat(s, 64)
		return f
	case string:
		if strings.HasPrefix(x, "\x00") {
			if b, err := base64.StdEncoding.DecodeString(x[1:]); err == nil {
				return b
			}
			return []byte(x[1:])
		}
		return x
	case []any:
		for i := range x {
			x[i] = convertJSON(x[i])
		}
		return x
	case map[string]any:
		for k := range x {
			x[k] = convertJSON(x[k])
		}
		return x
	}
	return v
}

// mustJSON is fromJSON for test tables.
func mustJSON(s string) any {
	v, err := fromJSON([]byte(s))
	if err != nil {
		panic(fmt.Sprintf("bad test JSON %s: %v", s, err))
	}
	return v
}

// checkRepr reports values outside the generic representation.
func checkRepr(v any) error {
	switch x := v.(type) {
	case nil, bool, int64, float64, string, []byte:
		return nil
	case uint64:
		if x <= 1<<63-1 {
			return fmt.Errorf("uint64 %d fits in int64", x)
		}
		return nil
	case []any:
		for i, e := range x {
			if err := checkRepr(e); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
		return nil
	case map[string]any:
		for k, e := range x {
			if err := checkRepr(e); err != nil {
				return fmt.Errorf("%q: %w", k, err)
			}
		}
		return nil
	}
	return fmt.Errorf("type %T is not in the value representation", v)
}

// toJSON encodes a generic value as JSON, bytes with WAMP's convention.
func toJSON(v any) ([]byte, error) {
	return json.Marshal(toJSONValue(v))
}

func toJSONValue(v any) any {
	switch x := v.(type) {
	case []byte:
		return "\x00" + base64.StdEncoding.EncodeToString(x)
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = toJSONValue(x[i])
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k := range x {
			out[k] = toJSONValue(x[k])
		}
		return out
	}
	return v
}
