package engine

import (
	"runtime"
	"sync"
	"time"
)

// Writers are pooled. A transport with something to write goes into a run
// queue that a pool of writer goroutines drains. The sender only appends to
// the queue and wakes (or starts) a writer when none is already on its way,
// so a broker fanning an event out to many transports pays neither a
// goroutine nor a wake-up per message. A writer that takes a transport from
// the queue first hands the rest to another writer (up to a few per CPU),
// then flushes that transport.
//
// A peer that stalls a write holds the writer flushing it. So that stalled
// writers cannot hold up other transports, a watchdog starts one more
// writer whenever the queue has waited stallGuard without progress. Idle
// writers park for writerIdle, a few at most, then exit: idle connections
// cost no goroutine.
var writers writerPool

const (
	writerIdle = time.Second
	stallGuard = 10 * time.Millisecond
)

type writerPool struct {
	mu       sync.Mutex
	runq     []*Transport // transports waiting for a writer, in order
	parked   []*parkedWriter
	pending  bool      // a writer has been woken or started and will look at runq
	active   int       // writers not parked
	progress time.Time // when a writer last took a transport
	watching bool      // the watchdog is armed
}

type parkedWriter struct{ wake chan struct{} }

// maxWriters bounds the writers the pool hands work on to; the watchdog may
// add more when they stall.
func maxWriters() int { return 4 * runtime.GOMAXPROCS(0) }

// startWriter queues c for a writer.
func startWriter(c *Transport) {
	p := &writers
	p.mu.Lock()
	p.runq = append(p.runq, c)
	if p.pending {
		p.mu.Unlock()
		return
	}
	if p.active >= maxWriters() {
		// The busy writers come back to the queue; the watchdog covers
		// the case that they are all stalled.
		p.watchLocked()
		p.mu.Unlock()
		return
	}
	w := p.takeWriterLocked()
	p.mu.Unlock()
	p.wakeOrStart(w)
}

// takeWriterLocked marks a writer as on its way to the queue: a parked one
// (returned) or, when it returns nil, a new one the caller starts.
func (p *writerPool) takeWriterLocked() *parkedWriter {
	p.pending = true
	p.active++
	n := len(p.parked)
	if n == 0 {
		return nil
	}
	w := p.parked[n-1]
	p.parked = p.parked[:n-1]
	return w
}

func (p *writerPool) wakeOrStart(w *parkedWriter) {
	if w != nil {
		w.wake <- struct{}{}
		return
	}
	go p.run(&parkedWriter{wake: make(chan struct{}, 1)})
}

// run is one writer goroutine.
func (p *writerPool) run(w *parkedWriter) {
	idle := time.NewTimer(writerIdle)
	defer idle.Stop()
	for {
		p.mu.Lock()
		// The writer that was on its way is here (or the queue is being
		// looked at anyway): the next sender must call another.
		p.pending = false
		if len(p.runq) == 0 {
			p.runq = nil
			p.active--
			if len(p.parked) >= maxWriters() {
				p.mu.Unlock()
				return
			}
			p.parked = append(p.parked, w)
			p.mu.Unlock()
			if !p.park(w, idle) {
				return
			}
			continue
		}
		c := p.runq[0]
		p.runq = p.runq[1:]
		p.progress = time.Now()
		var next *parkedWriter
		handOn := false
		if len(p.runq) > 0 {
			if p.active < maxWriters() {
				handOn = true
				next = p.takeWriterLocked()
			} else {
				p.watchLocked()
			}
		}
		p.mu.Unlock()
		if handOn {
			p.wakeOrStart(next)
		}
		c.flush()
	}
}

// park waits to be woken; it reports false when the writer stayed idle for
// writerIdle and has left the pool.
func (p *writerPool) park(w *parkedWriter, idle *time.Timer) bool {
	idle.Reset(writerIdle)
	select {
	case <-w.wake:
		return true
	case <-idle.C:
	}
	p.mu.Lock()
	for i, x := range p.parked {
		if x == w {
			p.parked = append(p.parked[:i], p.parked[i+1:]...)
			p.mu.Unlock()
			return false
		}
	}
	p.mu.Unlock()
	// Taken from the parked list just now: the wake-up is on its way.
	<-w.wake
	return true
}

// watchLocked arms the watchdog, unless it is armed.
func (p *writerPool) watchLocked() {
	if !p.watching {
		p.watching = true
		time.AfterFunc(stallGuard, p.watchdog)
	}
}

// watchdog calls one more writer when the queue has waited stallGuard
// without a writer taking from it (every writer is stalled).
func (p *writerPool) watchdog() {
	p.mu.Lock()
	p.watching = false
	if len(p.runq) == 0 {
		p.mu.Unlock()
		return
	}
	if p.pending || time.Since(p.progress) < stallGuard {
		p.watchLocked()
		p.mu.Unlock()
		return
	}
	w := p.takeWriterLocked()
	p.mu.Unlock()
	p.wakeOrStart(w)
}
