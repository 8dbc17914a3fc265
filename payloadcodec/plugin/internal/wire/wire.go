// Package wire is the protocol between an autobahn plugin host and a plugin
// process: the gRPC service, described by hand so that no protobuf code is
// generated (Describe takes and returns a google.protobuf.BytesValue; the
// Exchange stream carries frames with a gRPC codec of this package, which
// passes their bytes without protobuf's copies), and the framing of the
// requests and answers that travel on that one bidirectional stream.
//
// Many requests travel in one stream message, each with its request id, so
// that a round trip to the plugin is shared by every caller waiting at the
// time; answers come back in any order, matched by id. A request or answer
// body is one CBOR array (package serializers/cbor, the value
// representation of package core), so that payloads keep their exact types.
//
// It is internal so that the host, the plugin SDK and the tests' misbehaving
// plugins share one definition.
package wire

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// Handshake values of go-plugin: a plugin binary started by anything else
// than an autobahn host says so and exits, and a host refuses a plugin of
// another protocol version.
const (
	ProtocolVersion  = 1
	MagicCookieKey   = "AUTOBAHN_PLUGIN"
	MagicCookieValue = "wamp-payload-codecs-and-serializers"
	// PluginName is the one go-plugin plugin a plugin binary serves.
	PluginName = "autobahn"
)

// Service and method names of the gRPC service.
const (
	ServiceName    = "autobahn.plugin.v1.Plugin"
	DescribeMethod = "/" + ServiceName + "/Describe"
	ExchangeMethod = "/" + ServiceName + "/Exchange"
)

// MaxMessage is the largest gRPC message either side accepts: a batch of
// requests, or one large payload (WAMP messages of several MiB exist).
const MaxMessage = 64 << 20

// Window is gRPC's flow-control window of the stream and the connection:
// large enough for every request in flight, so that a burst of callers
// never waits for a window update (the default, 64 KiB, holds 60 1 KiB
// payloads).
const Window = 8 << 20

// MaxBatch is the size past which a writer sends what it has collected
// instead of adding more requests to the message.
const MaxBatch = 1 << 20

// Operations of a request: the first element of its body.
const (
	OpOpen      = 0 // [op, codecID, algo, config] → [err]
	OpEncode    = 1 // [op, codecID, originating, uri, args, kwargs] → [err, payload|nil, algo, serializer, cipher, key]
	OpDecode    = 2 // [op, codecID, originating, uri, payload, algo, serializer, cipher, key] → [err, uri, args, kwargs]
	OpMarshal   = 3 // [op, serializerIndex, value] → [err, bytes]
	OpUnmarshal = 4 // [op, serializerIndex, bytes] → [err, value]
)

// Server is what a plugin implements: the handler type of the service.
type Server interface {
	// Describe answers what the plugin offers (a CBOR map, see package
	// payloadcodec/plugin).
	Describe() ([]byte, error)
	// Exchange serves the request stream until it ends.
	Exchange(stream grpc.ServerStream) error
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
	Streams: []grpc.StreamDesc{ExchangeStream},
}

// ExchangeStream is the bidirectional request stream.
var ExchangeStream = grpc.StreamDesc{
	StreamName:    "Exchange",
	ServerStreams: true,
	ClientStreams: true,
	Handler: func(srv any, stream grpc.ServerStream) error {
		return srv.(Server).Exchange(stream)
	},
}

// HeaderSize is the size of an item's header: its request id (8 bytes)
// and the length of its body (4 bytes), big-endian. A fixed size lets a
// request be made in one buffer, header first, and the buffer be reused.
const HeaderSize = 12

// Item is one request or answer on its way to a frame: its header and
// body in a buffer that is reused once Batcher has copied it.
type Item struct{ B []byte }

var items = sync.Pool{New: func() any { return &Item{B: make([]byte, 0, 4096)} }}

// NewItem returns an empty item from a pool, to append a body to (with
// cbor.Object.Marshal), with room in front for the header that Seal
// writes. Batcher returns it to the pool once it has copied it; FreeItem
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

// AppendItem appends one item (its id and body) to a frame.
func AppendItem(frame []byte, id uint64, body []byte) []byte {
	frame = binary.BigEndian.AppendUint64(frame, id)
	frame = binary.BigEndian.AppendUint32(frame, uint32(len(body)))
	return append(frame, body...)
}

// ErrFrame is the error of a frame that does not split into items.
var ErrFrame = errors.New("malformed frame")

// Split calls fn for every item of a frame, in order. The body aliases
// frame. A frame that does not split exactly is an error wrapping ErrFrame.
func Split(frame []byte, fn func(id uint64, body []byte)) error {
	for len(frame) > 0 {
		if len(frame) < HeaderSize {
			return fmt.Errorf("%w: %d bytes are not an item header", ErrFrame, len(frame))
		}
		id := binary.BigEndian.Uint64(frame)
		size := binary.BigEndian.Uint32(frame[8:])
		frame = frame[HeaderSize:]
		if uint64(size) > uint64(len(frame)) {
			return fmt.Errorf("%w: item %d: length %d, %d bytes left", ErrFrame, id, size, len(frame))
		}
		fn(id, frame[:size])
		frame = frame[size:]
	}
	return nil
}

// Batcher sends the items queued on a channel in as few stream messages as
// the producers' pace allows: it takes what is queued once the producers
// that can run have run, up to MaxBatch bytes. It returns when done is closed or a send
// fails.
func Batcher(send func(frame []byte) error, queue <-chan *Item, done <-chan struct{}) error {
	var batch []*Item
	for {
		select {
		case it := <-queue:
			batch = append(batch[:0], it)
		case <-done:
			return nil
		}
		// Let the goroutines that are about to queue an item (callers
		// woken by the last answers, handlers finishing) do so: a gRPC
		// send only queues the message, so without this nearly every
		// item would travel alone, each paying a message's cost.
		runtime.Gosched()
		size := len(batch[0].B)
	more:
		for size < MaxBatch {
			select {
			case it := <-queue:
				batch = append(batch, it)
				size += len(it.B)
			default:
				break more
			}
		}
		// A frame of its exact size: gRPC keeps it until it is written,
		// so it is not reused; the items are.
		frame := make([]byte, 0, size)
		for i, it := range batch {
			frame = append(frame, it.B...)
			FreeItem(it)
			batch[i] = nil
		}
		if err := send(frame); err != nil {
			return err
		}
	}
}
