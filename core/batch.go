package core

import (
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

func (s *serializer) Serialize(msg Message) ([]byte, error) {
	list, err := msg.List()
	if err != nil {
		return nil, err
	}
	var buf []byte
	if s.batched && s.obj.Binary() {
		buf = make([]byte, 4, 128)
	}
	buf, err = s.obj.Marshal(buf, list)
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

func (s *serializer) Unserialize(data []byte) ([]Message, error) {
	if !s.batched {
		msg, err := s.parse(data)
		if err != nil {
			return nil, err
		}
		return []Message{msg}, nil
	}
	parts, err := s.split(data)
	if err != nil {
		return nil, err
	}
	msgs := make([]Message, 0, len(parts))
	for _, p := range parts {
		msg, err := s.parse(p)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, msg)
	}
	return msgs, nil
}

func (s *serializer) parse(data []byte) (Message, error) {
	v, err := s.obj.Unmarshal(data)
	if err != nil {
		return nil, &SerializationError{Serializer: s.Name(), Op: "unserialize", Err: err}
	}
	return ParseMessage(v)
}

// split cuts a batch into its messages.
func (s *serializer) split(data []byte) ([][]byte, error) {
	if len(data) == 0 {
		return nil, &SerializationError{Serializer: s.Name(), Op: "unserialize", Err: fmt.Errorf("empty batch")}
	}
	var parts [][]byte
	if !s.obj.Binary() {
		start := 0
		for i, b := range data {
			if b == BatchSeparator || b == BatchSeparatorSpec {
				parts = append(parts, data[start:i])
				start = i + 1
			}
		}
		if start != len(data) {
			return nil, &SerializationError{Serializer: s.Name(), Op: "unserialize", Err: fmt.Errorf("batch does not end with a separator byte (0x18 or 0x1E)")}
		}
		return parts, nil
	}
	for len(data) > 0 {
		if len(data) < 4 {
			return nil, &SerializationError{Serializer: s.Name(), Op: "unserialize", Err: fmt.Errorf("batch has %d trailing bytes, too short for a length prefix", len(data))}
		}
		n := binary.BigEndian.Uint32(data)
		if uint64(n) > uint64(len(data)-4) {
			return nil, &SerializationError{Serializer: s.Name(), Op: "unserialize", Err: fmt.Errorf("batch part announces %d bytes but only %d follow", n, len(data)-4)}
		}
		parts = append(parts, data[4:4+n])
		data = data[4+n:]
	}
	return parts, nil
}
