package engine

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

// Send serializes msg (a [*core.Prepared] once per serializer) and queues it
// for the writer. It returns once the message is queued, not written; under
// SlowPeerBlock it waits for room in the queue, bounded by ctx. A message
// larger than the peer accepts is refused with an error wrapping
// [core.ErrMessageTooLarge] and the connection stays usable. Sending on a
// connection that is closing or gone returns an error wrapping
// [core.ErrTransportLost].
func (c *Transport) Send(ctx context.Context, msg core.Message) error {
	return c.send(ctx, msg, true)
}

// TrySend is Send that never waits: when the queue is full the slow-peer
// policy decides at once (SlowPeerBlock refuses the message with an error
// wrapping [core.ErrSendQueueFull]).
func (c *Transport) TrySend(msg core.Message) error {
	return c.send(context.Background(), msg, false)
}

func (c *Transport) send(ctx context.Context, msg core.Message, wait bool) error {
	if msg == nil {
		return fmt.Errorf("%s: send to %s: nil WAMP message", c.s.Name, c.peer())
	}
	out, err := c.encode(msg)
	if err == nil {
		_, fanout := msg.(*core.Prepared)
		err = c.enqueue(ctx, out, wait, !fanout)
	}
	if err != nil {
		return fmt.Errorf("%s: send %v to %s: %w", c.s.Name, msg.Type(), c.peer(), err)
	}
	return nil
}

func (c *Transport) encode(msg core.Message) (Outgoing, error) {
	out := Outgoing{Msg: core.Unwrap(msg)}
	ser := c.details.Serializer
	if ser == nil {
		return out, nil
	}
	var err error
	if p, ok := msg.(*core.Prepared); ok {
		out.Data, err = p.Serialize(ser)
	} else {
		out.Data, err = ser.Serialize(msg)
	}
	if err != nil {
		return out, err
	}
	if c.maxOut > 0 && len(out.Data) > c.maxOut {
		return out, fmt.Errorf("%w: serialized message is %d bytes, the peer accepts at most %d", core.ErrMessageTooLarge, len(out.Data), c.maxOut)
	}
	return out, nil
}

// enqueue adds o to the queue, applying the slow-peer policy when it does
// not fit, and starts the writer when none runs.
//
// With inline set and no writer running, the sender writes o itself (see
// writeNow). A prepared message is one of a fan-out (an event for many
// subscribers): the sender enqueues it, so that the subscribers' writers
// write in parallel and batch, instead of the publisher's goroutine making
// one system call per subscriber (about 4 times fewer deliveries/s).
func (c *Transport) enqueue(ctx context.Context, o Outgoing, wait, inline bool) error {
	q := &c.s.Queue
	n := len(o.Data)
	c.mu.Lock()
	for {
		if c.state.Load() != stOpen {
			err := c.errNotOpenLocked()
			c.mu.Unlock()
			return err
		}
		if len(c.queue) == 0 || (c.queueBytes+n <= q.MaxBytes && len(c.queue) < q.MaxMessages) {
			break
		}
		switch {
		case q.Policy == core.SlowPeerFail:
			err := fmt.Errorf("%w: send queue overflow: %d messages (%d bytes) waiting, limits %d messages, %d bytes", core.ErrSlowPeer, len(c.queue), c.queueBytes, q.MaxMessages, q.MaxBytes)
			c.failLocked(err)
			c.mu.Unlock()
			c.s.Logger.Warn(c.s.Name+": peer does not read: failing the connection", "peer", c.peer(), "policy", q.Policy.String(), "err", err)
			c.wire.Fail(FailSlowPeer, err)
			return err
		case q.Policy == core.SlowPeerDrop:
			c.dropped.Add(1)
			return c.overflowLocked(core.ErrMessageDropped)
		case !wait:
			c.refused.Add(1)
			return c.overflowLocked(core.ErrSendQueueFull)
		}
		wake := c.waitChanLocked()
		c.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return fmt.Errorf("waiting for room in the send queue: %w", ctx.Err())
		}
		c.mu.Lock()
	}
	if inline && !c.writing && c.tw != nil {
		// No writer runs, so the queue is empty: write o right here.
		c.writing = true
		c.mu.Unlock()
		c.writeNow(o)
		return nil
	}
	c.queue = append(c.queue, o)
	c.queueBytes += n
	start := !c.writing
	c.writing = true
	c.mu.Unlock()
	if start {
		startWriter(c)
	}
	return nil
}

