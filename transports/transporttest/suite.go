package transporttest

import (
	"context"
	"errors"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

// Run runs the conformance suite over the transports h connects. The tests
// run one after the other (they measure timings and goroutines).
func Run(t *testing.T, h Harness) {
	tests := []struct {
		name string
		f    func(*testing.T, Harness)
	}{
		{"CallOrder", testCallOrder},
		{"SendAfterClose", testSendAfterClose},
		{"CloseFromHandler", testCloseFromHandler},
		{"PanicContained", testPanicContained},
		{"SizeLimit", testSizeLimit},
		{"ConcurrentSenders", testConcurrentSenders},
		{"SendHonoursContext", testSendHonoursContext},
		{"PolicyBlockTrySend", testPolicyBlockTrySend},
		{"TrySendNeverWaits", testTrySendNeverWaits},
		{"PolicyFail", testPolicyFail},
		{"PolicyDrop", testPolicyDrop},
		{"StallTimeout", testStallTimeout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Registered first, the check runs after the test's other
			// cleanups (listeners closed by the harness).
			t.Cleanup(checkGoroutines(t))
			tc.f(t, h)
		})
	}
}

// connect opens one connection with fresh handlers.
func connect(t *testing.T, h Harness, opts Options, client, server *handler) (core.Transport, core.Transport) {
	t.Helper()
	h.Connect(t, client, server, opts)
	ct := client.transport()
	if ct == nil {
		t.Fatal("Harness.Connect returned before the client's OnOpen ran")
	}
	// The server side may open on its own goroutine, just after the client.
	server.waitFor(t, "the server's OnOpen", func() bool { return server.opened > 0 })
	return ct, server.transport()
}

func testCallOrder(t *testing.T, h Harness) {
	client, server := newHandler(), newHandler()
	ct, st := connect(t, h, Options{}, client, server)
	const n = 200
	ctx := context.Background()
	for i := range n {
		if err := ct.Send(ctx, event(i, "to server")); err != nil {
			t.Fatalf("client Send %d: %v", i, err)
		}
		if err := st.Send(ctx, event(i, "to client")); err != nil {
			t.Fatalf("server Send %d: %v", i, err)
		}
	}
	for side, hd := range map[string]*handler{"server": server, "client": client} {
		for i, m := range hd.waitMessages(t, n) {
			if number(m) != i {
				t.Fatalf("%s: message %d is number %d: out of order", side, i, number(m))
			}
		}
	}
	if err := closeWithin(t, ct); err != nil {
		t.Errorf("client Close: %v", err)
	}
	if err := client.waitClosed(t); err != nil {
		t.Errorf("client OnClose after a clean close: %v", err)
	}
	if err := server.waitClosed(t); err != nil {
		t.Errorf("server OnClose after the client's clean close: %v", err)
	}
	if err := closeWithin(t, ct); err != nil {
		t.Errorf("second Close: %v", err)
	}
	time.Sleep(20 * time.Millisecond) // let a second OnClose show, if any
	client.check(t, "client")
	server.check(t, "server")
}

func testSendAfterClose(t *testing.T, h Harness) {
	client, server := newHandler(), newHandler()
	ct, _ := connect(t, h, Options{}, client, server)
	if err := ct.Send(context.Background(), nil); err == nil {
		t.Error("Send(nil) succeeded")
	}
	if err := closeWithin(t, ct); err != nil {
		t.Fatalf("Close: %v", err)
	}
	client.waitClosed(t)
	server.waitClosed(t)
	if err := ct.Send(context.Background(), event(0, "")); !errors.Is(err, core.ErrTransportLost) {
		t.Errorf("Send after Close = %v, want an error wrapping core.ErrTransportLost", err)
	}
	if err := trySender(t, ct).TrySend(event(0, "")); !errors.Is(err, core.ErrTransportLost) {
		t.Errorf("TrySend after Close = %v, want an error wrapping core.ErrTransportLost", err)
	}
	if err := ct.Abort(); err != nil {
		t.Errorf("Abort after Close: %v", err)
	}
}

