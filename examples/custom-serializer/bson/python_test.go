package bson

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math"
	"os/exec"
	"strings"
	"testing"

	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/serializers/serializertest"
)

// The tests of this file hold the package to real BSON: pymongo's bson
// module (Debian's python3-bson, installed by scripts/install-peers.sh)
// encodes documents that Unmarshal must read, and decodes what Marshal
// writes. Without it they are skipped, unless AUTOBAHN_INTEROP=1.

// pyEncodeScript reads a JSON list of Python expressions, each a dict, and
// prints the hex of bson.encode of each.
const pyEncodeScript = `
import json, sys, bson
from bson.binary import Binary
from bson.decimal128 import Decimal128
from bson.int64 import Int64
print(json.dumps([bson.encode(eval(e)).hex() for e in json.load(sys.stdin)]))
`

// pyDecodeScript reads hex lines and prints, for each, the repr of
// bson.decode, or the name of the exception it raised.
const pyDecodeScript = `
import sys, bson
for line in sys.stdin.read().split():
    try:
        print(repr(bson.decode(bytes.fromhex(line))))
    except Exception as e:
        print(type(e).__name__)
`

func requirePymongoBSON(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("interop test (-short)")
	}
	probe := "import bson, bson.decimal128, bson.binary; bson.encode({}); bson.decode(b'\\x05\\x00\\x00\\x00\\x00')"
	if out, err := exec.Command(testpeer.Python, "-c", probe).CombinedOutput(); err != nil {
		testpeer.Unavailable(t, "pymongo's bson module is not usable (apt-get install python3-bson): "+err.Error()+"\n"+string(out))
	}
}

// TestPymongoEncodes checks that Marshal writes pymongo's bytes for the same
// document, and that Unmarshal reads pymongo's documents, including forms
// Marshal never writes (Int64 for small integers, the old binary subtype,
// decimal128 with other exponents). The dict literals list keys in sorted
// order, since Python keeps insertion order and Marshal sorts.
func TestPymongoEncodes(t *testing.T) {
	requirePymongoBSON(t)
	cases := []struct {
		py   string
		v    any // the value Marshal encodes to the same bytes, or nil
		want any // the decoded value when v is nil
	}{
		{py: "{'0': 48, '1': 7814135, '2': {}, '3': 'com.myapp.add2', '4': [23, 7], '5': {'mode': 'fast', 'verbose': True}}",
			v: serializertest.Call()},
		{py: "{'0': 36, '1': 5512315355, '2': 4429313566, '3': {}, '4': [bytes(i % 251 for i in range(1024))]}",
			v: serializertest.Event()},
		{py: "{'0': None, '1': True, '2': False, '3': 0, '4': -1, '5': 2**31-1, '6': -2**31, '7': 2**31, '8': -2**31-1, '9': 2**63-1}",
			v: []any{nil, true, false, int64(0), int64(-1), int64(math.MaxInt32), int64(math.MinInt32), int64(math.MaxInt32 + 1),
				int64(math.MinInt32 - 1), int64(math.MaxInt64)}},
		{py: "{'0': -2**63, '1': Decimal128('18446744073709551615'), '2': Decimal128('9223372036854775808')}",
			v: []any{int64(math.MinInt64), uint64(math.MaxUint64), uint64(1 << 63)}},
		{py: "{'0': 0.0, '1': -0.0, '2': 1.5, '3': 0.1, '4': 5e-324, '5': 1.7976931348623157e308, '6': float('inf'), '7': float('-inf')}",
			v: []any{0.0, math.Copysign(0, -1), 1.5, 0.1, 5e-324, math.MaxFloat64, math.Inf(1), math.Inf(-1)}},
		{py: "{'0': '', '1': 'é€😀', '2': 'a\\x00b', '3': b'', '4': b'\\x00\\xff', '5': [], '6': {}}",
			v: []any{"", "é€😀", "a\x00b", []byte{}, []byte{0, 0xff}, []any{}, map[string]any{}}},
		{py: "{'0': {'': 1, 'a': {'b': [None, {}]}, 'é': []}}",
			v: []any{map[string]any{"": int64(1), "a": map[string]any{"b": []any{nil, map[string]any{}}}, "é": []any{}}}},
		{py: "{'value': {'args': [1], 'kwargs': {}, 'uri': 'com.example'}}",
			v: map[string]any{"args": []any{int64(1)}, "kwargs": map[string]any{}, "uri": "com.example"}},
		{py: "{'0': Int64(5), '1': Binary(b'ab', 2), '2': Binary(b'\\x01', 4), '3': Binary(b'\\x02', 128)}",
			want: []any{int64(5), []byte("ab"), []byte{1}, []byte{2}}},
		{py: "{'0': Decimal128('1E+19'), '1': Decimal128('-5'), '2': Decimal128('1.50E+1'), '3': Decimal128('-0')}",
			want: []any{uint64(1e19), int64(-5), int64(15), int64(0)}},
	}
	exprs := make([]string, len(cases))
	for i, c := range cases {
		exprs[i] = c.py
	}
	in, _ := json.Marshal(exprs)
	var out []string
	if err := json.Unmarshal([]byte(testpeer.RunPythonScript(t, pyEncodeScript, string(in))), &out); err != nil || len(out) != len(cases) {
		t.Fatalf("python output: %v (%d results for %d cases)", err, len(out), len(cases))
	}
	for i, c := range cases {
		theirs, _ := hex.DecodeString(out[i])
		want := c.want
		if c.v != nil {
			want = c.v
			ours, err := New().Marshal(nil, c.v)
			if err != nil {
				t.Errorf("%.60s: Marshal: %v", c.py, err)
			} else if !bytes.Equal(ours, theirs) {
				t.Errorf("%.60s: Marshal\n ours    %.120x\n pymongo %.120x", c.py, ours, theirs)
			}
		}
		got, err := New().Unmarshal(theirs)
		if err != nil || !serializertest.Same(got, want) {
			t.Errorf("%.60s: Unmarshal(pymongo's %.80x) = %s, %v; want %s", c.py, theirs, serializertest.Show(got), err, serializertest.Show(want))
		}
	}
}

