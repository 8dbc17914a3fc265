package msgpack

import (
	"bytes"
	"fmt"
	"math"
	"strings"
)

// same reports whether a and b are the same value of the representation,
// with exact types: float64 compares by bits, except that all NaNs are the
// same.
func same(a, b any) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case bool, int64, uint64, string:
		return a == b
	case float64:
		f, ok := b.(float64)
		if !ok {
			return false
		}
		if math.IsNaN(a) || math.IsNaN(f) {
			return math.IsNaN(a) && math.IsNaN(f)
		}
		return math.Float64bits(a) == math.Float64bits(f)
	case []byte:
		p, ok := b.([]byte)
		return ok && bytes.Equal(a, p)
	case []any:
		l, ok := b.([]any)
		if !ok || len(a) != len(l) {
			return false
		}
		for i := range a {
			if !same(a[i], l[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		m, ok := b.(map[string]any)
		if !ok || len(a) != len(m) {
			return false
		}
		for k, v := range a {
			w, ok := m[k]
			if !ok || !same(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

// show prints a value with its types, for test failures.
func show(v any) string {
	s := fmt.Sprintf("%#v", v)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// call and event are the typical messages of the benchmarks.
var (
	call = []any{int64(48), int64(7814135), map[string]any{}, "com.myapp.add2",
		[]any{int64(23), int64(7)}, map[string]any{"mode": "fast", "verbose": true}}
	event = []any{int64(36), int64(5512315355), int64(4429313566), map[string]any{},
		[]any{payload1KiB()}}
)

func payload1KiB() []byte {
	p := make([]byte, 1024)
	for i := range p {
		p[i] = byte(i % 251)
	}
	return p
}

// goldenValues returns the cases of testdata/golden.py by name.
func goldenValues() map[string]any {
	c := map[string]any{"nil": nil, "true": true, "false": false}
	ints := []any{int64(0), int64(1), int64(23), int64(24), int64(127), int64(128),
		int64(255), int64(256), int64(65535), int64(65536), int64(1<<32 - 1), int64(1 << 32),
		int64(math.MaxInt64), uint64(1 << 63), uint64(math.MaxUint64),
		int64(-1), int64(-24), int64(-25), int64(-32), int64(-33), int64(-128), int64(-129),
		int64(-256), int64(-257), int64(-32768), int64(-32769), int64(-65536), int64(-65537),
		int64(-1 << 31), int64(-1<<31 - 1), int64(-1 << 32), int64(-1<<32 - 1), int64(math.MinInt64)}
	for _, i := range ints {
		c[fmt.Sprintf("int %d", i)] = i
	}
	floats := map[string]float64{
		"0": 0, "-0": math.Copysign(0, -1), "1.5": 1.5, "-1.5": -1.5, "0.1": 0.1,
		"1e300": 1e300, "5e-324": 5e-324, "maxfloat32": math.MaxFloat32,
		// Python's NaN: Go's math.NaN() has another payload, and
		// MessagePack keeps a float's bits.
		"NaN": math.Float64frombits(0x7ff8000000000000), "+Inf": math.Inf(1), "-Inf": math.Inf(-1),
	}
	for k, v := range floats {
		c["float "+k] = v
	}
	c["str empty"] = ""
	c["str unicode"] = "a\u00e4\u20ac\U0001f600"
	c["bytes empty"] = []byte{}
	c["bytes 00ff"] = []byte{0, 0xff}
	for _, n := range []int{1, 15, 16, 23, 24, 31, 32, 255, 256, 65535, 65536} {
		c[fmt.Sprintf("str len %d", n)] = strings.Repeat("s", n)
		c[fmt.Sprintf("bytes len %d", n)] = bytes.Repeat([]byte{0xab}, n)
		list := make([]any, n)
		m := make(map[string]any, n)
		for i := range n {
			list[i] = int64(0)
			m[fmt.Sprintf("k%06d", i)] = i%2 == 0
		}
		c[fmt.Sprintf("list len %d", n)] = list
		c[fmt.Sprintf("map len %d", n)] = m
	}
	c["list empty"] = []any{}
	c["map empty"] = map[string]any{}
	c["map unicode keys"] = map[string]any{"\u00e9": int64(1), "z": int64(2), "a": int64(3),
		"Z": int64(4), "\u20ac": int64(5), "\U0001f600": int64(6), "": int64(7), "aa": int64(8)}
	c["nested"] = map[string]any{
		"a":    []any{int64(1), []any{int64(2), []any{int64(3), map[string]any{"b": map[string]any{"c": []any{nil, true, []byte("x"), 1.25}}}}}},
		"list": []any{[]any{}, map[string]any{}, "", []byte{}},
	}
	c["call"] = call
	c["event"] = event
	c["hello"] = []any{int64(1), "com.myapp.realm1", map[string]any{
		"roles": map[string]any{
			"caller":     map[string]any{"features": map[string]any{"progressive_call_results": true, "call_canceling": true}},
			"subscriber": map[string]any{}, "publisher": map[string]any{}, "callee": map[string]any{},
		},
		"authmethods": []any{"anonymous", "ticket"}, "authid": "joe",
	}}
	return c
}
