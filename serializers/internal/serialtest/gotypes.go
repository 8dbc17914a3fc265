package serialtest

import (
	"bytes"
	"testing"

	"github.com/autobahn-go/autobahn/core"
)

type (
	myString string
	myInt    int16
	myUint   uint8
	myFloat  float32
	myBool   bool
	myBytes  []byte
)

// GoTypes returns values of the Go types that the encoders accept beyond the
// value representation, by name.
func GoTypes() []NamedValue {
	one := int64(1)
	var nilPtr *int64
	return []NamedValue{
		{"int", int(-33)},
		{"int8", int8(-128)},
		{"int16", int16(300)},
		{"int32", int32(-70000)},
		{"uint", uint(200)},
		{"uint8", uint8(7)},
		{"uint16", uint16(65535)},
		{"uint32", uint32(1 << 31)},
		{"uint64 small", uint64(5)},
		{"float32 as float64", float32(1.5)},
		{"[]string", []string{"a", "bc"}},
		{"map[string]string sorted", map[string]string{"b": "1", "a": "2"}},
		{"named string", myString("x")},
		{"named int", myInt(-1)},
		{"named uint", myUint(200)},
		{"named float", myFloat(0.5)},
		{"named bool", myBool(true)},
		{"named bytes", myBytes{1, 2}},
		{"byte array", [2]byte{1, 2}},
		{"[]int", []int{1, -1}},
		{"[]map", []map[string]int{{"b": 1, "a": 2}}},
		{"map[string][]any", map[string][]any{"k": {nil}}},
		{"pointer", &one},
		{"nil pointer", nilPtr},
		{"nil []any", []any(nil)},
		{"nil map", map[string]any(nil)},
		{"nil []byte", []byte(nil)},
		{"[]any in array", [1]any{[]any{true}}},
	}
}

// CheckMarshal checks that obj encodes each case to the bytes that want
// gives in hex under the case's name. Every case needs an encoding in want,
// and every encoding in want a case.
func CheckMarshal(t *testing.T, obj core.ObjectSerializer, cases []NamedValue, want map[string]string) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			hex, ok := want[tc.Name]
			if !ok {
				t.Fatalf("no expected encoding for %q", tc.Name)
			}
			got, err := obj.Marshal(nil, tc.Value)
			if err != nil {
				t.Fatal(err)
			}
			if want := MustHex(t, hex); !bytes.Equal(got, want) {
				t.Errorf("Marshal(%#v) = %x, want %x", tc.Value, got, want)
			}
		})
	}
	if len(want) != len(cases) {
		t.Errorf("%d expected encodings for %d cases", len(want), len(cases))
	}
}
