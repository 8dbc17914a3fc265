package json

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/autobahn-go/autobahn/internal/testpeer"
)

// python runs script with Debian's Python (skipping the test when it is
// missing) and returns its output lines.
func python(t *testing.T, script, stdin string) []string {
	t.Helper()
	if err := exec.Command(testpeer.Python, "-c", "import json").Run(); err != nil {
		t.Skipf("no usable %s: %v", testpeer.Python, err)
	}
	out := testpeer.RunPythonScript(t, script, stdin)
	return strings.Split(strings.TrimSuffix(out, "\n"), "\n")
}

// pyDumps is how Autobahn|Python writes JSON.
const pyDumps = `
import json, struct, sys
def dumps(o):
    return json.dumps(o, separators=(',', ':'), ensure_ascii=False)
out = sys.stdout.buffer
def emit(s):
    out.write(s.encode('utf8') + b'\n')
`

// TestPythonFloats compares the encoding of floats with Python's repr.
func TestPythonFloats(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	floats := []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1e15, 1e16, 1e-4, 1e-5, 9999999999999998, 5e-324, math.MaxFloat64, 1 << 53, 1 << 63, 1 << 64, 0.5, 123.456}
	for i := range 20000 {
		var f float64
		if i%2 == 0 {
			f = math.Float64frombits(r.Uint64())
		} else {
			f = r.NormFloat64() * math.Pow(10, float64(r.IntN(44)-22))
		}
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			floats = append(floats, f)
		}
	}
	var in strings.Builder
	list := make([]any, len(floats))
	for i, f := range floats {
		fmt.Fprintf(&in, "%016x\n", math.Float64bits(f))
		list[i] = f
	}
	got := python(t, pyDumps+`
for line in sys.stdin:
    emit(dumps(struct.unpack('>d', bytes.fromhex(line.strip()))[0]))
`, in.String())
	if len(got) != len(floats) {
		t.Fatalf("python printed %d lines for %d floats", len(got), len(floats))
	}
	for i, f := range floats {
		b, err := Marshal(nil, f)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != got[i] {
			t.Errorf("float %016x: we write %s, Python %s", math.Float64bits(f), b, got[i])
		}
	}
}

// TestPythonStrings compares the encoding of every code point from U+0000 to
// U+3000 and some beyond, alone and inside text, with Python's.
func TestPythonStrings(t *testing.T) {
	var in strings.Builder
	var runes []rune
	for r := rune(0); r < 0x3000; r++ {
		runes = append(runes, r)
	}
	runes = append(runes, 0xfeff, 0xfffd, 0xffff, 0x10000, 0x1d11e, 0x10ffff)
	for _, r := range runes {
		fmt.Fprintf(&in, "%d\n", r)
	}
	got := python(t, pyDumps+`
for line in sys.stdin:
    c = chr(int(line))
    emit(dumps({'k' + c: ['a' + c + 'b', c + c]}))
`, in.String())
	if len(got) != len(runes) {
		t.Fatalf("python printed %d lines for %d runes", len(got), len(runes))
	}
	for i, r := range runes {
		c := string(r)
		b, err := Marshal(nil, map[string]any{"k" + c: []any{"a" + c + "b", c + c}})
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != got[i] {
			t.Errorf("U+%04X: we write %s, Python %s", r, b, got[i])
		}
	}
}

// TestPythonAutobahn compares whole messages with Autobahn|Python's JSON
// serializer in both directions, including the binary convention and big
// integers.
func TestPythonAutobahn(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import autobahn.wamp.serializer").Run(); err != nil {
		t.Skipf("Autobahn|Python not importable: %v", err)
	}
	payload := make([]byte, 1024)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	// Python keeps insertion order; the keys below are inserted sorted.
	got := python(t, `
import sys
from autobahn.wamp.serializer import JsonObjectSerializer
s = JsonObjectSerializer()
payload = bytes((i * 7) % 256 for i in range(1024))
msgs = [
    [48, 7814135, {}, "com.myapp.add2", [23, 7], {"mode": "fast", "verbose": True}],
    [36, 5512315355, 4429313566, {}, [payload]],
    [70, 1, {"a": -2**63, "b": 2**64 - 1, "c": 2**53, "d": 1.5, "e": 1e16, "f": None, "g": False}, ["\u00e9\u2028/\x00\x1f\x7f\"\\", b"", b"\x00\xff"]],
]
for m in msgs:
    sys.stdout.buffer.write(s.serialize(m) + b'\n')
# Decode what we send and write it back.
for line in sys.stdin.buffer:
    sys.stdout.buffer.write(s.serialize(s.unserialize(line.rstrip(b'\n'))[0]) + b'\n')
`, `[1,"\u0000AP8=",{"x":"\u0000"},18446744073709551615,-9223372036854775808,0.1]`+"\n")
	want := []any{
		[]any{int64(48), int64(7814135), map[string]any{}, "com.myapp.add2", []any{int64(23), int64(7)}, map[string]any{"mode": "fast", "verbose": true}},
		[]any{int64(36), int64(5512315355), int64(4429313566), map[string]any{}, []any{payload}},
		[]any{int64(70), int64(1), map[string]any{"a": int64(math.MinInt64), "b": uint64(math.MaxUint64), "c": int64(1 << 53), "d": 1.5, "e": 1e16, "f": nil, "g": false},
			[]any{"é\u2028/\x00\x1f\x7f\"\\", []byte{}, []byte{0, 0xff}}},
	}
	if len(got) != len(want)+1 {
		t.Fatalf("python printed %d lines, want %d:\n%s", len(got), len(want)+1, strings.Join(got, "\n"))
	}
	for i, w := range want {
		b, err := Marshal(nil, w)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != got[i] {
			t.Errorf("message %d:\n we write %s\nPython %s", i, b, got[i])
		}
		v, err := Unmarshal([]byte(got[i]))
		if err != nil {
			t.Errorf("message %d: Unmarshal of Python's output: %v", i, err)
		} else if !reflect.DeepEqual(v, w) {
			t.Errorf("message %d: Python's output decodes as %#v\nwant %#v", i, v, w)
		}
	}
	// Python decoded bytes and the integers exactly (but writes map keys in
	// its own order, which here is the same).
	if want := `[1,"\u0000AP8=",{"x":"\u0000"},18446744073709551615,-9223372036854775808,0.1]`; got[3] != want {
		t.Errorf("Python round trip of our message: %s; want %s", got[3], want)
	}
}
