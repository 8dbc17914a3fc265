package serialtest

import (
	"bytes"
	"errors"
	"testing"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"
)

// Binary describes a binary serializer package: its object serializer and
// the plain and batched message serializers made from it.
type Binary struct {
	Object      core.ObjectSerializer
	Plain       core.Serializer
	Batched     core.Serializer
	RawSocketID byte
}

// CheckRegistered checks that the package registered both message
// serializers with [registry.Default] under their names and RawSocket id.
func (s Binary) CheckRegistered(t *testing.T) {
	name := s.Object.Name()
	for _, tc := range []struct {
		name, subprotocol string
		want              core.Serializer
		batched           bool
	}{
		{name, "wamp.2." + name, s.Plain, false},
		{name + ".batched", "wamp.2." + name + ".batched", s.Batched, true},
	} {
		got, err := registry.Default.Serializer(tc.name)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("registry has %v for %q, want the package's serializer", got, tc.name)
		}
		if got.Subprotocol() != tc.subprotocol || got.RawSocketID() != s.RawSocketID || !got.Binary() || got.Batched() != tc.batched {
			t.Errorf("%s: subprotocol %q, RawSocket id %d, binary %v, batched %v", tc.name, got.Subprotocol(), got.RawSocketID(), got.Binary(), got.Batched())
		}
		if obj, ok := core.Object(got); !ok || obj != s.Object {
			t.Errorf("%s: core.Object = %v, %v", tc.name, obj, ok)
		}
	}
	if got, err := registry.Default.SerializerByRawSocketID(s.RawSocketID); err != nil || got != s.Plain {
		t.Errorf("RawSocket id %d = %v, %v", s.RawSocketID, got, err)
	}
}

// listMessage is a stand-in WAMP message with a fixed list form.
type listMessage []any

func (m listMessage) Type() core.MessageType { return core.MessageType(m[0].(int64)) }
func (m listMessage) List() ([]any, error)   { return m, nil }

// CheckSerialize checks the message serializers: the plain one writes the
// object encoding, the batched one prefixes it with its 32-bit length.
func (s Binary) CheckSerialize(t *testing.T) {
	call := Call()
	want, err := s.Object.Marshal(nil, call)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Plain.Serialize(listMessage(call))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Serialize = %x, want %x", got, want)
	}
	got, err = s.Batched.Serialize(listMessage(call))
	if err != nil {
		t.Fatal(err)
	}
	if prefix := []byte{0, 0, 0, byte(len(want))}; !bytes.Equal(got, append(prefix, want...)) {
		t.Errorf("batched Serialize = %x, want %x%x", got, prefix, want)
	}
}

// CheckUnserialize reads messages through the WAMP message model: a CALL
// parses, and its list form re-encodes to the same bytes; a batch yields its
// messages in order; bad bytes give a SerializationError naming the
// serializer.
func (s Binary) CheckUnserialize(t *testing.T) {
	call := Call()
	data, err := s.Object.Marshal(nil, call)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := s.Plain.Unserialize(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Type() != core.TypeCall {
		t.Fatalf("Unserialize = %v, want one CALL", msgs)
	}
	c, ok := msgs[0].(*core.Call)
	if !ok || c.Request != 7814135 || c.Procedure != "com.myapp.add2" || !Same(c.Args, call[4]) || !Same(c.Kwargs, call[5]) {
		t.Errorf("Unserialize = %#v", msgs[0])
	}
	again, err := s.Plain.Serialize(msgs[0])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, data) {
		t.Errorf("Serialize(Unserialize(%x)) = %x", data, again)
	}

	one, err := s.Batched.Serialize(listMessage(call))
	if err != nil {
		t.Fatal(err)
	}
	msgs, err = s.Batched.Unserialize(append(one, one...))
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].Type() != core.TypeCall || msgs[1].Type() != core.TypeCall {
		t.Errorf("batched Unserialize = %v, want two CALLs", msgs)
	}

	_, err = s.Plain.Unserialize([]byte{0x01, 0x02})
	var serr *core.SerializationError
	if !errors.As(err, &serr) || serr.Serializer != s.Object.Name() || serr.Op != "unserialize" {
		t.Errorf("Unserialize(bad bytes) error = %#v, want a SerializationError of %s", err, s.Object.Name())
	}
}
