package cbor_test

import (
	"fmt"

	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/serializers/cbor"
)

// Encoding and decoding a CALL in its list form. Map keys are written sorted.
func Example() {
	call := []any{int64(48), int64(7814135), map[string]any{}, "com.myapp.add2",
		[]any{int64(23), int64(7)}, map[string]any{"verbose": true, "mode": "fast"}}
	data, err := cbor.Object.Marshal(nil, call)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%x\n", data)

	v, err := cbor.Object.Unmarshal(data)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%v\n", v)
	// Output:
	// 8618301a00773bf7a06e636f6d2e6d796170702e61646432821707a2646d6f6465646661737467766572626f7365f5
	// [48 7814135 map[] com.myapp.add2 [23 7] map[mode:fast verbose:true]]
}

// A blank import is enough to make the serializers available by name,
// subprotocol and RawSocket id.
func Example_registry() {
	s, err := registry.Default.SerializerBySubprotocol("wamp.2.cbor.batched")
	if err != nil {
		panic(err)
	}
	fmt.Println(s.Name(), s.RawSocketID(), s.Batched())
	// Output: cbor.batched 3 true
}
