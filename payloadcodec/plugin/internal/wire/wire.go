// Package wire is the protocol between an autobahn plugin host and a plugin
// process: the gRPC service (described by hand, so that no protobuf code is
// generated: every message is a google.protobuf.BytesValue whose bytes this
// package frames) and the framing of the requests and answers that travel
// on its one bidirectional stream.
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

// headerRoom is the room NewItem leaves for an item's header: its id and
// its length, two uvarints.
const headerRoom = 2 * binary.MaxVarintLen64

// NewItem returns an empty buffer to append a body to (with
// cbor.Object.Marshal), with room in front for the header that SealItem
// writes, so that a request or answer is made in one buffer.
func NewItem(sizeHint int) []byte {
	return make([]byte, headerRoom, headerRoom+sizeHint)
}

// SealItem writes the header of the body appended to a NewItem buffer and
// returns the item, ready for a frame.
func SealItem(b []byte, id uint64) []byte {
	var hdr [headerRoom]byte
	h := binary.AppendUvarint(hdr[:0], id)
	h = binary.AppendUvarint(h, uint64(len(b)-headerRoom))
	start := headerRoom - len(h)
	copy(b[start:], h)
	return b[start:]
}

// AppendItem appends one item (its id and body) to a frame.
func AppendItem(frame []byte, id uint64, body []byte) []byte {
	frame = binary.AppendUvarint(frame, id)
	frame = binary.AppendUvarint(frame, uint64(len(body)))
	return append(frame, body...)
}

// ErrFrame is the error of a frame that does not split into items.
var ErrFrame = errors.New("malformed frame")

// Split calls fn for every item of a frame, in order. The body aliases
// frame. A frame that does not split exactly is an error wrapping ErrFrame.
func Split(frame []byte, fn func(id uint64, body []byte)) error {
	for len(frame) > 0 {
		id, n := binary.Uvarint(frame)
		if n <= 0 {
			return fmt.Errorf("%w: bad request id", ErrFrame)
		}
		frame = frame[n:]
		size, n := binary.Uvarint(frame)
		if n <= 0 || size > uint64(len(frame)-n) {
			return fmt.Errorf("%w: item %d: bad length", ErrFrame, id)
		}
		frame = frame[n:]
		fn(id, frame[:size])
		frame = frame[size:]
	}
	return nil
}

// Batcher sends the items queued on a channel in as few stream messages as
// the producers' pace allows: it takes what is queued once the producers
// that can run have run, up to MaxBatch bytes. It returns when done is closed or a send
// fails.
func Batcher(send func(frame []byte) error, items <-chan []byte, done <-chan struct{}) error {
	var frame []byte
	for {
		select {
		case it := <-items:
			frame = append(frame[:0], it...)
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
			case it := <-items:
				frame = append(frame, it...)
			default:
				break more
			}
		}
		if err := send(frame); err != nil {
			return err
		}
		if cap(frame) > 4*MaxBatch {
			frame = nil // one huge payload: do not keep its buffer
		}
	}
}
