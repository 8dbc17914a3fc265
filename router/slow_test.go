package router

import (
	"log/slog"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/transports/memory"
)

// stuckHandler is a subscriber whose application stopped reading: its
// first OnMessage after joining blocks until release is closed.
type stuckHandler struct {
	*testpeer.Recorder
	joined  atomic.Bool
	release chan struct{}
}

func (h *stuckHandler) OnMessage(m core.Message) {
	if h.joined.Load() {
		<-h.release
		return
	}
	h.Recorder.OnMessage(m)
}

// fastCounter checks the order of the events it gets (args[0] is the
// sequence number) without the per-message channel of a Recorder.
type fastCounter struct {
	*testpeer.Recorder
	counting atomic.Bool
	next     atomic.Int64
	bad      atomic.Value // string: the first out-of-order event
	all      chan struct{}
	total    int64
}

func (h *fastCounter) OnMessage(m core.Message) {
	ev, ok := m.(*core.Event)
	if !h.counting.Load() || !ok {
		h.Recorder.OnMessage(m)
		return
	}
	want := h.next.Load()
	if got, _ := ev.Args[0].(int64); got != want && h.bad.Load() == nil {
		h.bad.Store("event " + describe(ev) + " out of order")
	}
	if h.next.Add(1) == h.total {
		close(h.all)
	}
}

func TestSlowSubscriberIsDisconnectedOthersGetEverything(t *testing.T) {
	const events = 100_000
	logs := &logBuffer{}
	r := newRouter(t, Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})

	// The slow subscriber joins and subscribes, then stops reading.
	slow := &stuckHandler{Recorder: testpeer.NewRecorder(), release: make(chan struct{})}
	defer close(slow.release)
	slowTr, err := memory.Connect(r.Accept, slow, memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sc := &client{t: t, rec: slow.Recorder, tr: slowTr}
	sc.hello("realm1")
	sc.subscribe("com.example.firehose", "")
	slow.joined.Store(true)

	fast := &fastCounter{Recorder: testpeer.NewRecorder(), all: make(chan struct{}), total: events}
	fastTr, err := memory.Connect(r.Accept, fast, memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fc := &client{t: t, rec: fast.Recorder, tr: fastTr}
	fc.hello("realm1")
	fc.subscribe("com.example.firehose", "")
	fast.counting.Store(true)

	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	pub := join(t, r, "realm1")
	payload := strings.Repeat("x", 64)
	// The publisher waits for an acknowledgement every 1,000 events and
	// keeps at most 2,000 events ahead of the fast subscriber, as a real
	// application paces itself by its consumers: the fast subscriber's
	// queue (4,096 messages) then never fills, even on one busy CPU, while
	// the slow one's does. The router never waits for anyone.
	for i := range int64(events) {
		ack := (i+1)%1000 == 0
		pub.send(&core.Publish{Request: pub.next(), Topic: "com.example.firehose", Args: []any{i, payload},
			Options: core.PublishOptions{Acknowledge: &ack}})
		if !ack {
			continue
		}
		expect[*core.Published](pub)
		for deadline := time.Now().Add(wait); fast.next.Load() < i-2000; {
			if time.Now().After(deadline) {
				t.Fatalf("fast subscriber stalled at %d events while %d were published", fast.next.Load(), i+1)
			}
			time.Sleep(time.Millisecond)
		}
	}
	select {
	case <-fast.all:
	case <-time.After(60 * time.Second):
		t.Fatalf("fast subscriber got %d of %d events", fast.next.Load(), events)
	}
	if bad := fast.bad.Load(); bad != nil {
		t.Fatal(bad)
	}

	// The slow subscriber's handler is stuck, so its side hears of the
	// disconnect only when it reads again; the router side is gone now.
	deadline := time.Now().Add(wait)
	for r.Realm("realm1").SessionCount() != 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	equal(t, "sessions left (publisher and fast subscriber)", r.Realm("realm1").SessionCount(), 2)
	if n := r.Stats().SlowDisconnects; n != 1 {
		t.Fatalf("SlowDisconnects = %d, want 1", n)
	}
	if !strings.Contains(logs.String(), "session does not read its messages: disconnecting it") {
		t.Fatalf("no log line about the slow session; logs:\n%s", logs.String())
	}

	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	// 100,000 events of ~100 bytes would be ~10 MB if anything kept them;
	// the slow session's queue is bounded (1 MiB / 4,096 messages).
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 8<<20 {
		t.Fatalf("router heap grew by %d bytes while routing to a slow subscriber", grew)
	}
}
