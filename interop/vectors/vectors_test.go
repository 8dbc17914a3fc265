package vectors

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"

	_ "github.com/autobahn-go/autobahn/serializers/cbor"
	_ "github.com/autobahn-go/autobahn/serializers/json"
	_ "github.com/autobahn-go/autobahn/serializers/msgpack"
	_ "github.com/autobahn-go/autobahn/serializers/ubjson"
)

// vectorsFile is the file written by testdata/gen_vectors.py.
const vectorsFile = "testdata/vectors.json"

// serializerNames are the serializers every vector is recorded for.
var serializerNames = []string{
	"json", "json.batched",
	"msgpack", "msgpack.batched",
	"cbor", "cbor.batched",
	"ubjson", "ubjson.batched",
}

// vectorFile is the content of vectors.json (see README.md).
type vectorFile struct {
	Generator   map[string]any `json:"generator"`
	Serializers []string       `json:"serializers"`
	Vectors     []*vector      `json:"vectors"`
	Batches     []batch        `json:"batches"`
}

// vector is one message with Autobahn's encodings of it.
type vector struct {
	Name string `json:"name"`
	Type int    `json:"type"`
	// RawList is the generic list form in the lossless notation.
	RawList json.RawMessage `json:"list"`
	// Autobahn holds the bytes Autobahn's serializers wrote, by serializer.
	Autobahn map[string]hexBytes `json:"autobahn"`
	// Canonical holds the bytes Autobahn's serializers write for the list
	// with the keys of every map sorted, by serializer.
	Canonical map[string]hexBytes `json:"canonical"`

	// list is RawList decoded to the value representation of package core.
	list []any
}

// batch is several vector messages in one batched transport message.
type batch struct {
	Serializer string   `json:"serializer"`
	Messages   []string `json:"messages"`
	Hex        hexBytes `json:"hex"`
}

// hexBytes is a byte string written as hex in JSON.
type hexBytes []byte

func (h *hexBytes) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("hex string: %w", err)
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return fmt.Errorf("hex string: %w", err)
	}
	*h = b
	return nil
}

var (
	loadOnce   sync.Once
	loaded     *vectorFile
	errLoading error
)

// loadVectors reads and checks vectors.json once per test binary.
func loadVectors(t testing.TB) *vectorFile {
	t.Helper()
	loadOnce.Do(func() { loaded, errLoading = readVectors(vectorsFile) })
	if errLoading != nil {
		t.Fatal(errLoading)
	}
	return loaded
}

func readVectors(path string) (*vectorFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read vectors: %w", err)
	}
	var vf vectorFile
	if err := json.Unmarshal(data, &vf); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	if !slices.Equal(vf.Serializers, serializerNames) {
		return nil, fmt.Errorf("%s: serializers %v, want %v", path, vf.Serializers, serializerNames)
	}
	for _, v := range vf.Vectors {
		val, err := fromLossless(v.RawList)
		if err != nil {
			return nil, fmt.Errorf("%s: vector %s: list: %w", path, v.Name, err)
		}
		list, ok := val.([]any)
		if !ok || len(list) == 0 {
			return nil, fmt.Errorf("%s: vector %s: list is %T, want a non-empty list", path, v.Name, val)
		}
		v.list = list
		for _, name := range serializerNames {
			if v.Autobahn[name] == nil || v.Canonical[name] == nil {
				return nil, fmt.Errorf("%s: vector %s: no bytes for serializer %s", path, v.Name, name)
			}
		}
	}
	return &vf, nil
}

// byName returns the vector with the given name, or nil.
func (vf *vectorFile) byName(name string) *vector {
	for _, v := range vf.Vectors {
		if v.Name == name {
			return v
		}
	}
	return nil
}

// fromLossless decodes the lossless JSON notation of README.md to the value
// representation of package core.
func fromLossless(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return convertLossless(v)
}

func convertLossless(v any) (any, error) {
	switch x := v.(type) {
	case nil, bool, string:
		return x, nil
	case json.Number:
		return parseNumber(x.String())
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, err := convertLossless(e)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = c
		}
		return out, nil
	case map[string]any:
		if len(x) == 1 {
			if b, ok := x["$bytes"]; ok {
				s, ok := b.(string)
				if !ok {
					return nil, fmt.Errorf("$bytes holds %T, want a base64 string", b)
				}
				raw, err := base64.StdEncoding.DecodeString(s)
				if err != nil {
					return nil, fmt.Errorf("$bytes: %w", err)
				}
				return raw, nil
			}
			if _, ok := x["$decimal"]; ok {
				return nil, errors.New("$decimal has no Go value representation")
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			c, err := convertLossless(e)
			if err != nil {
				return nil, fmt.Errorf("[%q]: %w", k, err)
			}
			out[k] = c
		}
		return out, nil
	}
	return nil, fmt.Errorf("unexpected JSON value of type %T", v)
}

