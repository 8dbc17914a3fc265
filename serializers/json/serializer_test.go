package json

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"
)

func TestRegistered(t *testing.T) {
	tests := []struct {
		name, subprotocol string
		batched           bool
	}{
		{"json", "wamp.2.json", false},
		{"json.batched", "wamp.2.json.batched", true},
	}
	for _, tt := range tests {
		s, err := registry.Default.Serializer(tt.name)
		if err != nil {
			t.Fatal(err)
		}
		if s.Subprotocol() != tt.subprotocol || s.Batched() != tt.batched || s.Binary() || s.RawSocketID() != 1 {
			t.Errorf("%s: subprotocol %q batched %v binary %v id %d", tt.name, s.Subprotocol(), s.Batched(), s.Binary(), s.RawSocketID())
		}
		if bySub, err := registry.Default.SerializerBySubprotocol(tt.subprotocol); err != nil || bySub != s {
			t.Errorf("lookup of %q: %v, %v", tt.subprotocol, bySub, err)
		}
		if obj, ok := core.Object(s); !ok || obj != Object {
			t.Errorf("%s: core.Object = %v, %v; want Object", tt.name, obj, ok)
		}
	}
	if s, err := registry.Default.SerializerByRawSocketID(1); err != nil || s != Serializer {
		t.Errorf("RawSocket id 1 = %v, %v; want Serializer", s, err)
	}
}

func call() *core.Call {
	return &core.Call{
		Request:   7814135,
		Procedure: "com.myapp.add2",
		Args:      []any{int64(23), int64(7)},
		Kwargs:    map[string]any{"mode": "fast", "verbose": true},
	}
}

const callJSON = `[48,7814135,{},"com.myapp.add2",[23,7],{"mode":"fast","verbose":true}]`

func TestSerializeMessage(t *testing.T) {
	b, err := Serializer.Serialize(call())
	if err != nil || string(b) != callJSON {
		t.Fatalf("Serialize = %s, %v; want %s", b, err, callJSON)
	}
	msgs, err := Serializer.Unserialize([]byte(callJSON))
	if err != nil || len(msgs) != 1 || !reflect.DeepEqual(msgs[0], call()) {
		t.Fatalf("Unserialize = %#v, %v; want the call", msgs, err)
	}
}

func TestBatched(t *testing.T) {
	b, err := Batched.Serialize(call())
	if err != nil || string(b) != callJSON+"\x18" {
		t.Fatalf("batched Serialize = %q, %v; want the call and 0x18", b, err)
	}
	tests := []struct {
		name string
		in   string
		n    int
		err  string
	}{
		{"autobahn separator", callJSON + "\x18", 1, ""},
		{"spec separator", callJSON + "\x1e", 1, ""},
		{"mixed", callJSON + "\x18" + callJSON + "\x1e" + callJSON + "\x18", 3, ""},
		{"missing final separator", callJSON + "\x18" + callJSON, 0, "does not end with a separator"},
		{"empty", "", 0, "empty batch"},
		{"bad part", callJSON + "\x18[48,\x18", 0, "json: unexpected end of input, expecting a value at offset 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, err := Batched.Unserialize([]byte(tt.in))
			if tt.err != "" {
				var se *core.SerializationError
				if !errors.As(err, &se) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Unserialize(%q) = %v, %v; want a SerializationError containing %q", tt.in, msgs, err, tt.err)
				}
				return
			}
			if err != nil || len(msgs) != tt.n {
				t.Fatalf("Unserialize(%q) = %d messages, %v; want %d", tt.in, len(msgs), err, tt.n)
			}
			for _, m := range msgs {
				if !reflect.DeepEqual(m, call()) {
					t.Errorf("message %#v; want the call", m)
				}
			}
		})
	}
}

func TestUnserializeErrors(t *testing.T) {
	tests := []struct {
		name, in string
		syntax   bool
		want     string
	}{
		{"syntax", `[48,`, true, "unexpected end of input, expecting a value at offset 4"},
		{"bad UTF-8", "[48,1,{},\"a\xff\"]", true, "invalid UTF-8"},
		{"two values", `[48] [48]`, true, "expecting the end of input"},
		{"not a message", `{"a":1}`, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, err := Serializer.Unserialize([]byte(tt.in))
			if err == nil {
				t.Fatalf("Unserialize(%q) = %v; want an error", tt.in, msgs)
			}
			var se *SyntaxError
			if errors.As(err, &se) != tt.syntax || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Unserialize(%q) error %q; syntax error %v, want %v containing %q", tt.in, err, !tt.syntax, tt.syntax, tt.want)
			}
		})
	}
}

func TestSerializeError(t *testing.T) {
	m := call()
	m.Args = []any{complex(1, 2)}
	_, err := Serializer.Serialize(m)
	var me *MarshalError
	if !errors.As(err, &me) || me.Path != "[4][0]" || !strings.Contains(err.Error(), "unsupported type complex128") {
		t.Fatalf("Serialize error = %v; want a MarshalError at [4][0]", err)
	}
}

func BenchmarkMessage(b *testing.B) {
	payload := make([]byte, 1024)
	msgs := []struct {
		name string
		msg  core.Message
	}{
		{"call", call()},
		{"event1KiB", &core.Event{Subscription: 5512315355, Publication: 4429313566, Args: []any{payload}}},
	}
	for _, m := range msgs {
		data, err := Serializer.Serialize(m.msg)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("Serialize/"+m.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Serializer.Serialize(m.msg); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("Unserialize/"+m.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Serializer.Unserialize(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
