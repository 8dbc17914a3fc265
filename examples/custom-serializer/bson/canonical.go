package bson

import (
	"fmt"
	"math"
	"reflect"
)

// known reports whether appendElement writes v without help: the value
// representation of package core and the other integer and float kinds.
// Everything else, []string and map[string]string included, goes through
// canonical first.
func known(v any) bool {
	switch v.(type) {
	case nil, bool, int64, uint64, float64, string, []byte, []any, map[string]any,
		int, int8, int16, int32, uint, uint8, uint16, uint32, float32:
		return true
	}
	return false
}

// canonical converts a Go value outside the representation (named types,
// pointers, arrays, slices and string-keyed maps of any element type) into
// it, by reflection. It is the slow path: the messages of package core are
// made of the representation already. depth counts the documents around v;
// a pointer counts as one more, so that cyclic pointers end at MaxDepth.
func canonical(v any, depth int) (any, error) {
	return canonicalValue(reflect.ValueOf(v), depth)
}

func canonicalValue(rv reflect.Value, depth int) (any, error) {
	tooDeep := depth >= MaxDepth
	switch rv.Kind() {
	case reflect.Invalid:
		return nil, nil
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if u := rv.Uint(); u > math.MaxInt64 {
			return u, nil
		}
		return int64(rv.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return rv.Float(), nil
	case reflect.String:
		return rv.String(), nil
	case reflect.Interface: // an element of a []any inside an array or a map
		if rv.IsNil() {
			return nil, nil
		}
		return canonicalValue(rv.Elem(), depth)
	case reflect.Pointer:
		if rv.IsNil() {
			return nil, nil
		}
		if tooDeep {
			return nil, errTooDeep()
		}
		return canonicalValue(rv.Elem(), depth+1)
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() && rv.Type().Elem().Kind() != reflect.Uint8 {
			return []any{}, nil
		}
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			p := make([]byte, rv.Len())
			reflect.Copy(reflect.ValueOf(p), rv)
			return p, nil
		}
		if tooDeep {
			return nil, errTooDeep()
		}
		l := make([]any, rv.Len())
		for i := range l {
			var err error
			if l[i], err = canonicalValue(rv.Index(i), depth+1); err != nil {
				return nil, fmt.Errorf("list element %d: %w", i, err)
			}
		}
		return l, nil
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return nil, fmt.Errorf("%w %s: WAMP maps have string keys", ErrUnsupportedType, rv.Type())
		}
		if tooDeep {
			return nil, errTooDeep()
		}
		m := make(map[string]any, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			e, err := canonicalValue(it.Value(), depth+1)
			if err != nil {
				return nil, fmt.Errorf("map value %q: %w", it.Key().String(), err)
			}
			m[it.Key().String()] = e
		}
		return m, nil
	}
	return nil, fmt.Errorf("%w %s", ErrUnsupportedType, rv.Type())
}

func errTooDeep() error {
	return fmt.Errorf("nesting deeper than %d: %w", MaxDepth, ErrNotRepresentable)
}
