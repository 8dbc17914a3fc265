package canonical

import (
	"errors"
	"math"
	"reflect"
	"slices"
	"testing"
)

var errDeep = errors.New("too deep")

func TestValue(t *testing.T) {
	type (
		str   string
		i8    int8
		u64   uint64
		f32   float32
		bytes []byte
		smap  map[str]i8
		iface interface{}
	)
	n := 7
	for _, tc := range []struct {
		name string
		in   any
		want any
	}{
		{"nil", nil, nil},
		{"named bool", reflect.ValueOf(true).Interface(), true},
		{"named string", str("x"), "x"},
		{"named int", i8(-3), int64(-3)},
		{"small uint", u64(200), int64(200)},
		{"large uint", u64(math.MaxUint64), uint64(math.MaxUint64)},
		{"uintptr", uintptr(9), int64(9)},
		{"float32", f32(0.5), 0.5},
		{"named bytes", bytes{1, 2}, []byte{1, 2}},
		{"byte array", [2]byte{3, 4}, []byte{3, 4}},
		{"pointer", &n, int64(7)},
		{"nil pointer", (*int)(nil), nil},
		{"slice", []i8{1, 2}, []any{int64(1), int64(2)}},
		{"nil slice", []str(nil), []any{}},
		{"array", [1]str{"a"}, []any{"a"}},
		{"map", smap{"k": 1}, map[string]any{"k": int64(1)}},
		{"nil map", smap(nil), map[string]any{}},
		{"interfaces", []iface{nil, str("s"), []any{i8(2)}}, []any{nil, "s", []any{int64(2)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := Walker{MaxDepth: 4, TooDeep: errDeep, List: "list"}
			got, err := w.Value(tc.in, 0)
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Value(%#v) = %#v, %v; want %#v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestValueErrors(t *testing.T) {
	p1 := new(int)
	p2 := &p1
	for _, tc := range []struct {
		name  string
		in    any
		depth int
		want  string
	}{
		{"channel", make(chan int), 0, "cannot encode a value of type chan int"},
		{"int keys", map[int]any{}, 0, "cannot encode map[int]interface {}: WAMP maps have string keys"},
		{"element", []any{1, func() {}}, 0, "array element 1: cannot encode a value of type func()"},
		{"map value", map[string]any{"b": 1, "a": struct{}{}, "c": struct{}{}}, 0, `map value "a": cannot encode a value of type struct {}`},
		{"list at limit", [][]int{{}}, 1, "array element 0: too deep"},
		{"map at limit", map[string]any{}, 2, "too deep"},
		{"pointers count", p2, 1, "too deep"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := Walker{MaxDepth: 2, TooDeep: errDeep, List: "array"}
			_, err := w.Value(tc.in, tc.depth)
			if err == nil || err.Error() != tc.want {
				t.Errorf("Value error = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestSortedKeys(t *testing.T) {
	for _, n := range []int{0, 1, 12, 13, 40} {
		m := map[string]int{}
		for i := range n {
			m[string(rune('z'-i%26))+string(rune('a'+i/26))] = i
		}
		var buf [16]string
		got := SortedKeys(m, buf[:])
		if len(got) != n || !slices.IsSorted(got) {
			t.Errorf("SortedKeys of %d keys = %q", n, got)
		}
	}
}
