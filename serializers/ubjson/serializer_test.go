package ubjson

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"
)

func TestRegistered(t *testing.T) {
	tests := []struct {
		s       core.Serializer
		name    string
		proto   string
		batched bool
	}{
		{Serializer, "ubjson", "wamp.2.ubjson", false},
		{Batched, "ubjson.batched", "wamp.2.ubjson.batched", true},
	}
	for _, tc := range tests {
		if tc.s.Name() != tc.name || tc.s.Subprotocol() != tc.proto || tc.s.Batched() != tc.batched ||
			!tc.s.Binary() || tc.s.RawSocketID() != 4 {
			t.Errorf("%s: Name %q, Subprotocol %q, Batched %v, Binary %v, RawSocketID %d", tc.name,
				tc.s.Name(), tc.s.Subprotocol(), tc.s.Batched(), tc.s.Binary(), tc.s.RawSocketID())
		}
		if got, err := registry.Default.Serializer(tc.name); err != nil || got != tc.s {
			t.Errorf("registry.Default.Serializer(%q) = %v, %v", tc.name, got, err)
		}
		if got, err := registry.Default.SerializerBySubprotocol(tc.proto); err != nil || got != tc.s {
			t.Errorf("registry.Default.SerializerBySubprotocol(%q) = %v, %v", tc.proto, got, err)
		}
		if obj, ok := core.Object(tc.s); !ok || obj != Object {
			t.Errorf("core.Object(%s) = %v, %v", tc.name, obj, ok)
		}
	}
	if got, err := registry.Default.SerializerByRawSocketID(4); err != nil || got != Serializer {
		t.Errorf("registry.Default.SerializerByRawSocketID(4) = %v, %v", got, err)
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

// callUBJSON is py-ubjson's dumpb([48, 7814135, {}, "com.myapp.add2", [23, 7],
// {"mode": "fast", "verbose": True}]).
const callUBJSON = "5b 5530 6c00773bf7 7b7d 53550e 636f6d2e6d796170702e61646432 5b 5517 5507 5d" +
	" 7b 5504 6d6f6465 535504 66617374 5507 766572626f7365 54 7d 5d"

func TestSerializeMessage(t *testing.T) {
	want := h(t, callUBJSON)
	b, err := Serializer.Serialize(call())
	if err != nil || !bytes.Equal(b, want) {
		t.Fatalf("Serialize = % x, %v; want % x", b, err, want)
	}
	msgs, err := Serializer.Unserialize(want)
	if err != nil || len(msgs) != 1 || !reflect.DeepEqual(msgs[0], call()) {
		t.Fatalf("Unserialize = %#v, %v; want the call", msgs, err)
	}
	_, err = Serializer.Unserialize(append(want, 'Z'))
	var se *SyntaxError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "1 trailing bytes") {
		t.Fatalf("Unserialize with a trailing byte: %v", err)
	}
}

func TestBatched(t *testing.T) {
	one := h(t, callUBJSON)
	framed := append([]byte{0, 0, 0, byte(len(one))}, one...)
	b, err := Batched.Serialize(call())
	if err != nil || !bytes.Equal(b, framed) {
		t.Fatalf("batched Serialize = % x, %v; want % x", b, err, framed)
	}
	msgs, err := Batched.Unserialize(append(append([]byte{}, framed...), framed...))
	if err != nil || len(msgs) != 2 || !reflect.DeepEqual(msgs[1], call()) {
		t.Fatalf("batched Unserialize = %#v, %v; want two calls", msgs, err)
	}
	bad := append(append([]byte{}, framed...), 0, 0, 0, 2, '[', 'Z')
	if _, err := Batched.Unserialize(bad); err == nil || !strings.Contains(err.Error(), "expected array element or ']'") {
		t.Fatalf("batched Unserialize of a truncated part: %v", err)
	}
}
