package ubjson

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math"
	"os/exec"
	"strings"
	"testing"

	"github.com/autobahn-go/autobahn/internal/testpeer"
)

const python = "/usr/bin/python3"

// pyScript reads a JSON list of Python expressions and prints, for each, the
// hex of ubjson.dumpb(value) with default options and with
// container_count=True.
const pyScript = `
import json, sys, ubjson
out = []
for e in json.load(sys.stdin):
    v = eval(e)
    out.append([ubjson.dumpb(v).hex(), ubjson.dumpb(v, container_count=True).hex()])
print(json.dumps(out))
`

// pyDecodeScript reads hex lines and prints repr(ubjson.loadb(…)) for each.
const pyDecodeScript = `
import sys, ubjson
for line in sys.stdin.read().split():
    print(repr(ubjson.loadb(bytes.fromhex(line))))
`

func havePythonUBJSON(t *testing.T) {
	t.Helper()
	if err := exec.Command(python, "-c", "import ubjson").Run(); err != nil {
		t.Skipf("%s cannot import ubjson (python3-ubjson not installed?): %v", python, err)
	}
}

// TestPythonCompat checks that Marshal writes the bytes py-ubjson writes, and
// that Unmarshal reads what py-ubjson writes, plain and with counted
// containers. Dict literals list keys in sorted order so that Python's
// insertion order equals our sorted order.
func TestPythonCompat(t *testing.T) {
	havePythonUBJSON(t)
	payload := strings.Repeat("x", 1024)
	cases := []struct {
		py   string
		v    any
		want any // decoded form when it differs from v
	}{
		{py: "None", v: nil},
		{py: "[True, False]", v: []any{true, false}},
		{py: "[0, 1, 127, 128, 255, 256, -1, -128, -129, 32767, 32768, -32768, -32769]",
			v: []any{int64(0), int64(1), int64(127), int64(128), int64(255), int64(256), int64(-1), int64(-128),
				int64(-129), int64(32767), int64(32768), int64(-32768), int64(-32769)}},
		{py: "[2**31-1, 2**31, -2**31, -2**31-1, 2**63-1, -2**63]",
			v: []any{int64(math.MaxInt32), int64(math.MaxInt32 + 1), int64(math.MinInt32), int64(math.MinInt32 - 1),
				int64(math.MaxInt64), int64(math.MinInt64)}},
		{py: "[2**63, 2**64-1]", v: []any{uint64(1 << 63), uint64(math.MaxUint64)}},
		{py: "[0.0, -0.0, 1.5, -2.5, 0.1, 1e300, 2.2250738585072014e-308, 1.7976931348623157e308]",
			v: []any{0.0, math.Copysign(0, -1), 1.5, -2.5, 0.1, 1e300, 0x1p-1022, math.MaxFloat64}},
		{py: "[5e-324, -1e-310, 2.225073858507201e-308]", v: []any{5e-324, -1e-310, 2.225073858507201e-308}},
		{py: "[float('inf'), float('-inf'), float('nan')]", v: []any{math.Inf(1), math.Inf(-1), math.NaN()}, want: []any{nil, nil, nil}},
		{py: "['', 'a', '\\x7f', 'ab', 'é', '€uro', 'a'*255, 'a'*256, 'a'*40000]",
			v: []any{"", "a", "\x7f", "ab", "é", "€uro", strings.Repeat("a", 255), strings.Repeat("a", 256), strings.Repeat("a", 40000)}},
		{py: "[b'', b'\\x00\\xff', b'z'*300]", v: []any{[]byte{}, []byte{0, 0xff}, bytes.Repeat([]byte("z"), 300)}},
		{py: "{}", v: map[string]any{}},
		{py: "{'': 1, 'a': {'b': [None, {}]}, 'k'*300: 'v', 'é': []}",
			v: map[string]any{"": int64(1), "a": map[string]any{"b": []any{nil, map[string]any{}}}, strings.Repeat("k", 300): "v", "é": []any{}}},
		{py: "[48, 7814135, {}, 'com.myapp.add2', [23, 7], {'mode': 'fast', 'verbose': True}]",
			v: []any{int64(48), int64(7814135), map[string]any{}, "com.myapp.add2", []any{int64(23), int64(7)},
				map[string]any{"mode": "fast", "verbose": true}}},
		{py: "[36, 5512315355, 4429313566, {}, ['x'*1024]]",
			v: []any{int64(36), int64(5512315355), int64(4429313566), map[string]any{}, []any{payload}}},
	}
	exprs := make([]string, len(cases))
	for i, c := range cases {
		exprs[i] = c.py
	}
	in, _ := json.Marshal(exprs)
	var out [][2]string
	if err := json.Unmarshal([]byte(testpeer.RunPythonScript(t, pyScript, string(in))), &out); err != nil || len(out) != len(cases) {
		t.Fatalf("python output: %v (%d results for %d cases)", err, len(out), len(cases))
	}
	for i, c := range cases {
		plain, _ := hex.DecodeString(out[i][0])
		counted, _ := hex.DecodeString(out[i][1])
		got, err := codec{}.Marshal(nil, c.v)
		if err != nil {
			t.Errorf("%s: Marshal: %v", c.py, err)
		} else if !bytes.Equal(got, plain) {
			t.Errorf("%s: Marshal\n got    % .80x\n python % .80x", c.py, got, plain)
		}
		want := c.want
		if want == nil {
			want = c.v
		}
		for _, enc := range [][]byte{plain, counted} {
			v, err := codec{}.Unmarshal(enc)
			if err != nil {
				t.Errorf("%s: Unmarshal(% .60x): %v", c.py, enc, err)
			} else if !equalValues(v, want) {
				t.Errorf("%s: Unmarshal(% .60x) = %.200v, want %.200v", c.py, enc, v, want)
			}
		}
	}
}

// TestPythonDecodesOurs feeds Marshal output to py-ubjson's loadb.
func TestPythonDecodesOurs(t *testing.T) {
	havePythonUBJSON(t)
	values := []struct {
		v    any
		repr string
	}{
		{[]any{int64(1), "a", []byte{1}}, "[1, 'a', b'\\x01']"},
		{map[string]any{"b": 2.5, "a": nil}, "{'a': None, 'b': 2.5}"},
		{uint64(math.MaxUint64), "Decimal('18446744073709551615')"},
		{5e-324, "Decimal('4.940656458412465441765687928682213723650598026143247644255856825006755072702087518652998363616359923797965646954457177309266567103559397963987747960107818781263007131903114045278458171678489821036887186360569987307230500063874091535649843873124733972731696151400317153853980741262385655911710266585566867681870395603106249319452715914924553293054565444011274801297099995419319894090804165633245247571478690147267801593552386115501348035264934720193790268107107491703332226844753335720832431936092382893458368060106011506169809753078342277318329247904982524730776375927247874656084778203734469699533647017972677717585125660551199131504891101451037862738167250955837389733598993664809941164205702637090279242767544565229087538682506419718265533447265625E-324')"},
		{"é", "'é'"},
	}
	encoded := make([][]byte, len(values))
	for i, c := range values {
		var err error
		if encoded[i], err = (codec{}).Marshal(nil, c.v); err != nil {
			t.Fatal(err)
		}
	}
	lines := testpeer.PythonHexLines(t, pyDecodeScript, encoded)
	for i, c := range values {
		if lines[i] != c.repr {
			t.Errorf("python loadb(Marshal(%.40v)) = %.80s, want %.80s", c.v, lines[i], c.repr)
		}
	}
}
