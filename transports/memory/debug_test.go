package memory_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/serializers/json"
	"github.com/autobahn-go/autobahn/transports/memory"
)

// lockedBuffer is a log destination safe for concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestDebugOptions: logFrames and logOctets log every message both ways at
// debug level, and trackTimings records the timings.
func TestDebugOptions(t *testing.T) {
	var logs lockedBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts := memory.Options{Serializer: json.Serializer, LogFrames: true, LogOctets: true, TrackTimings: true, Logger: log}
	var got sync.WaitGroup
	got.Add(1)
	a, b, err := memory.Pair(nop{}, sink{got: &got, want: 1}, opts)
	if err != nil {
		t.Fatal(err)
	}
	ev := &core.Event{Subscription: 5, Publication: 1, Args: []any{"hi"}}
	if err := a.Send(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	got.Wait()
	data, _ := json.Serializer.Serialize(ev)
	for _, want := range []string{"memory: message out", "type=EVENT", "memory: message in", "memory: octets out", hex.EncodeToString(data)} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("debug log lacks %q:\n%s", want, logs.String())
		}
	}
	// The sender's writer records the write after it returns, which can be
	// after the receiver has the message: wait for it (bounded).
	ta, ok := a.Timings()
	for deadline := time.Now().Add(5 * time.Second); ok && ta.Writes == 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
		ta, ok = a.Timings()
	}
	tb, _ := b.Timings()
	if !ok || ta.Opened.IsZero() || ta.LastSent.IsZero() || ta.Writes == 0 || tb.LastReceived.IsZero() {
		t.Errorf("timings: sender %+v, receiver %+v", ta, tb)
	}
	if err := a.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ta, _ := a.Timings(); ta.Closed.Before(ta.Opened) || time.Since(ta.Closed) > time.Minute {
		t.Errorf("timings after close: %+v", ta)
	}
}

// TestIdleCostsNoGoroutine: once their messages are delivered, idle
// connections hold no goroutine: the deliverers are gone at once, the
// pooled writers after their idle second.
func TestIdleCostsNoGoroutine(t *testing.T) {
	before := runtime.NumGoroutine()
	const n = 200
	var got sync.WaitGroup
	got.Add(n)
	pairs := make([]*memory.Transport, n)
	for i := range n {
		a, _, err := memory.Pair(nop{}, sink{got: &got, want: 1}, memory.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Send(context.Background(), &core.Event{Subscription: 1, Publication: 1}); err != nil {
			t.Fatal(err)
		}
		pairs[i] = a
	}
	got.Wait()
	time.Sleep(1500 * time.Millisecond)
	if extra := runtime.NumGoroutine() - before; extra > 2 {
		t.Errorf("%d idle connections hold %d goroutines", n, extra)
	}
	for _, a := range pairs {
		a.Close(context.Background())
	}
}