func testCloseFromHandler(t *testing.T, h Harness) {
	client, server := newHandler(), newHandler()
	took := make(chan time.Duration, 1)
	server.onMessage = func(tr core.Transport, m core.Message) {
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := tr.Close(ctx); err != nil {
			t.Errorf("Close from OnMessage: %v", err)
		}
		took <- time.Since(start)
	}
	ct, _ := connect(t, h, Options{}, client, server)
	if err := ct.Send(context.Background(), event(0, "close, please")); err != nil {
		t.Fatal(err)
	}
	select {
	case d := <-took:
		if d > time.Second {
			t.Errorf("Close from inside OnMessage took %v: it must not wait for the reader that runs it", d)
		}
	case <-time.After(wait):
		t.Fatal("Close from inside OnMessage did not return: deadlock")
	}
	if err := server.waitClosed(t); err != nil {
		t.Errorf("server OnClose after its own clean close: %v", err)
	}
	if err := client.waitClosed(t); err != nil {
		t.Errorf("client OnClose after the server's clean close: %v", err)
	}
	client.check(t, "client")
	server.check(t, "server")
}

func testPanicContained(t *testing.T, h Harness) {
	bad, badServer := newHandler(), newHandler()
	badServer.onMessage = func(core.Transport, core.Message) { panic("conformance test: handler panic") }
	good, goodServer := newHandler(), newHandler()
	bt, _ := connect(t, h, Options{}, bad, badServer)
	gt, gst := connect(t, h, Options{}, good, goodServer)
	if err := bt.Send(context.Background(), event(0, "panic, please")); err != nil {
		t.Fatal(err)
	}
	if err := badServer.waitClosed(t); err == nil {
		t.Error("server OnClose after a panic in its handler: nil error, want the panic")
	} else if !strings.Contains(err.Error(), "panic") {
		t.Errorf("server OnClose after a panic = %v, want an error that says panic", err)
	}
	// The client's side ends too (with an error where the framing can say
	// why: a WebSocket close code, a TCP reset).
	bad.waitClosed(t)
	// The other connection is untouched.
	if err := gt.Send(context.Background(), event(1, "still there?")); err != nil {
		t.Fatalf("other connection: %v", err)
	}
	if err := gst.Send(context.Background(), event(2, "yes")); err != nil {
		t.Fatalf("other connection: %v", err)
	}
	goodServer.waitMessages(t, 1)
	good.waitMessages(t, 1)
	closeWithin(t, gt)
	good.waitClosed(t)
	goodServer.waitClosed(t)
	badServer.check(t, "server")
}

func testSizeLimit(t *testing.T, h Harness) {
	if h.MaxMessageSize == 0 || h.Serializer == nil {
		t.Skip("the harness sets no message size limit")
	}
	pad := padFor(t, h.Serializer, h.MaxMessageSize)
	client, server := newHandler(), newHandler()
	ct, st := connect(t, h, Options{}, client, server)
	ctx := context.Background()
	for _, dir := range []struct {
		name     string
		from     core.Transport
		receiver *handler
	}{{"client to server", ct, server}, {"server to client", st, client}} {
		if err := dir.from.Send(ctx, event(0, pad)); err != nil {
			t.Fatalf("%s: message of exactly the limit (%d bytes): %v", dir.name, h.MaxMessageSize, err)
		}
		err := dir.from.Send(ctx, event(1, pad+"x"))
		if !errors.Is(err, core.ErrMessageTooLarge) {
			t.Fatalf("%s: message one byte over the limit: Send = %v, want an error wrapping core.ErrMessageTooLarge", dir.name, err)
		}
		if err := dir.from.Send(ctx, event(2, "small")); err != nil {
			t.Fatalf("%s: Send after a refused message: %v", dir.name, err)
		}
		msgs := dir.receiver.waitMessages(t, 2)
		if number(msgs[0]) != 0 || number(msgs[1]) != 2 {
			t.Fatalf("%s: received messages %d, %d; want 0 and 2", dir.name, number(msgs[0]), number(msgs[1]))
		}
	}
	closeWithin(t, ct)
	client.waitClosed(t)
	server.waitClosed(t)
}

