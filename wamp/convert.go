package wamp

import (
	"encoding/base64"
	"fmt"
	"math"
	"reflect"
	"strings"
	"unicode"
)

// convert turns a WAMP value (what a serializer produces: nil, bool,
// int64, uint64, float64, string, []byte, []any, map[string]any) into a
// value of type t: numbers convert when they fit exactly, lists to slices
// and arrays, dictionaries to maps and to structs (by the field's json tag
// or its name, case-insensitively), and anything goes into an interface.
func convert(v any, t reflect.Type) (reflect.Value, error) {
	if v == nil {
		switch t.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
			return reflect.Zero(t), nil
		}
		return reflect.Value{}, fmt.Errorf("null is not a %v", t)
	}
	rv := reflect.ValueOf(v)
	if rv.Type().AssignableTo(t) {
		out := reflect.New(t).Elem()
		out.Set(rv)
		return out, nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		e, err := convert(v, t.Elem())
		if err != nil {
			return reflect.Value{}, err
		}
		p := reflect.New(t.Elem())
		p.Elem().Set(e)
		return p, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return convertInt(v, t)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return convertUint(v, t)
	case reflect.Float32, reflect.Float64:
		if f, ok := number(v); ok {
			return reflect.ValueOf(f).Convert(t), nil
		}
	case reflect.String:
		if s, ok := v.(string); ok {
			return reflect.ValueOf(s).Convert(t), nil
		}
	case reflect.Bool:
		if b, ok := v.(bool); ok {
			return reflect.ValueOf(b).Convert(t), nil
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			if s, ok := v.(string); ok { // bytes that crossed as base64 text
				if b, err := base64.StdEncoding.DecodeString(s); err == nil {
					return reflect.ValueOf(b).Convert(t), nil
				}
			}
		}
		if l, ok := v.([]any); ok {
			out := reflect.MakeSlice(t, len(l), len(l))
			for i, e := range l {
				ev, err := convert(e, t.Elem())
				if err != nil {
					return reflect.Value{}, fmt.Errorf("item %d: %w", i, err)
				}
				out.Index(i).Set(ev)
			}
			return out, nil
		}
	case reflect.Array:
		if l, ok := v.([]any); ok && len(l) == t.Len() {
			out := reflect.New(t).Elem()
			for i, e := range l {
				ev, err := convert(e, t.Elem())
				if err != nil {
					return reflect.Value{}, fmt.Errorf("item %d: %w", i, err)
				}
				out.Index(i).Set(ev)
			}
			return out, nil
		}
	case reflect.Map:
		if m, ok := v.(map[string]any); ok && t.Key().Kind() == reflect.String {
			out := reflect.MakeMapWithSize(t, len(m))
			for k, e := range m {
				ev, err := convert(e, t.Elem())
				if err != nil {
					return reflect.Value{}, fmt.Errorf("key %q: %w", k, err)
				}
				out.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), ev)
			}
			return out, nil
		}
	case reflect.Struct:
		if m, ok := v.(map[string]any); ok {
			return convertStruct(m, t)
		}
	}
	return reflect.Value{}, fmt.Errorf("%s is not a %v", describeValue(v), t)
}

func convertInt(v any, t reflect.Type) (reflect.Value, error) {
	var i int64
	switch n := v.(type) {
	case int64:
		i = n
	case uint64:
		if n > math.MaxInt64 {
			return reflect.Value{}, fmt.Errorf("%d does not fit in %v", n, t)
		}
		i = int64(n)
	case float64:
		if n != math.Trunc(n) || n < math.MinInt64 || n >= math.MaxInt64 {
			return reflect.Value{}, fmt.Errorf("%v is not a %v", n, t)
		}
		i = int64(n)
	default:
		return reflect.Value{}, fmt.Errorf("%s is not a %v", describeValue(v), t)
	}
	out := reflect.New(t).Elem()
	if out.OverflowInt(i) {
		return reflect.Value{}, fmt.Errorf("%d does not fit in %v", i, t)
	}
	out.SetInt(i)
	return out, nil
}

func convertUint(v any, t reflect.Type) (reflect.Value, error) {
	var u uint64
	switch n := v.(type) {
	case uint64:
		u = n
	case int64:
		if n < 0 {
			return reflect.Value{}, fmt.Errorf("%d does not fit in %v", n, t)
		}
		u = uint64(n)
	case float64:
		if n != math.Trunc(n) || n < 0 || n >= math.MaxUint64 {
			return reflect.Value{}, fmt.Errorf("%v is not a %v", n, t)
		}
		u = uint64(n)
	default:
		return reflect.Value{}, fmt.Errorf("%s is not a %v", describeValue(v), t)
	}
	out := reflect.New(t).Elem()
	if out.OverflowUint(u) {
		return reflect.Value{}, fmt.Errorf("%d does not fit in %v", u, t)
	}
	out.SetUint(u)
	return out, nil
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	}
	return 0, false
}

// convertStruct fills a struct from a dictionary; keys with no field are
// an error, so that a misspelt keyword argument does not go unnoticed.
func convertStruct(m map[string]any, t reflect.Type) (reflect.Value, error) {
	out := reflect.New(t).Elem()
	for k, e := range m {
		i, ok := fieldFor(t, k)
		if !ok {
			return reflect.Value{}, fmt.Errorf("%v has no field for key %q", t, k)
		}
		ev, err := convert(e, t.Field(i).Type)
		if err != nil {
			return reflect.Value{}, fmt.Errorf("key %q: %w", k, err)
		}
		out.Field(i).Set(ev)
	}
	return out, nil
}

// fieldFor finds the exported field of t for a dictionary key: its json
// tag name, or its name compared case-insensitively.
func fieldFor(t reflect.Type, key string) (int, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" {
			if name == key {
				return i, true
			}
			continue
		}
		if strings.EqualFold(f.Name, key) || strings.EqualFold(f.Name, strings.ReplaceAll(key, "_", "")) {
			return i, true
		}
	}
	return 0, false
}

// structToMap is the dictionary of a struct's exported fields (by json tag
// or name in snake_case), for keyword results and error details.
func structToMap(v reflect.Value) map[string]any {
	t := v.Type()
	m := make(map[string]any, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = snakeCase(f.Name)
		}
		fv := v.Field(i)
		if strings.Contains(opts, "omitempty") && fv.IsZero() {
			continue
		}
		m[name] = fv.Interface()
	}
	return m
}

// snakeCase turns a Go name into a WAMP URI component: SlowSquare →
// slow_square, HTTPGet → http_get.
func snakeCase(name string) string {
	var b strings.Builder
	runes := []rune(name)
	for i, r := range runes {
		if unicode.IsUpper(r) {
			if i > 0 && (unicode.IsLower(runes[i-1]) || i+1 < len(runes) && unicode.IsLower(runes[i+1])) {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func describeValue(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("string %q", v)
	case []any:
		return "a list"
	case map[string]any:
		return "a dictionary"
	case []byte:
		return "bytes"
	}
	return fmt.Sprintf("%T %v", v, v)
}
