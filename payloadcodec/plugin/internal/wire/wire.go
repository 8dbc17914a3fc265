// Package wire is the protocol between an autobahn plugin host and a plugin
// process: the gRPC service of go-plugin's connection, described by hand
// so that no protobuf code is generated (one call, Describe, which takes
// and returns a google.protobuf.BytesValue), and the request stream, a
// Unix-domain socket that the plugin names in its Describe answer, on
// which requests and answers travel as items (request id, length, body).
//
// Every caller's request goes on the one stream, many in one write as
// they queue up while the previous write is made; answers come back in
// any order, matched by id. A request or answer body is one CBOR array
// (package serializers/cbor, the value representation of package core),
// so that payloads keep their exact types, but for the requests of every
// payload, Encode and Decode, and their answers, which are coded by hand
// around the CBOR of args and kwargs (handcoded.go).
//
// It is internal so that the host, the plugin SDK and the tests' misbehaving
// plugins share one definition.
package wire

import (
	"context"
	"encoding/binary"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// Handshake values of go-plugin: a plugin binary started by anything else
// than an autobahn host says so and exits, and a host refuses a plugin of
// another protocol version.
const (
	ProtocolVersion  = 3
	MagicCookieKey   = "AUTOBAHN_PLUGIN"
	MagicCookieValue = "wamp-payload-codecs-and-serializers"
	// PluginName is the one go-plugin plugin a plugin binary serves.
	PluginName = "autobahn"
)

// Service and method names of the gRPC service.
const (
	ServiceName    = "autobahn.plugin.v1.Plugin"
	DescribeMethod = "/" + ServiceName + "/Describe"
)

// MaxMessage is the largest request or answer either side accepts (WAMP
// messages of several MiB exist).
const MaxMessage = 64 << 20

// MaxBatch is the size past which a Writer writes what it has collected
// instead of adding more items to the write.
const MaxBatch = 1 << 20

// Operations of a request: the first element of its body (a CBOR array),
// or for Encode and Decode its first byte (coded by hand: see
// handcoded.go).
const (
	OpOpen      = 0 // [op, codecID, algo, config] → [err]
	OpEncode    = 1 // op, codecID, originating, uri, args, kwargs → AnsError msg | AnsClear | AnsPayload payload, algo, serializer, cipher, key
	OpDecode    = 2 // op, codecID, originating, uri, payload, algo, serializer, cipher, key → AnsError msg | AnsPayload uri, args, kwargs
	OpMarshal   = 3 // [op, serializerIndex, value] → [err, bytes]
	OpUnmarshal = 4 // [op, serializerIndex, bytes] → [err, value]
)

// Server is what a plugin implements: the handler type of the service.
type Server interface {
	// Describe answers what the plugin offers (a CBOR map, see package
	// payloadcodec/plugin).
	Describe() ([]byte, error)
}

// ServiceDesc is the gRPC service, for grpc.Server.RegisterService.
var ServiceDesc = grpc.ServiceDesc{
	ServiceName: ServiceName,
	HandlerType: (*Server)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "Describe",
		Handler: func(srv any, _ context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
			if err := dec(new(wrapperspb.BytesValue)); err != nil {
				return nil, err
			}
			b, err := srv.(Server).Describe()
			if err != nil {
				return nil, err
			}
			return wrapperspb.Bytes(b), nil
		},
	}},
}

// HeaderSize is the size of an item's header: its request id (8 bytes)
// and the length of its body (4 bytes), big-endian. A fixed size lets a
// request be made in one buffer, header first, and the buffer be reused.
const HeaderSize = 12

// Item is one request or answer on its way to the socket: its header and
// body in a buffer that is reused once Writer has written it.
type Item struct{ B []byte }

var items = sync.Pool{New: func() any { return &Item{B: make([]byte, 0, 4096)} }}

// NewItem returns an empty item from a pool, to append a body to (with
// cbor.Object.Marshal), with room in front for the header that Seal
// writes. Writer returns it to the pool once it has written it; FreeItem
// does for an item that is not sent.
func NewItem() *Item {
	it := items.Get().(*Item)
	it.B = it.B[:HeaderSize]
	return it
}

// FreeItem returns an item to the pool, unless its buffer grew large.
func FreeItem(it *Item) {
	if cap(it.B) <= 64<<10 {
		items.Put(it)
	}
}

// Seal writes the header of the body appended to a NewItem.
func (it *Item) Seal(id uint64) *Item {
	binary.BigEndian.PutUint64(it.B, id)
	binary.BigEndian.PutUint32(it.B[8:], uint32(len(it.B)-HeaderSize))
	return it
}