// writeNow writes o on the sending goroutine through the wire's TryWriter,
// holding the writer's turn (c.writing), so that other senders queue behind
// it meanwhile and order holds. It never waits: whatever the socket does
// not take at once (all of o, or the rest of it that the wire keeps) goes
// to the writer goroutine as usual, and a peer that does not read stalls
// that goroutine, not the sender. A write error is left for the writer to
// meet and report (see TryWriter).
func (c *Transport) writeNow(o Outgoing) {
	var start time.Time
	if c.timings != nil {
		start = time.Now()
	}
	taken, pending := c.tw.TryWrite(o)
	if taken {
		c.logOut(o)
		c.recordWrite(start)
		c.msgsOut.Add(1)
		c.bytesOut.Add(uint64(len(o.Data)))
	}
	c.mu.Lock()
	if st := c.state.Load(); !taken && (st == stOpen || st == stClosing) {
		// o goes first: later senders have queued behind it.
		c.queue = slices.Insert(c.queue, 0, o)
		c.queueBytes += len(o.Data)
	}
	c.wirePending = pending
	if len(c.queue) > 0 || pending {
		c.mu.Unlock()
		startWriter(c)
		return
	}
	closeNow := c.stopWritingLocked()
	c.mu.Unlock()
	if closeNow {
		c.wire.Close()
	}
}

// overflowLocked reports a message the queue had no room for, logging the
// first of each overflow (until the queue drains again). It unlocks c.mu.
func (c *Transport) overflowLocked(err error) error {
	first := !c.overflowing
	c.overflowing = true
	queued, queuedBytes := len(c.queue), c.queueBytes
	c.mu.Unlock()
	if first {
		c.s.Logger.Warn(c.s.Name+": send queue full: peer reads too slowly", "peer", c.peer(), "policy", c.s.Queue.Policy.String(),
			"queued_messages", queued, "queued_bytes", queuedBytes, "err", err)
	}
	return fmt.Errorf("%w (%d messages, %d bytes waiting)", err, queued, queuedBytes)
}

func (c *Transport) waitChanLocked() chan struct{} {
	if c.wake == nil {
		c.wake = make(chan struct{})
	}
	return c.wake
}

// flush is the writer: it runs while the queue is not empty, hands the wire
// everything queued at once, and sends the wire's clean close once the
// queue is empty after Close.
func (c *Transport) flush() {
	var spare []Outgoing
	for {
		c.mu.Lock()
		st := c.state.Load()
		if (len(c.queue) == 0 && !c.wirePending) || (st != stOpen && st != stClosing) {
			closeNow := c.stopWritingLocked()
			c.mu.Unlock()
			if closeNow {
				c.wire.Close()
			}
			return
		}
		// batch may be empty when the wire has the rest of a message of
		// writeNow to write: Write writes that first.
		batch := c.queue
		c.queue, c.queueBytes = spare, 0
		c.wirePending = false
		c.overflowing = false
		c.signalLocked()
		c.mu.Unlock()

		err := c.write(batch)
		clear(batch)
		spare = batch[:0]
		if err != nil {
			c.writeFailed(err)
			return
		}
	}
}

// stopWritingLocked ends the writer's turn once nothing is left to write
// (or the connection failed), and reports whether the wire's clean close,
// which Close left to the writer, is to be sent now.
func (c *Transport) stopWritingLocked() (closeNow bool) {
	c.writing, c.wirePending = false, false
	c.queue = nil
	closeNow = c.state.Load() == stClosing && !c.closeSent
	c.closeSent = c.closeSent || closeNow
	c.signalLocked()
	return closeNow
}

// write counts, logs and combines batch and writes it with the stall
// deadline.
func (c *Transport) write(batch []Outgoing) error {
	var bytes int
	for _, o := range batch {
		bytes += len(o.Data)
		c.logOut(o)
	}
	msgs := c.combine(batch)
	var deadline time.Time
	start := time.Now()
	if st := c.s.Queue.StallTimeout; st > 0 {
		deadline = start.Add(st)
	}
	err := c.wire.Write(msgs, deadline)
	c.recordWrite(start)
	if err == nil {
		c.msgsOut.Add(uint64(len(batch)))
		c.bytesOut.Add(uint64(bytes))
	}
	return err
}

