package wire

import (
	"fmt"

	"google.golang.org/grpc/encoding"
)

// CodecName is the gRPC content subtype of the request stream, whose
// messages are frames: the bytes as they are, without protobuf's copy on
// either side (a frame can hold a MiB of payloads, and every payload
// crosses twice).
const CodecName = "autobahn-frames"

// Frame is one message of the request stream.
type Frame struct{ B []byte }

// frameCodec is the gRPC codec of frames. Marshal hands gRPC the frame's
// own bytes, which gRPC keeps until it has written them: a frame is never
// reused after it is sent. Unmarshal keeps gRPC's buffer, which gRPC
// allocates for each message (no receive buffer pool is configured).
type frameCodec struct{}

func (frameCodec) Name() string { return CodecName }

func (frameCodec) Marshal(v any) ([]byte, error) {
	f, ok := v.(*Frame)
	if !ok {
		return nil, fmt.Errorf("wire: cannot send %T", v)
	}
	return f.B, nil
}

func (frameCodec) Unmarshal(data []byte, v any) error {
	f, ok := v.(*Frame)
	if !ok {
		return fmt.Errorf("wire: cannot receive into %T", v)
	}
	f.B = data
	return nil
}

func init() {
	encoding.RegisterCodec(frameCodec{})
}
