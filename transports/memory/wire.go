package memory

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/autobahn-go/autobahn/internal/engine"
)

var (
	errPeerAborted  = errors.New("memory: the peer aborted the connection")
	errCloseTimeout = errors.New("memory: the peer did not finish closing in time")
)

// start runs f (the handler's OnOpen) and then lets delivery begin, so that
// no message reaches the handler before OnOpen.
func (s *side) start(f func()) {
	f()
	s.mu.Lock()
	s.started = true
	kick := s.needRunLocked()
	s.mu.Unlock()
	if kick {
		go s.deliver()
	}
}

// needRunLocked reports whether a delivery goroutine must start now, and
// marks it running. Nothing is delivered, and no end reported, before the
// side has started (its OnOpen has run): what arrives or ends meanwhile
// waits for start.
func (s *side) needRunLocked() bool {
	if s.running || s.gone || !s.started || (len(s.inbox) == 0 && !s.ended) {
		return false
	}
	s.running = true
	return true
}

func (s *side) signalRoomLocked() {
	if s.room != nil {
		close(s.room)
		s.room = nil
	}
}

// Write puts msgs into the peer's inbox, waiting up to deadline while it is
// full (the peer's handler does not keep up).
func (s *side) Write(msgs []engine.Outgoing, deadline time.Time) error {
	p := s.peer
	var timeout <-chan time.Time
	p.mu.Lock()
	for {
		if p.ended {
			p.mu.Unlock()
			return errPeerGone
		}
		if len(p.inbox) < p.inboxSize {
			break
		}
		if p.room == nil {
			p.room = make(chan struct{})
		}
		room := p.room
		p.mu.Unlock()
		if timeout == nil && !deadline.IsZero() {
			t := time.NewTimer(time.Until(deadline))
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-room:
		case <-timeout:
			return fmt.Errorf("memory: the peer's inbox stayed full: %w", os.ErrDeadlineExceeded)
		}
		p.mu.Lock()
	}
	p.inbox = append(p.inbox, msgs...)
	kick := p.needRunLocked()
	p.mu.Unlock()
	if kick {
		go p.deliver()
	}
	return nil
}

// deliver hands the inbox to the engine, in order, until it is empty; once
// the connection has ended and everything before the end is delivered, it
// closes this side and ends the peer's.
func (s *side) deliver() {
	serialized := s.conn.Details().Serializer != nil
	for {
		s.mu.Lock()
		if len(s.inbox) == 0 {
			if !s.ended {
				s.running = false
				s.mu.Unlock()
				return
			}
			s.gone = true
			err := s.endErr
			if s.closeTimer != nil {
				s.closeTimer.Stop()
			}
			s.mu.Unlock()
			engine.Closed(s.conn, err)
			s.peer.end(nil, false)
			return
		}
		batch := s.inbox
		s.inbox = nil
		s.signalRoomLocked()
		s.mu.Unlock()
		for _, o := range batch {
			var ok bool
			if serialized {
				ok = engine.Receive(s.conn, o.Data)
			} else {
				ok = engine.ReceiveMessage(s.conn, o.Msg)
			}
			if !ok {
				break
			}
		}
	}
}

// end ends this side once its inbox is delivered (drop: at once, dropping
// the inbox), with err for OnClose.
func (s *side) end(err error, drop bool) {
	s.mu.Lock()
	if drop {
		s.inbox = nil
	}
	if !s.ended {
		s.ended, s.endErr = true, err
	}
	s.signalRoomLocked()
	kick := s.needRunLocked()
	s.mu.Unlock()
	if kick {
		go s.deliver()
	}
}

// Close ends the peer's side after the messages already sent; the peer then
// ends ours. If that takes longer than the close timeout (the peer's handler
// is stuck), both sides are dropped.
func (s *side) Close() {
	s.mu.Lock()
	if !s.gone {
		s.closeTimer = time.AfterFunc(closeTimeout, func() {
			s.end(errCloseTimeout, true)
			s.peer.end(errCloseTimeout, true)
		})
	}
	s.mu.Unlock()
	s.peer.end(nil, false)
}

// closeTimeout bounds a clean close, like the closing handshake timeout of
// the network transports.
const closeTimeout = time.Second

// Fail ends both sides at once; the peer learns why.
func (s *side) Fail(_ engine.Failure, cause error) {
	s.end(cause, true)
	s.peer.end(fmt.Errorf("memory: the peer failed the connection: %v", cause), true)
}

// Abort ends both sides at once.
func (s *side) Abort() {
	s.end(nil, true)
	s.peer.end(errPeerAborted, true)
}
