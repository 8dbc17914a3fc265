package vectors

import (
	"math"
	"strings"
	"testing"
)

// TestDiffValue makes sure the comparison the vector tests rely on tells
// apart every pair of values that the value representation distinguishes.
func TestDiffValue(t *testing.T) {
	negZero := math.Copysign(0, -1)
	tests := []struct {
		name      string
		want, got any
		diff      string // substring of the difference, "" for equal
	}{
		{"equal ints", int64(1), int64(1), ""},
		{"int vs float", int64(1), float64(1), "got float64"},
		{"int vs uint", int64(1), uint64(1), "got uint64"},
		{"int vs bool", int64(1), true, "got bool"},
		{"zero vs negative zero", 0.0, negZero, "got float64(-0)"},
		{"equal floats", 1.5, 1.5, ""},
		{"string vs bytes", "a", []byte("a"), "got []uint8"},
		{"bytes differ", []byte{1}, []byte{2}, "$"},
		{"empty vs nil bytes", []byte{}, []byte(nil), ""},
		{"nil vs empty map", nil, map[string]any{}, "want <nil>"},
		{"list length", []any{int64(1)}, []any{int64(1), int64(2)}, "$"},
		{"nested", []any{map[string]any{"a": []any{int64(1)}}}, []any{map[string]any{"a": []any{int64(2)}}}, `$[0]["a"][0]`},
		{"map keys", map[string]any{"a": nil}, map[string]any{"b": nil}, "keys"},
		{"equal nested", map[string]any{"a": []any{nil, "x", []byte{0}}}, map[string]any{"a": []any{nil, "x", []byte{0}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := diffValue("$", tt.want, tt.got)
			if tt.diff == "" && d != "" {
				t.Errorf("diffValue = %q, want equal", d)
			}
			if tt.diff != "" && !strings.Contains(d, tt.diff) {
				t.Errorf("diffValue = %q, want a difference mentioning %q", d, tt.diff)
			}
		})
	}
}

// TestFromLossless checks the reader of the lossless JSON notation.
func TestFromLossless(t *testing.T) {
	tests := []struct {
		in   string
		want any
		err  string
	}{
		{`[1, -9223372036854775808, 18446744073709551615]`, []any{int64(1), int64(math.MinInt64), uint64(math.MaxUint64)}, ""},
		{`[2.0, 1e+16, -0.0, 5e-324]`, []any{2.0, 1e16, math.Copysign(0, -1), 5e-324}, ""},
		{`{"$bytes": "AAH/"}`, []byte{0, 1, 0xff}, ""},
		{`{"$bytes": "AAH/", "x": 1}`, map[string]any{"$bytes": "AAH/", "x": int64(1)}, ""},
		{`[null, true, "s", {}]`, []any{nil, true, "s", map[string]any{}}, ""},
		{`18446744073709551616`, nil, "does not fit"},
		{`{"$bytes": "!"}`, nil, "$bytes"},
		{`{"$decimal": "1"}`, nil, "$decimal"},
	}
	for _, tt := range tests {
		got, err := fromLossless([]byte(tt.in))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("fromLossless(%s) error = %v, want one mentioning %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("fromLossless(%s): %v", tt.in, err)
			continue
		}
		if d := diffValue("$", tt.want, got); d != "" {
			t.Errorf("fromLossless(%s): %s", tt.in, d)
		}
	}
}
