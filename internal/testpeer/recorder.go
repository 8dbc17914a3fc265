package testpeer

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

// Wait bounds every wait of a Recorder.
const Wait = 10 * time.Second

// Recorder is a core.TransportHandler that records what happens on its
// transport in channels, and can echo every message back.
type Recorder struct {
	// React, if set, runs in OnMessage before the message is echoed or
	// recorded.
	React func(t core.Transport, m core.Message)
	// Echo sends every message back instead of recording it.
	Echo bool
	// Opened receives the transport on OnOpen.
	Opened chan core.Transport
	// Msgs receives the messages (up to 4096 unread).
	Msgs chan core.Message
	// Closed receives the error of OnClose.
	Closed chan error

	mu sync.Mutex
	t  core.Transport
}

// NewRecorder returns a Recorder that records and does not echo.
func NewRecorder() *Recorder {
	return &Recorder{
		Opened: make(chan core.Transport, 1),
		Msgs:   make(chan core.Message, 4096),
		Closed: make(chan error, 1),
	}
}

// Transport returns the transport given to OnOpen, or nil before.
func (r *Recorder) Transport() core.Transport {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.t
}

// OnOpen records the transport.
func (r *Recorder) OnOpen(t core.Transport) {
	r.mu.Lock()
	r.t = t
	r.mu.Unlock()
	r.Opened <- t
}

// OnMessage runs React, then echoes or records m; a failed echo panics.
func (r *Recorder) OnMessage(m core.Message) {
	t := r.Transport()
	if r.React != nil {
		r.React(t, m)
	}
	if r.Echo {
		if err := t.Send(context.Background(), m); err != nil {
			panic(fmt.Sprintf("echo: %v", err))
		}
		return
	}
	r.Msgs <- m
}

// OnClose records err.
func (r *Recorder) OnClose(err error) { r.Closed <- err }

// WaitOpen waits for OnOpen and returns its transport.
func (r *Recorder) WaitOpen(t testing.TB) core.Transport {
	t.Helper()
	select {
	case tr := <-r.Opened:
		return tr
	case <-time.After(Wait):
		t.Fatal("timeout waiting for OnOpen")
		return nil
	}
}

// Next waits for the next message; messages delivered before OnClose come
// first, and a close before the message fails the test.
func (r *Recorder) Next(t testing.TB) core.Message {
	t.Helper()
	select {
	case m := <-r.Msgs:
		return m
	default:
	}
	select {
	case m := <-r.Msgs:
		return m
	case err := <-r.Closed:
		select {
		case m := <-r.Msgs:
			r.Closed <- err
			return m
		default:
		}
		t.Fatalf("transport closed (%v) while waiting for a message", err)
	case <-time.After(Wait):
		t.Fatal("timeout waiting for a message")
	}
	return nil
}

// WaitClose waits for OnClose and returns its error.
func (r *Recorder) WaitClose(t testing.TB) error {
	t.Helper()
	select {
	case err := <-r.Closed:
		return err
	case <-time.After(Wait):
		t.Fatal("timeout waiting for OnClose")
		return nil
	}
}
