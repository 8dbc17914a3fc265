package msgpack_test

import (
	"fmt"

	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/serializers/msgpack"
)

// Encoding and decoding a CALL in its list form. Map keys are written sorted.
func Example() {
	call := []any{int64(48), int64(7814135), map[string]any{}, "com.myapp.add2",
		[]any{int64(23), int64(7)}, map[string]any{"verbose": true, "mode": "fast"}}
	data, err := msgpack.Object.Marshal(nil, call)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%x\n", data)

	v, err := msgpack.Object.Unmarshal(data)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%v\n", v)
	// Output:
	// 9630ce00773bf780ae636f6d2e6d796170702e6164643292170782a46d6f6465a466617374a7766572626f7365c3
	// [48 7814135 map[] com.myapp.add2 [23 7] map[mode:fast verbose:true]]
}

// A blank import is enough to make the serializers available by name,
// subprotocol and RawSocket id.
func Example_registry() {
	s, err := registry.Default.SerializerBySubprotocol("wamp.2.msgpack.batched")
	if err != nil {
		panic(err)
	}
	fmt.Println(s.Name(), s.RawSocketID(), s.Batched())
	// Output: msgpack.batched 2 true
}
