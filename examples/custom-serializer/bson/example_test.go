package bson_test

import (
	"fmt"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/examples/custom-serializer/bson"
	"github.com/autobahn-go/autobahn/registry"
)

// A registry of one's own, as a plugin binary would serve the format,
// without the registration of the package's init.
func ExampleNew() {
	var reg registry.Registry
	reg.RegisterSerializer(core.NewSerializer(bson.New(), false))
	s, _ := reg.SerializerByRawSocketID(15)
	data, _ := s.Serialize(&core.Publish{Request: 1, Topic: "com.example.topic"})
	fmt.Println(s.Subprotocol())
	fmt.Printf("% x\n", data)
	// Output:
	// wamp.2.bson
	// 34 00 00 00 10 30 00 10 00 00 00 10 31 00 01 00 00 00 03 32 00 05 00 00 00 00 02 33 00 12 00 00 00 63 6f 6d 2e 65 78 61 6d 70 6c 65 2e 74 6f 70 69 63 00 00
}

// Values that are not a list travel wrapped in a document with the key
// "value"; an integer above int64 as a decimal128.
func ExampleSerializer_value() {
	obj, _ := core.Object(bson.Serializer)
	data, _ := obj.Marshal(nil, map[string]any{"n": uint64(1 << 63)})
	v, _ := obj.Unmarshal(data)
	fmt.Printf("%d bytes: %v\n", len(data), v)
	// Output:
	// 36 bytes: map[n:9223372036854775808]
}