// parseNumber reads a JSON number: a float if it has a fraction or an
// exponent (Python's repr of a float always has one), else an exact integer,
// int64 if it fits and uint64 above math.MaxInt64.
func parseNumber(s string) (any, error) {
	if strings.ContainsAny(s, ".eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("float %s: %w", s, err)
		}
		return f, nil
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, nil
	}
	u, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("integer %s does not fit int64 or uint64: %w", s, err)
	}
	return u, nil
}

// diffValue returns "" if got equals want in the value representation of
// package core, with the same types at every level (int64 1, float64 1 and
// true all differ, and so do 0.0 and -0.0), else a description of the first
// difference. Empty and nil []byte or []any count as equal.
func diffValue(path string, want, got any) string {
	mismatch := func() string {
		return fmt.Sprintf("%s: got %s, want %s", path, describe(got), describe(want))
	}
	switch w := want.(type) {
	case nil:
		if got != nil {
			return mismatch()
		}
	case bool:
		if g, ok := got.(bool); !ok || g != w {
			return mismatch()
		}
	case int64:
		if g, ok := got.(int64); !ok || g != w {
			return mismatch()
		}
	case uint64:
		if g, ok := got.(uint64); !ok || g != w {
			return mismatch()
		}
	case float64:
		if g, ok := got.(float64); !ok || math.Float64bits(g) != math.Float64bits(w) {
			return mismatch()
		}
	case string:
		if g, ok := got.(string); !ok || g != w {
			return mismatch()
		}
	case []byte:
		if g, ok := got.([]byte); !ok || !bytes.Equal(g, w) {
			return mismatch()
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return mismatch()
		}
		for i := range w {
			if d := diffValue(fmt.Sprintf("%s[%d]", path, i), w[i], g[i]); d != "" {
				return d
			}
		}
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return mismatch()
		}
		wk, gk := sortedKeys(w), sortedKeys(g)
		if !slices.Equal(wk, gk) {
			return fmt.Sprintf("%s: got keys %q, want keys %q", path, gk, wk)
		}
		for _, k := range wk {
			if d := diffValue(fmt.Sprintf("%s[%q]", path, k), w[k], g[k]); d != "" {
				return d
			}
		}
	default:
		return fmt.Sprintf("%s: expected value of unsupported type %T", path, want)
	}
	return ""
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func describe(v any) string {
	s := fmt.Sprintf("%T(%#v)", v, v)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// describeBytes shows data as text for JSON and as hex otherwise.
func describeBytes(data []byte, binary bool) string {
	if !binary {
		return strconv.Quote(string(data))
	}
	return hex.EncodeToString(data)
}

// bytesMismatch describes how got differs from want: the first differing
// offset, both encodings, and whether got still decodes to the expected list.
func bytesMismatch(ser core.Serializer, got, want []byte, list []any) string {
	off := 0
	for off < len(got) && off < len(want) && got[off] == want[off] {
		off++
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Serialize differs from the canonical Autobahn bytes at offset %d (got %d bytes, want %d)\n", off, len(got), len(want))
	fmt.Fprintf(&b, "  got:  %s\n", describeBytes(got, ser.Binary()))
	fmt.Fprintf(&b, "  want: %s\n", describeBytes(want, ser.Binary()))
	msgs, err := ser.Unserialize(got)
	switch {
	case err != nil:
		fmt.Fprintf(&b, "  and Go cannot unserialize its own bytes: %v", err)
	case len(msgs) != 1:
		fmt.Fprintf(&b, "  and Go's own bytes unserialize to %d messages", len(msgs))
	default:
		back, err := msgs[0].List()
		if err != nil {
			fmt.Fprintf(&b, "  and List() of Go's own bytes fails: %v", err)
		} else if d := diffValue("$", list, back); d != "" {
			fmt.Fprintf(&b, "  and Go's own bytes decode to a different value: %s", d)
		} else {
			b.WriteString("  (Go's bytes decode to the same value: an encoding difference only)")
		}
	}
	return b.String()
}

// decodeOne unserializes data that must hold exactly one message of the
// vector's type whose list equals the vector's list.
func decodeOne(ser core.Serializer, v *vector, data []byte) (core.Message, error) {
	msgs, err := ser.Unserialize(data)
	if err != nil {
		return nil, fmt.Errorf("Unserialize(%s): %w", describeBytes(data, ser.Binary()), err)
	}
	if len(msgs) != 1 {
		return nil, fmt.Errorf("Unserialize gave %d messages, want 1", len(msgs))
	}
	msg := msgs[0]
	if int(msg.Type()) != v.Type {
		return nil, fmt.Errorf("Unserialize gave a message of type %d (%T), want %d", msg.Type(), msg, v.Type)
	}
	list, err := msg.List()
	if err != nil {
		return nil, fmt.Errorf("List() of the unserialized %T: %w", msg, err)
	}
	if d := diffValue("$", v.list, list); d != "" {
		return nil, fmt.Errorf("List() of the unserialized message differs from the vector: %s", d)
	}
	return msg, nil
}

// lookupSerializers finds every serializer of the vectors in the default
// registry, failing the test for each one that is missing.
func lookupSerializers(t testing.TB) map[string]core.Serializer {
	t.Helper()
	sers := make(map[string]core.Serializer, len(serializerNames))
	for _, name := range serializerNames {
		ser, err := registry.Default.Serializer(name)
		if err != nil {
			t.Error(err)
			continue
		}
		if ser.Name() != name {
			t.Errorf("registry.Default.Serializer(%q) returned serializer %q", name, ser.Name())
			continue
		}
		sers[name] = ser
	}
	return sers
}

// TestVectors decodes Autobahn's bytes of every vector with every serializer
// and checks that re-encoding gives the canonical bytes.
func TestVectors(t *testing.T) {
	vf := loadVectors(t)
	sers := lookupSerializers(t)
	var total, exact, canonical int
	for _, v := range vf.Vectors {
		for _, name := range serializerNames {
			ser := sers[name]
			if ser == nil {
				continue
			}
			t.Run(v.Name+"/"+name, func(t *testing.T) {
				autobahn, canon := v.Autobahn[name], v.Canonical[name]
				msg, err := decodeOne(ser, v, autobahn)
				if err != nil {
					t.Fatalf("Autobahn's bytes: %v", err)
				}
				if !bytes.Equal(autobahn, canon) {
					if _, err := decodeOne(ser, v, canon); err != nil {
						t.Errorf("canonical bytes: %v", err)
					}
				}
				total++
				out, err := ser.Serialize(msg)
				if err != nil {
					t.Fatalf("Serialize(%T): %v", msg, err)
				}
				if !bytes.Equal(out, canon) {
					t.Error(bytesMismatch(ser, out, canon, v.list))
					return
				}
				canonical++
				if bytes.Equal(out, autobahn) {
					exact++
				}
			})
		}
	}
	t.Logf("%d vector encodings: Go's bytes equal Autobahn's canonical (key-sorted) bytes in %d, Autobahn's own bytes in %d", total, canonical, exact)
}

// TestVectorsBatches decodes batches of several messages written by
// Autobahn, and checks that concatenating Go's batches of one gives the same
// bytes as Autobahn's with sorted keys.
func TestVectorsBatches(t *testing.T) {
	vf := loadVectors(t)
	if len(vf.Batches) != 4 {
		t.Fatalf("vectors.json has %d batches, want one per batched serializer (4)", len(vf.Batches))
	}
	sers := lookupSerializers(t)
	for _, b := range vf.Batches {
		ser := sers[b.Serializer]
		if ser == nil {
			continue
		}
		t.Run(b.Serializer, func(t *testing.T) {
			if !ser.Batched() {
				t.Fatalf("serializer %s is not batched", b.Serializer)
			}
			msgs, err := ser.Unserialize(b.Hex)
			if err != nil {
				t.Fatalf("Unserialize(%s): %v", describeBytes(b.Hex, ser.Binary()), err)
			}
			if len(msgs) != len(b.Messages) {
				t.Fatalf("Unserialize gave %d messages, want %d", len(msgs), len(b.Messages))
			}
			var want, got []byte
			for i, name := range b.Messages {
				v := vf.byName(name)
				if v == nil {
					t.Fatalf("batch names unknown vector %q", name)
				}
				list, err := msgs[i].List()
				if err != nil {
					t.Fatalf("message %d (%s): List(): %v", i, name, err)
				}
				if d := diffValue("$", v.list, list); d != "" {
					t.Errorf("message %d (%s): %s", i, name, d)
				}
				out, err := ser.Serialize(msgs[i])
				if err != nil {
					t.Fatalf("message %d (%s): Serialize: %v", i, name, err)
				}
				got = append(got, out...)
				want = append(want, v.Canonical[b.Serializer]...)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("concatenated batches differ:\n  got:  %s\n  want: %s", describeBytes(got, ser.Binary()), describeBytes(want, ser.Binary()))
			}
		})
	}
}

// TestVectorsCoverage guards the vector file itself: every message type is
// present, names are unique, and ParseMessage accepts every expected list.
func TestVectorsCoverage(t *testing.T) {
	vf := loadVectors(t)
	types := map[int]int{}
	names := map[string]bool{}
	for _, v := range vf.Vectors {
		if names[v.Name] {
			t.Errorf("duplicate vector name %q", v.Name)
		}
		names[v.Name] = true
		if first, ok := v.list[0].(int64); !ok || int(first) != v.Type {
			t.Errorf("vector %s: list starts with %s, want type %d", v.Name, describe(v.list[0]), v.Type)
		}
		types[v.Type]++
		msg, err := core.ParseMessage(v.list)
		if err != nil {
			t.Errorf("vector %s: ParseMessage: %v", v.Name, err)
			continue
		}
		list, err := msg.List()
		if err != nil {
			t.Errorf("vector %s: List() of the parsed %T: %v", v.Name, msg, err)
			continue
		}
		if d := diffValue("$", v.list, list); d != "" {
			t.Errorf("vector %s: ParseMessage then List() differs: %s", v.Name, d)
		}
	}
	all := []core.MessageType{
		core.TypeHello, core.TypeWelcome, core.TypeAbort, core.TypeChallenge,
		core.TypeAuthenticate, core.TypeGoodbye, core.TypeError, core.TypePublish,
		core.TypePublished, core.TypeSubscribe, core.TypeSubscribed, core.TypeUnsubscribe,
		core.TypeUnsubscribed, core.TypeEvent, core.TypeCall, core.TypeCancel,
		core.TypeResult, core.TypeRegister, core.TypeRegistered, core.TypeUnregister,
		core.TypeUnregistered, core.TypeInvocation, core.TypeInterrupt, core.TypeYield,
	}
	for _, typ := range all {
		if types[int(typ)] == 0 {
			t.Errorf("no vector for message type %d", typ)
		}
	}
	if len(types) != len(all) {
		t.Errorf("vectors cover %d message types, want %d", len(types), len(all))
	}
}

// FuzzVectorSerializers feeds arbitrary bytes, seeded with every encoding
// Autobahn wrote, to the serializers: they must never panic, and whatever
// they accept must re-encode and decode back to the same list.
func FuzzVectorSerializers(f *testing.F) {
	vf := loadVectors(f)
	for i, name := range serializerNames {
		for _, v := range vf.Vectors {
			f.Add(uint8(i), []byte(v.Autobahn[name]))
		}
	}
	byName := lookupSerializers(f)
	var sers []core.Serializer
	for _, name := range serializerNames {
		if ser := byName[name]; ser != nil {
			sers = append(sers, ser)
		}
	}
	if len(sers) == 0 {
		f.Fatal("no serializers")
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		ser := sers[int(which)%len(sers)]
		msgs, err := ser.Unserialize(data)
		if err != nil {
			return
		}
		for i, msg := range msgs {
			list, err := msg.List()
			if err != nil {
				t.Fatalf("%s: message %d was accepted but List() fails: %v", ser.Name(), i, err)
			}
			out, err := ser.Serialize(msg)
			if err != nil {
				t.Fatalf("%s: message %d was accepted but Serialize fails: %v", ser.Name(), i, err)
			}
			again, err := ser.Unserialize(out)
			if err != nil || len(again) != 1 {
				t.Fatalf("%s: message %d: Unserialize(Serialize) = %d messages, %v", ser.Name(), i, len(again), err)
			}
			list2, err := again[0].List()
			if err != nil {
				t.Fatalf("%s: message %d: List() after the round trip: %v", ser.Name(), i, err)
			}
			if d := diffValue("$", list, list2); d != "" {
				t.Fatalf("%s: message %d changes in a round trip: %s", ser.Name(), i, d)
			}
		}
	})
}
