package core

import (
	"fmt"
	"sync"
)

// Serialize builds the list form of a message only to hand it to
// ObjectSerializer.Marshal, which encodes it and, like any encoder, neither
// modifies v nor keeps any of it once it returns. For the messages that carry
// the application payload (ERROR, PUBLISH, EVENT, CALL, RESULT, INVOCATION,
// YIELD: the traffic of a running session) Serialize therefore builds the
// list, and the options or details dict in it, in a listScratch taken from a
// pool and reused for a later message once Marshal has returned, and passes
// the list to Marshal without boxing it anew. List builds the same values in
// fresh memory (a nil *listScratch), as its caller owns the result.

// maxList is the length of the longest list form of a payload message:
// [ERROR, REQUEST.Type, REQUEST.Request, Details, Error, Args, Kwargs].
const maxList = 7

// maxPooledDict is the largest dict kept for reuse; a larger one (a message
// with many custom options) is left to the garbage collector.
const maxPooledDict = 32

// listScratch is reusable storage for the list form of one payload message.
type listScratch struct {
	// elems backs the list.
	elems [maxList]any
	// boxed[n] is elems[:n] as an interface value, made once, so that
	// passing the list to Marshal does not allocate.
	boxed [maxList + 1]any
	// dict is the options or details dict, empty when not in use.
	dict map[string]any
	// n is the length of the last list made, the part of elems to clear.
	n int
}

var scratchPool = sync.Pool{New: func() any { return new(listScratch) }}

// getScratch returns a listScratch from the pool; give it back with release.
func getScratch() *listScratch { return scratchPool.Get().(*listScratch) }

// list returns a list of n elements: fresh for a nil s, else backed by
// s.elems (n ≤ maxList).
func (s *listScratch) list(n int) []any {
	if s == nil {
		return make([]any, n)
	}
	s.n = n
	return s.elems[:n:n]
}

// newDict returns an empty dict for size entries: fresh and of the exact size
// for a nil s, else s's reusable one.
func (s *listScratch) newDict(size int) map[string]any {
	if s == nil {
		if size == 0 {
			return make(map[string]any)
		}
		return make(map[string]any, size)
	}
	if s.dict == nil {
		s.dict = make(map[string]any, max(size, 8))
	}
	return s.dict
}

// value returns l, a list made by s.list, as an interface value.
func (s *listScratch) value(l []any) any {
	n := len(l)
	if s.boxed[n] == nil {
		s.boxed[n] = s.elems[:n:n]
	}
	return s.boxed[n]
}

// release clears s and puts it back into the pool.
func (s *listScratch) release() {
	s.reset()
	scratchPool.Put(s)
}

// reset drops the references to the last message's values.
func (s *listScratch) reset() {
	clear(s.elems[:s.n])
	s.n = 0
	if len(s.dict) > maxPooledDict {
		s.dict = nil
	} else {
		clear(s.dict)
	}
}

// payloadList builds the list form of msg in a listScratch from the pool
// when msg is a payload message; the caller releases sc once done with l. It
// returns a nil sc for the other messages, which go through List. The types
// are matched exactly: a type of another package that embeds one of them and
// has its own List must go through that List.
func payloadList(msg Message) (l []any, sc *listScratch, err error) {
	switch msg.(type) {
	case *Call, *Yield, *Invocation, *Result, *Publish, *Event, *Error:
	default:
		return nil, nil, nil
	}
	sc = getScratch()
	l, err = sc.build(msg)
	return l, sc, err
}

// build builds the list form of the payload message msg in s.
func (s *listScratch) build(msg Message) ([]any, error) {
	switch m := msg.(type) {
	case *Call:
		return m.list(s)
	case *Yield:
		return m.list(s)
	case *Invocation:
		return m.list(s)
	case *Result:
		return m.list(s)
	case *Publish:
		return m.list(s)
	case *Event:
		return m.list(s)
	case *Error:
		return m.list(s)
	}
	return nil, fmt.Errorf("%v is not a payload message", msg.Type())
}
