package msgpack

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"
)

// goldenRecord is one case of testdata/golden.json, written by
// testdata/golden.py with Autobahn|Python's MessagePack serializer.
type goldenRecord struct {
	Name   string `json:"name"`
	Len    int    `json:"len"`
	SHA256 string `json:"sha256"`
	Hex    string `json:"hex"`
	Prefix string `json:"prefix"`
}

func loadGolden(t testing.TB) []goldenRecord {
	t.Helper()
	data, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var recs []goldenRecord
	if err := json.Unmarshal(data, &recs); err != nil {
		t.Fatalf("testdata/golden.json: %v", err)
	}
	return recs
}

// TestGoldenPython checks that every value encodes to exactly the bytes of
// Autobahn|Python and that Python's bytes decode to the value.
func TestGoldenPython(t *testing.T) {
	values := goldenValues()
	recs := loadGolden(t)
	seen := make(map[string]bool)
	for _, rec := range recs {
		t.Run(rec.Name, func(t *testing.T) {
			seen[rec.Name] = true
			v, ok := values[rec.Name]
			if !ok {
				t.Fatalf("no Go value for golden case %q", rec.Name)
			}
			got, err := Object.Marshal(nil, v)
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
			back, err := Object.Unmarshal(python)
			if err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if !same(back, v) {
				t.Fatalf("Unmarshal = %s, want %s", show(back), show(v))
			}
		})
	}
	for name := range values {
		if !seen[name] {
			t.Errorf("Go value %q has no golden case; rerun testdata/golden.py", name)
		}
	}
}
