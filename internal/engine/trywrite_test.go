package engine

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

// numberSerializer encodes an EVENT as msgSize bytes holding its
// publication id, so that a byte stream shows the order of the messages.
type numberSerializer struct{}

const msgSize = 10

func (numberSerializer) Name() string        { return "number" }
func (numberSerializer) Subprotocol() string { return "number" }
func (numberSerializer) RawSocketID() byte   { return 0 }
func (numberSerializer) Binary() bool        { return true }
func (numberSerializer) Batched() bool       { return false }
func (numberSerializer) Serialize(m core.Message) ([]byte, error) {
	b := make([]byte, msgSize)
	binary.BigEndian.PutUint64(b, m.(*core.Event).Publication)
	return b, nil
}
func (numberSerializer) Unserialize([]byte) ([]core.Message, error) { return nil, nil }

// streamWire is a TryWriter over a simulated socket: its send buffer takes
// room bytes at once, then writes wait until release is closed (a peer that
// does not read, then reads again).
type streamWire struct {
	release chan struct{}

	mu      sync.Mutex
	room    int // bytes the socket takes without waiting; -1: any
	busy    bool
	pending []byte
	out     []byte // what the peer got
	closeAt int    // len(out) when Close was called; -1 before
	inline  int    // messages TryWrite took
	empty   int    // Writes with no messages
	closed  chan struct{}
}

func (w *streamWire) TryWrite(o Outgoing) (taken, pending bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.busy || len(w.pending) > 0 || w.room == 0 {
		return false, false
	}
	n := len(o.Data)
	if w.room > 0 {
		n = min(n, w.room)
		w.room -= n
	}
	w.out = append(w.out, o.Data[:n]...)
	w.pending = append([]byte(nil), o.Data[n:]...)
	w.inline++
	return true, len(w.pending) > 0
}

func (w *streamWire) Write(msgs []Outgoing, deadline time.Time) error {
	w.mu.Lock()
	w.busy = true
	full := w.room >= 0
	if len(msgs) == 0 {
		w.empty++
	}
	w.mu.Unlock()
	if full {
		<-w.release
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.room = -1
	w.out = append(w.out, w.pending...)
	w.pending = nil
	for _, m := range msgs {
		w.out = append(w.out, m.Data...)
	}
	w.busy = false
	return nil
}

func (w *streamWire) Close() {
	w.mu.Lock()
	w.closeAt = len(w.out)
	w.mu.Unlock()
	close(w.closed)
}
func (w *streamWire) Fail(Failure, error) {}
func (w *streamWire) Abort()              {}

// order checks that the stream holds the messages 1..n in order.
func (w *streamWire) order(n int) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.out) != n*msgSize {
		return fmt.Errorf("the peer got %d bytes, want %d", len(w.out), n*msgSize)
	}
	for i := range n {
		if got := binary.BigEndian.Uint64(w.out[i*msgSize:]); got != uint64(i+1) {
			return fmt.Errorf("message %d on the wire is %d", i+1, got)
		}
	}
	return nil
}

// TestTryWriteOrder: messages written on the sending goroutine, one written
// in part (the socket full), and those queued behind it reach the peer in
// order, with the rest of the partial one first; no TrySend waits for the
// stalled socket; and Close's clean close follows the last byte.
func TestTryWriteOrder(t *testing.T) {
	s := &Settings{Name: "test"}
	if err := s.Resolve(); err != nil {
		t.Fatal(err)
	}
	// Room for two messages and a half: the third is written in part.
	w := &streamWire{release: make(chan struct{}), room: 2*msgSize + msgSize/2, closeAt: -1, closed: make(chan struct{})}
	c := New(w, s, numberSerializer{}, core.TransportDetails{}, 0)
	SetTryWriter(c, w)
	Start(c, passThrough{})
	const n = 100
	start := time.Now()
	for i := 1; i <= n; i++ {
		if err := c.TrySend(&core.Event{Subscription: 1, Publication: uint64(i)}); err != nil {
			t.Fatalf("TrySend %d: %v", i, err)
		}
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("%d TrySends to a full socket took %v: a sender waited", n, took)
	}
	w.mu.Lock()
	inline := w.inline
	w.mu.Unlock()
	if inline != 3 {
		t.Errorf("TryWrite took %d messages, want 3 (two whole, one in part)", inline)
	}
	if st := c.Stats(); st.QueuedMessages == 0 || st.QueuedMessages > n-3 {
		t.Errorf("queued behind the partial write: %d messages, want 1..%d", st.QueuedMessages, n-3)
	}
	close(w.release) // the peer reads again
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	go c.Close(ctx)
	select {
	case <-w.closed:
	case <-ctx.Done():
		t.Fatal("Close did not reach the wire")
	}
	if err := w.order(n); err != nil {
		t.Fatal(err)
	}
	if w.closeAt != n*msgSize {
		t.Errorf("the clean close came after %d bytes, want %d", w.closeAt, n*msgSize)
	}
	if st := c.Stats(); st.MessagesOut != n || st.BytesOut != n*msgSize || st.QueuedMessages != 0 {
		t.Errorf("stats: %+v, want %d messages and %d bytes out, none queued", st, n, n*msgSize)
	}
	Closed(c, nil)
}

// TestTryWritePendingOnly: when only the rest of a partial write is left,
// the writer calls Write with no messages to write it, and the next message
// goes inline again once the writer is done.
func TestTryWritePendingOnly(t *testing.T) {
	s := &Settings{Name: "test"}
	if err := s.Resolve(); err != nil {
		t.Fatal(err)
	}
	w := &streamWire{release: make(chan struct{}), room: msgSize / 2, closeAt: -1, closed: make(chan struct{})}
	close(w.release)
	c := New(w, s, numberSerializer{}, core.TransportDetails{}, 0)
	SetTryWriter(c, w)
	Start(c, passThrough{})
	if err := c.TrySend(&core.Event{Subscription: 1, Publication: 1}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		c.mu.Lock()
		writing := c.writing
		c.mu.Unlock()
		if !writing {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the writer did not finish the partial write")
		}
		time.Sleep(time.Millisecond)
	}
	if err := c.TrySend(&core.Event{Subscription: 1, Publication: 2}); err != nil {
		t.Fatal(err)
	}
	w.mu.Lock()
	empty, inline := w.empty, w.inline
	w.mu.Unlock()
	if empty != 1 || inline != 2 {
		t.Errorf("Writes without messages: %d, messages TryWrite took: %d; want 1 and 2", empty, inline)
	}
	if err := w.order(2); err != nil {
		t.Fatal(err)
	}
	Closed(c, nil)
}
