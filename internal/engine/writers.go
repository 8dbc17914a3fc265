package engine

import (
	"sync/atomic"
	"time"
)

// Writers are pooled: a transport that has something to write is handed to
// an idle writer goroutine when there is one, and gets a new one otherwise.
// A broker fanning an event out to many transports then neither creates a
// goroutine (and grows its stack) per message nor leaves one behind; each
// transport still has a writer of its own while it writes, so a peer that
// stalls a write holds up nobody else. An idle writer exits after
// writerIdle, and at most maxParked stay parked after a burst: idle
// connections cost no goroutine.
//
// (A shared run queue drained by a few writers, with a watchdog for stalled
// ones, was tried: its lock, shared by every sender and writer, made a
// fan-out slower on two cores than this hand-off.)
var (
	idleWriters = make(chan *Transport)
	parked      atomic.Int32 // writers waiting on idleWriters
)

const writerIdle = time.Second

const maxParked = 128

// startWriter runs c's writer.
func startWriter(c *Transport) {
	select {
	case idleWriters <- c:
	default:
		go writerLoop(c)
	}
}

func writerLoop(c *Transport) {
	idle := time.NewTimer(writerIdle)
	defer idle.Stop()
	for {
		c.flush()
		if parked.Add(1) > maxParked {
			parked.Add(-1)
			return
		}
		idle.Reset(writerIdle)
		select {
		case c = <-idleWriters:
			parked.Add(-1)
		case <-idle.C:
			parked.Add(-1)
			return
		}
	}
}