// recordWrite records a write that started at start in the timings.
func (c *Transport) recordWrite(start time.Time) {
	if c.timings == nil {
		return
	}
	took := time.Since(start)
	c.timings.set(func(t *core.TransportTimings) {
		t.Writes++
		t.WriteTime += took
		t.LongestWrite = max(t.LongestWrite, took)
		t.LastSent = time.Now()
	})
}

// combine joins consecutive messages into transport messages of at most
// MaxBatchSize bytes when the serializer is batched: each serialized message
// is a batch of one, and batches concatenate.
func (c *Transport) combine(msgs []Outgoing) []Outgoing {
	if ser := c.details.Serializer; ser == nil || !ser.Batched() || len(msgs) < 2 {
		return msgs
	}
	limit := c.s.Queue.MaxBatchSize
	if c.maxOut > 0 {
		limit = min(limit, c.maxOut)
	}
	out := make([]Outgoing, 0, len(msgs))
	for i := 0; i < len(msgs); {
		j, n := i+1, len(msgs[i].Data)
		for j < len(msgs) && n+len(msgs[j].Data) <= limit {
			n += len(msgs[j].Data)
			j++
		}
		if j == i+1 {
			out = append(out, msgs[i])
		} else {
			buf := make([]byte, 0, n)
			for _, m := range msgs[i:j] {
				buf = append(buf, m.Data...)
			}
			out = append(out, Outgoing{Data: buf})
		}
		i = j
	}
	return out
}

// ErrWireClosing is wrapped by a Wire's write error when the connection is
// already ending (the peer started a closing handshake): the messages still
// queued are dropped, and the reader reports how the connection ended.
var ErrWireClosing = errors.New("connection closing")

// writeFailed fails the connection after a failed write: a stalled write is
// the slow-peer case, anything else a broken connection; a wire that is
// already closing only loses what is queued.
func (c *Transport) writeFailed(err error) {
	if errors.Is(err, ErrWireClosing) {
		c.mu.Lock()
		c.writing = false
		c.dropQueueLocked()
		c.mu.Unlock()
		c.s.Logger.Debug(c.s.Name+": messages dropped: the connection is closing", "peer", c.peer(), "err", err)
		return
	}
	f := FailWrite
	if isTimeout(err) {
		f = FailSlowPeer
		err = fmt.Errorf("%w: a write did not complete within the stall timeout of %v (policy %s): %w", core.ErrSlowPeer, c.s.Queue.StallTimeout, c.s.Queue.Policy, err)
	} else {
		err = fmt.Errorf("write: %w", err)
	}
	c.mu.Lock()
	c.writing = false
	failing := c.failLocked(err)
	c.mu.Unlock()
	if !failing {
		return
	}
	if f == FailSlowPeer {
		c.s.Logger.Warn(c.s.Name+": peer does not read: failing the connection", "peer", c.peer(), "policy", c.s.Queue.Policy.String(), "err", err)
	} else {
		c.s.Logger.Debug(c.s.Name+": write failed", "peer", c.peer(), "err", err)
	}
	c.wire.Fail(f, err)
}

func (c *Transport) logIn(data []byte) {
	d := c.s.Debug
	if d.LogFrames {
		c.s.Logger.Debug(c.s.Name+": message in", "peer", c.peer(), "bytes", len(data))
	}
	if d.LogOctets {
		c.s.Logger.Debug(c.s.Name+": octets in", "peer", c.peer(), "hex", hex.EncodeToString(data))
	}
}

func (c *Transport) logOut(o Outgoing) {
	d := c.s.Debug
	if d.LogFrames {
		c.s.Logger.Debug(c.s.Name+": message out", "peer", c.peer(), "type", o.Msg.Type().String(), "bytes", len(o.Data))
	}
	if d.LogOctets {
		c.s.Logger.Debug(c.s.Name+": octets out", "peer", c.peer(), "hex", hex.EncodeToString(o.Data))
	}
}

func stack() string { return string(debug.Stack()) }
