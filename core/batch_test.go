package core

import (
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// fakeObjectSerializer encodes values as JSON with the bytes convention; it
// stands in for the real serializers to test NewSerializer with the message
// model.
type fakeObjectSerializer struct{ binary bool }

func (f fakeObjectSerializer) Name() string      { return "fake" }
func (f fakeObjectSerializer) RawSocketID() byte { return 15 }
func (f fakeObjectSerializer) Binary() bool      { return f.binary }
func (f fakeObjectSerializer) Marshal(dst []byte, v any) ([]byte, error) {
	b, err := toJSON(v)
	return append(dst, b...), err
}
func (f fakeObjectSerializer) Unmarshal(data []byte) (any, error) { return fromJSON(data) }

func TestSerializerWithMessages(t *testing.T) {
	msgs := roundTripMessages()
	for _, binary := range []bool{false, true} {
		for _, batched := range []bool{false, true} {
			s := NewSerializer(fakeObjectSerializer{binary: binary}, batched)
			var batch []byte
			for _, want := range msgs {
				b, err := s.Serialize(want)
				if err != nil {
					t.Fatalf("%s: Serialize(%v): %v", s.Name(), want.Type(), err)
				}
				batch = append(batch, b...)
				got, err := s.Unserialize(b)
				if err != nil {
					t.Fatalf("%s: Unserialize(%v): %v", s.Name(), want.Type(), err)
				}
				if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
					t.Errorf("%s: %v: got %#v", s.Name(), want.Type(), got)
				}
			}
			if !batched {
				continue
			}
			got, err := s.Unserialize(batch)
			if err != nil {
				t.Fatalf("%s: batch: %v", s.Name(), err)
			}
			if !reflect.DeepEqual(got, msgs) {
				t.Errorf("%s: batch of %d gives %d messages", s.Name(), len(msgs), len(got))
			}
		}
	}

	s := NewSerializer(fakeObjectSerializer{}, false)
	if _, err := s.Serialize(&Call{Procedure: "a.b"}); !containsField(err, "CALL.Request") {
		t.Errorf("Serialize of an invalid CALL: %v", err)
	}
	_, err := s.Unserialize([]byte(`[48, 1, {"timeout": 1.5}, "a.b"]`))
	if !containsField(err, "CALL.Options.timeout") {
		t.Errorf("Unserialize of an invalid CALL: %v", err)
	}
	var se *SerializationError
	if _, err := s.Unserialize([]byte(`[48,`)); !errors.As(err, &se) || se.Op != "unserialize" || se.Serializer != "fake" {
		t.Errorf("Unserialize of bad JSON: %v", err)
	}
}

// splitReference cuts a batch into its parts the plain way (a list of
// parts first), as the reference for Unserialize's framing.
func splitReference(data []byte, bin bool) ([][]byte, string) {
	if len(data) == 0 {
		return nil, "empty batch"
	}
	var parts [][]byte
	if !bin {
		start := 0
		for i, b := range data {
			if b == BatchSeparator || b == BatchSeparatorSpec {
				parts = append(parts, data[start:i])
				start = i + 1
			}
		}
		if start != len(data) {
			return nil, "batch does not end with a separator byte (0x18 or 0x1E)"
		}
		return parts, ""
	}
	for len(data) > 0 {
		if len(data) < 4 {
			return nil, fmt.Sprintf("batch has %d trailing bytes, too short for a length prefix", len(data))
		}
		n := binary.BigEndian.Uint32(data)
		if uint64(n) > uint64(len(data)-4) {
			return nil, fmt.Sprintf("batch part announces %d bytes but only %d follow", n, len(data)-4)
		}
		parts = append(parts, data[4:4+n])
		data = data[4+n:]
	}
	return parts, ""
}

// frame returns parts as a binary batch.
func frame(parts ...string) []byte {
	var b []byte
	for _, p := range parts {
		b = binary.BigEndian.AppendUint32(b, uint32(len(p)))
		b = append(b, p...)
	}
	return b
}

func TestUnserializeBatchFraming(t *testing.T) {
	const bye = `[6,{},"wamp.close.normal"]`
	tests := []struct {
		name string
		bin  bool
		data []byte
		n    int    // messages, when valid
		why  string // "" = valid
	}{
		{"text/one", false, []byte(bye + "\x18"), 1, ""},
		{"text/two separators", false, []byte(bye + "\x18" + bye + "\x1e"), 2, ""},
		{"text/empty", false, nil, 0, "empty batch"},
		{"text/no separator", false, []byte(bye), 0, "does not end with a separator"},
		{"text/unterminated last", false, []byte(bye + "\x18" + bye), 0, "does not end with a separator"},
		{"text/empty part", false, []byte(bye + "\x18\x18"), 0, "unserialize"},
		{"binary/one", true, frame(bye), 1, ""},
		{"binary/three", true, frame(bye, bye, bye), 3, ""},
		{"binary/empty", true, nil, 0, "empty batch"},
		{"binary/short prefix", true, append(frame(bye), 0, 0, 0), 0, "3 trailing bytes"},
		{"binary/long part", true, append(frame(bye), 0, 0, 0, 10, '[', ']'), 0, "announces 10 bytes but only 2 follow"},
		{"binary/empty part", true, frame(bye, ""), 0, "unserialize"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSerializer(fakeObjectSerializer{binary: tt.bin}, true)
			got, err := s.Unserialize(tt.data)
			var se *SerializationError
			switch {
			case tt.why == "" && (err != nil || len(got) != tt.n):
				t.Fatalf("Unserialize = %d messages, %v; want %d", len(got), err, tt.n)
			case tt.why == "":
				for _, m := range got {
					if g, ok := m.(*Goodbye); !ok || g.Reason != "wamp.close.normal" {
						t.Errorf("message %#v, want the GOODBYE", m)
					}
				}
			case !errors.As(err, &se) || !strings.Contains(err.Error(), tt.why):
				t.Errorf("Unserialize = %v, want a *SerializationError containing %q", err, tt.why)
			}
		})
	}
}

// FuzzUnserializeBatch checks that Unserialize of a batch never panics and
// frames it as splitReference does: the same framing errors, and for a
// valid framing, one message per part (or the error of a part).
func FuzzUnserializeBatch(f *testing.F) {
	const bye = `[6,{},"wamp.close.normal"]`
	for _, s := range []string{"", bye + "\x18", bye + "\x18" + bye + "\x1e", bye, "\x18\x1e", "[]\x18"} {
		f.Add([]byte(s), false)
	}
	for _, b := range [][]byte{nil, frame(bye), frame(bye, bye), frame(""), {0, 0, 0}, {0, 0, 0, 9, '['}} {
		f.Add(b, true)
	}
	f.Fuzz(func(t *testing.T, data []byte, bin bool) {
		s := NewSerializer(fakeObjectSerializer{binary: bin}, true)
		got, err := s.Unserialize(data)
		parts, why := splitReference(data, bin)
		if why != "" {
			if err == nil || !strings.HasSuffix(err.Error(), why) {
				t.Fatalf("Unserialize(%q) = %v, want the framing error %q", data, err, why)
			}
			return
		}
		if err == nil && len(got) != len(parts) {
			t.Fatalf("Unserialize(%q) = %d messages, reference framing has %d parts", data, len(got), len(parts))
		}
		if err == nil {
			return
		}
		var pe *ProtocolError
		var se *SerializationError
		if !errors.As(err, &pe) && !errors.As(err, &se) {
			t.Fatalf("Unserialize(%q) fails with %T: %v", data, err, err)
		}
	})
}
