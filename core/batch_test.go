package core

import (
	"errors"
	"reflect"
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
