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

var items = sync.Pool{New: func() any { return new([]byte) }}

// NewItem returns an empty buffer, from a pool, to append a body to (with
// cbor.Object.Marshal), with room in front for the header that SealItem
// writes. Batcher returns it to the pool once it has copied it.
func NewItem() []byte {
	p := items.Get().(*[]byte)
	b := *p
	*p = nil
	items.Put(p)
	if cap(b) < HeaderSize {
		b = make([]byte, 0, 1024)
	}
	return b[:HeaderSize]
}

// freeItem returns an item's buffer to the pool, unless it is large.
func freeItem(b []byte) {
	if cap(b) > 64<<10 {
		return
	}
	p := items.Get().(*[]byte)
	*p = b[:0]
	items.Put(p)
}

// SealItem writes the header of the body appended to a NewItem buffer and
// returns the item, ready for a frame.
func SealItem(b []byte, id uint64) []byte {
	binary.BigEndian.PutUint64(b, id)
	binary.BigEndian.PutUint32(b[8:], uint32(len(b)-HeaderSize))
	return b
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
func Batcher(send func(frame []byte) error, queue <-chan []byte, done <-chan struct{}) error {
	size := 4096
	for {
		var frame []byte
		select {
		case it := <-queue:
			frame = append(make([]byte, 0, max(size, len(it))), it...)
			freeItem(it)
		case <-done:
			return nil
		}
		// Let the goroutines that are about to queue an item (callers
		// woken by the last answers, handlers finishing) do so: a gRPC
		// send only queues the message, so without this nearly every
		// item would travel alone, each paying a message's cost.
		runtime.Gosched()
	more:
		for len(frame) < MaxBatch {
			select {
			case it := <-queue:
				frame = append(frame, it...)
				freeItem(it)
			default:
				break more
			}
		}
		// The next frame starts at this one's size (gRPC keeps this one
		// until it is written), within reason.
		size = min(len(frame), MaxBatch)
		if err := send(frame); err != nil {
			return err
		}
	}
}
