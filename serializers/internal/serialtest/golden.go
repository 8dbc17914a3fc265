package serialtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/autobahn-go/autobahn/core"
)

// GoldenScript is the script that writes the golden vectors, relative to the
// serializers directory.
const GoldenScript = "internal/serialtest/golden.py"

// GoldenValues returns the Go values of the golden cases by name; golden.py
// builds the same cases in Python.
func GoldenValues() map[string]any {
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
	c["call"] = Call()
	c["event"] = Event()
	c["hello"] = []any{int64(1), "com.myapp.realm1", map[string]any{
		"roles": map[string]any{
			"caller":     map[string]any{"features": map[string]any{"progressive_call_results": true, "call_canceling": true}},
			"subscriber": map[string]any{}, "publisher": map[string]any{}, "callee": map[string]any{},
		},
		"authmethods": []any{"anonymous", "ticket"}, "authid": "joe",
	}}
	return c
}

// GoldenRecord is one case of a golden.json file, written by golden.py with
// Autobahn|Python's object serializer. Encodings up to 512 bytes are stored
// in Hex; longer ones by Len, the first 32 bytes (Prefix) and SHA256.
type GoldenRecord struct {
	Name   string `json:"name"`
	Len    int    `json:"len"`
	SHA256 string `json:"sha256"`
	Hex    string `json:"hex"`
	Prefix string `json:"prefix"`
}

// LoadGolden reads the golden records of path.
func LoadGolden(t testing.TB, path string) []GoldenRecord {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var recs []GoldenRecord
	if err := json.Unmarshal(data, &recs); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return recs
}

// CheckGolden checks that every value of [GoldenValues] encodes with obj to
// exactly the bytes of Autobahn|Python recorded in path, and that Python's
// bytes decode to the value.
func CheckGolden(t *testing.T, obj core.ObjectSerializer, path string) {
	values := GoldenValues()
	recs := LoadGolden(t, path)
	seen := make(map[string]bool)
	for _, rec := range recs {
		t.Run(rec.Name, func(t *testing.T) {
			seen[rec.Name] = true
			v, ok := values[rec.Name]
			if !ok {
				t.Fatalf("no Go value for golden case %q", rec.Name)
			}
			got, err := obj.Marshal(nil, v)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			sum := sha256.Sum256(got)
			if len(got) != rec.Len || hex.EncodeToString(sum[:]) != rec.SHA256 {
				n := min(len(got), 64)
				t.Fatalf("Marshal = %d bytes %x…, Python has %d bytes %s%s", len(got), got[:n], rec.Len, rec.Hex, rec.Prefix)
			}
			python := got // equal to Python's bytes, as checked above
			if rec.Hex != "" {
				if python, err = hex.DecodeString(rec.Hex); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, python) {
					t.Fatalf("Marshal = %x, Python has %x", got, python)
				}
			}
			back, err := obj.Unmarshal(python)
			if err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if !Same(back, v) {
				t.Fatalf("Unmarshal = %s, want %s", Show(back), Show(v))
			}
		})
	}
	for name := range values {
		if !seen[name] {
			t.Errorf("Go value %q has no golden case; rerun %s %s", name, GoldenScript, obj.Name())
		}
	}
}
