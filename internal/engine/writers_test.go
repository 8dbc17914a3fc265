package engine

import (
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

// fakeWire is a Wire whose writes block until release is closed (a peer
// that does not read), or record what they got.
type fakeWire struct {
	release chan struct{} // nil: writes do not block
	wrote   chan struct{}
}

func (w *fakeWire) Write(msgs []Outgoing, deadline time.Time) error {
	if w.release != nil {
		<-w.release
	}
	select {
	case w.wrote <- struct{}{}:
	default:
	}
	return nil
}
func (w *fakeWire) Close()              {}
func (w *fakeWire) Fail(Failure, error) {}
func (w *fakeWire) Abort()              {}

type passThrough struct{}

func (passThrough) OnOpen(core.Transport)  {}
func (passThrough) OnMessage(core.Message) {}
func (passThrough) OnClose(error)          {}

// TestStalledWritersDoNotHoldOthers: while other transports' writes are
// stalled, another transport's message is still written at once (each
// transport has a writer of its own while it writes).
func TestStalledWritersDoNotHoldOthers(t *testing.T) {
	s := &Settings{Name: "test"}
	if err := s.Resolve(); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	defer close(release)
	for range 10 {
		c := New(&fakeWire{release: release, wrote: make(chan struct{}, 1)}, s, nil, core.TransportDetails{}, 0)
		Start(c, passThrough{})
		if err := c.TrySend(&core.Event{Subscription: 1, Publication: 1}); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(50 * time.Millisecond) // the writers take the stalled transports
	healthy := &fakeWire{wrote: make(chan struct{}, 1)}
	c := New(healthy, s, nil, core.TransportDetails{}, 0)
	Start(c, passThrough{})
	start := time.Now()
	if err := c.TrySend(&core.Event{Subscription: 1, Publication: 2}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-healthy.wrote:
		t.Logf("written after %v with 10 stalled writers", time.Since(start))
	case <-time.After(5 * time.Second):
		t.Fatal("a healthy transport's message waited behind stalled writers")
	}
}
