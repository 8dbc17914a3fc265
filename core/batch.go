package core

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// JSON batches end every message with a separator byte. The WAMP spec names
// 0x1E; Autobahn|Python and Crossbar.io write 0x18. Neither can occur
// unescaped in JSON text, so both are accepted and 0x18 is written.
const (
	BatchSeparator     byte = 0x18
	BatchSeparatorSpec byte = 0x1E
)

// maxBinaryBatchPart is the largest message a uint32 length prefix can frame.
const maxBinaryBatchPart = 1<<32 - 1

// NewSerializer returns the message serializer over obj: the plain one, or
// with batched set, the one for the subprotocol wamp.2.<name>.batched.
func NewSerializer(obj ObjectSerializer, batched bool) Serializer {
	return &serializer{obj: obj, batched: batched}
}

type serializer struct {
	obj     ObjectSerializer
	batched bool
}

func (s *serializer) Name() string {
	if s.batched {
		return s.obj.Name() + ".batched"
	}
	return s.obj.Name()
}

func (s *serializer) Subprotocol() string { return "wamp.2." + s.Name() }
func (s *serializer) RawSocketID() byte   { return s.obj.RawSocketID() }
func (s *serializer) Binary() bool        { return s.obj.Binary() }
func (s *serializer) Batched() bool       { return s.batched }

// Object returns the object serializer below a serializer made by
// NewSerializer, so that callers can encode plain values in the same format.
func Object(s Serializer) (ObjectSerializer, bool) {
	ser, ok := s.(*serializer)
	if !ok {
		return nil, false
	}
	return ser.obj, true
}

// Serialize encodes msg; the list form of a payload message is built in
// reused storage (see scratch.go).
func (s *serializer) Serialize(msg Message) ([]byte, error) {
	v, sc, err := listValue(msg)
	if err != nil {
		return nil, err
	}
	var buf []byte
	if s.batched && s.obj.Binary() {
		buf = make([]byte, 4, 128)
	}
	buf, err = s.obj.Marshal(buf, v)
	if sc != nil {
		sc.release()
	}
	if err != nil {
		return nil, &SerializationError{Serializer: s.Name(), Op: "serialize", Err: fmt.Errorf("%v: %w", msg.Type(), err)}
	}
	if !s.batched {
		return buf, nil
	}
	if !s.obj.Binary() {
		return append(buf, BatchSeparator), nil
	}
	n := len(buf) - 4
	if n > maxBinaryBatchPart {
		return nil, &SerializationError{Serializer: s.Name(), Op: "serialize", Err: fmt.Errorf("%v: message of %d bytes is too long for a batch", msg.Type(), n)}
	}
	binary.BigEndian.PutUint32(buf, uint32(n))
	return buf, nil
}

// listValue returns the list form of msg for Marshal. For a payload message
// it is built in a listScratch (see scratch.go), which the caller releases
// after Marshal; sc is nil otherwise.
func listValue(msg Message) (v any, sc *listScratch, err error) {
	l, sc, err := payloadList(msg)
	if sc != nil {
		if err != nil {
			sc.release()
			return nil, nil, err
		}
		return sc.value(l), sc, nil
	}
	if l, err = msg.List(); err != nil {
		return nil, nil, err
	}
	return l, nil, nil
}

// Unserialize decodes one message, or each message of a batch. A single
// message and its one-element result share one allocation.
func (s *serializer) Unserialize(data []byte) ([]Message, error) {
	if !s.batched {
		v, err := s.unmarshal(data)
		if err != nil {
			return nil, err
		}
		_, msgs, err := parseMessage(v, true)
		return msgs, err
	}
	n, err := s.count(data)
	if err != nil {
		return nil, err
	}
	msgs := make([]Message, n)
	bin := s.obj.Binary()
	for i := range msgs {
		var part []byte
		part, data = nextPart(data, bin)
		v, err := s.unmarshal(part)
		if err != nil {
			return nil, err
		}
		if msgs[i], err = ParseMessage(v); err != nil {
			return nil, err
		}
	}
	return msgs, nil
}

func (s *serializer) unmarshal(data []byte) (any, error) {
	v, err := s.obj.Unmarshal(data)
	if err != nil {
		return nil, &SerializationError{Serializer: s.Name(), Op: "unserialize", Err: err}
	}
	return v, nil
}

// count checks the framing of a batch and returns the number of its
// messages, so that Unserialize cuts and decodes them in one pass with no
// intermediate list of parts.
func (s *serializer) count(data []byte) (int, error) {
	if len(data) == 0 {
		return 0, &SerializationError{Serializer: s.Name(), Op: "unserialize", Err: fmt.Errorf("empty batch")}
	}
	if !s.obj.Binary() {
		if b := data[len(data)-1]; b != BatchSeparator && b != BatchSeparatorSpec {
			return 0, &SerializationError{Serializer: s.Name(), Op: "unserialize", Err: fmt.Errorf("batch does not end with a separator byte (0x18 or 0x1E)")}
		}
		return bytes.Count(data, []byte{BatchSeparator}) + bytes.Count(data, []byte{BatchSeparatorSpec}), nil
	}
	n := 0
	for len(data) > 0 {
		if len(data) < 4 {
			return 0, &SerializationError{Serializer: s.Name(), Op: "unserialize", Err: fmt.Errorf("batch has %d trailing bytes, too short for a length prefix", len(data))}
		}
		size := binary.BigEndian.Uint32(data)
		if uint64(size) > uint64(len(data)-4) {
			return 0, &SerializationError{Serializer: s.Name(), Op: "unserialize", Err: fmt.Errorf("batch part announces %d bytes but only %d follow", size, len(data)-4)}
		}
		data = data[4+size:]
		n++
	}
	return n, nil
}

// nextPart cuts the first message off a batch that count has accepted.
func nextPart(data []byte, bin bool) (part, rest []byte) {
	if !bin {
		i := 0
		for data[i] != BatchSeparator && data[i] != BatchSeparatorSpec {
			i++
		}
		return data[:i], data[i+1:]
	}
	size := binary.BigEndian.Uint32(data)
	return data[4 : 4+size], data[4+size:]
}
