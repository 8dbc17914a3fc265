package core

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Every WAMP transport of this project sends through a bounded queue drained
// by one writer (the transport engine). The types in this file configure that
// queue and describe what it does, so that every transport, the router and
// metrics speak about it in the same words.

// SlowPeerPolicy says what a transport does when its peer reads slower than
// messages are sent to it, so that the send queue is full.
type SlowPeerPolicy uint8

// The slow-peer policies. Whatever the policy, a writer that makes no progress
// for [QueueOptions.StallTimeout] fails the connection.
const (
	// SlowPeerBlock (the default) makes Send wait for room in the queue,
	// bounded by its context. TrySend, which never waits, refuses the message
	// with an error wrapping [ErrSendQueueFull].
	SlowPeerBlock SlowPeerPolicy = iota
	// SlowPeerFail fails the connection when a message does not fit in the
	// queue: the handler's OnClose gets an error wrapping [ErrSlowPeer].
	SlowPeerFail
	// SlowPeerDrop drops a message that does not fit in the queue (the
	// newest one); Send and TrySend return an error wrapping
	// [ErrMessageDropped] and the drop is counted in [TransportStats].
	SlowPeerDrop
)

var policyNames = [...]string{SlowPeerBlock: "block", SlowPeerFail: "fail", SlowPeerDrop: "drop"}

// String returns "block", "fail" or "drop".
func (p SlowPeerPolicy) String() string {
	if int(p) < len(policyNames) {
		return policyNames[p]
	}
	return fmt.Sprintf("SlowPeerPolicy(%d)", uint8(p))
}

// ParseSlowPeerPolicy reads a policy name: "block", "fail" or "drop" (any
// case).
func ParseSlowPeerPolicy(s string) (SlowPeerPolicy, error) {
	for p, name := range policyNames {
		if strings.EqualFold(s, name) {
			return SlowPeerPolicy(p), nil
		}
	}
	return 0, fmt.Errorf("unknown slow-peer policy %q (want block, fail or drop)", s)
}

// Defaults of [QueueOptions].
const (
	DefaultQueueMaxBytes     = 1 << 20
	DefaultQueueMaxMessages  = 4096
	DefaultQueueStallTimeout = 30 * time.Second
	DefaultMaxBatchSize      = 64 << 10
)

// QueueOptions configure the send queue of a WAMP transport. The zero value
// means the defaults given on each field.
type QueueOptions struct {
	// MaxBytes bounds the serialized bytes waiting to be written (default
	// 1 MiB). One message is always accepted into an empty queue, whatever
	// its size.
	MaxBytes int
	// MaxMessages bounds the number of messages waiting to be written
	// (default 4096).
	MaxMessages int
	// Policy is what happens to a message that does not fit (default
	// SlowPeerBlock).
	Policy SlowPeerPolicy
	// StallTimeout fails the connection when one write to the peer (the
	// messages the writer took from the queue at once, at most about
	// MaxBytes) does not complete within it: the peer stopped reading, or
	// reads slower than MaxBytes per StallTimeout. Default 30 s, negative
	// for none.
	StallTimeout time.Duration
	// MaxBatchSize is the largest transport message into which the writer
	// combines queued messages when the serializer is batched (default
	// 64 KiB). A larger single message is sent alone.
	MaxBatchSize int
}

// Resolved returns o with the defaults filled in, or an error naming an
// invalid field.
func (o QueueOptions) Resolved() (QueueOptions, error) {
	switch {
	case o.MaxBytes < 0:
		return o, fmt.Errorf("send queue: MaxBytes %d is negative", o.MaxBytes)
	case o.MaxMessages < 0:
		return o, fmt.Errorf("send queue: MaxMessages %d is negative", o.MaxMessages)
	case o.MaxBatchSize < 0:
		return o, fmt.Errorf("send queue: MaxBatchSize %d is negative", o.MaxBatchSize)
	case int(o.Policy) >= len(policyNames):
		return o, fmt.Errorf("send queue: unknown policy %v", o.Policy)
	}
	if o.MaxBytes == 0 {
		o.MaxBytes = DefaultQueueMaxBytes
	}
	if o.MaxMessages == 0 {
		o.MaxMessages = DefaultQueueMaxMessages
	}
	if o.StallTimeout == 0 {
		o.StallTimeout = DefaultQueueStallTimeout
	}
	if o.MaxBatchSize == 0 {
		o.MaxBatchSize = DefaultMaxBatchSize
	}
	return o, nil
}

// Errors of the send path, for errors.Is.
var (
	// ErrSendQueueFull is wrapped by the error of TrySend when the queue has
	// no room under SlowPeerBlock.
	ErrSendQueueFull = errors.New("send queue full")
	// ErrMessageDropped is wrapped by the error of Send and TrySend when
	// SlowPeerDrop dropped the message.
	ErrMessageDropped = errors.New("message dropped: send queue full")
	// ErrSlowPeer is wrapped by the error OnClose gets when the connection
	// was failed because the peer did not read: the queue overflowed under
	// SlowPeerFail, or a write stalled for longer than the StallTimeout.
	ErrSlowPeer = errors.New("peer too slow")
	// ErrMessageTooLarge is wrapped when a message exceeds the largest
	// message its receiver accepts; an outgoing one is refused and the
	// transport stays usable.
	ErrMessageTooLarge = errors.New("message too large")
	// ErrAborted is the cause OnClose gets (inside a [*TransportLost]) after
	// the transport's Abort.
	ErrAborted = errors.New("transport aborted")
)

// TransportStats are the counters of one transport, for metrics.
type TransportStats struct {
	// MessagesIn and BytesIn count the WAMP messages received and the bytes
	// of the transport messages that carried them.
	MessagesIn, BytesIn uint64
	// MessagesOut and BytesOut count the WAMP messages written and their
	// serialized bytes.
	MessagesOut, BytesOut uint64
	// QueuedMessages and QueuedBytes are waiting to be written now.
	QueuedMessages, QueuedBytes int
	// Dropped counts messages dropped under SlowPeerDrop; Refused counts
	// TrySend calls refused under SlowPeerBlock.
	Dropped, Refused uint64
}

// TransportTimings are timestamps a transport records when its TrackTimings
// option is on (Autobahn's trackTimings); zero times did not happen yet.
type TransportTimings struct {
	Opened, Closed          time.Time
	LastReceived, LastSent  time.Time
	Writes                  uint64        // write calls to the connection
	WriteTime, LongestWrite time.Duration // total and longest time spent in them
}

// Optional capabilities of a [Transport], found by type assertion like the
// optional interfaces of database/sql/driver. Every transport of this project
// implements all of them.
type (
	// TrySender is a transport that can queue a message without ever
	// waiting: the router sends with it, so that one slow peer cannot stall
	// another session. The queue's [SlowPeerPolicy] decides what happens
	// when it is full.
	TrySender interface {
		TrySend(msg Message) error
	}
	// StatsReporter is a transport that counts its traffic.
	StatsReporter interface {
		Stats() TransportStats
	}
	// DoneNotifier is a transport that tells when it is gone: the channel is
	// closed once its handler's OnClose has returned.
	DoneNotifier interface {
		Done() <-chan struct{}
	}
)
