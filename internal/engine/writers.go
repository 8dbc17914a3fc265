package engine

import "time"

// Writers are pooled: a transport that has something to write is handed to
// an idle writer goroutine when there is one, and gets a new one otherwise.
// A broker fanning an event out to many transports then neither creates a
// goroutine (and grows its stack) per message nor leaves one behind; each
// transport still has a writer of its own while it writes, so a peer that
// stalls a write holds up nobody else. An idle writer exits after
// writerIdle: idle connections cost no goroutine.
//
// (A shared run queue drained by a few writers, with a watchdog for stalled
// ones, was tried: its lock, shared by every sender and writer, made a
// fan-out slower on two cores than this hand-off.)
var idleWriters = make(chan *Transport)

const writerIdle = time.Second

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
		idle.Reset(writerIdle)
		select {
		case c = <-idleWriters:
		case <-idle.C:
			return
		}
	}
}