// TestPymongoDecodes feeds Marshal's documents to pymongo's bson.decode.
func TestPymongoDecodes(t *testing.T) {
	requirePymongoBSON(t)
	cases := []struct {
		v    any
		repr string
	}{
		{serializertest.Call(), "{'0': 48, '1': 7814135, '2': {}, '3': 'com.myapp.add2', '4': [23, 7], '5': {'mode': 'fast', 'verbose': True}}"},
		{[]any{uint64(math.MaxUint64), int64(math.MinInt64), []byte{1, 2}, nil}, "{'0': Decimal128('18446744073709551615'), '1': -9223372036854775808, '2': b'\\x01\\x02', '3': None}"},
		{[]any{math.NaN(), math.Copysign(0, -1), "é"}, "{'0': nan, '1': -0.0, '2': 'é'}"},
		{map[string]any{"b": 2.5, "a": []any{}}, "{'value': {'a': [], 'b': 2.5}}"},
		{"text", "{'value': 'text'}"},
		{[]any{}, "{}"},
	}
	docs := make([][]byte, len(cases))
	for i, c := range cases {
		var err error
		if docs[i], err = New().Marshal(nil, c.v); err != nil {
			t.Fatal(err)
		}
	}
	lines := testpeer.PythonHexLines(t, pyDecodeScript, docs)
	for i, c := range cases {
		if lines[i] != c.repr {
			t.Errorf("bson.decode(Marshal(%s))\n got  %s\n want %s", serializertest.Show(c.v), lines[i], c.repr)
		}
	}
}

// TestPymongoTypesRefused checks that the BSON types without a WAMP value,
// as pymongo writes them, are refused with an error naming the type.
func TestPymongoTypesRefused(t *testing.T) {
	requirePymongoBSON(t)
	exprs := []string{
		"{'0': __import__('bson').ObjectId('000102030405060708090a0b')}",
		"{'0': __import__('datetime').datetime(2024, 5, 1)}",
		"{'0': __import__('bson').Timestamp(1, 2)}",
		"{'0': __import__('bson').Regex('^a', 'i')}",
		"{'0': __import__('bson').Code('f()')}",
		"{'0': __import__('bson').MinKey()}",
		"{'0': Decimal128('1.5')}",
		"{'0': Decimal128('NaN')}",
	}
	wants := []string{"(ObjectId)", "(UTC datetime)", "(timestamp)", "(regular expression)", "(JavaScript code)",
		"(min key)", "decimal128 15E-1 is not an integer", "decimal128 NaN"}
	in, _ := json.Marshal(exprs)
	var out []string
	if err := json.Unmarshal([]byte(testpeer.RunPythonScript(t, pyEncodeScript, string(in))), &out); err != nil || len(out) != len(exprs) {
		t.Fatalf("python output: %v", err)
	}
	for i, h := range out {
		data, _ := hex.DecodeString(h)
		v, err := New().Unmarshal(data)
		if err == nil || !strings.Contains(err.Error(), wants[i]) {
			t.Errorf("Unmarshal(%s as %x) = %s, %v; want an error containing %q", exprs[i], data, serializertest.Show(v), err, wants[i])
		}
	}
}
