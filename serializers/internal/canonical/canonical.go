// Package canonical holds what the encoders share to write a value in one
// deterministic form: [Walker] converts Go values outside the value
// representation of package core (named types, other integer and float
// kinds, pointers, arrays, slices and string-keyed maps of any element
// type) into that representation, and [SortedKeys] orders the keys of a
// map. Encoders call Walker only on their slow path, for a value their
// type switch does not know, and then encode the result as usual.
package canonical

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
)

// Walker converts values by reflection, with the depth limit and error
// wording of one format.
type Walker struct {
	// MaxDepth is how many lists, maps and pointers may enclose a value.
	MaxDepth int
	// TooDeep is the error returned for a value nested deeper than MaxDepth.
	TooDeep error
	// List names a list in the errors about its elements, e.g. "list" or
	// "array".
	List string
}

// Value returns v in the value representation of package core. depth counts
// the lists, maps and pointers that enclose v. A nil pointer or interface is
// nil; nil slices and maps are empty lists and maps; slices and arrays of a
// uint8 kind are []byte. Other kinds (structs, channels, functions, maps
// without string keys) are an error, wrapped with the path to the value.
func (w *Walker) Value(v any, depth int) (any, error) {
	return w.value(reflect.ValueOf(v), depth)
}

func (w *Walker) value(rv reflect.Value, depth int) (any, error) {
	switch rv.Kind() {
	case reflect.Invalid:
		return nil, nil
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u := rv.Uint()
		if u > math.MaxInt64 {
			return u, nil
		}
		return int64(u), nil
	case reflect.Float32, reflect.Float64:
		return rv.Float(), nil
	case reflect.String:
		return rv.String(), nil
	case reflect.Interface:
		if rv.IsNil() {
			return nil, nil
		}
		return w.value(rv.Elem(), depth)
	case reflect.Pointer:
		if rv.IsNil() {
			return nil, nil
		}
		if depth >= w.MaxDepth {
			return nil, w.TooDeep
		}
		return w.value(rv.Elem(), depth+1)
	case reflect.Slice, reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			if rv.Kind() == reflect.Slice {
				return rv.Bytes(), nil
			}
			p := make([]byte, rv.Len())
			reflect.Copy(reflect.ValueOf(p), rv)
			return p, nil
		}
		if depth >= w.MaxDepth {
			return nil, w.TooDeep
		}
		list := make([]any, rv.Len())
		for i := range list {
			var err error
			if list[i], err = w.value(rv.Index(i), depth+1); err != nil {
				return nil, fmt.Errorf("%s element %d: %w", w.List, i, err)
			}
		}
		return list, nil
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return nil, fmt.Errorf("cannot encode %s: WAMP maps have string keys", rv.Type())
		}
		if depth >= w.MaxDepth {
			return nil, w.TooDeep
		}
		// Visit the keys in the order they are encoded in, so that the
		// first failing value is the one reported.
		keys := rv.MapKeys()
		slices.SortFunc(keys, func(x, y reflect.Value) int { return strings.Compare(x.String(), y.String()) })
		m := make(map[string]any, len(keys))
		for _, k := range keys {
			v, err := w.value(rv.MapIndex(k), depth+1)
			if err != nil {
				return nil, fmt.Errorf("map value %q: %w", k.String(), err)
			}
			m[k.String()] = v
		}
		return m, nil
	}
	return nil, fmt.Errorf("cannot encode a value of type %s", rv.Type())
}

// SortedKeys returns the keys of m in byte order, which for valid UTF-8 is
// also the code point order Python's sorted() uses. The keys are stored in
// buf when they fit, so that a small map sorts without allocating.
func SortedKeys[V any](m map[string]V, buf []string) []string {
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	// Insertion sort: WAMP maps are small.
	if len(keys) <= 12 {
		for i := 1; i < len(keys); i++ {
			for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
				keys[j], keys[j-1] = keys[j-1], keys[j]
			}
		}
	} else {
		slices.Sort(keys)
	}
	return keys
}