// padFor finds the padding that makes event(0, pad) serialize to exactly
// size bytes.
func padFor(t *testing.T, ser core.Serializer, size int) string {
	t.Helper()
	base, err := ser.Serialize(event(0, ""))
	if err != nil {
		t.Fatal(err)
	}
	for n := max(0, size-len(base)-16); n <= size; n++ {
		pad := strings.Repeat("x", n)
		b, err := ser.Serialize(event(0, pad))
		if err != nil {
			t.Fatal(err)
		}
		if len(b) == size {
			return pad
		}
		if len(b) > size {
			break
		}
	}
	t.Skipf("serializer %s cannot make an event of exactly %d bytes", ser.Name(), size)
	return ""
}

func testConcurrentSenders(t *testing.T, h Harness) {
	client, server := newHandler(), newHandler()
	ct, _ := connect(t, h, Options{}, client, server)
	const senders, each = 8, 250
	var wg sync.WaitGroup
	for g := range senders {
		wg.Go(func() {
			for i := range each {
				if err := ct.Send(context.Background(), event(g*1000+i, "concurrent")); err != nil {
					t.Errorf("sender %d, message %d: %v", g, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	next := make([]int, senders)
	for _, m := range server.waitMessages(t, senders*each) {
		g, i := number(m)/1000, number(m)%1000
		if i != next[g] {
			t.Fatalf("sender %d: got message %d, want %d (one sender's messages must stay in order)", g, i, next[g])
		}
		next[g]++
	}
	closeWithin(t, ct)
	client.waitClosed(t)
	server.waitClosed(t)
}

// blockedServer returns a server handler that stops in its first OnMessage
// until release is closed: its transport stops reading, like a peer that
// does not read.
func blockedServer() (h *handler, release func()) {
	h = newHandler()
	ch := make(chan struct{})
	h.onMessage = func(core.Transport, core.Message) { <-ch }
	var once sync.Once
	return h, func() { once.Do(func() { close(ch) }) }
}

// fillPad is the padding of the messages that fill a queue.
func fillPad(h Harness) string {
	n := 64 << 10
	if h.MaxMessageSize > 0 {
		n = min(n, h.MaxMessageSize/2)
	}
	return strings.Repeat("f", n)
}

// maxFill bounds the messages sent to fill a peer's buffers.
const maxFill = 50000

func testSendHonoursContext(t *testing.T, h Harness) {
	server, release := blockedServer()
	defer release()
	client := newHandler()
	ct, _ := connect(t, h, Options{}, client, server)
	pad := fillPad(h)
	for i := range maxFill {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		start := time.Now()
		err := ct.Send(ctx, event(i, pad))
		took := time.Since(start)
		cancel()
		if err == nil {
			continue
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Send %d to a peer that does not read = %v, want an error wrapping context.DeadlineExceeded", i, err)
		}
		if took > time.Second {
			t.Fatalf("Send with a 500 ms context returned after %v", took)
		}
		release()
		ct.Abort()
		client.waitClosed(t)
		server.waitClosed(t)
		return
	}
	t.Fatalf("%d messages sent to a peer that does not read without Send waiting", maxFill)
}

func trySender(t *testing.T, tr core.Transport) core.TrySender {
	t.Helper()
	ts, ok := tr.(core.TrySender)
	if !ok {
		t.Fatalf("%T does not implement core.TrySender", tr)
	}
	return ts
}

func stats(t *testing.T, tr core.Transport) core.TransportStats {
	t.Helper()
	sr, ok := tr.(core.StatsReporter)
	if !ok {
		t.Fatalf("%T does not implement core.StatsReporter", tr)
	}
	return sr.Stats()
}

// fillUntil sends with TrySend until it fails for good (for 200 ms, so that
// the writer has filled everything between the queue and the peer's
// handler), and returns the first error of that streak.
func fillUntil(t *testing.T, h Harness, tr core.Transport) error {
	t.Helper()
	ts, pad := trySender(t, tr), fillPad(h)
	var streak error
	var since time.Time
	for i := range maxFill {
		err := ts.TrySend(event(i, pad))
		switch {
		case err == nil:
			streak = nil
		case streak == nil:
			streak, since = err, time.Now()
		}
		if streak != nil && (errors.Is(err, core.ErrTransportLost) || time.Since(since) > 200*time.Millisecond) {
			return streak
		}
		if err != nil {
			time.Sleep(5 * time.Millisecond)
		} else if i%64 == 63 {
			time.Sleep(time.Millisecond) // let the writer fill the peer's buffers
		}
	}
	t.Fatalf("%d messages sent to a peer that does not read without the queue filling", maxFill)
	return nil
}

func testPolicyBlockTrySend(t *testing.T, h Harness) {
	server, release := blockedServer()
	defer release()
	client := newHandler()
	ct, _ := connect(t, h, Options{}, client, server)
	err := fillUntil(t, h, ct)
	if !errors.Is(err, core.ErrSendQueueFull) {
		t.Fatalf("TrySend to a full queue under SlowPeerBlock = %v, want an error wrapping core.ErrSendQueueFull", err)
	}
	if s := stats(t, ct); s.Refused == 0 || s.QueuedMessages == 0 {
		t.Errorf("stats after a refused TrySend: %+v, want Refused and QueuedMessages > 0", s)
	}
	// The connection lives on: once the peer reads, everything queued
	// arrives, then a last message.
	release()
	if err := ct.Send(context.Background(), event(maxFill, "last")); err != nil {
		t.Fatalf("Send once the peer reads again: %v", err)
	}
	server.waitFor(t, "the last message", func() bool {
		return len(server.msgs) > 0 && number(server.msgs[len(server.msgs)-1]) == maxFill
	})
	closeWithin(t, ct)
	client.waitClosed(t)
	server.waitClosed(t)
}

// testTrySendNeverWaits: TrySend never waits for a peer that does not read,
// also when the writer is idle and the socket's buffers are full (a
// transport may write a message on the sending goroutine when no writer
// runs; it must never block there), and every message still arrives, in
// order, once the peer reads again. The messages are small, so that a
// transport that writes on the sending goroutine does so for each of them;
// after each one the test lets the writer drain the queue, so that the next
// one finds it idle.
func testTrySendNeverWaits(t *testing.T, h Harness) {
	server, release := blockedServer()
	defer release()
	client := newHandler()
	ct, _ := connect(t, h, Options{ClientQueue: core.QueueOptions{MaxBytes: 64 << 20, MaxMessages: maxFill}}, client, server)
	ts, pad := trySender(t, ct), strings.Repeat("s", 1024)
	done := make(chan int, 1)
	var longest time.Duration
	go func() {
		sent, stalled := 0, 0
		for sent < maxFill && stalled < 200 {
			start := time.Now()
			err := ts.TrySend(event(sent, pad))
			longest = max(longest, time.Since(start))
			if err != nil {
				break
			}
			sent++
			if stalled > 0 {
				stalled++ // the socket is full: go on sending into the queue
				continue
			}
			// Let the writer drain the queue; if it does not within 20
			// ms, the peer's buffers are full.
			for range 20 {
				if stats(t, ct).QueuedMessages == 0 {
					break
				}
				time.Sleep(time.Millisecond)
			}
			if stats(t, ct).QueuedMessages > 0 {
				stalled = 1
			}
		}
		done <- sent
	}()
	var sent int
	select {
	case sent = <-done:
	case <-time.After(2 * wait):
		ct.Abort() // unblocks a TrySend stuck in a write
		<-done
		t.Fatalf("TrySend to a peer that does not read did not return (longest so far %v)", longest)
	}
	if longest > time.Second {
		t.Fatalf("a TrySend to a peer that does not read took %v", longest)
	}
	if sent == maxFill {
		t.Fatalf("%d messages sent to a peer that does not read without the queue filling", maxFill)
	}
	t.Logf("%d messages sent, longest TrySend %v", sent, longest)
	release()
	server.waitFor(t, "every message", func() bool { return len(server.msgs) >= sent })
	for i, m := range server.msgs {
		if number(m) != i {
			t.Fatalf("message %d arrived as number %d", i, number(m))
		}
	}
	closeWithin(t, ct)
	client.waitClosed(t)
	server.waitClosed(t)
}

func testPolicyFail(t *testing.T, h Harness) {
	server, release := blockedServer()
	defer release()
	client := newHandler()
	ct, _ := connect(t, h, Options{ClientQueue: core.QueueOptions{Policy: core.SlowPeerFail, MaxBytes: 256 << 10}}, client, server)
	err := fillUntil(t, h, ct)
	if !errors.Is(err, core.ErrSlowPeer) {
		t.Fatalf("TrySend past the queue limit under SlowPeerFail = %v, want an error wrapping core.ErrSlowPeer", err)
	}
	if err := client.waitClosed(t); !errors.Is(err, core.ErrSlowPeer) || !errors.Is(err, core.ErrTransportLost) {
		t.Errorf("client OnClose under SlowPeerFail = %v, want a core.TransportLost wrapping core.ErrSlowPeer", err)
	}
	release()
	server.waitClosed(t)
}

func testPolicyDrop(t *testing.T, h Harness) {
	server, release := blockedServer()
	defer release()
	client := newHandler()
	ct, _ := connect(t, h, Options{ClientQueue: core.QueueOptions{Policy: core.SlowPeerDrop, MaxBytes: 256 << 10}}, client, server)
	err := fillUntil(t, h, ct)
	if !errors.Is(err, core.ErrMessageDropped) {
		t.Fatalf("TrySend past the queue limit under SlowPeerDrop = %v, want an error wrapping core.ErrMessageDropped", err)
	}
	if err := ct.Send(context.Background(), event(maxFill+1, fillPad(h))); !errors.Is(err, core.ErrMessageDropped) {
		t.Fatalf("Send to a full queue under SlowPeerDrop = %v, want an error wrapping core.ErrMessageDropped (no waiting)", err)
	}
	if s := stats(t, ct); s.Dropped < 2 {
		t.Errorf("stats after two drops: %+v, want Dropped >= 2", s)
	}
	release()
	if err := ct.Send(context.Background(), event(maxFill, "last")); err != nil && !errors.Is(err, core.ErrMessageDropped) {
		t.Fatalf("Send once the peer reads again: %v", err)
	}
	// The connection lives on.
	server.waitFor(t, "messages after the drops", func() bool { return len(server.msgs) > 1 })
	closeWithin(t, ct)
	client.waitClosed(t)
	server.waitClosed(t)
}

func testStallTimeout(t *testing.T, h Harness) {
	server, release := blockedServer()
	defer release()
	client := newHandler()
	ct, _ := connect(t, h, Options{ClientQueue: core.QueueOptions{StallTimeout: 300 * time.Millisecond}}, client, server)
	fillUntil(t, h, ct)
	// The queue is full: the writer is stalled now, if it has not failed
	// the connection already. The default stall timeout (30 s) would take
	// far longer than this bound.
	start := time.Now()
	if err := client.waitClosed(t); !errors.Is(err, core.ErrSlowPeer) {
		t.Errorf("client OnClose after a stalled write = %v, want an error wrapping core.ErrSlowPeer", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("a 300 ms stall timeout failed the connection %v after the queue filled", took)
	}
	release()
	server.waitClosed(t)
}

var goroutineID = regexp.MustCompile(`^goroutine (\d+) `)

// checkGoroutines notes the goroutines running now; the returned function
// fails t if goroutines of this module started since are still running
// after a grace period.
func checkGoroutines(t *testing.T) func() {
	before := make(map[string]bool)
	for id := range goroutines() {
		before[id] = true
	}
	return func() {
		var leaked []string
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			leaked = leaked[:0]
			for id, stack := range goroutines() {
				if !before[id] && strings.Contains(stack, "autobahn-go/autobahn/") && !strings.Contains(stack, "transporttest.checkGoroutines") && !strings.Contains(stack, "testing.tRunner") {
					leaked = append(leaked, stack)
				}
			}
			if len(leaked) == 0 || time.Now().After(deadline) {
				break
			}
		}
		if len(leaked) > 0 {
			t.Errorf("%d goroutines left behind:\n%s", len(leaked), strings.Join(leaked, "\n\n"))
		}
	}
}

func goroutines() map[string]string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	out := make(map[string]string)
	for _, g := range strings.Split(string(buf), "\n\n") {
		if m := goroutineID.FindStringSubmatch(g); m != nil {
			out[m[1]] = g
		}
	}
	return out
}
