package cbor_test

import (
	"reflect"
	"testing"

	"github.com/autobahn-go/autobahn/serializers/cbor"
)

// UnmarshalAliasing decodes what Unmarshal does, with its byte strings in
// the input's memory.
func TestUnmarshalAliasing(t *testing.T) {
	in := []any{[]byte("payload"), "text", map[string]any{"b": []byte{1, 2}}}
	data, err := cbor.Object.Marshal(nil, in)
	if err != nil {
		t.Fatal(err)
	}
	want, err := cbor.Object.Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	got, err := cbor.UnmarshalAliasing(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v, want %#v", got, want)
	}
	b := got.([]any)[0].([]byte)
	b[0] = 'P'
	if got, _ := cbor.Object.Unmarshal(data); got.([]any)[0].([]byte)[0] != 'P' {
		t.Error("the byte string is a copy")
	}
	if want.([]any)[0].([]byte)[0] != 'p' {
		t.Error("Unmarshal's byte string aliases the input")
	}
}
