package core

import "sync"

// Prepared is a message that is serialized at most once per serializer, so
// that one message sent on many transports (an EVENT fanned out to the
// subscribers of a topic) costs one encoding per serializer in use instead of
// one per transport, like grpc's PreparedMsg. It implements [Message]: every
// transport of this project recognises it in Send and TrySend and sends the
// cached bytes; any other Transport simply sees the wrapped message.
//
// A Prepared is safe for concurrent use. The wrapped message must not be
// modified once it is prepared, and the bytes it returns are shared: do not
// modify them either.
type Prepared struct {
	msg Message

	mu   sync.Mutex
	encs []preparedEncoding // few: one per serializer in use
}

type preparedEncoding struct {
	ser  Serializer
	data []byte
	err  error
}

// Prepare wraps msg for sending on many transports.
func Prepare(msg Message) *Prepared { return &Prepared{msg: msg} }

// Message returns the wrapped message.
func (p *Prepared) Message() Message { return p.msg }

// Type is the wrapped message's type.
func (p *Prepared) Type() MessageType { return p.msg.Type() }

// List is the wrapped message's list form.
func (p *Prepared) List() ([]any, error) { return p.msg.List() }

// Serialize returns the message encoded with s, serializing it on the first
// call for s only; concurrent first calls wait for one encoding. A failed
// encoding is remembered too.
func (p *Prepared) Serialize(s Serializer) ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range p.encs {
		if e.ser == s {
			return e.data, e.err
		}
	}
	data, err := s.Serialize(p.msg)
	p.encs = append(p.encs, preparedEncoding{ser: s, data: data, err: err})
	return data, err
}

// Unwrap returns the message inside msg when it is [*Prepared], else msg.
func Unwrap(msg Message) Message {
	if p, ok := msg.(*Prepared); ok {
		return p.msg
	}
	return msg
}
